/**
 * The built server starts through a V8 code cache (server/code-cache.ts):
 * the first start in an empty cache folder leaves a cache behind, the next
 * start uses it as it is (V8 accepted it, so it is not written again), and a
 * damaged cache never stops the server: it answers as before and the cache
 * is written anew. Each start answers a HelmRelease with its mistake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lsp-client.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

const HR = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      verison: 6.x
      sourceRef:
        kind: HelmRepository
        name: podinfo
`;

const cacheHome = mkdtempSync(join(tmpdir(), 'fluxhelm-code-cache-'));
// The server inherits the environment: its cache goes to this empty folder.
process.env.FLUXHELM_CACHE = cacheHome;
delete process.env.FLUXHELM_CODE_CACHE;
const v8Dir = join(cacheHome, 'v8');

/** One start: initialize, open the HelmRelease, the finding on `verison`, shutdown and exit. */
async function startAndCheck(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'fluxhelm-code-cache-ws-'));
  const file = join(folder, 'release.yaml');
  writeFileSync(file, HR);
  const uri = pathToFileURL(file).href;
  const client = new LspClient(process.execPath, [server, '--stdio']);
  try {
    await client.initialize(folder);
    const diagnostics = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as unknown[]).length > 0, 30000);
    client.open(uri, HR, 1);
    const found = (await diagnostics).diagnostics as { message: string; range: { start: { line: number } } }[];
    assert.ok(
      found.some((d) => d.range.start.line === 10 && /verison/.test(d.message)),
      JSON.stringify(found),
    );
  } finally {
    await client.shutdown();
  }
}

const caches = (): string[] => {
  try {
    return readdirSync(v8Dir).filter((f) => f.startsWith('server-main.js-') && f.endsWith('.bin'));
  } catch {
    return [];
  }
};

test('the first start writes the code cache, the next one uses it unchanged, a damaged one is replaced', async () => {
  assert.deepEqual(caches(), []);
  await startAndCheck();
  const written = caches();
  assert.equal(written.length, 1, 'one cache after the first start');
  const path = join(v8Dir, written[0]);
  const first = readFileSync(path);
  assert.ok(first.length > 100_000, `${first.length} bytes`);
  const mtime = statSync(path).mtimeMs;

  await startAndCheck();
  assert.deepEqual(caches(), written);
  assert.equal(statSync(path).mtimeMs, mtime, 'an accepted cache is not written again');

  writeFileSync(path, Buffer.alloc(first.length, 7));
  await startAndCheck();
  assert.deepEqual(caches(), written);
  assert.notDeepEqual(readFileSync(path), Buffer.alloc(first.length, 7), 'the damaged cache was replaced');
});
