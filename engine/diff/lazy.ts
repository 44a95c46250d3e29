/**
 * Changed-only evaluation for a rendered diff: which Flux Kustomizations
 * must be built on a side, given the files that differ between the base
 * revision and the working tree. A build of a folder reads its
 * kustomization file and what that names (resources, components, patch and
 * generator files, other folders read the same way), or, without a
 * kustomization file, everything below the folder; the reach of a
 * Kustomization is that closure, read from the kustomization files alone
 * (small, and parsed once for the builds anyway), without reading the
 * resources. Every string of a kustomization file counts as a path, so the
 * reach can be larger than what kustomize reads, never smaller.
 *
 * A Kustomization is built when its own file changed, when its reach holds
 * a changed file, or when a postBuild substituteFrom names a ConfigMap or
 * Secret a changed file declares (then every Kustomization it applies is
 * built too: fleet/trees.ts), and when its reach holds Flux Kustomizations
 * (it is built to find the ones it applies) or a wanted file. The others
 * are applied the same way and build the same objects on both sides, so
 * selection never needs them. The reach is the same on both sides when it
 * holds no changed file, so both sides leave out the same ones. Never
 * throws.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { LazyRule } from '../fleet/trees.ts';
import { isFluxKustomization } from '../fleet/roots.ts';
import { parsedSource } from '../kustomize/parsed-sources.ts';
import { isRemoteReference, joinPath } from '../kustomize/paths.ts';
import { isKustomizationFile } from '../validation/kind.ts';
import { isPlainMap } from '../kustomize/resource.ts';
import { KUSTOMIZATION_FILE_NAMES } from '../kustomize/build.ts';
import { selectChanged, sideModel, type SideModel, type Selection } from './changed.ts';

/** `file` is `prefix` or lies below it (no string is built: this runs for every file and prefix). */
function under(file: string, prefix: string): boolean {
  if (file.length === prefix.length) return file === prefix;
  if (file.length < prefix.length || !file.startsWith(prefix)) return false;
  return prefix.endsWith('/') || file.charCodeAt(prefix.length) === 47;
}

/** Whether `file` is in a set of prefixes, or below one of them: its own path and each folder above it are looked up. */
function inPrefixes(file: string, prefixes: Set<string>): boolean {
  if (prefixes.has(file) || prefixes.has('/')) return true;
  for (let i = file.lastIndexOf('/'); i > 0; i = file.lastIndexOf('/', i - 1)) if (prefixes.has(file.slice(0, i))) return true;
  return false;
}

/** Strings of a value that may be paths (single line, not remote), in document order. */
function pathLikeStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    if (!v || v.length >= 1024 || v.includes('\n') || isRemoteReference(v)) return;
    out.push(v);
    // A generator's file given as `key=path` (configMapGenerator/secretGenerator files) reads `path`.
    const eq = v.indexOf('=');
    if (eq >= 0 && eq < v.length - 1) out.push(v.slice(eq + 1));
  } else if (Array.isArray(v)) for (const x of v) pathLikeStrings(x, out);
  else if (isPlainMap(v)) for (const x of Object.values(v)) pathLikeStrings(x, out);
}

/** The files a kustomization names as patches (patches[].path, patchesStrategicMerge, patchesJson6902[].path). */
function patchPaths(v: unknown): string[] {
  if (!isPlainMap(v)) return [];
  const out: string[] = [];
  for (const key of ['patches', 'patchesJson6902']) if (Array.isArray(v[key])) for (const p of v[key]) if (isPlainMap(p) && typeof p.path === 'string') out.push(p.path);
  if (Array.isArray(v.patchesStrategicMerge)) for (const p of v.patchesStrategicMerge) if (typeof p === 'string' && !p.includes('\n')) out.push(p);
  return out;
}

interface ReachEntry {
  prefixes: string[];
  /** The same, for lookups. */
  set: Set<string>;
  /** Files the kustomization files followed name as patches. */
  patches: string[];
  /** The kustomization files followed, with the text read. */
  deps: Map<string, string | undefined>;
}

const reachMemo = new WeakMap<Workspace, { fileSet: number; entries: Map<string, ReachEntry> }>();

