// Algorithm test of engine/yaml/fast.ts (the quick reader of plain block YAML) against the `yaml` library: imports the modules directly; the diagnostics comparison goes through engine/index.ts.
/**
 * The quick reader may only answer when its answer is the library's: for
 * every YAML file of the fixtures, the examples, the shared fleets and charts
 * and the benchmark's generated file, and for random texts built from tricky
 * lines, each document it reads must parse with the library as one document
 * without errors or duplicate keys, with the same plain value. And the
 * diagnostics of every one of those files through the façade must be the
 * same, to the character, with the quick reader on and off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { createFastReader } from '../../engine/yaml/fast.ts';
import { YAML_OPTIONS, duplicateKeyOffsets, setFastReading, parseYamlFile } from '../../engine/yaml/documents.ts';
import { findAtPath, nodeRange, type PathSeg } from '../../engine/yaml/nodes.ts';
import { createLanguageService, emptyHost } from '../../engine/index.ts';
import { generateFile } from '../../bench/gen.ts';
import { documentPieces as pieces, yamlFiles } from '../support/yaml-files.ts';

const root = join(import.meta.dirname, '..', '..');
const reader = createFastReader(YAML_OPTIONS);


const corpus: { name: string; text: string }[] = [
  ...['test/fixtures', 'examples', '../shared/fleets', '../shared/charts'].flatMap((d) => yamlFiles(join(root, d))).map((p) => ({ name: p, text: readFileSync(p, 'utf8') })),
  { name: 'bench 1,000 documents', text: generateFile(1000).text },
];

/** When the reader answers for `piece`, the library must agree. Returns whether it answered. */
function agrees(piece: string, where: string): boolean {
  const ranges = new Map<string, [number, number]>();
  const fast = reader.read(piece, ranges);
  if (!fast) return false;
  const docs = parseAllDocuments(piece, YAML_OPTIONS);
  assert.ok(Array.isArray(docs) && docs.length === 1, `${where}: the library finds ${Array.isArray(docs) ? docs.length : 0} documents in:\n${piece}`);
  const doc = docs[0];
  assert.deepEqual(doc.errors.map((e) => e.message), [], `${where}: the library reports errors for:\n${piece}`);
  assert.deepEqual(duplicateKeyOffsets(doc), [], `${where}: duplicate keys in:\n${piece}`);
  assert.deepEqual(fast.value, doc.toJS({ maxAliasCount: 100 }), `${where}: values differ for:\n${piece}`);
  for (const [key, range] of ranges) {
    assert.deepEqual(range, nodeRange(findAtPath(doc.contents, JSON.parse(key) as PathSeg[]).node), `${where}: range of ${key} in:\n${piece}`);
  }
  assert.deepEqual(reader.read(piece)?.value, fast.value);
  return true;
}

test('every document of the corpus the reader reads is the library\'s document, and most are read', () => {
  let read = 0;
  let total = 0;
  for (const { name, text } of corpus) {
    for (const piece of pieces(text)) {
      total++;
      if (agrees(piece, name)) read++;
    }
  }
  assert.ok(corpus.length > 800, `${corpus.length} files`);
  // The point of the reader: it takes most real documents (the rest go to the library).
  assert.ok(read / total > 0.5, `${read} of ${total} documents read quickly`);
});

test('diagnostics of every corpus file are the same with the quick reader on and off', () => {
  const service = createLanguageService(emptyHost);
  for (const { name, text } of corpus) {
    const uri = `file://${name.startsWith('/') ? '' : '/'}${name}`;
    setFastReading(false);
    const slow = service.parse(uri, text);
    const before = service.doValidation(slow);
    setFastReading(true);
    const quick = service.parse(uri, text);
    const after = service.doValidation(quick);
    assert.deepEqual(after, before, name);
    assert.deepEqual(
      quick.docs.map((d) => [d.start, d.end, d.apiVersion, d.kind, d.name, d.namespace]),
      slow.docs.map((d) => [d.start, d.end, d.apiVersion, d.kind, d.name, d.namespace]),
      name,
    );
  }
});

