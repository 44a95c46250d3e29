/**
 * `fluxhelm status [PATH]`: the cluster's view of every Flux object below
 * PATH (HelmReleases, Kustomizations, sources): Ready, reason, released
 * chart version or artifact revision, since when, the Ready message, and
 * with --events the recent Events of the ones that are not ready.
 */
import { resolve } from 'node:path';
import { parseArgs } from './args.ts';
import { openWorkspaceAt } from './workspace.ts';
import { clusterOptions, connectFromArgs, label } from './diff.ts';
import { describeError } from '../engine/cluster/host.ts';
import { isReconcilable, refOf } from '../engine/cluster/plan.ts';
import { mapLimit } from '../engine/cluster/run.ts';
import { ago, summarize, type StatusSummary } from '../engine/cluster/conditions.ts';

export const STATUS_HELP = `Usage: fluxhelm status [PATH] [--events] [--format text|json] [--context NAME] [--kubeconfig FILE] [--namespace NS]

For every HelmRelease, Flux Kustomization and source below PATH (default:
the current folder): whether the cluster has it, Ready with its reason and
message, the released chart version (or source revision) and since when.

  --events            also print the recent Events of objects that are not Ready
  --format text|json  output format (default text)

Exit status: 0 all Ready, 1 some missing or not Ready, 2 errors or usage.`;

interface StatusRow {
  object: string;
  ready: StatusSummary['ready'];
  suspended: boolean;
  reason?: string;
  version?: string;
  since?: string;
  message?: string;
  error?: string;
  events?: string[];
}

export async function status(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...clusterOptions, events: {}, format: { value: true } });
  const host = await connectFromArgs(args);
  const { service } = openWorkspaceAt(args.positional);
  const ws = service.workspace!;
  const folder = resolve(args.positional[0] ?? '.').replace(/\/+$/, '');
  const patchFiles = ws.check().patchFiles;
  const objects = [...ws.index.allObjects()]
    .filter((o) => isReconcilable(o) && !patchFiles.has(o.file) && (o.file === folder || o.file.startsWith(`${folder}/`)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  const now = Date.now();
  const rows = await mapLimit(objects, 8, async (o): Promise<StatusRow> => {
    const ref = refOf(o, host.namespace);
    const row: StatusRow = { object: label(ref), ready: 'missing', suspended: false };
    const live = await host.get(ref);
    if (!live.ok && live.error.kind !== 'not-found') return { ...row, error: describeError(live.error, host.context) };
    const s = summarize(live.ok ? live.value : undefined);
    Object.assign(row, { ready: s.ready, suspended: s.suspended });
    if (s.stalled?.reason ?? s.reason) row.reason = s.stalled?.reason ?? s.reason;
    if (s.version) row.version = s.version;
    if (s.since) row.since = s.since;
    if (s.stalled?.message ?? s.message) row.message = s.stalled?.message ?? s.message;
    if (args.flags.has('events') && live.ok && s.ready !== 'True') {
      const ev = await host.events(ref);
      if (ev.ok) row.events = ev.value.slice(-5).map((e) => `${e.type} ${e.reason}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`);
    }
    return row;
  });
  if (args.options.get('format')?.[0] === 'json') out(`${JSON.stringify(rows, null, 2)}\n`);
  else {
    for (const r of rows) {
      if (r.error) {
        err(`${r.object}: ${r.error}\n`);
        continue;
      }
      const state = r.ready === 'missing' ? 'not in cluster' : r.suspended ? 'suspended' : r.ready === 'True' ? 'Ready' : r.ready === 'False' ? 'Not ready' : 'Unknown';
      const when = ago(r.since, now);
      out(`${r.object}  ${state}${r.reason ? ` ${r.reason}` : ''}${r.version ? `  ${r.version}` : ''}${when ? `  (${when})` : ''}${r.message ? `  ${r.message}` : ''}\n`);
      for (const e of r.events ?? []) out(`    ${e}\n`);
    }
    out(`${rows.length} object${rows.length === 1 ? '' : 's'} in context ${host.context}: ${rows.filter((r) => r.ready === 'True').length} ready\n`);
  }
  if (rows.some((r) => r.error)) return 2;
  return rows.every((r) => r.ready === 'True') ? 0 : 1;
}
