/**
 * The engine's one façade. Front ends (the language server, the CLI, the
 * MCP server) create a service with a host and call its verbs; results are
 * plain data with ranges. Document verbs take the `YamlFile` returned by
 * `parse` (pass the previous one back in on the next edit: unchanged YAML
 * documents keep their parse and diagnostics). Background work (chart
 * resolution, cluster state) reports through `onDidChange`. Nothing here
 * throws on user input.
 */
import { parseAllDocuments } from 'yaml';
import type { EngineHost } from './host.ts';
import type { Diagnostic, OffsetDiagnostic, Position, Range, CodeAction, CompletionList, Hover, DocumentSymbol, InlayHint, CodeLens, Location } from './types.ts';
import { parseYamlFile, parseYamlFileSteps, type YamlFile } from './yaml/documents.ts';
import { SchemaRegistry, type CrdLoadProblem } from './schemas/registry.ts';
import { validateDocument, validateFile, type ValidateOptions } from './validation/validate.ts';
import { isHelmTemplate } from './validation/kind.ts';
import { getCodeActions, migrateActions, suppressActionsIn } from './quickfix/code-actions.ts';
import { applyRepoPolicy } from './config/policy.ts';
import type { SeverityOverride } from './config/repo-config.ts';
import { doComplete } from './features/completion.ts';
import { doHover } from './features/hover.ts';
import { findDocumentSymbols } from './features/symbols.ts';
import { Workspace } from './workspace/model.ts';
import type { IndexOptions } from './workspace/index.ts';
import { findDefinition, findReferences, prepareRename, doRename, findWorkspaceSymbols, type RenameResult, type WorkspaceSymbol } from './features/navigation.ts';
import { uriToPath, pathToUri } from './util/uri.ts';
import { LineIndex } from './yaml/lines.ts';
import { overlayLenses } from './features/overlay-lens.ts';
import { buildDependencyGraph, type DependencyGraph } from './graph/model.ts';
import { createReleaseService, type ReleaseService } from './releases/service.ts';
import { createClusterService, type ClusterService } from './cluster/service.ts';
import { buildTarget, type BuildAnswer, type BuildQuery } from './flux/build-use-case.ts';
import {
  clampRange, codeLensesInDocument, completionInDocument, diagnosticsInDocument, hoverInDocument,
  inlayHintsInDocument, locationsInWorkspace, symbolsInDocument, workspaceEditInWorkspace,
} from './protocol/invariants.ts';
import { fluxOperatorManages } from './schemas/operator-patch.ts';
import { resourceSetFindings } from './operator/resourceset-check.ts';
import { createRenderedDiff } from './diff/rendered.ts';
import { DiffLenses } from './diff/lenses.ts';
import type { DiffRenderedParams, DiffRenderedResult } from './diff/types.ts';

export interface EngineSettings {
  validate: boolean;
  /** Chart indexes, tags and charts may be fetched (trusted workspace, network setting on, not --offline). */
  network: boolean;
  /** Warn about spec.values keys a chart without a schema does not have. */
  unknownKeys: boolean;
  /** Show values from Secrets in hovers and views. */
  revealSecrets: boolean;
  /** The workspace is trusted: cluster features and the network may be used. */
  trusted: boolean;
  /** Per request, for chart sources (ms). */
  timeoutMs: number;
  /** Severity per diagnostic code (`.fluxhelm.yaml`): applied with suppression comments to what `diagnostics` returns. */
  severity: Record<string, SeverityOverride>;
  /** Rendering: capabilities, and whether open documents are rendered in the background. */
  render: { kubeVersion?: string; apiVersions?: string[]; renderOnEdit: boolean };
  /** The `Δ N objects vs HEAD` lens: on/off and the Git revision it compares with. */
  diff: { lens: boolean; base: string };
}

/** What changed in the background: republish these documents; refresh hints/lenses when flagged. */
export interface ChangeEvent {
  uris: string[];
  hints?: boolean;
  lenses?: boolean;
}

export interface WorkspaceSummary {
  roots: string[];
  repoRoot?: string;
  fileCount: number;
}

