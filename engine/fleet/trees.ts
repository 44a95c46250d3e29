/**
 * Cluster trees: what each cluster root makes Flux apply. From the root's
 * sync Kustomization, each Kustomization is built the way
 * kustomize-controller builds it; the Flux Kustomizations among the built
 * objects are followed when their source is this repository, and evaluated
 * as the parent applies them (the parent's patches and postBuild
 * substitution already applied to the child object). A Kustomization with
 * `spec.kubeConfig` applies to another cluster, so it starts a tree of its
 * own. Kustomizations whose source is another repository or artifact are
 * recorded, not built.
 *
 * Each tree remembers every file its builds read (and the text read), so
 * the model can re-evaluate only the trees a change touches.
 */
import type { EngineHost } from '../host.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { evaluateFluxKustomizationSteps, type FluxKustomizationBuild, type FluxWorkspace } from '../flux/kustomization.ts';
import { isPlainMap } from '../kustomize/resource.ts';
import type { ClusterRoot } from './roots.ts';

export interface TreeKustomization {
  /** The written object (for a root of the Flux Operator: the object that creates the sync). */
  object: IndexedObject;
  /** The Kustomization as Flux applies it. */
  applied: Record<string, unknown>;
  build: FluxKustomizationBuild;
  /** `spec.decryption` is set: SOPS documents it applies are decrypted. */
  decrypts: boolean;
  /** Id of the cluster its objects are applied to. */
  cluster: string;
  /** "Kustomization flux-system/apps", for messages. */
  label: string;
  /** Its key in the EvaluationMemo. */
  memoKey: string;
  /** Not built by a lazy evaluation (`build` is empty): it stands in its place so names and order stay as in a full one. */
  skipped?: true;
}

export interface ClusterTree {
  root: ClusterRoot;
  kustomizations: TreeKustomization[];
  /** Kustomizations of the tree whose source is not this repository (their path is not built). */
  external: { object: IndexedObject; applied: Record<string, unknown> }[];
  /** Every file the builds read, with the text read (undefined: missing). */
  reads: Map<string, string | undefined>;
  /** The clusters of this tree (the root's, and one per kubeConfig Kustomization), with labels. */
  clusters: Map<string, string>;
}

/**
 * A partial evaluation (the rendered diff's changed-only mode): only the
 * Kustomizations whose output can differ from another revision are built.
 * A Kustomization applied by a parent that `needed` did not call `changed`
 * is applied the same way on both revisions, and `needed` says whether its
 * own build can differ (`changed`), must run for another reason (`build`:
 * to find the Kustomizations it applies, or because a selected release
 * needs its output), or can be left out. Every child of a build that
 * `changesChildren` is built.
 */
export interface LazyRule {
  /** `loose`: a Kustomization no cluster root reaches, evaluated alone. */
  needed(k: { object: IndexedObject; applied: Record<string, unknown>; follow: boolean; loose: boolean }): 'changed' | 'build' | false;
  /** Whether a build can apply its children differently on the other side: it read a changed file, or its folders gained or lost one. */
  changesChildren(k: { object: IndexedObject; applied: Record<string, unknown> }, reads: Map<string, string | undefined>): boolean;
}

/** Guards against a Kustomization that (through its children) applies itself forever. */
const MAX_KUSTOMIZATIONS = 5000;

