/**
 * Severity per diagnostic code from the repository configuration or the
 * editor: `off` drops a finding, any other level replaces its severity. The
 * CLI and the language server apply it to the same final list (after
 * suppression comments), so both report the same findings.
 */
import type { Diagnostic } from '../types.ts';
import type { SeverityOverride } from './repo-config.ts';

export function applySeverityOverrides<T extends Pick<Diagnostic, 'code' | 'severity'>>(diagnostics: T[], overrides: Record<string, SeverityOverride> | undefined): T[] {
  if (!overrides || Object.keys(overrides).length === 0) return diagnostics;
  const out: T[] = [];
  for (const d of diagnostics) {
    const level = Object.prototype.hasOwnProperty.call(overrides, d.code) ? overrides[d.code] : undefined;
    if (level === undefined) out.push(d);
    else if (level !== 'off') out.push(level === d.severity ? d : { ...d, severity: level });
  }
  return out;
}
