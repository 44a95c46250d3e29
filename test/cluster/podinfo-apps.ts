/**
 * The small Flux app the cluster CLI and MCP tests apply: a Namespace, the
 * podinfo HelmRepository, a HelmRelease whose valuesFrom names a ConfigMap
 * and a Secret (whose value must never be printed), all in namespace `ns`.
 */
export function podinfoRelease(ns: string, replicas: number, interval = '5m'): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: ${ns}
spec:
  interval: ${interval}
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
  valuesFrom:
    - kind: ConfigMap
      name: podinfo-values
    - kind: Secret
      name: podinfo-secret
  values:
    replicaCount: ${replicas}
`;
}

/** Files below the repository root, by relative path. */
export function podinfoApps(ns: string): Record<string, string> {
  return {
    'apps/namespace.yaml': `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
    'apps/repo.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: ${ns}\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n`,
    'apps/values.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-values\n  namespace: ${ns}\ndata:\n  values.yaml: |\n    ui:\n      color: blue\n`,
    'apps/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: podinfo-secret\n  namespace: ${ns}\nstringData:\n  values.yaml: "token: hunter2"\n`,
    'apps/release.yaml': podinfoRelease(ns, 2),
  };
}
