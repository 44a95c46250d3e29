/**
 * How the engine reaches clusters: the front end's host lists kubeconfig
 * contexts and opens connections (the Node host does it with
 * @kubernetes/client-node, loaded on first use). Answers are data, never
 * exceptions.
 */
import type { ClusterHost } from './host.ts';
import type { ClusterResult } from './types.ts';

export interface ClusterConnectOptions {
  /** A kubeconfig file; otherwise KUBECONFIG (a path list) or ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
  /** Overrides the context's namespace. */
  namespace?: string;
  /** Per-request timeout, default 30 s. */
  timeoutMs?: number;
}

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface ClusterConnector {
  connect(opts: ClusterConnectOptions): Promise<ClusterResult<ClusterHost>>;
  listContexts(opts?: Pick<ClusterConnectOptions, 'kubeconfig'>): Promise<ClusterResult<{ current: string; contexts: ContextInfo[] }>>;
}
