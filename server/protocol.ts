/**
 * Every custom LSP message between the fluxhelm server and its clients,
 * declared once with its parameter and result types and imported by both
 * sides (server/ and client/). `Message<P, R>` carries the types; `send`,
 * `notify` and the server runner's `handle` read them, so no caller restates
 * a result type. Parameter and result shapes of engine use cases are the
 * engine's own types.
 */
import type {
  ClusterState,
  ContextsResult,
  DiffResult,
  PlanParams,
  PlanResult,
  ReconcileParams,
  ReconcileResult,
  StatusResult,
  SuspendParams,
  TargetParams,
  DependencyGraph,
  RenderedDiff,
} from '../engine/index.ts';

export type {
  RenderedDiff,
  ClusterState,
  ContextsResult,
  DiffResult,
  PlanParams,
  PlanResult,
  ReconcileParams,
  ReconcileResult,
  StatusResult,
  SuspendParams,
  TargetParams,
  DependencyGraph,
};
export { UNTRUSTED_MESSAGE } from '../engine/index.ts';

/**
 * A message: its method name, with the parameter and result types attached.
 * (Plain data rather than the protocol library's classes: the client and
 * server libraries ship different copies of those, and a string works with
 * both.)
 */
export interface Message<P, R = void> {
  method: string;
  /** Never set; carries the types. */
  readonly types?: { params: P; result: R };
}

const message = <P, R = void>(method: string): Message<P, R> => ({ method });

/** Anything with `sendRequest(method, params)`: the client's LanguageClient or a test's connection. */
export interface RequestSender {
  sendRequest(method: string, params?: unknown): Promise<unknown>;
}
export interface NotificationSender {
  sendNotification(method: string, params?: unknown): unknown;
}

/** Sends a typed request; the answer has the message's result type. */
export function send<P, R>(to: RequestSender, m: Message<P, R>, params: P): Promise<R> {
  return to.sendRequest(m.method, params) as Promise<R>;
}

/** Sends a typed notification. */
export function notify<P>(to: NotificationSender, m: Message<P, void>, params: P): void {
  void to.sendNotification(m.method, params);
}

export interface StatusParams {
  /** Number of open documents that hold Flux objects. */
  fluxDocuments: number;
  errors: number;
  warnings: number;
  /** Problems loading `fluxhelm.schemas.crdPaths`, if any. */
  schemaProblems: string[];
  /** Where the schemas come from: "bundled (Flux 2.9)" or the override count. */
  schemaSource: string;
}

export interface EffectiveValuesParams {
  /** The document that holds the HelmRelease. */
  uri: string;
  /** Cursor position: picks the HelmRelease in a multi-document file (default: the first). */
  position?: { line: number; character: number };
  /** Show values that came from Secrets. */
  reveal?: boolean;
  /** An overlay that builds this base HelmRelease (e.g. `apps/production`): show its values instead. */
  overlay?: string;
}

export interface EffectiveValuesResult {
  /** YAML of the effective values with a provenance comment on every value (or an explanation when they cannot be computed). */
  text: string;
  /** `namespace/name` of the HelmRelease, when one was found. */
  release?: string;
  /** Overlays that build this HelmRelease (labels usable as `overlay`). */
  overlays?: string[];
  error?: string;
}

export interface RenderedManifestsParams {
  /** The document that holds the HelmRelease, and a position inside it (default: the first HelmRelease). */
  uri: string;
  position?: { line: number; character: number };
  /** An overlay that builds this base HelmRelease (e.g. `apps/production`). */
  overlay?: string;
}

export interface RenderedManifestsResult {
  /** The rendered objects as YAML, each preceded by its source template (or an explanation). */
  text: string;
  release?: string;
  overlays?: string[];
  /** How many objects were rendered. */
  objects?: number;
  error?: string;
}

export interface ProgressParams {
  token: string;
  message: string;
}

/** server -> client: summary for the status bar item. */
export const StatusNotification = message<StatusParams>('fluxhelm/status');
/** client -> server: the dependency graph of the workspace. */
export const GraphRequest = message<Record<string, never>, DependencyGraph>('fluxhelm/graph');
/** client -> server: the effective values of the HelmRelease at a position, with provenance. */
export const EffectiveValuesRequest = message<EffectiveValuesParams, EffectiveValuesResult>('fluxhelm/effectiveValues');

/** client -> server: the manifests the HelmRelease at a position renders (Helm's engine, helm-controller's additions). */
export const RenderedManifestsRequest = message<RenderedManifestsParams, RenderedManifestsResult>(
  'fluxhelm/renderedManifests',
);

export interface DiffRenderedRequestParams {
  /** The document; with `position`, the HelmRelease or Flux Kustomization there, else every owner the file declares or builds. */
  uri: string;
  position?: { line: number; character: number };
  /** Git revision of the base (default `HEAD`). */
  base?: string;
}

/** A rendered diff for the editor: the two sides of a diff editor, a summary, and the diff itself. */
export interface DiffViewResult {
  /** Diff editor title, e.g. `podinfo: HEAD (3ef3c57) ↔ working tree`. */
  title: string;
  /** Rendered objects of the base (left) and of the working tree or workspace (right), one YAML stream each. */
  base: string;
  head: string;
  /** Objects added/removed/changed per HelmRelease or Kustomization, then a total line. */
  summary: string[];
  /** Objects that differ in all. */
  objects: number;
  diff?: RenderedDiff;
  /** Why there is no diff (not a Git repository, unknown revision, nothing to render here). */
  error?: string;
}

/** client -> server: the working tree's rendered output (unsaved edits included) against a Git revision. */
export const DiffRenderedRequest = message<DiffRenderedRequestParams, DiffViewResult>('fluxhelm/diffRendered');
/** client -> server: a HelmRelease's rendered output against its live Helm release (trusted workspace, a cluster). */
export const DiffRenderedClusterRequest = message<
  { uri: string; position?: { line: number; character: number } },
  DiffViewResult
>('fluxhelm/diffRenderedCluster');

// Cluster messages. Every request is refused with UNTRUSTED_MESSAGE in an untrusted workspace.
export const ClusterStateRequest = message<Record<string, never>, ClusterState>('fluxhelm/cluster/state');
export const ClusterStateNotification = message<ClusterState>('fluxhelm/cluster/stateChanged');
export const ContextsRequest = message<Record<string, never>, ContextsResult>('fluxhelm/cluster/contexts');
export const SetContextRequest = message<{ context: string }, ClusterState>('fluxhelm/cluster/setContext');
export const PlanRequest = message<PlanParams, PlanResult>('fluxhelm/cluster/plan');
export const ReconcileRequest = message<ReconcileParams, ReconcileResult>('fluxhelm/cluster/reconcile');
export const SuspendRequest = message<SuspendParams, ReconcileResult>('fluxhelm/cluster/suspend');
export const DiffRequest = message<TargetParams, DiffResult>('fluxhelm/cluster/diff');
export const StatusRequest = message<TargetParams, StatusResult>('fluxhelm/cluster/status');
export const ProgressNotification = message<ProgressParams>('fluxhelm/cluster/progress');

/** Settings section the server reads with workspace/configuration. */
export const SETTINGS_SECTION = 'fluxhelm';

export interface FluxhelmSettings {
  validate?: { enable?: boolean };
  schemas?: { crdPaths?: string[] };
  trace?: { server?: string };
  workspace?: { exclude?: string[]; roots?: string[]; dotFolders?: boolean };
  values?: { revealSecrets?: boolean; unknownKeys?: boolean };
  network?: { enable?: boolean };
  diff?: { lens?: boolean; base?: string };
}
