/**
 * Quick fixes offered for diagnostics: migrating a document on a removed
 * API version to the current one (see migrate.ts), then "Suppress CODE on
 * this line" for every diagnostic in the range (see suppress.ts).
 */
import type { CodeAction, Diagnostic, Range } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { RemovedApiData } from '../validation/validate.ts';
import { migrateDocumentText } from './migrate.ts';
import { suppressActions } from './suppress.ts';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

/** "Migrate … to …" for removed API versions in the range. */
export function migrateActions(file: YamlFile, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.code !== 'removed-api-version' || !overlaps(d.range, range)) continue;
    const data = d.data as RemovedApiData | undefined;
    if (!data || data.fix !== 'migrate-api-version') continue;
    const offset = file.lines.offsetAt(d.range.start);
    const doc = file.docs.find((x) => offset >= x.start && offset < Math.max(x.end, x.start + 1));
    if (!doc) continue;
    const text = migrateDocumentText(doc, data.to);
    if (text === undefined) continue;
    actions.push({
      title: `Migrate ${data.kind} to ${data.to}`,
      kind: 'quickfix',
      isPreferred: true,
      edit: { changes: { [file.uri]: [{ range: file.lines.rangeOf(doc.start, doc.end), newText: text }] } },
    });
  }
  return actions;
}

/** "Suppress CODE on this line" for each diagnostic in the range, with the diagnostic it silences. */
export function suppressActionsIn(file: YamlFile, range: Range, diagnostics: Diagnostic[]): (CodeAction & { fixes: Diagnostic[] })[] {
  return suppressActions(file, diagnostics.filter((d) => overlaps(d.range, range)));
}

export function getCodeActions(file: YamlFile, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  return [...migrateActions(file, range, diagnostics), ...suppressActionsIn(file, range, diagnostics).map(({ fixes: _fixes, ...a }) => a)];
}
