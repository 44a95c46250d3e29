// Algorithm test of engine/charts/archive.ts (chart archives) with engine/values/effective.ts: imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Chart archives: the tar reader against archives made by the system `tar`
 * (ustar, GNU long names, pax), hostile archives (path traversal, absolute
 * paths, links leaving the archive, size and entry limits, corruption), and
 * loading a chart with nested `.tgz` and folder subcharts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractTgz, readTar } from '../../engine/charts/archive.ts';
import { loadChartArchive } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';

interface Entry {
  name: string;
  data?: string | Uint8Array;
  type?: string;
  link?: string;
  size?: number;
}

/** A minimal ustar writer for crafting archives, hostile ones included. */
function tar(entries: Entry[], end = true): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : (e.data ?? new Uint8Array());
    const h = new Uint8Array(512);
    const put = (s: string, off: number, len: number): void => {
      h.set(new TextEncoder().encode(s).subarray(0, len), off);
    };
    put(e.name, 0, 100);
    put('0000644\0', 100, 8);
    put('0000000\0', 108, 8);
    put('0000000\0', 116, 8);
    put(`${(e.size ?? data.length).toString(8).padStart(11, '0')}\0`, 124, 12);
    put('00000000000\0', 136, 12);
    put(e.type ?? '0', 156, 1);
    put(e.link ?? '', 157, 100);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    put('        ', 148, 8);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  if (end) blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

const tgz = (entries: Entry[]): Uint8Array => new Uint8Array(gzipSync(tar(entries)));
const text = (b: Uint8Array | undefined): string | undefined => (b ? new TextDecoder().decode(b) : undefined);

test('archives made by the system tar: ustar, GNU long names and pax headers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-tar-'));
  try {
    const long = `chart/${'d'.repeat(60)}/${'f'.repeat(80)}.yaml`;
    for (const [p, t] of [
      ['chart/Chart.yaml', 'name: c'],
      [long, 'long: true'],
      ['chart/ünïcode.txt', 'u'],
    ]) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), t);
    }
    for (const format of ['gnu', 'pax', 'ustar']) {
      const out = join(dir, `c-${format}.tgz`);
      try {
        execFileSync('tar', [`--format=${format}`, '-czf', out, '-C', dir, 'chart']);
      } catch {
        assert.equal(format, 'ustar', 'only ustar may refuse names longer than it can store');
        continue;
      }
      const r = extractTgz(readFileSync(out));
      assert.ok(r.ok, `${format}: ${r.ok ? '' : r.error}`);
      assert.equal(text(r.files.get('chart/Chart.yaml')), 'name: c', format);
      assert.equal(text(r.files.get(long)), 'long: true', format);
      assert.equal(text(r.files.get('chart/ünïcode.txt')), 'u', format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile archives are rejected with an error value', () => {
  const cases: [Entry[], RegExp][] = [
    [[{ name: 'chart/../../etc/passwd', data: 'x' }], /leaves the archive/],
    [[{ name: '/etc/passwd', data: 'x' }], /absolute path/],
    [[{ name: 'C:/Windows/x', data: 'x' }], /absolute path/],
    [[{ name: 'chart\\..\\..\\x', data: 'x' }], /leaves the archive/],
    [[{ name: 'chart/link', type: '2', link: '../../outside' }], /symbolic link to '..\/..\/outside' outside/],
    [[{ name: 'chart/link', type: '2', link: '/etc/shadow' }], /symbolic link/],
    [[{ name: 'chart/hard', type: '1', link: '../x' }], /hard link/],
  ];
  for (const [entries, re] of cases) {
    const r = extractTgz(tgz(entries));
    assert.equal(r.ok, false, entries[0].name);
    if (!r.ok) assert.match(r.error, re, entries[0].name);
  }
  // A link that stays inside is skipped, not followed.
  const inside = extractTgz(tgz([{ name: 'chart/a.txt', data: 'a' }, { name: 'chart/sub/l', type: '2', link: '../a.txt' }]));
  assert.ok(inside.ok);
  assert.deepEqual([...inside.files.keys()], ['chart/a.txt']);
  assert.deepEqual(inside.skipped, [{ path: 'chart/sub/l', reason: 'symbolic link (not read)' }]);
});

