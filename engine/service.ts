/**
 * The engine's one façade. Front ends create a service with a host, keep the
 * `YamlFile` it returns from `parse` (passing the previous one back in on the
 * next edit), and call the verbs. Everything here is synchronous, pure with
 * respect to the host, and never throws on user input.
 */
import type { EngineHost } from './host.ts';
import type { Diagnostic, OffsetDiagnostic, Position, Range, CodeAction, CompletionList, Hover, DocumentSymbol } from './types.ts';
import { parseYamlFile, type YamlFile } from './yaml/documents.ts';
import { SchemaRegistry, type CrdLoadProblem } from './schemas/registry.ts';
import { validateFile } from './validation/validate.ts';
import { getCodeActions } from './quickfix/code-actions.ts';
import { doComplete } from './features/completion.ts';
import { doHover } from './features/hover.ts';
import { findDocumentSymbols } from './features/symbols.ts';
import { Workspace } from './workspace/model.ts';
import type { IndexOptions } from './workspace/index.ts';
import { findDefinition, findReferences, prepareRename, doRename, findWorkspaceSymbols, type RenameResult, type WorkspaceSymbol } from './features/navigation.ts';
import type { Location } from './types.ts';
import { uriToPath, pathToUri } from './util/uri.ts';
import { LineIndex } from './yaml/lines.ts';

export interface EngineSettings {
  validate: boolean;
}

export interface LanguageService {
  readonly registry: SchemaRegistry;
  configure(settings: Partial<EngineSettings>): void;
  /** Loads CRD overrides (file or folder paths, read through the host). Returns load problems. */
  setCrdPaths(paths: string[]): CrdLoadProblem[];
  parse(uri: string, text: string, previous?: YamlFile): YamlFile;
  doValidation(file: YamlFile): Diagnostic[];
  doComplete(file: YamlFile, position: Position): CompletionList;
  doHover(file: YamlFile, position: Position): Hover | null;
  findDocumentSymbols(file: YamlFile): DocumentSymbol[];
  getCodeActions(file: YamlFile, range: Range, diagnostics: Diagnostic[]): CodeAction[];
  /** Indexes the workspace folders; later calls replace the workspace. */
  openWorkspace(options: IndexOptions & { repoRoot?: string }): Workspace;
  readonly workspace: Workspace | undefined;
  /** Tells the workspace a file changed (`undefined` text: read it again through the host; `null`: deleted). */
  updateFile(uri: string, text?: string | null, parsed?: YamlFile): boolean;
  /** Reference-graph diagnostics for every file of the workspace, by uri. */
  doWorkspaceValidation(): Map<string, Diagnostic[]>;
  findDefinition(uri: string, position: Position): Location[];
  findReferences(uri: string, position: Position, includeDeclaration: boolean): Location[];
  prepareRename(uri: string, position: Position): { range: Range; placeholder: string } | undefined;
  doRename(uri: string, position: Position, newName: string): RenameResult;
  findWorkspaceSymbols(query: string): WorkspaceSymbol[];
}

export function toDiagnostics(file: YamlFile, list: OffsetDiagnostic[]): Diagnostic[] {
  return list.map((d) => ({
    range: file.lines.rangeOf(d.start, d.end),
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.data !== undefined ? { data: d.data } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ range: file.lines.rangeOf(r.start, r.end), message: r.message })) } : {}),
  }));
}

function collectCrdFiles(host: EngineHost, path: string, out: { path: string; text: string }[], problems: CrdLoadProblem[]): void {
  const entries = host.readDir(path);
  if (entries) {
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${path.replace(/[\\/]$/, '')}/${e.name}`;
      if (e.isDirectory) collectCrdFiles(host, child, out, problems);
      else if (/\.ya?ml$/.test(e.name)) {
        const text = host.readFile(child);
        if (text !== undefined) out.push({ path: child, text });
      }
    }
    return;
  }
  const text = host.readFile(path);
  if (text === undefined) problems.push({ file: path, message: 'file or folder not found' });
  else out.push({ path, text });
}

export function createLanguageService(host: EngineHost): LanguageService {
  const registry = new SchemaRegistry();
  const settings: EngineSettings = { validate: true };
  let workspace: Workspace | undefined;
  const withWs = <T>(uri: string, fallback: T, fn: (ws: Workspace, path: string) => T): T => {
    const path = uriToPath(uri);
    return workspace && path ? fn(workspace, path) : fallback;
  };
  return {
    registry,
    get workspace() {
      return workspace;
    },
    openWorkspace(options) {
      workspace = new Workspace(host, options);
      return workspace;
    },
    updateFile(uri, text, parsed) {
      const path = uriToPath(uri);
      if (!workspace || !path) return false;
      if (text === undefined) return workspace.index.refreshFile(path);
      return workspace.index.setFileText(path, text === null ? undefined : text, parsed);
    },
    doWorkspaceValidation() {
      const out = new Map<string, Diagnostic[]>();
      if (!workspace || !settings.validate) return out;
      const ws = workspace;
      const graph = ws.check().byFile;
      const builds = ws.checkBuilds(registry);
      for (const path of new Set([...graph.keys(), ...builds.keys()])) {
        const lines = ws.lines(path) ?? (ws.readText(path) !== undefined ? new LineIndex(ws.readText(path)!) : undefined);
        if (!lines) continue;
        // A finding on a built object can repeat what the file's own check reports; the file check keeps it.
        // The index's parse is shared with the editor, so its documents' diagnostics are already memoized.
        const parsed = builds.has(path) ? ws.index.parsedFile(path) : undefined;
        const own = new Set(parsed ? validateFile(parsed, registry, { partial: ws.patchFiles().has(path) }).map((d) => `${d.start}:${d.code}`) : []);
        const kept = [...(graph.get(path) ?? []), ...(builds.get(path) ?? []).filter((d) => !own.has(`${d.start}:${d.code}`))];
        if (kept.length) out.set(pathToUri(path), kept.map((d) => ({ range: lines.rangeOf(d.start, d.end), severity: d.severity, code: d.code, message: d.message })));
      }
      return out;
    },
    findDefinition: (uri, position) => withWs(uri, [], (ws, path) => findDefinition(ws, path, position)),
    findReferences: (uri, position, decl) => withWs(uri, [], (ws, path) => findReferences(ws, path, position, decl)),
    prepareRename: (uri, position) => withWs(uri, undefined, (ws, path) => prepareRename(ws, path, position)),
    doRename: (uri, position, newName) => withWs<RenameResult>(uri, { error: 'No workspace is open.' }, (ws, path) => doRename(ws, path, position, newName)),
    findWorkspaceSymbols: (query) => (workspace ? findWorkspaceSymbols(workspace, query) : []),
    configure(s) {
      Object.assign(settings, s);
    },
    setCrdPaths(paths) {
      const files: { path: string; text: string }[] = [];
      const problems: CrdLoadProblem[] = [];
      for (const p of paths) collectCrdFiles(host, p, files, problems);
      return [...problems, ...registry.setOverrides(files)];
    },
    parse: (uri, text, previous) => parseYamlFile(uri, text, previous),
    doValidation(file) {
      if (!settings.validate) return [];
      const path = uriToPath(file.uri);
      const partial = !!(workspace && path && workspace.patchFiles().has(path));
      return toDiagnostics(file, validateFile(file, registry, { partial }));
    },
    doComplete: (file, position) => doComplete(file, position, registry),
    doHover: (file, position) => doHover(file, position, registry),
    findDocumentSymbols: (file) => findDocumentSymbols(file, registry),
    getCodeActions: (file, range, diagnostics) => getCodeActions(file, range, diagnostics),
  };
}
