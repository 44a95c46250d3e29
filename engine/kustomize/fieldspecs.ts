/**
 * kustomize's field specs: which fields of which kinds the built-in
 * transformers write (labels, annotations, namespace, name references), as
 * documented in kustomize's api/konfig/builtinpluginconsts defaults, and
 * the walk that visits those fields in an object.
 */
import { isPlainMap, gvkSelected, type Gvk } from './resource.ts';

export interface FieldSpec extends Partial<Gvk> {
  path: string;
  create?: boolean;
}

const WORKLOAD_TEMPLATE: FieldSpec[] = [
  { path: 'spec/template/metadata/%', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/template/metadata/%', create: true, kind: 'Deployment' },
  { path: 'spec/template/metadata/%', create: true, kind: 'ReplicaSet' },
  { path: 'spec/template/metadata/%', create: true, kind: 'DaemonSet' },
  { path: 'spec/template/metadata/%', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/template/metadata/%', create: true, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/metadata/%', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/%', create: true, group: 'batch', kind: 'CronJob' },
];

/** metadata labels plus pod-template labels (kustomize's metadataLabelsFieldSpecs). */
export const TEMPLATE_LABEL_SPECS: FieldSpec[] = [
  { path: 'metadata/labels', create: true },
  ...WORKLOAD_TEMPLATE.map((f) => ({ ...f, path: f.path.replace('%', 'labels') })),
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
];

const AFFINITY = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** commonLabels (and `labels` with includeSelectors): selectors too. */
export const COMMON_LABEL_SPECS: FieldSpec[] = [
  { path: 'spec/selector', create: true, version: 'v1', kind: 'Service' },
  { path: 'spec/selector', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'Deployment' },
  ...AFFINITY.map((path) => ({ path, create: false, group: 'apps', kind: 'Deployment' })),
  { path: 'spec/selector/matchLabels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'DaemonSet' },
  { path: 'spec/selector/matchLabels', create: true, group: 'apps', kind: 'StatefulSet' },
  ...AFFINITY.map((path) => ({ path, create: false, group: 'apps', kind: 'StatefulSet' })),
  { path: 'spec/selector/matchLabels', create: false, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', create: false, group: 'batch', kind: 'CronJob' },
  { path: 'spec/selector/matchLabels', create: false, group: 'policy', kind: 'PodDisruptionBudget' },
  { path: 'spec/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/ingress/from/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/egress/to/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  ...TEMPLATE_LABEL_SPECS,
];

export const COMMON_ANNOTATION_SPECS: FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  ...WORKLOAD_TEMPLATE.map((f) => ({ ...f, path: f.path.replace('%', 'annotations'), group: f.kind === 'StatefulSet' ? undefined : f.group })),
];

/** Namespace fields other than metadata/namespace (handled separately, like kustomize does). */
export const NAMESPACE_SPECS: FieldSpec[] = [
  { path: 'metadata/name', kind: 'Namespace', create: true },
  { path: 'spec/service/namespace', group: 'apiregistration.k8s.io', kind: 'APIService', create: true },
  { path: 'spec/conversion/webhook/clientConfig/service/namespace', group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
];

/** Kinds the prefix/suffix transformer never renames. */
export const PREFIX_SKIP: Partial<Gvk>[] = [{ kind: 'CustomResourceDefinition' }, { group: 'apiregistration.k8s.io', kind: 'APIService' }, { kind: 'Namespace' }];

/** Splits a field spec path at `/`, honouring `\/` inside a segment. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (path[i] === '/') {
      out.push(cur);
      cur = '';
    } else cur += path[i];
  }
  out.push(cur);
  return out;
}

/**
 * Calls `visit(parent, key, path)` for every field the spec names in `obj`
 * (sequences on the way are walked element by element). With `create`,
 * missing maps on the way are created and the last field is visited even
 * when absent.
 */
export function visitFieldSpec(
  obj: Record<string, unknown>,
  gvk: Gvk,
  fs: FieldSpec,
  visit: (parent: Record<string, unknown>, key: string, path: (string | number)[]) => void,
): void {
  if (!gvkSelected(gvk, fs)) return;
  const segs = splitPath(fs.path);
  const walk = (node: unknown, i: number, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((el, j) => walk(el, i, [...path, j]));
      return;
    }
    if (!isPlainMap(node)) return;
    let seg = segs[i];
    const each = seg.endsWith('[]');
    if (each) seg = seg.slice(0, -2);
    if (i === segs.length - 1) {
      if (Object.prototype.hasOwnProperty.call(node, seg) && node[seg] !== null) visit(node, seg, [...path, seg]);
      else if (fs.create) visit(node, seg, [...path, seg]);
      return;
    }
    let child = node[seg];
    if (child === undefined || child === null) {
      if (!fs.create) return;
      child = {};
      node[seg] = child;
    }
    walk(child, i + 1, [...path, seg]);
  };
  walk(obj, 0, []);
}

/** The default name reference table: referral kind → fields of referrer kinds holding its name. */
export interface NameRefSpec {
  target: Partial<Gvk>;
  referrers: FieldSpec[];
}

const POD_PATHS = (prefix: string, kinds: [string, Partial<Gvk>][], tails: string[]): FieldSpec[] =>
  kinds.flatMap(([pre, g]) => tails.map((t) => ({ ...g, path: `${pre}${prefix}${t}` })));

const TEMPLATE_KINDS: [string, Partial<Gvk>][] = [
  ['spec/', { version: 'v1', kind: 'Pod' }],
  ['spec/template/spec/', { kind: 'Deployment' }],
  ['spec/template/spec/', { kind: 'ReplicaSet' }],
  ['spec/template/spec/', { kind: 'DaemonSet' }],
  ['spec/template/spec/', { kind: 'StatefulSet' }],
  ['spec/template/spec/', { kind: 'Job' }],
  ['spec/jobTemplate/spec/template/spec/', { kind: 'CronJob' }],
];

const SA_KINDS: [string, Partial<Gvk>][] = [
  ['spec/', { kind: 'Pod' }],
  ['spec/template/spec/', { kind: 'StatefulSet' }],
  ['spec/template/spec/', { kind: 'Deployment' }],
  ['spec/template/spec/', { kind: 'ReplicationController' }],
  ['spec/jobTemplate/spec/template/spec/', { kind: 'CronJob' }],
  ['spec/template/spec/', { kind: 'Job' }],
  ['spec/template/spec/', { kind: 'DaemonSet' }],
];

export const NAME_REFERENCES: NameRefSpec[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({ target: { kind }, referrers: [{ path: 'spec/scaleTargetRef/name', kind: 'HorizontalPodAutoscaler' }] })),
  {
    target: { version: 'v1', kind: 'ConfigMap' },
    referrers: [
      ...POD_PATHS('', TEMPLATE_KINDS, ['volumes/configMap/name', 'containers/env/valueFrom/configMapKeyRef/name', 'initContainers/env/valueFrom/configMapKeyRef/name', 'containers/envFrom/configMapRef/name', 'initContainers/envFrom/configMapRef/name', 'volumes/projected/sources/configMap/name']),
      { path: 'spec/configSource/configMap', kind: 'Node' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', kind: 'Ingress' },
      { path: 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', kind: 'Service', group: 'serving.knative.dev', version: 'v1' },
      { path: 'spec/template/spec/containers/envFrom/configMapRef/name', kind: 'Service', group: 'serving.knative.dev', version: 'v1' },
    ],
  },
  {
    target: { version: 'v1', kind: 'Secret' },
    referrers: [
      ...POD_PATHS('', TEMPLATE_KINDS, ['volumes/secret/secretName', 'containers/env/valueFrom/secretKeyRef/name', 'initContainers/env/valueFrom/secretKeyRef/name', 'containers/envFrom/secretRef/name', 'initContainers/envFrom/secretRef/name', 'imagePullSecrets/name', 'volumes/projected/sources/secret/name']),
      { path: 'spec/tls/secretName', kind: 'Ingress' },
      { path: 'metadata/annotations/ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', kind: 'Ingress' },
      { path: 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', kind: 'Ingress' },
      { path: 'imagePullSecrets/name', kind: 'ServiceAccount' },
      { path: 'parameters/secretName', kind: 'StorageClass' },
      { path: 'parameters/adminSecretName', kind: 'StorageClass' },
      { path: 'parameters/userSecretName', kind: 'StorageClass' },
      { path: 'parameters/secretRef', kind: 'StorageClass' },
      { path: 'rules/resourceNames', kind: 'Role' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
      { path: 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name', kind: 'Service', group: 'serving.knative.dev', version: 'v1' },
      { path: 'spec/azureFile/secretName', kind: 'PersistentVolume' },
    ],
  },
  {
    target: { version: 'v1', kind: 'Service' },
    referrers: [
      { path: 'spec/serviceName', kind: 'StatefulSet', group: 'apps' },
      { path: 'spec/rules/http/paths/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/backend/serviceName', kind: 'Ingress' },
      { path: 'spec/rules/http/paths/backend/service/name', kind: 'Ingress' },
      { path: 'spec/defaultBackend/service/name', kind: 'Ingress' },
      { path: 'spec/service/name', kind: 'APIService', group: 'apiregistration.k8s.io' },
      { path: 'webhooks/clientConfig/service', kind: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io' },
      { path: 'webhooks/clientConfig/service', kind: 'MutatingWebhookConfiguration', group: 'admissionregistration.k8s.io' },
    ],
  },
  { target: { kind: 'Role', group: 'rbac.authorization.k8s.io' }, referrers: [{ path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' }] },
  {
    target: { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io' },
    referrers: [
      { path: 'roleRef/name', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'roleRef/name', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
    ],
  },
  {
    target: { version: 'v1', kind: 'ServiceAccount' },
    referrers: [
      { path: 'subjects', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io' },
      { path: 'subjects', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io' },
      ...POD_PATHS('', SA_KINDS, ['serviceAccountName']),
    ],
  },
  { target: { version: 'v1', kind: 'PersistentVolumeClaim' }, referrers: POD_PATHS('', SA_KINDS, ['volumes/persistentVolumeClaim/claimName']) },
  {
    target: { version: 'v1', kind: 'PersistentVolume' },
    referrers: [
      { path: 'spec/volumeName', kind: 'PersistentVolumeClaim' },
      { path: 'rules/resourceNames', kind: 'ClusterRole' },
    ],
  },
  {
    target: { version: 'v1', group: 'storage.k8s.io', kind: 'StorageClass' },
    referrers: [
      { path: 'spec/storageClassName', kind: 'PersistentVolume' },
      { path: 'spec/storageClassName', kind: 'PersistentVolumeClaim' },
      { path: 'spec/volumeClaimTemplates/spec/storageClassName', kind: 'StatefulSet' },
    ],
  },
  { target: { version: 'v1', group: 'scheduling.k8s.io', kind: 'PriorityClass' }, referrers: POD_PATHS('', SA_KINDS, ['priorityClassName']) },
  { target: { version: 'v1', group: 'networking.k8s.io/v1', kind: 'IngressClass' }, referrers: [{ path: 'spec/ingressClassName', kind: 'Ingress' }] },
];
