/**
 * For tests that some long work in the server (a build, a large file read
 * from disk, a workspace check) is cut into steps: hovers are sent one after
 * another until `done()` says the work's result has arrived, and the longest
 * wait between two answers is kept. No wall-clock budget: callers compare
 * that wait with the whole work (`performance.now() - started` once the
 * result is in).
 */
import assert from 'node:assert/strict';
import type { LspClient } from './lsp-client.ts';

export interface HoversMeanwhile {
  /** When the first hover was sent. */
  started: number;
  answered: number;
  longestWait: number;
}

/** Hovers on `position` of `uri` (a `kind` key: every answer has contents) until `done()`. */
export async function hoversWhile(client: LspClient, uri: string, done: () => boolean, position = { line: 1, character: 2 }): Promise<HoversMeanwhile> {
  const started = performance.now();
  let answered = 0;
  let longestWait = 0;
  let last = started;
  while (!done()) {
    const hover = await client.request<{ contents?: unknown } | null>('textDocument/hover', { textDocument: { uri }, position }, 60_000);
    assert.ok(hover?.contents, 'the hover on `kind` has an answer');
    const now = performance.now();
    longestWait = Math.max(longestWait, now - last);
    last = now;
    answered++;
  }
  return { started, answered, longestWait };
}