function isFluxKustomization(o: Record<string, unknown>): boolean {
  return o.kind === 'Kustomization' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

function metaOf(o: Record<string, unknown>): { name: string; namespace?: string } {
  const m = isPlainMap(o.metadata) ? o.metadata : {};
  return { name: typeof m.name === 'string' ? m.name : '', namespace: typeof m.namespace === 'string' && m.namespace ? m.namespace : undefined };
}

/** How a Flux Kustomization is named in findings and owners: `Kustomization ns/name`. */
export const labelOf = (meta: { name: string; namespace?: string }) => `Kustomization ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;

/**
 * A host that serves the workspace's current texts and records what was
 * read. Binary reads (a generator's `files`) are recorded too, as the text
 * `readFile` gives, and a file the workspace holds a text of (an unsaved
 * edit) is served from that text: otherwise an edit of a generator's input
 * would leave a build that read it looking fresh.
 */
export function trackingHost(ws: FluxWorkspace, host: EngineHost, reads: Map<string, string | undefined>): EngineHost {
  const readBinary = host.readBinary?.bind(host);
  return {
    ...host,
    readFile: (p) => {
      const text = ws.index.fileText(p) ?? host.readFile(p);
      if (!reads.has(p)) reads.set(p, text);
      return text;
    },
    readBinary: readBinary
      ? (p) => {
          const held = ws.index.fileText(p);
          if (!reads.has(p)) reads.set(p, held ?? host.readFile(p));
          return held !== undefined ? new TextEncoder().encode(held) : readBinary(p);
        }
      : undefined,
  };
}

export interface TreeOptions {
  isThisRepository: (ref: unknown, fromNamespace: string | undefined) => boolean;
  /** Follow the Kustomizations the root builds (default); off to evaluate one Kustomization alone. */
  follow?: boolean;
  /** Builds of earlier evaluations, reused while the Kustomization is applied the same way and nothing it read changed. */
  memo?: EvaluationMemo;
  /** Build only what this rule asks for (the tree is then partial: its `reads` are those of the built ones). */
  lazy?: LazyRule;
}

/** Per-Kustomization builds kept between evaluations (see FleetModel). */
export class EvaluationMemo {
  private entries = new Map<string, { build: FluxKustomizationBuild; reads: Map<string, string | undefined> }>();
  private used = new Set<string>();
  /** Kustomizations built (not reused) since the last `sweep`. */
  built = 0;

  get(ws: FluxWorkspace, key: string): { build: FluxKustomizationBuild; reads: Map<string, string | undefined> } | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    for (const [p, text] of hit.reads) {
      const now = ws.index.fileText(p);
      if (now !== undefined && now !== text) return undefined;
    }
    this.used.add(key);
    return hit;
  }

  put(key: string, value: { build: FluxKustomizationBuild; reads: Map<string, string | undefined> }): void {
    this.entries.set(key, value);
    this.used.add(key);
    this.built++;
  }

  /** Keeps the entries used since the last sweep, for trees evaluated since or kept (`keep`). */
  sweep(keep: Iterable<string>): void {
    for (const k of keep) this.used.add(k);
    for (const k of this.entries.keys()) if (!this.used.has(k)) this.entries.delete(k);
    this.used = new Set();
    this.built = 0;
  }

  clear(): void {
    this.entries.clear();
    this.used.clear();
    this.built = 0;
  }

  /**
   * Takes the entries of another workspace's memo that `fresh` accepts (the
   * base side of a rendered diff reuses the working tree's builds of
   * Kustomizations that read the same texts). Entries are shared, never changed.
   */
  adopt(from: EvaluationMemo, fresh: (entry: { build: FluxKustomizationBuild; reads: Map<string, string | undefined> }) => boolean): number {
    let n = 0;
    for (const [key, entry] of from.entries) {
      if (this.entries.has(key) || !fresh(entry)) continue;
      this.entries.set(key, entry);
      n++;
    }
    return n;
  }
}

/** Evaluates the tree of one cluster root. Never throws on user input. */
export function evaluateTree(ws: FluxWorkspace, host: EngineHost, root: ClusterRoot, opts: TreeOptions): ClusterTree {
  return drain(evaluateTreeSteps(ws, host, root, opts));
}

/** Runs a stepped evaluation to its end. */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * evaluateTree in steps: it yields after each Kustomization it had to build (one not in the memo), so a caller
 * can let other work in between the builds of a large tree.
 */
export function* evaluateTreeSteps(ws: FluxWorkspace, host: EngineHost, root: ClusterRoot, opts: TreeOptions): Generator<void, ClusterTree, void> {
  const reads = new Map<string, string | undefined>();
  const tree: ClusterTree = { root, kustomizations: [], external: [], reads, clusters: new Map([[root.id, root.label]]) };
  if (!root.object) return tree;
  const rootApplied = root.written ? (ws.index.valueOf(root.object) ?? {}) : { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: root.kustomization.name, namespace: root.kustomization.namespace }, spec: root.kustomization.spec };
  // `dirty`: applied by a parent whose build can read a changed file (lazy evaluation builds it whatever it reads).
  const queue: { object: IndexedObject; applied: Record<string, unknown>; cluster: string; dirty?: boolean }[] = [{ object: root.object, applied: rootApplied, cluster: root.id }];
  const seen = new Set<string>();
  while (queue.length > 0 && tree.kustomizations.length < MAX_KUSTOMIZATIONS) {
    const { object, applied, cluster, dirty } = queue.shift()!;
    const meta = metaOf(applied);
    const key = `${cluster}\u0000${meta.namespace ?? ''}/${meta.name}\u0000${object.file}:${object.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const spec = isPlainMap(applied.spec) ? applied.spec : {};
    if (!opts.isThisRepository(spec.sourceRef, meta.namespace)) tree.external.push({ object, applied });
    const memoKey = `${cluster}\u0000${object.file}:${object.start}\u0000${JSON.stringify(applied)}`;
    const need = opts.lazy && !dirty ? opts.lazy.needed({ object, applied, follow: opts.follow !== false, loose: root.id.startsWith('loose:') }) : 'changed';
    if (!need) {
      const build: FluxKustomizationBuild = { source: { file: object.file, name: object.name, namespace: object.namespace, span: { file: object.file, start: object.start, end: object.end } }, implicit: false, resources: [], diagnostics: [], variables: new Map() };
      tree.kustomizations.push({ object, applied, build, decrypts: isPlainMap(spec.decryption), cluster, label: labelOf(meta), memoKey, skipped: true });
      continue;
    }
    let entry = opts.memo?.get(ws, memoKey);
    if (!entry) {
      const own = new Map<string, string | undefined>();
      own.set(object.file, ws.index.fileText(object.file));
      const build = yield* evaluateFluxKustomizationSteps(ws, trackingHost(ws, host, own), object, { applied, isThisRepository: opts.isThisRepository });
      // The postBuild variables come from ConfigMaps/Secrets read through the index: their files count as read.
      for (const v of build.variables.values()) if (!own.has(v.span.file)) own.set(v.span.file, ws.index.fileText(v.span.file));
      entry = { build, reads: own };
      opts.memo?.put(memoKey, entry);
      yield;
    }
    for (const [p, text] of entry.reads) if (!reads.has(p)) reads.set(p, text);
    const build = entry.build;
    tree.kustomizations.push({ object, applied, build, decrypts: isPlainMap(spec.decryption), cluster, label: labelOf(meta), memoKey });
    if (opts.follow === false) continue;
    const childrenDirty = !!opts.lazy && (dirty || (need === 'changed' && opts.lazy.changesChildren({ object, applied }, entry.reads)));
    for (const r of build.resources) {
      if (!isFluxKustomization(r.object) || r.origin.type !== 'file') continue;
      const child = ws.index.objectsIn(r.origin.file).find((o) => o.start <= r.origin.start && r.origin.start < Math.max(o.end, o.start + 1) && o.kind === 'Kustomization');
      if (!child) continue;
      const childMeta = metaOf(r.object);
      const childSpec = isPlainMap(r.object.spec) ? r.object.spec : {};
      let childCluster = cluster;
      if (isPlainMap(childSpec.kubeConfig)) {
        childCluster = `${cluster}>${childMeta.namespace ?? ''}/${childMeta.name}`;
        tree.clusters.set(childCluster, `the cluster of ${childMeta.namespace ? `${childMeta.namespace}/` : ''}${childMeta.name}'s kubeConfig`);
      }
      queue.push({ object: child, applied: r.object, cluster: childCluster, ...(childrenDirty ? { dirty: true } : {}) });
    }
  }
  return tree;
}

/**
 * Whether a tree read a file of the workspace whose text has changed since
 * (the tree must be evaluated again). Files appearing or disappearing are
 * the caller's business (the index's fileSetVersion).
 */
export function treeIsStale(ws: FluxWorkspace, tree: ClusterTree): boolean {
  for (const [p, text] of tree.reads) {
    const now = ws.index.fileText(p);
    if (now !== undefined && now !== text) return true;
  }
  return false;
}
