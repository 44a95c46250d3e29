/**
 * Measures the HTTP index path on a generated 53 MB index (300 charts x 200
 * versions, realistic fields in Helm's layout) served by a static loopback
 * server in a child process: cold fetch + parse, the memory the parsed index keeps, 304
 * revalidation, and warm in-memory lookups. Targets: cold <= 300 ms on an
 * idle 2-core machine, <= 200 MB extra memory, warm lookups <= 1 ms. Memory
 * and warm lookups are asserted as such. Parse and fetch times are printed,
 * not asserted: on a shared machine they swing with the load (the speed
 * targets live in `npm run bench -- --section=index`).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNetHost } from '../../server/net-host.ts';
import { createHttpIndexSource } from '../../engine/sources/http-index.ts';
import { parseIndex } from '../../engine/sources/index-scan.ts';
import { selectChartVersion } from '../../engine/versions/select.ts';
import { generateIndex } from './gen-index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function host() {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-bench-'));
  dirs.push(dir);
  return createNetHost({ cacheDir: join(dir, 'cache'), env: (n) => ({ HOME: dir })[n] });
}

/** Full collections with turns of the event loop in between, so freed memory is really gone. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

/**
 * A static server in a child process (so its work does not count against
 * ours): serves the index file with an ETag and answers If-None-Match with 304.
 */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const body = fs.readFileSync(process.argv[1]);
const etag = '"' + require('node:crypto').createHash('sha256').update(body).digest('hex').slice(0, 16) + '"';
const server = http.createServer((req, res) => {
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, { etag }); res.end(); return; }
  res.writeHead(200, { 'content-type': 'application/x-yaml', 'content-length': body.length, etag });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

async function startStaticServer(file: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', () => reject(new Error('index server exited')));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

test('53 MB index: cold fetch + parse, memory, 304 revalidation and warm lookups', async () => {
  const text = generateIndex({ charts: 300, versions: 200 });
  const bytes = Buffer.byteLength(text);
  assert.ok(bytes > 50e6 && bytes < 56e6, `generated ${bytes} bytes`);
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-bench-index-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'index.yaml'), text);
  const server = await startStaticServer(join(dir, 'index.yaml'));
  try {
    // The first request warms the loopback path and the server's page cache.
    await createHttpIndexSource(host()).getIndex({ url: server.url, useHelmCache: false });

    const src = createHttpIndexSource(host());
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const cold = await src.getIndex({ url: server.url });
    const coldMs = performance.now() - t0;
    const coldCpu = process.cpuUsage(cpu0);
    const coldCpuMs = (coldCpu.user + coldCpu.system) / 1000;
    assert.ok(cold.ok, JSON.stringify(cold));
    assert.equal(cold.index.parser, 'scan');
    assert.equal(cold.index.charts.size, 300);
    let total = 0;
    for (const list of cold.index.charts.values()) total += list.length;
    assert.equal(total, 60_000);

    // Memory: what one more parsed copy keeps alive, and the peak while parsing.
    const raw = readFileSync(join(dir, 'index.yaml'));
    await settle();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const cpu1 = process.cpuUsage();
    const tp = performance.now();
    const parsed = parseIndex(new TextDecoder().decode(raw));
    const parseMs = performance.now() - tp;
    const parseCpu = process.cpuUsage(cpu1);
    const parseCpuMs = (parseCpu.user + parseCpu.system) / 1000;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    await settle();
    const retained = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(parsed.ok && parsed.index.charts.size === 300);

    const t1 = performance.now();
    const re = await src.getIndex({ url: server.url, maxAgeMs: 0 });
    const revalidateMs = performance.now() - t1;
    assert.ok(re.ok && re.origin === 'revalidated' && re.index === cold.index);

    const names = [...cold.index.charts.keys()];
    const n = 5000;
    const t2 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await src.getIndex({ url: server.url });
      assert.ok(r.ok && r.origin === 'memory' && r.index.charts.get(names[i % names.length])!.length === 200);
    }
    const warmMs = (performance.now() - t2) / n;
    const t3 = performance.now();
    for (let i = 0; i < 200; i++) assert.ok(selectChartVersion(cold.index.charts.get(names[i % names.length])!, '~2.3').ok);
    const selectMs = (performance.now() - t3) / 200;

    // Machine speed reference: one pass of charCodeAt over the decoded text (about 40 ms CPU on an idle core).
    const decoded = new TextDecoder().decode(raw);
    const cpu2 = process.cpuUsage();
    let newlines = 0;
    for (let p = 0; p < decoded.length; p++) if (decoded.charCodeAt(p) === 10) newlines++;
    const loop = process.cpuUsage(cpu2);
    assert.ok(newlines > 1_000_000);
    console.log(
      `index ${mb(bytes)} MiB: cold fetch+parse ${coldMs.toFixed(0)} ms wall / ${coldCpuMs.toFixed(0)} ms CPU (parse alone ${parseMs.toFixed(0)} ms wall / ${parseCpuMs.toFixed(0)} ms CPU); ` +
        `parsed index keeps ${mb(retained)} MiB (with the decoded text it slices), rss growth while parsing ${mb(rssGrowth)} MiB; ` +
        `304 revalidation ${revalidateMs.toFixed(1)} ms; warm lookup ${(warmMs * 1000).toFixed(1)} µs; ` +
        `select from 200 versions ${(selectMs * 1000).toFixed(0)} µs; reference char loop ${((loop.user + loop.system) / 1000).toFixed(0)} ms CPU; load average ${loadavg()[0].toFixed(1)}`,
    );
    assert.ok(parsed.index.charts.size === 300); // keep `parsed` alive until after the measurement
    assert.ok(retained < 200 * 1024 * 1024, `retained ${mb(retained)} MiB`);
    assert.ok(rssGrowth < 400 * 1024 * 1024, `rss grew ${mb(rssGrowth)} MiB`);
    assert.ok(warmMs < 1, `warm lookups took ${warmMs} ms`);
  } finally {
    server.stop();
  }
});
