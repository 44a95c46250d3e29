/**
 * A line diff of two texts and its `diff -u` rendering, for the unified,
 * GitHub and HTML formats of rendered diffs. The edit script is a shortest
 * one (Myers' O(ND) algorithm after trimming the common head and tail);
 * hunks carry three lines of context and are merged when their context
 * overlaps, as GNU diff does. Past a bound on the number of edits the middle
 * part is reported as replaced whole, so a huge unrelated change stays cheap.
 */

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

const MAX_EDITS = 2000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script of a→b (deletions before insertions within a run of changes). */
export function diffLines(a: string[], b: string[]): DiffLine[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const out: DiffLine[] = a.slice(0, pre).map((text) => ({ op: ' ', text }));
  const mid = myers(am, bm) ?? [...am.map((text): DiffLine => ({ op: '-', text })), ...bm.map((text): DiffLine => ({ op: '+', text }))];
  out.push(...groupChanges(mid));
  for (const text of a.slice(a.length - suf)) out.push({ op: ' ', text });
  return out;
}

/** Within each run of changes, deletions first. */
function groupChanges(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = (): void => {
    out.push(...dels, ...adds);
    dels = [];
    adds = [];
  };
  for (const l of lines) {
    if (l.op === '-') dels.push(l);
    else if (l.op === '+') adds.push(l);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out;
}

function myers(a: string[], b: string[]): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: '+', text }));
  if (m === 0) return a.map((text) => ({ op: '-', text }));
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    // trace[d] holds V as it was before step d, indexed from k = -d-1.
    const vd = trace[d];
    const at = (k: number): number => vd[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      out.push({ op: ' ', text: a[x - 1] });
      x--;
      y--;
    }
    if (down) {
      out.push({ op: '+', text: b[y - 1] });
      y--;
    } else {
      out.push({ op: '-', text: a[x - 1] });
      x--;
    }
  }
  while (x > 0 && y > 0) {
    out.push({ op: ' ', text: a[x - 1] });
    x--;
    y--;
  }
  return out.reverse();
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
  for (const h of hunks(diffLines(splitLines(before), splitLines(after)), context)) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const l of h.lines) out.push(`${l.op}${l.text}`);
  }
  return out;
}
