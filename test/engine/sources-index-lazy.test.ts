// Algorithm test of engine/sources/index-lazy.ts and index-scan.ts (lazy repository index reading): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Per-chart reading of big indexes (engine/sources/index-lazy.ts) against the
 * full reader: for generated indexes in both layouts, random indexes with
 * random emitter settings (property test) and hand-written layouts, every
 * chart's versions, the set of names, a missing name and `parser` must be
 * what the full reader gives. And the point of it: on a big index, opening
 * it and looking up one chart costs a fraction of the full scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseIndex } from '../../engine/sources/index-scan.ts';
import { parseIndexBytes, LAZY_MIN_BYTES } from '../../engine/sources/index-lazy.ts';
import { generateIndex } from '../sources/gen-index.ts';

const enc = new TextEncoder();

/**
 * Looks up every chart lazily (each in a fresh index, so no full scan has happened yet) and compares;
 * both as a plain Uint8Array (in-memory hosts) and as a Node Buffer (the Node host), whose native
 * newline search the lazy reader uses.
 */
function agreeLazily(text: string): void {
  const plain = enc.encode(text);
  for (const bytes of [plain, Buffer.from(plain)]) {
    // What the index source did before: decode (which drops a byte-order mark), then read it all.
    const full = parseIndex(new TextDecoder().decode(bytes));
    const lazy = parseIndexBytes(bytes, 0);
    assert.equal(lazy.ok, full.ok, `ok differs for:\n${text}`);
    if (!lazy.ok || !full.ok) return;
    assert.equal(lazy.index.apiVersion, full.index.apiVersion);
    for (const [name, entries] of full.index.charts) {
      const fresh = parseIndexBytes(bytes, 0);
      assert.ok(fresh.ok);
      assert.deepEqual(fresh.index.charts.get(name), entries, `chart ${JSON.stringify(name)} differs for:\n${text}`);
      assert.equal(fresh.index.charts.has(name), true);
    }
    const missing = parseIndexBytes(bytes, 0);
    assert.ok(missing.ok);
    assert.equal(missing.index.charts.get('no-such-chart-here'), full.index.charts.get('no-such-chart-here'));
    assert.deepEqual([...missing.index.charts.keys()], [...full.index.charts.keys()]);
    assert.equal(missing.index.charts.size, full.index.charts.size);
    assert.equal(missing.index.parser, full.index.parser);
  }
}

test('generated indexes in both layouts: every chart read alone equals the full read', () => {
  for (const layout of ['helm', 'indented'] as const) agreeLazily(generateIndex({ charts: 15, versions: 12, layout, seed: 3 }));
});

const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.string({ minLength: 1, maxLength: 8 }));
const scalar = fc.oneof(fc.constantFrom('1.0.0', '1.0', 'v2', '1.2.3-rc.1', 'true', '~', '- x', 'a: b', '#x', "it's", ''), fc.string({ maxLength: 20 }));
const entry = fc.record(
  {
    version: scalar,
    created: scalar,
    appVersion: scalar,
    urls: fc.array(scalar, { maxLength: 2 }),
    description: fc.string({ maxLength: 90 }),
    annotations: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 40 }), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
