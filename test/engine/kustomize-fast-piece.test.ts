// Algorithm test of engine/kustomize/fast-piece.ts against the `yaml` library: imports the module directly.
/**
 * A kustomize build reads plain pieces without the library (values from the
 * quick reader, root and document ranges from the lines). Whenever it does,
 * the value and both ranges must be the library's, under both schemas a build
 * reads with: on every YAML piece of the fixtures, examples and shared fleets,
 * on comment and block-scalar edge cases, and on random texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { readFastPiece } from '../../engine/kustomize/fast-piece.ts';
import { KUSTOMIZE_YAML_OPTIONS } from '../../engine/kustomize/source.ts';
import { parsedSource, documentSpan } from '../../engine/kustomize/parsed-sources.ts';
import { spanAt } from '../../engine/kustomize/source.ts';
import { YAML_OPTIONS } from '../../engine/yaml/documents.ts';
import { documentPieces as pieces, yamlFiles } from '../support/yaml-files.ts';

const root = join(import.meta.dirname, '..', '..');
const SCHEMAS = { resource: KUSTOMIZE_YAML_OPTIONS, kustomization: YAML_OPTIONS } as const;

/** When the quick path answers, the library agrees on value and ranges. Returns whether it answered. */
function agrees(piece: string, where: string): boolean {
  let answered = false;
  for (const schema of ['resource', 'kustomization'] as const) {
    const fast = readFastPiece(piece, schema);
    if (!fast) continue;
    answered = true;
    const docs = parseAllDocuments(piece, SCHEMAS[schema]);
    assert.ok(Array.isArray(docs) && docs.length === 1, `${where} (${schema}): not one document:\n${piece}`);
    const doc = docs[0];
    assert.deepEqual(doc.errors.map((e) => e.message), [], `${where} (${schema}): errors in:\n${piece}`);
    assert.deepEqual(fast.value, doc.toJS({ maxAliasCount: 100 }), `${where} (${schema}): values differ for:\n${piece}`);
    const contents = doc.contents as { range: [number, number, number] };
    assert.deepEqual(fast.root, [contents.range[0], contents.range[1]], `${where} (${schema}): root range of:\n${JSON.stringify(piece)}`);
    assert.deepEqual(fast.doc, [doc.range[0], doc.range[2]], `${where} (${schema}): document range of:\n${JSON.stringify(piece)}`);
  }
  return answered;
}

test('every piece of the corpus read quickly has the library\'s value and ranges, and most kustomize inputs are read quickly', () => {
  const files = ['test/fixtures', 'examples', '../shared/fleets'].flatMap((d) => yamlFiles(join(root, d)));
  assert.ok(files.length > 500, `${files.length} files`);
  let read = 0;
  let total = 0;
  for (const f of files) {
    for (const piece of pieces(readFileSync(f, 'utf8'))) {
      total++;
      if (agrees(piece, f)) read++;
    }
  }
  assert.ok(read / total > 0.7, `${read} of ${total} pieces read quickly`);
});

test('comments, blank lines and block scalars at the end of a document', () => {
  const cases = [
    'a: |\n  x\n\n\n', 'a: |-\n  x\n\n', 'a:\n  b: |\n    x\n\n  # c\n', 'a: 1\n  # c\n', 'a: 1\n# c\n', 'a: 1', 'a: 1\n\n\n',
    '---\na: 1\n', '--- # x\na: 1\n', '# c\n\na: 1\n', 'a:\n  - b: 1\n    c: |\n      z\n', 'a: 1   \n', 'a: 1 # t\n',
    'a: |\n  x\n  # not a comment\n', 'a: 1\n  # c\n\n# d\n', 'a:\n  b: 1\n  # c\n# d\n  # e\n', 'a:\n  b: 1\n# d\n  c: 2\n',
    'a:\n- 1\n  # x\n', 'a: 1\n # x\n\n', 'a: \n', 'a:\n', 'a: # c\n', 'a:\n  # c\n', 'a:\n- \n', 'a:\n  -\n', 'a: 1\nb:\n  # c\n', '---\n# only a comment\n', '---\n', '# c\n', 'a: 1\n---\n',
  ];
  let read = 0;
  for (const c of cases) if (agrees(c, 'case')) read++;
  assert.ok(read >= 10, `${read} of ${cases.length} cases read quickly`);
});

