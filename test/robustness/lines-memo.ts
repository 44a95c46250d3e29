/**
 * Line indexes for the robustness run's own bookkeeping. The run edits
 * documents of up to a few megabytes hundreds of times a second; building a
 * LineIndex from scratch per keystroke and per published diagnostics took
 * the client 48 s of CPU in a 122 s session, and while it was busy (up to
 * 2 s at a time) the server's answers waited in its pipe and were counted
 * as late. Indexes of the last texts are kept, and the index after an edit
 * is derived from the one before it (line starts shifted, the text not
 * scanned again).
 */
import { LineIndex } from '../../engine/yaml/lines.ts';

const KEEP = 16;
const kept = new Map<string, LineIndex>();

function remember(lines: LineIndex): LineIndex {
  kept.delete(lines.text);
  kept.set(lines.text, lines);
  if (kept.size > KEEP) kept.delete(kept.keys().next().value as string);
  return lines;
}

/** The line index of a text (kept for the last few texts). */
export function linesFor(text: string): LineIndex {
  return kept.get(text) ?? remember(new LineIndex(text));
}

/**
 * The index of `next`, which is `lines.text` with [start, end) replaced by `insert`. Where a `\r` meets the edit's
 * edges (it may pair with a `\n` across them) the text is scanned as usual.
 */
export function linesAfter(lines: LineIndex, start: number, end: number, insert: string, next: string): LineIndex {
  const old = lines.text;
  if (kept.has(next)) return kept.get(next)!;
  if (old[start - 1] === '\r' || insert.endsWith('\r')) return linesFor(next);
  const delta = insert.length - (end - start);
  const starts: number[] = [];
  for (const s of lines.lineStarts) {
    if (s <= start) starts.push(s);
    else break;
  }
  if (insert.length) for (const s of new LineIndex(insert).lineStarts.slice(1)) starts.push(start + s);
  for (const s of lines.lineStarts) if (s > end) starts.push(s + delta);
  const derived = Object.assign(Object.create(LineIndex.prototype) as LineIndex, { text: next, lineStarts: starts });
  return remember(derived);
}
