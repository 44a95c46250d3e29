/**
 * Remote `$ref`s of values.schema.json through the network host (issue #5):
 * fetched from a loopback HTTP server, following relative refs, cached on
 * disk, used from the cache without a request for ten minutes, and served
 * from the cache offline without a request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChartFromFiles } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';
import { checkValuesSchema } from '../../engine/values/schema-check.ts';
import { fetchRemoteSchemas } from '../../engine/values/remote-schemas.ts';
import { createNetHost } from '../../server/net-host.ts';

function check(chart: Parameters<typeof checkValuesSchema>[0], values: Record<string, unknown>, resolveRemote?: (url: string) => unknown) {
  const r = computeEffectiveValues({ chart, namespace: 'apps', values });
  assert.ok(r.ok);
  return checkValuesSchema(chart, r.charts, resolveRemote ? { resolveRemote } : {});
}

test('remote schemas come through the network host with a cache, and the cache serves them offline', async () => {
  const schema = { type: 'object', properties: { port: { $ref: 'defs.json#/port' } } };
  const defs = { port: { type: 'integer', maximum: 65535 } };
  const served: string[] = [];
  const server = createServer((req, res) => {
    served.push(req.url ?? '');
    const body = req.url === '/s/root.json' ? schema : req.url === '/s/defs.json' ? defs : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ? JSON.stringify(body) : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'fluxhelm-remote-schema-'));
  try {
    const files = {
      'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'values.yaml': 'port: 8080\n',
      'values.schema.json': JSON.stringify({ $ref: `${base}/root.json` }),
    };
    const loaded = loadChartFromFiles(files);
    assert.ok(loaded.ok);
    const chart = loaded.chart;
    // Without the network host the URL is not the chart's own: reported as not checkable.
    const unresolved = check(chart, { port: 70000 });
    assert.equal(unresolved[0]?.keyword, 'remote-ref');

    const net = createNetHost({ cacheDir });
    const online = await fetchRemoteSchemas(chart, net, { timeoutMs: 5000 });
    assert.deepEqual(online.fetched.sort(), [`${base}/defs.json`, `${base}/root.json`]);
    assert.deepEqual(online.missing, []);
    const found = check(chart, { port: 70000 }, online.resolve);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual(found[0].path, ['port']);
    assert.deepEqual(check(chart, { port: 443 }, online.resolve), []);

    // Asked again within ten minutes: the cached copies, no request; with no freshness allowed: asked again.
    let before = served.length;
    const again = await fetchRemoteSchemas(chart, createNetHost({ cacheDir }), { timeoutMs: 5000 });
    assert.equal(served.length, before, 'a fresh cached copy is used without a request');
    assert.deepEqual(again.fetched, []);
    assert.equal(check(chart, { port: 70000 }, again.resolve)[0]?.path.join('.'), 'port');
    const refetched = await fetchRemoteSchemas(chart, createNetHost({ cacheDir }), { timeoutMs: 5000, maxAgeMs: 0 });
    assert.equal(served.length, before + 2, 'an older copy is fetched again');
    assert.deepEqual(refetched.fetched.sort(), [`${base}/defs.json`, `${base}/root.json`]);

    server.close();
    before = served.length;
    const offline = await fetchRemoteSchemas(chart, createNetHost({ cacheDir }), { offline: true });
    assert.equal(served.length, before, 'offline: nothing fetched');
    assert.deepEqual(offline.missing, []);
    assert.equal(check(chart, { port: 'http' }, offline.resolve)[0]?.path.join('.'), 'port');
  } finally {
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a schema server that cannot be reached is asked once; the other documents come from the chart', async () => {
  // A server that drops every connection: each attempt is one connection (ECONNRESET, "unreachable").
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'fluxhelm-remote-schema-'));
  try {
    // The root names two documents on that server; the chart carries both under their own $id (as app-template does).
    const files = {
      'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'values.yaml': 'port: 8080\nname: web\n',
      'values.schema.json': JSON.stringify({
        type: 'object',
        properties: { port: { $ref: `${base}/port.json` }, name: { $ref: `${base}/name.json` } },
      }),
      'schemas/port.json': JSON.stringify({ $id: `${base}/port.json`, type: 'integer', maximum: 65535 }),
      'schemas/name.json': JSON.stringify({ $id: `${base}/name.json`, type: 'string' }),
    };
    const loaded = loadChartFromFiles(files);
    assert.ok(loaded.ok);
    const result = await fetchRemoteSchemas(loaded.chart, createNetHost({ cacheDir }), { timeoutMs: 5000 });
    assert.equal(connections, 1, 'one attempt for the server, not one per document');
    assert.deepEqual(result.fetched, []);
    assert.deepEqual(result.missing, []);
    // The chart's copies still check the values.
    assert.deepEqual(check(loaded.chart, { port: 70000, name: 'web' }, result.resolve)[0]?.path, ['port']);
    assert.deepEqual(check(loaded.chart, { port: 80, name: 3 }, result.resolve)[0]?.path, ['name']);

    // Each call asks again: the next one (a later check, the network back) is not told the server is down.
    await fetchRemoteSchemas(loaded.chart, createNetHost({ cacheDir }), { timeoutMs: 5000 });
    assert.equal(connections, 2);
  } finally {
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
