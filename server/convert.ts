/**
 * The one place engine results become LSP data. Diagnostics get the LSP
 * severity, source and related information; every range is clamped to the
 * current document so that no answer points outside it, whatever the
 * engine computed on an older text.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Diagnostic, Range } from '../engine/index.ts';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
export const SEVERITY_NAME: Record<number, Diagnostic['severity']> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

/** The shape of the document ranges are clamped to: its line count and each line's length. */
export interface DocumentShape {
  lineCount: number;
  lineLength(line: number): number;
}

/** Lines of a text as LSP counts them (`\r\n`, `\n` and a lone `\r` end a line). */
export function shapeOf(text: string): DocumentShape {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lengths.push(i - start);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  lengths.push(text.length - start);
  return { lineCount: lengths.length, lineLength: (l) => lengths[l] ?? 0 };
}

export function clampRange(r: Range, shape: DocumentShape): Range {
  const pos = (p: { line: number; character: number }) => {
    const line = Math.min(Math.max(0, Number.isFinite(p.line) ? p.line : 0), shape.lineCount - 1);
    const character = Math.min(Math.max(0, Number.isFinite(p.character) ? p.character : 0), shape.lineLength(line));
    return { line, character };
  };
  const start = pos(r.start);
  let end = pos(r.end);
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = start;
  return { start, end };
}

export function toLspDiagnostic(uri: string, d: Diagnostic, shape?: DocumentShape): LspDiagnostic {
  const range = shape ? clampRange(d.range, shape) : d.range;
  return {
    range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'fluxhelm',
    message: d.message || d.code,
    ...(d.data !== undefined ? { data: d.data } : {}),
    ...(d.related ? { relatedInformation: d.related.map((r) => ({ location: { uri: r.uri ?? uri, range: r.uri && r.uri !== uri ? r.range : shape ? clampRange(r.range, shape) : r.range }, message: r.message })) } : {}),
  };
}

/** LSP diagnostics handed back in a code-action request, in the engine's form. */
export function fromLspDiagnostic(d: LspDiagnostic): Diagnostic {
  return { range: d.range, severity: SEVERITY_NAME[d.severity ?? 1] ?? 'error', code: String(d.code ?? ''), message: typeof d.message === 'string' ? d.message : String(d.message), data: d.data };
}
