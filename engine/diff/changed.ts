/**
 * Changed-only selection for a rendered diff: from the files that differ
 * between the base revision and the working tree, the owners whose output
 * can change. Read from both sides' fleet models (engine/fleet: every Flux
 * Kustomization evaluated as its parent applies it) and indexes, no second
 * walk of the repository:
 *
 * - a Flux Kustomization whose built objects differ, or that a changed file declares;
 * - a HelmRelease declared in a changed file, or whose object as applied
 *   differs (its Kustomization's patches, overlays, postBuild substitution);
 * - a HelmRelease whose valuesFrom ConfigMaps/Secrets or chart source
 *   (HelmRepository, OCIRepository, GitRepository, HelmChart) changed: declared
 *   in a changed file, or built differently;
 * - a HelmRelease whose chart is a folder of the repository with a changed file;
 * - a HelmRelease no Kustomization here applies whose overlays build it differently.
 */
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import type { TreeKustomization } from '../fleet/trees.ts';
import { isHelmRelease } from '../releases/releases.ts';
import { valueAt } from '../util/value-at.ts';
import { overlaysOfBaseCached } from '../flux/overlays.ts';

/** A HelmRelease object as one Kustomization applies it. */
export interface AppliedRelease {
  /** "Kustomization flux-system/apps". */
  by: string;
  object: Record<string, unknown>;
}

/** What one side offers for selection and rendering. */
export interface SideModel {
  ws: Workspace;
  /** Changed-only evaluation: files in the reach of Kustomizations that were not built (applied the same on both sides). */
  covered?: (file: string) => boolean;
  /** Changed-only evaluation: files in the reach of a Kustomization that was not built. */
  inSkippedReach?: (file: string) => boolean;
  /** Changed-only evaluation: the Kustomizations not built, by the owner id each holds. */
  skipped?: Map<string, TreeKustomization>;
  /** Flux Kustomizations as evaluated (deduplicated), by owner id. */
  kustomizations: Map<string, TreeKustomization>;
  /** HelmReleases (not partial patch documents), by owner id. */
  releases: Map<string, IndexedObject>;
  /** The HelmRelease as each Kustomization that applies it builds it, by `file:start` of the written document. */
  applied: Map<string, AppliedRelease[]>;
  /** Applied ConfigMaps, Secrets and chart sources (JSON, all with that kind/name), by `Kind/name`. */
  inputs: Map<string, string>;
  /** Files declaring each ConfigMap, Secret and chart source, by `Kind/name`. */
  declared: Map<string, string[]>;
  /** Their written texts (the editor's unsaved text included), by `Kind/name`. */
  declaredText: Map<string, string>;
}

/** Built objects as JSON, per build (unchanged Kustomizations keep their build object between evaluations). */
const builtJson = new WeakMap<object, string>();
function jsonOf(build: { resources: { object: unknown }[] }): string {
  let hit = builtJson.get(build);
  if (hit === undefined) builtJson.set(build, (hit = JSON.stringify(build.resources.map((r) => r.object))));
  return hit;
}

const INPUT_KINDS = new Set(['ConfigMap', 'Secret', 'HelmRepository', 'OCIRepository', 'GitRepository', 'HelmChart', 'Bucket']);
const nsName = (o: { namespace?: string; name: string }) => `${o.namespace ?? 'default'}/${o.name}`;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * Reads one side: its fleet's evaluations (all of them, or those of a
 * changed-only evaluation), its HelmReleases and the applied objects
 * selection compares.
 */
