// Algorithm test of engine/sources/index-scan.ts (repository index.yaml scanning): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * The fast index scanner (engine/sources/index-scan.ts) against the full YAML
 * parse: generated indexes in Helm's and the `yaml` package's layouts,
 * random indexes serialised with random emitter settings (property test),
 * and hand-written edge cases that must either scan identically or fall back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseIndex, parseIndexFull, scanIndex } from '../../engine/sources/index-scan.ts';
import { generateIndex } from '../sources/gen-index.ts';

function agree(text: string): 'scan' | 'fallback' {
  const full = parseIndexFull(text);
  const scanned = scanIndex(text);
  const fast = parseIndex(text);
  assert.equal(fast.ok, full.ok, `ok differs for:\n${text}`);
  if (fast.ok && full.ok) {
    assert.deepEqual(fast.index.charts, full.index.charts, `charts differ for:\n${text}`);
    assert.equal(fast.index.apiVersion, full.index.apiVersion);
  }
  if (scanned && full.ok) assert.deepEqual(scanned.charts, full.index.charts);
  return scanned ? 'scan' : 'fallback';
}

test('generated indexes in both layouts are scanned, and agree with the full parse', () => {
  for (const layout of ['helm', 'indented'] as const) {
    const text = generateIndex({ charts: 12, versions: 30, layout, seed: 7 });
    assert.equal(agree(text), 'scan', layout);
    const r = parseIndex(text);
    assert.ok(r.ok && r.index.parser === 'scan');
    assert.equal(r.index.charts.size, 12);
    for (const list of r.index.charts.values()) assert.equal(list.length, 30);
  }
});

const scalarText = fc.oneof(
  fc.constantFrom('1.0.0', '1.0', 'v2.3.4', '1.2.3-rc.1+b.5', 'true', 'null', '~', '0x1F', '1e3', '- x', 'a: b', '#x', 'x #y', "it's", 'say "hi"', ' lead', 'trail ', '', '*', '&a', '!t', '|', '[a]', '{b}', '@', '%'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[a-z0-9.]{1,8})?(\+[a-z0-9.]{1,8})?$/),
);

const junk = fc.dictionary(
  fc.constantFrom('description', 'home', 'icon', 'keywords', 'maintainers', 'annotations', 'kubeVersion', 'apiVersion', 'name', 'deprecated', 'type'),
  fc.oneof(fc.string({ maxLength: 120 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 60 }), { maxKeys: 3 }), fc.boolean(), fc.integer()),
  { maxKeys: 5 },
);

const entryArb = fc.record(
  {
    version: scalarText,
    created: fc.oneof(scalarText, fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString())),
    appVersion: scalarText,
    digest: fc.stringMatching(/^[0-9a-f]{64}$/),
    urls: fc.array(fc.oneof(fc.webUrl(), scalarText), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const indexArb = fc.record({
  apiVersion: fc.constantFrom('v1', 'v2'),
  entries: fc.dictionary(
    fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })),
    fc.array(fc.tuple(entryArb, junk).map(([e, j]) => ({ ...j, ...e })), { maxLength: 4 }),
    { maxKeys: 4 },
  ),
  generated: fc.constant('2024-01-01T00:00:00Z'),
});

