/**
 * `fluxhelm status [PATH]`: the cluster's view of every Flux object below
 * PATH (Ready, reason, released version or revision, since when, message),
 * and with --events the recent Events of the ones that are not ready.
 */
import { resolve } from 'node:path';
import { statusLine } from '../engine/index.ts';
import { parseArgs, oneOf } from './args.ts';
import { CLUSTER_OPTIONS_HELP, clusterOptions, connectAt } from './cluster-args.ts';
import type { Command, Out } from './command.ts';

const USAGE = `Usage: fluxhelm status [PATH] [--events] [--format text|json] [--context NAME] [--kubeconfig FILE] [--namespace NS]

For every HelmRelease, Flux Kustomization and source below PATH (default:
the current folder): whether the cluster has it, Ready with its reason and
message, the released chart version (or source revision) and since when.

  --events            also print the recent Events of objects that are not Ready
  --format text|json  output format (default text)
${CLUSTER_OPTIONS_HELP}

Exit status: 0 all Ready, 1 some missing or not Ready, 2 errors or usage.`;

const OPTIONS = { ...clusterOptions, events: {}, format: { value: true } } as const;

export async function status(argv: string[], out: Out, err: Out): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const format = oneOf('format', args.options.get('format')?.[0], ['text', 'json'] as const, 'text');
  const { service, conn } = await connectAt(args, args.positional);
  const rows = await service.cluster.paths.status(conn, resolve(args.positional[0] ?? '.'), {
    events: args.flags.has('events'),
  });
  if (format === 'json') out(`${JSON.stringify(rows, null, 2)}\n`);
  else {
    const now = Date.now();
    for (const r of rows) {
      if (r.error) {
        err(`${r.object}: ${r.error}\n`);
        continue;
      }
      out(`${statusLine(r, now)}\n`);
      for (const e of r.events ?? []) out(`    ${e}\n`);
    }
    out(
      `${rows.length} object${rows.length === 1 ? '' : 's'} in context ${conn.context}: ${rows.filter((r) => r.ready === 'True').length} ready\n`,
    );
  }
  if (rows.some((r) => r.error)) return 2;
  return rows.every((r) => r.ready === 'True') ? 0 : 1;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Ready/Stalled and recent events of the objects in the cluster',
  usage: USAGE,
  options: OPTIONS,
  run: status,
};
