/**
 * The effective-values view over LSP: the built server computes the values
 * of a HelmRelease in a copy of examples/fleet (chart kept in the
 * repository, values from a generated ConfigMap), with provenance comments,
 * and the answer follows unsaved edits of the document.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-values-'));
  cpSync(join(root, 'examples', 'fleet'), dir, { recursive: true });
  process.env.FLUXHELM_CACHE = join(dir, '.cache');
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir, { trusted: false });
});
after(async () => {
  await client.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('Show Effective Values: provenance per value, and it follows edits', async () => {
  const file = join(dir, 'infrastructure', 'configs', 'team-quotas.yaml');
  const uri = pathToUri(file);
  const text = readFileSync(file, 'utf8');
  const opened = client.diagnostics(uri, 1);
  client.open(uri, text, 1);
  await opened;
  const first = await client.request<{ text: string; release: string }>('fluxhelm/effectiveValues', { uri, position: { line: 5, character: 2 } });
  assert.equal(first.release, 'flux-system/team-quotas');
  assert.match(first.text, /# Effective values of HelmRelease flux-system\/team-quotas/);
  assert.match(first.text, /pods: 60 # spec\.values/);
  assert.match(first.text, /cpu: "8" # valuesFrom\[0\] ConfigMap\/team-quotas-values key values\.yaml/);
  assert.match(first.text, /defaultMemory: 256Mi # chart default \(team-quotas\)/);
  // An unsaved edit: the inline value changes, and so does the view.
  const line = text.split('\n').findIndex((l) => l.includes('pods: 60'));
  const col = text.split('\n')[line].indexOf('60');
  const changed = client.diagnostics(uri, 2);
  client.change(uri, 2, [{ range: { start: { line, character: col }, end: { line, character: col + 2 } }, text: '80' }]);
  await changed;
  const second = await client.request<{ text: string }>('fluxhelm/effectiveValues', { uri, position: { line: 5, character: 2 } });
  assert.match(second.text, /pods: 80 # spec\.values/);
});

test('a file without a HelmRelease gets an explanation, not an error', async () => {
  const file = join(dir, 'infrastructure', 'configs', 'kustomization.yaml');
  const uri = pathToUri(file);
  client.open(uri, readFileSync(file, 'utf8'), 1);
  const r = await client.request<{ text: string; error?: string }>('fluxhelm/effectiveValues', { uri });
  assert.match(r.text, /holds no HelmRelease/);
});

test('under spec.values: hover shows default, effective value and layer; completion offers chart keys; unknown keys warn', async () => {
  const file = join(dir, 'infrastructure', 'configs', 'team-quotas.yaml');
  const uri = `${pathToUri(file)}`;
  const text = readFileSync(file, 'utf8').replace('      pods: 60\n', '      pods: 60\n      podz: 3\n');
  const lines = text.split('\n');
  const podsLine = lines.findIndex((l) => l.includes('pods: 60'));
  client.notify('textDocument/didClose', { textDocument: { uri } });
  // Wait until values are computed: the unknown key shows up as a warning.
  const waited = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as { code: string }[]).some((d) => d.code === 'unknown-value-key'), 30000);
  client.open(uri, text, 10);
  const diags = (await waited).diagnostics as { code: string; message: string; severity: number; range: { start: { line: number } } }[];
  const unknown = diags.find((d) => d.code === 'unknown-value-key')!;
  assert.equal(unknown.range.start.line, podsLine + 1);
  assert.equal(unknown.severity, 2);
  assert.match(unknown.message, /podz/);
  assert.match(unknown.message, /pods/);
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: podsLine, character: 7 } });
  assert.match(hover.contents.value, /quota\.pods/);
  assert.match(hover.contents.value, /40/, 'the chart default');
  assert.match(hover.contents.value, /60/, 'the effective value');
  assert.match(hover.contents.value, /spec\.values/, 'the layer that won');
  const valuesLine = lines.findIndex((l) => l.trim() === 'values:');
  const edited = `${lines.slice(0, valuesLine + 1).join('\n')}\n    \n${lines.slice(valuesLine + 1).join('\n')}`;
  const pending = client.diagnostics(uri, 11);
  client.change(uri, 11, [{ range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } }, text: edited }]);
  await pending;
  const completion = await client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: valuesLine + 1, character: 4 } });
  const labels = completion.items.map((i) => i.label);
  for (const key of ['teams', 'limitRange', 'labels']) assert.ok(labels.includes(key), `${key} offered: ${labels.join(', ')}`);
});
