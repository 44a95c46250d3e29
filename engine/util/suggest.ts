/**
 * "Did you mean" suggestions: the closest candidates by edit distance
 * (transpositions count as one edit, case differences are cheap).
 */

function distance(a: string, b: string): number {
  const al = a.length;
  const bl = b.length;
  const d: number[][] = Array.from({ length: al + 1 }, (_, i) => [i, ...new Array<number>(bl).fill(0)]);
  for (let j = 1; j <= bl; j++) d[0][j] = j;
  for (let i = 1; i <= al; i++) {
    for (let j = 1; j <= bl; j++) {
      const ca = a[i - 1];
      const cb = b[j - 1];
      const cost = ca === cb ? 0 : ca.toLowerCase() === cb.toLowerCase() ? 0.5 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && ca === b[j - 2] && a[i - 2] === cb) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[al][bl];
}

/** Candidates close enough to `word` to be a likely typo, best first. */
export function suggest(word: string, candidates: Iterable<string>, max = 1): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const scored: { c: string; d: number }[] = [];
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (c === word) continue;
    // The edit distance is at least the length difference: skip what cannot be close (a cheap test first).
    const prefixMatch = word.length >= 4 && c.toLowerCase().startsWith(lower);
    if (!prefixMatch && Math.abs(c.length - word.length) > limit && c.toLowerCase() !== lower) continue;
    const dist = distance(word, c);
    // A shortened name ("HelmRepo" for "HelmRepository") is a likely slip too.
    const prefix = word.length >= 4 && c.toLowerCase().startsWith(word.toLowerCase());
    if (dist <= limit || c.toLowerCase() === word.toLowerCase() || prefix) scored.push({ c, d: prefix ? Math.min(dist, limit) : dist });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}

/** " — did you mean `x`?" or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const [best] = suggest(word, candidates);
  return best !== undefined ? ` — did you mean \`${best}\`?` : '';
}
