/**
 * The catalogue of object types fluxhelm understands: which API versions
 * exist for each Flux kind, which one is current, and when older ones were
 * removed. Version facts follow the Flux release history (see
 * docs in ../shared/docs/flux-helm-semantics.md §1).
 */

export type VersionStatus = 'current' | 'deprecated' | 'removed';

export interface VersionInfo {
  version: string;
  status: VersionStatus;
  /** For removed versions: the Flux release that stopped serving it, e.g. "Flux 2.7". */
  removedIn?: string;
}

export interface KindInfo {
  group: string; // '' for the core group
  kind: string;
  versions: VersionInfo[];
  /** The version a migration quick fix moves to. */
  current: string;
  namespaced: boolean;
  /** Flux kinds are reconciled by a controller and can be reconciled from the editor. */
  flux: boolean;
}

const removed = (version: string, removedIn: string): VersionInfo => ({ version, status: 'removed', removedIn });
const cur = (version: string): VersionInfo => ({ version, status: 'current' });

function flux(group: string, kind: string, current: string, older: VersionInfo[]): KindInfo {
  return { group, kind, versions: [cur(current), ...older], current, namespaced: true, flux: true };
}

const SOURCE = 'source.toolkit.fluxcd.io';
const NOTIFY = 'notification.toolkit.fluxcd.io';
const IMAGE = 'image.toolkit.fluxcd.io';
const OPERATOR = 'fluxcd.controlplane.io';

export const KINDS: KindInfo[] = [
  flux('helm.toolkit.fluxcd.io', 'HelmRelease', 'v2', [removed('v2beta2', 'Flux 2.8'), removed('v2beta1', 'Flux 2.7')]),
  flux(SOURCE, 'HelmRepository', 'v1', [removed('v1beta2', 'Flux 2.8'), removed('v1beta1', 'Flux 2.7')]),
  flux(SOURCE, 'HelmChart', 'v1', [removed('v1beta2', 'Flux 2.8'), removed('v1beta1', 'Flux 2.7')]),
  flux(SOURCE, 'GitRepository', 'v1', [removed('v1beta2', 'Flux 2.8'), removed('v1beta1', 'Flux 2.7')]),
  flux(SOURCE, 'Bucket', 'v1', [removed('v1beta2', 'Flux 2.8'), removed('v1beta1', 'Flux 2.7')]),
  flux(SOURCE, 'OCIRepository', 'v1', [removed('v1beta2', 'Flux 2.8')]),
  flux(SOURCE, 'ExternalArtifact', 'v1', []),
  flux('kustomize.toolkit.fluxcd.io', 'Kustomization', 'v1', [removed('v1beta2', 'Flux 2.8'), removed('v1beta1', 'Flux 2.7')]),
  flux(NOTIFY, 'Alert', 'v1beta3', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  flux(NOTIFY, 'Provider', 'v1beta3', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  flux(NOTIFY, 'Receiver', 'v1', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  flux(IMAGE, 'ImageRepository', 'v1', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  flux(IMAGE, 'ImagePolicy', 'v1', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  flux(IMAGE, 'ImageUpdateAutomation', 'v1', [removed('v1beta2', 'Flux 2.7'), removed('v1beta1', 'Flux 2.7')]),
  // source-watcher's generator, and the Flux Operator's kinds (schemas from ../shared/flux-crds/operator).
  flux('source.extensions.fluxcd.io', 'ArtifactGenerator', 'v1beta1', []),
  flux(OPERATOR, 'FluxInstance', 'v1', []),
  flux(OPERATOR, 'FluxReport', 'v1', []),
  flux(OPERATOR, 'ResourceSet', 'v1', []),
  flux(OPERATOR, 'ResourceSetInputProvider', 'v1', []),
  { group: 'kustomize.config.k8s.io', kind: 'Kustomization', versions: [cur('v1beta1')], current: 'v1beta1', namespaced: false, flux: false },
  { group: 'kustomize.config.k8s.io', kind: 'Component', versions: [cur('v1alpha1')], current: 'v1alpha1', namespaced: false, flux: false },
  { group: '', kind: 'ConfigMap', versions: [cur('v1')], current: 'v1', namespaced: true, flux: false },
  { group: '', kind: 'Secret', versions: [cur('v1')], current: 'v1', namespaced: true, flux: false },
  { group: '', kind: 'Namespace', versions: [cur('v1')], current: 'v1', namespaced: false, flux: false },
];

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Key under which a schema is stored: `<apiVersion>/<Kind>`, e.g. `helm.toolkit.fluxcd.io/v2/HelmRelease`. */
export function schemaKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

export function findKind(group: string, kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.kind === kind);
}

/** Groups whose objects we check; a document in any other group is ignored. */
export const KNOWN_GROUPS = new Set(KINDS.map((k) => k.group).filter((g) => g !== ''));

export const FLUX_GROUPS = new Set(KINDS.filter((k) => k.flux).map((k) => k.group));

export function kindsInGroup(group: string): KindInfo[] {
  return KINDS.filter((k) => k.group === group);
}
