/**
 * Public data shapes of the kustomize build (engine/kustomize): the built
 * objects with their provenance, and the diagnostics. Offsets are UTF-16
 * offsets into the named file's text, like everywhere else in the engine.
 */
import type { Severity } from '../types.ts';

export type PathSegment = string | number;

/** A span of text in a file. */
export interface FileSpan {
  file: string;
  start: number;
  end: number;
}

/** One value a patch set (or deleted) in the built object, and where that value is written in the patch. */
export interface PatchChange extends FileSpan {
  /** Path in the built object at the time the patch ran (list indexes as numbers). */
  path: PathSegment[];
  op: 'set' | 'delete';
}

/** A patch that changed a built resource. */
export interface PatchProvenance extends FileSpan {
  kind: 'strategic-merge' | 'json6902';
  /** The kustomization file that lists the patch. */
  kustomization: string;
  changes: PatchChange[];
}

/** Where a built resource came from: a document of a resource file, or a generator entry. */
export interface ResourceOrigin extends FileSpan {
  type: 'file' | 'generator';
  /** Index of the document in the file (0-based) for `file` origins. */
  documentIndex?: number;
  /** For an item of a `kind: List` document: its index in `items`. */
  listItem?: number;
}

export interface BuiltResource {
  /** The final object, as plain JSON values. */
  object: Record<string, unknown>;
  origin: ResourceOrigin;
  /** Generators with `behavior: merge|replace` that changed this object (their kustomization entries). */
  mergedFrom: FileSpan[];
  patches: PatchProvenance[];
}

export interface KustomizeDiagnostic extends FileSpan {
  severity: Severity;
  code: string;
  message: string;
  /** Path of the offending entry inside `file` when it is a kustomization file (e.g. ['resources', 2]). */
  path?: PathSegment[];
}

export interface KustomizeBuild {
  resources: BuiltResource[];
  diagnostics: KustomizeDiagnostic[];
}
