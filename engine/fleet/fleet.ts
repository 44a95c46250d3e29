/**
 * The workspace as Flux builds and applies it: the cluster roots, the tree
 * of Kustomizations each one applies (trees.ts), and what follows from it
 * for every file:
 *
 * - which clusters apply a file's objects (references resolve within the
 *   cluster that applies the referring object);
 * - whether a decrypting Kustomization applies it (SOPS documents);
 * - which documents are applied as built (their findings come from the
 *   built object: the namespace transformer, patches, substitution);
 * - files no cluster root reaches (still checked, and the findings say so).
 *
 * Kustomizations of this repository that no root reaches are evaluated
 * alone, as before there were roots. Incremental: on a change, only the
 * trees that read a changed file are evaluated again (all of them when
 * files appear or disappear).
 */
import type { EngineHost } from '../host.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { FluxWorkspace } from '../flux/kustomization.ts';
import { valueAt } from '../util/value-at.ts';
import { findClusterRoots, isFluxKustomization, thisRepository, type ClusterRoot } from './roots.ts';
import { evaluateTree, evaluateTreeSteps, drain, labelOf, treeIsStale, trackingHost, EvaluationMemo, type ClusterTree, type LazyRule, type TreeKustomization } from './trees.ts';
import { buildKustomizationSteps } from '../kustomize/build.ts';
import type { KustomizeBuild } from '../kustomize/types.ts';

export interface FleetWorkspace extends FluxWorkspace {
  host: EngineHost;
  repoRootFor(file: string, path?: string): string;
}

export interface AppliedDocument {
  start: number;
  end: number;
  /** Some Kustomization that applies it has `spec.decryption`. */
  decrypted: boolean;
  /** Labels of the Kustomizations that apply it. */
  by: string[];
}

export interface KustomizeFolderBuild {
  dir: string;
  build: KustomizeBuild;
  reads: Map<string, string | undefined>;
}

export interface FleetState {
  roots: ClusterRoot[];
  /** One per root. */
  trees: ClusterTree[];
  /** Kustomizations of this repository no root reaches, each evaluated alone (one tree each, not followed). */
  loose: ClusterTree[];
  /** Every Kustomization evaluation, trees first. */
  evaluations: TreeKustomization[];
  /** File → the clusters that apply objects of it. */
  fileClusters: Map<string, Set<string>>;
  /** File → the documents applied as built resources, with whether a decrypting Kustomization applies each. */
  applied: Map<string, AppliedDocument[]>;
  /** Every file some root's builds read (resources, kustomization files, patches, generator inputs). */
  reached: Set<string>;
  /** `file:start` of every written Kustomization a tree evaluates. */
  treeObjects: Set<string>;
  /**
   * Plain kustomize folders nothing else reads (a bootstrap applied with
   * `kustomize build | kubectl apply`): built on their own, so what they
   * make of their resources (namespace transformer, Components) is checked.
   */
  kustomizeBuilds: KustomizeFolderBuild[];
  /** File → documents checked as built objects (by a tree or a kustomize folder build) instead of as written. */
  checkedAsBuilt: Map<string, { start: number; end: number }[]>;
  isThisRepository: (ref: unknown, fromNamespace: string | undefined) => boolean;
}

const rootKey = (r: ClusterRoot) => `${r.id}\u0000${JSON.stringify(r.kustomization)}\u0000${r.url ?? ''}`;

export class FleetModel {
  private state?: { version: number; fileSetVersion: number; value: FleetState };
  /** Kustomizations and kustomize folders built by the last `get()` (for tests and benchmarks: how much an edit re-evaluated). */
  lastEvaluated = 0;
  private readonly memo = new EvaluationMemo();
  /** Builds of another fleet to start from (see `seed`), taken on the next evaluation. */
  private seedFrom?: { fleet: FleetModel; fresh: Parameters<EvaluationMemo['adopt']>[1] };

