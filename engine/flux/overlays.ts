/**
 * The environments of a kustomize base: for an object written in a base
 * (apps/base/podinfo/helmrelease.yaml), the overlays whose build includes
 * it (apps/production, apps/staging), the object as each overlay builds
 * it, what the overlay changed (path, new value, and the patch line that
 * set it), and the Flux Kustomizations that build the overlay, with the
 * cluster each belongs to (its folder under clusters/) and the object after
 * that Kustomization's postBuild substitution. Feeds the code lens and
 * hover on base objects and the per-environment effective-values view.
 *
 * Overlays are found from the kustomization files' `resources` and
 * `components` entries (walked backwards from the file), then built, so
 * only the candidates are built, never the whole repository.
 */
import type { EngineHost } from '../host.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { referencesOf } from '../workspace/references.ts';
import { buildKustomization } from '../kustomize/build.ts';
import { parsedSource, documentAt } from '../kustomize/parsed-sources.ts';
import { isPlainMap } from '../kustomize/resource.ts';
import type { BuiltResource, PathSegment } from '../kustomize/types.ts';
import { LineIndex } from '../yaml/lines.ts';
import { formatPath } from '../yaml/nodes.ts';
import { evaluateFluxKustomization, fluxKustomizations, fluxKustomizationDir, implicitResources, kustomizationFileIn, type FluxWorkspace, type FluxKustomizationBuild, type SubstitutionChange } from './kustomization.ts';
import { valueAt } from '../util/value-at.ts';

export interface OverlayChange {
  path: PathSegment[];
  /** The value in the built object (undefined when the overlay deleted it). */
  value: unknown;
  op: 'set' | 'delete';
  /** Where the change is written: a patch value, or the overlay's kustomization file for transformers. */
  file: string;
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
  via: 'patch' | 'kustomization';
  /** e.g. `spec.values.replicaCount = 5 from apps/production/podinfo-patch.yaml:9`. */
  text: string;
}

export interface OverlayKustomization {
  file: string;
  name: string;
  namespace?: string;
  /** The folder under clusters/ holding the Kustomization's file, when there is one. */
  cluster?: string;
  /** The object after this Kustomization's build, images, postBuild substitution and commonMetadata. */
  builtObject?: Record<string, unknown>;
  substitutions: SubstitutionChange[];
  /** Every object of that build (for valuesFrom lookups: `lookupFromObjects(objects)`). */
  objects: Record<string, unknown>[];
}

