/**
 * `fluxhelm build PATH [--kustomization NS/NAME] [--format yaml|json]`:
 * prints what a Flux Kustomization applies (built like kustomize-controller)
 * or what a kustomization folder builds, from the engine's build use case.
 * Problems go to stderr as `file:line:col: severity: message [code]`,
 * including findings on built objects at the line that caused them.
 */
import { resolve } from 'node:path';
import { formatObjects } from '../engine/index.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { createService, display } from './workspace.ts';
import type { Command, Out } from './command.ts';

export const BUILD_HELP = `Usage: fluxhelm build PATH [--kustomization NS/NAME] [--format yaml|json] [--repo-root DIR]

Prints the objects a build produces, in kustomize's order:
  - PATH is a file with a Flux Kustomization (kustomize.toolkit.fluxcd.io),
    or --kustomization names one in the workspace at PATH: its spec.path is
    built the way kustomize-controller does it (an implied kustomization
    when the folder has none; targetNamespace, namePrefix/nameSuffix,
    patches, components, images; postBuild substitution with the variables
    of substitute and substituteFrom; commonMetadata);
  - PATH is a folder with a kustomization.yaml (or that file): its kustomize
    build.
Problems (also schema and CEL findings on the built objects, reported at the
patch or file line that caused them) are printed on stderr.

  --kustomization NS/NAME   the Flux Kustomization to build (NAME alone when unique)
  --format yaml|json        multi-document YAML (default) or a JSON array
  --repo-root DIR           folder Flux Kustomization paths are relative to
                            (default: guessed from the paths that exist)

Exit status: 0 built without errors, 1 errors found, 2 usage or internal failure.`;

const OPTIONS = { kustomization: { value: true }, format: { value: true }, 'repo-root': { value: true } } as const;

function runBuild(argv: string[], out: Out, err: Out): number {
  const args = parseArgs(argv, OPTIONS);
  const format = oneOf('format', args.options.get('format')?.[0], ['yaml', 'json'] as const, 'yaml');
  const wanted = args.options.get('kustomization')?.[0];
  if (args.positional.length > 1) throw new UsageError('build takes one PATH');
  if (args.positional.length === 0 && !wanted)
    throw new UsageError('build needs a PATH (a Flux Kustomization file or a folder with a kustomization.yaml)');
  const repoRoot = args.options.get('repo-root')?.[0];
  const answer = createService({ network: false }).build({
    path: resolve(args.positional[0] ?? '.'),
    kustomization: wanted,
    repoRoot: repoRoot ? resolve(repoRoot) : undefined,
  });
  if (answer.usage) throw new UsageError(answer.usage.replaceAll(`${process.cwd()}/`, ''));
  out(formatObjects(answer.objects, format));
  for (const f of answer.findings)
    err(
      `${display(f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message} [${f.code}]\n`,
    );
  return answer.findings.some((d) => d.severity === 'error') ? 1 : 0;
}

/** Runs `fluxhelm build` (usage problems: message and exit 2). */
export function build(argv: string[], out: Out, err: Out): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${BUILD_HELP}\n`);
    return 0;
  }
  try {
    return runBuild(argv, out, err);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`fluxhelm build: ${e.message}\n\n${BUILD_HELP}\n`);
    return 2;
  }
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'print what a Flux Kustomization (or kustomization folder) builds, substituted',
  usage: BUILD_HELP,
  options: OPTIONS,
  run: build,
};
