/**
 * LSP-level tests: spawn the built server (dist/server.js) over stdio and
 * check what an editor would see: diagnostics with exact ranges, updates
 * after incremental edits, quick fixes, CRD overrides, and that the server
 * keeps answering after hostile documents.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LspClient } from '../support/lsp-client.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

type Diag = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code: string; message: string; severity: number; source: string };

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

let client: LspClient;
before(async () => {
  client = new LspClient(process.execPath, [server, '--stdio']);
  // An empty workspace folder: these tests are about single documents.
  const init = await client.initialize(mkdtempSync(join(tmpdir(), 'fluxhelm-lsp-')));
  const caps = init.capabilities as Record<string, unknown>;
  assert.equal(caps.textDocumentSync, 2, 'incremental sync');
  assert.ok(caps.completionProvider && caps.hoverProvider && caps.codeActionProvider && caps.documentSymbolProvider);
});
after(async () => {
  await client.shutdown();
});

test('publishes a diagnostic on the exact range of a misspelled key', async () => {
  const uri = 'file:///ws/podinfo.yaml';
  const pending = client.diagnostics(uri, 1);
  client.open(uri, HR, 1);
  const diags = (await pending) as unknown as Diag[];
  assert.equal(diags.length, 1);
  const d = diags[0];
  assert.equal(d.code, 'unknown-field');
  assert.equal(d.source, 'fluxhelm');
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range, { start: { line: 10, character: 6 }, end: { line: 10, character: 13 } });
  assert.match(d.message, /unknown field `verison` in spec\.chart\.spec — did you mean `version`\?/);
});

test('an incremental edit that fixes the typo clears it, and a new mistake appears at its line', async () => {
  const uri = 'file:///ws/edit.yaml';
  let pending = client.diagnostics(uri, 1);
  client.open(uri, HR, 1);
  assert.equal((await pending).length, 1);
  // Replace "verison" (line 10, chars 6..13) with "version".
  pending = client.diagnostics(uri, 2);
  client.change(uri, 2, [{ range: { start: { line: 10, character: 6 }, end: { line: 10, character: 13 } }, text: 'version' }]);
  assert.deepEqual(await pending, []);
  // Break the interval on line 6.
  pending = client.diagnostics(uri, 3);
  client.change(uri, 3, [{ range: { start: { line: 6, character: 12 }, end: { line: 6, character: 15 } }, text: '10 minutes' }]);
  const diags = (await pending) as unknown as Diag[];
  assert.equal(diags.length, 1);
  assert.equal(diags[0].code, 'duration');
  assert.equal(diags[0].range.start.line, 6);
  assert.equal(diags[0].range.start.character, 12);
});

test('editing one document of a multi-document file updates only what changed', async () => {
  const uri = 'file:///ws/multi.yaml';
  const docs = Array.from({ length: 50 }, (_, i) => HR.replace('name: podinfo\n  namespace', `name: app-${i}\n  namespace`)).join('---\n');
  let pending = client.diagnostics(uri, 1);
  client.open(uri, docs, 1);
  const first = (await pending) as unknown as Diag[];
  assert.equal(first.length, 50);
  // Fix the typo in the 26th document only.
  const line = first[25].range.start.line;
  pending = client.diagnostics(uri, 2);
  client.change(uri, 2, [{ range: { start: { line, character: 6 }, end: { line, character: 13 } }, text: 'version' }]);
  const second = (await pending) as unknown as Diag[];
  assert.equal(second.length, 49);
  assert.ok(!second.some((d) => d.range.start.line === line));
});

test('the removed-API quick fix rewrites the document and the warning clears', async () => {
  const uri = 'file:///ws/old.yaml';
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  name: legacy
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      valuesFile: values-prod.yaml
      sourceRef:
        kind: HelmRepository
        name: podinfo
`;
  let pending = client.diagnostics(uri, 1);
  client.open(uri, text, 1);
  const diags = (await pending) as unknown as Diag[];
  const removed = diags.find((d) => d.code === 'removed-api-version');
  assert.ok(removed, JSON.stringify(diags));
  assert.equal(removed.severity, 2);
  assert.match(removed.message, /removed in Flux 2\.7/);
  const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string; range: unknown }[]> } }[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: removed.range,
    context: { diagnostics: diags },
  });
  // The migration comes first; the other action is "Suppress removed-api-version on this line".
  assert.deepEqual(actions.map((a) => a.title), ['Migrate HelmRelease to helm.toolkit.fluxcd.io/v2', 'Suppress removed-api-version on this line']);
  const edit = actions[0].edit.changes[uri][0];
  assert.match(edit.newText, /apiVersion: helm\.toolkit\.fluxcd\.io\/v2\n/);
  assert.match(edit.newText, /valuesFiles:\n\s+- values-prod\.yaml/);
  pending = client.diagnostics(uri, 2);
  client.change(uri, 2, [{ range: edit.range, text: edit.newText }]);
  assert.deepEqual(await pending, []);
});

test('the server keeps answering after hostile documents', async () => {
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n`;
  const cases = [
    '\u0000\u0001\u0002 binary junk ::: [[[',
    bomb,
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec: ${'['.repeat(2000)}`,
    'apiVersion: [1, 2]\nkind: {a: b}\n',
    `---\n---\n...\n---\napiVersion: helm.toolkit.fluxcd.io/v2\n`,
  ];
  for (const [i, text] of cases.entries()) {
    const uri = `file:///ws/hostile-${i}.yaml`;
    const pending = client.diagnostics(uri, 1);
    client.open(uri, text, 1);
    const diags = (await pending) as unknown as Diag[];
    assert.ok(Array.isArray(diags));
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 0 } });
  }
  assert.ok(client.alive, 'server process is still running');
  const bombDiags = client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === 'file:///ws/hostile-1.yaml');
  assert.ok(JSON.stringify(bombDiags.at(-1)).includes('yaml-alias'), 'the alias bomb is reported, not expanded');
});

test('fluxhelm.schemas.crdPaths replaces the bundled schemas (an older Flux keeps its betas)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-crd-'));
  const legacy = join(root, '..', 'shared', 'flux-crds', 'legacy', 'helm.toolkit.fluxcd.io_helmreleases.yaml');
  const other = new LspClient(process.execPath, [server, '--stdio']);
  try {
    writeFileSync(join(dir, 'broken.yaml'), 'not: a crd\n');
    await other.initialize(dir, { schemas: { crdPaths: [legacy] } });
    const uri = 'file:///ws/beta.yaml';
    const pending = other.diagnostics(uri, 1);
    other.open(uri, HR.replace('helm.toolkit.fluxcd.io/v2', 'helm.toolkit.fluxcd.io/v2beta2'), 1);
    const diags = (await pending) as unknown as Diag[];
    assert.ok(!diags.some((d) => d.code === 'removed-api-version'), 'a served beta is not reported as removed');
    assert.ok(diags.some((d) => d.code === 'unknown-field'), 'the override schema still validates');
  } finally {
    await other.shutdown();
  }
});

test('completion inside spec offers our keys, required first, with docs', async () => {
  const uri = 'file:///ws/complete.yaml';
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  \n`;
  const pending = client.diagnostics(uri, 1);
  client.open(uri, text, 1);
  await pending;
  const list = await client.request<{ items: { label: string; sortText?: string; detail?: string; documentation?: { kind: string; value: string } }[] }>('textDocument/completion', {
    textDocument: { uri },
    position: { line: 5, character: 2 },
  });
  const labels = list.items.map((i) => i.label);
  for (const key of ['interval', 'chart', 'chartRef', 'values', 'valuesFrom', 'dependsOn']) assert.ok(labels.includes(key), `${key} offered`);
  const sorted = [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
  assert.equal(sorted[0].label, 'interval', 'the required key sorts first');
  const values = list.items.find((i) => i.label === 'values');
  assert.equal(values?.documentation?.kind, 'markdown');
  assert.ok((values?.documentation?.value ?? '').length > 20, 'our documentation is attached');
});

test('hover on a field shows our description, type and default', async () => {
  const uri = 'file:///ws/hover.yaml';
  const pending = client.diagnostics(uri, 1);
  client.open(uri, HR, 1);
  await pending;
  const hover = await client.request<{ contents: { kind: string; value: string }; range: unknown }>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 6, character: 4 }, // on "interval"
  });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /spec\.interval/);
  assert.match(hover.contents.value, /required/i);
  assert.match(hover.contents.value, /duration|5m|10m/i);
  assert.deepEqual(hover.range, { start: { line: 6, character: 2 }, end: { line: 6, character: 10 } });
});

test('document symbols outline every object in a multi-document file', async () => {
  const uri = 'file:///ws/symbols.yaml';
  const pending = client.diagnostics(uri, 1);
  client.open(uri, `${HR}---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n`, 1);
  await pending;
  const symbols = await client.request<{ name: string; detail: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.map((s) => s.name), ['HelmRelease apps/podinfo', 'HelmRepository flux-system/podinfo']);
  assert.equal(symbols[0].detail, 'helm.toolkit.fluxcd.io/v2');
});
