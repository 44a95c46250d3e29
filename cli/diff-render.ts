/**
 * `fluxhelm diff --render PATH [--release NS/NAME]`: what the next upgrade
 * of each HelmRelease below PATH would change, object by object: the live
 * Helm release (the release Secret's manifest and hooks) against what the
 * workspace renders with Helm's own engine. Output in the shared rendered
 * diff formats; notes (which revision was compared, live drift, nothing
 * installed yet) go to stderr. Exit 0 no differences, 1 differences, 2
 * errors, like the rest of `fluxhelm diff`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatDiff } from '../engine/index.ts';
import { oneOf, parseArgs, UsageError } from './args.ts';
import { clusterOptions } from './cluster-args.ts';
import { parseTimeout } from './sources.ts';
import { openWorkspaceAt } from './workspace.ts';
import type { Out } from './command.ts';
import { rendererAvailable } from './render-args.ts';

export const DIFF_RENDER_USAGE = `Usage: fluxhelm diff --render PATH [--release NAMESPACE/NAME] [--format human|unified|json|github|html] [--show-secrets]

Compares what each HelmRelease below PATH renders (Helm's engine, as
helm-controller would upgrade it) with its live Helm release in the cluster:
the objects of the newest deployed release Secret
(sh.helm.release.v1.<name>.v<N> in the storage namespace), manifest and
hooks. A HelmRelease without a release shows every object as added. Notes
on stderr name the revision compared and live objects that drifted from it.

  --render               this mode
  --release NS/NAME      only this HelmRelease
  --format F             human (default), unified, json, github, html
  --show-secrets         show Secret values (masked otherwise)
  --offline              use cached chart indexes and charts only
  --timeout DURATION     per chart request (default 10s)
  (and the cluster options above)`;

const OPTIONS = {
  ...clusterOptions,
  render: {},
  release: { value: true },
  format: { value: true },
  'show-secrets': {},
  offline: {},
  timeout: { value: true },
} as const;

const FORMATS = ['human', 'unified', 'json', 'github', 'html'] as const;

/** The repository around PATH (its chart sources and valuesFrom objects may live elsewhere in it), else PATH. */
function indexRoot(path: string): string {
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dir;
  }
}

export async function diffRender(argv: string[], out: Out, err: Out): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 1) throw new UsageError('diff --render takes one PATH');
  const format = oneOf('format', args.options.get('format')?.[0], FORMATS, 'human');
  const path = resolve(args.positional[0] ?? '.');
  if (!existsSync(path)) throw new UsageError(`no such file or folder: ${args.positional[0]}`);
  const { service } = openWorkspaceAt([indexRoot(path)], {
    network: !args.flags.has('offline'),
    timeoutMs: parseTimeout(args.options.get('timeout')?.[0], 10_000),
  });
  if (!rendererAvailable(service, err)) return 2;
  const conn = await service.cluster.connectWith({
    kubeconfig: args.options.get('kubeconfig')?.[0],
    context: args.options.get('context')?.[0],
    namespace: args.options.get('namespace')?.[0],
  });
  if (!conn.ok) throw new UsageError(conn.error.message);
  const release = args.options.get('release')?.[0];
  const answer = await service.cluster.paths.renderDiff(conn.value, {
    ...(release ? { release } : { path }),
    options: { revealSecrets: args.flags.has('show-secrets') },
  });
  if ('error' in answer) {
    if (answer.usage) throw new UsageError(answer.error);
    err(`fluxhelm: ${answer.error}\n`);
    return 2;
  }
  for (const o of answer.owners) {
    // The human format prints the notes of the owners it shows; the others' notes go to stderr.
    if (format !== 'human' || o.status === 'unchanged')
      for (const n of o.notes ?? []) err(`note: HelmRelease/${o.id}: ${n}\n`);
    if (o.errors?.base) err(`fluxhelm: HelmRelease/${o.id}: ${o.errors.base}\n`);
    if (o.errors?.head) err(`fluxhelm: HelmRelease/${o.id}: ${o.errors.head}\n`);
  }
  const text = formatDiff(answer, format);
  out(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  if (answer.totals.errors) return 2;
  return answer.totals.added + answer.totals.removed + answer.totals.changed > 0 ? 1 : 0;
}
