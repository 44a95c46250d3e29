/**
 * The rendered diff against a Git revision (`service.diffRendered`): the
 * working tree (with the editor's unsaved texts) is the head side; the base
 * side is a second workspace over the commit's files (base-host.ts) with its
 * own chart resolution, sharing the network and Helm's engine; its fleet
 * starts from the head's per-Kustomization builds that read the same texts.
 * Owners are the Flux Kustomizations as the fleet model evaluates them
 * (their built objects) and the HelmReleases (their rendered objects, as
 * each Kustomization applies them; per overlay, or as written, when none
 * does); by default only those whose output can change from the files that
 * differ (changed.ts). The base side and its renders are kept per commit
 * while the files they read from disk stay unchanged, so an editor asking
 * again only renders the head side. Never throws.
 */
import type { EngineHost } from '../host.ts';
import type { IndexOptions } from '../workspace/index.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import type { RenderQuery, RenderedRelease } from '../releases/renders.ts';
import { overlaysOfBaseCached } from '../flux/overlays.ts';
import { pathToUri, uriToPath } from '../util/uri.ts';
import { createBaseSnapshot, type BaseSnapshot } from './base-host.ts';
import { sideModel, type SideModel, type Selection } from './changed.ts';
import { changedOnlySides } from './lazy.ts';
import { diffOwners } from './compare.ts';
import type { DiffRenderedParams, DiffRenderedResult, OwnerOutput } from './types.ts';

/** One side: a workspace and how its HelmReleases are rendered. */
export interface DiffSide {
  ws: Workspace;
  render(q: RenderQuery): Promise<RenderedRelease>;
}

export interface RenderedDiffDeps {
  host: EngineHost;
  /** The working tree's side; undefined when no workspace is open. */
  head(): DiffSide | undefined;
  /** The options the head workspace was opened with (roots, repoRoot...). */
  workspaceOptions(): (IndexOptions & { repoRoot?: string; clusterRoots?: string[] }) | undefined;
  /** A side over another host (the base snapshot). */
  openBase(host: EngineHost, options: IndexOptions & { repoRoot?: string; clusterRoots?: string[] }): DiffSide;
}

interface BaseEntry {
  key: string;
  snapshot: BaseSnapshot;
  side: DiffSide;
  model?: SideModel;
  /** What the model was evaluated for: `all`, or the files that differed (and the ones wanted built). */
  modelKey?: string;
  renders: Map<string, Promise<OwnerOutput>>;
}

const HEAD_LABEL = 'working tree';

