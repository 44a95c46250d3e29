// Algorithm test of engine/protocol/invariants.ts (answers are checked through the façade; the …InDocument repairs are called directly): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * The protocol's rules (engine/protocol/invariants.ts) held against what the
 * engine answers for every YAML fixture and example in the repository, and
 * for variants an editor sends while someone types (lone carriage returns,
 * `kind: |`, a cut-off last line): diagnostics, outline, completion and
 * hover at positions spread over each file (also past line ends), inlay
 * hints and code actions. The `…InDocument` functions must turn
 * deliberately broken answers into valid ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService, emptyHost } from '../../engine/index.ts';
import { LineIndex } from '../../engine/yaml/lines.ts';
import * as inv from '../../engine/protocol/invariants.ts';
import type { DocumentSymbol, Position } from '../../engine/types.ts';

const root = new URL('../..', import.meta.url).pathname;

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const files = [...yamlFiles(join(root, 'test/fixtures')), ...yamlFiles(join(root, 'examples'))];

/** The fixture, plus what an editor holds while the file is being typed into. */
function variants(text: string): [string, string][] {
  return [
    ['as is', text],
    ['lone CR line breaks', text.replace(/\n/g, '\r')],
    ['kind blanked', text.replace(/^kind: .*$/m, 'kind: |')],
    ['last line cut', text.slice(0, Math.max(0, text.length - 7))],
  ];
}

function positions(lines: LineIndex): Position[] {
  const out: Position[] = [];
  const step = Math.max(1, Math.floor(lines.lineCount / 12));
  for (let l = 0; l < lines.lineCount; l += step) {
    const len = lines.lineText(l).length;
    out.push({ line: l, character: 0 }, { line: l, character: len >> 1 }, { line: l, character: len }, { line: l, character: len + 5 });
  }
  out.push({ line: lines.lineCount + 3, character: 2 });
  return out;
}

test(`every answer for ${files.length} fixtures and their typing variants keeps the protocol's rules`, () => {
  assert.ok(files.length > 50, 'fixtures found');
  const service = createLanguageService(emptyHost);
  const problems: string[] = [];
  for (const path of files) {
    for (const [variant, text] of variants(readFileSync(path, 'utf8'))) {
      const uri = `file://${path}`;
      const file = service.parse(uri, text);
      const lines = new LineIndex(text);
      const linesOf = (u: string) => (u === uri ? lines : undefined);
      const where = `${path.slice(root.length)} (${variant})`;
      const add = (what: string, list: string[]) => problems.push(...list.slice(0, 3).map((p) => `${where} ${what}: ${p}`));
      const diagnostics = service.doValidation(file);
      add('diagnostics', inv.checkDiagnostics(lines, diagnostics));
      add('symbols', inv.checkSymbols(lines, service.findDocumentSymbols(file)));
      add('inlay hints', inv.checkInlayHints(lines, service.inlayHints(file)));
      for (const d of diagnostics.slice(0, 5)) add('code actions', inv.checkCodeActions(linesOf, uri, service.getCodeActions(file, d.range, [d])));
      for (const p of positions(lines)) {
        add(`completion at ${p.line}:${p.character}`, inv.checkCompletion(lines, inv.clampPosition(lines, p), service.doComplete(file, p)));
        add(`hover at ${p.line}:${p.character}`, inv.checkHover(lines, service.doHover(file, p)));
      }
    }
  }
  assert.deepEqual(problems.slice(0, 20), []);
});

test('broken answers are made valid: ranges clamped, blank symbols dropped, children kept inside parents', () => {
  const text = 'apiVersion: v1\r\nkind: ConfigMap\rdata:\n  a: "1"\n';
  const lines = new LineIndex(text);
  const far = { start: { line: 1, character: 40 }, end: { line: 99, character: 0 } };
  const diags = inv.diagnosticsInDocument(lines, [{ range: far, message: 'x', severity: 'error' as const, code: 'c' }]);
  assert.deepEqual(inv.checkDiagnostics(lines, diags), []);
  assert.deepEqual(diags[0].range, { start: { line: 1, character: 15 }, end: { line: 4, character: 0 } });

  const sym = (name: string, range: DocumentSymbol['range'], children?: DocumentSymbol[]): DocumentSymbol => ({ name, kind: 2, range, selectionRange: range, ...(children ? { children } : {}) });
  const symbols = [
    sym('ConfigMap', { start: { line: 0, character: 0 }, end: { line: 2, character: 5 } }, [
      sym('data', { start: { line: 2, character: 0 }, end: { line: 3, character: 8 } }),
      sym('  ', { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }),
      sym('gone', { start: { line: 3, character: 2 }, end: { line: 3, character: 5 } }),
    ]),
    sym('', { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }),
  ];
  assert.ok(inv.checkSymbols(lines, symbols).length >= 3);
  const fixed = inv.symbolsInDocument(lines, symbols);
  assert.deepEqual(inv.checkSymbols(lines, fixed), []);
  assert.deepEqual(fixed.map((s) => [s.name, s.children?.map((c) => c.name)]), [['ConfigMap', ['data']]]);
  assert.deepEqual(fixed[0].children![0].range.end, { line: 2, character: 5 });

  const cursor = { line: 3, character: 4 };
  const items = [
    { label: 'ok', textEdit: { range: { start: { line: 3, character: 2 }, end: { line: 3, character: 40 } }, newText: 'ok' } },
    { label: 'elsewhere', textEdit: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, newText: 'x' } },
    { label: 'two lines', textEdit: { insert: { start: { line: 2, character: 0 }, end: cursor }, replace: { start: { line: 2, character: 0 }, end: cursor }, newText: 'x' } },
  ];
  assert.equal(inv.checkCompletion(lines, cursor, { isIncomplete: false, items }).length, 4);
  const list = inv.completionInDocument(lines, cursor, { isIncomplete: false, items });
  assert.deepEqual(list.items.map((i) => i.label), ['ok']);
  assert.deepEqual(inv.checkCompletion(lines, cursor, list), []);
});
