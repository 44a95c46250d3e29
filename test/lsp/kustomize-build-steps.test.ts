/**
 * A large kustomize build does not hold up the editor (issue 16): the
 * workspace check builds the folder a Flux Kustomization applies, a
 * kustomization of 3,000 inline patches, in steps between messages (engine
 * buildKustomizationSteps), so while it builds after an edit, hovers on
 * another file are answered one after another (no answer waits for a large
 * part of the check), and the build's finding then comes for the edited
 * text. Before, the build was one block of seconds (2.3 s here), and a hover
 * sent meanwhile waited for all of it. Over stdio with the built server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lsp-client.ts';
import { hoversWhile } from '../support/hovers-meanwhile.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

type Diag = { range: { start: { line: number } }; code: string };

/** 3,000 JSON patches adding labels to one Deployment, and a last one with an unknown operation. */
function kustomization(): string {
  let k = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - app.yaml\npatches:\n';
  for (let i = 0; i < 3000; i++) k += `  - patch: |\n      - op: add\n        path: /metadata/labels/l${i}\n        value: v${i}\n    target:\n      kind: Deployment\n`;
  return `${k}  - patch: |\n      - op: bogus\n        path: /x\n    target:\n      kind: Deployment\n`;
}

let client: LspClient;
let ws: string;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'fluxhelm-build-steps-'));
  mkdirSync(join(ws, 'app'));
  writeFileSync(join(ws, 'app', 'kustomization.yaml'), kustomization());
  // A Flux Kustomization applying the folder: the workspace check reports what its build finds.
  writeFileSync(join(ws, 'ks.yaml'), 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n');
  writeFileSync(join(ws, 'app', 'app.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  labels: {}\n');
  writeFileSync(join(ws, 'other.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: repo\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/repo\n');
  client = new LspClient(process.execPath, [server, '--stdio']);
  await client.initialize(ws);
});
after(async () => {
  await client.shutdown();
});

test('while a kustomization of 3,000 patches is built after an edit, hovers on another file are answered one after another', async () => {
  const other = pathToFileURL(join(ws, 'other.yaml')).href;
  const uri = pathToFileURL(join(ws, 'app', 'kustomization.yaml')).href;
  const text = kustomization();
  const bogusLine = text.split('\n').findIndex((l) => l.includes('op: bogus')) - 1;
  const opened = client.diagnostics(other, 1, 60_000);
  client.open(other, readFileSync(join(ws, 'other.yaml'), 'utf8'), 1);
  await opened;
  // The first workspace check (when the workspace is indexed) finds the bad patch.
  const built = (d: Diag[], line: number) => d.some((x) => x.code === 'kustomize-patch' && x.range.start.line === line);
  const first = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && built(p.diagnostics as unknown as Diag[], bogusLine), 120_000);
  client.open(uri, text, 1);
  await first;
  // An edit above every patch: the build's finding moves down a line once the edited text is built.
  let rebuilt = false;
  const second = client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2 && built(p.diagnostics as unknown as Diag[], bogusLine + 1), 120_000)
    .then(() => (rebuilt = true));
  client.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
  // No wall-clock budget: the longest wait between two answers is compared with the whole work.
  const { started, answered, longestWait } = await hoversWhile(client, other, () => rebuilt);
  await second;
  const whole = performance.now() - started;
  assert.ok(answered > 10, `${answered} hovers were answered while the edit was checked`);
  assert.ok(longestWait < whole / 3, `the longest wait for an answer (${Math.round(longestWait)} ms) is a small part of the check of the edit (${Math.round(whole)} ms)`);
});
