/**
 * The one handler runner, over real JSON-RPC: an async handler that throws
 * (or rejects after an await) answers its empty result, the failure is
 * logged once, and the connection keeps answering; a refused answer becomes
 * an error with the engine's words; bad parameters get InvalidParams. Then
 * the same against the built server: requests with missing or mistyped
 * params are answered with InvalidParams or an empty answer, and the server
 * keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { createRunner, uriTarget } from '../../server/runner.ts';
import { LspClient } from '../support/lsp-client.ts';

function pair() {
  const up = new PassThrough();
  const down = new PassThrough();
  const server = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const logged: string[] = [];
  client.onNotification('window/logMessage', (p: { message: string }) => {
    logged.push(p.message);
  });
  client.listen();
  server.listen();
  return { server, client, logged };
}

test('an async handler that rejects answers its empty result, is logged once, and the connection keeps answering', async () => {
  const { server, client, logged } = pair();
  const run = createRunner(server);
  let calls = 0;
  run.handle<{ uri: string }, { items: string[] }>({ method: 'test/flaky' }, { items: [] }, uriTarget, async (p) => {
    calls++;
    await new Promise((r) => setImmediate(r));
    if (p.uri === 'file:///boom') throw new Error('boom after an await');
    return { items: [p.uri] };
  });
  run.handle<{ uri: string }, null>({ method: 'test/refused' }, null, uriTarget, async () => ({ refused: true as const, error: 'fluxhelm: the workspace must be trusted' }));
  try {
    assert.deepEqual(await client.sendRequest('test/flaky', { uri: 'file:///boom' }), { items: [] });
    assert.deepEqual(await client.sendRequest('test/flaky', { uri: 'file:///fine' }), { items: ['file:///fine'] });
    await assert.rejects(client.sendRequest('test/flaky', { uri: 42 }), (e: Error & { code?: number }) => e.code === -32602 && /uri must be a string/.test(e.message));
    await assert.rejects(client.sendRequest('test/refused', { uri: 'file:///x' }), (e: Error & { code?: number }) => e.code === -32600 && e.message === 'fluxhelm: the workspace must be trusted');
    assert.equal(calls, 2, 'the handler does not run for invalid params');
    await new Promise((r) => setTimeout(r, 50));
    const failures = logged.filter((m) => m.includes('boom after an await'));
    assert.equal(failures.length, 1, logged.join('\n'));
    assert.match(failures[0]!, /^test\/flaky failed: Error: boom after an await/);
  } finally {
    client.dispose();
    server.dispose();
  }
});

test('the built server: missing or mistyped params get InvalidParams or an empty answer, and the server keeps answering', async () => {
  const client = new LspClient(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'server.js'), '--stdio']);
  try {
    await client.initialize(mkdtempSync(join(tmpdir(), 'fluxhelm-runner-')));
    const uri = 'file:///tmp/fluxhelm-runner/hr.yaml';
    client.open(uri, 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: a\nspec:\n  interval: 5m\n');
    await client.diagnostics(uri);
    const invalid = async (method: string, params: unknown) => {
      await assert.rejects(client.request(method, params, 10000), (e: Error) => /"code":-32602/.test(e.message), `${method} ${JSON.stringify(params)}`);
    };
    await invalid('textDocument/hover', { textDocument: { uri } });
    await invalid('textDocument/hover', { textDocument: { uri: 7 }, position: { line: 0, character: 0 } });
    await invalid('textDocument/completion', { textDocument: { uri }, position: { line: -1, character: 0 } });
    await invalid('textDocument/definition', null);
    await invalid('textDocument/codeAction', { textDocument: { uri }, range: 'all', context: { diagnostics: [] } });
    await invalid('fluxhelm/effectiveValues', { uri: null });
    await invalid('fluxhelm/cluster/status', {});
    assert.deepEqual(await client.request('workspace/symbol', { query: 42 }), []);
    assert.deepEqual(await client.request('workspace/symbol', null), []);
    // Malformed document notifications are ignored (and said so), never thrown on.
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: null });
    client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: 'all', text: 'x' }] });
    client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///tmp/fluxhelm-runner/bad.yaml', languageId: 'yaml', version: 1, text: 42 } });
    client.notify('textDocument/didClose', { textDocument: null });
    // A watched-files batch with a bad entry is handled entry by entry.
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: null, type: 1 }, 5, { uri, type: 2 }] });
    // Still answering, with the right answer.
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 3 } });
    assert.match(hover?.contents.value ?? '', /interval/i);
    const logs = client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => String(n.params.message));
    assert.deepEqual(logs.filter((m) => / failed: /.test(m)), [], 'no handler threw');
    assert.equal(logs.filter((m) => /^fluxhelm ignored a (didChange|didOpen|didClose) notification/.test(m)).length, 4, logs.join('\n'));
  } finally {
    await client.shutdown();
  }
});
