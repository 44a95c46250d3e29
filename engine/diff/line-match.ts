/**
 * Which lines of two texts are deleted and inserted, chosen the way GNU
 * diff chooses them, so that fluxhelm's unified diffs show the same hunks a
 * reviewer gets from `diff -u` (or `git diff`-like tools built on it):
 *
 * 1. Lines equal at the start and the end of both texts are set aside,
 *    except for `horizon` lines next to the changes (GNU keeps as many as
 *    the context so that step 4 may slide changes into them).
 * 2. Lines of one text that never occur in the other are marked changed
 *    up front and hidden from the search; lines that occur very often in
 *    the other text are hidden too when they sit inside a run of such
 *    unique lines (GNU's "confusing lines").
 * 3. The rest is compared by Myers' divide-and-conquer search for the
 *    middle of a shortest edit script, searching from both ends at once; a
 *    search that runs past about the square root of the input gives up with
 *    the best point found so far, which keeps huge changes cheap.
 * 4. Runs of changes are slid down (or up to join a neighbouring run) over
 *    identical lines, so a change ends where a reader expects it to.
 */

export interface LineChanges {
  /** 1 for each line of the first text that is deleted. */
  deleted: Uint8Array;
  /** 1 for each line of the second text that is inserted. */
  inserted: Uint8Array;
}

/** Numbers standing for lines: equal lines get equal numbers. */
function classify(a: string[], b: string[], from: [number, number], to: [number, number]): [Int32Array, Int32Array, number] {
  const ids = new Map<string, number>();
  const number = (lines: string[], lo: number, hi: number): Int32Array => {
    const out = new Int32Array(hi - lo);
    for (let i = lo; i < hi; i++) {
      let id = ids.get(lines[i]);
      if (id === undefined) {
        id = ids.size + 1;
        ids.set(lines[i], id);
      }
      out[i - lo] = id;
    }
    return out;
  };
  const x = number(a, from[0], to[0]);
  const y = number(b, from[1], to[1]);
  return [x, y, ids.size + 1];
}

/** 2 + the integer part of a quarter-power step: GNU's rough square roots. */
function roughRoot(n: number, start: number): number {
  let r = start;
  for (let t = n; (t = Math.floor(t / 4)) > 0; ) r *= 2;
  return r;
}

/**
 * Step 2: 0 keep, 1 hide (no match in the other text). Lines with many
 * matches are hidden only inside runs of unique lines, per GNU's rules.
 */
function hiddenLines(own: Int32Array, otherCount: Int32Array): Uint8Array {
  const n = own.length;
  const mark = new Uint8Array(n);
  const many = roughRoot(Math.floor(n / 64), 5);
  for (let i = 0; i < n; i++) {
    const m = otherCount[own[i]];
    if (m === 0) mark[i] = 1;
    else if (m > many) mark[i] = 2;
  }
  for (let i = 0; i < n; i++) {
    if (mark[i] === 2) {
      mark[i] = 0;
      continue;
    }
    if (mark[i] === 0) continue;
    // A run of hideable lines starting with a unique one.
    let end = i;
    let frequent = 0;
    while (end < n && mark[end] !== 0) {
      if (mark[end] === 2) frequent++;
      end++;
    }
    while (end > i && mark[end - 1] === 2) {
      mark[--end] = 0;
      frequent--;
    }
    const length = end - i;
    if (frequent * 4 > length) {
      for (let j = i; j < end; j++) if (mark[j] === 2) mark[j] = 0;
    } else {
      const minimum = roughRoot(length >> 2, 1) + 1;
      // Sub-runs of `minimum` or more frequent lines stay visible.
      let consec = 0;
      for (let j = 0; j < length; j++) {
        if (mark[i + j] !== 2) consec = 0;
        else if (++consec === minimum) j -= consec;
        else if (consec > minimum) mark[i + j] = 0;
      }
      // Near both ends of the run, frequent lines stay visible until three unique ones in a row.
      const trim = (at: (j: number) => number): void => {
        let run = 0;
        for (let j = 0; j < length; j++) {
          const k = at(j);
          if (j >= 8 && mark[k] === 1) break;
          if (mark[k] === 2) {
            run = 0;
            mark[k] = 0;
          } else if (mark[k] === 0) run = 0;
          else run++;
          if (run === 3) break;
        }
      };
      trim((j) => i + j);
      trim((j) => i + length - 1 - j);
      i += length - 1;
    }
  }
  return mark;
}

