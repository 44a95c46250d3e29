/**
 * Engine diagnostics as LSP diagnostics (severity, source, related places)
 * and back, for code actions. Ranges come from the façade already inside
 * their documents (engine/protocol/invariants.ts).
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Diagnostic } from '../engine/index.ts';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
export const SEVERITY_NAME: Record<number, Diagnostic['severity']> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

export function toLspDiagnostic(uri: string, d: Diagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'fluxhelm',
    message: d.message || d.code,
    ...(d.data !== undefined ? { data: d.data } : {}),
    ...(d.related
      ? {
          relatedInformation: d.related.map((r) => ({
            location: { uri: r.uri ?? uri, range: r.range },
            message: r.message,
          })),
        }
      : {}),
  };
}

/** LSP diagnostics handed back in a code-action request, in the engine's form. */
export function fromLspDiagnostic(d: LspDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY_NAME[d.severity ?? 1] ?? 'error',
    code: String(d.code ?? ''),
    message: typeof d.message === 'string' ? d.message : String(d.message),
    data: d.data,
  };
}
