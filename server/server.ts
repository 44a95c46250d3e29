/**
 * The language server: wires LSP messages to the engine and nothing more.
 * It keeps the latest parse of each open document (keyed by uri + version),
 * re-parses incrementally on edits (unchanged YAML documents keep their
 * cached diagnostics), and publishes diagnostics right after every change.
 */
import {
  TextDocuments, TextDocumentSyncKind, DiagnosticSeverity, CodeActionKind, ResponseError, ErrorCodes,
  type Connection, type InitializeParams, type InitializeResult, type Diagnostic as LspDiagnostic, type CompletionList,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join } from 'node:path';
import { createLanguageService, type EngineHost, type YamlFile, type Diagnostic } from '../engine/index.ts';
import { guard, guardVoid } from './runner.ts';
import { StatusNotification, GraphRequest, EffectiveValuesRequest, SETTINGS_SECTION, type FluxhelmSettings, type EffectiveValuesParams } from './protocol.ts';
import { effectiveValues } from './effective-values.ts';
import { registerClusterFeatures, type ClusterFeatures } from './cluster-features.ts';
import { overlayLenses } from '../engine/features/overlay-lens.ts';
import { buildDependencyGraph } from '../engine/graph/model.ts';
import { ChartResolution } from './resolution.ts';
import { createNetHost } from './net-host.ts';
import { chartVersionInlayHints, chartVersionHover, chartCompletion, pinVersionActions } from '../engine/features/chart-version.ts';
import { getValuesHover } from '../engine/features/values-hover.ts';
import { getValuesCompletion } from '../engine/features/values-completion.ts';
import { pathToUri } from '../engine/index.ts';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
const SEVERITY_NAME: Record<number, Diagnostic['severity']> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

export function toLspDiagnostic(uri: string, d: Diagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'fluxhelm',
    message: d.message,
    ...(d.data !== undefined ? { data: d.data } : {}),
    ...(d.related ? { relatedInformation: d.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.range }, message: r.message })) } : {}),
  };
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