test('anchored scalars, their aliases and one-line flow collections are read quickly, with the library\'s value; other forms are left to it', () => {
  const quick = [
    'metadata:\n  name: &app radarr\nspec:\n  values:\n    fullnameOverride: *app\n    port: &port 80\n    probe:\n      port: *port\n',
    'a: &q "quoted"\nb: *q\nc: &q 2\nd: *q\n',
    'c:\n  - &i item\n  - *i\n  - k: *i\n',
    'securityContext:\n  capabilities: { drop: ["ALL"] }\n  x: [a, \'b c\', 1.10, yes, ~, 0755]\n',
    'a:\n  - k: {a: [1, {b: c}], d: {}}\n    e: [[], [x]]\n',
    'a: |\n  k: [x]\n  l: &a b\n  m: *a\nb: [y]\n',
  ];
  for (const c of quick) assert.ok(agrees(c, 'case'), `not read quickly:\n${c}`);
  const cases = [
    'a: &x\n  b: 1\nc: *x\n', 'a: *x\nb: &x 1\n', 'a: &x 1\n<<: *x\n', 'a: &x 1 # c\nb: *x\n', 'a: &x one\n  two\nb: *x\n',
    'a: &x |\n  t\nb: *x\n', 'a: &x !!str 1\nb: *x\n', '*x : 1\n', '"k: v": |\n  a: [x]\n  b: &y z\n', 'a: "s\n  b: [x]\n  "\n',
    'a: [x,]\n', 'a: [a: b]\n', 'a: [x] # c\n', '- {a: b}\n', 'a: [\n  x]\n', 'a: {a: 1, a: 2}\n', 'a: ["x\\"y"]\n', "a: ['it''s']\n",
    'a: {b: c d}\n', 'a: [-1, .5, 1e3]\n', 'a: [x #y]\n', 'a: &x 1\nb: &x 2\nc: *x\n', 'a: {b: *x}\n', 'a: > \n  &x y\nb: *x\n',
  ];
  for (const c of cases) agrees(c, 'case');
});

test('random texts: the quick path agrees with the library whenever it answers', () => {
  const line = fc.record({
    indent: fc.constantFrom(0, 0, 1, 2, 2, 4),
    kind: fc.constantFrom('kv', 'kv', 'key', 'item', 'comment', 'blank', 'marker', 'literal', 'text', 'anchor', 'alias', 'itemkv'),
    key: fc.constantFrom('a', 'b', 'name', 'on', 'yes', 'x y', '"q"', '"k: v"', '<<'),
    anchor: fc.constantFrom('a', 'b', 'x:y'),
    value: fc.constantFrom('', 'x', 'yes', 'on', 'true', '0755', '2001-12-14', '1.10', '~', '"s"', "'t'", '# c', 'a # c', '|', '|-', '>', '[]', '{}', '&a x', '*a', '*b', '&b 1', '&a', '&a |', '&a "q"', '&a [x]', '{ drop: ["ALL"] }', '[x, "y", 1]', '{a: [1, {b: c}]}', '[a: b]', '[x,]', '{ a: b } # c', '[{}, []]', "['s', yes, on]", '{ "k": v, k2: 2 }', '- x', 'x: [1]'),
  });
  const texts = fc.array(line, { minLength: 1, maxLength: 10 }).map((ls) =>
    ls
      .map((l) => {
        const pad = ' '.repeat(l.indent);
        switch (l.kind) {
          case 'kv': return `${pad}${l.key}: ${l.value}`;
          case 'key': return `${pad}${l.key}:`;
          case 'item': return `${pad}- ${l.value}`;
          case 'comment': return `${pad}# ${l.value}`;
          case 'blank': return pad;
          case 'marker': return '---';
          case 'literal': return `${pad}${l.key}: |`;
          case 'anchor': return `${pad}${l.key}: &${l.anchor} ${l.value}`;
          case 'alias': return `${pad}${l.key}: *${l.anchor}`;
          case 'itemkv': return `${pad}- ${l.key}: ${l.value}`;
          default: return `${pad}${l.value}`;
        }
      })
      .join('\n') + '\n',
  );
  fc.assert(fc.property(texts, (text) => { for (const p of pieces(text)) agrees(p, 'random'); }), { numRuns: 20000 });
});

test('a build\'s parse of a file gives the same values and spans as the library, and composes the nodes only when asked', () => {
  const text = '# header\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    v\n\n# trailing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b} # flow, then a comment\n';
  const parsed = parsedSource('/fast-piece/test.yaml', text);
  assert.equal(parsed.docs.length, 2);
  const quick = parsed.docs[0];
  assert.ok(quick.ranges, 'the first document was not read quickly');
  assert.equal(parsed.docs[1].ranges, undefined, 'a flow mapping with a comment after it is the library\'s');
  const library = parseAllDocuments(text, KUSTOMIZE_YAML_OPTIONS)[0];
  const libContents = library.contents as { range: [number, number, number] };
  assert.deepEqual(spanAt(quick, []), { file: '/fast-piece/test.yaml', start: libContents.range[0], end: libContents.range[1] });
  assert.deepEqual(documentSpan(quick), [library.range[0], library.range[2]]);
  assert.deepEqual(quick.value, library.toJS());
  // A deeper span composes the document: the same span as the library's node.
  const lib = library.getIn(['metadata', 'name'], true) as { range: [number, number, number] };
  assert.deepEqual(spanAt(quick, ['metadata', 'name']), { file: '/fast-piece/test.yaml', start: lib.range[0], end: lib.range[1] });
  // Indexes as one parse of the whole text counts them (the comment before the first `---` is no document).
  assert.equal(quick.index, 0);
  assert.equal(parsed.docs[1].index, 1);
});