export function sideModel(ws: Workspace, partial?: { evaluations: TreeKustomization[]; covered: (file: string) => boolean; inSkippedReach: (file: string) => boolean; isPatchFile: (file: string) => boolean }): SideModel {
  const fleet = partial ?? ws.fleet.get();
  const kustomizations = new Map<string, TreeKustomization>();
  const taken = new Set<string>();
  const skipped = new Map<string, TreeKustomization>();
  const seen = new Set<string>();
  const patchFiles = new Set<string>();
  const applied = new Map<string, AppliedRelease[]>();
  const inputLists = new Map<string, unknown[]>();
  for (const k of fleet.evaluations) {
    const where = `${k.object.file}:${k.object.start}:${k.label}`;
    if (seen.has(where)) continue;
    seen.add(where);
    const meta = (k.applied.metadata ?? {}) as Record<string, unknown>;
    const id = nsName({ namespace: str(meta.namespace) ?? k.object.namespace, name: str(meta.name) ?? k.object.name });
    const named = taken.has(id) ? `${id} @ ${k.object.file}` : id;
    taken.add(named);
    // Not built (changed-only): it holds its name, so the others are named as in a full evaluation.
    if (k.skipped) {
      skipped.set(named, k);
      continue;
    }
    kustomizations.set(named, k);
    for (const r of k.build.resources) {
      for (const p of r.patches) patchFiles.add(p.file);
      const o = r.object;
      if (o.kind === 'HelmRelease' && r.origin.type === 'file') {
        // Keyed by the indexed document holding it: a build's span starts at the content, the index's at the
        // document (a `---` line or a comment before `apiVersion` put them apart, and the release was then
        // rendered as written instead of as applied).
        const at = r.origin.start;
        const doc = ws.index.objectsIn(r.origin.file).find((d) => d.start <= at && at < Math.max(d.end, d.start + 1));
        const key = `${r.origin.file}:${doc?.start ?? at}`;
        applied.set(key, [...(applied.get(key) ?? []), { by: k.label, object: o }]);
      }
      if (typeof o.kind === 'string' && INPUT_KINDS.has(o.kind)) {
        const key = `${o.kind}/${str((o.metadata as Record<string, unknown> | undefined)?.name) ?? ''}`;
        const list = inputLists.get(key) ?? [];
        list.push(o);
        inputLists.set(key, list);
      }
    }
  }
  const releases = new Map<string, IndexedObject>();
  // In the reach of a Kustomization a changed-only evaluation did not build, a release is never selected: its id is
  // only counted for name clashes, so its text stands in for a full parse (a patch document names no chart).
  const named = (o: IndexedObject) => (partial?.covered(o.file) ? !partial.isPatchFile(o.file) && writtenText(ws, o).includes('chart') : renderable(ws, o));
  const list = [...ws.index.allObjects()].filter((o) => isHelmRelease(o) && !patchFiles.has(o.file) && named(o)).sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  const count = new Map<string, number>();
  // Named as applied: a Kustomization's targetNamespace (or kustomize namespace) puts the release there.
  const idOf = (hr: IndexedObject) => {
    const meta = (applied.get(`${hr.file}:${hr.start}`)?.[0]?.object.metadata ?? {}) as Record<string, unknown>;
    return nsName({ namespace: str(meta.namespace) ?? hr.namespace, name: str(meta.name) ?? hr.name });
  };
  for (const hr of list) count.set(idOf(hr), (count.get(idOf(hr)) ?? 0) + 1);
  const root = ws.repoRoot ?? '';
  for (const hr of list) {
    const id = idOf(hr);
    releases.set((count.get(id) ?? 0) > 1 ? `${id} @ ${hr.file.startsWith(`${root}/`) ? hr.file.slice(root.length + 1) : hr.file}` : id, hr);
  }
  const inputs = new Map<string, string>();
  for (const [k, v] of inputLists) inputs.set(k, JSON.stringify(v));
  const declared = new Map<string, string[]>();
  const declaredText = new Map<string, string>();
  for (const o of ws.index.allObjects()) {
    if (!INPUT_KINDS.has(o.kind)) continue;
    const key = `${o.kind}/${o.name}`;
    declared.set(key, [...(declared.get(key) ?? []), o.file]);
    declaredText.set(key, `${declaredText.get(key) ?? ''}\u0000${writtenText(ws, o)}`);
  }
  return { ws, kustomizations, releases, applied, inputs, declared, declaredText, ...(partial ? { covered: partial.covered, inSkippedReach: partial.inSkippedReach, skipped } : {}) };
}

/**
 * A HelmRelease that names its chart (`chart.spec.chart` or `chartRef`): every
 * one Flux accepts does; a document without either is a patch (of a
 * kustomization no Flux Kustomization here builds) or is rejected anyway.
 */
function writtenText(ws: Workspace, o: IndexedObject): string {
  return ws.index.fileText(o.file)?.slice(o.start, o.end) ?? '';
}

function renderable(ws: Workspace, hr: IndexedObject): boolean {
  const v = ws.index.valueOf(hr) ?? {};
  return !!str(valueAt(v, ['spec', 'chart', 'spec', 'chart'])) || !!valueAt(v, ['spec', 'chartRef']);
}

/** The overlays that build a HelmRelease no Kustomization applies, as JSON (label and built object). */
function overlaysJson(ws: Workspace, hr: IndexedObject): string {
  return JSON.stringify(overlaysOfBaseCached(ws, ws.host, { file: hr.file, start: hr.start }).map((o) => [o.label, o.builtObject]));
}