export function startServer(connection: Connection, host: EngineHost): void {
  const service = createLanguageService(host);
  const documents = new TextDocuments(TextDocument);
  const parsed = new Map<string, { version: number; file: YamlFile }>();
  const fluxCounts = new Map<string, { flux: number; errors: number; warnings: number }>();
  let rootPath: string | undefined;
  let supportsConfiguration = false;
  let schemaProblems: string[] = [];
  let schemaSource = 'bundled (Flux 2.9)';
  let trusted = true;
  let revealSecrets = false;
  let networkEnabled = true;
  let workspaceRoots: string[] = [];
  let workspaceExclude: string[] | undefined;
  let resolution: ChartResolution | undefined;
  let cluster: ClusterFeatures | undefined;

  function fileFor(doc: TextDocument): YamlFile {
    const cached = parsed.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.file;
    const file = service.parse(doc.uri, doc.getText(), cached?.file);
    parsed.set(doc.uri, { version: doc.version, file });
    return file;
  }

  function sendStatus(): void {
    let flux = 0;
    let errors = 0;
    let warnings = 0;
    for (const c of fluxCounts.values()) {
      flux += c.flux;
      errors += c.errors;
      warnings += c.warnings;
    }
    void connection.sendNotification(StatusNotification.method, { fluxDocuments: flux, errors, warnings, schemaProblems, schemaSource });
  }

  // Reference-graph diagnostics for the whole workspace, by uri, from the last refresh.
  let graph = new Map<string, Diagnostic[]>();
  let graphTimer: NodeJS.Timeout | undefined;

  function publishClosed(uri: string): void {
    const list = [...(graph.get(uri) ?? []), ...(resolution?.diagnosticsFor(undefined, uri) ?? []), ...(cluster?.diagnosticsFor(uri) ?? [])];
    void connection.sendDiagnostics({ uri, diagnostics: list.map((d) => toLspDiagnostic(uri, d)) });
  }

  /** After chart resolution changed for a document: republish it and the repositories it blames, refresh hints. */
  function onResolutionChanged(uri: string): void {
    const open = documents.get(uri);
    if (open) validate(open, false);
    for (const file of resolution?.sourceFiles() ?? []) {
      const u = pathToUri(file);
      const doc = documents.get(u);
      if (doc) validate(doc, false);
      else publishClosed(u);
    }
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  }

  /** Recomputes the graph diagnostics and republishes every file whose set changed. */
  function refreshWorkspace(): void {
    if (!service.workspace) return;
    const before = graph;
    graph = service.doWorkspaceValidation();
    const uris = new Set([...before.keys(), ...graph.keys()]);
    for (const uri of uris) {
      const a = JSON.stringify(before.get(uri) ?? []);
      const b = JSON.stringify(graph.get(uri) ?? []);
      if (a === b) continue;
      const open = documents.get(uri);
      if (open) validate(open);
      else publishClosed(uri);
    }
  }

  function scheduleWorkspaceRefresh(): void {
    if (graphTimer) clearTimeout(graphTimer);
    graphTimer = setTimeout(() => {
      graphTimer = undefined;
      try {
        refreshWorkspace();
      } catch (err) {
        connection.console.error(`workspace check failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }, 150);
  }

  function validate(doc: TextDocument, resolve = true): void {
    const file = fileFor(doc);
    const diagnostics = [...service.doValidation(file), ...(graph.get(doc.uri) ?? []), ...(resolution?.diagnosticsFor(file, doc.uri) ?? []), ...(cluster?.diagnosticsFor(doc.uri) ?? [])];
    if (resolve) resolution?.schedule(doc.uri);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: diagnostics.map((d) => toLspDiagnostic(doc.uri, d)) });
    const flux = file.docs.filter((d) => d.apiVersion?.includes('fluxcd.io')).length;
    fluxCounts.set(doc.uri, { flux, errors: diagnostics.filter((d) => d.severity === 'error').length, warnings: diagnostics.filter((d) => d.severity === 'warning').length });
    sendStatus();
  }

  async function loadSettings(): Promise<void> {
    if (!supportsConfiguration) return;
    const settings = ((await connection.workspace.getConfiguration(SETTINGS_SECTION)) ?? {}) as FluxhelmSettings;
    service.configure({ validate: settings.validate?.enable !== false });
    revealSecrets = settings.values?.revealSecrets === true;
    networkEnabled = settings.network?.enable !== false;
    if (resolution) resolution.unknownKeys = settings.values?.unknownKeys !== false;
    const paths = (settings.schemas?.crdPaths ?? []).map((p) => (isAbsolute(p) || !rootPath ? p : join(rootPath, p)));
    const problems = service.setCrdPaths(paths);
    schemaProblems = problems.map((p) => `${p.file}: ${p.message}`);
    schemaSource = paths.length ? `${paths.length} CRD path(s) override the bundled schemas` : 'bundled (Flux 2.9)';
    for (const p of schemaProblems) connection.console.warn(`fluxhelm.schemas.crdPaths: ${p}`);
    for (const doc of documents.all()) validate(doc);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    rootPath = folder ? uriToPath(folder) : undefined;
    workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (workspaceRoots.length === 0 && rootPath) workspaceRoots.push(rootPath);
    workspaceExclude = ((params.initializationOptions ?? {}) as FluxhelmSettings).workspace?.exclude;
    supportsConfiguration = params.capabilities.workspace?.configuration === true;
    const init = (params.initializationOptions ?? {}) as FluxhelmSettings;
    if (init.schemas?.crdPaths?.length) {
      const paths = init.schemas.crdPaths.map((p) => (isAbsolute(p) || !rootPath ? p : join(rootPath, p)));
      schemaProblems = service.setCrdPaths(paths).map((p) => `${p.file}: ${p.message}`);
      schemaSource = `${paths.length} CRD path(s) override the bundled schemas`;
    }
    if (init.validate?.enable === false) service.configure({ validate: false });
    trusted = (params.initializationOptions as { trusted?: boolean } | undefined)?.trusted !== false;
    resolution = new ChartResolution(service, createNetHost(), {
      online: () => trusted && networkEnabled,
      onChanged: onResolutionChanged,
      log: (m) => connection.console.warn(m),
    });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '-'], resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        workspaceSymbolProvider: true,
        inlayHintProvider: true,
      },
      serverInfo: { name: 'fluxhelm', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    void loadSettings().catch((err) => connection.console.error(`loading settings failed: ${String(err)}`));
    // Cluster features (lenses, live conditions, reconcile requests); they stay inert until the workspace is trusted.
    cluster = registerClusterFeatures(connection, {
      service,
      trusted: () => trusted,
      onDiagnosticsChanged: (uri) => {
        const d = documents.get(uri);
        if (d) validate(d, false);
        else publishClosed(uri);
      },
      log: (m) => connection.console.log(m),
      extraLenses: (uri) => {
        const ws = service.workspace;
        const path = uriToPath(uri);
        return ws && path ? overlayLenses(ws, path) : [];
      },
    });
    // Index the workspace after answering initialize, so a large repository never delays the editor.
    setImmediate(() => {
      if (!workspaceRoots.length) return;
      try {
        const started = Date.now();
        const ws = service.openWorkspace({ roots: workspaceRoots, exclude: workspaceExclude });
        for (const doc of documents.all()) service.updateFile(doc.uri, doc.getText());
        connection.console.log(`indexed ${ws.index.fileCount} files in ${Date.now() - started} ms`);
        refreshWorkspace();
        // Open documents may be patch files (checked as partial objects) or hold HelmReleases to resolve.
        for (const doc of documents.all()) validate(doc);
      } catch (err) {
        connection.console.error(`indexing the workspace failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    });
  });
  connection.onDidChangeConfiguration(guardVoid(connection, 'configuration', () => {
    void loadSettings().catch((err) => connection.console.error(`loading settings failed: ${String(err)}`));
  }));

  documents.onDidChangeContent(guardVoid(connection, 'validation', (e) => {
    // The index shares the editor's parse, so unchanged documents are parsed once.
    const changed = service.updateFile(e.document.uri, e.document.getText(), fileFor(e.document));
    validate(e.document);
    if (changed) scheduleWorkspaceRefresh();
  }));
  documents.onDidClose(guardVoid(connection, 'close', (e) => {
    parsed.delete(e.document.uri);
    resolution?.forget(e.document.uri);
    fluxCounts.delete(e.document.uri);
    // The file on disk is the truth again once the editor lets go of it.
    if (service.updateFile(e.document.uri)) scheduleWorkspaceRefresh();
    publishClosed(e.document.uri);
    sendStatus();
  }));
  connection.onDidChangeWatchedFiles(guardVoid(connection, 'watchedFiles', (p) => {
    let changed = false;
    for (const change of p.changes) {
      if (documents.get(change.uri)) continue; // the editor's text wins while a file is open
      changed = service.updateFile(change.uri, change.type === 3 ? null : undefined) || changed;
    }
    if (changed) scheduleWorkspaceRefresh();
  }));

  const withDoc = <R>(uri: string, fallback: R, fn: (file: YamlFile) => R): R => {
    const doc = documents.get(uri);
    return doc ? fn(fileFor(doc)) : fallback;
  };

  const emptyList: CompletionList = { isIncomplete: false, items: [] };
  connection.onCompletion(guard(connection, 'completion', Promise.resolve(emptyList), (p) =>
    withDoc(p.textDocument.uri, Promise.resolve(emptyList), async (f): Promise<CompletionList> => {
      const values = resolution?.valuesAt(f, f.lines.offsetAt(p.position));
      const valueKeys = values ? getValuesCompletion(f, p.position, values.chart) : undefined;
      if (valueKeys) return valueKeys;
      const plain = service.doComplete(f, p.position);
      // Chart names and versions come from the repository index (cached; network only when trusted).
      const index = resolution ? await resolution.indexFor(f, p.position).catch(() => undefined) : undefined;
      const charts = chartCompletion(f, p.position, index);
      return charts.length ? { isIncomplete: false, items: [...charts, ...plain.items.filter((i) => i.label !== '"*"' && i.label !== '*')] } : plain;
    })));
  connection.onHover(guard(connection, 'hover', null, (p) => withDoc(p.textDocument.uri, null, (f) => {
    const values = resolution?.valuesAt(f, f.lines.offsetAt(p.position));
    const valuesHover = values ? getValuesHover(f, p.position, values.chart, values.release.result, { revealSecrets }) : null;
    return valuesHover ?? chartVersionHover(f, p.position, resolution?.itemsFor(f) ?? []) ?? service.doHover(f, p.position);
  })));
  connection.languages.inlayHint.on(guard(connection, 'inlayHint', [], (p) => withDoc(p.textDocument.uri, [], (f) => chartVersionInlayHints(f, resolution?.itemsFor(f) ?? [], p.range))));
  connection.onDocumentSymbol(guard(connection, 'symbols', [], (p) => withDoc(p.textDocument.uri, [], (f) => service.findDocumentSymbols(f))));
  connection.onCodeAction(guard(connection, 'codeAction', [], (p) =>
    withDoc(p.textDocument.uri, [], (f) => {
      const ours = p.context.diagnostics.filter((d) => d.source === 'fluxhelm');
      const asEngine: Diagnostic[] = ours.map((d) => ({ range: d.range, severity: SEVERITY_NAME[d.severity ?? 1] ?? 'error', code: String(d.code ?? ''), message: typeof d.message === 'string' ? d.message : d.message.value, data: d.data }));
      const migrate = service.getCodeActions(f, p.range, asEngine).map((a) => ({ ...a, diagnostics: ours.filter((d) => d.code === 'removed-api-version') }));
      return [...migrate, ...pinVersionActions(p.textDocument.uri, asEngine)];
    })));

  connection.onDefinition(guard(connection, 'definition', [], (p) => service.findDefinition(p.textDocument.uri, p.position)));
  connection.onReferences(guard(connection, 'references', [], (p) => service.findReferences(p.textDocument.uri, p.position, p.context.includeDeclaration)));
  connection.onPrepareRename(guard(connection, 'prepareRename', null, (p) => service.prepareRename(p.textDocument.uri, p.position) ?? null));
  connection.onRenameRequest(guard(connection, 'rename', null, (p) => {
    const r = service.doRename(p.textDocument.uri, p.position, p.newName);
    if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return r.edit;
  }));
  connection.onRequest(EffectiveValuesRequest.method, guard(connection, 'effectiveValues', Promise.resolve({ text: '# fluxhelm could not compute the values; see the fluxhelm output channel.\n' }), (p: EffectiveValuesParams) => {
    const doc = documents.get(p.uri);
    if (!resolution) return Promise.resolve({ text: '# The server is still starting.\n' });
    return effectiveValues(service, resolution, doc ? fileFor(doc) : undefined, p);
  }));
  connection.onRequest(GraphRequest.method, guard(connection, 'graph', { nodes: [], edges: [] }, () => (service.workspace ? buildDependencyGraph(service.workspace) : { nodes: [], edges: [] })));
  connection.onWorkspaceSymbol(guard(connection, 'workspaceSymbol', [], (p) => service.findWorkspaceSymbols(p.query)));

  documents.listen(connection);
  connection.listen();
}
