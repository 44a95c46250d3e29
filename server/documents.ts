/**
 * Open documents and what the server publishes about them: the latest parse
 * of each document (keyed by uri + version, re-parsed incrementally), its
 * diagnostics (everything the engine knows about it, clamped to the current
 * text), diagnostics of files that are not open, and the status-bar summary.
 * The cross-file check runs debounced after edits, off the typing path.
 */
import { TextDocuments, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LanguageService, YamlFile } from '../engine/index.ts';
import { StatusNotification, notify } from './protocol.ts';
import { toLspDiagnostic } from './convert.ts';
import type { Runner } from './runner.ts';

export interface DocumentStore {
  readonly documents: TextDocuments<TextDocument>;
  fileFor(doc: TextDocument): YamlFile;
  /** The open document's parse, or undefined when it is not open. */
  fileOf(uri: string): YamlFile | undefined;
  /** Publishes the diagnostics of an open document (and schedules chart resolution unless told not to). */
  validate(doc: TextDocument, resolve?: boolean): void;
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

export function createDocumentStore(connection: Connection, service: LanguageService, runner: Runner): DocumentStore {
  const documents = new TextDocuments(TextDocument);
  const parsed = new Map<string, { version: number; file: YamlFile }>();
  const counts = new Map<string, { flux: number; errors: number; warnings: number }>();
  let refreshTimer: NodeJS.Timeout | undefined;

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
    validate(doc, resolve = true) {
      const file = store.fileFor(doc);
      const diagnostics = service.diagnostics(file);
      if (resolve) service.scheduleReleases(doc.uri);
      // The engine's diagnostics lie inside `file`, which is this version's text.
      void connection.sendDiagnostics({
        uri: doc.uri,
        version: doc.version,
        diagnostics: diagnostics.map((d) => toLspDiagnostic(doc.uri, d)),
      });
      const flux = file.docs.filter((d) => d.apiVersion?.includes('fluxcd.io')).length;
      counts.set(doc.uri, {
        flux,
        errors: diagnostics.filter((d) => d.severity === 'error').length,
        warnings: diagnostics.filter((d) => d.severity === 'warning').length,
      });
      store.sendStatus();
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
      const changed = new Set(service.refreshWorkspaceDiagnostics());
      for (const uri of changed) store.republish(uri);
      // Open documents' own findings are judged against the refreshed fleet and builds too (as Flux applies them).
      for (const doc of documents.all()) {
        if (changed.has(doc.uri)) continue;
        try {
          store.validate(doc, false);
        } catch (err) {
          runner.logError(`validation of ${doc.uri}`, err);
        }
      }
    },
    scheduleWorkspaceRefresh() {
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        try {
          store.refreshWorkspace();
        } catch (err) {
          runner.logError('workspace check', err);
        }
      }, 150);
    },
    forget(uri) {
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