/** The ConfigMaps, Secrets and sources a HelmRelease reads (`Kind/name`), and its chart folder when it is a path. */
function releaseInputs(ws: Workspace, hr: IndexedObject): { refs: string[]; chartPath?: string } {
  const v = ws.index.valueOf(hr) ?? {};
  const refs: string[] = [];
  const from = valueAt(v, ['spec', 'valuesFrom']);
  if (Array.isArray(from)) for (const f of from) if (f && typeof f === 'object') refs.push(`${str((f as Record<string, unknown>).kind) ?? 'ConfigMap'}/${str((f as Record<string, unknown>).name) ?? ''}`);
  const sourceRef = valueAt(v, ['spec', 'chart', 'spec', 'sourceRef']) as Record<string, unknown> | undefined;
  const chartRef = valueAt(v, ['spec', 'chartRef']) as Record<string, unknown> | undefined;
  for (const r of [sourceRef, chartRef]) if (r && typeof r === 'object') refs.push(`${str(r.kind) ?? ''}/${str(r.name) ?? ''}`);
  const chart = str(valueAt(v, ['spec', 'chart', 'spec', 'chart']));
  const local = sourceRef && (sourceRef.kind === 'GitRepository' || sourceRef.kind === 'Bucket') && chart ? chart.replace(/^\.\//, '').replace(/\/+$/, '') : undefined;
  return { refs, ...(local ? { chartPath: local } : {}) };
}

/** Whether a repository file is inside a chart folder (a folder above it holds a Chart.yaml). */
function inChartFolder(ws: Workspace, repoRoot: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = parts.length - 1; i >= 1; i--) {
    const chart = `${repoRoot}/${parts.slice(0, i).join('/')}/Chart.yaml`;
    if (ws.readText(chart) !== undefined) return true;
  }
  return false;
}

export interface Selection {
  kustomizations: Set<string>;
  releases: Set<string>;
}

/** The owners (ids on either side) whose output can change, given the changed files (absolute paths). */
export function selectChanged(base: SideModel, head: SideModel, changed: Set<string>, repoRoot: string): Selection {
  const kustomizations = new Set<string>();
  for (const id of new Set([...base.kustomizations.keys(), ...head.kustomizations.keys()])) {
    const b = base.kustomizations.get(id);
    const h = head.kustomizations.get(id);
    if (!b || !h || changed.has(h.object.file) || changed.has(b.object.file)) kustomizations.add(id);
    else if (b.build !== h.build && jsonOf(b.build) !== jsonOf(h.build)) kustomizations.add(id);
  }
  const changedInputs = new Set<string>();
  for (const key of new Set([...base.inputs.keys(), ...head.inputs.keys()])) if (base.inputs.get(key) !== head.inputs.get(key)) changedInputs.add(key);
  const inputChanged = (ref: string) =>
    changedInputs.has(ref) || base.declaredText.get(ref) !== head.declaredText.get(ref) || (head.declared.get(ref) ?? []).some((f) => changed.has(f)) || (base.declared.get(ref) ?? []).some((f) => changed.has(f));
  const changedRel = [...changed].filter((f) => f.startsWith(`${repoRoot}/`)).map((f) => f.slice(repoRoot.length + 1));
  // What a release reads is looked up (a full parse of its file) only when some input or chart folder can have changed.
  const inputKeys = new Set([...base.inputs.keys(), ...head.inputs.keys(), ...base.declaredText.keys(), ...head.declaredText.keys()]);
  const someInputChanged = [...inputKeys].some(inputChanged) || changedRel.some((f) => inChartFolder(head.ws, repoRoot, f) || inChartFolder(base.ws, repoRoot, f));
  const releases = new Set<string>();
  for (const id of new Set([...base.releases.keys(), ...head.releases.keys()])) {
    const b = base.releases.get(id);
    const h = head.releases.get(id);
    // Changed on disk, or in the editor (unsaved: the files Git sees as changed do not say so).
    if (!b || !h || changed.has(h.file) || changed.has(b.file) || writtenText(base.ws, b) !== writtenText(head.ws, h)) {
      releases.add(id);
      continue;
    }
    const appliedBase = base.applied.get(`${b.file}:${b.start}`);
    const appliedHead = head.applied.get(`${h.file}:${h.start}`);
    if (JSON.stringify(appliedBase) !== JSON.stringify(appliedHead)) {
      releases.add(id);
      continue;
    }
    // Applied by no Kustomization here: rendered per overlay, so what the overlays build counts.
    // (Not for a release in the reach of a Kustomization a changed-only evaluation did not build: applied the same.)
    if (!appliedHead && !(head.covered?.(h.file) && base.covered?.(b.file)) && overlaysJson(base.ws, b) !== overlaysJson(head.ws, h)) {
      releases.add(id);
      continue;
    }
    if (!someInputChanged) continue;
    const inputs = releaseInputs(head.ws, h);
    if (inputs.refs.some(inputChanged) || (inputs.chartPath && changedRel.some((f) => f.startsWith(`${inputs.chartPath}/`)))) releases.add(id);
  }
  return { kustomizations, releases };
}
