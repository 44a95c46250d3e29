/**
 * A large file changed on disk does not hold up the editor (issue 16): a
 * 550 KB file of 1,000 ConfigMaps and a HelmRelease, written by another tool and reported by
 * workspace/didChangeWatchedFiles is parsed in steps between messages
 * (server/disk-changes.ts), so hovers on an open file are answered one
 * after another while it is read (no answer waits for a large part of the
 * work), and its findings then come for the new text. Before, the whole
 * parse ran inside the notification. Over stdio with the built server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lsp-client.ts';
import { hoversWhile } from '../support/hovers-meanwhile.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

type Diag = { code: string; message: string };

/** 1,000 ConfigMaps and a HelmRelease whose chart comes from a HelmRepository `missing` that the workspace does not have. */
function manifests(): string {
  const cm = (i: number) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: apps\ndata:\n${Array.from({ length: 20 }, (_, j) => `  key${j}: value-${i}-${j}\n`).join('')}`;
  const release = '---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: missing\n';
  return Array.from({ length: 1000 }, (_, i) => cm(i)).join('') + release;
}

let client: LspClient;
let ws: string;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'fluxhelm-disk-steps-'));
  writeFileSync(join(ws, 'repo.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n');
  writeFileSync(join(ws, 'releases.yaml'), '');
  client = new LspClient(process.execPath, [server, '--stdio']);
  await client.initialize(ws);
});
after(async () => {
  await client.shutdown();
});

test('while a 550 KB file changed on disk is read, hovers on an open file are answered one after another', async () => {
  const open = pathToFileURL(join(ws, 'repo.yaml')).href;
  const changed = pathToFileURL(join(ws, 'releases.yaml')).href;
  const opened = client.diagnostics(open, 1, 60_000);
  client.open(open, readFileSync(join(ws, 'repo.yaml'), 'utf8'), 1);
  await opened;
  const text = manifests();
  assert.ok(text.length > 500_000);
  writeFileSync(join(ws, 'releases.yaml'), text);
  let indexed = false;
  const found = client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === changed && (p.diagnostics as unknown as Diag[]).some((d) => d.code === 'dangling-reference' && d.message.includes('missing')), 120_000)
    .then(() => (indexed = true));
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: changed, type: 2 }] });
  // No wall-clock budget: the longest wait between two answers is compared with the whole work.
  const { started, answered, longestWait } = await hoversWhile(client, open, () => indexed);
  await found;
  const whole = performance.now() - started;
  assert.ok(answered > 10, `${answered} hovers were answered while the file was read and checked`);
  assert.ok(longestWait < whole / 3, `the longest wait for an answer (${Math.round(longestWait)} ms) is a small part of the work on the change (${Math.round(whole)} ms)`);
});