export interface LanguageService extends ReleaseService {
  readonly registry: SchemaRegistry;
  configure(settings: Partial<Omit<EngineSettings, 'render'>> & { render?: Partial<EngineSettings['render']> }): void;
  readonly settings: Readonly<EngineSettings>;
  /** Loads CRD overrides (file or folder paths, read through the host). Returns load problems. */
  setCrdPaths(paths: string[]): CrdLoadProblem[];
  /** Where the schemas come from, for status lines. */
  readonly schemaSource: string;
  /** Background results changed (chart resolution, values, cluster state). */
  onDidChange(listener: (e: ChangeEvent) => void): void;

  parse(uri: string, text: string, previous?: YamlFile): YamlFile;
  /** `parse` in steps of a few milliseconds (a front end runs them between messages); returns the same file. */
  parseSteps(uri: string, text: string, previous?: YamlFile): Generator<void, YamlFile, void>;
  /** The document's own checks: YAML, schemas, CEL (patch files as partial objects). */
  doValidation(file: YamlFile): Diagnostic[];
  /** Works out `doValidation`'s checks one `---` document per step (kept with each document); then it is quick. */
  validationSteps(file: YamlFile): Generator<void, void, void>;
  /**
   * Everything known about an open document: its own checks, the workspace's (when computed on this text), chart
   * resolution and values, the cluster, and `extra` findings of the caller (rendering in `check --render`); then
   * suppression comments and severities.
   */
  diagnostics(file: YamlFile, extra?: Diagnostic[]): Diagnostic[];
  /** The same for a file that is not open (workspace, resolution and cluster findings). */
  diagnosticsOfClosed(uri: string): Diagnostic[];
  doComplete(file: YamlFile, position: Position): CompletionList;
  /** Completion with chart-aware values keys and chart names/versions from the repository index. */
  complete(file: YamlFile, position: Position): Promise<CompletionList>;
  doHover(file: YamlFile, position: Position): Hover | null;
  /** Hover with values (default, effective value, layer) and chart versions first. */
  hover(file: YamlFile, position: Position): Hover | null;
  findDocumentSymbols(file: YamlFile): DocumentSymbol[];
  getCodeActions(file: YamlFile, range: Range, diagnostics: Diagnostic[]): CodeAction[];
  /** Quick fixes for the given diagnostics of a document (migrations, pinning a chart version); `fixes` lists the diagnostics each one resolves. */
  codeActions(file: YamlFile, range: Range, diagnostics: Diagnostic[]): (CodeAction & { fixes?: Diagnostic[] })[];
  inlayHints(file: YamlFile, range?: Range): InlayHint[];
  /** Overlay lenses and, in a trusted workspace with a cluster, Reconcile · Diff · status lenses. */
  codeLenses(uri: string): CodeLens[];

  /** Indexes the workspace folders; later calls replace the workspace. */
  openWorkspace(options: IndexOptions & { repoRoot?: string; clusterRoots?: string[] }): WorkspaceSummary;
  readonly hasWorkspace: boolean;
  /** Tells the workspace a file changed (`undefined` text: read it again through the host; `null`: deleted). */
  updateFile(uri: string, text?: string | null, parsed?: YamlFile): boolean;
  /** Cross-file findings (references, paths, cycles, builds) of every file, by uri. */
  doWorkspaceValidation(): Map<string, Diagnostic[]>;
  /** Recomputes the cross-file findings; returns the uris whose findings changed. */
  refreshWorkspaceDiagnostics(): string[];
  /**
   * The same refresh cut into steps (the fleet, the reference check, the builds, then files in small groups):
   * the caller runs `next()` between other work (the server between messages). It returns the changed uris,
   * or undefined when the workspace changed under it (the work is dropped; the next refresh starts over).
   * `forced`: not dropped when files change meanwhile: the fleet is evaluated in steps until it is of the current
   * files (at most a few rounds), then the rest runs as one block, so the findings are of one state of the files.
   */
  refreshWorkspaceSteps(options?: { forced?: boolean }): Generator<void, string[] | undefined, void>;
  findDefinition(uri: string, position: Position): Location[];
  findReferences(uri: string, position: Position, includeDeclaration: boolean): Location[];
  prepareRename(uri: string, position: Position): { range: Range; placeholder: string } | undefined;
  doRename(uri: string, position: Position, newName: string): RenameResult;
  findWorkspaceSymbols(query: string): WorkspaceSymbol[];
  graph(): DependencyGraph;
  /** What a Flux Kustomization (or kustomization folder) builds, with findings. */
  build(query: BuildQuery): BuildAnswer;
  /** The rendered objects of the working tree (with unsaved texts) against a Git revision; errors are data. */
  diffRendered(params: DiffRenderedParams): Promise<DiffRenderedResult>;