const emitterArb = fc.record({
  indentSeq: fc.boolean(),
  indent: fc.constantFrom(2, 3, 4),
  lineWidth: fc.constantFrom(0, 20, 40, 80),
  defaultStringType: fc.constantFrom('PLAIN', 'PLAIN', 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED') as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null | 'PLAIN' | 'QUOTE_DOUBLE'>,
});

test('property: for random indexes and emitter settings, parseIndex equals the full parse', () => {
  let scanned = 0;
  let runs = 0;
  fc.assert(
    fc.property(indexArb, emitterArb, (index, emitter) => {
      const text = stringify(index, { ...emitter, minContentWidth: 0 });
      runs++;
      if (agree(text) === 'scan') scanned++;
    }),
    { numRuns: 400, seed: 20261121 },
  );
  // The fast path must carry most inputs, or the test says nothing about it.
  assert.ok(scanned / runs > 0.4, `only ${scanned}/${runs} inputs took the scanner`);
  if (process.env.FLUXHELM_VERBOSE) console.log(`scanner took ${scanned}/${runs}`);
});

const cases: { name: string; text: string; path: 'scan' | 'fallback'; versions?: Record<string, string[]> }[] = [
  {
    name: 'comments and blank lines',
    text: '# generated\napiVersion: v1 # v1 only\n\nentries:\n  # charts\n  app:\n  - version: 1.0.0 # first\n    urls:\n    # mirror\n    - https://x/app-1.0.0.tgz\n\n  - version: "1.1.0"\n',
    path: 'scan',
    versions: { app: ['1.0.0', '1.1.0'] },
  },
  { name: 'CRLF line ends', text: 'apiVersion: v1\r\nentries:\r\n  app:\r\n  - version: 2.0.0\r\n    created: "2024-01-01T00:00:00Z"\r\n', path: 'scan', versions: { app: ['2.0.0'] } },
  { name: 'flow urls', text: 'apiVersion: v1\nentries:\n  app:\n  - urls: [a, b]\n    version: 1.0.0\n', path: 'fallback', versions: { app: ['1.0.0'] } },
  { name: 'anchors and merge keys', text: 'apiVersion: v1\nentries:\n  app:\n  - &base\n    version: 1.0.0\n  - <<: *base\n    created: x\n', path: 'fallback', versions: { app: ['1.0.0', '1.0.0'] } },
  { name: 'merge key in an entry', text: 'apiVersion: v1\nbase: &b {version: 9.9.9}\nentries:\n  app:\n  - name: app\n    <<: *b\n', path: 'fallback', versions: { app: ['9.9.9'] } },
  { name: 'tab indentation', text: 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n\t\n', path: 'fallback' },
  { name: 'document marker', text: '---\napiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n', path: 'fallback', versions: { app: ['1.0.0'] } },
  { name: 'empty entries', text: 'apiVersion: v1\nentries: {}\n', path: 'scan', versions: {} },
  { name: 'chart with an empty list', text: 'apiVersion: v1\nentries:\n  app: []\n  web:\n  - version: 0.1.0\n', path: 'scan', versions: { app: [], web: ['0.1.0'] } },
  {
    name: 'block scalars that look like fields',
    text: 'apiVersion: v1\nentries:\n  app:\n  - annotations:\n      changes: |\n        version: 9.9.9\n    version: 1.0.0\n    description: |-\n      version: 8.8.8\n\n      urls:\n    urls:\n    - u\n',
    path: 'scan',
    versions: { app: ['1.0.0'] },
  },
  { name: 'version folded over two lines', text: 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0\n      .0\n', path: 'fallback', versions: { app: ['1.0 .0'] } },
  { name: 'multi-line quoted description', text: 'apiVersion: v1\nentries:\n  app:\n  - description: "a\n      version: 7.7.7\n      b"\n    version: 1.2.3\n', path: 'scan', versions: { app: ['1.2.3'] } },
  { name: 'duplicate chart names', text: 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n', path: 'fallback' },
  { name: 'entries without a version are dropped', text: 'apiVersion: v1\nentries:\n  app:\n  - name: app\n  - version: 3.0.0\n', path: 'scan', versions: { app: ['3.0.0'] } },
  { name: 'nullish versions go to the full parser', text: 'apiVersion: v1\nentries:\n  app:\n  - version: ~\n', path: 'fallback' },
  { name: 'quoted and escaped scalars', text: 'apiVersion: v1\nentries:\n  "my app":\n  - version: \'1.0.0\'\n    appVersion: "v\\u0031"\n  \'it\'\'s\':\n  - version: "2.0.0"\n', path: 'scan', versions: { 'my app': ['1.0.0'], "it's": ['2.0.0'] } },
  { name: 'a non-ASCII space ending a key is part of the key', text: 'apiVersion: v1\nentries:\n  app\u3000:\n  - version: 1.0.0\n', path: 'scan', versions: { 'app\u3000': ['1.0.0'] } },
  { name: 'a space before the colon', text: 'apiVersion: v1\nentries:\n  app :\n  - version : 1.0.0\n', path: 'fallback' },
  { name: 'YAML-only escapes', text: 'apiVersion: v1\nentries:\n  app:\n  - version: "1.0.0\\x41"\n', path: 'fallback', versions: { app: ['1.0.0A'] } },
];

for (const c of cases) {
  test(`edge case: ${c.name}`, () => {
    assert.equal(agree(c.text), c.path);
    if (c.versions) {
      const r = parseIndex(c.text);
      assert.ok(r.ok, JSON.stringify(r));
      const got = Object.fromEntries([...r.index.charts].map(([k, v]) => [k, v.map((e) => e.version)]));
      assert.deepEqual(got, c.versions);
    }
  });
}

test('JSON indexes use JSON.parse', () => {
  const r = parseIndex(JSON.stringify({ apiVersion: 'v1', entries: { app: [{ version: '1.0.0', urls: ['a'] }, { version: 2 }] } }));
  assert.ok(r.ok && r.index.parser === 'json');
  assert.deepEqual(r.index.charts.get('app'), [{ version: '1.0.0', urls: ['a'] }, { version: '2' }]);
});

test('malformed indexes are reported, not thrown', () => {
  for (const [text, re] of [
    ['', /empty/],
    ['- a\n- b\n', /not a YAML mapping/],
    ['apiVersion: v1\n', /no `entries`/],
    ['apiVersion: v1\nentries: [1, 2]\n', /not a mapping/],
    ['entries: {}\n', /no `apiVersion`/],
    ['a: [\n', /not valid YAML/],
  ] as const) {
    const r = parseIndex(text);
    assert.ok(!r.ok && re.test(r.message), `${JSON.stringify(text)} -> ${JSON.stringify(r)}`);
  }
  // Alias bombs stop at the alias limit instead of expanding.
  const bomb = ['apiVersion: v1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  bomb.push('entries: {}');
  const r = parseIndex(bomb.join('\n'));
  assert.ok(!r.ok && /alias|resource|Excessive/i.test(r.message), JSON.stringify(r));
});
