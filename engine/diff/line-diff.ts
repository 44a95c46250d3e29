/**
 * A line diff of two texts and its `diff -u` rendering, for the unified,
 * GitHub and HTML formats of rendered diffs. Which lines changed is decided
 * as GNU diff decides it (line-match.ts); hunks carry three lines of context
 * and are merged when their context overlaps, as `diff -u` prints them.
 */
import { changedLines } from './line-match.ts';

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script of a→b, lines chosen as GNU diff chooses them (deletions before insertions within a change). */
export function diffLines(a: string[], b: string[], horizon = 3): DiffLine[] {
  const { deleted, inserted } = changedLines(a, b, horizon);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (deleted[i] || inserted[j]) {
      while (i < a.length && deleted[i]) out.push({ op: '-', text: a[i++] });
      while (j < b.length && inserted[j]) out.push({ op: '+', text: b[j++] });
    } else {
      out.push({ op: ' ', text: a[i] ?? b[j] });
      i++;
      j++;
    }
  }
  return out;
}

/** Hunks with `context` lines around each change. */
export function hunks(lines: DiffLine[], context = 3): Hunk[] {
  const out: Hunk[] = [];
  const changes: number[] = [];
  lines.forEach((l, i) => {
    if (l.op !== ' ') changes.push(i);
  });
  if (changes.length === 0) return out;
  // Line numbers (1-based) of each diff line on the old and new side.
  const oldNo: number[] = [];
  const newNo: number[] = [];
  let o = 0;
  let n = 0;
  for (const l of lines) {
    oldNo.push(o);
    newNo.push(n);
    if (l.op !== '+') o++;
    if (l.op !== '-') n++;
  }
  let start = Math.max(0, changes[0] - context);
  let end = Math.min(lines.length, changes[0] + 1 + context);
  const emit = (): void => {
    const part = lines.slice(start, end);
    const oldLines = part.filter((l) => l.op !== '+').length;
    const newLines = part.filter((l) => l.op !== '-').length;
    // An empty range is numbered by the line before it, as diff -u does.
    out.push({ oldStart: oldLines ? oldNo[start] + 1 : oldNo[start], oldLines, newStart: newLines ? newNo[start] + 1 : newNo[start], newLines, lines: part });
  };
  for (const c of changes.slice(1)) {
    if (c - context <= end) end = Math.min(lines.length, c + 1 + context);
    else {
      emit();
      start = c - context;
      end = Math.min(lines.length, c + 1 + context);
    }
  }
  emit();
  return out;
}

function range(startLine: number, count: number): string {
  return count === 1 ? `${startLine}` : `${startLine},${count}`;
}

/** The `@@` header and lines of each hunk, as `diff -u` prints them (without file headers). */
export function unifiedBody(before: string, after: string, context = 3): string[] {
  const out: string[] = [];
  for (const h of hunks(diffLines(splitLines(before), splitLines(after), context), context)) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const l of h.lines) out.push(`${l.op}${l.text}`);
  }
  return out;
}
