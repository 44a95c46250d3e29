/**
 * Cluster roots: where Flux starts applying a repository. Each cluster is
 * bootstrapped with one sync source (a GitRepository of this repository)
 * and one sync Kustomization that builds a folder of it; everything else
 * the cluster runs is reached from there. Roots are found as Flux creates
 * them:
 *
 * - `flux bootstrap`: the Kustomization of `gotk-sync.yaml` (or any Flux
 *   Kustomization written in the same file as the GitRepository it syncs);
 * - the Flux Operator: a FluxInstance's `spec.sync`, or a HelmRelease of the
 *   `flux-instance` chart with `values.instance.sync` (source and
 *   Kustomization named `sync.name`, else after the namespace);
 * - a folder given by the user (setting `fluxhelm.workspace.roots`, CLI
 *   `--root`), synced from the repository's `flux-system` GitRepository.
 *
 * Also decides which sources are "this repository": the sync sources, and
 * any GitRepository with the same URL. Only Kustomizations of those sources
 * can be built from the workspace.
 */
import type { IndexedObject, WorkspaceIndex } from '../workspace/index.ts';
import { valueAt } from '../util/value-at.ts';

export interface SourceId {
  kind: string;
  name: string;
  namespace: string;
}

export interface ClusterRoot {
  /** Stable id, e.g. `clusters/staging/flux-system/gotk-sync.yaml#flux-system/flux-system`. */
  id: string;
  /** For messages: "cluster root flux-system/flux-system (clusters/staging)". */
  label: string;
  /** The written sync Kustomization, or the object that creates it (FluxInstance, HelmRelease), or none for a folder root. */
  object?: IndexedObject;
  /** Whether `object` is the Kustomization itself (else the Kustomization is synthesized from `spec`). */
  written: boolean;
  /** The Kustomization the cluster syncs, as Flux applies it. */
  kustomization: { name: string; namespace: string; spec: Record<string, unknown> };
  source: SourceId;
  /** The source's URL when known (for "a GitRepository with the same URL"). */
  url?: string;
  /** The branch synced, when known (a GitRepository of the same URL on another branch is not this checkout). */
  branch?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Git URLs compared loosely: scheme, user, `.git` and trailing slashes do not matter. */
export function normalizeGitUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]+@/, '')
    .replace(/^([^/:]+):(?!\d)/, '$1/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io), not a kustomize one. */
export function isFluxKustomization(o: IndexedObject): boolean {
  return o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

function isFluxInstanceRelease(value: Record<string, unknown>): boolean {
  if (str(valueAt(value, ['spec', 'chart', 'spec', 'chart'])) === 'flux-instance') return true;
  const ref = str(valueAt(value, ['spec', 'chartRef', 'name']));
  return ref !== undefined && /flux-instance/.test(ref);
}

/** Finds the cluster roots of the workspace. `folders` are absolute folders given by the user. */
export function findClusterRoots(index: WorkspaceIndex, repoRootFor: (file: string, path?: string) => string, folders: string[] = []): ClusterRoot[] {
  const roots: ClusterRoot[] = [];
  const seen = new Set<string>();
  const add = (r: ClusterRoot) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    roots.push(r);
  };
  for (const o of index.allObjects()) {
    if (isFluxKustomization(o)) {
      const inFile = index.objectsIn(o.file);
      const base = o.file.slice(o.file.lastIndexOf('/') + 1);
      const value = index.valueOf(o);
      const spec = isMap(value?.spec) ? value.spec : undefined;
      if (!spec) continue;
      const refKind = str(valueAt(spec, ['sourceRef', 'kind'])) ?? '';
      const refName = str(valueAt(spec, ['sourceRef', 'name'])) ?? '';
      const ns = o.namespace ?? 'flux-system';
      const refNs = str(valueAt(spec, ['sourceRef', 'namespace'])) ?? ns;
      const sibling = inFile.find((s) => s.kind === refKind && s.name === refName && (s.namespace ?? 'flux-system') === refNs && s.apiVersion.startsWith('source.toolkit.fluxcd.io/'));
      // `flux bootstrap` writes the sync pair into gotk-sync.yaml; elsewhere, a flux-system Kustomization beside its GitRepository.
      // (A tenant's sync pair, written into the repository and applied by a parent, is not a root.)
      if (refKind !== 'GitRepository' || (base !== 'gotk-sync.yaml' && !(sibling && o.name === 'flux-system'))) continue;
      const srcValue = sibling ? index.valueOf(sibling) : undefined;
      add({
        id: `${o.file}#${ns}/${o.name}`,
        label: `cluster root Kustomization ${ns}/${o.name}`,
        object: o,
        written: true,
        kustomization: { name: o.name, namespace: ns, spec },
        source: { kind: refKind, name: refName, namespace: refNs },
        url: str(valueAt(srcValue, ['spec', 'url'])),
        branch: str(valueAt(srcValue, ['spec', 'ref', 'branch'])),
      });
    } else if ((o.kind === 'FluxInstance' && o.apiVersion.startsWith('fluxcd.controlplane.io/')) || (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/'))) {
      if (o.kind === 'HelmRelease' && !(index.fileText(o.file) ?? '').slice(o.start, o.end).includes('flux-instance')) continue;
      const value = index.valueOf(o);
      if (!value) continue;
      let sync: unknown;
      let namespace = o.namespace;
      if (o.kind === 'FluxInstance') sync = valueAt(value, ['spec', 'sync']);
      else {
        if (!isFluxInstanceRelease(value)) continue;
        sync = valueAt(value, ['spec', 'values', 'instance', 'sync']);
        namespace = str(valueAt(value, ['spec', 'targetNamespace'])) ?? namespace;
      }
      if (!isMap(sync)) continue;
      const ns = namespace ?? 'flux-system';
      const name = str(sync.name) ?? ns;
      const kind = str(sync.kind) ?? 'GitRepository';
      const path = str(sync.path) ?? './';
      add({
        id: `${o.file}#${o.kind}/${ns}/${o.name}`,
        label: `cluster root ${ns}/${name} (sync of ${o.kind} ${o.name})`,
        object: o,
        written: false,
        kustomization: { name, namespace: ns, spec: { path, prune: true, interval: '10m', sourceRef: { kind, name } } },
        source: { kind, name, namespace: ns },
        url: str(sync.url),
        branch: str(sync.ref)?.replace(/^refs\/heads\//, ''),
      });
    }
  }
  for (const c of index.allCreated()) {
    // The placeholder `flux bootstrap` commits: it syncs the folder above its flux-system folder.
    if (c.createdBy?.kind !== 'gotk-sync.yaml' || c.kind !== 'Kustomization') continue;
    const clusterDir = c.file.slice(0, c.file.lastIndexOf('/')).replace(/\/[^/]*$/, '') || '/';
    const repoRoot = repoRootFor(c.file);
    const rel = clusterDir.startsWith(`${repoRoot}/`) ? `./${clusterDir.slice(repoRoot.length + 1)}` : './';
    add({
      id: `${c.file}#flux-system/flux-system`,
      label: `cluster root Kustomization flux-system/flux-system (${rel})`,
      object: c,
      written: false,
      kustomization: { name: 'flux-system', namespace: 'flux-system', spec: { path: rel, prune: true, interval: '10m', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } },
      source: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
    });
  }
  for (const folder of folders) {
    const dir = folder.replace(/\/+$/, '') || '/';
    const repoRoot = repoRootFor(`${dir}/x`);
    const rel = dir.startsWith(`${repoRoot}/`) ? `./${dir.slice(repoRoot.length + 1)}` : './';
    const sync = [...index.allObjects()].find((o) => o.kind === 'GitRepository' && o.name === 'flux-system');
    add({
      id: `folder:${dir}`,
      label: `cluster root ${rel} (set in settings)`,
      // Stands for the sync Kustomization no file declares (anything about it is reported at the folder).
      object: { file: dir, start: 0, end: 0, apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'flux-system', namespace: 'flux-system', createdBy: { kind: 'settings', name: dir, how: 'a cluster root set in settings' } },
      written: false,
      kustomization: { name: 'flux-system', namespace: 'flux-system', spec: { path: rel, prune: true, interval: '10m', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } },
      source: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
      url: sync ? str(valueAt(index.valueOf(sync), ['spec', 'url'])) : undefined,
    });
  }
  return roots;
}

/**
 * Decides whether a Kustomization's sourceRef is this repository: one of
 * the roots' sync sources, or a GitRepository of the workspace with the
 * same URL as one. Without roots, the `flux-system` GitRepository (the
 * bootstrap convention) and GitRepositories with its URL are.
 */
export function thisRepository(index: WorkspaceIndex, roots: ClusterRoot[]): (ref: unknown, fromNamespace: string | undefined) => boolean {
  const ids = new Set<string>();
  /** Normalized URL → branches synced from it ('' when unknown: any branch matches). */
  const urls = new Map<string, Set<string>>();
  const byName = new Map<string, { url?: string; branch?: string }>();
  for (const o of index.allObjects()) {
    if (o.kind !== 'GitRepository' || !o.apiVersion.startsWith('source.toolkit.fluxcd.io/')) continue;
    const v = index.valueOf(o);
    const src = { url: str(valueAt(v, ['spec', 'url'])), branch: str(valueAt(v, ['spec', 'ref', 'branch'])) };
    byName.set(`${o.namespace ?? ''}/${o.name}`, src);
    if (!byName.has(`*/${o.name}`)) byName.set(`*/${o.name}`, src);
  }
  const addUrl = (url: string | undefined, branch: string | undefined) => {
    if (!url) return;
    const key = normalizeGitUrl(url);
    const set = urls.get(key) ?? new Set<string>();
    set.add(branch ?? '');
    urls.set(key, set);
  };
  if (roots.length === 0) {
    ids.add('GitRepository/flux-system/flux-system');
    const src = byName.get('flux-system/flux-system') ?? byName.get('*/flux-system');
    addUrl(src?.url, src?.branch);
  }
  for (const r of roots) {
    ids.add(`${r.source.kind}/${r.source.namespace}/${r.source.name}`);
    addUrl(r.url, r.branch);
  }
  return (ref, fromNamespace) => {
    if (!isMap(ref)) return false;
    const kind = str(ref.kind) ?? '';
    const name = str(ref.name) ?? '';
    const ns = str(ref.namespace) ?? fromNamespace ?? 'flux-system';
    if (ids.has(`${kind}/${ns}/${name}`)) return true;
    if (kind !== 'GitRepository') return false;
    const src = byName.get(`${ns}/${name}`) ?? byName.get(`*/${name}`);
    const branches = src?.url ? urls.get(normalizeGitUrl(src.url)) : undefined;
    if (!branches) return false;
    return branches.has('') || !src!.branch || branches.has(src!.branch);
  };
}
