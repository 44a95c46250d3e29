/**
 * Open documents and what the server publishes about them: the latest parse
 * of each document (keyed by uri + version, re-parsed incrementally), its
 * diagnostics (everything the engine knows about it, clamped to the current
 * text), diagnostics of files that are not open, and the status-bar summary.
 * The cross-file check runs debounced after edits, off the typing path, in
 * steps of a few milliseconds between messages (so a keystroke never waits
 * for it); a check overtaken by a newer edit is dropped and started again,
 * until edits have overtaken checks for MAX_WAIT_MS: then one check that edits
 * do not drop runs (its fleet builds still in steps; the edits since get the
 * next one).
 * The edits of a huge document (over HUGE_CHARS, with a `---` piece over
 * HUGE_PIECE_CHARS, or whose last edit took over SLOW_CHECK_MS to check) are
 * parsed, indexed and validated after typing pauses instead of on every
 * keystroke (a 400 KB document takes the YAML library about half a second
 * to parse; its opening is checked in the same steps at once, an opening
 * below those sizes in one go), and at least once a second
 * while typing goes on. That parse runs in steps of a few milliseconds
 * between messages (engine parseSteps), and so, after it, do the new
 * documents' values, the index and the findings (each a step of its own);
 * a text that arrives meanwhile waits for the next one. Until the newest text is checked, the index and the
 * published findings stay those of the last checked version (published with
 * that version), requests about the document are answered ContentModified
 * (the editor asks again), and other answers' places in it are clamped to
 * its current text: no request waits for the parse of a huge document. A
 * version whose check runs past its budget first gets a note that the check
 * continues (check-budget.ts), then its findings.
 */
import { TextDocuments, ResponseError, LSPErrorCodes, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LanguageService, YamlFile } from '../engine/index.ts';
import { StatusNotification, notify } from './protocol.ts';
import { toLspDiagnostic } from './convert.ts';
import type { Runner } from './runner.ts';
import { createCheckBudget, hugeReason, slowCheckMs } from './check-budget.ts';
import { clampPendingPlaces } from './clamp-places.ts';

export interface DocumentStore {
  readonly documents: TextDocuments<TextDocument>;
  fileFor(doc: TextDocument): YamlFile;
  /** The open document's parse, or undefined when it is not open. */
  fileOf(uri: string): YamlFile | undefined;
  /**
   * The parse the index and the published findings are of: the last finished one while a newer text of a huge
   * document waits to be checked (none while its opening is), the current text's otherwise.
   */
  checkedFile(doc: TextDocument): YamlFile | undefined;
  /** True while a newer text of the open document waits to be checked (its index and findings are older). */
  pending(uri: string): boolean;
  /** Before a request's work: throws ContentModified when the request is about a document whose check is pending. */
  guard(name: string, params: unknown): void;
  /** Places of an answer (`{ uri, range }` anywhere in it) that lie in a pending document, clamped to its current text. */
  clampPlaces<T>(answer: T): T;
  /** Publishes the diagnostics of an open document (and schedules chart resolution unless told not to). */
  validate(doc: TextDocument, resolve?: boolean): void;
  /** An edit of an open document: index, validate and refresh now, or after a pause when the document is huge. */
  changed(doc: TextDocument): void;
  /** Republishes a uri, open or not. */
  republish(uri: string): void;
  republishAll(): void;
  /** Runs the cross-file check after a pause (debounced). */
  scheduleWorkspaceRefresh(): void;
  /** Runs the cross-file check now and republishes what changed. */
  refreshWorkspace(): void;
  forget(uri: string): void;
  sendStatus(): void;
  /** Problems loading `fluxhelm.schemas.crdPaths`, shown in the status bar. */
  schemaProblems: string[];
}

/** Pause after an edit before the cross-file check starts; its slices between messages; the longest it is put off. */
const DEBOUNCE_MS = 150;
const SLICE_MS = 8;
const MAX_WAIT_MS = 1000;
/**
 * Documents longer than this are parsed and checked after typing pauses for HUGE_PAUSE_MS. A file of many small
 * `---` documents below it is checked on every keystroke: an edit re-parses only its piece (the 750 KB file of
 * 1,000 HelmReleases in the benchmark answers in about 20 ms), and the work that grows with the whole text
 * (cutting it into pieces, line starts, the index) stays well under the pause itself up to a few megabytes.
 */
