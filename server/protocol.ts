/**
 * Custom LSP messages between the fluxhelm server and its clients, declared
 * once here and imported by both sides (server/ and client/).
 */

export interface StatusParams {
  /** Number of open documents that hold Flux objects. */
  fluxDocuments: number;
  /** Problems found in those documents. */
  errors: number;
  warnings: number;
  /** Problems loading `fluxhelm.schemas.crdPaths`, if any. */
  schemaProblems: string[];
  /** Where the schemas come from: "bundled (Flux 2.9)" or the override count. */
  schemaSource: string;
}

/**
 * A message declared by its method name and parameter type. (Plain data
 * rather than the protocol library's classes: the client and server libraries
 * ship different copies of those, and a string works with both.)
 */
export interface Message<P> {
  method: string;
  /** Never set; carries the parameter type for the helpers below. */
  readonly params?: P;
}

/** server -> client: summary for the status bar item. */
export const StatusNotification: Message<StatusParams> = { method: 'fluxhelm/status' };

/** client -> server: the dependency graph of the workspace (see engine/graph/model.ts for the shape). */
export const GraphRequest: Message<Record<string, never>> = { method: 'fluxhelm/graph' };

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

/** client -> server: the effective values of the HelmRelease at a position, with provenance. */
export const EffectiveValuesRequest: Message<EffectiveValuesParams> = { method: 'fluxhelm/effectiveValues' };

/** Settings section the server reads with workspace/configuration. */
export const SETTINGS_SECTION = 'fluxhelm';

export interface FluxhelmSettings {
  validate?: { enable?: boolean };
  schemas?: { crdPaths?: string[] };
  trace?: { server?: string };
  workspace?: { exclude?: string[] };
  values?: { revealSecrets?: boolean; unknownKeys?: boolean };
  network?: { enable?: boolean };
}