  constructor(private readonly ws: FleetWorkspace, private folders: string[] = []) {}

  /**
   * Lets the first evaluation reuse another fleet's per-Kustomization builds
   * that `fresh` accepts (what they read is the same here): the base side of
   * a rendered diff evaluates only what the change touches.
   */
  seed(fleet: FleetModel, fresh: Parameters<EvaluationMemo['adopt']>[1]): void {
    this.seedFrom = { fleet, fresh };
  }

  /** Folders set as cluster roots by the user (settings, `--root`). */
  setRootFolders(folders: string[]): void {
    this.folders = folders.map((f) => f.replace(/\/+$/, '') || '/');
    this.state = undefined;
    this.ruleCache = undefined;
  }

  private ruleCache?: { version: number; roots: ClusterRoot[]; key: string; isThisRepository: FleetState['isThisRepository'] };

  /** The cluster roots and the "source is this repository" rule, without evaluating any tree. */
  rule(): { roots: ClusterRoot[]; key: string; isThisRepository: FleetState['isThisRepository'] } {
    const { index } = this.ws;
    if (this.ruleCache && this.ruleCache.version === index.version) return this.ruleCache;
    const roots = findClusterRoots(index, (f, p) => this.ws.repoRootFor(f, p), this.folders);
    // The rule depends on the sync sources and on the URLs of the workspace's GitRepositories.
    const urls: string[] = [];
    for (const o of index.allObjects()) if (o.kind === 'GitRepository') urls.push(`${o.namespace ?? ''}/${o.name}=${String(valueAt(index.valueOf(o), ['spec', 'url']) ?? '')}`);
    const key = [...roots.map((r) => `${r.source.kind}/${r.source.namespace}/${r.source.name}@${r.url ?? ''}`), ...urls].sort().join(',');
    this.ruleCache = { version: index.version, roots, key, isThisRepository: thisRepository(index, roots) };
    return this.ruleCache;
  }

  /**
   * The last computed state, even if files changed since (the typing path uses it; the debounced workspace
   * refresh computes the current one). The current state when none was computed yet.
   */
  latest(): FleetState {
    return this.state?.value ?? this.get();
  }

  get(): FleetState {
    return drain(this.getSteps());
  }

  /** Whether the last computed state is of the workspace's current files (`get()` would not evaluate anything). */
  current(): boolean {
    return this.state !== undefined && this.state.version === this.ws.index.version;
  }

