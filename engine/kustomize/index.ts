/**
 * kustomize build for Flux fleet repositories: entry point and public types.
 */
export { buildKustomization, buildKustomizationSteps, KUSTOMIZATION_FILE_NAMES } from './build.ts';
export { locateInBuilt, type BuiltLocation } from './locate.ts';
export { resourceHash, goJson, encodeHash } from './hash.ts';
export type { BuiltResource, KustomizeBuild, KustomizeDiagnostic, PatchProvenance, PatchChange, ResourceOrigin, FileSpan, PathSegment } from './types.ts';
