/**
 * The language server: wires LSP messages to the engine's façade and
 * nothing more. `initialize` answers at once; settings, the workspace index
 * and the first cross-file check follow, so a large repository never delays
 * the editor. Feature handlers live in server/features/, one module per
 * area, all through the one runner (server/runner.ts).
 */
import {
  TextDocumentSyncKind,
  CodeActionKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join } from 'node:path';
import {
  createLanguageService,
  findRepoConfig,
  mergeSettings,
  excludeForRoot,
  isRepoConfigFile,
  type EngineHost,
  type LoadedRepoConfig,
  type EffectiveSettings,
} from '../engine/index.ts';
import { createRunner } from './runner.ts';
import { SETTINGS_SECTION, type FluxhelmSettings } from './protocol.ts';
import { createDocumentStore } from './documents.ts';
import { checkedDocumentSync } from './document-sync.ts';
import { createDiskChanges } from './disk-changes.ts';
import { registerDynamicCapabilities, registerLanguageFeatures } from './features/language.ts';
import { registerViews } from './features/views.ts';
import { registerClusterRequests, clusterStateNotifier } from './features/cluster.ts';
import { registerDiffRequests } from './features/diff.ts';

export { toLspDiagnostic } from './convert.ts';

function uriToPath(uri: unknown): string | undefined {
  try {
    return typeof uri === 'string' && uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function startServer(connection: Connection, host: EngineHost): void {
  const service = createLanguageService(host);
  const run = createRunner(connection);
  const store = createDocumentStore(connection, service, run);
  const { documents } = store;
  const disk = createDiskChanges(
    service,
    host,
    run,
    (uri) => documents.get(uri) !== undefined,
    () => store.scheduleWorkspaceRefresh(),
  );
  // A request about a huge document whose newest text is still being checked is answered ContentModified.
  run.beforeRequests((name, params) => store.guard(name, params));
  let rootPath: string | undefined;
  let supportsConfiguration = false;
  let workspaceRoots: string[] = [];
  let workspaceExclude: string[] | undefined;
  let clusterRoots: string[] = [];
  let dotFolders = false;
  // .fluxhelm.yaml at the repository root, and the editor's settings, which win where the user set them.
  let repoConfig: LoadedRepoConfig | undefined;
  let editor: FluxhelmSettings = {};
  const notifyClusterState = clusterStateNotifier(connection, service);

  // Background results (chart resolution, values, cluster state): republish, refresh hints and lenses.
  service.onDidChange((e) => {
    for (const uri of e.uris) store.republish(uri);
    if (e.hints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (e.lenses) {
      notifyClusterState();
      void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    }
  });

  const absolute = (paths: string[]) => paths.map((p) => (isAbsolute(p) || !rootPath ? p : join(rootPath, p)));
  function applyCrdPaths(paths: string[]): void {
    store.schemaProblems = service.setCrdPaths(absolute(paths)).map((p) => `${p.file}: ${p.message}`);
    for (const p of store.schemaProblems) connection.console.warn(`fluxhelm.schemas.crdPaths: ${p}`);
  }

  /** Merges .fluxhelm.yaml with the editor's settings and applies severity, network and CRD paths. */
  function applyRepoSettings(): EffectiveSettings {
    const crd = strings(editor.schemas?.crdPaths);
    const exclude = strings(editor.workspace?.exclude);
    const eff = mergeSettings(
      repoConfig,
      {
        ...(crd.length ? { crdPaths: absolute(crd) } : {}),
        ...(exclude.length ? { exclude } : {}),
        // An editor default (on) does not override the file; turning it off does.
        ...(editor.network?.enable === false ? { network: false } : {}),
      },
      rootPath ?? '/',
      workspaceRoots,
    );
    service.configure({
      severity: eff.severity,
      network: eff.network,
      render: { kubeVersion: eff.kubeVersion, apiVersions: eff.apiVersions },
    });
    applyCrdPaths(eff.crdPaths);
    return eff;
  }

  async function loadSettings(): Promise<void> {
    if (!supportsConfiguration) return;
    const raw = await connection.workspace.getConfiguration(SETTINGS_SECTION);
    const settings = (isObj(raw) ? raw : {}) as FluxhelmSettings;
    editor = settings;
    service.configure({
      validate: settings.validate?.enable !== false,
      revealSecrets: settings.values?.revealSecrets === true,
      unknownKeys: settings.values?.unknownKeys !== false,
      diff: {
        lens: settings.diff?.lens !== false,
        base: typeof settings.diff?.base === 'string' && settings.diff.base.trim() ? settings.diff.base.trim() : 'HEAD',
      },
    });
    applyRepoSettings();
    store.republishAll();
    void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = Array.isArray(params?.workspaceFolders) ? params.workspaceFolders : [];
    const folder = folders[0]?.uri ?? params?.rootUri ?? undefined;
    rootPath = folder ? uriToPath(folder) : undefined;
    workspaceRoots = folders.map((f) => uriToPath(f?.uri)).filter((p): p is string => !!p);
    if (workspaceRoots.length === 0 && rootPath) workspaceRoots.push(rootPath);
    const init = (isObj(params?.initializationOptions) ? params.initializationOptions : {}) as FluxhelmSettings & {
      trusted?: boolean;
    };
    supportsConfiguration = params?.capabilities?.workspace?.configuration === true;
    editor = init;
    repoConfig = rootPath ? findRepoConfig(host, rootPath) : undefined;
    const eff = applyRepoSettings();
    // Cluster roots: fluxhelm.workspace.roots (relative to the first folder); found in the files otherwise.
    const editorRoots = absolute(strings(init.workspace?.roots));
    clusterRoots = editorRoots;
    dotFolders = init.workspace?.dotFolders === true;
    if (eff.origin.roots === 'config') workspaceRoots = eff.roots;
    // The editor's globs are relative to each workspace folder; the file's to the file's folder.
    const excludes =
      eff.origin.exclude === 'explicit'
        ? eff.exclude
        : [...new Set(workspaceRoots.flatMap((r) => excludeForRoot(eff, r)))];
    workspaceExclude = excludes.length ? excludes : undefined;
    service.configure({
      trusted: init.trusted !== false,
      ...(init.validate?.enable === false ? { validate: false } : {}),
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
    registerDynamicCapabilities(connection);
    void loadSettings().catch((err) => run.logError('loading settings', err));
    if (service.settings.trusted) void service.cluster.ensureConnected().then(notifyClusterState);
    // Index the workspace after the first answers: a file opened now gets its own diagnostics first.
    setTimeout(scheduleIndex, 300);
  });

  let indexScheduled = false;
  let indexed = false;
  function scheduleIndex(): void {
    if (indexScheduled) return;
    indexScheduled = true;
    setTimeout(indexWorkspace, 0);
  }
  /** Requests that need the workspace (navigation, views, cluster) index it first when that has not happened yet. */
  const ensureIndexed = () => {
    if (!indexed) indexWorkspace();
  };
  function indexWorkspace(): void {
    if (indexed || !workspaceRoots.length) return;
    indexed = true;
    try {
      const started = Date.now();
      const ws = service.openWorkspace({ roots: workspaceRoots, exclude: workspaceExclude, clusterRoots, dotFolders });
      if (repoConfig) connection.console.log(`settings from ${repoConfig.path}`);
      for (const doc of documents.all()) {
        const file = store.checkedFile(doc);
        if (file) service.updateFile(doc.uri, file.text, file);
      }
      connection.console.log(`indexed ${ws.fileCount} files in ${Date.now() - started} ms`);
      store.refreshWorkspace();
      // Open documents may be patch files (checked as partial objects) or hold HelmReleases to resolve.
      store.republishAll();
    } catch (err) {
      run.logError('indexing the workspace', err);
    }
  }
  connection.onDidChangeConfiguration(run.notification('configuration', () => loadSettings()));

  documents.onDidChangeContent(
    run.notification('validation', (e: { document: Parameters<typeof store.fileFor>[0] }) => {
      // Indexed and validated now (a huge document after typing pauses: server/documents.ts).
      store.changed(e.document);
      scheduleIndex();
    }),
  );
  documents.onDidClose(
    run.notification('close', (e: { document: { uri: string } }) => {
      store.forget(e.document.uri);
      // The file on disk is the truth again once the editor lets go of it.
      if (service.updateFile(e.document.uri)) store.scheduleWorkspaceRefresh();
      store.republish(e.document.uri);
      store.sendStatus();
    }),
  );
  connection.onDidChangeWatchedFiles(
    run.notification('watchedFiles', (p: { changes?: unknown }) => {
      let changed = false;
      for (const change of Array.isArray(p?.changes) ? p.changes : []) {
        if (!isObj(change) || typeof change.uri !== 'string') continue; // one bad entry never stops the batch
        if (isRepoConfigFile(change.uri) && rootPath) {
          // .fluxhelm.yaml changed on disk: severity, network and CRD paths follow at once (roots and excludes on restart).
          repoConfig = findRepoConfig(host, rootPath);
          applyRepoSettings();
          store.republishAll();
        }
        if (documents.get(change.uri)) continue; // the editor's text wins while a file is open
        try {
          // A large file is parsed in steps, and indexed (then checked) when its parse is done.
          changed = disk.changed(change.uri, change.type === 3) || changed;
        } catch (err) {
          run.logError('watchedFiles', err);
        }
      }
      if (changed) store.scheduleWorkspaceRefresh();
    }),
  );

  registerLanguageFeatures(connection, service, store, run, ensureIndexed);
  registerViews(connection, service, run, ensureIndexed);
  registerClusterRequests(connection, service, run, ensureIndexed);
  registerDiffRequests(service, run, ensureIndexed);

  documents.listen(checkedDocumentSync(connection));
  connection.listen();
}
