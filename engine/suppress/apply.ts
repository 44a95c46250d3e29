/**
 * Applies suppression comments (see comments.ts) to a file's final list of
 * diagnostics: a diagnostic whose first line a directive covers, with its
 * code listed (or no code listed), is dropped. Each directive, and each code
 * of a directive, that dropped nothing becomes an `unused-suppression`
 * finding (info) on the comment, so stale suppressions get cleaned up.
 *
 * Front ends call this once per file with everything they are about to show
 * for it (file checks and workspace checks together), before severity
 * overrides, so a code turned off in `.fluxhelm.yaml` still counts as used.
 */
import type { Diagnostic } from '../types.ts';
import { findDirectives, type SuppressDirective } from './comments.ts';

export const UNUSED_SUPPRESSION = 'unused-suppression';

export interface SuppressionResult<T> {
  kept: T[];
  /** How many diagnostics were dropped. */
  suppressed: number;
  /** `unused-suppression` findings, one per directive or code that dropped nothing. */
  unused: Diagnostic[];
}

function covers(d: SuppressDirective, line: number): boolean {
  return d.kind === 'file' || d.target === line;
}

export interface SuppressOptions {
  /** Report unused directives (default true). Off when only part of a file's diagnostics is at hand. */
  reportUnused?: boolean;
}

export function applySuppressions<T extends Pick<Diagnostic, 'code' | 'range'>>(text: string, diagnostics: T[], options: SuppressOptions = {}): SuppressionResult<T> {
  const directives = findDirectives(text);
  if (directives.length === 0) return { kept: diagnostics, suppressed: 0, unused: [] };
  // used[i][j]: directive i's code j (or, with no codes, j = 0 for "all") dropped something.
  const used = directives.map((d) => new Array<boolean>(Math.max(1, d.codes.length)).fill(false));
  const kept: T[] = [];
  for (const diag of diagnostics) {
    // A directive never hides a finding about directives.
    if (diag.code === UNUSED_SUPPRESSION) {
      kept.push(diag);
      continue;
    }
    let dropped = false;
    directives.forEach((dir, i) => {
      if (!covers(dir, diag.range.start.line)) return;
      if (dir.codes.length === 0) {
        used[i][0] = true;
        dropped = true;
        return;
      }
      const j = dir.codes.indexOf(diag.code);
      if (j >= 0) {
        used[i][j] = true;
        dropped = true;
      }
    });
    if (!dropped) kept.push(diag);
  }
  const unused: Diagnostic[] = [];
  if (options.reportUnused !== false) {
    directives.forEach((dir, i) => {
      const where = dir.kind === 'file' ? 'in this file' : dir.kind === 'line' ? 'on this line' : 'on the next line';
      const comment = `fluxhelm-disable${dir.kind === 'file' ? '' : `-${dir.kind}`}`;
      if (dir.codes.length === 0) {
        if (!used[i][0]) unused.push({ range: { start: { line: dir.line, character: dir.start }, end: { line: dir.line, character: dir.end } }, severity: 'info', code: UNUSED_SUPPRESSION, message: `\`# ${comment}\` suppresses nothing ${where}; remove it` });
        return;
      }
      dir.codes.forEach((code, j) => {
        if (used[i][j]) return;
        const [s, e] = dir.codeRanges[j];
        unused.push({ range: { start: { line: dir.line, character: s }, end: { line: dir.line, character: e } }, severity: 'info', code: UNUSED_SUPPRESSION, message: `\`${code}\` is not reported ${where}: this suppression can go` });
      });
    });
  }
  return { kept, suppressed: diagnostics.length - kept.length, unused };
}
