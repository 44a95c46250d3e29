/**
 * The workspace check's references are read in steps (issue 16): a file of
 * 1,000 HelmReleases, each with a chart source, dependsOn and valuesFrom
 * references, written by another tool and reported by
 * workspace/didChangeWatchedFiles, is read in steps (disk-changes.ts), and
 * then the graph check reads every object's references (their places in the
 * text) between messages too (ReferenceCache.allSteps), so hovers on an open
 * file are answered one after another until the findings of the new file
 * come (no answer waits for a large part of the work). Before, the
 * references of the whole file were one block of 360-500 ms. Over stdio with
 * the built server.
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

/** 1,000 HelmReleases from the HelmRepository `podinfo`; the last one depends on `missing`, which is not there. */
function releases(): string {
  const release = (i: number, dependsOn: string) =>
    `---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-${i}\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      version: 6.x\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n  dependsOn:\n    - name: ${dependsOn}\n  valuesFrom:\n    - kind: ConfigMap\n      name: values\n  values:\n    replicaCount: ${i % 3}\n`;
  return Array.from({ length: 999 }, (_, i) => release(i, `app-${Math.max(0, i - 1)}`)).join('') + release(999, 'missing');
}

let client: LspClient;
let ws: string;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'fluxhelm-ref-steps-'));
  writeFileSync(join(ws, 'repo.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\n  namespace: apps\ndata: {}\n');
  writeFileSync(join(ws, 'releases.yaml'), '');
  client = new LspClient(process.execPath, [server, '--stdio']);
  await client.initialize(ws);
});
after(async () => {
  await client.shutdown();
});

test('while the references of 1,000 HelmReleases changed on disk are checked, hovers on an open file are answered one after another', async () => {
  const open = pathToFileURL(join(ws, 'repo.yaml')).href;
  const changed = pathToFileURL(join(ws, 'releases.yaml')).href;
  const opened = client.diagnostics(open, 1, 60_000);
  client.open(open, readFileSync(join(ws, 'repo.yaml'), 'utf8'), 1);
  await opened;
  // One answer before the change (the first hover's code is compiled then, not during the measured work).
  await client.request('textDocument/hover', { textDocument: { uri: open }, position: { line: 1, character: 2 } }, 60_000);
  writeFileSync(join(ws, 'releases.yaml'), releases());
  let checked = false;
  const found = client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === changed && (p.diagnostics as unknown as Diag[]).some((d) => d.code === 'dangling-reference' && d.message.includes('`missing`')), 120_000)
    .then(() => (checked = true));
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: changed, type: 2 }] });
  // No wall-clock budget: the longest wait between two answers is compared with the whole work.
  const { started, answered, longestWait } = await hoversWhile(client, open, () => checked);
  await found;
  const whole = performance.now() - started;
  assert.ok(answered > 10, `${answered} hovers were answered while the file was read and checked`);
  assert.ok(longestWait < whole / 4, `the longest wait for an answer (${Math.round(longestWait)} ms) is a small part of the work on the change (${Math.round(whole)} ms)`);
});
