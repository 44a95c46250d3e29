// Algorithm test of engine/sources/index-file.ts (an index file read through a cached layout): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Reading a repository index file with the layout an earlier run cached
 * (engine/sources/index-file.ts) against the full reader: on the first read
 * (which caches the layout) and on later reads (which use it and read one
 * chart's bytes), every chart, the set of names, a missing name and `parser`
 * must be what the full reader gives for the file as it is; a rewritten
 * file, a file rewritten between opening and a lookup, a damaged or
 * mismatched cached layout and a file system with whole-second times must
 * never give an answer from a stale layout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndex } from '../../engine/sources/index-scan.ts';
import { readIndexFile, layoutCacheKey } from '../../engine/sources/index-file.ts';
import type { CacheEntry, FileStamp, SourceHost } from '../../engine/sources/host.ts';
import { generateIndex } from '../sources/gen-index.ts';

const enc = new TextEncoder();
const PATH = '/helm/cache/repository/repo-index.yaml';

/**
 * An in-memory file system and source cache; counts what the reader reads.
 * With `readAhead`, the host also reads ahead in pieces the way the Node host
 * does (server/file-pieces.ts): two buffers take turns and the next piece is
 * copied in before the current one is handed over, so a reader that keeps a
 * view of a piece past the next one sees other bytes.
 */
function memoryFiles(now = 1_700_000_000_000.5, readAhead = false) {
  const files = new Map<string, { bytes: Uint8Array; stamp: FileStamp }>();
  const cache = new Map<string, CacheEntry>();
  let ino = 1;
  const stats = { wholeReads: 0, rangeBytes: 0 };
  const host: SourceHost = {
    fetch: async () => ({ error: 'offline', kind: 'unreachable', url: '' }),
    readCache: async (key) => cache.get(key),
    writeCache: async (key, bytes, meta) => void cache.set(key, { bytes: bytes.slice(), meta }),
    readFile: async (p) => {
      stats.wholeReads++;
      return files.get(p)?.bytes;
    },
    statFile: async (p) => files.get(p)?.stamp,
    readFileRange: (p, { start, end, stamp }) => {
      const f = files.get(p);
      if (!f || (stamp && JSON.stringify(stamp) !== JSON.stringify(f.stamp))) return undefined;
      const to = end ?? f.bytes.length;
      if (to > f.bytes.length || start > to) return undefined;
      if (start === 0 && to === f.bytes.length) stats.wholeReads++;
      else stats.rangeBytes += to - start;
      return f.bytes.subarray(start, to);
    },
    readFilePieces: readAhead ? (p, stamp, pieceBytes) => pieces(p, stamp, pieceBytes) : undefined,
    env: () => undefined,
    now: () => now,
  };
  async function* pieces(p: string, stamp: FileStamp, pieceBytes: number): AsyncGenerator<Uint8Array | undefined> {
    const f = files.get(p);
    if (!f || JSON.stringify(stamp) !== JSON.stringify(f.stamp)) {
      yield undefined;
      return;
    }
    // Node's Buffers, as the Node host hands over (their slice is a view, not a copy).
    const buffers = [Buffer.alloc(pieceBytes), Buffer.alloc(pieceBytes)];
    const fill = (turn: number, at: number) => {
      const piece = f.bytes.subarray(at, at + pieceBytes);
      buffers[turn]!.fill(0x21); // what a reader keeping a stale view would see
      buffers[turn]!.set(piece);
      stats.rangeBytes += piece.length;
      return buffers[turn]!.subarray(0, piece.length);
    };
    let turn = 0;
    let current = f.bytes.length > 0 ? fill(0, 0) : undefined;
    for (let at = 0; current; turn = 1 - turn) {
      const next = at + current.length < f.bytes.length ? fill(1 - turn, at + current.length) : undefined;
      yield current;
      at += current.length;
      current = next;
    }
  }
  const write = (text: string, times?: { mtimeMs: number; ctimeMs: number }) => {
    const bytes = enc.encode(text);
    const t = times ?? { mtimeMs: now - 60_000 + ino * 0.25, ctimeMs: now - 60_000 + ino * 0.25 };
    files.set(PATH, { bytes, stamp: { size: bytes.length, ino: ino++, ...t } });
  };
  return { host, cache, stats, write };
}

