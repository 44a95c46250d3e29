/**
 * Typing in a document with one large YAML document in it (issue 16): the
 * fuzz run found a 158 KB file whose edits (under the 200 KB of a huge
 * file) were each parsed and checked at once, so a burst of 15 keystrokes
 * queued up 15 parses of its 150 KB HelmRelease and answers waited 5 s. A
 * file with a `---` piece over 64 KB is now checked when typing pauses,
 * like a huge file; a file of the same size made of small documents (each
 * edit re-parses one of them) is still checked on every keystroke. Over
 * stdio with the built server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LspClient } from '../support/lsp-client.ts';

const root = join(import.meta.dirname, '..', '..');
const server = join(root, 'dist', 'server.js');

type Diag = { range: { start: { line: number; character: number } }; code: string };

let client: LspClient;
before(async () => {
  client = new LspClient(process.execPath, [server, '--stdio']);
  await client.initialize(mkdtempSync(join(tmpdir(), 'fluxhelm-piece-')));
});
after(async () => {
  await client.shutdown();
});

/** Types `typed` one character per didChange at the start of `line`; returns the versions published meanwhile and the last diagnostics. */
async function burst(uri: string, line: number, typed: string): Promise<{ published: unknown[]; last: Diag[] }> {
  const before = client.notifications.length;
  let version = 1;
  for (let i = 0; i < typed.length; i++) {
    const at = { line, character: i };
    client.change(uri, ++version, [{ range: { start: at, end: at }, text: typed[i] }]);
  }
  const last = (await client.diagnostics(uri, version, 60_000)) as unknown as Diag[];
  const published = client.notifications
    .slice(before)
    .filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri)
    .map((n) => n.params.version);
  return { published, last };
}

test('a burst of keystrokes in a 150 KB HelmRelease (file under 200 KB) is checked once, on its last text', async () => {
  const uri = 'file:///ws/large-release.yaml';
  const values = Array.from({ length: 6_500 }, (_, i) => `    key${i}: value-${i}\n`).join('');
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n  values:\n${values}  intervall: 5m\n`;
  assert.ok(text.length > 140_000 && text.length < 200_000, `${text.length} characters`);
  const lastLine = text.split('\n').length - 2;
  const opened = client.diagnostics(uri, 1, 60_000);
  client.open(uri, text, 1);
  await opened;
  const { published, last } = await burst(uri, lastLine, '# typed!\n');
  assert.deepEqual(published.filter((v) => v !== 1), [10], 'only the last of the 9 keystrokes was checked');
  assert.deepEqual(last.filter((d) => d.code === 'unknown-field').map((d) => d.range.start), [{ line: lastLine + 1, character: 2 }]);
});

test('a file of the same size made of small documents is still checked on every keystroke', async () => {
  const uri = 'file:///ws/many-small.yaml';
  const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  key: value-${i}\n  other: more-text-${i}\n`;
  const text = Array.from({ length: 1_400 }, (_, i) => doc(i)).join('---\n');
  assert.ok(text.length > 140_000 && text.length < 200_000, `${text.length} characters`);
  const opened = client.diagnostics(uri, 1, 60_000);
  client.open(uri, text, 1);
  await opened;
  const { published } = await burst(uri, 5, '# x\n');
  assert.deepEqual(published.filter((v) => v !== 1), [2, 3, 4, 5]);
});
