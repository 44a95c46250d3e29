/**
 * Plain data for fluxhelm's cluster features (server-side apply, dry-run
 * diff, reconcile requests, watches). The engine reaches a cluster only
 * through the ClusterTransport interface below (HTTP requests and watch
 * streams); the Node implementation on @kubernetes/client-node lives in
 * server/cluster-host.ts. Failures are ClusterError values, never thrown.
 */

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  subresource?: string;
  fieldsV1?: unknown;
  time?: string;
}

/** The answer to one HTTP request, body undecoded. */
export interface TransportResponse {
  status: number;
  body: string;
}

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. /apis/helm.toolkit.fluxcd.io/v2/namespaces/x/helmreleases/y */
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
}

export interface WatchRequest {
  /** Collection path, e.g. /apis/helm.toolkit.fluxcd.io/v2/namespaces/x/helmreleases */
  path: string;
  query?: Record<string, string>;
}

/** One line of a watch stream. */
export interface RawWatchEvent {
  type: string;
  object: unknown;
}

export interface StopHandle {
  stop(): void;
}

/** How the engine reaches an API server. Implementations must not throw: network failures become `error`. */
export interface ClusterTransport {
  request(req: TransportRequest): Promise<TransportResponse | { error: string }>;
  /**
   * Opens a watch stream. `onEvent` gets every decoded event; `onEnd` is
   * called exactly once when the stream ends (server close, network error,
   * or stop()), with the error text when it failed.
   */
  watch(req: WatchRequest, onEvent: (e: RawWatchEvent) => void, onEnd: (error?: string) => void): StopHandle;
}

/** One field the API server refused to let us take over. */
export interface FieldConflict {
  /** The field manager that owns it, e.g. `helm-controller` or `kubectl`. */
  manager: string;
  /** Field path as the API server prints it, e.g. `.spec.values.replicaCount`. */
  field: string;
  /** The operation the other manager used, when the message says (e.g. `Update`). */
  operation?: string;
  message: string;
}

/** One reason the API server gave for rejecting an object (CRD validation, admission). */
export interface FieldCause {
  field?: string;
  reason?: string;
  message: string;
}

export type ClusterError =
  | { kind: 'network'; message: string }
  | { kind: 'conflict'; message: string; conflicts: FieldConflict[] }
  | { kind: 'invalid'; message: string; causes: FieldCause[] }
  | { kind: 'forbidden'; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'unknown-kind'; message: string; apiVersion: string; objectKind: string }
  | { kind: 'suspended'; message: string }
  | { kind: 'bad-input'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'untrusted'; message: string }
  | { kind: 'server'; message: string; status: number; reason?: string };

export type ClusterResult<T> = { ok: true; value: T } | { ok: false; error: ClusterError };

export const ok = <T>(value: T): ClusterResult<T> => ({ ok: true, value });
export const fail = <T>(error: ClusterError): ClusterResult<T> => ({ ok: false, error });
