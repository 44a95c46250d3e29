/**
 * The build use case (`fluxhelm build`, and any front end that shows what
 * Flux applies): a folder with a kustomization file is built like
 * `kustomize build`; a Flux Kustomization (a file holding one, or one named
 * `NAMESPACE/NAME` below a folder) is evaluated the way kustomize-controller
 * does it, in the whole repository. Built objects are validated, and the
 * findings are placed on the file and line that caused them.
 */
import type { EngineHost } from '../host.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Range, Severity } from '../types.ts';
import { Workspace, chooseRepoRoot } from '../workspace/model.ts';
import { LineIndex } from '../yaml/lines.ts';
import { buildKustomization, KUSTOMIZATION_FILE_NAMES } from '../kustomize/build.ts';
import type { BuiltResource, KustomizeDiagnostic } from '../kustomize/types.ts';
import { evaluateFluxKustomization, fluxKustomizations, kustomizationFileIn } from './kustomization.ts';
import { validateBuilt, duplicateObjects } from './built-diagnostics.ts';

export interface BuildQuery {
  /** Absolute path of a folder or file. */
  path: string;
  /** `NAMESPACE/NAME` (or `NAME`) of the Flux Kustomization to build. */
  kustomization?: string;
  /** The folder Flux Kustomization paths are relative to (default: guessed). */
  repoRoot?: string;
}

export interface BuildFinding {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
}

export interface BuildAnswer {
  /** Set when the query itself cannot be answered (no such path, no or several Kustomizations). */
  usage?: string;
  /** What was built, for messages: `Kustomization flux-system/apps` or a folder. */
  built?: string;
  objects: Record<string, unknown>[];
  findings: BuildFinding[];
}

const base = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? p;
const parent = (p: string) => p.replace(/[\\/]+$/, '').replace(/[\\/][^\\/]*$/, '') || '/';

function findingsOf(host: EngineHost, list: KustomizeDiagnostic[]): BuildFinding[] {
  const lines = new Map<string, LineIndex | undefined>();
  const rank = { error: 0, warning: 1, info: 2, hint: 3 };
  const seen = new Set<string>();
  const out: BuildFinding[] = [];
  for (const d of [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || rank[a.severity] - rank[b.severity]))) {
    if (!lines.has(d.file)) {
      const t = host.readFile(d.file);
      lines.set(d.file, t === undefined ? undefined : new LineIndex(t));
    }
    const li = lines.get(d.file);
    const range = li ? li.rangeOf(d.start, d.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const key = `${d.file}:${range.start.line}:${range.start.character}:${d.severity}:${d.message}:${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: d.file, range, severity: d.severity, code: d.code, message: d.message });
  }
  return out;
}

function pick(candidates: IndexedObject[], wanted: string | undefined, where: string): IndexedObject | string {
  let list = candidates;
  if (wanted) {
    const [ns, name] = wanted.includes('/') ? wanted.split('/', 2) : [undefined, wanted];
    list = candidates.filter((k) => k.name === name && (ns === undefined || (k.namespace ?? 'default') === ns));
  }
  const names = (l: IndexedObject[]) => l.map((k) => `${k.namespace ?? 'default'}/${k.name} (${k.file})`).join(', ');
  if (list.length === 0) return wanted ? `no Flux Kustomization ${wanted} in ${where}${candidates.length ? `; found: ${names(candidates)}` : ''}` : `no Flux Kustomization in ${where}`;
  if (list.length > 1) return `${where} has ${list.length} Flux Kustomizations: ${names(list)}; choose one with --kustomization NS/NAME${wanted ? ' (and a narrower PATH)' : ''}`;
  return list[0]!;
}

export function buildTarget(host: EngineHost, registry: SchemaRegistry, q: BuildQuery): BuildAnswer {
  const isDir = host.readDir(q.path) !== undefined;
  if (!isDir && host.readFile(q.path) === undefined) return { usage: `no such file or folder: ${q.path}`, objects: [], findings: [] };
  const diagnostics: KustomizeDiagnostic[] = [];
  let resources: BuiltResource[];
  let built: string;
  const kustomizeDir = isDir ? q.path : KUSTOMIZATION_FILE_NAMES.includes(base(q.path)) ? parent(q.path) : undefined;
  if (kustomizeDir && !q.kustomization) {
    if (!kustomizationFileIn(host, kustomizeDir)) return { usage: `${q.path} has no kustomization.yaml; give a Flux Kustomization file or --kustomization NS/NAME`, objects: [], findings: [] };
    const result = buildKustomization(host, kustomizeDir);
    resources = result.resources;
    built = kustomizeDir;
    const context = `in the build of ${kustomizeDir}`;
    diagnostics.push(...result.diagnostics, ...validateBuilt(host, registry, resources, { context }), ...duplicateObjects(resources, { context }));
  } else {
    // Find the Kustomization in the folder given (or the file's folder), then open the whole repository.
    const narrowRoot = isDir ? q.path : parent(q.path);
    const narrow = new Workspace(host, { roots: [narrowRoot], repoRoot: q.repoRoot });
    const inScope = fluxKustomizations(narrow.index).filter((k) => isDir || k.file === q.path);
    const ks = pick(inScope, q.kustomization, q.path);
    if (typeof ks === 'string') return { usage: ks, objects: [], findings: [] };
    const repoRoot = q.repoRoot ?? narrow.repoRoot ?? chooseRepoRoot(narrow.index, host, [narrowRoot]) ?? narrowRoot;
    const ws = repoRoot === narrowRoot ? narrow : new Workspace(host, { roots: [repoRoot], repoRoot });
    const target = ws.index.objectsIn(ks.file).find((o) => o.start === ks.start && o.kind === ks.kind) ?? ks;
    const evaluated = evaluateFluxKustomization(ws, host, target);
    resources = evaluated.resources;
    built = `Kustomization ${ks.namespace ? `${ks.namespace}/` : ''}${ks.name}`;
    const context = `in the build of ${built}`;
    diagnostics.push(...evaluated.diagnostics, ...validateBuilt(host, registry, resources, { context }), ...duplicateObjects(resources, { context }));
  }
  return { built, objects: resources.map((r) => r.object), findings: findingsOf(host, diagnostics) };
}
