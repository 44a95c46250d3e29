/**
 * The standard LSP language features, each a thin handler over one façade
 * verb: completion, hover, symbols, code actions, inlay hints, code lenses,
 * definition, references, rename and workspace symbols. Parameters are
 * checked by the runner; answers come from the engine as they are.
 */
import {
  CodeLensRequest,
  ResponseError,
  LSPErrorCodes,
  type CancellationToken,
  type CodeActionParams,
  type CompletionList,
  type Connection,
  type DocumentSymbolParams,
  type InlayHintParams,
  type ReferenceParams,
  type RenameParams,
  type TextDocumentPositionParams,
  type WorkspaceSymbolParams,
  type CodeLensParams,
} from 'vscode-languageserver/node';

/** Capabilities registered once the client is initialized: code lenses (overlays, cluster), kept out of the static set. */
export function registerDynamicCapabilities(connection: Connection): void {
  void connection.client
    .register(CodeLensRequest.type, { documentSelector: [{ language: 'yaml' }], resolveProvider: false })
    .catch(() => undefined);
}
import type { LanguageService, Refused } from '../../engine/index.ts';
import type { DocumentStore } from '../documents.ts';
import { fromLspDiagnostic } from '../convert.ts';
import { anyParams, textDocument, withPosition, withRange, type Runner } from '../runner.ts';

const refuse = (error: string, invalid = false): Refused => ({ refused: true, error, ...(invalid ? { invalid } : {}) });
const emptyList: CompletionList = { isIncomplete: false, items: [] };

export function registerLanguageFeatures(
  connection: Connection,
  service: LanguageService,
  store: DocumentStore,
  run: Runner,
  ready: () => void = () => undefined,
): void {
  // Registered by method name, so that the runner sees the params first (the library's typed helpers read
  // `params.workDoneToken` before any handler runs, and fail on null params).
  const on = <P>(method: string, handler: (params: P, token: CancellationToken) => unknown) =>
    connection.onRequest(method, handler as (p: unknown, t: CancellationToken) => unknown);
  /** The same, for requests that need the workspace index. */
  const onIndexed = <P>(method: string, handler: (params: P, token: CancellationToken) => unknown) =>
    on<P>(method, (p, t) => {
      ready();
      return handler(p, t);
    });
  const withFile = <R>(uri: string, fallback: R, fn: (f: NonNullable<ReturnType<DocumentStore['fileOf']>>) => R): R => {
    const f = store.fileOf(uri);
    return f ? fn(f) : fallback;
  };

  on(
    'textDocument/completion',
    run.request('completion', emptyList, withPosition, (p: TextDocumentPositionParams) =>
      withFile(p.textDocument.uri, Promise.resolve(emptyList), (f) => service.complete(f, p.position)),
    ),
  );
  on(
    'textDocument/hover',
    run.request('hover', null, withPosition, (p: TextDocumentPositionParams) =>
      withFile(p.textDocument.uri, null, (f) => service.hover(f, p.position)),
    ),
  );
  on(
    'textDocument/inlayHint',
    run.request('inlayHint', [], withRange, (p: InlayHintParams) =>
      withFile(p.textDocument.uri, [], (f) => service.inlayHints(f, p.range)),
    ),
  );
  on(
    'textDocument/documentSymbol',
    run.request('symbols', [], textDocument(), (p: DocumentSymbolParams) =>
      withFile(p.textDocument.uri, [], (f) => service.findDocumentSymbols(f)),
    ),
  );
  on(
    'textDocument/codeAction',
    run.request('codeAction', [], withRange, (p: CodeActionParams) =>
      withFile(p.textDocument.uri, [], (f) => {
        const ours = (Array.isArray(p.context?.diagnostics) ? p.context.diagnostics : []).filter(
          (d) => d?.source === 'fluxhelm',
        );
        const engine = ours.map(fromLspDiagnostic);
        return service.codeActions(f, p.range, engine).map(({ fixes, ...a }) =>
          fixes
            ? {
                ...a,
                diagnostics: ours.filter((d) =>
                  fixes.some((e) => e.code === d.code && e.range.start.line === d.range.start.line),
                ),
              }
            : a,
        );
      }),
    ),
  );
  onIndexed(
    'textDocument/definition',
    run.request('definition', [], withPosition, (p: TextDocumentPositionParams) =>
      store.clampPlaces(service.findDefinition(p.textDocument.uri, p.position)),
    ),
  );
  onIndexed(
    'textDocument/references',
    run.request('references', [], withPosition, (p: ReferenceParams) =>
      store.clampPlaces(service.findReferences(p.textDocument.uri, p.position, p.context?.includeDeclaration === true)),
    ),
  );
  onIndexed(
    'textDocument/prepareRename',
    run.request(
      'prepareRename',
      null,
      withPosition,
      (p: TextDocumentPositionParams) => service.prepareRename(p.textDocument.uri, p.position) ?? null,
    ),
  );
  onIndexed(
    'textDocument/rename',
    run.request('rename', null, withPosition, (p: RenameParams) => {
      if (typeof p.newName !== 'string') return refuse('newName must be a string', true);
      const r = service.doRename(p.textDocument.uri, p.position, p.newName);
      if ('error' in r) return refuse(r.error);
      // Edits computed on the last checked text of a document with a newer one would land on the wrong lines.
      const touched = [
        ...Object.keys(r.edit.changes ?? {}),
        ...(r.edit.documentChanges ?? []).map((c) => ('textDocument' in c ? c.textDocument.uri : '')),
      ];
      const waiting = touched.find((uri) => store.pending(uri));
      if (waiting)
        throw new ResponseError(LSPErrorCodes.ContentModified, `fluxhelm rename: ${waiting} is still being checked`);
      return r.edit;
    }),
  );
  onIndexed(
    'workspace/symbol',
    run.request('workspaceSymbol', [], anyParams, (p: WorkspaceSymbolParams | null) =>
      store.clampPlaces(service.findWorkspaceSymbols(typeof p?.query === 'string' ? p.query : '')),
    ),
  );

  onIndexed(
    'textDocument/codeLens',
    run.request('codeLens', [], textDocument(), (p: CodeLensParams) => service.codeLenses(p.textDocument.uri)),
  );
}
