/**
 * Offset <-> line/character conversion for a file's text. Built once per
 * parse; lookups are binary searches, so mapping thousands of diagnostics in
 * a 40k-line file stays cheap.
 */
import type { Position, Range } from '../types.ts';

export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  offsetAt(pos: Position): number {
    if (pos.line >= this.lineStarts.length) return this.text.length;
    if (pos.line < 0) return 0;
    const start = this.lineStarts[pos.line];
    const next = pos.line + 1 < this.lineStarts.length ? this.lineStarts[pos.line + 1] : this.text.length + 1;
    return Math.min(start + Math.max(0, pos.character), next - 1, this.text.length);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, next).replace(/\r$/, '');
  }
}
