/**
 * `fluxhelm diff PATH`: what applying the objects below PATH would change in
 * the cluster (server-side dry-run apply as field manager fluxhelm, only the
 * fields fluxhelm manages), and the objects the cluster has that the
 * workspace no longer does (listed, never deleted). Exit status like
 * `flux diff kustomization`: 0 no differences, 1 differences, 2 errors.
 */
import { resolve } from 'node:path';
import { parseArgs, UsageError } from './args.ts';
import { CLUSTER_OPTIONS_HELP, clusterOptions, connectAt } from './cluster-args.ts';
import { display } from './workspace.ts';
import { diffGit, DIFF_GIT_USAGE } from './diff-git.ts';
import { diffRender, DIFF_RENDER_USAGE } from './diff-render.ts';
import type { Command, Out } from './command.ts';

const USAGE = `Usage: fluxhelm diff PATH [--context NAME] [--kubeconfig FILE] [--namespace NS]

Shows what applying the objects below PATH would change in the cluster:
a server-side dry-run apply as field manager 'fluxhelm' (the API server's
defaults, validation and admission), compared field by field with the live
objects, limited to the fields fluxhelm sets. Secret values are masked.
Objects in the cluster that the workspace no longer has (applied by fluxhelm,
or in a Flux Kustomization's inventory) are listed; nothing is deleted.

${CLUSTER_OPTIONS_HELP}

${DIFF_GIT_USAGE}

${DIFF_RENDER_USAGE}

Exit status: 0 no differences, 1 differences, 2 errors or usage.`;

export async function diff(argv: string[], out: Out, err: Out): Promise<number> {
  if (argv.includes('--render')) return diffRender(argv, out, err);
  if (argv.some((a) => a === '--base' || a.startsWith('--base='))) return diffGit(argv, out, err);
  const args = parseArgs(argv, clusterOptions);
  if (args.positional.length !== 1) throw new UsageError('diff takes exactly one PATH');
  const { service, conn } = await connectAt(args, args.positional);
  const plan = await service.cluster.paths.plan(conn, { path: resolve(args.positional[0]!) });
  if ('error' in plan) throw new UsageError(plan.error);
  const report = await service.cluster.paths.diff(conn, plan.planned, display);
  for (const l of report.out) out(`${l}\n`);
  for (const l of report.err) err(`${l}\n`);
  const orphans = await service.cluster.paths.orphans(conn, plan.planned);
  for (const l of orphans.out) out(`${l}\n`);
  for (const l of orphans.err) err(`${l}\n`);
  if (report.errors) return 2;
  if (report.changed === 0)
    out(
      `no differences (${plan.planned.length} object${plan.planned.length === 1 ? '' : 's'}, context ${conn.context})\n`,
    );
  return report.changed ? 1 : 0;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'compare the workspace with the cluster (exit 0 same, 1 differs, >1 error)',
  usage: USAGE,
  options: clusterOptions,
  run: diff,
};
