/**
 * Pieces every rendered-diff format shares: the owner and object titles,
 * the totals line, a field delta as one line of text, and the `diff -u`
 * lines of an object or an owner.
 */
import type { FieldDelta, ObjectDiff, OwnerDiff, RenderedDiff } from './types.ts';
import { unifiedBody } from './line-diff.ts';
import { SECRET_MASK } from './normalize.ts';

/** Text safe inside HTML elements and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `HelmRelease apps/podinfo: 1 changed, 2 added` (the counts that are not zero). */
export function ownerSummary(o: OwnerDiff): string {
  const parts: string[] = [];
  if (o.counts.changed) parts.push(`${o.counts.changed} changed`);
  if (o.counts.added) parts.push(`${o.counts.added} added`);
  if (o.counts.removed) parts.push(`${o.counts.removed} removed`);
  const what = o.status === 'error' ? 'error' : parts.length ? parts.join(', ') : 'no changes';
  const tag = o.status === 'added' ? ' (new)' : o.status === 'removed' ? ' (gone)' : '';
  return `${o.kind} ${o.id}${tag}: ${what}`;
}

/** `Deployment apps/podinfo` (no namespace for cluster-scoped objects). */
export function objectTitle(d: ObjectDiff): string {
  const kind = d.key.kind || '(no kind)';
  const name = d.key.name || '(no name)';
  return `${kind} ${d.key.namespace ? `${d.key.namespace}/` : ''}${name}`;
}

/** The totals line: `2 of 5 owners changed: 3 objects changed, 1 added, 0 removed`. */
export function totalsLine(diff: RenderedDiff): string {
  const t = diff.totals;
  const errors = t.errors ? `, ${t.errors} with errors` : '';
  return `${t.changedOwners} of ${t.owners} owners changed${errors}: ${t.changed} objects changed, ${t.added} added, ${t.removed} removed`;
}

/** A value on one line: scalars as written, structures as compact JSON (cut at 160 characters). */
export function inlineValue(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v === '' || /^\s|\s$|[\n\r\t]/.test(v) ? JSON.stringify(v) : v;
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 160 ? `${s.slice(0, 159)}…` : s;
}

/** An item label of an order delta as the user reads it: `app` for `name=app`. */
function orderLabel(l: unknown): string {
  if (typeof l !== 'string') return inlineValue(l);
  const eq = l.indexOf('=');
  return eq > 0 && !l.includes(',') ? l.slice(eq + 1) : l;
}

/** One field delta as a line of the human format. */
export function fieldLine(f: FieldDelta): string {
  const path = f.path || '.';
  switch (f.op) {
    case 'order': {
      const list = (v: unknown): string => (Array.isArray(v) ? v.map(orderLabel).join(', ') : inlineValue(v));
      return `${path}: order changed: ${list(f.before)} → ${list(f.after)}`;
    }
    case 'add':
      return `+ ${path}: ${inlineValue(f.after)}`;
    case 'remove':
      return `- ${path}: ${inlineValue(f.before)}`;
    default:
      if (f.before === SECRET_MASK && f.after === SECRET_MASK) return `${path}: changed (value hidden)`;
      return `${path}: ${inlineValue(f.before)} → ${inlineValue(f.after)}`;
  }
}

function objectPath(side: 'base' | 'head', o: OwnerDiff, d: ObjectDiff): string {
  const ns = d.key.namespace ? `${d.key.namespace}/` : '';
  return `${side}/${o.id}/${d.key.kind || '_'}/${ns}${d.key.name || '_'}`;
}

/** The `diff -u` lines of one object (file headers included). */
export function objectUnified(o: OwnerDiff, d: ObjectDiff): string[] {
  const from = d.status === 'added' ? '/dev/null' : objectPath('base', o, d);
  const to = d.status === 'removed' ? '/dev/null' : objectPath('head', o, d);
  return [`--- ${from}`, `+++ ${to}`, ...unifiedBody(d.before ?? '', d.after ?? '')];
}

/** The unified diff of every object of one owner, errors as `#` lines first. */
export function ownerUnified(diff: RenderedDiff, o: OwnerDiff): string[] {
  const out: string[] = [];
  if (o.errors?.base !== undefined) out.push(`# ${o.kind} ${o.id}: error in ${diff.baseLabel}: ${oneLine(o.errors.base)}`);
  if (o.errors?.head !== undefined) out.push(`# ${o.kind} ${o.id}: error in ${diff.headLabel}: ${oneLine(o.errors.head)}`);
  for (const n of o.notes ?? []) out.push(`# ${o.kind} ${o.id}: ${oneLine(n)}`);
  for (const d of o.objects) out.push(...objectUnified(o, d));
  return out;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
