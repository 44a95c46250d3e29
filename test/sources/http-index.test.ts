/**
 * HelmRepository `type: default` against real loopback servers: the test
 * chart repository (test/support/chart-repo.ts), a front adding gzip, auth,
 * ETags and redirects (./front.ts), hostile servers, and an HTTPS server with
 * a self-signed certificate made by openssl.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { createNetHost } from '../../server/net-host.ts';
import { createHttpIndexSource, type IndexResult } from '../../engine/sources/http-index.ts';
import { selectChartVersion } from '../../engine/versions/select.ts';
import { startFront, type Front } from './front.ts';

const dirs: string[] = [];
const stoppers: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stoppers) await s();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A host whose cache and Helm folders live in a fresh temp dir (never the user's own). */
function freshHost(cacheDir?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-src-'));
  dirs.push(dir);
  const env: Record<string, string> = { HOME: dir, HELM_CONFIG_HOME: join(dir, 'helm-config'), HELM_CACHE_HOME: join(dir, 'helm-cache') };
  const cache = cacheDir ?? join(dir, 'cache');
  return { host: createNetHost({ cacheDir: cache, env: (n) => env[n] }), cache };
}

async function repoWithCharts(): Promise<ChartRepo> {
  const repo = await startChartRepo();
  stoppers.push(() => repo.stop());
  repo.addCharts([
    { name: 'podinfo', version: '6.4.0', appVersion: '6.4.0' },
    { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' },
    { name: 'podinfo', version: '6.6.0-rc.1' },
    { name: 'redis', version: '18.1.0' },
  ]);
  return repo;
}

async function front(options: Parameters<typeof startFront>[0]): Promise<Front> {
  const f = await startFront(options);
  stoppers.push(() => f.stop());
  return f;
}

function ok(r: IndexResult): Extract<IndexResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected an index, got ${r.reason}: ${r.message}`);
  return r;
}

test('fetches and parses index.yaml from the chart repository; the constraint engine selects from it', async () => {
  const repo = await repoWithCharts();
  const src = createHttpIndexSource(freshHost().host);
  const r = ok(await src.getIndex({ url: `${repo.url}/` }));
  assert.equal(r.origin, 'network');
  assert.equal(r.stale, false);
  assert.equal(r.indexUrl, `${repo.url}/index.yaml`);
  assert.equal(r.index.parser, 'scan');
  const podinfo = r.index.charts.get('podinfo');
  assert.deepEqual(podinfo?.map((e) => e.version), ['6.4.0', '6.5.0', '6.6.0-rc.1']);
  assert.match(podinfo![1].digest ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(podinfo![1].urls, ['charts/podinfo-6.5.0.tgz']);
  const pick = selectChartVersion(podinfo!, '>=6.0.0');
  assert.ok(pick.ok && pick.version === '6.5.0');
  // A second lookup within maxAge is served from memory without a request.
  const before = repo.requests.length;
  const again = ok(await src.getIndex({ url: repo.url }));
  assert.equal(again.origin, 'memory');
  assert.equal(repo.requests.length, before);
});

test('gzip-encoded responses are decoded', async () => {
  const repo = await repoWithCharts();
  const f = await front({ upstream: repo.url, gzip: true });
  const r = ok(await createHttpIndexSource(freshHost().host).getIndex({ url: f.url }));
  assert.equal(r.index.charts.get('redis')?.[0].version, '18.1.0');
  assert.match(String(f.log[0].headers['accept-encoding']), /gzip/);
});

test('redirects are followed up to the limit', async () => {
  const repo = await repoWithCharts();
  const f = await front({ upstream: repo.url, redirects: true });
  const host = freshHost().host;
  const r = ok(await createHttpIndexSource(host).getIndex({ url: `${f.url}/hop/3` }));
  assert.equal(r.index.charts.size, 2);
  assert.deepEqual(f.log.map((l) => l.status), [302, 302, 302, 200]);
  const res = await host.fetch(`${f.url}/hop/3/index.yaml`, { maxRedirects: 2 });
  assert.ok('error' in res && res.kind === 'redirects', JSON.stringify(res));
  const miss = await createHttpIndexSource(host).getIndex({ url: `${f.url}/hop/12` });
  assert.ok(!miss.ok && miss.reason === 'redirects' && /10 redirects/.test(miss.message), JSON.stringify(miss));
});

test('basic auth: 401 without credentials, the index with them, a clear error with wrong ones', async () => {
  const repo = await repoWithCharts();
  const f = await front({ upstream: repo.url, auth: { username: 'flux', password: 's3cr=t:x' } });
  const src = createHttpIndexSource(freshHost().host);
  const none = await src.getIndex({ url: f.url });
  assert.ok(!none.ok && none.reason === 'auth' && none.status === 401 && /needs credentials/.test(none.message), JSON.stringify(none));
  const wrong = await src.getIndex({ url: f.url, credentials: { username: 'flux', password: 'nope' } });
  assert.ok(!wrong.ok && wrong.reason === 'auth' && /rejected the credentials/.test(wrong.message), JSON.stringify(wrong));
  const good = ok(await src.getIndex({ url: f.url, credentials: { username: 'flux', password: 's3cr=t:x' } }));
  assert.equal(good.index.charts.get('podinfo')?.length, 3);
});

test('ETag revalidation: the second fetch gets 304 and uses the cached copy, also across restarts', async () => {
  const repo = await repoWithCharts();
  const f = await front({ upstream: repo.url, etag: true });
  const { host, cache } = freshHost();
  const src = createHttpIndexSource(host);
  const first = ok(await src.getIndex({ url: f.url, maxAgeMs: 0 }));
  assert.equal(first.origin, 'network');
  assert.ok(first.etag);
  const second = ok(await src.getIndex({ url: f.url, maxAgeMs: 0 }));
  assert.equal(second.origin, 'revalidated');
  assert.equal(second.index, first.index, 'the parsed index is reused, not parsed again');
  assert.equal(f.log[1].headers['if-none-match'], first.etag);
  assert.equal(f.log[1].status, 304);
  // A new process (fresh memory) with the same disk cache revalidates too.
  const third = ok(await createHttpIndexSource(freshHost(cache).host).getIndex({ url: f.url }));
  assert.equal(third.origin, 'revalidated');
  assert.equal(f.log[2].status, 304);
  assert.deepEqual(third.index.charts, first.index.charts);
  // A changed index is fetched in full.
  repo.addChart({ name: 'podinfo', version: '6.7.0' });
  const fourth = ok(await src.getIndex({ url: f.url, maxAgeMs: 0 }));
  assert.equal(fourth.origin, 'network');
  assert.equal(f.log[3].status, 200);
  assert.equal(fourth.index.charts.get('podinfo')?.length, 4);
});

test('offline after a fetch: the cached copy comes back marked stale with the reason', async () => {
  const repo = await startChartRepo({ charts: [{ name: 'app', version: '1.0.0' }] });
  const { host, cache } = freshHost();
  ok(await createHttpIndexSource(host).getIndex({ url: repo.url }));
  await repo.stop();
  const r = ok(await createHttpIndexSource(freshHost(cache).host).getIndex({ url: repo.url }));
  assert.equal(r.origin, 'cache');
  assert.equal(r.stale, true);
  assert.match(r.staleReason ?? '', /cannot connect: .*ECONNREFUSED/);
  assert.equal(r.index.charts.get('app')?.[0].version, '1.0.0');
  // Without any cache the failure itself is the answer.
  const miss = await createHttpIndexSource(freshHost().host).getIndex({ url: repo.url });
  assert.ok(!miss.ok && miss.reason === 'unreachable', JSON.stringify(miss));
});

test('malformed indexes are errors with a reason', async () => {
  const repo = await startChartRepo();
  stoppers.push(() => repo.stop());
  const host = freshHost().host;
  const cases: [string, RegExp][] = [
    ['entries: [unclosed\n', /not valid YAML/],
    ['apiVersion: v1\nfoo: bar\n', /no `entries`/],
    ['entries:\n  app:\n  - version: 1.0.0\n', /no `apiVersion`/],
    ['<html><body>Not a repository</body></html>\n', /not a YAML mapping/],
    ['', /empty/],
  ];
  for (const [text, message] of cases) {
    repo.setRawIndex(text);
    const r = await createHttpIndexSource(host).getIndex({ url: repo.url });
    assert.ok(!r.ok && r.reason === 'malformed' && message.test(r.message), `${JSON.stringify(text)} -> ${JSON.stringify(r)}`);
  }
  repo.setRawIndex('{"apiVersion":"v1","entries":{"app":[{"version":"2.0.0","created":"2024-01-01T00:00:00Z"}]}}');
  const json = ok(await createHttpIndexSource(host).getIndex({ url: repo.url }));
  assert.equal(json.index.parser, 'json');
  assert.equal(json.index.charts.get('app')?.[0].version, '2.0.0');
  const missing = await createHttpIndexSource(host).getIndex({ url: `${repo.url}/nothing-here` });
  assert.ok(!missing.ok && missing.reason === 'http' && missing.status === 404, JSON.stringify(missing));
});

test('a server that never answers times out within the configured timeout', async () => {
  const f = await front({ hostile: 'hang' });
  const t0 = Date.now();
  const r = await createHttpIndexSource(freshHost().host).getIndex({ url: f.url, timeoutMs: 400 });
  const took = Date.now() - t0;
  assert.ok(!r.ok && r.reason === 'timeout', JSON.stringify(r));
  assert.ok(took >= 380 && took < 3000, `took ${took} ms`);
});

test('a server that trickles bytes is cut off at the deadline', async () => {
  const f = await front({ hostile: 'trickle' });
  const t0 = Date.now();
  const r = await createHttpIndexSource(freshHost().host).getIndex({ url: f.url, timeoutMs: 700 });
  const took = Date.now() - t0;
  assert.ok(!r.ok && r.reason === 'timeout', JSON.stringify(r));
  assert.ok(took < 3000, `took ${took} ms`);
});

test('an endless body stops at the size limit', async () => {
  const f = await front({ hostile: 'endless' });
  const t0 = Date.now();
  const r = await createHttpIndexSource(freshHost().host).getIndex({ url: f.url, maxBytes: 2 * 1024 * 1024, timeoutMs: 20_000 });
  assert.ok(!r.ok && r.reason === 'too-large' && /2097152-byte limit/.test(r.message), JSON.stringify(r));
  assert.ok(Date.now() - t0 < 10_000);
});

test('a gzip bomb is limited by the decoded size', async () => {
  const repo = await startChartRepo();
  stoppers.push(() => repo.stop());
  repo.setRawIndex(`apiVersion: v1\nentries: {}\n# ${'x'.repeat(4 * 1024 * 1024)}\n`);
  const f = await front({ upstream: repo.url, gzip: true });
  const r = await createHttpIndexSource(freshHost().host).getIndex({ url: f.url, maxBytes: 1024 * 1024 });
  assert.ok(!r.ok && r.reason === 'too-large', JSON.stringify(r));
  const small = ok(await createHttpIndexSource(freshHost().host).getIndex({ url: f.url }));
  assert.equal(small.index.charts.size, 0);
});