test('size and entry limits, truncation and corruption', () => {
  const many = Array.from({ length: 20 }, (_, i) => ({ name: `c/f${i}`, data: 'x' }));
  const r1 = extractTgz(tgz(many), { maxEntries: 10 });
  assert.ok(!r1.ok && /more than 10 entries/.test(r1.error));
  const r2 = extractTgz(tgz([{ name: 'c/big', data: 'x'.repeat(5000) }]), { maxFileBytes: 4096 });
  assert.ok(!r2.ok && /larger than 4096 bytes/.test(r2.error));
  const r3 = extractTgz(tgz([{ name: 'c/a', data: 'x'.repeat(3000) }, { name: 'c/b', data: 'x'.repeat(3000) }]), { maxTotalBytes: 5000 });
  assert.ok(!r3.ok && /larger than 5000 bytes/.test(r3.error));
  // A gzip bomb stops at the decompression limit.
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
  const r4 = extractTgz(bomb, { maxTotalBytes: 1024 * 1024 });
  assert.ok(!r4.ok && /larger than/.test(r4.error));
  // A size field that points past the end of the data.
  const r5 = readTar(tar([{ name: 'c/a', data: 'abc', size: 99999 }], false));
  assert.ok(!r5.ok && /truncated/.test(r5.error));
  const broken = tar([{ name: 'c/a', data: 'abc' }]);
  broken[0] ^= 0xff;
  const r6 = readTar(broken);
  assert.ok(!r6.ok && /checksum/.test(r6.error));
  assert.ok(!extractTgz(new Uint8Array([1, 2, 3])).ok, 'not gzip');
  assert.ok(!extractTgz(gzipSync(Buffer.from('definitely not a tar archive but long enough'.repeat(20)))).ok);
});

test('a chart .tgz with a nested .tgz subchart and a folder subchart loads recursively', () => {
  const sub = tgz([
    { name: 'db/Chart.yaml', data: 'apiVersion: v2\nname: db\nversion: 2.0.0\n' },
    { name: 'db/values.yaml', data: 'port: 5432\n' },
  ]);
  const archive = tgz([
    { name: 'app/Chart.yaml', data: 'apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: "1.2"\ndependencies:\n  - name: db\n    version: 2.x\n    alias: database\n    condition: database.enabled\n    tags: [storage]\n' },
    { name: 'app/values.yaml', data: 'database: {enabled: true}\n' },
    { name: 'app/values.schema.json', data: '{"type": "object"}' },
    { name: 'app/templates/cm.yaml', data: 'kind: ConfigMap' },
    { name: 'app/charts/db-2.0.0.tgz', data: sub },
    { name: 'app/charts/local/Chart.yaml', data: 'apiVersion: v2\nname: local\nversion: 0.1.0\n' },
    { name: 'app/charts/local/values.yaml', data: 'x: 1\n' },
    { name: 'app/charts/.ignored/Chart.yaml', data: 'broken: [' },
  ]);
  const r = loadChartArchive(archive);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const c = r.chart;
  assert.equal(c.metadata.name, 'app');
  assert.equal(c.metadata.appVersion, '1.2');
  assert.deepEqual(c.metadata.dependencies[0], { name: 'db', version: '2.x', repository: undefined, condition: 'database.enabled', tags: ['storage'], alias: 'database', importValues: [] });
  assert.equal(c.schemaText, '{"type": "object"}');
  assert.ok(c.files.has('templates/cm.yaml'));
  assert.deepEqual(
    c.subcharts.map((s) => [s.metadata.name, s.location]),
    [
      ['db', 'charts/db-2.0.0.tgz'],
      ['local', 'charts/local'],
    ],
  );
  assert.deepEqual(c.errors, []);
  const v = computeEffectiveValues({ chart: c, namespace: 'ns', values: { database: { port: 1 } } });
  assert.ok(v.ok);
  // Helm gives every subchart section a `global` map, empty here.
  assert.deepEqual(v.values, { database: { enabled: true, port: 1, global: {} }, local: { x: 1, global: {} } });

  const bad = loadChartArchive(tgz([{ name: 'Chart.yaml', data: 'name: x' }]));
  assert.ok(!bad.ok && /base folder/.test(bad.error));
  const brokenSub = loadChartArchive(tgz([{ name: 'a/Chart.yaml', data: 'apiVersion: v2\nname: a\nversion: 1.0.0\n' }, { name: 'a/charts/x.tgz', data: 'not gzip' }]));
  assert.ok(brokenSub.ok);
  assert.match(brokenSub.chart.errors[0], /charts\/x.tgz: not a gzip file/);
});
