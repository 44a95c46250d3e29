/**
 * The custom LSP messages of fluxhelm's cluster features (reconcile, diff,
 * status, suspend/resume, contexts), declared once and imported by the
 * server (server/cluster-features.ts) and the VS Code client
 * (client/cluster-commands.ts). Every request fails with a ResponseError
 * when the workspace is not trusted.
 */
import type { Message } from './protocol.ts';

/** Which workspace object: the document and a position inside the object (default: the first object). */
export interface TargetParams {
  uri: string;
  position?: { line: number; character: number };
}

export interface ClusterState {
  /** The kubeconfig context in use, when a kubeconfig was found. */
  context?: string;
  namespace?: string;
  /** Why there is no cluster connection (no kubeconfig, unknown context…). */
  error?: string;
}

export interface ContextsResult {
  current?: string;
  contexts: { name: string; cluster: string; namespace?: string }[];
  error?: string;
}

export interface PlannedChange {
  /** `Kind/namespace/name`. */
  object: string;
  change: 'create' | 'change' | 'unchanged' | 'error';
  /** Changed fields (paths), when `change`. */
  fields: string[];
  secret: boolean;
  /** Fields another field manager owns: `.spec.x (kubectl-edit)`. */
  conflicts: string[];
  message?: string;
}

export interface PlanParams extends TargetParams {
  withSource?: boolean;
}

export interface PlanResult {
  context: string;
  /** `Kind/namespace/name` of the object the command is about. */
  target: string;
  objects: PlannedChange[];
  /** Objects reconciled after the apply, in order. */
  reconcile: string[];
  notes: string[];
}

export interface ReconcileParams extends TargetParams {
  withSource?: boolean;
  force?: boolean;
  reset?: boolean;
  /** Apply the Secrets of the plan too (the user agreed). */
  includeSecrets?: boolean;
  /** Take over fields other field managers own (the user agreed). */
  forceConflicts?: boolean;
  /** Id for ProgressNotification messages about this request. */
  progressToken?: string;
  timeoutMs?: number;
}

export interface ReconcileResult {
  ok: boolean;
  /** One line per object: `✔ HelmRelease/ns/name: Ready (…)`. */
  lines: string[];
  /** Short summary for a notification. */
  summary: string;
}

export interface SuspendParams extends TargetParams {
  suspend: boolean;
  progressToken?: string;
}

export interface DiffResult {
  target: string;
  /** YAML of the live object's fields fluxhelm manages ('' when it does not exist). */
  live: string;
  /** YAML of the same fields as applying the workspace would store them. */
  workspace: string;
  changes: number;
  conflicts: string[];
}

export interface StatusResult {
  target: string;
  /** Plain text: conditions, history, recent Events. */
  text: string;
}

export interface ProgressParams {
  token: string;
  message: string;
}

export const ClusterStateRequest: Message<Record<string, never>> = { method: 'fluxhelm/cluster/state' };
export const ClusterStateNotification: Message<ClusterState> = { method: 'fluxhelm/cluster/stateChanged' };
export const ContextsRequest: Message<Record<string, never>> = { method: 'fluxhelm/cluster/contexts' };
export const SetContextRequest: Message<{ context: string }> = { method: 'fluxhelm/cluster/setContext' };
export const PlanRequest: Message<PlanParams> = { method: 'fluxhelm/cluster/plan' };
export const ReconcileRequest: Message<ReconcileParams> = { method: 'fluxhelm/cluster/reconcile' };
export const SuspendRequest: Message<SuspendParams> = { method: 'fluxhelm/cluster/suspend' };
export const DiffRequest: Message<TargetParams> = { method: 'fluxhelm/cluster/diff' };
export const StatusRequest: Message<TargetParams> = { method: 'fluxhelm/cluster/status' };
export const ProgressNotification: Message<ProgressParams> = { method: 'fluxhelm/cluster/progress' };

export const UNTRUSTED_MESSAGE = 'fluxhelm: the workspace must be trusted before fluxhelm can reach a cluster.';
