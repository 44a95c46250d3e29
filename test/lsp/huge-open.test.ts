/**
 * Opening a huge document does not hold up the editor (issue 16): the fuzz
 * run saw the opening of a 775 KB file block the server for 1.2 s, because
 * an opening was parsed, indexed and checked in one go (only edits of huge
 * documents went through the stepped check). A 2.2 MB file of 3,500
 * ConfigMaps and a HelmRelease is now checked in steps between messages
 * from the moment it opens: hovers on another open file are answered one
 * after another meanwhile, requests about the huge file are answered
 * ContentModified until its check is done, and then its findings come,
 * under the opened version. Over stdio with the built server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { LspClient, isPendingNote } from '../support/lsp-client.ts';
import { hoversWhile } from '../support/hovers-meanwhile.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

type Diag = { code: string; message: string; range: { start: { line: number } } };

/** 3,500 ConfigMaps, then a HelmRelease whose chart comes from a HelmRepository `missing` and that has a misspelt field. */
function manifests(): string {
  const cm = (i: number) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: apps\ndata:\n${Array.from({ length: 25 }, (_, j) => `  key${j}: value-${i}-${j}\n`).join('')}`;
  const release = '---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  intervall: 5m\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: missing\n';
  return Array.from({ length: 3500 }, (_, i) => cm(i)).join('') + release;
}

let client: LspClient;
let ws: string;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'fluxhelm-huge-open-'));
  writeFileSync(join(ws, 'repo.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n');
  client = new LspClient(process.execPath, [server, '--stdio']);
  await client.initialize(ws);
});
after(async () => {
  await client.shutdown();
});

test('while a 2.2 MB document that was just opened is checked, other requests are answered one after another', async () => {
  const small = pathToFileURL(join(ws, 'repo.yaml')).href;
  const opened = client.diagnostics(small, 1, 60_000);
  client.open(small, '---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n', 1);
  await opened;

  const huge = pathToFileURL(join(ws, 'huge.yaml')).href;
  const text = manifests();
  assert.ok(text.length > 2_000_000, `${text.length} characters`);
  const lines = text.split('\n');
  let checked = false;
  const findings = client.diagnostics(huge, 7, 120_000).then((d) => {
    checked = true;
    return d as unknown as Diag[];
  });
  client.open(huge, text, 7);
  // Asked about the huge file before its check is done: ContentModified (the editor asks again), not a wait.
  const early = await client.request('textDocument/hover', { textDocument: { uri: huge }, position: { line: 1, character: 2 } }, 60_000).then(
    () => 'answered',
    (err: Error) => err.message,
  );
  assert.match(early, /"code":-32801/, 'a hover on the opened huge file is answered ContentModified while it is checked');
  // No wall-clock budget: the longest wait between two answers is compared with the whole check.
  const { started, answered, longestWait } = await hoversWhile(client, small, () => checked, { line: 2, character: 2 });
  const whole = performance.now() - started;
  const diags = await findings;
  assert.ok(answered >= 5, `${answered} hovers were answered while the opened file was checked`);
  assert.ok(longestWait < whole / 3, `the longest wait for an answer (${Math.round(longestWait)} ms) is a small part of the check (${Math.round(whole)} ms)`);
  // The findings are those of the whole text: the misspelt field in the last document, on its line.
  const typo = diags.find((d) => d.code === 'unknown-field' && d.message.includes('intervall'));
  assert.ok(typo, JSON.stringify(diags.slice(0, 3)));
  assert.equal(lines[typo.range.start.line], '  intervall: 5m');
  // Every publish of the opened version before its findings was the note that its check continues, never findings of nothing.
  const published = client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === huge);
  assert.ok(published.length >= 1);
  for (const n of published.slice(0, -1)) assert.ok(isPendingNote(n.params), JSON.stringify(n.params).slice(0, 300));
  // And the file is answered about once it is checked.
  const hover = await client.request<{ contents?: unknown } | null>('textDocument/hover', { textDocument: { uri: huge }, position: { line: 1, character: 2 } }, 60_000);
  assert.ok(hover?.contents);
});