const HUGE_CHARS = 2_000_000;
/**
 * Also documents with one `---` piece longer than this: an edit re-parses only the piece it falls in, but a
 * piece of 150 KB costs the YAML library 100-300 ms, and a burst of keystrokes queued that up once per key.
 */
const HUGE_PIECE_CHARS = 64_000;
/**
 * And documents whose last check (index and findings of one version) took longer than this, whatever their size:
 * a file of many small documents that builds and references read (a pasted values file, a long patch list)
 * can cost more per keystroke than its pieces suggest. `FLUXHELM_SLOW_CHECK_MS` overrides it (tests use 0).
 */
const SLOW_CHECK_MS = slowCheckMs(process.env.FLUXHELM_SLOW_CHECK_MS);
const HUGE_PAUSE_MS = 200;

export function createDocumentStore(connection: Connection, service: LanguageService, runner: Runner): DocumentStore {
  const documents = new TextDocuments(TextDocument);
  const parsed = new Map<string, { version: number; file: YamlFile }>();
  const counts = new Map<string, { flux: number; errors: number; warnings: number }>();
  let refreshTimer: NodeJS.Timeout | undefined;
  // The stepped cross-file check in progress, and since when edits wait for one to finish.
  let job: Generator<void, string[] | undefined, void> | undefined;
  let pendingSince: number | undefined;
  // Whether the check in progress is a forced one (edits do not drop it).
  let forced = false;
  // Huge documents whose latest edits wait for a pause, and those the output channel was told about.
  const deferred = new Map<string, NodeJS.Timeout>();
  const toldHuge = new Set<string>();
  // Documents whose last check took longer than SLOW_CHECK_MS, with how long it took.
  const slowChecks = new Map<string, number>();
  // Stepped parses of huge documents in progress (one per document, of the version it started on), when the
  // first edit not in a finished or running parse arrived, and the documents the output channel was told wait.
  const parseJobs = new Map<string, { version: number; text: string; steps: Generator<void, YamlFile, void> }>();
  const pendingFrom = new Map<string, number>();
  const toldPending = new Set<string>();
  // Parses done whose values, indexing and findings are worked out in steps (still pending until published).
  const finishing = new Map<string, Generator<void, void, void>>();
  let parseDriver: NodeJS.Immediate | undefined;
  let finishDriver: NodeJS.Immediate | undefined;
  // A version whose stepped check runs past its budget gets a note that it continues as its first publish.
  const budget = createCheckBudget(connection, (uri) => {
    const doc = documents.get(uri);
    const text: unknown = doc?.getText();
    return doc && typeof text === 'string' ? { version: doc.version, text } : undefined;
  });

  /** Drops the pause a huge document's edits were waiting for, and its stepped parse. */
  function cancelDeferred(uri: string): void {
    clearTimeout(deferred.get(uri));
    deferred.delete(uri);
    parseJobs.get(uri)?.steps.return(undefined as unknown as YamlFile);
    parseJobs.delete(uri);
    finishing.get(uri)?.return();
    finishing.delete(uri);
    pendingFrom.delete(uri);
    toldPending.delete(uri);
  }

  /** Starts the stepped parse of the document's current text (its edits stop waiting for a pause). */
  function startParse(uri: string): void {
    clearTimeout(deferred.get(uri));
    deferred.delete(uri);
    const doc = documents.get(uri);
    if (!doc || parseJobs.has(uri)) return;
    const text: unknown = doc.getText();
    pendingFrom.delete(uri);
    const current = typeof text === 'string' ? text : '';
    parseJobs.set(uri, {
      version: doc.version,
      text: current,
      steps: service.parseSteps(uri, current, parsed.get(uri)?.file),
    });
    budget.started(uri);
    budget.due(uri, doc.version, current);
    parseDriver ??= setImmediate(runParseSlice);
  }

  /** Runs the stepped parses for up to SLICE_MS, then lets other messages in. */
  function runParseSlice(): void {
    parseDriver = undefined;
    const started = Date.now();
    for (const [uri, job] of parseJobs) {
      try {
        for (let r = job.steps.next(); ; r = job.steps.next()) {
          if (r.done) {
            parseJobs.delete(uri);
            // Values, index and findings of the new parse follow in steps of their own, after other messages.
            finishing.set(uri, finishSteps(uri, job.version, r.value));
            finishDriver ??= setImmediate(runFinishSlice);
            break;
          }
          budget.due(uri, job.version, job.text);
          if (Date.now() - started >= SLICE_MS) {
            parseDriver = setImmediate(runParseSlice);
            return;
          }
        }
      } catch (err) {
        parseJobs.delete(uri);
        runner.logError(`validation of ${uri}`, err);
      }
    }
  }

  /** Runs the steps after stepped parses for up to SLICE_MS (a step may take longer), then lets other messages in. */
  function runFinishSlice(): void {
    finishDriver = undefined;
    const started = Date.now();
    for (const [uri, steps] of finishing) {
      try {
        for (let r = steps.next(); !r.done; r = steps.next()) {
          if (Date.now() - started >= SLICE_MS) {
            finishDriver = setImmediate(runFinishSlice);
            return;
          }
        }
      } catch (err) {
        runner.logError(`validation of ${uri}`, err);
      }
      if (finishing.get(uri) === steps) finishing.delete(uri);
    }
  }

  /**
   * A stepped parse finished: each new document's plain value (a 1 MB document's takes the library a few hundred
   * milliseconds) and own checks, then the index, then the findings of that version, each a block of its own
   * between messages.
   * A newer text starts over after a pause.
   */
  function* finishSteps(uri: string, version: number, file: YamlFile): Generator<void, void, void> {
    let took = 0;
    for (const d of file.docs) {
      budget.due(uri, version, file.text);
      const started = Date.now();
      d.value();
      took += Date.now() - started;
      yield;
    }
    // Each document's own checks (3,500 ConfigMaps: 110 ms in one block otherwise, inside the publish).
    for (let steps = service.validationSteps(file), started = Date.now(); !steps.next().done; started = Date.now()) {
      took += Date.now() - started;
      budget.due(uri, version, file.text);
      yield;
    }
    if (!documents.get(uri)) return;
    parsed.set(uri, { version, file });
    budget.due(uri, version, file.text);
    let started = Date.now();
    const changed = service.updateFile(uri, file.text, file);
    took += Date.now() - started;
    yield;
    if (!documents.get(uri)) return;
    budget.due(uri, version, file.text);
    started = Date.now();
    publishFile(uri, version, file, true);
    budget.finished(uri);
    if (changed) store.scheduleWorkspaceRefresh();
    noteCheckTime(uri, took + Date.now() - started);
    // Done: no longer pending (scheduleParse waits for a running finish).
    finishing.delete(uri);
    if (documents.get(uri)?.version === version) toldPending.delete(uri);
    else scheduleParse(uri);
  }

  /** After a pause of HUGE_PAUSE_MS, or at once when edits have waited for MAX_WAIT_MS; never two at a time. */
  function scheduleParse(uri: string): void {
    const now = Date.now();
    const since = pendingFrom.get(uri) ?? now;
    pendingFrom.set(uri, since);
    if (parseJobs.has(uri) || finishing.has(uri)) return; // the running parse schedules the next when it finishes
    clearTimeout(deferred.get(uri));
    if (now - since >= MAX_WAIT_MS) {
      deferred.delete(uri);
      startParse(uri);
      return;
    }
    deferred.set(
      uri,
      setTimeout(() => startParse(uri), Math.min(HUGE_PAUSE_MS, MAX_WAIT_MS - (now - since))),
    );
  }

  /** Indexes and validates the document's current text; schedules the cross-file check when the index changed. */
  function applyChange(doc: TextDocument): void {
    cancelDeferred(doc.uri);
    // The index shares the editor's parse, so unchanged documents are parsed once.
    const changed = service.updateFile(doc.uri, doc.getText(), store.fileFor(doc));
    publish(doc, true);
    if (changed) store.scheduleWorkspaceRefresh();
  }

  /** applyChange for an edit (not an opening, which parses everything), remembering when it was slow. */
  function applyEdit(doc: TextDocument): void {
    const started = Date.now();
    applyChange(doc);
    noteCheckTime(doc.uri, Date.now() - started);
  }

  /** Remembers a document whose check of one version took longer than SLOW_CHECK_MS (its edits then wait for pauses). */
  function noteCheckTime(uri: string, took: number): void {
    if (took > SLOW_CHECK_MS) slowChecks.set(uri, took);
    else slowChecks.delete(uri);
  }

  function publish(doc: TextDocument, resolve: boolean): void {
    publishFile(doc.uri, doc.version, store.fileFor(doc), resolve);
  }

  function publishFile(uri: string, version: number, file: YamlFile, resolve: boolean): void {
    const diagnostics = service.diagnostics(file);
    if (resolve) service.scheduleReleases(uri);
    // The engine's diagnostics lie inside `file`, which is this version's text.
    void connection.sendDiagnostics({
      uri,
      version,
      diagnostics: diagnostics.map((d) => toLspDiagnostic(uri, d)),
    });
    budget.published(uri, version);
    const flux = file.docs.filter((d) => d.apiVersion?.includes('fluxcd.io')).length;
    counts.set(uri, {
      flux,
      errors: diagnostics.filter((d) => d.severity === 'error').length,
      warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    });
    store.sendStatus();
  }

  /** Republishes what a cross-file check changed, and the open documents (judged against the new fleet and builds). */
  function publishRefresh(changedUris: string[]): void {
    const changed = new Set(changedUris);
    for (const uri of changed) store.republish(uri);
    for (const doc of documents.all()) {
      if (changed.has(doc.uri)) continue;
      try {
        store.validate(doc, false);
      } catch (err) {
        runner.logError(`validation of ${doc.uri}`, err);
      }
    }
  }

  /** Runs the check's steps for up to SLICE_MS, then lets other messages in. */
  function runSlice(): void {
    const started = Date.now();
    try {
      while (job) {
        const r = job.next();
        if (r.done) {
          job = undefined;
          if (r.value) {
            pendingSince = undefined;
            publishRefresh(r.value);
          } else if (!refreshTimer) store.scheduleWorkspaceRefresh(); // overtaken by an edit: start over
          return;
        }
        if (Date.now() - started >= SLICE_MS) {
          setImmediate(runSlice);
          return;
        }
      }
    } catch (err) {
      job = undefined;
      runner.logError('workspace check', err);
    }
  }

  function startRefresh(): void {
    refreshTimer = undefined;
    if (job && forced) {
      // A forced check is not dropped: the edits since it started get a check of their own after it.
      refreshTimer = setTimeout(startRefresh, DEBOUNCE_MS);
      return;
    }
    // A check still running was computed on older text: drop it.
    job?.return(undefined);
    job = undefined;
    // Edits kept overtaking the stepped check: one that edits do not drop, so cross-file findings follow within
    // about a second. Its fleet builds still run in steps between messages (engine refreshWorkspaceSteps).
    forced = pendingSince !== undefined && Date.now() - pendingSince > MAX_WAIT_MS;
    job = service.refreshWorkspaceSteps({ forced });
    runSlice();
  }

  const store: DocumentStore = {
    documents,
    schemaProblems: [],
    fileFor(doc) {
      const cached = parsed.get(doc.uri);
      if (cached && cached.version === doc.version) return cached.file;
      const text: unknown = doc.getText();
      const file = service.parse(doc.uri, typeof text === 'string' ? text : '', cached?.file);
      parsed.set(doc.uri, { version: doc.version, file });
      return file;
    },
    fileOf(uri) {
      const doc = documents.get(uri);
      return doc ? store.fileFor(doc) : undefined;
    },
    checkedFile(doc) {
      const last = parsed.get(doc.uri);
      if (store.pending(doc.uri)) return last?.file;
      return store.fileFor(doc);
    },
    pending(uri) {
      return deferred.has(uri) || parseJobs.has(uri) || finishing.has(uri);
    },
    guard(name, params) {
      const p = params as { textDocument?: { uri?: unknown }; uri?: unknown } | null;
      const uri = p?.textDocument?.uri ?? p?.uri;
      if (typeof uri !== 'string' || !store.pending(uri)) return;
      if (!toldPending.has(uri)) {
        toldPending.add(uri);
        connection.console.log(
          `${uri}: a newer text is still being checked; requests about it (${name}...) are answered ContentModified until it is`,
        );
      }
      throw new ResponseError(
        LSPErrorCodes.ContentModified,
        `fluxhelm ${name}: the document changed and is still being checked`,
      );
    },
    clampPlaces(answer) {
      if (!deferred.size && !parseJobs.size && !finishing.size) return answer;
      return clampPendingPlaces(answer, (uri) => (store.pending(uri) ? documents.get(uri) : undefined));
    },
    validate(doc, resolve = true) {
      // A huge document whose newest text waits: its last checked version's findings, under that version (none
      // while the stepped check of its opening runs: that publishes when done).
      const last = parsed.get(doc.uri);
      if (!last && store.pending(doc.uri)) return;
      // Unless the newest version's note that its check continues is out: older findings would replace it.
      if (last && store.pending(doc.uri) && budget.noted(doc.uri)) return;
      if (last && store.pending(doc.uri)) publishFile(doc.uri, last.version, last.file, resolve);
      else publish(doc, resolve);
    },
    changed(doc) {
      budget.arrived(doc.uri, doc.version);
      // Judged on the new text: the edit that pastes a large document in is the first to wait. An opening is
      // checked at once, unless it is huge: then in the same steps, without a pause.
      const last = parsed.get(doc.uri)?.file;
      const text: unknown = doc.getText();
      const why = hugeReason(
        typeof text === 'string' ? text : '',
        last && slowChecks.get(doc.uri),
        HUGE_CHARS,
        HUGE_PIECE_CHARS,
      );
      if (!why) return last ? applyEdit(doc) : applyChange(doc);
      if (!toldHuge.has(doc.uri)) {
        toldHuge.add(doc.uri);
        connection.console.log(
          `${doc.uri} ${why}: it is checked when typing pauses for ${HUGE_PAUSE_MS} ms (at least once a second), in steps between messages`,
        );
      }
      if (last) scheduleParse(doc.uri);
      else startParse(doc.uri);
    },
    republish(uri) {
      const open = documents.get(uri);
      if (open) return store.validate(open, false);
      void connection.sendDiagnostics({
        uri,
        diagnostics: service.diagnosticsOfClosed(uri).map((d) => toLspDiagnostic(uri, d)),
      });
    },
    republishAll() {
      for (const doc of documents.all()) {
        try {
          store.validate(doc);
        } catch (err) {
          runner.logError(`validation of ${doc.uri}`, err);
        }
      }
    },
    refreshWorkspace() {
      job?.return(undefined);
      job = undefined;
      pendingSince = undefined;
      publishRefresh(service.refreshWorkspaceDiagnostics());
    },
    scheduleWorkspaceRefresh() {
      pendingSince ??= Date.now();
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(startRefresh, DEBOUNCE_MS);
    },
    forget(uri) {
      cancelDeferred(uri);
      budget.forget(uri);
      toldHuge.delete(uri);
      slowChecks.delete(uri);
      parsed.delete(uri);
      counts.delete(uri);
      service.forgetDocument(uri);
    },
    sendStatus() {
      let flux = 0;
      let errors = 0;
      let warnings = 0;
      for (const c of counts.values()) {
        flux += c.flux;
        errors += c.errors;
        warnings += c.warnings;
      }
      notify(connection, StatusNotification, {
        fluxDocuments: flux,
        errors,
        warnings,
        schemaProblems: store.schemaProblems,
        schemaSource: service.schemaSource,
      });
    },
  };
  return store;
}
