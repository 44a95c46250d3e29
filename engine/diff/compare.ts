/**
 * The Kubernetes-aware comparison at the heart of rendered diffs. Owners
 * (HelmReleases, Flux Kustomizations) are matched by kind and id, their
 * objects by group/kind/namespace/name (an apiVersion bump within a group is
 * a change of the object), and list items by their Kubernetes merge keys
 * (list-keys.ts), so a reordered list is one `order` delta rather than
 * churn. Noise is stripped and Secret values masked first (normalize.ts).
 * Pure data in, pure data out; odd input still gives a diff, never an
 * exception.
 */
import { stringify } from 'yaml';
import type { DiffOptions, FieldDelta, ObjectDiff, OwnerDiff, OwnerOutput, RenderedDiff } from './types.ts';
import { isPlainObject, keyLists } from './list-keys.ts';
import { changedLines } from './line-match.ts';
import { identify, isSecret, isSecretValuePath, maskSecret, maskValue, normalizeObject } from './normalize.ts';

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  // NaN and friends.
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

/** `.spec`, `.metadata.labels["app.kubernetes.io/name"]`. */
export function fieldSegment(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

interface Walk {
  kind: string;
  out: FieldDelta[];
}

function isScalar(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

function sameMultiset(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  const rest = [...b];
  for (const x of a) {
    const i = rest.findIndex((y) => deepEqual(x, y));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

function diffList(w: Walk, path: string, field: string, parentList: string | undefined, depth: number, a: unknown[], b: unknown[]): void {
  if (deepEqual(a, b)) return; // an equal list of scalars is no `order` change
  const keyed = keyLists(field, parentList, depth, w.kind, a, b);
  if (keyed) {
    const headIndex = new Map(keyed.head.labels.map((l, i) => [l, i]));
    const baseIndex = new Map(keyed.base.labels.map((l, i) => [l, i]));
    keyed.base.labels.forEach((l, i) => {
      if (!headIndex.has(l)) w.out.push({ path: `${path}[${l}]`, op: 'remove', before: a[i] });
    });
    const commonBase = keyed.base.labels.filter((l) => headIndex.has(l));
    const commonHead = keyed.head.labels.filter((l) => baseIndex.has(l));
    if (commonBase.some((l, i) => commonHead[i] !== l)) w.out.push({ path, op: 'order', before: commonBase, after: commonHead });
    keyed.head.labels.forEach((l, i) => {
      const bi = baseIndex.get(l);
      if (bi === undefined) w.out.push({ path: `${path}[${l}]`, op: 'add', after: b[i] });
      else diffValue(w, `${path}[${l}]`, field, depth + 1, a[bi], b[i]);
    });
    return;
  }
  if (a.every(isScalar) && b.every(isScalar)) {
    if (sameMultiset(a, b)) w.out.push({ path, op: 'order', before: a, after: b });
    else w.out.push({ path, op: 'change', before: a, after: b });
    return;
  }
  if (sameMultiset(a, b)) {
    // The same items in another order: where each item of the new order was.
    const left = a.map((_, i) => i);
    const from = b.map((x) => left.splice(left.findIndex((i) => deepEqual(a[i], x)), 1)[0]);
    w.out.push({ path, op: 'order', before: a.map((_, i) => i), after: from });
    return;
  }
  // No keys: unchanged items anchor the two lists (a line diff of the items'
  // JSON); between anchors, items pair up by position, the rest are added or removed.
  const text = (x: unknown): string => JSON.stringify(x) ?? 'undefined';
  const { deleted, inserted } = changedLines(a.map(text), b.map(text), 0);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (!deleted[i] && !inserted[j] && i < a.length && j < b.length) {
      i++;
      j++;
      continue;
    }
    const gone: number[] = [];
    const come: number[] = [];
    while (i < a.length && deleted[i]) gone.push(i++);
    while (j < b.length && inserted[j]) come.push(j++);
    const paired = Math.min(gone.length, come.length);
    for (let k = 0; k < paired; k++) diffValue(w, `${path}[${come[k]}]`, field, depth + 1, a[gone[k]], b[come[k]]);
    for (const g of gone.slice(paired)) w.out.push({ path: `${path}[${g}]`, op: 'remove', before: a[g] });
    for (const c of come.slice(paired)) w.out.push({ path: `${path}[${c}]`, op: 'add', after: b[c] });
    if (gone.length === 0 && come.length === 0) break;
  }
}

/** `list` is the name of the list an item belongs to (for a container's `ports`). */
function diffValue(w: Walk, path: string, list: string | undefined, depth: number, a: unknown, b: unknown): void {
  if (deepEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const [k, av] of Object.entries(a)) {
      const p = `${path}${fieldSegment(k)}`;
      if (!(k in b)) w.out.push({ path: p, op: 'remove', before: av });
      else if (Array.isArray(av) && Array.isArray(b[k])) diffList(w, p, k, list, depth + 1, av, b[k] as unknown[]);
      else diffValue(w, p, undefined, depth + 1, av, b[k]);
    }
    for (const [k, bv] of Object.entries(b)) {
      if (!(k in a)) w.out.push({ path: `${path}${fieldSegment(k)}`, op: 'add', after: bv });
    }
    return;
  }
  w.out.push({ path, op: 'change', before: a, after: b });
}

/** The field deltas between two (normalized) objects. */
export function fieldDeltas(a: unknown, b: unknown, kind: string): FieldDelta[] {
  const w: Walk = { kind, out: [] };
  if (isPlainObject(a) && isPlainObject(b)) diffValue(w, '', undefined, 0, a, b);
  else if (!deepEqual(a, b)) w.out.push({ path: '.', op: 'change', before: a, after: b });
  return w.out;
}

function toYaml(v: unknown): string {
  try {
    return stringify(v, { version: '1.1', lineWidth: 0 });
  } catch {
    return `${String(v)}\n`;
  }
}

interface Side {
  raw: unknown;
  norm: unknown;
  key: ReturnType<typeof identify>;
}

function sides(objects: unknown[], options: DiffOptions | undefined): Map<string, Side> {
  const out = new Map<string, Side>();
  for (const raw of Array.isArray(objects) ? objects : []) {
    const key = identify(raw);
    // The same identity twice on one side: keep both, the second with a suffix.
    let id = key.id;
    for (let n = 2; out.has(id); n++) id = `${key.id}#${n}`;
    out.set(id, { raw, norm: normalizeObject(raw, options), key: { key: key.key, id } });
  }
  return out;
}

function objectDiff(base: Side | undefined, head: Side | undefined, options: DiffOptions | undefined): ObjectDiff | undefined {
  const one = (head ?? base) as Side;
  const secret = isSecret(base?.norm) || isSecret(head?.norm);
  const reveal = options?.revealSecrets === true;
  const kind = one.key.key.kind;
  let fields: FieldDelta[];
  if (base && head) {
    fields = fieldDeltas(base.norm, head.norm, kind);
    if (fields.length === 0) return undefined;
  } else fields = [];
  if (secret && !reveal) {
    fields = fields.map((f) => (isSecretValuePath(f.path) ? maskDelta(f) : f));
  }
  const show = (s: Side | undefined, other: Side | undefined): string | undefined => {
    if (!s) return undefined;
    return toYaml(secret && !reveal ? maskSecret(s.norm, other?.norm) : s.norm);
  };
  const diff: ObjectDiff = {
    key: one.key.key,
    id: one.key.id,
    status: base && head ? 'changed' : head ? 'added' : 'removed',
    fields,
  };
  if (secret) diff.secret = true;
  const before = show(base, undefined);
  const after = show(head, base);
  if (before !== undefined) diff.before = before;
  if (after !== undefined) diff.after = after;
  return diff;
}

function maskDelta(f: FieldDelta): FieldDelta {
  if (f.op === 'order') return f;
  const out: FieldDelta = { path: f.path, op: f.op };
  if ('before' in f) out.before = maskValue(f.path, f.before);
  if ('after' in f) out.after = maskValue(f.path, f.after);
  return out;
}

function compareIds(a: ObjectDiff, b: ObjectDiff): number {
  const ka = `${a.key.kind}\u0000${a.key.namespace ?? ''}\u0000${a.key.name}\u0000${a.id}`;
  const kb = `${b.key.kind}\u0000${b.key.namespace ?? ''}\u0000${b.key.name}\u0000${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The object differences between two lists of objects (unchanged objects are left out). */
export function diffObjects(base: Record<string, unknown>[], head: Record<string, unknown>[], options?: DiffOptions): ObjectDiff[] {
  const b = sides(base, options);
  const h = sides(head, options);
  const out: ObjectDiff[] = [];
  for (const [id, side] of b) {
    const d = objectDiff(side, h.get(id), options);
    if (d) out.push(d);
  }
  for (const [id, side] of h) {
    if (b.has(id)) continue;
    const d = objectDiff(undefined, side, options);
    if (d) out.push(d);
  }
  return out.sort(compareIds);
}

function countObjects(objects: ObjectDiff[]): OwnerDiff['counts'] {
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const o of objects) counts[o.status]++;
  return counts;
}

function ownerKey(o: OwnerOutput): string {
  return `${o.kind}\u0000${o.id}`;
}

function ownerDiff(base: OwnerOutput | undefined, head: OwnerOutput | undefined, options: DiffOptions | undefined): OwnerDiff {
  const one = (head ?? base) as OwnerOutput;
  const errors: { base?: string; head?: string } = {};
  if (base?.error) errors.base = base.error;
  if (head?.error) errors.head = head.error;
  const failed = errors.base !== undefined || errors.head !== undefined;
  // An owner that failed on one side has nothing meaningful to compare.
  const objects = failed ? [] : diffObjects(base?.objects ?? [], head?.objects ?? [], options);
  const status: OwnerDiff['status'] = failed ? 'error' : !base ? 'added' : !head ? 'removed' : objects.length > 0 ? 'changed' : 'unchanged';
  const d: OwnerDiff = { kind: one.kind, id: one.id, status, objects, counts: countObjects(objects) };
  const file = head?.file ?? base?.file;
  if (file !== undefined) d.file = file;
  if (failed) d.errors = errors;
  return d;
}

/** An owner whose objects could not be compared is an error of that owner, never an exception. */
function safeOwnerDiff(base: OwnerOutput | undefined, head: OwnerOutput | undefined, options: DiffOptions | undefined): OwnerDiff {
  try {
    return ownerDiff(base, head, options);
  } catch (e) {
    const one = (head ?? base) as OwnerOutput;
    const message = `the objects could not be compared: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: one.kind, id: String(one.id), status: 'error', objects: [], counts: { added: 0, removed: 0, changed: 0 }, errors: { head: message } };
  }
}