export function createRenderedDiff(deps: RenderedDiffDeps): { diffRendered(params: DiffRenderedParams): Promise<DiffRenderedResult> } {
  let cached: BaseEntry | undefined;

  async function run(params: DiffRenderedParams): Promise<DiffRenderedResult> {
    const head = deps.head();
    const options = deps.workspaceOptions();
    if (!head || !options) return { error: 'no workspace is open', usage: true };
    const git = deps.host.git;
    if (!git) return { error: 'Git is not available in this front end' };
    const scope = params.path ?? (params.uri ? uriToPath(params.uri) : undefined);
    const dir = scope ?? options.repoRoot ?? options.roots[0];
    if (!dir) return { error: 'no workspace folder', usage: true };
    if (scope && deps.host.readDir(scope) === undefined && head.ws.readText(scope) === undefined) return { error: `no such file or folder: ${scope}`, usage: true };
    const gitDir = deps.host.readDir(dir) !== undefined ? dir : dir.slice(0, dir.lastIndexOf('/')) || '/';
    const ref = params.base ?? 'HEAD';
    const resolved = git.changes(gitDir, ref);
    if ('error' in resolved) return { error: resolved.error };
    const { root, commit, label, changed: changedRel } = resolved;
    const changed = new Set(changedRel);
    const changedAbs = new Set(changedRel.map((p) => `${root}/${p}`));
    // Renders are likely: Helm's engine starts (in its worker) while both sides are evaluated.
    if (changed.size > 0 || params.changedOnly === false) deps.host.render?.prepare?.();

    // The base side, kept per commit (and capabilities) until a file it read from disk changes.
    const key = JSON.stringify([root, commit, options.roots, options.repoRoot, options.exclude, params.kubeVersion, params.apiVersions]);
    if (!cached || cached.key !== key || [...cached.snapshot.servedFromDisk].some((p) => changed.has(p))) {
      const files = git.listFiles(root, commit);
      if (!Array.isArray(files)) return { error: files.error };
      const snapshot = createBaseSnapshot(deps.host, git, root, commit, files, changed);
      cached = { key, snapshot, side: deps.openBase(snapshot.host, options), renders: new Map() };
    }
    const base = cached;
    // Files that changed since the snapshot was made (and that it has not read from disk) now come from Git.
    base.snapshot.setChanged(changed);
    const bws = base.side.ws;
    const all = params.changedOnly === false;
    // Changed-only: the files that differ (Git's list, and the editor's unsaved texts) decide which Kustomizations are built.
    const differing = all ? undefined : differingFiles(head.ws, bws, changedAbs);
    // Files added or removed can change what a build lists or which variables exist: then nothing is reused.
    const addedOrRemoved = [...(differing ?? changedAbs)].some((f) => bws.readText(f) === undefined || head.ws.readText(f) === undefined);
    if (!base.model && !addedOrRemoved) {
      // The base reuses the working tree's builds of Kustomizations that read the same texts (taken on its first
      // evaluation, after the head side's): with the same files on both sides, a build that read the same texts
      // lists the same folders and builds the same objects.
      bws.fleet.seed(head.ws.fleet, ({ reads }) => {
        for (const [p, text] of reads) if (bws.readText(p) !== text) return false;
        return true;
      });
    }
    const kept = (key: string, make: () => SideModel): SideModel => {
      if (!base.model || base.modelKey !== key) {
        base.model = make();
        base.modelKey = key;
      }
      return base.model;
    };
    let headModel: SideModel;
    let baseModel: SideModel;
    let selection: Selection | undefined;
    if (differing) ({ head: headModel, base: baseModel, selection } = changedOnlySides(head.ws, bws, differing, root, kept));
    else {
      headModel = sideModel(head.ws);
      baseModel = kept('all', () => sideModel(bws));
    }

    const inScope = scopeFilter(head.ws, params);
    const ksIds = [...new Set([...baseModel.kustomizations.keys(), ...headModel.kustomizations.keys()])].filter((id) => {
      if (selection && !selection.kustomizations.has(id)) return false;
      const k = headModel.kustomizations.get(id) ?? baseModel.kustomizations.get(id)!;
      return inScope(k.object, k.build.dir);
    });
    const hrIds = [...new Set([...baseModel.releases.keys(), ...headModel.releases.keys()])].filter((id) => {
      if (selection && !selection.releases.has(id)) return false;
      return inScope(headModel.releases.get(id) ?? baseModel.releases.get(id)!);
    });

    const caps = { kubeVersion: params.kubeVersion, apiVersions: params.apiVersions };
    const baseOut: OwnerOutput[] = [];
    const headOut: OwnerOutput[] = [];
    for (const id of ksIds) {
      const b = baseModel.kustomizations.get(id);
      const h = headModel.kustomizations.get(id);
      if (b) baseOut.push(ksOutput(id, b));
      if (h) headOut.push(ksOutput(id, h));
    }
    for (const id of hrIds) {
      const b = baseModel.releases.get(id);
      const h = headModel.releases.get(id);
      let baseTargets = b ? targetsOf(baseModel, b) : [];
      let headTargets = h ? targetsOf(headModel, h) : [];
      const sameText = b && h && base.side.ws.index.fileText(b.file)?.slice(b.start, b.end) === head.ws.index.fileText(h.file)?.slice(h.start, h.end);
      if (selection && sameText && !changedAbs.has(h!.file)) [baseTargets, headTargets] = changedTargets(baseTargets, headTargets);
      if (b) {
        for (const target of baseTargets) {
          const rkey = `${id}\0${target.label ?? ''}\0${target.applied ? JSON.stringify(target.applied) : ''}`;
          let p = base.renders.get(rkey);
          if (!p) base.renders.set(rkey, (p = renderOwner(base.side, id, b, target, caps)));
          baseOut.push(await p);
        }
      }
      if (h) for (const target of headTargets) headOut.push(await renderOwner(head, id, h, target, caps));
    }
    return diffOwners(baseOut, headOut, params.options, { base: label, head: HEAD_LABEL });
  }

  return {
    async diffRendered(params) {
      try {
        return await run(params ?? {});
      } catch (e) {
        cached = undefined;
        return { error: `fluxhelm could not compute the diff: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}

/** Files whose text differs between the sides (or that one side lacks): Git's changed files and every indexed file that differs. */
function differingFiles(head: Workspace, base: Workspace, changedAbs: Set<string>): Set<string> {
  const out = new Set(changedAbs);
  for (const f of head.index.filePaths()) if (!out.has(f) && head.index.fileText(f) !== base.index.fileText(f)) out.add(f);
  for (const f of base.index.filePaths()) if (!out.has(f) && head.index.fileText(f) === undefined) out.add(f);
  return out;
}

function ksOutput(id: string, k: { object: IndexedObject; build: { dir?: string; resources: { object: Record<string, unknown> }[] } }): OwnerOutput {
  if (!k.build.dir) return { kind: 'Kustomization', id, file: k.object.file, objects: [], error: 'spec.path is not in this repository' };
  return { kind: 'Kustomization', id, file: k.object.file, objects: k.build.resources.map((r) => r.object) };
}

interface RenderTarget {
  /** Told apart in the owner id when a release is rendered more than once: the applying Kustomization or the overlay. */
  label?: string;
  applied?: Record<string, unknown>;
  overlay?: string;
  /** What the overlay builds (JSON), to tell which overlays changed. */
  built?: string;
}

/** Changed-only, for a release file that did not change: the overlays that build it differently (or on one side only). */
function changedTargets(base: RenderTarget[], head: RenderTarget[]): [RenderTarget[], RenderTarget[]] {
  if (!base.every((t) => t.overlay) || !head.every((t) => t.overlay)) return [base, head];
  const builtIn = (list: RenderTarget[]) => new Map(list.map((t) => [t.label, t.built]));
  const b = builtIn(base);
  const h = builtIn(head);
  return [base.filter((t) => h.get(t.label) !== t.built), head.filter((t) => b.get(t.label) !== t.built)];
}

/**
 * How a HelmRelease is rendered: as each Kustomization of the fleet applies it (patches, namespace, substitution;
 * overlays included when a Kustomization builds them); otherwise per overlay that builds it, or as written.
 */
function targetsOf(model: SideModel, hr: IndexedObject): RenderTarget[] {
  const applied = model.applied.get(`${hr.file}:${hr.start}`) ?? [];
  if (applied.length) {
    const seen = new Set<string>();
    const distinct = applied.filter((a) => !seen.has(JSON.stringify(a.object)) && !!seen.add(JSON.stringify(a.object)));
    return distinct.map((a) => ({ applied: a.object, ...(distinct.length > 1 ? { label: a.by.replace(/^Kustomization /, '') } : {}) }));
  }
  const overlays = overlaysOfBaseCached(model.ws, model.ws.host, { file: hr.file, start: hr.start });
  return overlays.length ? overlays.map((o) => ({ overlay: o.label, label: o.label, built: JSON.stringify(o.builtObject) })) : [{}];
}

async function renderOwner(side: DiffSide, id: string, hr: IndexedObject, target: RenderTarget, caps: { kubeVersion?: string; apiVersions?: string[] }): Promise<OwnerOutput> {
  const owner = target.label ? `${id} (${target.label})` : id;
  const position = side.ws.lines(hr.file)?.positionAt(hr.start) ?? { line: 0, character: 0 };
  const r = await side.render({ uri: pathToUri(hr.file), position, object: hr, validate: false, ...(target.overlay ? { overlay: target.overlay } : {}), ...(target.applied ? { applied: target.applied } : {}), ...(caps.kubeVersion ? { kubeVersion: caps.kubeVersion } : {}), ...(caps.apiVersions ? { apiVersions: caps.apiVersions } : {}) });
  if (!r.ok) return { kind: 'HelmRelease', id: owner, file: hr.file, objects: [], error: r.error ?? 'not rendered' };
  return { kind: 'HelmRelease', id: owner, file: hr.file, objects: r.objects.map((o) => o.object) };
}

/** Owners declared in, or built from, the path (or the document at uri/position); everything without a scope. */
function scopeFilter(ws: Workspace, params: DiffRenderedParams): (o: IndexedObject, builtDir?: string) => boolean {
  const path = params.path ?? (params.uri ? uriToPath(params.uri) : undefined);
  if (!path) return () => true;
  const under = (f: string | undefined) => !!f && (f === path || f.startsWith(`${path.replace(/\/+$/, '')}/`));
  if (params.uri && params.position) {
    const offset = ws.lines(path)?.offsetAt(params.position);
    const at = offset === undefined ? undefined : ws.index.objectsIn(path).find((o) => offset >= o.start && offset < o.end);
    if (at) return (o) => o.file === at.file && o.kind === at.kind && o.name === at.name && o.namespace === at.namespace;
  }
  return (o, builtDir) => under(o.file) || under(builtDir);
}
