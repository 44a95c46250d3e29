// The fast index.yaml reader must give exactly what a full YAML parse gives,
// on helm's own layout (fast path) and on anything odd (fallback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readIndex, readIndexFull } from '../../engine/versions/index-reader.ts';
import { generateIndex } from '../../bench/gen-index.ts';
import { buildChartArchive } from '../support/chart-repo.ts';
import { helmBinary, isolatedHelmEnv } from '../support/tools.ts';

const run = promisify(execFile);

function assertAgrees(text: string) {
  const fast = readIndex(text);
  const full = readIndexFull(text);
  assert.equal(fast.error, full.error);
  assert.deepEqual([...fast.charts.entries()], [...full.charts.entries()]);
  return fast;
}

test('agrees with a full parse on a generated helm-layout index, using the fast path throughout', () => {
  const text = generateIndex({ charts: 12, versionsPerChart: 20, seed: 7 });
  const r = assertAgrees(text);
  assert.equal(r.stats.fastCharts, 12);
  assert.equal(r.stats.fallbackCharts, 0);
  assert.equal(r.charts.size, 12);
  const first = [...r.charts.values()][0];
  assert.equal(first.length, 20);
  assert.match(first[0].version, /^\d+\.\d+\.\d+/);
  assert.match(first[0].created!, /^2024-/);
  assert.equal(first[0].urls!.length, 1);
  assert.match(first[0].digest!, /^[0-9a-f]{64}$/);
});

test('agrees with a full parse on an index written by `helm repo index`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-index-'));
  try {
    const charts = [
      { name: 'plain', version: '1.0.0', appVersion: '1.0' },
      { name: 'plain', version: '1.1.0-rc.1+build.7', appVersion: 'true' },
      { name: 'plain', version: '2', appVersion: "it's \"odd\": yes" },
      {
        name: 'fancy',
        version: '0.3.0',
        appVersion: 'v0.3.0',
        description: 'A long description that runs well past eighty columns so that the YAML emitter folds it: with "quotes" and #hash',
        chartYaml: { keywords: ['y', 'no', 'on'], maintainers: [{ name: 'me', email: 'me@example.com' }], annotations: { 'artifacthub.io/changes': '- kind: added\n  description: thing\n' }, home: 'https://example.com' },
      },
      { name: 'fancy', version: '0.2.0', appVersion: '0x1F' },
      { name: 'dots.and-dashes_1', version: 'v3.0.0' },
    ];
    for (const c of charts) writeFileSync(join(dir, `${c.name}-${c.version}.tgz`), buildChartArchive(c));
    await run(helmBinary(), ['repo', 'index', dir, '--url', 'https://charts.example.com/x'], { env: isolatedHelmEnv(join(dir, 'home')) });
    const text = readFileSync(join(dir, 'index.yaml'), 'utf8');
    const r = assertAgrees(text);
    assert.equal(r.stats.wholeFileFallback, false);
    assert.equal(r.stats.fastCharts + r.stats.fallbackCharts, 3);
    assert.ok(r.stats.fastCharts >= 2, JSON.stringify(r.stats));
    const plain = r.charts.get('plain')!;
    assert.deepEqual(plain.map((e) => e.version).sort(), ['1.0.0', '1.1.0-rc.1+build.7', '2']);
    assert.equal(plain.find((e) => e.version === '2')?.appVersion, "it's \"odd\": yes");
    assert.equal(plain.find((e) => e.version === '1.0.0')?.appVersion, '1.0');
    assert.equal(r.charts.get('fancy')!.find((e) => e.version === '0.2.0')?.appVersion, '0x1F');
    assert.deepEqual(r.charts.get('dots.and-dashes_1')![0].urls, ['https://charts.example.com/x/dots.and-dashes_1-v3.0.0.tgz']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const ODD_CHART = `apiVersion: v1
entries:
  good:
  - name: good
    urls:
    - https://x/good-1.0.0.tgz
    version: 1.0.0
  odd:
  - name: odd
    version: 1.0
    created: 2024-01-01T00:00:00Z
  - name: odd
    version: &v "2.0.0"
    appVersion: *v
  block:
  - version: |-
      3.0.0
    urls: ["https://x/a.tgz", 'https://x/b.tgz']
  "quoted name":
  - version: 4.0.0
  empty: []
  after:
  - digest: "\\u00e9t\\u00e9"
    version: '5.0.0 ''five'''
generated: "2024-01-01T00:00:00Z"
`;

test('odd chart blocks fall back to the YAML parser one chart at a time', () => {
  const r = assertAgrees(ODD_CHART);
  assert.equal(r.stats.wholeFileFallback, false);
  assert.deepEqual(r.stats, { fastCharts: 2, fallbackCharts: 4, wholeFileFallback: false, json: false });
  assert.equal(r.charts.get('odd')![0].version, '1'); // YAML reads 1.0 as a number
  assert.equal(r.charts.get('odd')![1].appVersion, '2.0.0');
  assert.equal(r.charts.get('block')![0].version, '3.0.0');
  assert.deepEqual(r.charts.get('block')![0].urls, ['https://x/a.tgz', 'https://x/b.tgz']);
  assert.equal(r.charts.get('quoted name')![0].version, '4.0.0');
  assert.deepEqual(r.charts.get('empty'), []);
  assert.equal(r.charts.get('after')![0].digest, 'été');
  assert.equal(r.charts.get('after')![0].version, "5.0.0 'five'");
  assert.deepEqual([...r.charts.keys()], ['good', 'odd', 'block', 'quoted name', 'empty', 'after']);
});

test('unfamiliar layouts and JSON are read whole; broken YAML is an error value', () => {
  const indented = ODD_CHART.replace(/^( {2})- /gm, '$1  - ').replace(/^( {4})(\w)/gm, '      $2');
  assertAgrees(indented);
  const json = JSON.stringify({ apiVersion: 'v1', entries: { a: [{ version: '1.0.0', urls: ['u'] }] } });
  const j = assertAgrees(json);
  assert.ok(j.stats.json && j.charts.get('a')![0].version === '1.0.0');
  const crlf = assertAgrees(ODD_CHART.replace(/\n/g, '\r\n'));
  assert.equal(crlf.stats.wholeFileFallback, true);
  const flow = assertAgrees('{apiVersion: v1, entries: {a: [{version: 1.2.3}]}}');
  assert.equal(flow.charts.get('a')![0].version, '1.2.3');
  const broken = readIndex('apiVersion: v1\nentries:\n  a:\n  - version: "1.0.0\n');
  assert.ok(broken.error && /invalid index/.test(broken.error));
  const none = readIndex('apiVersion: v1\n');
  assert.equal(none.error, 'the index has no entries');
});

test('reads a large index far faster than a full parse', () => {
  const text = generateIndex({ charts: 10, versionsPerChart: 60, seed: 3 }); // about 0.6 MB
  let t = performance.now();
  const fast = readIndex(text);
  const fastMs = performance.now() - t;
  t = performance.now();
  const full = readIndexFull(text);
  const fullMs = performance.now() - t;
  assert.deepEqual([...fast.charts.entries()], [...full.charts.entries()]);
  assert.ok(fastMs * 5 < fullMs, `fast ${fastMs.toFixed(0)} ms vs full ${fullMs.toFixed(0)} ms`);
});

test('a chart listed twice is reported like a full parse does', () => {
  const text = 'apiVersion: v1\nentries:\n  a:\n  - version: 1.0.0\n  a:\n  - version: 2.0.0\n';
  const r = assertAgrees(text);
  assert.ok(r.error && /invalid index/.test(r.error));
});
