/**
 * The robustness run's derived line indexes (test/robustness/lines-memo.ts)
 * must be the ones the engine builds from the text: 20,000 random edits of
 * texts with `\n`, `\r\n` and lone `\r` line breaks, including edits that
 * cut a `\r\n` in two or join one, compared line start by line start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../engine/yaml/lines.ts';
import { linesAfter, linesFor } from './lines-memo.ts';

test('an index derived from the one before an edit equals the index built from the new text', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pieces = ['a', 'bc', ' ', '\n', '\r\n', '\r', 'key: v', '\n\r', ''];
  const piece = () => Array.from({ length: rnd(4) }, () => pieces[rnd(pieces.length)]).join('');
  let text = Array.from({ length: 200 }, piece).join('');
  let lines = linesFor(text);
  for (let i = 0; i < 20_000; i++) {
    const start = rnd(text.length + 1);
    const end = Math.min(text.length, start + rnd(6));
    const insert = piece();
    const next = text.slice(0, start) + insert + text.slice(end);
    const derived = linesAfter(lines, start, end, insert, next);
    assert.equal(derived.text, next);
    assert.deepEqual(derived.lineStarts, new LineIndex(next).lineStarts, `edit ${i}: [${start}, ${end}) -> ${JSON.stringify(insert)}`);
    text = next;
    lines = derived;
    if (text.length > 5000) {
      text = text.slice(0, 1000);
      lines = linesFor(text);
    }
  }
  // Kept: the same text gives the same index object.
  assert.equal(linesFor(text), lines);
});
