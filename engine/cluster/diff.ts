/**
 * "What would applying this change?": a server-side dry-run apply (so
 * defaults, CEL validation, admission and field ownership are the real
 * server's) compared with the live object, both cut down to the fields the
 * `fluxhelm` field manager owns (managedFields), so status, bookkeeping and
 * fields other controllers set never show up. When another manager owns a
 * field we set, the diff is computed as a forced apply would store it and the
 * conflicts are listed beside it.
 */
import { DEFAULT_FIELD_MANAGER, applyBody } from './apply.ts';
import type { ClusterHost } from './host.ts';
import { fail, ok, type ClusterResult, type FieldConflict, type KubeObject } from './types.ts';

export interface FieldChange {
  /** Path like `.spec.values.replicaCount` or `.spec.install.remediation` or `.metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  op: 'add' | 'remove' | 'change';
  before?: unknown;
  after?: unknown;
}

export interface DryRunDiff {
  /** The live object, or undefined when applying would create it. */
  live: KubeObject | undefined;
  /** What the server would store. */
  predicted: KubeObject;
  /** Live and predicted reduced to the fields fluxhelm manages (what a diff view shows). */
  liveManaged: Record<string, unknown> | undefined;
  predictedManaged: Record<string, unknown>;
  changes: FieldChange[];
  /** Fields we set that another manager owns; a plain apply would be refused. */
  conflicts: FieldConflict[];
  /** The object's namespace does not exist yet, so the server could not predict it. */
  namespaceMissing?: boolean;
}

const volatileMetadata = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

/** A copy without the server's bookkeeping fields and without status. */
export function comparable(obj: KubeObject): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  delete copy.status;
  const meta: Record<string, unknown> = { ...obj.metadata };
  for (const k of volatileMetadata) delete meta[k];
  copy.metadata = meta;
  return copy;
}

function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural differences from `before` to `after`, objects key by key, arrays element by element. */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: FieldChange[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const p = path + segment(k);
      if (!(k in after)) out.push({ path: p, op: 'remove', before: before[k] });
      else if (!(k in before)) out.push({ path: p, op: 'add', after: after[k] });
      else out.push(...diffValues(before[k], after[k], p));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: p, op: 'remove', before: before[i] });
      else if (i >= before.length) out.push({ path: p, op: 'add', after: after[i] });
      else out.push(...diffValues(before[i], after[i], p));
    }
    return out;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '.', op: 'change', before, after }];
}


type FieldSet = Record<string, unknown>;

/**
 * The fields one manager owns through server-side apply (its Apply entries;
 * the merge patches of reconcile requests and suspend are Update entries and
 * stay out of diffs).
 */
export function managedFieldSet(obj: KubeObject | undefined, manager: string): FieldSet | undefined {
  let out: FieldSet | undefined;
  for (const e of obj?.metadata.managedFields ?? []) {
    if (e.manager !== manager || e.operation !== 'Apply' || e.subresource) continue;
    out = mergeSets(out ?? {}, (e.fieldsV1 ?? {}) as FieldSet);
  }
  return out;
}

function mergeSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? mergeSets(out[k] as FieldSet, v) : v;
  }
  return out;
}

function matchesKey(item: unknown, key: Record<string, unknown>): boolean {
  if (!isPlainObject(item)) return false;
  return Object.entries(key).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v));
}

/**
 * The part of `value` that a fieldsV1 set names: `f:name` for map keys,
 * `k:{...}` for list items by key, `v:...` for set items by value, `i:N` by
 * index. A leaf (`{}`) keeps the whole value.
 */
export function projectFields(value: unknown, set: FieldSet): unknown {
  const children = Object.keys(set).filter((k) => k !== '.');
  if (children.length === 0) return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of children) {
      if (!k.startsWith('f:')) continue;
      const name = k.slice(2);
      if (name in value) out[name] = projectFields(value[name], set[k] as FieldSet);
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      for (const k of children) {
        const sub = set[k] as FieldSet;
        let hit = false;
        if (k.startsWith('k:')) {
          try {
            hit = matchesKey(item, JSON.parse(k.slice(2)) as Record<string, unknown>);
          } catch {
            hit = false;
          }
        } else if (k.startsWith('v:')) hit = k.slice(2) === JSON.stringify(item);
        else if (k.startsWith('i:')) hit = Number(k.slice(2)) === i;
        if (hit) {
          out.push(projectFields(item, sub));
          break;
        }
      }
    });
    return out;
  }
  return value;
}

/** The object reduced to the fields in `set`, always with apiVersion, kind, name and namespace. */
export function managedView(obj: KubeObject, set: FieldSet | undefined): Record<string, unknown> {
  const view = (set ? projectFields(comparable(obj), set) : comparable(obj)) as Record<string, unknown>;
  const meta: Record<string, unknown> = { name: obj.metadata.name };
  if (obj.metadata.namespace) meta.namespace = obj.metadata.namespace;
  const projected = isPlainObject(view.metadata) ? view.metadata : {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, ...view, metadata: { ...meta, ...projected } };
}

/**
 * Dry-run applies `obj` and compares the fields fluxhelm manages with the
 * live object's. Validation and RBAC errors come back as a real apply's
 * would; ownership conflicts are data on the result.
 */
export async function dryRunDiff(host: ClusterHost, obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<ClusterResult<DryRunDiff>> {
  const manager = opts.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace };
  const live = await host.get(ref);
  if (!live.ok && live.error.kind !== 'not-found') return live;
  let conflicts: FieldConflict[] = [];
  let predicted = await host.apply(obj, { dryRun: true, fieldManager: manager });
  if (!predicted.ok && predicted.error.kind === 'conflict') {
    conflicts = predicted.error.conflicts;
    predicted = await host.apply(obj, { dryRun: true, force: true, fieldManager: manager });
  }
  if (!predicted.ok && predicted.error.kind === 'not-found' && !live.ok && /namespaces? "[^"]*" not found/.test(predicted.error.message)) {
    // Its namespace does not exist yet (applying creates it first): the object as written is the best prediction.
    const body = applyBody(obj, obj.metadata.namespace);
    return ok({ live: undefined, predicted: body, liveManaged: undefined, predictedManaged: managedView(body, undefined), changes: diffValues({}, managedView(body, undefined)), conflicts, namespaceMissing: true });
  }
  if (!predicted.ok) return fail(predicted.error);
  const liveObj = live.ok ? live.value : undefined;
  const liveSet = managedFieldSet(liveObj, manager);
  const predictedSet = managedFieldSet(predicted.value, manager);
  // Fields we managed before and no longer set show as removals.
  const set = liveSet && predictedSet ? mergeSets(liveSet, predictedSet) : (predictedSet ?? liveSet);
  const liveManaged = liveObj ? managedView(liveObj, set) : undefined;
  const predictedManaged = managedView(predicted.value, set);
  const changes = diffValues(liveManaged ?? {}, predictedManaged);
  return ok({ live: liveObj, predicted: predicted.value, liveManaged, predictedManaged, changes, conflicts });
}
