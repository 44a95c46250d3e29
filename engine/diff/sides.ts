/**
 * A rendered diff as two texts for a side-by-side diff editor, plus the
 * summary an editor shows beside it. Each side is one YAML stream with the
 * changed objects sorted by owner (kind, namespace/name), then by object
 * kind, namespace and name; an object missing on one side keeps its header
 * there so the editor lines the two streams up. Secret data is masked unless
 * the diff was asked to reveal it. Pure formatting: no IO.
 */
import { parseDocument, stringify } from 'yaml';
import type { ObjectDiff, OwnerDiff, RenderedDiff } from './types.ts';

export interface DiffSides {
  /** Editor title, e.g. `podinfo: HEAD (3ef3c57) ↔ working tree`. */
  title: string;
  /** The base revision's objects (left). */
  base: string;
  /** The working tree's objects (right). */
  head: string;
  /** One line per owner with differences or errors, then a total line. */
  summary: string[];
  /** Objects added, removed or changed, over every owner. */
  objects: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `3 objects (1 added, 2 changed)`, the counts of an owner or of the whole diff. */
export function countWords(c: { added: number; removed: number; changed: number }): string {
  const n = c.added + c.removed + c.changed;
  const parts = [c.added && `${c.added} added`, c.removed && `${c.removed} removed`, c.changed && `${c.changed} changed`].filter(Boolean);
  return `${plural(n, 'object')}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

const ownerName = (o: Pick<OwnerDiff, 'kind' | 'id'>) => `${o.kind} ${o.id}`;
const objectName = (d: ObjectDiff) => `${d.key.kind} ${d.key.namespace ? `${d.key.namespace}/` : ''}${d.key.name}`;

function compareObjects(a: ObjectDiff, b: ObjectDiff): number {
  return a.key.kind.localeCompare(b.key.kind) || (a.key.namespace ?? '').localeCompare(b.key.namespace ?? '') || a.key.name.localeCompare(b.key.name);
}

/** Masks every value under `data` and `stringData` of a Secret's YAML text (values already `***` stay). */
export function maskSecretText(text: string): string {
  try {
    const doc = parseDocument(text);
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj || typeof obj !== 'object') return text;
    let masked = false;
    for (const field of ['data', 'stringData']) {
      const m = obj[field];
      if (!m || typeof m !== 'object') continue;
      for (const k of Object.keys(m)) {
        const v = (m as Record<string, unknown>)[k];
        // The comparison already masked values as `***`, or `*** (changed)` where a value differs: keep that mark.
        if (typeof v === 'string' && v.startsWith('***')) continue;
        masked = true;
        (m as Record<string, unknown>)[k] = '***';
      }
    }
    return masked ? stringify(obj) : text;
  } catch {
    return '# (Secret: not shown)\n';
  }
}

function sideText(d: ObjectDiff, side: 'before' | 'after', reveal: boolean): string {
  const text = d[side];
  if (text === undefined) return d.status === (side === 'before' ? 'added' : 'removed') ? '# (not on this side)\n' : '';
  const body = d.secret && !reveal ? maskSecretText(text) : text;
  return body.endsWith('\n') ? body : `${body}\n`;
}

/** The left and right texts of a diff editor, its title and the summary, for every owner or the one named `owner`. */
export function diffSides(diff: RenderedDiff, opts: { owner?: string; reveal?: boolean; name?: string } = {}): DiffSides {
  const owners = diff.owners
    .filter((o) => (opts.owner ? o.id === opts.owner || ownerName(o) === opts.owner : true))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  const base: string[] = [];
  const head: string[] = [];
  const summary: string[] = [];
  let objects = 0;
  for (const o of owners) {
    if (o.errors?.base) base.push(`# ${ownerName(o)}: not rendered: ${o.errors.base}\n`);
    if (o.errors?.head) head.push(`# ${ownerName(o)}: not rendered: ${o.errors.head}\n`);
    for (const d of [...o.objects].sort(compareObjects)) {
      const header = `---\n# ${ownerName(o)} · ${objectName(d)} (${d.status}${d.secret ? ', Secret' : ''})\n`;
      base.push(header + sideText(d, 'before', !!opts.reveal));
      head.push(header + sideText(d, 'after', !!opts.reveal));
    }
    const n = o.counts.added + o.counts.removed + o.counts.changed;
    objects += n;
    if (o.status === 'unchanged') continue;
    const errors = [o.errors?.base && `at ${diff.baseLabel}: ${o.errors.base}`, o.errors?.head && `in ${diff.headLabel}: ${o.errors.head}`].filter(Boolean);
    const what = o.status === 'added' ? ' (new)' : o.status === 'removed' ? ' (gone)' : '';
    summary.push(`${ownerName(o)}${what}: ${countWords(o.counts)}${errors.length ? `; not rendered ${errors.join('; ')}` : ''}`);
  }
  const counts = sumCounts(owners);
  const differing = owners.filter((o) => o.counts.added + o.counts.removed + o.counts.changed > 0).length;
  const failed = owners.filter((o) => o.errors?.base || o.errors?.head || o.status === 'error').length;
  const of = plural(owners.length, 'release/kustomization');
  const notRendered = failed ? `; ${failed} not rendered` : '';
  summary.push(differing ? `${countWords(counts)} differ in ${differing} of ${of}${notRendered}` : `no rendered differences in ${of}${notRendered}`);
  // `ns/name (overlay)` or `ns/name @ file` reads as `name (overlay)` / `name`.
  const single = owners.length === 1 ? owners[0]!.id.replace(/ @ .*$/, '').replace(/^[^/ ]*\//, '') : undefined;
  const title = `${single ?? opts.name ?? 'rendered'}: ${diff.baseLabel} ↔ ${diff.headLabel}`;
  const empty = `# no rendered differences between ${diff.baseLabel} and ${diff.headLabel}\n`;
  return { title, base: base.join('') || empty, head: head.join('') || empty, summary, objects };
}

function sumCounts(owners: OwnerDiff[]): { added: number; removed: number; changed: number } {
  const c = { added: 0, removed: 0, changed: 0 };
  for (const o of owners) {
    c.added += o.counts.added;
    c.removed += o.counts.removed;
    c.changed += o.counts.changed;
  }
  return c;
}
