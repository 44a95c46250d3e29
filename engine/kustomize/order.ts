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
  return list.sort((a, b) => {
    const ga = gvkString(a);
    const gb = gvkString(b);
    if (ga !== gb) {
      const ra = rank(a.gvk.kind);
      const rb = rank(b.gvk.kind);
      return ra !== rb ? ra - rb : cmp(ga, gb);
    }
    const ia = a.id;
    const ib = b.id;
    return cmp(ia.namespace || '~X', ib.namespace || '~X') || cmp(ia.name, ib.name);
  });
}