  /**
   * `get()` in steps: it yields after each Kustomization or kustomize folder it has to build, so the server can
   * answer messages between the builds of a large fleet. The state is kept under the index version it started
   * on: files changed meanwhile make the next `get()` evaluate again what read them.
   */
  *getSteps(): Generator<void, FleetState, void> {
    const { index } = this.ws;
    if (this.state && this.state.version === index.version) return this.state.value;
    const version = index.version;
    const fileSetVersion = index.fileSetVersion;
    const previous = this.state && this.state.fileSetVersion === index.fileSetVersion ? this.state.value : undefined;
    const { roots, isThisRepository } = this.rule();
    const sameRepoRule = previous && previous.roots.length === roots.length && previous.roots.every((r, i) => rootKey(r) === rootKey(roots[i]));
    const reuse = (old: ClusterTree | undefined): ClusterTree | undefined => (sameRepoRule && old && !treeIsStale(this.ws, old) ? old : undefined);
    const memo = this.prepareMemo(!previous || !sameRepoRule);
    let evaluated = 0;
    const oldTrees = new Map((previous?.trees ?? []).map((t) => [rootKey(t.root), t]));
    const trees: ClusterTree[] = [];
    for (const r of roots) trees.push(reuse(oldTrees.get(rootKey(r))) ?? (yield* evaluateTreeSteps(this.ws, this.ws.host, r, { isThisRepository, memo })));
    // Kustomizations in files some tree read (as a resource, a patch...) are covered by that tree.
    const inTrees = new Set<string>();
    for (const t of trees) for (const f of t.reads.keys()) inTrees.add(f);
    const oldLoose = new Map((previous?.loose ?? []).map((t) => [t.root.id, t]));
    const loose: ClusterTree[] = [];
    for (const o of index.allObjects()) {
      if (!isFluxKustomization(o) || o.generated || inTrees.has(o.file)) continue;
      const root = looseRoot(o);
      const hit = reuse(oldLoose.get(root.id));
      if (hit) {
        loose.push(hit);
        continue;
      }
      loose.push(yield* evaluateTreeSteps(this.ws, this.ws.host, root, { isThisRepository, follow: false, memo }));
    }
    const covered = new Set(inTrees);
    for (const t of loose) for (const f of t.reads.keys()) covered.add(f);
    const oldFolders = new Map((previous?.kustomizeBuilds ?? []).map((b) => [b.dir, b]));
    const kustomizeBuilds: KustomizeFolderBuild[] = [];
    const files = index.filePaths().filter((f) => !covered.has(f) && index.objectsIn(f).some((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.config.k8s.io/'))).sort();
    for (const file of files) {
      if (covered.has(file)) continue; // read by the build of a folder above it in the list
      const dir = file.slice(0, file.lastIndexOf('/'));
      const old = oldFolders.get(dir);
      let b = old && sameRepoRule && !treeIsStale(this.ws, { reads: old.reads } as ClusterTree) ? old : undefined;
      if (!b) {
        evaluated++;
        const reads = new Map<string, string | undefined>();
        b = { dir, build: yield* buildKustomizationSteps(trackingHost(this.ws, this.ws.host, reads), dir), reads };
        yield;
      }
      kustomizeBuilds.push(b);
      for (const f of b.reads.keys()) covered.add(f);
    }
    this.lastEvaluated = evaluated + memo.built;
    memo.sweep([...trees, ...loose].flatMap((t) => t.kustomizations.map((k) => k.memoKey)));
    const value = summarize(roots, trees, loose, kustomizeBuilds, isThisRepository);
    // A newer evaluation (a `get()` between the steps) of a later index version stays.
    if (!this.state || this.state.version <= version) this.state = { version, fileSetVersion, value };
    return value;
  }

  /**
   * A partial evaluation for a rendered diff: the trees and loose
   * Kustomizations as `get()` evaluates them, but only the Kustomizations
   * `lazy` asks for are built (no plain kustomize folders). Not kept as the
   * model's state; the builds go to the memo that `get()` reuses.
   */
  evaluatePartial(lazy: LazyRule): TreeKustomization[] {
    const { index } = this.ws;
    const { roots, isThisRepository } = this.rule();
    const memo = this.prepareMemo(false);
    const trees = roots.map((r) => evaluateTree(this.ws, this.ws.host, r, { isThisRepository, memo, lazy }));
    const inTrees = new Set<string>();
    for (const t of trees) for (const f of t.reads.keys()) inTrees.add(f);
    const loose: ClusterTree[] = [];
    for (const o of index.allObjects()) {
      if (!isFluxKustomization(o) || o.generated || inTrees.has(o.file)) continue;
      loose.push(evaluateTree(this.ws, this.ws.host, looseRoot(o), { isThisRepository, follow: false, memo, lazy }));
    }
    this.lastEvaluated = memo.built;
    return [...trees, ...loose].flatMap((t) => t.kustomizations);
  }

  private memoFileSet = -1;

  /**
   * The memo for an evaluation: emptied when asked (`clear`) or when the set
   * of files changed (it checks texts, not files that disappeared), then
   * given the builds of the workspace it was seeded from.
   */
  private prepareMemo(clear: boolean): EvaluationMemo {
    const { fileSetVersion } = this.ws.index;
    if (clear || this.memoFileSet !== fileSetVersion) this.memo.clear();
    this.memoFileSet = fileSetVersion;
    if (this.seedFrom) {
      this.memo.adopt(this.seedFrom.fleet.memo, this.seedFrom.fresh);
      this.seedFrom = undefined;
    }
    return this.memo;
  }

  /** The clusters that apply objects of a file (undefined: no root reaches it, or there are no roots). */
  clustersOf(file: string): Set<string> | undefined {
    return this.get().fileClusters.get(file);
  }

  /**
   * Whether a reference from `from` may be satisfied by `target`: both are
   * applied to a common cluster, or either is applied by no root (then the
   * workspace-wide answer stands).
   */
  allows(from: IndexedObject, target: IndexedObject): boolean {
    const a = this.clustersOf(from.file);
    const b = this.clustersOf(target.file);
    if (!a || !b) return true;
    for (const c of a) if (b.has(c)) return true;
    return false;
  }

  /** Whether a cluster tree evaluates this Kustomization (its path is checked as applied, by the build check). */
  checkedAsApplied(from: IndexedObject): boolean {
    return this.get().treeObjects.has(`${from.file}:${from.start}`);
  }

  /** Whether the workspace has roots and none of them reaches this file. */
  unreached(file: string): boolean {
    const s = this.get();
    return s.roots.length > 0 && !s.reached.has(file);
  }
}

/** A Kustomization no root reaches, evaluated alone. */
function looseRoot(o: IndexedObject): ClusterRoot {
  return { id: `loose:${o.file}:${o.start}:${o.namespace ?? ''}/${o.name}`, label: labelOf(o), object: o, written: true, kustomization: { name: o.name, namespace: o.namespace ?? '', spec: {} }, source: { kind: '', name: '', namespace: '' } };
}

function summarize(roots: ClusterRoot[], trees: ClusterTree[], loose: ClusterTree[], kustomizeBuilds: KustomizeFolderBuild[], isThisRepository: FleetState['isThisRepository']): FleetState {
  const fileClusters = new Map<string, Set<string>>();
  const applied = new Map<string, AppliedDocument[]>();
  const reached = new Set<string>();
  const evaluations: TreeKustomization[] = [];
  const treeObjects = new Set<string>();
  for (const t of trees) {
    for (const f of t.reads.keys()) reached.add(f);
    if (t.root.object) reached.add(t.root.object.file);
    for (const k of t.kustomizations) {
      evaluations.push(k);
      if (!k.object.createdBy && k.object.kind === 'Kustomization') treeObjects.add(`${k.object.file}:${k.object.start}`);
      for (const r of k.build.resources) {
        const file = r.origin.file;
        let set = fileClusters.get(file);
        if (!set) fileClusters.set(file, (set = new Set()));
        set.add(k.cluster);
        if (r.origin.type !== 'file') continue;
        let docs = applied.get(file);
        if (!docs) applied.set(file, (docs = []));
        let cur = docs.find((d) => d.start === r.origin.start);
        if (!cur) docs.push((cur = { start: r.origin.start, end: r.origin.end, decrypted: false, by: [] }));
        cur.decrypted ||= k.decrypts;
        if (!cur.by.includes(k.label)) cur.by.push(k.label);
      }
    }
  }
  for (const t of loose) evaluations.push(...t.kustomizations);
  const checkedAsBuilt = new Map<string, { start: number; end: number }[]>();
  const mark = (file: string, start: number, end: number) => {
    const list = checkedAsBuilt.get(file) ?? [];
    if (!list.some((d) => d.start === start)) list.push({ start, end });
    checkedAsBuilt.set(file, list);
  };
  for (const [file, docs] of applied) for (const d of docs) mark(file, d.start, d.end);
  for (const b of kustomizeBuilds) for (const r of b.build.resources) if (r.origin.type === 'file') mark(r.origin.file, r.origin.start, r.origin.end);
  return { roots, trees, loose, evaluations, fileClusters, applied, reached, treeObjects, kustomizeBuilds, checkedAsBuilt, isThisRepository };
}
