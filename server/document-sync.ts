/**
 * The document notifications (didOpen, didChange, didClose, willSave,
 * didSave) checked before the library's document store sees them: a
 * notification with a missing uri, a text that is not a string, a missing
 * version or content changes that are not a list of `{ text, range? }` is
 * dropped and logged once, instead of throwing inside the store (which
 * would leave the document out of step with the editor).
 */
import type { Connection, TextDocuments } from 'vscode-languageserver/node';

type SyncConnection = Parameters<TextDocuments<never>['listen']>[0];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPos = (v: unknown) => isObj(v) && Number.isInteger(v.line) && Number.isInteger(v.character);
const hasUri = (e: unknown) => isObj(e) && isObj(e.textDocument) && typeof e.textDocument.uri === 'string';

function openProblem(e: unknown): string | undefined {
  if (!hasUri(e)) return 'textDocument.uri must be a string';
  const td = (e as { textDocument: Record<string, unknown> }).textDocument;
  if (typeof td.text !== 'string') return 'textDocument.text must be a string';
  if (!Number.isInteger(td.version)) return 'textDocument.version must be an integer';
  return undefined;
}

function changeProblem(e: unknown): string | undefined {
  if (!hasUri(e)) return 'textDocument.uri must be a string';
  const ev = e as { textDocument: Record<string, unknown>; contentChanges?: unknown };
  if (!Number.isInteger(ev.textDocument.version)) return 'textDocument.version must be an integer';
  if (!Array.isArray(ev.contentChanges)) return 'contentChanges must be a list';
  for (const c of ev.contentChanges) {
    if (!isObj(c) || typeof c.text !== 'string') return 'every content change needs a text';
    if (c.range !== undefined && !(isObj(c.range) && isPos(c.range.start) && isPos(c.range.end)))
      return 'a content change has an invalid range';
  }
  return undefined;
}

/** A connection for `TextDocuments.listen` whose document notifications are checked first. */
export function checkedDocumentSync(connection: Connection): SyncConnection {
  const guard =
    (name: string, problem: (e: unknown) => string | undefined) =>
    <E>(handler: (e: E) => void) =>
    (e: E) => {
      const why = problem(e);
      if (why) connection.console.warn(`fluxhelm ignored a ${name} notification: ${why}`);
      else handler(e);
    };
  const uriOnly = (e: unknown) => (hasUri(e) ? undefined : 'textDocument.uri must be a string');
  return {
    onDidOpenTextDocument: (h) => connection.onDidOpenTextDocument(guard('didOpen', openProblem)(h)),
    onDidChangeTextDocument: (h) => connection.onDidChangeTextDocument(guard('didChange', changeProblem)(h)),
    onDidCloseTextDocument: (h) => connection.onDidCloseTextDocument(guard('didClose', uriOnly)(h)),
    onWillSaveTextDocument: (h) => connection.onWillSaveTextDocument(guard('willSave', uriOnly)(h)),
    onWillSaveTextDocumentWaitUntil: (h) =>
      connection.onWillSaveTextDocumentWaitUntil((e, token) => (uriOnly(e) ? [] : h(e, token))),
    onDidSaveTextDocument: (h) => connection.onDidSaveTextDocument(guard('didSave', uriOnly)(h)),
  };
}
