/**
 * The quick fix "Suppress CODE on this line": puts
 * `# fluxhelm-disable-next-line CODE` above the line the diagnostic starts
 * on, at that line's indentation, or adds the code to such a comment when
 * one is already there.
 */
import type { CodeAction, Diagnostic } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import { findDirectives } from '../suppress/comments.ts';
import { UNUSED_SUPPRESSION } from '../suppress/apply.ts';

export function suppressActions(file: YamlFile, diagnostics: Diagnostic[]): (CodeAction & { fixes: Diagnostic[] })[] {
  const actions: (CodeAction & { fixes: Diagnostic[] })[] = [];
  const seen = new Set<string>();
  const directives = findDirectives(file.text);
  for (const d of diagnostics) {
    if (d.code === UNUSED_SUPPRESSION || !d.code) continue;
    const line = d.range.start.line;
    const key = `${line}:${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const existing = directives.find((x) => x.kind === 'next-line' && x.line === line - 1 && x.codes.length > 0);
    let edit;
    if (existing) {
      const [, end] = existing.codeRanges[existing.codeRanges.length - 1];
      edit = { range: { start: { line: line - 1, character: end }, end: { line: line - 1, character: end } }, newText: `,${d.code}` };
    } else {
      const indent = /^[ \t]*/.exec(file.lines.lineText(line))?.[0] ?? '';
      edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# fluxhelm-disable-next-line ${d.code}\n` };
    }
    actions.push({
      title: `Suppress ${d.code} on this line`,
      kind: 'quickfix',
      edit: { changes: { [file.uri]: [edit] } },
      fixes: [d],
    });
  }
  return actions;
}