test('an edit re-reads only the changed document, and a composed document gives the same ranges', () => {
  const text = generateFile(20).text;
  const first = parseYamlFile('file:///x.yaml', text);
  const edited = text.replace('name: app-0005', 'name: app-0005x');
  const second = parseYamlFile('file:///x.yaml', edited, first);
  assert.equal(second.docs.filter((d, i) => d !== first.docs[i]).length, 1);
  const doc = second.docs[5];
  const library = parseAllDocuments(doc.text, YAML_OPTIONS)[0];
  assert.equal(String(doc.doc), String(library));
  assert.deepEqual(doc.doc.contents?.range, library.contents?.range);
});

// Random texts from lines that sit on the edges of what the reader takes.
const keys = fc.constantFrom('a', 'b', 'name', 'on', 'yes', 'y', 'n', 'null', '~', '1', '0x1', '"q"', "'s'", "'it''s'", '"a b"', 'a b', 'a#b', 'a #b', '<<', '__proto__', '? x', '-k', 'k ', '&x a', '*x', '!t a', 'a: b', 'a:b', 'spec.x', 'k"', "k'");
const scalars = fc.constantFrom(
  '', 'x', 'true', 'True', 'TRUE', 'yes', 'No', 'on', 'OFF', 'y', 'N', '~', 'null', 'Null', '0', '-0', '+1', '0755', '0o17', '0x1F', '0b101', '1_000', '1.10', '1e3', '1.5E-2', '.inf', '-.Inf', '.nan', '.NaN', '190:20:30', '1:20',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '6.5.x', '1.0.0', 'v2', '5m', '100m', '64Mi', '"quoted"', '"with \\" escape"', "'single'", "'it''s'", "''", '""', '"unclosed', "'unclosed", '[]', '{}', '[a, b]', '{a: 1}', '[ ]',
  '|', '>-', '|2', '&anchor x', '*alias', '!!str 1', '!tag x', 'a # comment', 'a#b', 'a: b', 'a:', 'http://x:80/y', '- x', '-x', '--', '? q', ':x', '%x', '@x', '`x', ',x', 'x,y', '# only comment', '"a" # c', "'a' # c", '"a"b', 'é', '\u00a0x', 'x ',
);
const line = fc.record({
  indent: fc.constantFrom(0, 0, 1, 2, 2, 4, 6),
  kind: fc.constantFrom('kv', 'kv', 'key', 'item', 'item-kv', 'item-empty', 'comment', 'blank', 'marker', 'literal', 'item-literal', 'text'),
  header: fc.constantFrom('|', '|-', '|+', '>', '|2', '| # c', '|-  '),
  key: keys,
  value: scalars,
});
const texts = fc.array(line, { minLength: 1, maxLength: 14 }).map((ls) =>
  ls
    .map((l) => {
      const pad = ' '.repeat(l.indent);
      switch (l.kind) {
        case 'kv':
          return `${pad}${l.key}: ${l.value}`;
        case 'key':
          return `${pad}${l.key}:`;
        case 'item':
          return `${pad}- ${l.value}`;
        case 'item-kv':
          return `${pad}- ${l.key}: ${l.value}`;
        case 'item-empty':
          return `${pad}-`;
        case 'literal':
          return `${pad}${l.key}: ${l.header}`;
        case 'item-literal':
          return `${pad}- ${l.header}`;
        case 'text':
          return `${pad}${l.value}`;
        case 'comment':
          return `${pad}# ${l.value}`;
        case 'blank':
          return pad;
        default:
          return l.indent === 0 ? '---' : `${pad}...`;
      }
    })
    .join('\n'),
);

test('property: on random texts the reader answers only with the library\'s value', () => {
  let read = 0;
  fc.assert(
    fc.property(texts, fc.boolean(), (text, trailingNewline) => {
      if (agrees(trailingNewline ? `${text}\n` : text, 'random')) read++;
    }),
    { numRuns: 3000, seed: 1703 },
  );
  assert.ok(read > 20, `${read} random texts read quickly`);
});

