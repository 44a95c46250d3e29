/**
 * One workspace as the engine sees it: the object index, the reference
 * cache on top of it, line indexes for positions, and the repository root
 * that Flux Kustomization paths are relative to. Created by the façade;
 * the server and CLI feed it file changes.
 */
import type { EngineHost } from '../host.ts';
import { WorkspaceIndex, type IndexOptions } from './index.ts';
import { ReferenceCache, checkGraph, type GraphResult } from './graph-check.ts';
import { LineIndex } from '../yaml/lines.ts';
import type { OffsetDiagnostic } from '../types.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { checkFluxBuilds } from '../flux/build-check.ts';
import { FleetModel } from '../fleet/fleet.ts';

import { SOURCE_ONLY_CODES } from '../flux/built-diagnostics.ts';
const UNREACHED_NOTE = ' (no cluster root applies this file: checked as written)';

export class Workspace {
  readonly index: WorkspaceIndex;
  readonly refs: ReferenceCache;
  private readonly lineCache = new Map<string, { text: string; lines: LineIndex }>();
  private graph?: { version: number; result: GraphResult };
  private builds?: { version: number; generation: number; result: Map<string, OffsetDiagnostic[]> };

  /** The workspace as Flux applies it: cluster roots and their trees (fleet/). */
  readonly fleet: FleetModel;

  /** `seed`: an index over the same paths whose objects and parses a file with the same text reuses (WorkspaceIndex). */
  constructor(readonly host: EngineHost, options: IndexOptions & { repoRoot?: string; clusterRoots?: string[] }, seed?: WorkspaceIndex) {
    this.index = new WorkspaceIndex(host, options, seed);
    this.index.scan();
    const repoRoot = options.repoRoot ?? chooseRepoRoot(this.index, host, options.roots);
    this.repoRoot = repoRoot;
    this.roots = options.roots.map((r) => r.replace(/\/+$/, '') || '/');
    this.fleet = new FleetModel(this, options.clusterRoots ?? []);
    this.refs = new ReferenceCache(this.index, {
      repoRoot,
      repoRootFor: (file, path) => this.repoRootFor(file, path),
      isThisRepository: (ref, ns) => this.fleet.rule().isThisRepository(ref, ns),
      ruleKey: () => this.fleet.rule().key,
    });
  }

  /**
   * A file's own findings (schemas, CEL) adjusted to what Flux applies:
   * for a document applied as a built resource by some cluster root, the
   * built object is what is checked (the namespace transformer, patches and
   * substitution change it), so a finding of the written document stays
   * only when a build reports the same problem on it; in a file no cluster
   * root reaches, findings say so.
   */
  adjustWritten(path: string, list: OffsetDiagnostic[], registry: SchemaRegistry): OffsetDiagnostic[] {
    if (list.length === 0) return list;
    // On the typing path: the fleet and builds of the last workspace refresh (the refresh after this edit brings them up to date).
    const fleet = this.fleet.latest();
    const docs = fleet.checkedAsBuilt.get(path);
    let out = list;
    if (docs) {
      const built = (this.builds && this.builds.generation === registry.generation ? this.builds.result : this.checkBuilds(registry)).get(path) ?? [];
      const docOf = (offset: number) => docs.find((d) => offset >= d.start && offset <= d.end);
      out = list.filter((d) => {
        if (SOURCE_ONLY_CODES.has(d.code)) return true;
        const doc = docOf(d.start);
        return !doc || built.some((b) => b.code === d.code && b.start >= doc.start && b.start <= doc.end);
      });
    }
    const unreached = fleet.roots.length > 0 && !fleet.reached.has(path);
    if (out.length === 0 || !unreached || this.index.objectsIn(path).length === 0) return out;
    return out.map((d) => (d.message.endsWith(UNREACHED_NOTE) ? d : { ...d, message: `${d.message}${UNREACHED_NOTE}` }));
  }

  private noteUnreached(path: string, list: OffsetDiagnostic[]): OffsetDiagnostic[] {
    if (list.length === 0 || !this.fleet.unreached(path) || this.index.objectsIn(path).length === 0) return list;
    return list.map((d) => (d.message.endsWith(UNREACHED_NOTE) ? d : { ...d, message: `${d.message}${UNREACHED_NOTE}` }));
  }

  private noted(result: Map<string, OffsetDiagnostic[]>): Map<string, OffsetDiagnostic[]> {
    const out = new Map<string, OffsetDiagnostic[]>();
    for (const [file, list] of result) out.set(file, this.noteUnreached(file, list));
    return out;
  }

  readonly repoRoot: string | undefined;
  private readonly roots: string[];

