/**
 * The language server with a `.fluxhelm.yaml` at the workspace root and
 * suppression comments: the file's severity applies to published
 * diagnostics, a suppressed finding is not published, a stale suppression
 * is (info), the quick fix "Suppress CODE on this line" is offered for a
 * finding, and editing `.fluxhelm.yaml` on disk changes what is published
 * without a restart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let client: LspClient;

const TEXT = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 5 minutes
  # fluxhelm-disable-next-line unknown-field
  timout: 1m
  # fluxhelm-disable-next-line cel
  suspend: false
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 1h
  url: https://stefanprodan.github.io/podinfo
`;

type Diag = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity: number; code: string; message: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-config-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.fluxhelm.yaml'), 'severity:\n  duration: warning\n');
  writeFileSync(join(dir, 'release.yaml'), TEXT);
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir);
});
after(async () => {
  await client.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const uri = () => pathToUri(join(dir, 'release.yaml'));
const shown = (list: Diag[]) => list.map((d) => `${d.range.start.line}:${d.code}:${d.severity}`).sort();

test('published diagnostics follow .fluxhelm.yaml and the suppression comments', async () => {
  client.open(uri(), TEXT, 1);
  const got = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri() && (p.diagnostics as Diag[]).some((d) => d.code === 'duration'), 30000, true);
  // duration: warning (2) from the file; unknown-field suppressed; the cel comment is stale: info (3).
  assert.deepEqual(shown(got.diagnostics as Diag[]), ['6:duration:2', '9:unused-suppression:3']);

  const duration = (got.diagnostics as Diag[]).find((d) => d.code === 'duration')!;
  const actions = await client.request<{ title: string; edit?: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', { textDocument: { uri: uri() }, range: duration.range, context: { diagnostics: [duration] } });
  const suppress = actions.find((a) => a.title === 'Suppress duration on this line');
  assert.ok(suppress, actions.map((a) => a.title).join(', '));
  assert.equal(suppress.edit?.changes[uri()][0].newText, '  # fluxhelm-disable-next-line duration\n');
});

test('editing .fluxhelm.yaml on disk applies at once', async () => {
  writeFileSync(join(dir, '.fluxhelm.yaml'), 'severity:\n  duration: error\n  unused-suppression: "off"\n');
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToUri(join(dir, '.fluxhelm.yaml')), type: 2 }] });
  const got = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri() && (p.diagnostics as Diag[]).some((d) => d.code === 'duration' && d.severity === 1), 30000);
  assert.deepEqual(shown(got.diagnostics as Diag[]), ['6:duration:1']);
});