export interface LazyEvaluation extends LazyRule {
  /** Whether a file lies in the reach of a Kustomization that was not built (it may apply objects of it). */
  inSkippedReach(file: string): boolean;
  /** Whether a kustomization file read so far names this file as a patch (its HelmRelease documents are partial). */
  isPatchFile(file: string): boolean;
  /**
   * Whether a file lies in the reach of a Kustomization that was not built
   * (its objects are applied the same on both sides) and in the reach of no
   * kustomize folder that can read a changed file (no overlay of it changed).
   */
  coveredBySkipped(file: string): boolean;
}

/**
 * The rule for one side. `changed`: absolute paths that differ between the
 * sides (either side's text, added or removed); `substituted`: names of the
 * ConfigMaps and Secrets declared (or generated) in those files; `wanted`:
 * files whose Kustomizations are built although nothing they read changed
 * (a release selected for another reason, such as its chart source, is
 * rendered as its Kustomization applies it); `structural`: the changed
 * files that one side does not have (a folder listing differs).
 */
export function lazyEvaluation(ws: Workspace, changed: Set<string>, substituted: Set<string>, wanted: Set<string> = new Set(), structural: Set<string> = new Set(), seed?: Workspace): LazyEvaluation {
  const index = ws.index;
  const files = index.filePaths();
  const kustomizationFiles = files.filter((f) => isKustomizationFile(f));
  const fluxFiles = [...new Set([...index.allObjects()].filter(isFluxKustomization).map((o) => o.file))];
  // The files holding Flux Kustomizations and every folder above them: a reach holds one of those files when one of
  // its prefixes is in this set (one lookup per prefix instead of one per file and folder).
  const fluxPlaces = new Set<string>();
  for (const f of fluxFiles) {
    fluxPlaces.add(f);
    for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) fluxPlaces.add(f.slice(0, i));
  }
  const holdsFlux = (prefixes: Set<string>) => {
    if (prefixes.has('/')) return fluxFiles.length > 0;
    for (const p of prefixes) if (fluxPlaces.has(p)) return true;
    return false;
  };
  // Reaches are kept per workspace while the kustomization files they followed read the same (and no file came or went).
  let kept = reachMemo.get(ws);
  if (!kept || kept.fileSet !== index.fileSetVersion) reachMemo.set(ws, (kept = { fileSet: index.fileSetVersion, entries: new Map() }));
  const memo = kept;
  const patchFiles = new Set<string>();

  const indexed = new Set(files);
  const indexedDirs = new Set<string>();
  for (const f of files) for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) {
    const d = f.slice(0, i);
    if (indexedDirs.has(d)) break;
    indexedDirs.add(d);
  }
  const kustomizationOf = new Map<string, string | undefined>();
  const readable = (p: string) => indexed.has(p) || ws.host.readFile(p) !== undefined;

  /** The kustomization file of a folder (undefined: none, or not a folder). */
  function ownKustomization(dir: string): string | undefined {
    if (kustomizationOf.has(dir)) return kustomizationOf.get(dir);
    let found: string | undefined;
    if (!indexed.has(dir) && (indexedDirs.has(dir) || ws.host.readDir(dir) !== undefined)) found = KUSTOMIZATION_FILE_NAMES.map((n) => joinPath(dir, n)).find(readable);
    kustomizationOf.set(dir, found);
    return found;
  }

  /**
   * The paths a build of `dir` (with these extra paths, relative to it) can
   * read: a folder with a kustomization file reads that file and what its
   * strings name (followed the same way); a folder without one is read
   * whole (Flux generates its kustomization from every file below it), with
   * what the kustomization files below it name; a file is itself.
   */
  function reach(dir: string, extra: string[]): ReachEntry {
    const key = `${dir}\u0000${extra.join('\u0000')}`;
    let entry = memo.entries.get(key);
    if (entry && [...entry.deps].some(([f, text]) => ws.readText(f) !== text)) entry = undefined;
    if (!entry && seed) {
      // The other side's reach, when the kustomization files it followed read the same here (the caller seeds only
      // when no file was added or removed between the sides, so folder listings are the same).
      const other = reachMemo.get(seed)?.entries.get(key);
      if (other && [...other.deps].every(([f, text]) => ws.readText(f) === text)) entry = other;
    }
    if (!entry) memo.entries.set(key, (entry = computeReach(dir, extra)));
    else if (!memo.entries.has(key)) memo.entries.set(key, entry);
    for (const p of entry.patches) patchFiles.add(p);
    return entry;
  }

  function computeReach(dir: string, extra: string[]): ReachEntry {
    const prefixes: string[] = [];
    const patches: string[] = [];
    const deps = new Map<string, string | undefined>();
    const seen = new Set<string>();
    const queue: string[] = [];
    const visit = (t: string) => {
      if (seen.has(t)) return;
      seen.add(t);
      queue.push(t);
    };
    const follow = (file: string) => {
      if (deps.has(file)) return;
      const text = ws.readText(file);
      deps.set(file, text);
      if (text === undefined) return;
      const base = file.slice(0, file.lastIndexOf('/'));
      const strings: string[] = [];
      for (const d of parsedSource(file, text, 'kustomization').docs) {
        pathLikeStrings(d.value, strings);
        for (const p of patchPaths(d.value)) patches.push(joinPath(base, p));
        // Helm chart inflation reads a charts folder by default: the whole folder counts.
        if (isPlainMap(d.value) && (d.value.helmCharts !== undefined || d.value.helmGlobals !== undefined)) prefixes.push(base);
      }
      for (const str of strings) visit(joinPath(base, str));
    };
    visit(dir);
    for (const e of extra) visit(joinPath(dir, e));
    while (queue.length > 0) {
      const t = queue.shift()!;
      const own = ownKustomization(t);
      if (own) {
        prefixes.push(own);
        follow(own);
        continue;
      }
      prefixes.push(t);
      if (indexedDirs.has(t)) for (const k of kustomizationFiles) if (under(k, t)) follow(k);
    }
    return { prefixes, set: new Set(prefixes.map((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p))), patches, deps };
  }

  let touchedReaches: Set<string>[] | undefined;
  const holdsChanged = (prefixes: Set<string>) => {
    for (const f of changed) if (inPrefixes(f, prefixes)) return true;
    return false;
  };
  const skippedSet = new Set<string>();

  /** The reach of a Flux Kustomization as applied: its spec.path folder and components. */
  function reachOfObject(object: IndexedObject, applied: Record<string, unknown>): Set<string> {
    const spec = isPlainMap(applied.spec) ? applied.spec : {};
    const written = typeof spec.path === 'string' ? spec.path : '';
    const dir = joinPath(ws.repoRootFor(object.file, written), written.replace(/^\/+/, '') || '.');
    const components = Array.isArray(spec.components) ? spec.components.filter((c): c is string => typeof c === 'string') : [];
    return reach(dir, components).set;
  }

  return {
    needed({ object, applied, follow, loose }) {
      if (changed.has(object.file)) return 'changed';
      const spec = isPlainMap(applied.spec) ? applied.spec : {};
      const post = isPlainMap(spec.postBuild) ? spec.postBuild : {};
      if (Array.isArray(post.substituteFrom) && post.substituteFrom.some((r) => isPlainMap(r) && typeof r.name === 'string' && substituted.has(r.name))) return 'changed';
      if (spec.path !== undefined && typeof spec.path !== 'string') return 'changed';
      const prefixes = reachOfObject(object, applied);
      const holds = (list: Iterable<string>) => {
        for (const f of list) if (inPrefixes(f, prefixes)) return true;
        return false;
      };
      if (holds(changed)) return 'changed';
      // Reached by no cluster root here, it may be reached (and applied differently) on the other side.
      if (loose && ws.fleet.rule().roots.length > 0) return 'build';
      if (wanted.has(object.file) || holds(wanted) || (follow && holdsFlux(prefixes))) return 'build';
      for (const p of prefixes) skippedSet.add(p);
      return false;
    },
    changesChildren({ object, applied }, reads) {
      for (const p of reads.keys()) if (changed.has(p)) return true;
      if (structural.size === 0) return false;
      const prefixes = reachOfObject(object, applied);
      for (const f of structural) if (inPrefixes(f, prefixes)) return true;
      return false;
    },
    isPatchFile: (file) => patchFiles.has(file),
    inSkippedReach: (file) => inPrefixes(file, skippedSet),
    coveredBySkipped(file) {
      if (!inPrefixes(file, skippedSet)) return false;
      // A kustomize folder (an overlay) that can read both this file and a changed one may build it differently.
      touchedReaches ??= kustomizationFiles.map((k) => reach(k.slice(0, k.lastIndexOf('/')), []).set).filter(holdsChanged);
      return !touchedReaches.some((prefixes) => inPrefixes(file, prefixes));
    },
  };
}

