/**
 * LSP tests over a real folder: the built server indexes the workspace,
 * publishes reference-graph diagnostics for files that are not even open,
 * and navigates across files (definition, references, rename, workspace
 * symbols). The broken fleet fixture is copied to a temp folder first.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let client: LspClient;
const uri = (rel: string) => pathToUri(join(dir, rel));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-ws-'));
  cpSync(join(root, 'test', 'fixtures', 'broken-fleet'), dir, { recursive: true });
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir);
});
after(async () => {
  await client.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

type Diag = { range: { start: { line: number } }; code: string; message: string };

test('graph diagnostics are published for files that are not open', async () => {
  const params = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri('clusters/prod/apps.yaml'), 20000, true);
  const diags = params.diagnostics as Diag[];
  const codes = diags.map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
  assert.deepEqual(codes, ['14:dependency-cycle', '29:dependency-cycle', '33:dangling-reference', '9:missing-path']);
});

test('opening a patch file does not report missing required fields (it is partial on purpose)', async () => {
  const u = uri('apps/prod/podinfo-patch.yaml');
  const pending = client.diagnostics(u, 1);
  client.open(u, readFileSync(join(dir, 'apps/prod/podinfo-patch.yaml'), 'utf8'), 1);
  assert.deepEqual(await pending, []);
});

test('go to definition jumps from a dependsOn entry to the other HelmRelease, and from a resources path to the file', async () => {
  const u = uri('apps/base/podinfo/helmrelease.yaml');
  const text = readFileSync(join(dir, 'apps/base/podinfo/helmrelease.yaml'), 'utf8');
  const pending = client.diagnostics(u, 1);
  client.open(u, text, 1);
  await pending;
  const defs = await client.request<{ uri: string; range: { start: { line: number; character: number } } }[]>('textDocument/definition', { textDocument: { uri: u }, position: { line: 15, character: 14 } });
  assert.equal(defs.length, 1);
  assert.equal(defs[0].uri, u);
  assert.equal(defs[0].range.start.line, 29, 'metadata.name of the redis HelmRelease');
  const k = uri('apps/base/podinfo/kustomization.yaml');
  client.open(k, readFileSync(join(dir, 'apps/base/podinfo/kustomization.yaml'), 'utf8'), 1);
  const fileDefs = await client.request<{ uri: string }[]>('textDocument/definition', { textDocument: { uri: k }, position: { line: 1, character: 6 } });
  assert.deepEqual(fileDefs.map((d) => d.uri), [u]);
});

test('rename of a HelmRepository name updates the references in other files', async () => {
  const src = uri('infrastructure/sources.yaml');
  const text = readFileSync(join(dir, 'infrastructure/sources.yaml'), 'utf8');
  client.open(src, text, 1);
  const prep = await client.request<{ placeholder: string } | null>('textDocument/prepareRename', { textDocument: { uri: src }, position: { line: 3, character: 9 } });
  assert.equal(prep?.placeholder, 'podinfo');
  const refs = await client.request<{ uri: string }[]>('textDocument/references', { textDocument: { uri: src }, position: { line: 3, character: 9 }, context: { includeDeclaration: true } });
  assert.deepEqual(refs.map((r) => r.uri), [src], 'the HelmRelease points into its own namespace, so it is not a reference to this repository');
  // Point the HelmRelease at flux-system: now it references the repository, and rename reaches it.
  const hr = uri('apps/base/podinfo/helmrelease.yaml');
  const hrText = readFileSync(join(dir, 'apps/base/podinfo/helmrelease.yaml'), 'utf8').replace('        name: podinfo\n  dependsOn', '        name: podinfo\n        namespace: flux-system\n  dependsOn');
  writeFileSync(join(dir, 'apps/base/podinfo/helmrelease.yaml'), hrText);
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: hr, type: 2 }] });
  // The editor holds the old text open; close it so the disk version counts.
  client.notify('textDocument/didClose', { textDocument: { uri: hr } });
  await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === hr && !(p.diagnostics as Diag[]).some((d) => d.range.start.line === 13), 10000);
  const edit = await client.request<{ changes: Record<string, { newText: string }[]> }>('textDocument/rename', { textDocument: { uri: src }, position: { line: 3, character: 9 }, newName: 'podinfo-charts' });
  assert.deepEqual(Object.keys(edit.changes).sort(), [hr, src].sort());
  assert.ok(Object.values(edit.changes).flat().every((e) => e.newText === 'podinfo-charts'));
  await assert.rejects(client.request('textDocument/rename', { textDocument: { uri: src }, position: { line: 3, character: 9 }, newName: 'Not_Valid' }), /not a valid Kubernetes name/);
});

test('workspace symbols find objects across files', async () => {
  const symbols = await client.request<{ name: string; location: { uri: string } }[]>('workspace/symbol', { query: 'redis' });
  assert.deepEqual(symbols.map((s) => s.name), ['HelmRelease podinfo/redis']);
});
