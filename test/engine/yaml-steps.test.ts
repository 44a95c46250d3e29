/**
 * The stepped parse the language server runs between messages for huge
 * documents (issue 16), and the cap on repeated findings. Differential: the
 * stepped driving of the YAML library (parseAllSteps) must give what the
 * library's own parseAllDocuments gives (documents, values, errors and their
 * places) on every YAML file of the examples, fixtures and shared fleets and
 * on broken and huge generated texts; the façade's parseSteps the same file
 * as parse. A document that repeats thousands of keys (or has thousands of
 * unknown fields) lists the first 100 and says how many more there are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseAllSteps, sharedParse, YAML_OPTIONS } from '../../engine/yaml/documents.ts';
import { createLanguageService, emptyHost } from '../../engine/index.ts';
import { yamlFiles } from '../support/yaml-files.ts';

const root = join(import.meta.dirname, '..', '..');
const service = createLanguageService(emptyHost);

function stepped(text: string): { docs: ReturnType<typeof parseAllDocuments>; steps: number } {
  const g = parseAllSteps(text, YAML_OPTIONS);
  let steps = 0;
  for (let r = g.next(); ; r = g.next(), steps++) if (r.done) return { docs: r.value as ReturnType<typeof parseAllDocuments>, steps };
}

function summary(docs: ReturnType<typeof parseAllDocuments>): unknown {
  return (Array.isArray(docs) ? docs : []).map((d) => {
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      value = `threw ${(err as Error).message}`;
    }
    return { value, range: d.range, errors: d.errors.map((e) => [e.code, e.pos, e.message]), warnings: d.warnings.map((e) => [e.code, e.pos]) };
  });
}

function generated(): string[] {
  const values = Array.from({ length: 20_000 }, (_, i) => `    key${i % 700}: value-${i}\n`).join('');
  const big = `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: big\nspec:\n  values:\n${values}`;
  return [
    big,
    // Broken in the middle: a stray token, a tab, an unclosed quote, a bad dedent.
    big.replace('key10: value-10\n', 'key10: value-10\n  ]] stray\n\tkey: tab\n    q: "open\n'),
    `${big}...\n---\na: &x [1, 2]\nb: *x\n<<: {c: 3}\n---\n`,
    '',
    '# only a comment\n',
    'a: 1\r\nb:\r  - x\r\n',
  ];
}

test('the stepped parse gives what the YAML library gives, on every fixture, example and fleet file and on broken ones', () => {
  const dirs = [join(root, 'examples'), join(root, 'test', 'fixtures'), join(root, '..', 'shared', 'fleets')].filter((d) => existsSync(d));
  const texts = [...dirs.flatMap((d) => yamlFiles(d, 300_000)).map((f) => readFileSync(f, 'utf8')), ...generated()];
  assert.ok(texts.length > 100, `${texts.length} texts`);
  for (const text of texts) {
    let expected: unknown;
    let actual: unknown;
    try {
      expected = summary(parseAllDocuments(text, YAML_OPTIONS) as ReturnType<typeof parseAllDocuments>);
    } catch (err) {
      expected = `threw ${(err as Error).name}`;
    }
    try {
      actual = summary(stepped(text).docs);
    } catch (err) {
      actual = `threw ${(err as Error).name}`;
    }
    assert.deepEqual(actual, expected, text.slice(0, 200));
  }
});

test('a large document is parsed in many steps, and the façade’s parseSteps gives the same file as parse', () => {
  const [big, broken] = generated();
  assert.ok(stepped(big).steps > 20, `${stepped(big).steps} steps for ${big.length} characters`);
  for (const text of [big, broken, `a: 1\n---\n${broken}---\nb: 2\n`]) {
    const whole = service.parse('file:///ws/big.yaml', text);
    const g = service.parseSteps('file:///ws/big.yaml', text);
    let r = g.next();
    while (!r.done) r = g.next();
    const file = r.value;
    assert.equal(file.text, text);
    assert.deepEqual(file.docs.map((d) => [d.start, d.end, d.kind, d.name, d.value(), d.syntax]), whole.docs.map((d) => [d.start, d.end, d.kind, d.name, d.value(), d.syntax]));
    assert.deepEqual(service.diagnostics(file), service.diagnostics(whole));
  }
});

test('a document repeating thousands of keys lists the first 100 duplicate keys and counts the rest', () => {
  const values = Array.from({ length: 5_050 }, (_, i) => `  key${i % 50}: v${i}\n`).join('');
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dups\ndata:\n${values}`;
  const dups = service.diagnostics(service.parse('file:///ws/dups.yaml', text)).filter((d) => d.code === 'duplicate-key');
  assert.equal(dups.length, 100);
  // The first repeated key is the 51st line of data (key0 again), and the last one listed says how many more there are.
  assert.deepEqual(dups[0].range.start, { line: 55, character: 2 });
  assert.match(dups[0].message, /^duplicate key `key0`: the API server rejects an object that repeats a key$/);
  assert.match(dups[99].message, /^duplicate key `key49`: .* \(and 4900 more duplicate keys in this document, not listed\)$/);
});

test('a pasted block of thousands of unknown fields lists the first 100 and counts the rest; 100 are all listed', () => {
  const head = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: pasted\nspec:\n  interval: 5m\n  url: https://charts.example.com\n';
  const unknown = (n: number) => service.diagnostics(service.parse('file:///ws/pasted.yaml', head + Array.from({ length: n }, (_, i) => `  key${i}: v${i}\n`).join(''))).filter((d) => d.code === 'unknown-field');
  const many = unknown(3_000);
  assert.equal(many.length, 100);
  assert.deepEqual(many[0].range.start, { line: 7, character: 2 });
  assert.match(many[0].message, /^unknown field `key0` in spec/);
  assert.doesNotMatch(many[98].message, /not listed/);
  assert.match(many[99].message, /^unknown field `key99` in spec.* \(and 2900 more like this in this document, not listed\)$/);
  const all = unknown(100);
  assert.equal(all.length, 100);
  assert.ok(all.every((d) => !/not listed/.test(d.message)));
});

test("the editor's parse of a large piece stays shared with builds while the file holds it, also after a garbage collection", async () => {
  // Before, only a weak reference to the list of documents was kept, and nothing else held that list: the first
  // collection after the parse dropped it, and the build that asked 150 ms later parsed a 1 MB piece again.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const piece = `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n${Array.from({ length: 3_000 }, (_, i) => `  key${i % 50}: v${i}\n`).join('')}`;
  const file = service.parse('file:///ws/shared.yaml', `a: 1\n${piece}`);
  // A weak reference keeps its target until the current job ends: collect in a later turn, as the server would.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const kept = sharedParse(piece);
  assert.ok(Array.isArray(kept) && kept.length === 1, 'the parse is still shared');
  assert.equal((kept as unknown[])[0], file.docs[1].doc);
});

test('hundreds of aliases under anchors in a large document are not expanded, and it says so; a few still are', () => {
  // Expanding them walked the whole document once per anchor (4.1 s for this 500 KB text, 1.4 s now, at load 3).
  const filler = Array.from({ length: 30_000 }, (_, i) => `  k${i}: v${i}\n`).join('');
  const anchors = Array.from({ length: 400 }, (_, i) => `  a${i}: &a${i}\n    <<: *base\n    n: ${i}\n  use${i}: *a${i}\n`).join('');
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aliases\ndata:\n  base: &base\n    x: 1\n';
  const many = service.parse('file:///ws/aliases.yaml', `${head}${filler}${anchors}`);
  assert.equal(many.docs[0].value(), undefined);
  const said = service.diagnostics(many).filter((d) => d.code === 'yaml-alias').map((d) => d.message);
  assert.deepEqual(said, ['YAML aliases were not expanded: 800 aliases in a document of 94822 nodes would take too long, so its content is not checked']);
  const few = service.parse('file:///ws/few.yaml', `${head}  a: &a\n    <<: *base\n    m: 1\n  use: *a\n`);
  assert.deepEqual(few.docs[0].value(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aliases' }, data: { base: { x: 1 }, a: { x: 1, m: 1 }, use: { x: 1, m: 1 } } });
  assert.deepEqual(service.diagnostics(few).filter((d) => d.code === 'yaml-alias'), []);
});
