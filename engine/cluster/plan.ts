/**
 * What "reconcile" applies, decided from the workspace alone. For one
 * HelmRelease: the sources it references that the workspace has (the
 * chart's HelmRepository/GitRepository/Bucket, or the chartRef's
 * OCIRepository/HelmChart), the ConfigMaps and Secrets of its valuesFrom,
 * then the release. For a folder: the same for every HelmRelease and Flux
 * Kustomization in it plus its Namespaces and Flux sources, with the
 * releases in dependsOn order (waves). Secrets are marked so front ends ask
 * before sending them; kustomize-generated ConfigMaps/Secrets and kustomize
 * config files are never applied (they are not objects as written).
 */
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import { referencesOf, resolveObjectReference, type ObjectReference } from '../workspace/references.ts';
import type { ObjectRef } from './host.ts';
import type { KubeObject } from './types.ts';

export type PlanRole = 'namespace' | 'source' | 'values' | 'target';

export interface PlannedObject {
  indexed: IndexedObject;
  object: KubeObject;
  role: PlanRole;
  /** A Secret: apply only after the user agreed. */
  secret: boolean;
}

export interface SourceRequest {
  /** Reconcile these first, in order (e.g. the HelmRepository, then the HelmChart). */
  ref: ObjectRef;
}

export interface ReconcileTarget {
  /** The workspace object, when the target comes from the workspace. */
  planned?: PlannedObject;
  ref: ObjectRef;
  /** With --with-source: the source objects to reconcile before the target, in order. */
  sources: ObjectRef[];
  /** Targets (by key) this one depends on (dependsOn within the plan). */
  dependsOn: string[];
  /** The object as the cluster returned it from the apply (saves a read before the request). */
  live?: KubeObject;
}

export interface ReconcilePlan {
  /** Objects to apply, in order. */
  apply: PlannedObject[];
  /** Reconcile targets grouped in waves: every dependency of a wave's target is in an earlier wave. */
  waves: ReconcileTarget[][];
  /** Information: references the workspace cannot satisfy, generated objects skipped, dependency cycles. */
  notes: string[];
}

const FLUX_SOURCE_KINDS = new Set(['HelmRepository', 'GitRepository', 'OCIRepository', 'Bucket', 'HelmChart']);

export function isFluxObject(o: { apiVersion: string; kind: string }): boolean {
  const group = o.apiVersion.split('/')[0] ?? '';
  return group.endsWith('.toolkit.fluxcd.io');
}

export function isReconcilable(o: { apiVersion: string; kind: string }): boolean {
  const group = o.apiVersion.split('/')[0];
  return (o.kind === 'HelmRelease' && group === 'helm.toolkit.fluxcd.io')
    || (o.kind === 'Kustomization' && group === 'kustomize.toolkit.fluxcd.io')
    || (FLUX_SOURCE_KINDS.has(o.kind) && group === 'source.toolkit.fluxcd.io');
}

/** False for kustomize's own config files, which are not cluster objects. */
export function isApplicable(o: { apiVersion: string; kind: string }): boolean {
  return !o.apiVersion.startsWith('kustomize.config.k8s.io/') && o.kind !== 'Component';
}

/** Identity of an object across workspace and cluster. */
export function objectKey(o: { apiVersion: string; kind: string; name: string; namespace?: string }, defaultNamespace = ''): string {
  return `${o.apiVersion.split('/')[0]}/${o.kind}/${o.namespace || defaultNamespace}/${o.name}`;
}

export function refOf(o: IndexedObject, defaultNamespace: string): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.kind === 'Namespace' ? undefined : (o.namespace || defaultNamespace) };
}

/** The object as it will be applied: namespace filled in for namespaced kinds written without one. */
export function objectFor(ws: Workspace, o: IndexedObject, defaultNamespace: string): KubeObject | undefined {
  const value = ws.index.valueOf(o);
  if (!value || typeof value.metadata !== 'object' || value.metadata === null) return undefined;
  const obj = structuredClone(value) as KubeObject;
  if (o.kind !== 'Namespace' && !obj.metadata.namespace && o.kind !== 'CustomResourceDefinition' && o.kind !== 'ClusterRole') {
    obj.metadata.namespace = defaultNamespace;
  }
  return obj;
}