  /**
   * The repository root a Flux Kustomization's `path` is relative to. A
   * workspace can hold several fleet repositories (or be a folder above
   * one), so the nearest folder above the Kustomization's file, within the
   * workspace, where that path exists wins; otherwise the workspace's root.
   */
  repoRootFor(file: string, path?: string): string {
    const fallback = this.repoRoot ?? this.roots[0] ?? '/';
    if (!path) return fallback;
    if (this.rootCache.version !== this.index.fileSetVersion) this.rootCache = { version: this.index.fileSetVersion, entries: new Map() };
    const key = `${file.slice(0, file.lastIndexOf('/'))}\u0000${path}`;
    let hit = this.rootCache.entries.get(key);
    if (hit === undefined) {
      hit = this.findRepoRoot(file, path, fallback);
      this.rootCache.entries.set(key, hit);
    }
    return hit;
  }

  private rootCache = { version: -1, entries: new Map<string, string>() };

  private findRepoRoot(file: string, path: string, fallback: string): string {
    const rel = path.replace(/^\.\//, '').replace(/\/+$/, '');
    let dir = file.slice(0, file.lastIndexOf('/')) || '/';
    const top = this.roots.find((r) => file.startsWith(`${r}/`)) ?? '/';
    for (;;) {
      if (this.host.readDir(rel ? `${dir}/${rel}` : dir) !== undefined) return dir;
      if (dir === top || dir === '/' || dir.length <= top.length) return fallback;
      dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
    }
  }

  /** Reads any file of the workspace through the host (charts, values files). */
  readText(path: string): string | undefined {
    return this.index.fileText(path) ?? this.host.readFile(path);
  }

  lines(file: string): LineIndex | undefined {
    const text = this.index.fileText(file);
    if (text === undefined) return undefined;
    const hit = this.lineCache.get(file);
    if (hit && hit.text === text) return hit.lines;
    const lines = new LineIndex(text);
    this.lineCache.set(file, { text, lines });
    return lines;
  }

  /** Findings on what the Flux Kustomizations build, recomputed only after a change (or new schemas). */
  checkBuilds(registry: SchemaRegistry): Map<string, OffsetDiagnostic[]> {
    if (this.builds && this.builds.version === this.index.version && this.builds.generation === registry.generation) return this.builds.result;
    const result = this.noted(checkFluxBuilds(this, registry));
    this.builds = { version: this.index.version, generation: registry.generation, result };
    return result;
  }

  /**
   * Files kustomizations use as patches, from the last graph check (computed
   * once if there was none). Cheap enough for every keystroke; the graph
   * check that refreshes it runs off the typing path.
   */
  patchFiles(): Set<string> {
    return (this.graph ?? { result: this.check() }).result.patchFiles;
  }

  /**
   * Files kustomizations use as patches now: the graph check's when it is of the current files, otherwise read
   * from the references alone (the same set, without the check's fleet evaluation: a graph request after an edit
   * does not build the fleet).
   */
  currentPatchFiles(): Set<string> {
    if (this.graph && this.graph.version === this.index.version) return this.graph.result.patchFiles;
    const out = new Set<string>();
    for (const ref of this.refs.all()) if (ref.type === 'path' && ref.role === 'patch') out.add(ref.target);
    return out;
  }

  /** Graph diagnostics for the whole workspace, recomputed only after a change. */
  check(): GraphResult {
    if (this.graph && this.graph.version === this.index.version) return this.graph.result;
    const graph = checkGraph(this.index, this.host, this.refs, this.fleet);
    const result = { ...graph, byFile: this.noted(graph.byFile) };
    this.graph = { version: this.index.version, result };
    return result;
  }
}

/**
 * The folder Flux Kustomization `path`s are relative to: among the roots
 * and their ancestors, the one where most of the paths of Kustomizations
 * sourced from `flux-system` exist (the checked folder wins ties).
 */
export function chooseRepoRoot(index: WorkspaceIndex, host: EngineHost, roots: string[]): string | undefined {
  // Only the written spec.path values matter here; read them from the text instead of parsing every file.
  const paths: string[] = [];
  for (const o of index.allObjects()) {
    if (o.kind !== 'Kustomization' || !o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) continue;
    const text = index.fileText(o.file)?.slice(o.start, o.end) ?? '';
    const m = /^\s{2,}path:\s*["']?([^"'#\n]+?)["']?\s*(#.*)?$/m.exec(text);
    if (m) paths.push(m[1].trim());
  }
  const candidates: string[] = [];
  for (const root of roots) {
    let dir = root.replace(/\/+$/, '') || '/';
    for (;;) {
      candidates.push(dir);
      if (dir === '/' || host.readDir(`${dir}/.git`) !== undefined) break;
      dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
    }
  }
  if (paths.length === 0) return candidates[0];
  let best = candidates[0];
  let bestScore = -1;
  for (const c of candidates) {
    const score = paths.filter((p) => host.readDir(`${c}/${p.replace(/^\.\//, '')}`.replace(/\/+$/, '')) !== undefined).length;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
