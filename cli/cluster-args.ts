/**
 * What the cluster commands share: the connection options and connecting
 * through the engine's cluster sub-service (a kubeconfig problem is a
 * usage error), and the workspace at the given path.
 */
import { UsageError, type ParsedArgs } from './args.ts';
import { openWorkspaceAt } from './workspace.ts';
import type { ClusterHost, LanguageService } from '../engine/index.ts';

export const clusterOptions = {
  context: { value: true },
  kubeconfig: { value: true },
  namespace: { value: true },
} as const;

export const CLUSTER_OPTIONS_HELP = `  --context NAME      kubeconfig context (default: the current one)
  --kubeconfig FILE   kubeconfig file (default: KUBECONFIG, ~/.kube/config)
  --namespace NS      namespace for objects that do not name one`;

export async function connectAt(
  args: ParsedArgs,
  paths: string[],
): Promise<{ service: LanguageService; conn: ClusterHost }> {
  const { service } = openWorkspaceAt(paths, { network: false });
  const r = await service.cluster.connectWith({
    kubeconfig: args.options.get('kubeconfig')?.[0],
    context: args.options.get('context')?.[0],
    namespace: args.options.get('namespace')?.[0],
  });
  if (!r.ok) throw new UsageError(r.error.message);
  return { service, conn: r.value };
}