/** Names of the ConfigMaps and Secrets (written or generated) that the changed files hold on either side. */
export function substitutedNames(sides: Workspace[], changed: Set<string>): Set<string> {
  const names = new Set<string>();
  const kinds = new Set(['ConfigMap', 'Secret']);
  for (const ws of sides) {
    for (const f of changed) for (const o of ws.index.objectsIn(f)) if (kinds.has(o.kind)) names.add(o.name);
    // A generator's input (an .env file) is not indexed: the objects generated from any changed file's folder count.
    for (const o of ws.index.allCreated()) if (kinds.has(o.kind) && (changed.has(o.file) || [...changed].some((f) => under(f, o.file.slice(0, o.file.lastIndexOf('/')))))) names.add(o.name);
  }
  return names;
}

/**
 * Both sides' models for a changed-only diff and the owners selected. A
 * selected release is rendered as every Kustomization that applies it
 * applies it (also when nothing one of them reads changed, or when it was
 * selected for its chart source or a valuesFrom object): the
 * Kustomizations whose reach holds its file are then built on both sides
 * and the selection is made again (a few rounds at most). `baseModel` may
 * return a kept model for the same key.
 */
export function changedOnlySides(head: Workspace, base: Workspace, changed: Set<string>, repoRoot: string, baseModel: (key: string, make: () => SideModel) => SideModel): { head: SideModel; base: SideModel; selection: Selection } {
  const substituted = substitutedNames([head, base], changed);
  const changedKey = [...changed].sort().join('\u0000');
  const has = (ws: Workspace, f: string) => ws.readText(f) !== undefined;
  const structural = new Set([...changed].filter((f) => has(head, f) !== has(base, f)));
  const model = (ws: Workspace, wanted: Set<string>) => {
    // The base takes the head's reaches that followed the same texts, when both sides have the same files.
    const lazy = lazyEvaluation(ws, changed, substituted, wanted, structural, ws === base && structural.size === 0 ? head : undefined);
    const evaluations = ws.fleet.evaluatePartial(lazy);
    return sideModel(ws, { evaluations, covered: (f) => lazy.coveredBySkipped(f), inSkippedReach: (f) => lazy.inSkippedReach(f), isPatchFile: (f) => lazy.isPatchFile(f) });
  };
  const wanted = new Set<string>();
  for (let round = 0; ; round++) {
    const h = model(head, wanted);
    const b = baseModel(`${changedKey}\u0001${[...wanted].sort().join('\u0000')}`, () => model(base, wanted));
    const selection = selectChanged(b, h, changed, repoRoot);
    const more: string[] = [];
    // An owner name held by a Kustomization left out on one side (names of clashing Kustomizations follow their order).
    for (const id of selection.kustomizations) for (const side of [h, b]) {
      const k = side.skipped?.get(id);
      if (k && !wanted.has(k.object.file)) more.push(k.object.file);
    }
    for (const id of selection.releases) {
      for (const side of [h, b]) {
        const hr = side.releases.get(id);
        // Every Kustomization that may apply it is built: it is rendered once per distinct applied object.
        if (hr && side.inSkippedReach?.(hr.file) && !wanted.has(hr.file)) more.push(hr.file);
      }
    }
    if (more.length === 0 || round >= 3) return { head: h, base: b, selection };
    for (const f of more) wanted.add(f);
  }
}