export interface OverlayOfBase {
  /** The overlay folder (absolute). */
  overlay: string;
  /** The overlay folder relative to the repository root, e.g. `apps/production`. */
  label: string;
  /** The object as `kustomize build <overlay>` gives it. */
  builtObject: Record<string, unknown>;
  resource: BuiltResource;
  /** Every object of the overlay's build. */
  objects: Record<string, unknown>[];
  changes: OverlayChange[];
  kustomizations: OverlayKustomization[];
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function relative(root: string | undefined, p: string): string {
  if (!root) return p;
  const r = root.endsWith('/') ? root : `${root}/`;
  return p.startsWith(r) ? p.slice(r.length) : p === root ? '.' : p;
}


function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isPrefix(a: PathSegment[], b: PathSegment[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

/** For each path a kustomization file lists under resources/components: the folders of the kustomizations listing it. */
function reverseIncludes(ws: FluxWorkspace): Map<string, Set<string>> {
  const reverse = new Map<string, Set<string>>();
  for (const o of ws.index.allObjects()) {
    if (!((o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.config.k8s.io')) || o.kind === 'Component')) continue;
    for (const r of referencesOf(ws.index, o)) {
      if (r.type !== 'path' || (r.role !== 'resources' && r.role !== 'components')) continue;
      const set = reverse.get(r.target) ?? new Set<string>();
      set.add(dirOf(o.file));
      reverse.set(r.target, set);
    }
  }
  return reverse;
}

function walkUp(reverse: Map<string, Set<string>>, start: string): string[] {
  const found: string[] = [];
  const queue = [start];
  const seen = new Set(queue);
  while (queue.length) {
    const t = queue.shift()!;
    for (const dir of reverse.get(t) ?? []) {
      if (seen.has(dir)) continue;
      seen.add(dir);
      found.push(dir);
      queue.push(dir);
    }
  }
  return found;
}

/** Kustomization folders whose build may include `file` (through resources/components entries, transitively). */
export function includingKustomizations(ws: FluxWorkspace, file: string): string[] {
  return walkUp(reverseIncludes(ws), file);
}

/** Where a base object is: its file and its document index in that file. */
export interface BaseObjectRef {
  file: string;
  /** Offset of the object's document in the file (an IndexedObject's `start`); the first document when omitted. */
  start?: number;
}

function documentIndexOf(host: EngineHost, ws: FluxWorkspace, base: BaseObjectRef): { index: number; value: unknown } | undefined {
  const text = ws.index.fileText(base.file) ?? host.readFile(base.file);
  if (text === undefined) return undefined;
  const docs = parsedSource(base.file, text).docs;
  const d = base.start === undefined ? docs[0] : documentAt(docs, base.start);
  return d ? { index: d.index, value: d.value } : undefined;
}

function clusterOf(file: string): string | undefined {
  const m = /(?:^|\/)clusters\/([^/]+)\//.exec(file);
  return m ? m[1] : undefined;
}

/** Flux Kustomizations whose build includes the overlay folder (directly, or through Flux's implied kustomization). */
function kustomizationsBuilding(ws: FluxWorkspace, host: EngineHost, overlay: string): IndexedObject[] {
  return fluxKustomizations(ws.index).filter((ks) => {
    const dir = fluxKustomizationDir(ws, ks);
    if (!dir) return false;
    if (dir === overlay) return true;
    if (!overlay.startsWith(`${dir}/`) || kustomizationFileIn(host, dir)) return false;
    return implicitResources(host, dir).some((r) => `${dir}/${r.replace(/^\.\//, '')}` === overlay);
  });
}

/** The resource built from document `index` of `file`, through an index of the build's resources by origin (made once per build). */
function builtFrom<T extends BuiltResource>(cache: BuildCache, resources: T[], file: string, index: number): T | undefined {
  let byOrigin = cache.byOrigin.get(resources) as Map<string, T> | undefined;
  if (!byOrigin) {
    byOrigin = new Map();
    for (const r of resources) {
      if (r.origin.type !== 'file') continue;
      const key = `${r.origin.file}\0${r.origin.documentIndex ?? 0}`;
      if (!byOrigin.has(key)) byOrigin.set(key, r);
    }
    cache.byOrigin.set(resources, byOrigin);
  }
  return byOrigin.get(`${file}\0${index}`);
}

function describeChange(root: string | undefined, lines: (f: string) => LineIndex | undefined, c: Omit<OverlayChange, 'line' | 'text'>): OverlayChange {
  const li = lines(c.file);
  const line = li ? li.positionAt(c.start).line + 1 : 1;
  const value = c.op === 'delete' ? '(deleted)' : JSON.stringify(c.value) ?? 'null';
  return { ...c, line, text: `${formatPath(c.path)} = ${value} from ${relative(root, c.file)}:${line}` };
}

/** Leaf paths where `a` and `b` differ (a whole subtree when one side is not a map). */
function diffPaths(a: unknown, b: unknown, path: PathSegment[], out: PathSegment[][]): void {
  if (a === b) return;
  // Maps are compared key by key (equal maps give no path), anything else as a whole.
  if (isPlainMap(a) && isPlainMap(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], [...path, k], out);
    return;
  }
  if (!same(a, b)) out.push(path);
}

/**
 * The overlays that build the object of `base` and what each made of it.
 * The folder holding the file itself is not an overlay of it. When several
 * nested overlays include one another, every Flux-built one is kept, and
 * otherwise only the outermost.
 */
export function overlaysOfBase(ws: FluxWorkspace, host: EngineHost, base: BaseObjectRef, cache: BuildCache = newBuildCache()): OverlayOfBase[] {
  const own = dirOf(base.file);
  const reverse = (cache.reverse ??= reverseIncludes(ws));
  const candidates = walkUp(reverse, base.file).filter((d) => d !== own);
  // No folder above includes this one: nothing to report, and no need to parse the file (a huge one costs a second).
  if (candidates.length === 0) return [];
  const doc = documentIndexOf(host, ws, base);
  if (!doc) return [];
  const build = (dir: string) => {
    let b = cache.builds.get(dir);
    if (!b) cache.builds.set(dir, (b = buildKustomization(host, dir)));
    return b;
  };
  const evaluate = (ks: IndexedObject) => {
    let e = cache.evaluations.get(ks);
    if (!e) cache.evaluations.set(ks, (e = evaluateFluxKustomization(ws, host, ks)));
    return e;
  };
  // What the overlays changed is measured against the base folder's own build when it has one.
  const ownBuild = kustomizationFileIn(host, own) ? builtFrom(cache, build(own).resources, base.file, doc.index) : undefined;
  const baseline = ownBuild?.object ?? doc.value;
  const included = new Set(candidates.filter((c) => (reverse.get(c)?.size ?? 0) > 0));
  const lineCache = new Map<string, LineIndex | undefined>();
  const lines = (f: string) => {
    if (!lineCache.has(f)) {
      const t = ws.index.fileText(f) ?? host.readFile(f);
      lineCache.set(f, t === undefined ? undefined : new LineIndex(t));
    }
    return lineCache.get(f);
  };
  const out: OverlayOfBase[] = [];
  for (const overlay of candidates) {
    let builders = cache.builders.get(overlay);
    if (!builders) cache.builders.set(overlay, (builders = kustomizationsBuilding(ws, host, overlay)));
    if (included.has(overlay) && builders.length === 0) continue;
    const built = build(overlay);
    const resource = builtFrom(cache, built.resources, base.file, doc.index);
    if (!resource) continue;
    const changes: OverlayChange[] = [];
    const covered: PathSegment[][] = [];
    for (const p of resource.patches) {
      for (const c of p.changes) {
        const value = valueAt(resource.object, c.path);
        covered.push(c.path);
        if (c.op === 'set' && same(value, valueAt(baseline, c.path))) continue;
        if (changes.some((x) => same(x.path, c.path))) changes.splice(changes.findIndex((x) => same(x.path, c.path)), 1);
        changes.push(describeChange(ws.repoRoot, lines, { path: c.path, value, op: c.op, file: c.file, start: c.start, end: c.end, via: 'patch' }));
      }
    }
    const diffs: PathSegment[][] = [];
    diffPaths(baseline, resource.object, [], diffs);
    const kfile = kustomizationFileIn(host, overlay) ?? overlay;
    for (const path of diffs) {
      if (covered.some((c) => isPrefix(c, path) || isPrefix(path, c))) continue;
      const value = valueAt(resource.object, path);
      changes.push(describeChange(ws.repoRoot, lines, { path, value, op: value === undefined ? 'delete' : 'set', file: kfile, start: 0, end: 0, via: 'kustomization' }));
    }
    const found = builders;
    let kustomizations: OverlayKustomization[] | undefined;
    out.push({
      overlay, label: relative(ws.repoRoot, overlay), builtObject: resource.object, resource, objects: built.resources.map((x) => x.object), changes,
      // Evaluated on first use: code lenses need only the changes, the effective-values view needs these.
      get kustomizations(): OverlayKustomization[] {
        return (kustomizations ??= found.map((ks): OverlayKustomization => {
          const evaluated = evaluate(ks);
          const r = builtFrom(cache, evaluated.resources, base.file, doc.index);
          return { file: ks.file, name: ks.name, namespace: ks.namespace, cluster: clusterOf(relative(ws.repoRoot, ks.file)), builtObject: r?.object, substitutions: r?.substitutions ?? [], objects: evaluated.resources.map((x) => x.object) };
        }));
      },
    });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/**
 * Builds shared by the objects of one workspace state: every object of a
 * base file is built by the same overlays, so a file of 200 HelmReleases
 * needs each overlay built once, not 200 times. Results are read, never changed.
 */
export interface BuildCache {
  builds: Map<string, ReturnType<typeof buildKustomization>>;
  evaluations: Map<IndexedObject, FluxKustomizationBuild>;
  builders: Map<string, IndexedObject[]>;
  reverse?: Map<string, Set<string>>;
  /** Per list of built resources: the first resource of each origin (file and document index). */
  byOrigin: WeakMap<object, Map<string, BuiltResource>>;
}

export function newBuildCache(): BuildCache {
  return { builds: new Map(), evaluations: new Map(), builders: new Map(), byOrigin: new WeakMap() };
}

const memo = new WeakMap<object, { version: number; results: Map<string, OverlayOfBase[]>; builds: BuildCache; texts?: EngineHost }>();

/**
 * `overlaysOfBase`, remembered until the workspace index changes (for code
 * lenses and hovers asked for again and again on the same file). The
 * overlays are built from the workspace's texts (an editor's unsaved text
 * included), like the fleet's builds, whatever host the caller passes.
 */
export function overlaysOfBaseCached(ws: FluxWorkspace, host: EngineHost, base: BaseObjectRef): OverlayOfBase[] {
  let entry = memo.get(ws.index);
  if (!entry || entry.version !== ws.index.version) {
    entry = { version: ws.index.version, results: new Map(), builds: newBuildCache() };
    memo.set(ws.index, entry);
  }
  const key = `${base.file}\0${base.start ?? ''}`;
  let hit = entry.results.get(key);
  if (!hit) {
    // One copy per workspace state: spreading the host reads its getters (network, Helm) every time.
    const texts: EngineHost = (entry.texts ??= { ...host, readFile: (p) => ws.index.fileText(p) ?? host.readFile(p) });
    hit = overlaysOfBase(ws, texts, base, entry.builds);
    entry.results.set(key, hit);
  }
  return hit;
}

/** One line per overlay, e.g. for a code lens: `production: spec.values.replicaCount = 3 from apps/production/podinfo-patch.yaml:20`. */
export function summarizeOverlay(o: OverlayOfBase): string[] {
  const name = o.label.slice(o.label.lastIndexOf('/') + 1);
  return o.changes.map((c) => `${name}: ${c.text}`);
}