// Random trees written as block YAML in the layouts people use, scalars written as they come (unquoted when the token is plain).
type Tree = string | Tree[] | { [k: string]: Tree };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalars.filter((v) => v !== '' && !v.startsWith('#')),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'name', 'spec', 'x-y', 'on', '"q"', "'s'", 'k.v', 'é', 'a b'), tie('node'), { minKeys: 1, maxKeys: 4 }),
  ),
})).node;

function write(t: Tree, indent: number, indentless: boolean): string[] {
  const pad = ' '.repeat(indent);
  if (typeof t === 'string') return [`${pad}${t}`];
  if (Array.isArray(t)) {
    return t.flatMap((item) => {
      if (typeof item === 'string') return [`${pad}- ${item}`];
      const inner = write(item, indent + 2, indentless);
      return [`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1)];
    });
  }
  return Object.entries(t).flatMap(([k, v]) => {
    if (typeof v === 'string') return [`${pad}${k}: ${v}`];
    const deeper = Array.isArray(v) && indentless ? indent : indent + 2;
    return [`${pad}${k}:`, ...write(v, deeper, indentless)];
  });
}

test('property: random trees in block layouts are read as the library reads them', () => {
  let read = 0;
  fc.assert(
    fc.property(tree, fc.boolean(), fc.constantFrom('', '---\n', '--- # doc\n', '# head\n'), (t, indentless, head) => {
      if (typeof t === 'string') return;
      if (agrees(`${head}${write(t, 0, indentless).join('\n')}\n`, 'tree')) read++;
    }),
    { numRuns: 3000, seed: 1704 },
  );
  assert.ok(read > 300, `${read} random trees read quickly`);
});

// Literal block scalars in the places they appear, with content lines that look like YAML, blank lines and deeper lines.
const blockLine = fc.oneof(fc.constantFrom('', ' ', '#!/bin/sh', 'echo "a: b"', '- item', 'key: value', '  deeper', '    deeper still', '---', '...', '# comment', 'x #y', '\u00a0nbsp', '{ "json": 1 }'), fc.string({ maxLength: 12 }).filter((s) => !/[\t\r\n]/.test(s)));
const literalDoc = fc.record({
  header: fc.constantFrom('|', '|-', '| # c', '|- ', '|+', '>'),
  place: fc.constantFrom('top', 'nested', 'item', 'compact'),
  indent: fc.constantFrom(1, 2, 4),
  lines: fc.array(blockLine, { minLength: 1, maxLength: 6 }),
  after: fc.constantFrom('', '\n', '\n\n', 'next: 1\n', '\n# tail\nnext: 1\n', '  bad: 1\n', '   \nnext: 2\n'),
});

test('property: literal block scalars are read as the library reads them', () => {
  let read = 0;
  fc.assert(
    fc.property(literalDoc, ({ header, place, indent, lines, after }) => {
      const base = place === 'top' ? 0 : 2;
      const pad = ' '.repeat(base + indent);
      const head = { top: `key: ${header}`, nested: `outer:\n  key: ${header}`, item: `list:\n- ${header}`, compact: `list:\n- key: ${header}` }[place];
      const extra = place === 'compact' ? 2 : 0;
      const body = lines.map((l) => (l === '' ? '' : `${pad}${' '.repeat(extra)}${l}`)).join('\n');
      if (agrees(`${head}\n${body}\n${after}`, 'literal')) read++;
    }),
    { numRuns: 3000, seed: 1705 },
  );
  assert.ok(read > 300, `${read} block scalars read quickly`);
});

test('rangeAt gives the composed node\'s range for every leaf and for missing paths, in every corpus document', () => {
  let checked = 0;
  for (const { name, text } of corpus) {
    const file = parseYamlFile(`file:///${name}`, text);
    for (const d of file.docs) {
      const paths: PathSeg[][] = [['no', 'such', 'path'], []];
      const walk = (v: unknown, at: PathSeg[]): void => {
        if (paths.length > 60) return;
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
        else paths.push(at);
      };
      walk(d.value(), []);
      const library = parseAllDocuments(d.text, YAML_OPTIONS)[d.piecePart.index];
      for (const p of paths) {
        assert.deepEqual(d.rangeAt(p), nodeRange(findAtPath(library.contents, p).node), `${name}: ${JSON.stringify(p)}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 10_000, `${checked} paths`);
});
