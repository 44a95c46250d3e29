/**
 * Public surface of the engine for the server, the CLI and tests. Everything
 * not exported here is internal.
 */
export { createLanguageService, toDiagnostics, type LanguageService, type EngineSettings } from './service.ts';
export type { EngineHost } from './host.ts';
export { emptyHost } from './host.ts';
export type { YamlFile, YamlDocument } from './yaml/documents.ts';
export type { Diagnostic, Severity } from './types.ts';
export { KINDS, findKind } from './kinds.ts';
export { isHelmTemplate } from './validation/kind.ts';
export { pathToUri, uriToPath } from './util/uri.ts';
export type { Workspace } from './workspace/model.ts';
