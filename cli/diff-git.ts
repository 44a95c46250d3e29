/**
 * `fluxhelm diff --base REF [PATH]`: what a change does to the objects Flux
 * applies, against a Git revision. The repository holding PATH is opened as
 * the workspace (Flux Kustomization paths are relative to it) and the diff
 * is limited to owners in PATH when PATH is below the repository root. The
 * engine renders the HelmReleases and builds the Flux Kustomizations whose
 * output can change (all of them with --all) on both sides and compares the
 * objects; this file only parses options and prints. Exit status like
 * `flux diff`: 0 no differences, 1 differences, 2 errors or usage.
 */
import { resolve as resolvePath } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { formatDiff } from '../engine/index.ts';
import { createGitHost } from '../server/git-host.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { createService, workspaceRoots } from './workspace.ts';
import { parseTimeout } from './sources.ts';
import type { Out } from './command.ts';
import { renderCapabilities, rendererAvailable } from './render-args.ts';

export const DIFF_GIT_USAGE = `Usage: fluxhelm diff --base REF [PATH] [--format human|unified|json|github|html] [--all]
                     [--show-secrets] [--strip-attr KEY]... [--kube-version V] [--api-versions LIST] [--offline]

With --base: the rendered objects of the working tree against the Git
revision REF (a branch, tag, HEAD~1, a commit), no cluster needed. The
HelmReleases are rendered with Helm's engine and the Flux Kustomizations
built as Flux applies them, on both sides; objects are matched by
group/kind/namespace/name, list items by their keys. Only the owners whose
output can change from the files that differ are rendered, unless --all.

  --base REF             the revision to compare with
  --format F             human (default), unified, json, github (Markdown for a
                         PR comment, collapsible per owner) or html (one page)
  --all                  every HelmRelease and Kustomization, not only the changed ones
  --show-secrets         show Secret values (masked by default)
  --strip-attr KEY       label/annotation key hidden before comparing (repeatable;
                         replaces the default: helm.sh/chart, checksum/,
                         app.kubernetes.io/version, chart; a trailing / is a prefix)
  --kube-version V       .Capabilities.KubeVersion (default: Helm's)
  --api-versions LIST    extra .Capabilities.APIVersions, comma-separated
  --offline              use cached indexes and charts only
  --timeout DURATION     per chart request (default 10s)`;

const OPTIONS = {
  base: { value: true },
  format: { value: true },
  all: {},
  'show-secrets': {},
  'strip-attr': { value: true, repeat: true },
  'kube-version': { value: true },
  'api-versions': { value: true },
  offline: {},
  timeout: { value: true },
} as const;

const FORMATS = ['human', 'unified', 'json', 'github', 'html'] as const;

/**
 * V8's optimising compiler (TurboFan) takes a function once it has run
 * through an interrupt budget of bytecode (67,584 by default). The command
 * runs for a second or two and exits: at the default, the background threads
 * spent some 0.4 s of CPU optimising functions of the workspace scan, the
 * builds and the YAML library that were done before it paid off. With a
 * budget 15 times larger only the hottest functions are optimised
 * (onedr0p bench fleet, one values edit: 1,955 -> 1,670 ms CPU, median of 8).
 */
const ONE_SHOT_INTERRUPT_BUDGET = 1_000_000;

export async function diffGit(argv: string[], out: Out, err: Out): Promise<number> {
  setFlagsFromString(`--interrupt-budget=${ONE_SHOT_INTERRUPT_BUDGET}`);
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 1) throw new UsageError('diff --base takes at most one PATH');
  const ref = args.options.get('base')?.[0];
  if (!ref) throw new UsageError('--base needs a revision');
  const format = oneOf('format', args.options.get('format')?.[0], FORMATS, 'human');
  const capabilities = renderCapabilities(args);
  const [dir] = workspaceRoots(args.positional);
  const target = resolvePath(args.positional[0] ?? '.');
  // The workspace is the whole repository: Flux Kustomization paths are relative to its root.
  // One host for this command and the engine: each question is asked of git once.
  const git = createGitHost({ remember: true });
  const repo = git.changes(dir!, ref);
  if ('error' in repo) {
    err(`fluxhelm diff: ${repo.error}\n`);
    return 2;
  }
  const service = createService({
    git,
    network: !args.flags.has('offline'),
    timeoutMs: parseTimeout(args.options.get('timeout')?.[0], 10_000),
  });
  if (!rendererAvailable(service, err)) return 2;
  // Files differ: releases will likely render, so Helm's engine starts while the repository is indexed.
  if (repo.changed.length > 0 || args.flags.has('all')) service.prepareRender();
  service.openWorkspace({ roots: [repo.root], repoRoot: repo.root });
  const stripAttributes = args.options.get('strip-attr');
  const result = await service.diffRendered({
    base: ref,
    ...(target !== repo.root ? { path: target } : {}),
    changedOnly: !args.flags.has('all'),
    options: { revealSecrets: args.flags.has('show-secrets'), ...(stripAttributes ? { stripAttributes } : {}) },
    ...capabilities,
  });
  if ('error' in result) {
    if (result.usage) throw new UsageError(result.error);
    err(`fluxhelm diff: ${result.error}\n`);
    return 2;
  }
  out(formatDiff(result, format));
  for (const o of result.owners)
    if (o.errors?.head) err(`fluxhelm diff: ${o.kind} ${o.id}: ${o.errors.head}\n`);
    else if (o.errors?.base) err(`fluxhelm diff: ${o.kind} ${o.id} (base ${result.baseLabel}): ${o.errors.base}\n`);
  // An owner that fails in the working tree is an error; one that only failed at the base is a difference.
  if (result.owners.some((o) => o.errors?.head)) return 2;
  return result.owners.some((o) => o.status !== 'unchanged') ? 1 : 0;
}
