/**
 * `fluxhelm diff PATH`: what applying the objects below PATH would change in
 * the cluster, from a server-side dry-run apply as field manager fluxhelm,
 * showing only the fields fluxhelm manages. Objects the cluster has that the
 * workspace no longer does are listed as information, never deleted. Exit
 * status like `flux diff kustomization`: 0 no differences, 1 differences,
 * 2 errors. Also the helpers the other cluster commands share (connecting,
 * the objects below a path, printing errors at their line).
 */
import { relative, resolve } from 'node:path';
import { parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { openWorkspaceAt } from './workspace.ts';
import { describeError, type ClusterHost } from '../engine/cluster/host.ts';
import { dryRunDiff, type DryRunDiff, type FieldChange } from '../engine/cluster/diff.ts';
import { planObject, planPath, type PlannedObject } from '../engine/cluster/plan.ts';
import { findOrphans, mapLimit } from '../engine/cluster/run.ts';
import { causeDiagnostics } from '../engine/cluster/conditions.ts';
import type { ClusterError, ClusterResult } from '../engine/cluster/types.ts';
import type { Workspace } from '../engine/workspace/model.ts';
import type { IndexedObject } from '../engine/workspace/index.ts';

export const DIFF_HELP = `Usage: fluxhelm diff PATH [--context NAME] [--kubeconfig FILE] [--namespace NS]

Shows what applying the objects below PATH would change in the cluster:
a server-side dry-run apply as field manager 'fluxhelm' (the API server's
defaults, validation and admission), compared field by field with the live
objects, limited to the fields fluxhelm sets. Secret values are masked.
Objects in the cluster that the workspace no longer has (applied by fluxhelm,
or in a Flux Kustomization's inventory) are listed; nothing is deleted.

  --context NAME      kubeconfig context (default: the current one)
  --kubeconfig FILE   kubeconfig file (default: KUBECONFIG, ~/.kube/config)
  --namespace NS      namespace for objects that do not name one

Exit status: 0 no differences, 1 differences, 2 errors or usage.`;

export const clusterOptions = { context: { value: true }, kubeconfig: { value: true }, namespace: { value: true } } as const;

/**
 * The cluster the options name; a kubeconfig problem is a usage error.
 * client-node is loaded only here, so other commands do not pay for it.
 */
export async function connectFromArgs(args: ParsedArgs): Promise<ClusterHost> {
  const { connectCluster } = await import('../server/cluster-host.ts');
  const r = connectCluster({
    kubeconfig: args.options.get('kubeconfig')?.[0],
    context: args.options.get('context')?.[0],
    namespace: args.options.get('namespace')?.[0],
  });
  if (!r.ok) throw new UsageError(r.error.message);
  return r.value;
}

export function label(o: { kind: string; name: string; namespace?: string }): string {
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** `file:line:col: message` lines for an error about a workspace object (validation causes at their field). */
export function errorLines(ws: Workspace, o: IndexedObject, e: ClusterError, context: string): string[] {
  const rel = relative(process.cwd(), o.file) || o.file;
  if (e.kind === 'invalid') {
    return causeDiagnostics(ws, o, e.causes, e.message).map((d) => `${rel}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
  }
  const line = (ws.lines(o.file)?.positionAt(o.nameOffset ?? o.start).line ?? 0) + 1;
  return [`${rel}:${line}:1: error: ${label(o)}: ${describeError(e, context)}`];
}

function show(v: unknown, secret: boolean): string {
  if (secret) return '***';
  const s = JSON.stringify(v);
  return s === undefined ? 'null' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Human lines for one object's changes. */
export function changeLines(changes: FieldChange[], secret: boolean): string[] {
  return changes.map((c) => {
    const masked = secret && /^\.(data|stringData)\b/.test(c.path);
    if (c.op === 'add') return `  + ${c.path}: ${show(c.after, masked)}`;
    if (c.op === 'remove') return `  - ${c.path}: ${show(c.before, masked)}`;
    return `  ~ ${c.path}: ${show(c.before, masked)} → ${show(c.after, masked)}`;
  });
}

export interface DiffRow {
  planned: PlannedObject;
  result: ClusterResult<DryRunDiff>;
}

/** Dry-run diffs of every planned object (eight at a time). */
export function diffPlanned(host: ClusterHost, planned: PlannedObject[]): Promise<DiffRow[]> {
  return mapLimit(planned, 8, async (p) => ({ planned: p, result: await dryRunDiff(host, p.object) }));
}

/** Prints diff rows; returns [changed, errors]. */
export function printDiffRows(ws: Workspace, host: ClusterHost, rows: DiffRow[], out: (s: string) => void, err: (s: string) => void): [number, number] {
  let changed = 0;
  let errors = 0;
  for (const { planned, result } of rows) {
    const name = label({ kind: planned.object.kind, name: planned.object.metadata.name, namespace: planned.object.metadata.namespace });
    if (!result.ok) {
      errors++;
      for (const l of errorLines(ws, planned.indexed, result.error, host.context)) err(`${l}\n`);
      continue;
    }
    const d = result.value;
    if (!d.live) {
      changed++;
      out(`► ${name} created\n`);
      continue;
    }
    if (d.changes.length === 0 && d.conflicts.length === 0) continue;
    changed++;
    out(`► ${name} ${d.changes.length ? 'changed' : 'unchanged, with conflicts'}\n`);
    for (const l of changeLines(d.changes, planned.secret)) out(`${l}\n`);
    for (const c of d.conflicts) out(`  ! ${c.field} is owned by field manager "${c.manager}"${c.operation ? ` (${c.operation})` : ''}; applying needs --force-conflicts\n`);
  }
  return [changed, errors];
}

/** Everything below `target` that would be applied: the reconcile plan, then the folder's other objects. */
export function objectsBelow(ws: Workspace, target: string, defaultNamespace: string): PlannedObject[] {
  const planned = [...planPath(ws, target, defaultNamespace).apply];
  const inPlan = new Set(planned.map((p) => p.indexed));
  const folder = target.replace(/\/+$/, '');
  for (const o of ws.index.allObjects()) {
    if (inPlan.has(o) || !(o.file === folder || o.file.startsWith(`${folder}/`))) continue;
    const single = planObject(ws, o, defaultNamespace).apply.find((p) => p.indexed === o);
    if (single) planned.push(single);
  }
  return planned;
}

export async function diff(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, clusterOptions);
  if (args.positional.length !== 1) throw new UsageError('diff takes exactly one PATH');
  const host = await connectFromArgs(args);
  const { service } = openWorkspaceAt(args.positional);
  const ws = service.workspace!;
  const planned = objectsBelow(ws, resolve(args.positional[0]!), host.namespace);
  const rows = await diffPlanned(host, planned);
  const [changed, errors] = printDiffRows(ws, host, rows, out, err);
  const scope = planned.map((p) => p.indexed);
  const orphans = await findOrphans(host, [...ws.index.allObjects()], scope, host.namespace);
  if (orphans.ok) {
    for (const o of orphans.value) out(`◎ ${label(o.ref)} is in the cluster but not in the workspace (${o.why}); fluxhelm does not delete it\n`);
  } else {
    err(`fluxhelm: could not look for objects missing from the workspace: ${describeError(orphans.error, host.context)}\n`);
  }
  if (errors) return 2;
  if (changed === 0) out(`no differences (${planned.length} object${planned.length === 1 ? '' : 's'}, context ${host.context})\n`);
  return changed ? 1 : 0;
}