class Builder {
  readonly apply: PlannedObject[] = [];
  readonly notes: string[] = [];
  private readonly seen = new Set<string>();
  private readonly patchFiles: Set<string>;

  constructor(readonly ws: Workspace, readonly defaultNamespace: string) {
    this.patchFiles = ws.check().patchFiles;
  }

  add(o: IndexedObject, role: PlanRole): PlannedObject | undefined {
    const key = objectKey(o, this.defaultNamespace);
    if (this.seen.has(key)) return this.apply.find((p) => objectKey(p.indexed, this.defaultNamespace) === key);
    if (this.patchFiles.has(o.file)) {
      this.notes.push(`${o.kind} ${o.name} in ${o.file} is a kustomize patch, not an object; it is not applied`);
      return undefined;
    }
    if (!isApplicable(o)) return undefined;
    if (o.generated) {
      this.notes.push(`${o.kind} ${o.name} is generated by kustomize and is not applied`);
      return undefined;
    }
    const object = objectFor(this.ws, o, this.defaultNamespace);
    if (!object) {
      this.notes.push(`${o.kind} ${o.name} in ${o.file} could not be read`);
      return undefined;
    }
    this.seen.add(key);
    const planned: PlannedObject = { indexed: o, object, role, secret: o.kind === 'Secret' };
    this.apply.push(planned);
    return planned;
  }

  resolve(r: ObjectReference): IndexedObject | undefined {
    const found = resolveObjectReference(this.ws.index, r);
    if (found.length === 0 && !r.optional) this.notes.push(`${r.from.kind} ${r.from.name}: ${r.kind} ${r.name} is not in the workspace (expected in the cluster)`);
    return found[0];
  }
}

