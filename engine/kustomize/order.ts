/**
 * kustomize's default output order ("legacy" sort): a fixed list of kinds
 * first (Namespace, then RBAC, ConfigMaps, Services, workloads...), webhook
 * configurations last, everything else in between ordered by
 * group_version_kind, then by namespace (none sorts last) and name.
 */
import type { Res } from './resource.ts';

const FIRST = ['Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget'];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const f = FIRST.indexOf(kind);
  if (f >= 0) return f - FIRST.length;
  const l = LAST.indexOf(kind);
  return l >= 0 ? l + 1 : 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function gvkString(r: Res): string {
  const g = r.gvk;
  return `${g.group || '~G'}_${g.version || '~V'}_${g.kind || '~K'}`;
}

/** Sorts in place and returns the list. */
export function legacySort(list: Res[]): Res[] {
  // Each resource's keys are computed once (ids are derived from the object on every read).
  const keyed = list.map((r) => {
    const id = r.id;
    return { r, gvk: gvkString(r), rank: rank(id.kind), namespace: id.namespace || '~X', name: id.name };
  });
  keyed.sort((a, b) => {
    if (a.gvk !== b.gvk) return a.rank !== b.rank ? a.rank - b.rank : cmp(a.gvk, b.gvk);
    return cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
  });
  keyed.forEach((k, i) => (list[i] = k.r));
  return list;
}
