/**
 * Chart resolution and effective values in the editor against a real OCI
 * registry: Debian's docker-registry on 127.0.0.1 with charts pushed by the
 * real `helm push`. A HelmRepository of `type: oci` and an OCIRepository
 * `chartRef` resolve through the registry's tag list (`_` read back as `+`);
 * a range nothing satisfies is a diagnostic; versions are completed from the
 * tags; the effective values come from the chart pulled from the registry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../support/lsp-client.ts';
import { startRegistry, helmPush, type Registry } from '../sources/registry.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let registry: Registry;
let client: LspClient;

type Diag = { range: { start: { line: number } }; code: string; message: string };

before(async () => {
  registry = await startRegistry({ kind: 'none' });
  await helmPush(registry.host, 'charts', [
    { name: 'redis', version: '20.1.0', appVersion: '7.2.0', values: { replicas: 1, auth: { enabled: true } } },
    { name: 'redis', version: '20.11.4', appVersion: '7.4.2', values: { replicas: 1, auth: { enabled: true }, metrics: { enabled: false } } },
    { name: 'redis', version: '21.0.0+build.7', appVersion: '8.0.0', values: { replicas: 1 } },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-oci-lsp-'));
  writeFileSync(join(dir, 'sources.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: registry\n  namespace: flux-system\nspec:\n  type: oci\n  interval: 1h\n  url: oci://${registry.host}/charts\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: redis\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: oci://${registry.host}/charts/redis\n  ref:\n    semver: ">=20.0.0 <21.0.0"\n`);
  process.env.FLUXHELM_CACHE = join(dir, '.cache');
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir, { trusted: true });
});
after(async () => {
  await client?.shutdown();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function release(name: string, version: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: redis\n      version: "${version}"\n      sourceRef:\n        kind: HelmRepository\n        name: registry\n  values:\n    replicas: 3\n`;
}

async function open(name: string, text: string, want: (d: Diag[]) => boolean): Promise<{ uri: string; diags: Diag[] }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  const uri = pathToUri(file);
  client.open(uri, text, 1);
  const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri && want(x.diagnostics as Diag[]), 30000, true);
  return { uri, diags: p.diagnostics as Diag[] };
}

test('a HelmRepository of type oci resolves a range from the registry tags, with hint, hover and completion', async () => {
  const { uri } = await open('ranged', release('ranged', '>=20.0.0'), (d) => d.some((x) => x.code === 'unpinned-version'));
  const hints = await client.request<{ label: string }[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } } });
  assert.deepEqual(hints.map((h) => h.label.trim()), ['→ 21.0.0+build.7 · registry'], 'the `_` tag is read back as `+`');
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 17 } });
  assert.match(hover.contents.value, /Resolves to \*\*21\.0\.0\+build\.7\*\*/);
  const values = await client.request<{ text: string }>('fluxhelm/effectiveValues', { uri, position: { line: 3, character: 2 } });
  assert.match(values.text, /chart redis 21\.0\.0\+build\.7/, 'the chart was pulled from the registry');
  assert.match(values.text, /replicas: 3 # spec\.values/);
});

test('a range no tag satisfies is reported on version with the nearest tags', async () => {
  const { diags } = await open('missing', release('missing', '~19.0.0'), (d) => d.some((x) => x.code === 'oci-tag-not-found'));
  const d = diags.find((x) => x.code === 'oci-tag-not-found')!;
  assert.equal(d.range.start.line, 10);
  assert.match(d.message, /20\.1\.0/);
});

test('an OCIRepository chartRef resolves its semver ref, and values come from the pulled chart', async () => {
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n  namespace: flux-system\nspec:\n  interval: 10m\n  chartRef:\n    kind: OCIRepository\n    name: redis\n  values:\n    metrics:\n      enabled: true\n`;
  const file = join(dir, 'chartref.yaml');
  writeFileSync(file, text);
  const uri = pathToUri(file);
  client.open(uri, text, 1);
  const deadline = Date.now() + 30000;
  let hints: { label: string }[] = [];
  while (Date.now() < deadline) {
    hints = await client.request<{ label: string }[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
    if (hints.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(hints.map((h) => h.label.trim()), ['→ 20.11.4 · redis']);
  const values = await client.request<{ text: string }>('fluxhelm/effectiveValues', { uri });
  assert.match(values.text, /enabled: true # spec\.values/);
  assert.match(values.text, /chart redis 20\.11\.4/);
});
