/**
 * The words every front end uses for cluster outcomes, so that the CLI, the
 * editor and the MCP tools say the same thing for the same result: object
 * labels, one line per reconcile outcome, field changes of a diff.
 */
import { describeError } from './host.ts';
import type { TargetOutcome } from './run.ts';
import type { FieldChange } from './diff.ts';

/** `Kind/namespace/name` (no namespace part for cluster-scoped objects). */
export function label(o: { kind: string; name: string; namespace?: string }): string {
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** The lines of one reconcile outcome: its sources, then `✔`/`✗`/`◎` and the object. */
export function outcomeLines(o: TargetOutcome): string[] {
  const lines: string[] = [];
  for (const s of o.sources) {
    if (s.skipped) lines.push(`  source ${label(s.ref)}: skipped (${s.skipped})`);
    else if (s.error) lines.push(`  source ${label(s.ref)}: ${s.error.message}`);
    else if (s.verdict?.state === 'no-controller' || s.verdict?.state === 'not-picked-up') lines.push(`  source ${label(s.ref)}: ${s.verdict.message}`);
    else if (s.verdict) lines.push(`  source ${label(s.ref)}: ${s.verdict.state === 'ready' ? 'Ready' : `not ready: ${s.verdict.reason ?? ''} ${s.verdict.message ?? ''}`.trim()}`);
    else lines.push(`  source ${label(s.ref)}: reconcile requested`);
  }
  const name = label(o.ref);
  if (o.error) lines.push(`✗ ${name}: ${describeError(o.error)}`);
  else if (!o.verdict) lines.push(`◎ ${name}: reconcile requested at ${o.requestedAt}`);
  else if (o.verdict.state === 'ready') lines.push(`✔ ${name}: Ready${o.verdict.message ? ` (${o.verdict.message})` : ''}`);
  else if (o.verdict.state === 'no-controller' || o.verdict.state === 'not-picked-up') lines.push(`✗ ${name}: ${o.verdict.message}`);
  else lines.push(`✗ ${name}: ${o.verdict.reason ?? 'not ready'}${o.verdict.message ? `: ${o.verdict.message}` : ''}`);
  return lines;
}

function show(v: unknown, secret: boolean): string {
  if (secret) return '***';
  const s = JSON.stringify(v);
  return s === undefined ? 'null' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** One line per changed field; Secret data masked. */
export function changeLines(changes: FieldChange[], secret: boolean): string[] {
  return changes.map((c) => {
    const masked = secret && /^\.(data|stringData)\b/.test(c.path);
    if (c.op === 'add') return `  + ${c.path}: ${show(c.after, masked)}`;
    if (c.op === 'remove') return `  - ${c.path}: ${show(c.before, masked)}`;
    return `  ~ ${c.path}: ${show(c.before, masked)} → ${show(c.after, masked)}`;
  });
}

/** A view of an object with Secret values replaced by `***`. */
export function maskSecret(view: Record<string, unknown>, secret: boolean): Record<string, unknown> {
  if (!secret) return view;
  const out = { ...view };
  for (const field of ['data', 'stringData']) {
    const d = out[field];
    if (d && typeof d === 'object') out[field] = Object.fromEntries(Object.keys(d).map((k) => [k, '***']));
  }
  return out;
}
