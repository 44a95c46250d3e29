/**
 * `fluxhelm build PATH [--kustomization NS/NAME] [--format yaml|json]`:
 * prints what a Flux Kustomization applies (its spec.path built like
 * kustomize-controller: kustomize build, Flux patches, images, postBuild
 * substitution, commonMetadata), or, for a folder with a kustomization
 * file, its plain kustomize build. Problems go to stderr as
 * `file:line:col: severity: message [code]`, including schema and CEL
 * findings on the built objects traced back to the line that caused them.
 */
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createLanguageService, type LanguageService } from '../engine/index.ts';
import { createNodeHost } from '../server/node-host.ts';
import type { EngineHost } from '../engine/host.ts';
import type { IndexedObject } from '../engine/workspace/index.ts';
import { chooseRepoRoot } from '../engine/workspace/model.ts';
import { LineIndex } from '../engine/yaml/lines.ts';
import { buildKustomization, KUSTOMIZATION_FILE_NAMES } from '../engine/kustomize/build.ts';
import type { BuiltResource, KustomizeDiagnostic } from '../engine/kustomize/types.ts';
import { evaluateFluxKustomization, fluxKustomizations, kustomizationFileIn } from '../engine/flux/kustomization.ts';
import { validateBuilt, duplicateObjects } from '../engine/flux/built-diagnostics.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';

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

function isDir(p: string): boolean | undefined {
  try {
    return statSync(p).isDirectory();
  } catch {
    return undefined;
  }
}

function open(host: EngineHost, root: string, repoRoot?: string): LanguageService {
  const service = createLanguageService(host);
  service.openWorkspace({ roots: [root], repoRoot });
  return service;
}

function formatDiagnostics(host: EngineHost, list: KustomizeDiagnostic[]): string {
  const lines = new Map<string, LineIndex | undefined>();
  const rank = { error: 0, warning: 1, info: 2, hint: 3 };
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || rank[a.severity] - rank[b.severity]))) {
    if (!lines.has(d.file)) {
      const t = host.readFile(d.file);
      lines.set(d.file, t === undefined ? undefined : new LineIndex(t));
    }
    const pos = lines.get(d.file)?.positionAt(d.start) ?? { line: 0, character: 0 };
    const shown = isAbsolute(d.file) ? relative(process.cwd(), d.file) || d.file : d.file;
    const line = `${shown}:${pos.line + 1}:${pos.character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function formatObjects(objects: Record<string, unknown>[], format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(objects, null, 2)}\n`;
  return objects.map((o) => stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n');
}

function pickKustomization(candidates: IndexedObject[], wanted: string | undefined, where: string): IndexedObject {
  let list = candidates;
  if (wanted) {
    const [ns, name] = wanted.includes('/') ? wanted.split('/', 2) : [undefined, wanted];
    list = candidates.filter((k) => k.name === name && (ns === undefined || (k.namespace ?? 'default') === ns));
  }
  const names = (l: IndexedObject[]) => l.map((k) => `${k.namespace ?? 'default'}/${k.name} (${relative(process.cwd(), k.file) || k.file})`).join(', ');
  if (list.length === 0) throw new UsageError(wanted ? `no Flux Kustomization ${wanted} in ${where}${candidates.length ? `; found: ${names(candidates)}` : ''}` : `no Flux Kustomization in ${where}`);
  if (list.length > 1) throw new UsageError(`${where} has ${list.length} Flux Kustomizations: ${names(list)}; choose one with --kustomization NS/NAME${wanted ? ' (and a narrower PATH)' : ''}`);
  return list[0];
}

export function build(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    return runBuild(argv, out, err);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`fluxhelm build: ${e.message}\nRun 'fluxhelm help build' for usage.\n`);
    return 2;
  }
}

function runBuild(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = parseArgs(argv, { kustomization: { value: true }, format: { value: true }, 'repo-root': { value: true }, help: {} });
  if (args.flags.has('help')) {
    out(`${BUILD_HELP}\n`);
    return 0;
  }
  const format = oneOf('format', args.options.get('format')?.[0], ['yaml', 'json'] as const, 'yaml');
  const wanted = args.options.get('kustomization')?.[0];
  const repoRootOption = args.options.get('repo-root')?.[0];
  if (args.positional.length > 1) throw new UsageError('build takes one PATH');
  if (args.positional.length === 0 && !wanted) throw new UsageError('build needs a PATH (a Flux Kustomization file or a folder with a kustomization.yaml)');
  const path = resolve(args.positional[0] ?? '.');
  const dir = isDir(path);
  if (dir === undefined) throw new UsageError(`no such file or folder: ${args.positional[0]}`);
  const host = createNodeHost();
  let resources: BuiltResource[];
  const diagnostics: KustomizeDiagnostic[] = [];
  let context: string;

  const kustomizeDir = dir ? path : KUSTOMIZATION_FILE_NAMES.includes(basename(path)) ? dirname(path) : undefined;
  if (kustomizeDir && !wanted) {
    if (!kustomizationFileIn(host, kustomizeDir)) throw new UsageError(`${args.positional[0]} has no kustomization.yaml; give a Flux Kustomization file or --kustomization NS/NAME`);
    const built = buildKustomization(host, kustomizeDir);
    resources = built.resources;
    diagnostics.push(...built.diagnostics);
    context = `in the build of ${relative(process.cwd(), kustomizeDir) || '.'}`;
    const service = open(host, kustomizeDir);
    diagnostics.push(...validateBuilt(host, service.registry, resources, { context }), ...duplicateObjects(resources, { context }));
  } else {
    // Find the Kustomization in the folder given (or the file's folder), then open the whole repository.
    const narrowRoot = dir ? path : dirname(path);
    const narrow = open(host, narrowRoot, repoRootOption ? resolve(repoRootOption) : undefined);
    const inScope = fluxKustomizations(narrow.workspace!.index).filter((k) => dir || k.file === path);
    const ks = pickKustomization(inScope, wanted, args.positional[0] ?? '.');
    const repoRoot = repoRootOption ? resolve(repoRootOption) : (narrow.workspace!.repoRoot ?? chooseRepoRoot(narrow.workspace!.index, host, [narrowRoot]) ?? narrowRoot);
    const wide = repoRoot === narrowRoot ? narrow : open(host, repoRoot, repoRoot);
    const ws = wide.workspace!;
    const target = ws.index.objectsIn(ks.file).find((o) => o.start === ks.start && o.kind === ks.kind) ?? ks;
    const evaluated = evaluateFluxKustomization(ws, host, target);
    resources = evaluated.resources;
    diagnostics.push(...evaluated.diagnostics);
    context = `in the build of Kustomization ${ks.namespace ? `${ks.namespace}/` : ''}${ks.name}`;
    diagnostics.push(...validateBuilt(host, wide.registry, evaluated.resources, { context }), ...duplicateObjects(evaluated.resources, { context }));
  }
  out(formatObjects(resources.map((r) => r.object), format));
  err(formatDiagnostics(host, diagnostics));
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}
