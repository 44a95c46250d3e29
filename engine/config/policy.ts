/**
 * The repository's policy on findings, applied to the final list of one
 * file by every front end alike (CLI, language server, MCP): suppression
 * comments first (so a code turned off in `.fluxhelm.yaml` still counts as
 * used by its comment), then `unused-suppression` findings for comments that
 * did nothing, then severity per code from the settings.
 */
import type { Diagnostic } from '../types.ts';
import { applySuppressions } from '../suppress/apply.ts';
import { applySeverityOverrides } from './severity.ts';
import type { SeverityOverride } from './repo-config.ts';

export interface PolicyOptions {
  severity?: Record<string, SeverityOverride>;
  /** Off when the list is not everything shown for the file (then no directive can be called unused). */
  reportUnused?: boolean;
}

export function applyRepoPolicy(text: string, diagnostics: Diagnostic[], options: PolicyOptions = {}): Diagnostic[] {
  const { kept, unused } = applySuppressions(text, diagnostics, { reportUnused: options.reportUnused });
  const all = unused.length ? [...kept, ...unused].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character) : kept;
  return applySeverityOverrides(all, options.severity);
}