/** Adds what one HelmRelease/Kustomization needs before itself, then itself. */
function addTarget(b: Builder, o: IndexedObject): ReconcileTarget | undefined {
  const refs = referencesOf(b.ws.index, o).filter((r): r is ObjectReference => r.type === 'object');
  const sources: ObjectRef[] = [];
  for (const r of refs) {
    if (r.role !== 'sourceRef' && r.role !== 'chartRef') continue;
    const src = b.resolve(r);
    if (src) {
      for (const sr of referencesOf(b.ws.index, src)) {
        if (sr.type === 'object' && sr.role === 'sourceRef') {
          const up = b.resolve(sr);
          if (up) b.add(up, 'source');
        }
      }
      b.add(src, 'source');
    }
    const ns = r.namespace || o.namespace || b.defaultNamespace;
    const apiVersion = src?.apiVersion ?? 'source.toolkit.fluxcd.io/v1';
    sources.push({ apiVersion, kind: r.kind, name: r.name, namespace: ns });
  }
  if (o.kind === 'HelmRelease') {
    // A chart template becomes the HelmChart <namespace>-<name> next to the source.
    const value = b.ws.index.valueOf(o);
    const tmpl = (value?.spec as { chart?: { spec?: { sourceRef?: { namespace?: string } } } } | undefined)?.chart?.spec;
    if (tmpl) {
      const ns = o.namespace || b.defaultNamespace;
      sources.push({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', name: `${ns}-${o.name}`, namespace: tmpl.sourceRef?.namespace || ns });
    }
  }
  for (const r of refs) {
    if (r.role !== 'valuesFrom' && r.role !== 'substituteFrom') continue;
    const v = b.resolve(r);
    if (v) b.add(v, 'values');
  }
  const planned = b.add(o, 'target');
  if (!planned) return undefined;
  const dependsOn = refs
    .filter((r) => r.role === 'dependsOn')
    .map((r) => objectKey({ apiVersion: o.apiVersion, kind: r.kind, name: r.name, namespace: r.namespace }, b.defaultNamespace));
  return { planned, ref: refOf(o, b.defaultNamespace), sources, dependsOn };
}

/**
 * Orders targets into waves by dependsOn (Kahn's algorithm: a wave is every
 * target whose dependencies are all in earlier waves). Targets in or behind
 * a cycle go last, with a note.
 */
export function waves(targets: ReconcileTarget[], defaultNamespace: string, notes: string[] = []): ReconcileTarget[][] {
  const keyOf = (t: ReconcileTarget) => objectKey(t.ref, defaultNamespace);
  const inPlan = new Set(targets.map(keyOf));
  const placed = new Set<string>();
  let rest = [...targets];
  const out: ReconcileTarget[][] = [];
  while (rest.length) {
    const wave = rest.filter((t) => t.dependsOn.every((d) => !inPlan.has(d) || placed.has(d) || d === keyOf(t)));
    if (wave.length === 0) {
      notes.push(`dependsOn cycle: ${rest.map((t) => t.ref.name).join(', ')}`);
      out.push(rest);
      break;
    }
    for (const t of wave) placed.add(keyOf(t));
    out.push(wave);
    rest = rest.filter((t) => !wave.includes(t));
  }
  return out;
}

/** The plan for one HelmRelease or Flux Kustomization (or any Flux object: then just that object). */
export function planObject(ws: Workspace, o: IndexedObject, defaultNamespace: string): ReconcilePlan {
  const b = new Builder(ws, defaultNamespace);
  if (o.kind === 'HelmRelease' || o.kind === 'Kustomization') {
    const t = addTarget(b, o);
    return { apply: b.apply, waves: t ? [[t]] : [], notes: b.notes };
  }
  const planned = b.add(o, isReconcilable(o) ? 'source' : 'target');
  const waves = planned && isReconcilable(o) ? [[{ planned, ref: refOf(o, defaultNamespace), sources: [], dependsOn: [] }]] : [];
  return { apply: b.apply, waves, notes: b.notes };
}

function under(file: string, folder: string): boolean {
  const f = folder.replace(/\/+$/, '');
  return file === f || file.startsWith(`${f}/`);
}

/** The plan for every object below `folder` (a folder or a single file). */
export function planPath(ws: Workspace, folder: string, defaultNamespace: string): ReconcilePlan {
  const b = new Builder(ws, defaultNamespace);
  const patchFiles = ws.check().patchFiles;
  const inFolder = [...ws.index.allObjects()].filter((o) => under(o.file, folder) && !patchFiles.has(o.file) && isApplicable(o));
  for (const o of inFolder) if (o.kind === 'Namespace' && o.apiVersion === 'v1') b.add(o, 'namespace');
  for (const o of inFolder) if (FLUX_SOURCE_KINDS.has(o.kind) && isFluxObject(o)) b.add(o, 'source');
  const targets: ReconcileTarget[] = [];
  for (const o of inFolder) {
    if (!isReconcilable(o) || FLUX_SOURCE_KINDS.has(o.kind)) continue;
    const t = addTarget(b, o);
    if (t && !targets.some((x) => x.planned === t.planned)) targets.push(t);
  }
  // Namespaces first, then sources and values, then targets in wave order.
  const rank: Record<PlanRole, number> = { namespace: 0, source: 1, values: 2, target: 3 };
  const w = waves(targets, defaultNamespace, b.notes);
  const waveOf = new Map<PlannedObject, number>();
  w.forEach((ts, i) => ts.forEach((t) => t.planned && waveOf.set(t.planned, i)));
  const apply = b.apply
    .map((p, i) => ({ p, i }))
    .sort((x, y) => rank[x.p.role] - rank[y.p.role] || (waveOf.get(x.p) ?? 0) - (waveOf.get(y.p) ?? 0) || x.i - y.i)
    .map((x) => x.p);
  return { apply, waves: w, notes: b.notes };
}