const STATUS_RANK: Record<OwnerDiff['status'], number> = { error: 0, changed: 1, added: 1, removed: 1, unchanged: 2 };

/** Matches owners by kind and id and compares their objects. */
export function diffOwners(base: OwnerOutput[], head: OwnerOutput[], options?: DiffOptions, labels?: { base: string; head: string }): RenderedDiff {
  const b = new Map<string, OwnerOutput>();
  const h = new Map<string, OwnerOutput>();
  for (const o of Array.isArray(base) ? base : []) if (isPlainObject(o) && !b.has(ownerKey(o))) b.set(ownerKey(o), o);
  for (const o of Array.isArray(head) ? head : []) if (isPlainObject(o) && !h.has(ownerKey(o))) h.set(ownerKey(o), o);
  const owners: OwnerDiff[] = [];
  for (const [k, o] of b) owners.push(safeOwnerDiff(o, h.get(k), options));
  for (const [k, o] of h) if (!b.has(k)) owners.push(safeOwnerDiff(undefined, o, options));
  owners.sort((x, y) => STATUS_RANK[x.status] - STATUS_RANK[y.status] || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const totals = { owners: owners.length, changedOwners: 0, added: 0, removed: 0, changed: 0, errors: 0 };
  for (const o of owners) {
    if (o.status === 'error') totals.errors++;
    else if (o.status !== 'unchanged') totals.changedOwners++;
    totals.added += o.counts.added;
    totals.removed += o.counts.removed;
    totals.changed += o.counts.changed;
  }
  return { baseLabel: labels?.base ?? 'base', headLabel: labels?.head ?? 'head', owners, totals };
}
