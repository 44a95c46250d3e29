/**
 * References between objects in the workspace, read from each object's
 * content: HelmRelease sourceRef/chartRef/dependsOn/valuesFrom, HelmChart
 * and source secret refs, Flux Kustomization sourceRef/path/dependsOn/
 * substituteFrom, Alert providerRef/eventSources, Receiver resources,
 * Provider and ImageRepository Secrets, ImagePolicy imageRepositoryRef,
 * ImageUpdateAutomation sourceRef, kustomization.yaml resources/components/
 * patches paths, and image-automation setter markers in comments. Each reference carries the
 * exact range of the name (or path) it names, for diagnostics and navigation.
 *
 * Namespace rules follow the controllers: a reference without a namespace
 * points into the referencing object's own namespace (no search elsewhere).
 * When the referencing object's namespace is not written in its file (set
 * later by kustomize or Flux), only the name is matched.
 */
import type { IndexedObject, WorkspaceIndex } from './index.ts';
import { findAtPath, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import { valueAt } from '../util/value-at.ts';
import type { YamlDocument } from '../yaml/documents.ts';

export type ReferenceRole =
  | 'sourceRef' | 'chartRef' | 'dependsOn' | 'valuesFrom' | 'secretRef' | 'certSecretRef'
  | 'substituteFrom' | 'decryption' | 'kubeConfig' | 'imagePolicyMarker'
  | 'providerRef' | 'eventSource' | 'resources' | 'imageRepositoryRef';

export interface ObjectReference {
  type: 'object';
  from: IndexedObject;
  role: ReferenceRole;
  /** Absolute offsets of the referenced name in `from.file`. */
  start: number;
  end: number;
  kind: string;
  name: string;
  /** The namespace the controller will look in; undefined when it is not known from the files. */
  namespace?: string;
  /** Whether the reference writes its namespace (otherwise it is the referencing object's). */
  namespaceWritten?: boolean;
  optional: boolean;
  /** Where the reference sits in its object, e.g. spec.valuesFrom[1].name. */
  path: PathSeg[];
}

export interface PathReference {
  type: 'path';
  from: IndexedObject;
  role: 'resources' | 'components' | 'patch' | 'kustomization-path' | 'generator-file';
  start: number;
  end: number;
  /** Absolute path it resolves to. */
  target: string;
  /** What must exist there. */
  expect: 'file' | 'dir' | 'file-or-dir';
  written: string;
}

export type Reference = ObjectReference | PathReference;


const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** Joins and normalises `a/b/../c` style paths. */
export function resolvePath(base: string, rel: string): string {
  const parts = (rel.startsWith('/') ? rel : `${base}/${rel}`).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

interface Ctx {
  obj: IndexedObject;
  doc: YamlDocument;
  value: Record<string, unknown>;
  out: Reference[];
}

function rangeOf(ctx: Ctx, path: PathSeg[]): [number, number] {
  // A one-line value of a document the quick reader read has its range without composing the document.
  const own = ctx.doc.rangeAt(path);
  if (own) return [ctx.doc.start + own[0], ctx.doc.start + own[1]];
  const loc = findAtPath(ctx.doc.doc.contents, path);
  const r = nodeRange(loc.node) ?? (loc.pair ? nodeRange(loc.pair.key) : undefined) ?? [0, 0];
  return [ctx.doc.start + r[0], ctx.doc.start + r[1]];
}

function objectRef(ctx: Ctx, role: ReferenceRole, at: PathSeg[], kind: string | undefined, defaultNamespace: string | undefined, optional = false): void {
  const ref = valueAt(ctx.value, at);
  const name = str(valueAt(ref, ['name']));
  const refKind = str(valueAt(ref, ['kind'])) ?? kind;
  if (!name || !refKind) return;
  const [start, end] = rangeOf(ctx, [...at, 'name']);
  const written = str(valueAt(ref, ['namespace']));
  const namespace = written ?? defaultNamespace;
  ctx.out.push({ type: 'object', from: ctx.obj, role, start, end, kind: refKind, name, namespace, namespaceWritten: written !== undefined, optional: optional || valueAt(ref, ['optional']) === true, path: [...at, 'name'] });
}

function eachIndex(v: unknown): number[] {
  return Array.isArray(v) ? v.map((_, i) => i) : [];
}

function pathRef(ctx: Ctx, role: PathReference['role'], at: PathSeg[], written: string, base: string, expect: PathReference['expect']): void {
  if (/^[a-z]+:\/\//i.test(written) || /^(github\.com|gitlab\.com|bitbucket\.org|ssh:|git@)/.test(written)) return; // remote bases are not in the workspace
  const [start, end] = rangeOf(ctx, at);
  ctx.out.push({ type: 'path', from: ctx.obj, role, start, end, target: resolvePath(base, written), expect, written });
}

function helmRelease(ctx: Ctx, ns: string | undefined): void {
  objectRef(ctx, 'sourceRef', ['spec', 'chart', 'spec', 'sourceRef'], undefined, ns);
  objectRef(ctx, 'chartRef', ['spec', 'chartRef'], undefined, ns);
  for (const i of eachIndex(valueAt(ctx.value, ['spec', 'dependsOn']))) objectRef(ctx, 'dependsOn', ['spec', 'dependsOn', i], 'HelmRelease', ns);
  for (const i of eachIndex(valueAt(ctx.value, ['spec', 'valuesFrom']))) objectRef(ctx, 'valuesFrom', ['spec', 'valuesFrom', i], undefined, ns);
  objectRef(ctx, 'kubeConfig', ['spec', 'kubeConfig', 'secretRef'], 'Secret', ns);
}

function fluxKustomization(ctx: Ctx, ns: string | undefined, options: ReferenceOptions): void {
  objectRef(ctx, 'sourceRef', ['spec', 'sourceRef'], undefined, ns);
  for (const i of eachIndex(valueAt(ctx.value, ['spec', 'dependsOn']))) objectRef(ctx, 'dependsOn', ['spec', 'dependsOn', i], 'Kustomization', ns);
  for (const i of eachIndex(valueAt(ctx.value, ['spec', 'postBuild', 'substituteFrom']))) objectRef(ctx, 'substituteFrom', ['spec', 'postBuild', 'substituteFrom', i], undefined, ns);
  objectRef(ctx, 'decryption', ['spec', 'decryption', 'secretRef'], 'Secret', ns);
  objectRef(ctx, 'kubeConfig', ['spec', 'kubeConfig', 'secretRef'], 'Secret', ns);
  // The path is inside the source's artifact; only a GitRepository of this repository (by convention
  // the one the cluster was bootstrapped from) is this workspace, so check paths for it alone.
  const path = str(valueAt(ctx.value, ['spec', 'path']));
  const sourceKind = str(valueAt(ctx.value, ['spec', 'sourceRef', 'kind']));
  const sourceName = str(valueAt(ctx.value, ['spec', 'sourceRef', 'name']));
  const repoRoot = path ? (options.repoRootFor?.(ctx.obj.file, path) ?? options.repoRoot) : undefined;
  const thisRepo = options.isThisRepository ? options.isThisRepository(valueAt(ctx.value, ['spec', 'sourceRef']), ns) : sourceKind === 'GitRepository' && sourceName === 'flux-system';
  if (path && repoRoot && thisRepo) {
    pathRef(ctx, 'kustomization-path', ['spec', 'path'], path, repoRoot, 'dir');
  }
}

function sourceSecrets(ctx: Ctx, ns: string | undefined): void {
  objectRef(ctx, 'secretRef', ['spec', 'secretRef'], 'Secret', ns);
  objectRef(ctx, 'certSecretRef', ['spec', 'certSecretRef'], 'Secret', ns);
}

/**
 * Notification and image-automation references: an Alert's provider (same
 * namespace only) and event sources, a Receiver's resources and Secret, a
 * Provider's Secrets, an ImagePolicy's ImageRepository, an
 * ImageUpdateAutomation's GitRepository. Wildcard names (`*`) and
 * label-selected entries name no single object and are skipped.
 */
function notificationAndImage(ctx: Ctx, kind: string, ns: string | undefined): void {
  const selected = (at: PathSeg[]) => {
    const name = str(valueAt(ctx.value, [...at, 'name']));
    return name === undefined || name.includes('*') || valueAt(ctx.value, [...at, 'matchLabels']) !== undefined;
  };
  switch (kind) {
    case 'Alert':
      objectRef(ctx, 'providerRef', ['spec', 'providerRef'], 'Provider', ns);
      for (const i of eachIndex(valueAt(ctx.value, ['spec', 'eventSources']))) {
        if (!selected(['spec', 'eventSources', i])) objectRef(ctx, 'eventSource', ['spec', 'eventSources', i], undefined, ns);
      }
      break;
    case 'Receiver':
      objectRef(ctx, 'secretRef', ['spec', 'secretRef'], 'Secret', ns);
      for (const i of eachIndex(valueAt(ctx.value, ['spec', 'resources']))) {
        if (!selected(['spec', 'resources', i])) objectRef(ctx, 'resources', ['spec', 'resources', i], undefined, ns);
      }
      break;
    case 'Provider':
      objectRef(ctx, 'secretRef', ['spec', 'secretRef'], 'Secret', ns);
      objectRef(ctx, 'certSecretRef', ['spec', 'certSecretRef'], 'Secret', ns);
      break;
    case 'ImagePolicy':
      objectRef(ctx, 'imageRepositoryRef', ['spec', 'imageRepositoryRef'], 'ImageRepository', ns);
      break;
    case 'ImageUpdateAutomation':
      objectRef(ctx, 'sourceRef', ['spec', 'sourceRef'], 'GitRepository', ns);
      break;
    case 'ImageRepository':
      objectRef(ctx, 'secretRef', ['spec', 'secretRef'], 'Secret', ns);
      objectRef(ctx, 'certSecretRef', ['spec', 'certSecretRef'], 'Secret', ns);
      break;
  }
}

/**
 * A ResourceSet's `dependsOn` on Flux and Flux Operator objects that name
 * their namespace (the operator waits until they exist; other kinds, such
 * as CRDs, are not in the workspace's vocabulary and are skipped).
 */
function resourceSetDependencies(ctx: Ctx): void {
  for (const i of eachIndex(valueAt(ctx.value, ['spec', 'dependsOn']))) {
    const group = str(valueAt(ctx.value, ['spec', 'dependsOn', i, 'apiVersion']))?.split('/')[0] ?? '';
    const namespace = str(valueAt(ctx.value, ['spec', 'dependsOn', i, 'namespace']));
    if (namespace && (group.endsWith('.toolkit.fluxcd.io') || group === 'fluxcd.controlplane.io')) objectRef(ctx, 'dependsOn', ['spec', 'dependsOn', i], undefined, namespace);
  }
}

function kustomizeConfig(ctx: Ctx): void {
  const base = dirname(ctx.obj.file);
  const list = (field: string, role: PathReference['role'], expect: PathReference['expect']) => {
    for (const i of eachIndex(ctx.value[field])) {
      const v = str(valueAt(ctx.value, [field, i]));
      if (v) pathRef(ctx, role, [field, i], v, base, expect);
    }
  };
  list('resources', 'resources', 'file-or-dir');
  list('bases', 'resources', 'dir');
  list('components', 'components', 'dir');
  list('patchesStrategicMerge', 'patch', 'file');
  for (const i of eachIndex(ctx.value.patches)) {
    const p = str(valueAt(ctx.value, ['patches', i, 'path']));
    if (p) pathRef(ctx, 'patch', ['patches', i, 'path'], p, base, 'file');
  }
  for (const i of eachIndex(ctx.value.patchesJson6902)) {
    const p = str(valueAt(ctx.value, ['patchesJson6902', i, 'path']));
    if (p) pathRef(ctx, 'patch', ['patchesJson6902', i, 'path'], p, base, 'file');
  }
  for (const gen of ['configMapGenerator', 'secretGenerator']) {
    for (const i of eachIndex(ctx.value[gen])) {
      for (const field of ['files', 'envs']) {
        for (const j of eachIndex(valueAt(ctx.value, [gen, i, field]))) {
          const raw = str(valueAt(ctx.value, [gen, i, field, j]));
          if (!raw) continue;
          const file = raw.includes('=') ? raw.slice(raw.indexOf('=') + 1) : raw;
          pathRef(ctx, 'generator-file', [gen, i, field, j], file, base, 'file');
        }
      }
      const env = str(valueAt(ctx.value, [gen, i, 'env']));
      if (env) pathRef(ctx, 'generator-file', [gen, i, 'env'], env, base, 'file');
    }
  }
}

/** `# {"$imagepolicy": "ns:name"}` or `"ns:name:tag"` markers in the document's text. */
function imagePolicyMarkers(ctx: Ctx): void {
  const re = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]*)"\s*\}/g;
  for (let m = re.exec(ctx.doc.text); m; m = re.exec(ctx.doc.text)) {
    const parts = m[1].split(':');
    if (parts.length < 2 || !parts[0] || !parts[1]) continue;
    const valueStart = ctx.doc.start + m.index + m[0].indexOf(m[1]);
    ctx.out.push({ type: 'object', from: ctx.obj, role: 'imagePolicyMarker', start: valueStart, end: valueStart + m[1].length, kind: 'ImagePolicy', name: parts[1], namespace: parts[0], optional: false, path: [] });
  }
}

export interface ReferenceOptions {
  /** Root of the Git repository the workspace is (for Flux Kustomization paths). */
  repoRoot?: string;
  /** Per file: the repository root a Kustomization's path is relative to (see Workspace.repoRootFor). */
  repoRootFor?: (file: string, path: string) => string;
  /** Whether a Kustomization's sourceRef is this repository (fleet/roots.ts); default: the `flux-system` GitRepository. */
  isThisRepository?: (ref: unknown, fromNamespace: string | undefined) => boolean;
  /** Changes whenever `isThisRepository` may answer differently (part of the cache key of references). */
  ruleKey?: () => string;
}

/** All references made by one indexed object. Never throws. */
/** Kinds whose documents can hold references (the cases of `referencesOf`), by kind and API group. */
function mayReference(obj: IndexedObject): boolean {
  const group = obj.apiVersion.split('/')[0];
  if (group === 'notification.toolkit.fluxcd.io' || group === 'image.toolkit.fluxcd.io') return true;
  return ['HelmRelease', 'Kustomization', 'Component', 'HelmChart', 'HelmRepository', 'OCIRepository', 'GitRepository', 'Bucket', 'ResourceSet'].includes(obj.kind);
}

/**
 * Whether an object can make references at all. Most objects of a fleet
 * (Deployments, ConfigMaps...) reference nothing: they are left unparsed
 * unless an image-automation setter marker is written in them.
 */
export function canReference(index: WorkspaceIndex, obj: IndexedObject): boolean {
  return mayReference(obj) || (index.fileText(obj.file) ?? '').slice(obj.start, obj.end).includes('$imagepolicy');
}

export function referencesOf(index: WorkspaceIndex, obj: IndexedObject, options: ReferenceOptions = {}): Reference[] {
  if (!canReference(index, obj)) return [];
  const doc = index.documentOf(obj);
  const value = doc?.value();
  if (!doc || doc.broken || !value || typeof value !== 'object' || Array.isArray(value)) return [];
  const ctx: Ctx = { obj, doc, value: value as Record<string, unknown>, out: [] };
  const ns = obj.namespace;
  const group = obj.apiVersion.split('/')[0];
  switch (obj.kind) {
    case 'HelmRelease':
      if (group === 'helm.toolkit.fluxcd.io') helmRelease(ctx, ns);
      break;
    case 'Kustomization':
      if (group === 'kustomize.toolkit.fluxcd.io') fluxKustomization(ctx, ns, options);
      else kustomizeConfig(ctx);
      break;
    case 'Component':
      kustomizeConfig(ctx);
      break;
    case 'HelmChart':
      objectRef(ctx, 'sourceRef', ['spec', 'sourceRef'], undefined, ns);
      break;
    case 'HelmRepository':
    case 'OCIRepository':
    case 'GitRepository':
    case 'Bucket':
      if (group === 'source.toolkit.fluxcd.io') sourceSecrets(ctx, ns);
      break;
    case 'ResourceSet':
      if (group === 'fluxcd.controlplane.io') resourceSetDependencies(ctx);
      break;
    default:
      if (group === 'notification.toolkit.fluxcd.io' || group === 'image.toolkit.fluxcd.io') notificationAndImage(ctx, obj.kind, ns);
  }
  imagePolicyMarkers(ctx);
  return ctx.out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Candidates a reference points at in the index, nearest first (objects
 * created by something in the workspace included): when a
 * repository holds several clusters with objects of the same name, the one
 * beside the referencing file (longest shared folder path) comes first.
 */
export function resolveObjectReference(index: WorkspaceIndex, ref: ObjectReference): IndexedObject[] {
  const written = index.find(ref.kind, ref.name, ref.namespace);
  // Objects something in the repository creates (created-objects.ts) count as present, after written ones.
  const created = index.findCreated(ref.kind, ref.name, ref.namespace);
  const found = created.length ? [...written, ...created] : written;
  if (found.length < 2) return found;
  return [...found].sort((a, b) => commonPrefix(b.file, ref.from.file) - commonPrefix(a.file, ref.from.file));
}

/** Used by navigation: the reference (if any) whose name range holds `offset` in `file`. */
export function referenceAt(refs: Reference[], offset: number): Reference | undefined {
  return refs.find((r) => offset >= r.start && offset <= r.end);
}
