/**
 * Plain data shared by every engine feature. Positions and ranges use the
 * LSP shapes (0-based line and UTF-16 character) so the server can pass them
 * through unchanged, but nothing here depends on the LSP transport.
 */
export type { Position, Range, TextEdit, WorkspaceEdit, CompletionItem, CompletionList, Hover, DocumentSymbol, CodeAction, MarkupContent, InlayHint, CodeLens, Location } from 'vscode-languageserver-types';
export { CompletionItemKind, InsertTextFormat, SymbolKind, CodeActionKind, MarkupKind, DiagnosticTag } from 'vscode-languageserver-types';

import type { Range, CodeAction } from 'vscode-languageserver-types';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A finding about user input. The engine reports problems this way and never throws on input. */
export interface Diagnostic {
  range: Range;
  severity: Severity;
  /** Stable identifier such as `unknown-field`; shown in brackets by the CLI and as the LSP code. */
  code: string;
  message: string;
  /** Extra data a quick fix needs (for example the target apiVersion). */
  data?: unknown;
  /** Other places that explain this finding (for example the first of two duplicate keys). */
  related?: { range: Range; message: string; uri?: string }[];
}

/** A diagnostic expressed in offsets into the file text, used internally before positions are computed. */
export interface OffsetDiagnostic {
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  data?: unknown;
  related?: { start: number; end: number; message: string }[];
}

export type { CodeAction as EngineCodeAction };

export const severityRank: Record<Severity, number> = { error: 1, warning: 2, info: 3, hint: 4 };