interface Search {
  x: Int32Array;
  y: Int32Array;
  fwd: Int32Array;
  bwd: Int32Array;
  /** Index offset so that diagonal d lives at [d + shift]. */
  shift: number;
  tooExpensive: number;
  xChanged: (i: number) => void;
  yChanged: (i: number) => void;
}

const BIG = 0x3fffffff;

/** Step 3's split point of x[xlo,xhi) against y[ylo,yhi) (both ends differ). */
function middle(s: Search, xlo: number, xhi: number, ylo: number, yhi: number, minimal: boolean): [number, number, boolean, boolean] {
  const { x, y, fwd, bwd, shift: o } = s;
  const dmin = xlo - yhi;
  const dmax = xhi - ylo;
  const fmid = xlo - ylo;
  const bmid = xhi - yhi;
  let fmin = fmid;
  let fmax = fmid;
  let bmin = bmid;
  let bmax = bmid;
  const odd = ((fmid - bmid) & 1) !== 0;
  fwd[fmid + o] = xlo;
  bwd[bmid + o] = xhi;
  for (let cost = 1; ; cost++) {
    if (fmin > dmin) fwd[--fmin - 1 + o] = -1;
    else fmin++;
    if (fmax < dmax) fwd[++fmax + 1 + o] = -1;
    else fmax--;
    for (let d = fmax; d >= fmin; d -= 2) {
      const lo = fwd[d - 1 + o];
      const hi = fwd[d + 1 + o];
      let i = lo < hi ? hi : lo + 1;
      let j = i - d;
      while (i < xhi && j < yhi && x[i] === y[j]) {
        i++;
        j++;
      }
      fwd[d + o] = i;
      if (odd && bmin <= d && d <= bmax && bwd[d + o] <= i) return [i, j, true, true];
    }
    if (bmin > dmin) bwd[--bmin - 1 + o] = BIG;
    else bmin++;
    if (bmax < dmax) bwd[++bmax + 1 + o] = BIG;
    else bmax--;
    for (let d = bmax; d >= bmin; d -= 2) {
      const lo = bwd[d - 1 + o];
      const hi = bwd[d + 1 + o];
      let i = lo < hi ? lo : hi - 1;
      let j = i - d;
      while (i > xlo && j > ylo && x[i - 1] === y[j - 1]) {
        i--;
        j--;
      }
      bwd[d + o] = i;
      if (!odd && fmin <= d && d <= fmax && i <= fwd[d + o]) return [i, j, true, true];
    }
    if (minimal || cost < s.tooExpensive) continue;
    // Too expensive: take whichever search got further.
    let fBestSum = -1;
    let fBestX = 0;
    for (let d = fmax; d >= fmin; d -= 2) {
      let i = Math.min(fwd[d + o], xhi);
      let j = i - d;
      if (yhi < j) {
        i = yhi + d;
        j = yhi;
      }
      if (fBestSum < i + j) {
        fBestSum = i + j;
        fBestX = i;
      }
    }
    let bBestSum = BIG;
    let bBestX = 0;
    for (let d = bmax; d >= bmin; d -= 2) {
      let i = Math.max(xlo, bwd[d + o]);
      let j = i - d;
      if (j < ylo) {
        i = ylo + d;
        j = ylo;
      }
      if (i + j < bBestSum) {
        bBestSum = i + j;
        bBestX = i;
      }
    }
    if (xhi + yhi - bBestSum < fBestSum - (xlo + ylo)) return [fBestX, fBestSum - fBestX, true, false];
    return [bBestX, bBestSum - bBestX, false, true];
  }
}

function compare(s: Search, xlo: number, xhi: number, ylo: number, yhi: number, minimal: boolean): void {
  // An explicit stack instead of recursion: deep splits must not overflow.
  const todo: [number, number, number, number, boolean][] = [[xlo, xhi, ylo, yhi, minimal]];
  while (todo.length) {
    let [x0, x1, y0, y1, min] = todo.pop() as [number, number, number, number, boolean];
    while (x0 < x1 && y0 < y1 && s.x[x0] === s.y[y0]) {
      x0++;
      y0++;
    }
    while (x1 > x0 && y1 > y0 && s.x[x1 - 1] === s.y[y1 - 1]) {
      x1--;
      y1--;
    }
    if (x0 === x1) for (let j = y0; j < y1; j++) s.yChanged(j);
    else if (y0 === y1) for (let i = x0; i < x1; i++) s.xChanged(i);
    else {
      const [xm, ym, loMin, hiMin] = middle(s, x0, x1, y0, y1, min);
      todo.push([xm, x1, ym, y1, hiMin]);
      todo.push([x0, xm, y0, ym, loMin]);
    }
  }
}