test('TLS: a self-signed certificate fails verification unless trusted or skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-tls-'));
  dirs.push(dir);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const index = 'apiVersion: v1\nentries:\n  secure:\n  - version: 1.0.0\n';
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-yaml' });
    res.end(index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stoppers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host = freshHost().host;
  const bad = await createHttpIndexSource(host).getIndex({ url });
  assert.ok(!bad.ok && bad.reason === 'tls' && /TLS/.test(bad.message), JSON.stringify(bad));
  const trusted = ok(await createHttpIndexSource(host).getIndex({ url, caPem: cert }));
  assert.equal(trusted.index.charts.get('secure')?.[0].version, '1.0.0');
  const skipped = ok(await createHttpIndexSource(host).getIndex({ url, insecureSkipVerify: true }));
  assert.equal(skipped.index.charts.size, 1);
});

test('unreachable hosts and bad URLs are errors, never exceptions', async () => {
  const host = freshHost().host;
  const src = createHttpIndexSource(host);
  const refused = await src.getIndex({ url: 'http://127.0.0.1:1' });
  assert.ok(!refused.ok && refused.reason === 'unreachable', JSON.stringify(refused));
  const bad = await src.getIndex({ url: 'oci://ghcr.io/x' });
  assert.ok(!bad.ok && bad.reason === 'invalid-url', JSON.stringify(bad));
  const aborted = new AbortController();
  aborted.abort();
  const a = await host.fetch('http://127.0.0.1:1/', { signal: aborted.signal });
  assert.ok('error' in a && a.kind === 'aborted');
});

test('host: Authorization is dropped on redirects to another origin; a cut-off body is a protocol error', async () => {
  const seen: (string | undefined)[] = [];
  const target = createHttpServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('apiVersion: v1\nentries: {}\n');
  });
  const cut = createHttpServer((req, res) => {
    if (req.url === '/same') {
      res.writeHead(302, { location: '/short' });
      res.end();
      return;
    }
    if (req.url === '/other') {
      res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/index.yaml` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-length': '1000' });
    res.write('apiVersion: v1\n');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  for (const s of [target, cut]) {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    stoppers.push(() => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }));
  }
  const base = `http://127.0.0.1:${(cut.address() as AddressInfo).port}`;
  const host = freshHost().host;
  const other = await host.fetch(`${base}/other`, { headers: { Authorization: 'Basic c2VjcmV0OnNlY3JldA==' } });
  assert.ok(!('error' in other) && other.status === 200 && other.redirects === 1, JSON.stringify(other));
  assert.deepEqual(seen, [undefined]);
  const short = await host.fetch(`${base}/same`);
  assert.ok('error' in short && short.kind === 'protocol', JSON.stringify(short));
});