/** Every observable answer of a freshly read index equals the full reader's for `text`. */
async function agrees(host: SourceHost, text: string, label: string, pieceBytes?: number): Promise<void> {
  // What the index source did before: decode the bytes (which drops a byte-order mark), then read it all.
  const full = parseIndex(new TextDecoder().decode(enc.encode(text)));
  for (const name of full.ok ? [...full.index.charts.keys(), 'no-such-chart'] : ['app']) {
    const read = await readIndexFile(host, PATH, { minBytes: 0, pieceBytes });
    assert.ok(read, label);
    assert.equal(read.ok, full.ok, `${label}: ok`);
    if (!read.ok || !full.ok) return;
    assert.equal(read.index.apiVersion, full.index.apiVersion, label);
    assert.deepEqual(read.index.charts.get(name), full.index.charts.get(name), `${label}: chart ${JSON.stringify(name)}`);
  }
  const read = await readIndexFile(host, PATH, { minBytes: 0, pieceBytes });
  assert.ok(read?.ok && full.ok);
  assert.deepEqual([...read.index.charts.keys()], [...full.index.charts.keys()], `${label}: names`);
  assert.equal(read.index.parser, full.index.parser, `${label}: parser`);
}

const tricky: [string, string][] = [
  ['generated, Helm layout', generateIndex({ charts: 12, versions: 9, seed: 5 })],
  ['generated, indented layout', generateIndex({ charts: 12, versions: 9, seed: 6, layout: 'indented' })],
  ['CRLF line ends', generateIndex({ charts: 4, versions: 3, seed: 7 }).replace(/\n/g, '\r\n')],
  ['entries last, keys after it named like charts', 'serverInfo:\n  app: x\ngenerated: "2024"\napiVersion: v1\nentries:\n  app:\n  - version: 2.0.0\n  web:\n  - version: 3.0.0\n'],
  ['quoted chart names', 'apiVersion: v1\nentries:\n  "my app":\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n'],
  ['duplicate chart names', 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  app:\n  - version: 2.0.0\n'],
  ['JSON', '{"apiVersion": "v1", "entries": {"app": [{"version": "1.0.0"}], "web": [{"version": "2.0.0"}]}}'],
  ['flow style in a chart', 'apiVersion: v1\nentries:\n  app: [{version: 1.0.0}]\n  web:\n  - version: 1.0.0\n'],
  ['a byte-order mark', '\ufeffapiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n'],
];

for (const [label, text] of tricky) {
  test(`first read and reads through the cached layout agree with the full reader: ${label}`, async () => {
    // The first read takes the file in pieces: one piece, many, and pieces shorter than a line;
    // by range or read ahead by the host; either way a line cut at a piece's end is carried into the next.
    // Lines are carried across pieces, so every piece size finds the layout one whole piece finds.
    const whole = memoryFiles();
    whole.write(text);
    await readIndexFile(whole.host, PATH, { minBytes: 0 });
    const hasLayout = whole.cache.has(layoutCacheKey(PATH));
    for (const readAhead of [false, true]) {
      for (const pieceBytes of [undefined, 64, 7]) {
        const fs = memoryFiles(undefined, readAhead);
        fs.write(text);
        const how = `${readAhead ? 'read ahead' : 'by range'}, pieces of ${pieceBytes ?? 'default'}`;
        await agrees(fs.host, text, `${label} (first read, ${how})`, pieceBytes);
        assert.equal(fs.cache.has(layoutCacheKey(PATH)), hasLayout, `${label} (${how}): a layout is cached as with one piece`);
        await agrees(fs.host, text, `${label} (cached layout, ${how})`, pieceBytes);
      }
    }
  });
}

test('with a cached layout, a lookup reads one chart and not the file', async () => {
  const text = generateIndex({ charts: 40, versions: 20, seed: 8 });
  const fs = memoryFiles();
  fs.write(text);
  const first = await readIndexFile(fs.host, PATH, { minBytes: 0, pieceBytes: 4096 });
  assert.ok(first?.ok);
  assert.ok(fs.cache.has(layoutCacheKey(PATH)), 'the layout is cached');
  // The first read took the file in pieces, never whole.
  assert.equal(fs.stats.wholeReads, 0);
  fs.stats.rangeBytes = 0;
  const later = await readIndexFile(fs.host, PATH, { minBytes: 0 });
  assert.ok(later?.ok);
  const full = parseIndex(text);
  assert.ok(full.ok);
  const name = [...full.index.charts.keys()][17]!;
  assert.deepEqual(later.index.charts.get(name), full.index.charts.get(name));
  assert.equal(fs.stats.wholeReads, 0);
  assert.ok(fs.stats.rangeBytes > 0 && fs.stats.rangeBytes < text.length / 20, `${fs.stats.rangeBytes} of ${text.length} bytes read`);
  // Anything beyond one chart reads the whole file with the full reader.
  assert.equal(later.index.charts.size, full.index.charts.size);
  assert.equal(fs.stats.wholeReads, 1);
});

test('a chart looked up by an earlier run is answered from the cached layout without reading its lines', async () => {
  const text = generateIndex({ charts: 20, versions: 15, seed: 10 });
  const full = parseIndex(text);
  assert.ok(full.ok);
  const [a, b] = [[...full.index.charts.keys()][3]!, [...full.index.charts.keys()][11]!];
  const fs = memoryFiles();
  fs.write(text);
  const first = await readIndexFile(fs.host, PATH, { minBytes: 0 });
  assert.ok(first?.ok);
  assert.deepEqual(first.index.charts.get(a), full.index.charts.get(a));
  fs.stats.rangeBytes = 0;
  const later = await readIndexFile(fs.host, PATH, { minBytes: 0 });
  assert.ok(later?.ok);
  assert.deepEqual(later.index.charts.get(a), full.index.charts.get(a));
  assert.equal(fs.stats.rangeBytes, 0, 'no bytes of the index read for a chart read before');
  // Another chart is read by range, and remembered too.
  assert.deepEqual(later.index.charts.get(b), full.index.charts.get(b));
  assert.ok(fs.stats.rangeBytes > 0);
  fs.stats.rangeBytes = 0;
  const third = await readIndexFile(fs.host, PATH, { minBytes: 0 });
  assert.ok(third?.ok);
  assert.deepEqual(third.index.charts.get(b), full.index.charts.get(b));
  assert.deepEqual(third.index.charts.get(a), full.index.charts.get(a));
  assert.equal(fs.stats.rangeBytes, 0);
  // Remembered entries that are not what the scanner makes are not used; the chart is read again.
  const entry = fs.cache.get(layoutCacheKey(PATH))!;
  const record = JSON.parse(new TextDecoder().decode(entry.bytes)) as { known: [string, unknown[]][] };
  for (const bad of [[{ version: 1 }], [{ version: '1.0.0', urls: [2] }], [{ version: '1.0.0', extra: 'x' }], 'x']) {
    record.known = [[a, bad as unknown[]]];
    fs.cache.set(layoutCacheKey(PATH), { ...entry, bytes: enc.encode(JSON.stringify(record)) });
    const read = await readIndexFile(fs.host, PATH, { minBytes: 0 });
    assert.ok(read?.ok);
    assert.deepEqual(read.index.charts.get(a), full.index.charts.get(a), JSON.stringify(bad));
  }
});

test('a rewritten file is read anew, not through the layout of the old one', async () => {
  const fs = memoryFiles();
  const before = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  web:\n  - version: 1.0.0\n';
  fs.write(before);
  await agrees(fs.host, before, 'before');
  // Same size, charts moved: the old ranges would cut the new file in the wrong places.
  const after = 'apiVersion: v1\nentries:\n  web:\n  - version: 2.0.0\n  app:\n  - version: 2.0.0\n';
  assert.equal(after.length, before.length);
  fs.write(after);
  await agrees(fs.host, after, 'after');
});

test('a file rewritten between opening and a lookup answers from the file as it is', async () => {
  const fs = memoryFiles();
  const before = generateIndex({ charts: 6, versions: 4, seed: 9 });
  fs.write(before);
  assert.ok((await readIndexFile(fs.host, PATH, { minBytes: 0 }))?.ok); // caches the layout
  const opened = await readIndexFile(fs.host, PATH, { minBytes: 0 });
  assert.ok(opened?.ok);
  const after = before.replace(/version: 0\.0\.1\n/g, 'version: 9.9.9\n');
  assert.notEqual(after, before);
  fs.write(after);
  const full = parseIndex(after);
  assert.ok(full.ok);
  for (const name of full.index.charts.keys()) assert.deepEqual(opened.index.charts.get(name), full.index.charts.get(name), name);
});

test('a damaged or mismatched cached layout is not used', async () => {
  const text = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n  web:\n  - version: 2.0.0\n';
  const full = parseIndex(text);
  assert.ok(full.ok);
  const records: ((r: Record<string, unknown>) => unknown)[] = [
    () => 'not json {',
    (r) => ({ ...r, charts: (r.charts as [string, number, number][]).map(([n, a, b], i, all) => [all[all.length - 1 - i]![0], a, b]) }), // names swapped
    (r) => ({ ...r, end: (r.end as number) + 1000 }),
    (r) => ({ ...r, charts: [['app', 0, 99999]] }),
    (r) => ({ ...r, version: 0 }),
    (r) => ({ ...r, path: '/elsewhere' }),
    (r) => ({ ...r, apiVersion: 7 }),
  ];
  for (const damage of records) {
    const fs = memoryFiles();
    fs.write(text);
    await readIndexFile(fs.host, PATH, { minBytes: 0 });
    const entry = fs.cache.get(layoutCacheKey(PATH));
    assert.ok(entry);
    const damaged = damage(JSON.parse(new TextDecoder().decode(entry.bytes)) as Record<string, unknown>);
    fs.cache.set(layoutCacheKey(PATH), { ...entry, bytes: enc.encode(typeof damaged === 'string' ? damaged : JSON.stringify(damaged)) });
    for (const name of ['app', 'web', 'nope']) {
      const read = await readIndexFile(fs.host, PATH, { minBytes: 0 });
      assert.ok(read?.ok);
      assert.deepEqual(read.index.charts.get(name), full.index.charts.get(name), `${damage.toString()}: ${name}`);
    }
  }
});

test('a file with whole-second times changed in the last two seconds is not given a cached layout', async () => {
  const now = 1_700_000_000_000;
  const fs = memoryFiles(now);
  fs.write('apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n', { mtimeMs: now - 1000, ctimeMs: now - 1000 });
  assert.ok((await readIndexFile(fs.host, PATH, { minBytes: 0 }))?.ok);
  assert.equal(fs.cache.has(layoutCacheKey(PATH)), false);
  // Older than that: cached.
  fs.write('apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n', { mtimeMs: now - 5000, ctimeMs: now - 5000 });
  assert.ok((await readIndexFile(fs.host, PATH, { minBytes: 0 }))?.ok);
  assert.equal(fs.cache.has(layoutCacheKey(PATH)), true);
});

test('a missing file reads as missing', async () => {
  const fs = memoryFiles();
  assert.equal(await readIndexFile(fs.host, PATH, { minBytes: 0 }), undefined);
});