  readonly cluster: ClusterService;
}

export function toDiagnostics(file: YamlFile, list: OffsetDiagnostic[]): Diagnostic[] {
  return offsetsToDiagnostics(file.lines, list);
}

/** Offsets to ranges, keeping quick-fix data and related places. */
export function offsetsToDiagnostics(lines: LineIndex, list: OffsetDiagnostic[]): Diagnostic[] {
  return list.map((d) => ({
    range: lines.rangeOf(d.start, d.end),
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.data !== undefined ? { data: d.data } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ range: lines.rangeOf(r.start, r.end), message: r.message })) } : {}),
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

const BUNDLED = 'bundled (Flux 2.9)';

/** The CustomResourceDefinition documents of a YAML text (others and unparsable documents are skipped). */
function parseCrdObjects(text: string): unknown[] {
  try {
    return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((o) => !!o && typeof o === 'object' && (o as { kind?: unknown }).kind === 'CustomResourceDefinition');
  } catch {
    return [];
  }
}

export function createLanguageService(host: EngineHost): LanguageService {
  const registry = new SchemaRegistry();
  const settings: EngineSettings = { validate: true, network: true, unknownKeys: true, revealSecrets: false, trusted: true, timeoutMs: 10_000, severity: {}, render: { renderOnEdit: true }, diff: { lens: true, base: 'HEAD' } };
  let schemaSource = BUNDLED;
  let workspace: Workspace | undefined;
  const listeners: ((e: ChangeEvent) => void)[] = [];
  const emit = (e: ChangeEvent) => {
    for (const l of listeners) l(e);
  };
  /** Cross-file findings of the last refresh, with the text each file had then. */
  let graph = new Map<string, { text: string | undefined; list: Diagnostic[] }>();

  /** Line index of a document the workspace knows (the editor's text while it is open), for answers that point into it. */
  const linesOf = (uri: string): LineIndex | undefined => {
    const path = typeof uri === 'string' ? uriToPath(uri) : undefined;
    return workspace && path ? workspace.lines(path) : undefined;
  };
  const withWs = <T>(uri: string, fallback: T, fn: (ws: Workspace, path: string) => T): T => {
    const path = uriToPath(uri);
    return workspace && path ? fn(workspace, path) : fallback;
  };
  /** Options of a file's own checks: patch files as partial objects. */
  const validateOptions = (path: string | undefined): ValidateOptions => {
    // When the Flux Operator manages the cluster, its patched CRDs accept its kinds in Alerts and Receivers.
    if (workspace) registry.setFluxOperator(fluxOperatorManages(workspace.index));
    return { partial: !!(workspace && path && workspace.patchFiles().has(path)) };
  };
  /** CRD objects of `fluxhelm.schemas.crdPaths` / `--crd`, for checking rendered objects. */
  let crdObjects: unknown[] = [];
  const cluster = createClusterService(host, () => workspace, settings, emit, { render: (q) => releases.renderRelease(q) });
  const releases = createReleaseService(host, () => workspace, settings, emit, { capabilities: () => cluster.capabilities(), crds: () => crdObjects });
  let workspaceOptions: (IndexOptions & { repoRoot?: string; clusterRoots?: string[] }) | undefined;
  // The base side of a rendered diff: a workspace over a Git commit with its own chart resolution.
  const renderedDiff = createRenderedDiff({
    host,
    head: () => (workspace ? { ws: workspace, render: (q) => releases.renderRelease(q) } : undefined),
    workspaceOptions: () => workspaceOptions,
    openBase(baseHost, options) {
      // Files with the working tree's text take its index entries (objects, parses) instead of being scanned again.
      const ws = new Workspace(baseHost, options, workspace?.index);
      const rel = createReleaseService(baseHost, () => ws, settings, () => undefined, { capabilities: () => cluster.capabilities(), crds: () => crdObjects });
      return { ws, render: (q) => rel.renderRelease(q) };
    },
  });
  // `Δ N objects vs HEAD` over the HelmReleases and Kustomizations of open documents (background, after edits).
  const diffLenses = new DiffLenses(host, () => workspace, (p) => renderedDiff.diffRendered(p), () => ({ enabled: settings.diff.lens && settings.trusted && releases.canRender && !!host.git, base: settings.diff.base }), () => emit({ uris: [], lenses: true }));

  /** Files per step when the cross-file findings are gathered in steps. */
  const FILES_PER_STEP = 40;
  /** Rounds of a forced refresh's stepped fleet evaluation before the rest runs whatever changed meanwhile. */
  const FORCED_FLEET_ROUNDS = 3;

  /**
   * Cross-file findings in steps; each `yield` is a point where the caller may do other work. Returns undefined
   * when the workspace or the schemas changed between steps (the findings would mix two states).
   */
  function* workspaceDiagnosticsSteps(dropStale = true): Generator<void, Map<string, Diagnostic[]> | undefined, void> {
    const out = new Map<string, Diagnostic[]>();
    if (!workspace || !settings.validate) return out;
    const ws = workspace;
    registry.setFluxOperator(fluxOperatorManages(ws.index));
    const version = ws.index.version;
    const generation = registry.generation;
    const stale = () => dropStale && (workspace !== ws || ws.index.version !== version || registry.generation !== generation);
    // The fleet model (what each cluster root applies) first: the reference check and the builds read it.
    // Its builds run as steps of their own (a fleet-grown kustomization file can take a second to build); an edit
    // between two of them drops the rest (the builds done stay in the fleet's memo for the next refresh).
    const fleetSteps = ws.fleet.getSteps();
    for (let r = fleetSteps.next(); !r.done; r = fleetSteps.next()) {
      yield;
      if (stale()) {
        fleetSteps.return(undefined as never);
        return undefined;
      }
    }
    yield;
    if (stale()) return undefined;
    // Every object's references first, in steps of their own (their places in the text: a file of 1,000
    // HelmReleases took 360-500 ms); the check then finds them read.
    const refSteps = ws.refs.allSteps();
    for (let r = refSteps.next(); !r.done; r = refSteps.next()) {
      yield;
      if (stale()) {
        refSteps.return([]);
        return undefined;
      }
    }
    const byFile = ws.check().byFile;
    yield;
    if (stale()) return undefined;
    const builds = ws.checkBuilds(registry);
    yield;
    if (stale()) return undefined;
    const resourceSets = resourceSetFindings(ws.index, registry);
    let done = 0;
    for (const path of new Set([...byFile.keys(), ...builds.keys(), ...resourceSets.keys()])) {
      if (++done % FILES_PER_STEP === 0) {
        yield;
        if (stale()) return undefined;
      }
      const text = ws.readText(path);
      const lines = ws.lines(path) ?? (text !== undefined ? new LineIndex(text) : undefined);
      if (!lines) continue;
      // A finding on a built object can repeat what the file's own check reports; the file check keeps it.
      // The index's parse is shared with the editor, so its documents' diagnostics are already memoized.
      const parsed = builds.has(path) ? ws.index.parsedFile(path) : undefined;
      const own = new Set(parsed ? validateFile(parsed, registry, { partial: ws.patchFiles().has(path) }).map((d) => `${d.start}:${d.code}`) : []);
      // A build's YAML error where the file's own check already reports the YAML problem (a duplicate key) is the same finding.
      const same = (d: OffsetDiagnostic) => own.has(`${d.start}:${d.code}`) || (d.code === 'kustomize-yaml' && (own.has(`${d.start}:duplicate-key`) || own.has(`${d.start}:yaml-syntax`)));
      const kept = [...(byFile.get(path) ?? []), ...(builds.get(path) ?? []).filter((d) => !same(d)), ...(resourceSets.get(path) ?? [])];
      if (kept.length) out.set(pathToUri(path), offsetsToDiagnostics(lines, kept));
    }
    return stale() ? undefined : out;
  }

  function computeWorkspaceDiagnostics(): Map<string, Diagnostic[]> {
    const steps = workspaceDiagnosticsSteps(false);
    for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value ?? new Map();
  }

  /** A refresh edits cannot drop: the fleet's builds in steps (again while files changed meanwhile), then the rest at once. */
  function* forcedRefreshSteps(): Generator<void, string[] | undefined, void> {
    const ws = workspace;
    if (!ws) return [];
    for (let round = 0; round < FORCED_FLEET_ROUNDS && !ws.fleet.current(); round++) {
      yield* ws.fleet.getSteps();
      yield;
      if (workspace !== ws) return undefined;
    }
    const steps = refreshSteps(false);
    for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
  }

  /** Refreshes the cross-file findings in steps; the uris whose findings changed, or undefined when dropped. */
  function* refreshSteps(dropStale = true): Generator<void, string[] | undefined, void> {
    if (!workspace) return [];
    const ws = workspace;
    const found = yield* workspaceDiagnosticsSteps(dropStale);
    if (!found) return undefined;
    const before = graph;
    const next = new Map<string, { text: string | undefined; list: Diagnostic[] }>();
    for (const [uri, list] of found) {
      const path = uriToPath(uri);
      next.set(uri, { text: path ? ws.readText(path) : undefined, list });
    }
    graph = next;
    const changed: string[] = [];
    for (const uri of new Set([...before.keys(), ...next.keys()])) {
      // A file whose text changed is republished too: its old findings were shown only while they matched its text.
      const was = before.get(uri);
      const now = next.get(uri);
      if (was?.text !== now?.text || JSON.stringify(was?.list ?? []) !== JSON.stringify(now?.list ?? [])) changed.push(uri);
    }
    return changed;
  }

  /** Workspace findings of a file, only while its text is the one they were computed on. */
  function graphFor(uri: string, text: string | undefined): Diagnostic[] {
    const g = graph.get(uri);
    return g && (text === undefined || g.text === text) ? g.list : [];
  }

  const service: LanguageService = {
    registry,
    get settings() {
      return settings;
    },
    get schemaSource() {
      return schemaSource;
    },
    get hasWorkspace() {
      return workspace !== undefined;
    },
    cluster,
    ...releases,
    scheduleReleases(uri) {
      releases.scheduleReleases(uri);
      if (workspace && settings.trusted && settings.diff.lens) diffLenses.schedule(uri);
    },
    forgetDocument(uri) {
      releases.forgetDocument(uri);
      diffLenses.forget(uri);
    },
    onDidChange(listener) {
      listeners.push(listener);
    },
    configure(s) {
      const { render, ...rest } = s;
      const diffBefore = JSON.stringify(settings.diff);
      Object.assign(settings, rest);
      // Another base revision or the lens turned on: compare the open documents again.
      if (JSON.stringify(settings.diff) !== diffBefore) diffLenses.refreshAll();
      // The release service keeps the render settings object: update it in place.
      if (render) Object.assign(settings.render, render);
    },
    setCrdPaths(paths) {
      const files: { path: string; text: string }[] = [];
      const problems: CrdLoadProblem[] = [];
      for (const p of paths) collectCrdFiles(host, p, files, problems);
      schemaSource = paths.length ? `${paths.length} CRD path(s) override the bundled schemas` : BUNDLED;
      crdObjects = files.flatMap((f) => parseCrdObjects(f.text));
      return [...problems, ...registry.setOverrides(files)];
    },
    parse: (uri, text, previous) => parseYamlFile(uri, text, previous),
    parseSteps: (uri, text, previous) => parseYamlFileSteps(uri, text, previous),
    *validationSteps(file) {
      if (!settings.validate || isHelmTemplate(file.uri, file.text)) return;
      const options = validateOptions(uriToPath(file.uri));
      for (const doc of file.docs) {
        validateDocument(doc, file.uri, registry, options);
        yield;
      }
    },
    doValidation(file) {
      if (!settings.validate) return [];
      const path = uriToPath(file.uri);
      const own = validateFile(file, registry, validateOptions(path));
      // As Flux applies it: built documents are checked as built, files no cluster root reaches say so (fleet/).
      return toDiagnostics(file, workspace && path ? workspace.adjustWritten(path, own, registry) : own);
    },
    diagnostics(file, extra = []) {
      const all = [...service.doValidation(file), ...graphFor(file.uri, file.text), ...releases.releaseDiagnostics(file, file.uri), ...cluster.diagnosticsFor(file.uri), ...extra];
      // Suppression comments and severity per code, the same for every front end.
      // Every answer leaves the façade inside the protocol's rules (engine/protocol/invariants.ts): ranges within the
      // document they point into, symbols with names and children inside their parents, usable completion edits.
      return diagnosticsInDocument(file.lines, applyRepoPolicy(file.text, all, { severity: settings.severity }));
    },
    diagnosticsOfClosed(uri) {
      const path = uriToPath(uri);
      const text = workspace && path ? workspace.readText(path) : undefined;
      // Only what belongs to the text the file has now: cross-file findings of an editor's text that was just closed
      // (or of the disk text before a change) would point at lines this text may not have; without a text, nothing.
      if (text === undefined) return [];
      const all = [...graphFor(uri, text), ...releases.releaseDiagnostics(undefined, uri), ...cluster.diagnosticsFor(uri)];
      // Without the file's own checks at hand, a directive cannot be called unused.
      const kept = applyRepoPolicy(text, all, { severity: settings.severity, reportUnused: false });
      return diagnosticsInDocument(linesOf(uri) ?? new LineIndex(text), kept);
    },
    doComplete: (file, position) => doComplete(file, position, registry),
    complete: async (file, position) => completionInDocument(file.lines, position, await releases.completeWith(file, position, doComplete(file, position, registry))),
    doHover: (file, position) => doHover(file, position, registry),
    hover: (file, position) => hoverInDocument(file.lines, releases.hoverAt(file, position) ?? doHover(file, position, registry)),
    findDocumentSymbols: (file) => symbolsInDocument(file.lines, findDocumentSymbols(file, registry)),
    getCodeActions: (file, range, diagnostics) => getCodeActions(file, range, diagnostics),
    codeActions(file, range, diagnostics) {
      const migrate = migrateActions(file, range, diagnostics).map((a) => ({ ...a, fixes: diagnostics.filter((d) => d.code === 'removed-api-version') }));
      const actions = [...migrate, ...releases.releaseCodeActions(file.uri, diagnostics), ...suppressActionsIn(file, range, diagnostics)];
      // Edits of every action inside the documents they change.
      const lines = (uri: string) => (uri === file.uri ? file.lines : linesOf(uri));
      return actions.map((a) => (a.edit ? { ...a, edit: workspaceEditInWorkspace(lines, a.edit) } : a));
    },
    inlayHints: (file, range) => inlayHintsInDocument(file.lines, releases.inlayHintsFor(file, range)),
    codeLenses(uri) {
      const overlays = withWs(uri, [] as CodeLens[], (ws, path) => overlayLenses(ws, path));
      const lenses = [...overlays, ...releases.renderLenses(uri), ...diffLenses.lenses(uri), ...cluster.lenses(uri)];
      const lines = linesOf(uri);
      return lines ? codeLensesInDocument(lines, lenses) : lenses;
    },

    openWorkspace(options) {
      workspace = new Workspace(host, options);
      workspaceOptions = options;
      graph = new Map();
      return { roots: options.roots, repoRoot: workspace.repoRoot, fileCount: workspace.index.fileCount };
    },
    updateFile(uri, text, parsed) {
      const path = uriToPath(uri);
      if (!workspace || !path) return false;
      if (text === undefined) return workspace.index.refreshFile(path);
      return workspace.index.setFileText(path, text === null ? undefined : text, parsed);
    },
    doWorkspaceValidation: computeWorkspaceDiagnostics,
    refreshWorkspaceDiagnostics() {
      const steps = refreshSteps(false);
      for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value ?? [];
    },
    refreshWorkspaceSteps: (options) => (options?.forced ? forcedRefreshSteps() : refreshSteps()),
    findDefinition: (uri, position) => locationsInWorkspace(linesOf, withWs(uri, [], (ws, path) => findDefinition(ws, path, position))),
    findReferences: (uri, position, decl) => locationsInWorkspace(linesOf, withWs(uri, [], (ws, path) => findReferences(ws, path, position, decl))),
    prepareRename: (uri, position) => withWs(uri, undefined, (ws, path) => {
      const r = prepareRename(ws, path, position);
      const lines = ws.lines(path);
      return r && lines ? { ...r, range: clampRange(lines, r.range) } : r;
    }),
    doRename: (uri, position, newName) => withWs<RenameResult>(uri, { error: 'No workspace is open.' }, (ws, path) => {
      const r = doRename(ws, path, position, newName);
      return 'edit' in r ? { ...r, edit: workspaceEditInWorkspace(linesOf, r.edit) } : r;
    }),
    findWorkspaceSymbols: (query) => (workspace ? findWorkspaceSymbols(workspace, typeof query === 'string' ? query : '') : []),
    graph: () => (workspace ? buildDependencyGraph(workspace) : { nodes: [], edges: [] }),
    build: (query) => buildTarget(host, registry, query),
    diffRendered: (params) => renderedDiff.diffRendered(params),
  };
  return service;
}
