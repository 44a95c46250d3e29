/**
 * The data of a rendered diff: what a change does to the objects Flux would
 * apply. Both sides are lists of "owner outputs" (the objects one HelmRelease
 * renders or one Flux Kustomization builds); the diff matches owners, then
 * objects by group/kind/namespace/name, then list items by their keys. Every
 * front end (CLI formats, the editor's diff view and lenses, the MCP tool)
 * reads these types; nothing here does IO.
 */

/** The objects one owner produces on one side of the diff. */
export interface OwnerOutput {
  kind: 'HelmRelease' | 'Kustomization';
  /** `namespace/name` of the owner. */
  id: string;
  /** File that declares the owner (absolute path), for links and lenses. */
  file?: string;
  /** Objects as Flux would apply them. */
  objects: Record<string, unknown>[];
  /** Why the owner could not be rendered or built on this side (objects is then empty). */
  error?: string;
}

export interface DiffOptions {
  /**
   * Metadata label/annotation keys hidden before comparing (a key ending in `/` is a prefix).
   * Default: `helm.sh/chart`, `app.kubernetes.io/version`, `checksum/`, `chart`.
   * An empty list hides nothing.
   */
  stripAttributes?: string[];
  /** Dotted field paths deleted before comparing (e.g. `spec.replicas`). */
  stripFields?: string[];
  /** Show Secret data; otherwise Secrets are only changed/unchanged, values masked. */
  revealSecrets?: boolean;
}

export type FieldOp = 'add' | 'remove' | 'change' | 'order';

/** One difference inside an object. */
export interface FieldDelta {
  /** Path like `.spec.template.spec.containers[name=app].image`. */
  path: string;
  op: FieldOp;
  /** Values (masked as `***` for Secret data unless revealed); for `order` the keys in old and new order. */
  before?: unknown;
  after?: unknown;
}

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ObjectDiff {
  key: ObjectKey;
  /** `group/kind/namespace/name` (core group empty), the matching identity. */
  id: string;
  status: 'added' | 'removed' | 'changed';
  fields: FieldDelta[];
  /** A Secret: values are masked unless `revealSecrets`. */
  secret?: boolean;
  /** The object on each side as YAML after stripping and masking (for unified diffs and the editor). */
  before?: string;
  after?: string;
}

export interface OwnerDiff {
  kind: OwnerOutput['kind'];
  id: string;
  file?: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged' | 'error';
  objects: ObjectDiff[];
  counts: { added: number; removed: number; changed: number };
  /** Render/build errors on either side. */
  errors?: { base?: string; head?: string };
  /** What the reader should know about this owner (e.g. which Helm release revision was the base). */
  notes?: string[];
}

export interface RenderedDiff {
  /** What was compared, for headers: e.g. `HEAD (3ef3c57)` and `working tree`. */
  baseLabel: string;
  headLabel: string;
  /** Owners with differences or errors first; unchanged owners are kept so a summary can count them. */
  owners: OwnerDiff[];
  totals: { owners: number; changedOwners: number; added: number; removed: number; changed: number; errors: number };
}

/** `service.diffRendered(params)`: the working tree (with unsaved edits) against a Git revision. */
export interface DiffRenderedParams {
  /** Git revision of the base: a branch, tag, `HEAD~2`, a commit (default `HEAD`). */
  base?: string;
  /** Limit to the owners declared in, or built from, this file or folder (absolute path). */
  path?: string;
  /** Limit to the HelmRelease or Flux Kustomization at this place of an open document. */
  uri?: string;
  position?: { line: number; character: number };
  /** Render only owners whose output can change from the files that differ (default true). */
  changedOnly?: boolean;
  options?: DiffOptions;
  kubeVersion?: string;
  apiVersions?: string[];
}

/** A diff, or why there is none (`usage`: the request itself was wrong, e.g. no such path). */
export type DiffRenderedResult = RenderedDiff | { error: string; usage?: boolean };

/** `service.cluster.renderDiff(params)`: a HelmRelease's rendered objects against its live Helm release. */
export interface RenderDiffParams {
  /** `NAMESPACE/NAME` (or `NAME`) of the HelmRelease, or the one at uri/position, or every one below `path`. */
  release?: string;
  uri?: string;
  position?: { line: number; character: number };
  path?: string;
  options?: DiffOptions;
}
