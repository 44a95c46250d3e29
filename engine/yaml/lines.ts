/**
 * Offset <-> line/character conversion for a file's text. Built once per
 * parse; lookups are binary searches, so mapping thousands of diagnostics in
 * a 40k-line file stays cheap.
 *
 * Lines end where LSP says they do: at `\n`, `\r\n` or a lone `\r`. A
 * position past the end of its line means the end of that line (before
 * the line break), and positions are never negative or past the text.
 */
import type { Position, Range } from '../types.ts';

export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    if (text.indexOf('\r') === -1) {
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      const re = /\r\n?|\n/g;
      for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    let o = Number.isFinite(offset) ? Math.max(0, Math.min(Math.floor(offset), this.text.length)) : 0;
    // Between the \r and \n of a line break is no position: it is the end of the line.
    if (this.text[o] === '\n' && o > 0 && this.text[o - 1] === '\r') o--;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  /** Offset where `line`'s content ends (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    let end = this.lineStarts[line + 1] - 1;
    if (this.text[end] === '\n' && end > this.lineStarts[line] && this.text[end - 1] === '\r') end--;
    return end;
  }

  /** Never throws: a missing or malformed position counts as 0, lines past the end as the end. */
  offsetAt(pos: Position): number {
    const line = Number.isFinite(pos?.line) ? Math.floor(pos.line) : 0;
    const character = Number.isFinite(pos?.character) ? Math.floor(pos.character) : 0;
    if (line >= this.lineStarts.length) return this.text.length;
    if (line < 0) return 0;
    const start = this.lineStarts[line];
    return Math.min(start + Math.max(0, character), this.lineEnd(line));
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  lineText(line: number): string {
    const start = this.lineStarts[line];
    if (start === undefined) return '';
    return this.text.slice(start, this.lineEnd(line));
  }
}