const index = fc.record({
  apiVersion: fc.constantFrom('v1', 'v2'),
  entries: fc.dictionary(name, fc.array(entry, { maxLength: 3 }), { maxKeys: 5 }),
  generated: fc.constant('2024-01-01T00:00:00Z'),
  serverInfo: fc.dictionary(name, fc.string({ maxLength: 10 }), { maxKeys: 2 }),
});
const emitter = fc.record({
  indentSeq: fc.boolean(),
  indent: fc.constantFrom(2, 3, 4),
  lineWidth: fc.constantFrom(0, 30, 80),
  defaultStringType: fc.constantFrom('PLAIN', 'PLAIN', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED') as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null | 'PLAIN' | 'QUOTE_DOUBLE'>,
  crlf: fc.boolean(),
  keyOrder: fc.constantFrom('entries-first', 'entries-last'),
});

test('property: random indexes and emitter settings read per chart equal the full read', () => {
  fc.assert(
    fc.property(index, emitter, (idx, e) => {
      const ordered = e.keyOrder === 'entries-first' ? idx : { serverInfo: idx.serverInfo, generated: idx.generated, apiVersion: idx.apiVersion, entries: idx.entries };
      let text = stringify(ordered, { indentSeq: e.indentSeq, indent: e.indent, lineWidth: e.lineWidth, defaultStringType: e.defaultStringType, defaultKeyType: e.defaultKeyType, minContentWidth: 0 });
      if (e.crlf) text = text.replace(/\n/g, '\r\n');
      agreeLazily(text);
    }),
    { numRuns: 300, seed: 20261203 },
  );
});

const cases: [string, string][] = [
  ['a nested key after entries named like a chart', 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\nserverInfo:\n  app: x\n'],
  ['a nested key before entries named like a chart', 'serverInfo:\n  app: x\napiVersion: v1\nentries:\n  app:\n  - version: 2.0.0\n'],
  ['comments at every indentation', '# top\napiVersion: v1\nentries:\n# col 0\n  # chart level\n  app:\n  # item level\n  - version: 1.0.0\n    # key level\n    urls:\n    - u\n  web:\n  - version: 3.0.0\n'],
  ['quoted chart names', 'apiVersion: v1\nentries:\n  "my app":\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n'],
  ['duplicate chart names', 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n'],
  ['a key containing a colon', 'apiVersion: v1\nentries:\n  a:b:\n  - version: 1.0.0\n  a:\n  - version: 2.0.0\n'],
  ['a tab', 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n\t\n'],
  ['a document marker', '---\napiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n'],
  ['a byte-order mark', '\ufeffapiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n'],
  ['JSON', '{"apiVersion": "v1", "entries": {"app": [{"version": "1.0.0"}]}}'],
  ['flow urls in one chart', 'apiVersion: v1\nentries:\n  app:\n  - urls: [a, b]\n    version: 1.0.0\n  web:\n  - version: 1.0.0\n'],
  ['an alias to an anchor in another chart', 'apiVersion: v1\nentries:\n  app:\n  - &v\n    version: 1.0.0\n  web:\n  - *v\n'],
  ['no apiVersion', 'entries:\n  app:\n  - version: 1.0.0\n'],
  ['entries twice', 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\ngenerated: x\nentries:\n  web:\n  - version: 2.0.0\n'],
  ['a chart with an empty list', 'apiVersion: v1\nentries:\n  app: []\n  web:\n  - version: 0.1.0\n'],
  ['a line less indented than the charts', 'apiVersion: v1\nentries:\n    app:\n    - version: 1.0.0\n  web:\n  - version: 2.0.0\n'],
];
for (const [label, text] of cases) {
  test(`layout: ${label}`, () => agreeLazily(text));
}

test('on a big index, open + one chart costs a fraction of the full read', () => {
  const text = generateIndex({ charts: 60, versions: 100, seed: 9 });
  const bytes = enc.encode(text);
  assert.ok(bytes.length > 4 * LAZY_MIN_BYTES, `${bytes.length} bytes`);
  // Warm both paths once, then measure each a few times (medians; shared machines are noisy).
  const time = (fn: () => void): number => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      fn();
      samples.push(performance.now() - t0);
    }
    return samples.sort((a, b) => a - b)[2];
  };
  // Also as a Node Buffer (what the Node host reads), whose newline search is native.
  const buffer = Buffer.from(bytes);
  const one = () => {
    for (const b of [bytes, buffer]) {
      const r = parseIndexBytes(b);
      assert.ok(r.ok && r.index.charts.get('chart-u')?.length === 100);
    }
  };
  const full = () => {
    const r = parseIndex(new TextDecoder().decode(bytes));
    assert.ok(r.ok && r.index.charts.get('chart-u')?.length === 100);
  };
  one();
  full();
  const lazyMs = time(one);
  const fullMs = time(full);
  assert.ok(lazyMs < fullMs / 2, `one chart (plain and Buffer) ${lazyMs.toFixed(1)} ms, full read ${fullMs.toFixed(1)} ms`);
  // The warm lookup is a map hit.
  const r = parseIndexBytes(bytes);
  assert.ok(r.ok);
  r.index.charts.get('chart-u');
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) r.index.charts.get('chart-u');
  assert.ok((performance.now() - t0) / 1000 < 1);
});
