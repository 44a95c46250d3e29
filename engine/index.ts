/**
 * The engine's public surface: the one service (`createLanguageService`)
 * with a verb per use case, its cluster sub-service (`service.cluster`), the
 * host interface front ends implement, and the plain data types of the
 * answers. server/, cli/ and client/ import nothing else from engine/
 * (test/architecture checks it). Everything not exported here is internal.
 */
export { createLanguageService, toDiagnostics, type LanguageService, type EngineSettings, type ChangeEvent, type WorkspaceSummary } from './service.ts';
export type { EngineHost, Clock, ManualClock, GitHost, GitTreeFile } from './host.ts';
export { emptyHost, createManualClock } from './host.ts';
export type { YamlFile, YamlDocument } from './yaml/documents.ts';
export type { Diagnostic, Severity, Position, Range, CompletionList, Hover, DocumentSymbol, CodeAction, InlayHint, CodeLens, Location } from './types.ts';
export { KINDS, findKind } from './kinds.ts';
export { isHelmTemplate } from './validation/kind.ts';
export { pathToUri, uriToPath } from './util/uri.ts';
export { DIAGNOSTIC_CODES, type DiagnosticCode } from './codes.ts';
export type { DependencyGraph } from './graph/model.ts';
export { graphToDot } from './graph/model.ts';
export { renderGraphHtml } from './graph/render-html.ts';
export type { ResolveRow, ReleaseSummary, EffectiveValuesRequestQuery } from './releases/service.ts';
export type { EffectiveValuesAnswer, ValuesProblem } from './releases/effective-values.ts';
export type { RenderQuery, RenderedRelease } from './releases/renders.ts';
export type { RenderedObject } from './render/post-render.ts';
export type { BuildQuery, BuildAnswer, BuildFinding } from './flux/build-use-case.ts';
export { formatObjects } from './flux/format-objects.ts';
// Hosts the front ends implement.
export type { SourceHost, FileStamp, FetchOptions, FetchResult, FetchFailure, FetchFailureKind, CacheEntry, CacheMeta } from './sources/host.ts';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_MS, sameStamp } from './sources/host.ts';
export type { ClusterConnector, ClusterConnectOptions, ContextInfo } from './cluster/connector.ts';
export type { ClusterTransport, ClusterResult, ClusterError, KubeObject, TransportRequest, TransportResponse, StopHandle } from './cluster/types.ts';
export { ok as clusterOk, fail as clusterFail } from './cluster/types.ts';
export { createRestClusterHost, describeError, type ClusterHost } from './cluster/host.ts';
export type { HelmRenderHost, HelmRenderRequest, HelmRenderResult, RenderedDocument, ChartFiles } from './render/host.ts';
// The cluster sub-service and the words every front end prints.
export {
  UNTRUSTED_MESSAGE, isRefused,
  type ClusterService, type Answer, type Refused, type TargetParams, type ClusterState, type ContextsResult, type PlannedChange,
  type PlanParams, type PlanResult, type ReconcileParams, type ReconcileResult, type SuspendParams, type DiffResult, type StatusResult, type RunOptions,
} from './cluster/service.ts';
export { label, outcomeLines } from './cluster/words.ts';
export { statusLine, type StatusRow, type DiffReport, type PathPlan, type Display } from './cluster/path-flows.ts';
export type { TargetOutcome } from './cluster/run.ts';
// Repository settings (.fluxhelm.yaml) and suppression comments: the policy every front end applies to a file's findings.
export { findRepoConfig, parseRepoConfig, isRepoConfigFile, REPO_CONFIG_NAMES, type RepoConfig, type LoadedRepoConfig, type SeverityOverride } from './config/repo-config.ts';
export { mergeSettings, excludeMatcher, excludeForRoot, type EffectiveSettings, type ExplicitSettings } from './config/settings.ts';
export { applyRepoPolicy, type PolicyOptions } from './config/policy.ts';
// Rendered diffs: the shared data, the editor's two-sided view and its lenses.
export type { RenderedDiff, OwnerDiff, ObjectDiff, ObjectKey, FieldDelta, FieldOp, OwnerOutput, DiffOptions, DiffRenderedParams, DiffRenderedResult, RenderDiffParams } from './diff/types.ts';
export { diffSides, countWords, maskSecretText, type DiffSides } from './diff/sides.ts';
export { formatDiff, type DiffFormat, type FormatOptions } from './diff/format.ts';