/** Step 4 on one side; `changed` and `other` carry a 0 sentinel before and after. */
function slide(changed: Uint8Array, other: Uint8Array, ids: Int32Array): void {
  // Index k of the texts is [k + 1] in the flag arrays.
  const c = (k: number): number => changed[k + 1];
  const set = (k: number, v: number): void => {
    changed[k + 1] = v;
  };
  const oc = (k: number): number => other[k + 1];
  const end = ids.length;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < end && !c(i)) {
      while (oc(j++));
      i++;
    }
    if (i === end) return;
    let start = i;
    while (c(++i));
    while (oc(j)) j++;
    let runLength: number;
    let corresponding: number;
    do {
      runLength = i - start;
      while (start && ids[start - 1] === ids[i - 1]) {
        set(--start, 1);
        set(--i, 0);
        while (c(start - 1)) start--;
        while (oc(--j));
      }
      corresponding = oc(j - 1) ? i : end;
      while (i !== end && ids[start] === ids[i]) {
        set(start++, 0);
        set(i++, 1);
        while (c(i)) i++;
        while (oc(++j)) corresponding = i;
      }
    } while (runLength !== i - start);
    while (corresponding < i) {
      set(--start, 1);
      set(--i, 0);
      while (oc(--j));
    }
  }
}

/** The deleted and inserted lines of a→b as GNU diff would mark them. */
export function changedLines(a: string[], b: string[], horizon = 3): LineChanges {
  const deleted = new Uint8Array(a.length);
  const inserted = new Uint8Array(b.length);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  if (prefix === a.length && prefix === b.length) return { deleted, inserted };
  const lo = Math.max(0, prefix - horizon);
  let suffix = 0;
  const room = Math.min(a.length, b.length) - lo;
  while (suffix < room && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const keep = Math.max(0, suffix - horizon);
  const [xs, ys, classes] = classify(a, b, [lo, lo], [a.length - keep, b.length - keep]);
  const count = (v: Int32Array): Int32Array => {
    const out = new Int32Array(classes);
    for (const id of v) out[id]++;
    return out;
  };
  const xHidden = hiddenLines(xs, count(ys));
  const yHidden = hiddenLines(ys, count(xs));
  // Region flags with a 0 sentinel on each side, for step 4.
  const xFlags = new Uint8Array(xs.length + 2);
  const yFlags = new Uint8Array(ys.length + 2);
  const xReal: number[] = [];
  const yReal: number[] = [];
  const xv: number[] = [];
  const yv: number[] = [];
  xs.forEach((id, i) => {
    if (xHidden[i]) xFlags[i + 1] = 1;
    else {
      xReal.push(i);
      xv.push(id);
    }
  });
  ys.forEach((id, i) => {
    if (yHidden[i]) yFlags[i + 1] = 1;
    else {
      yReal.push(i);
      yv.push(id);
    }
  });
  const diags = xv.length + yv.length + 3;
  let tooExpensive = 1;
  for (let d = diags; d !== 0; d = Math.floor(d / 4)) tooExpensive *= 2;
  const search: Search = {
    x: Int32Array.from(xv),
    y: Int32Array.from(yv),
    fwd: new Int32Array(2 * diags + 2),
    bwd: new Int32Array(2 * diags + 2),
    shift: yv.length + 1,
    tooExpensive: Math.max(4096, tooExpensive),
    xChanged: (i) => {
      xFlags[xReal[i] + 1] = 1;
    },
    yChanged: (i) => {
      yFlags[yReal[i] + 1] = 1;
    },
  };
  compare(search, 0, xv.length, 0, yv.length, false);
  slide(xFlags, yFlags, xs);
  slide(yFlags, xFlags, ys);
  for (let i = 0; i < xs.length; i++) deleted[lo + i] = xFlags[i + 1];
  for (let i = 0; i < ys.length; i++) inserted[lo + i] = yFlags[i + 1];
  return { deleted, inserted };
}
