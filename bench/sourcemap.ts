/**
 * Just enough of the source map format (v3, "mappings" in base64 VLQ) to turn
 * a position in the bundled dist/server.js into the TypeScript file and line
 * it came from, so CPU profiles name engine/… sources instead of bundle
 * offsets. No dependency; lookups are by binary search per generated line.
 */
import { readFileSync } from 'node:fs';

interface Segment {
  column: number;
  source: number;
  line: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment ("AAgBC") into its numbers. */
function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) throw new Error(`bad VLQ character ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      const negative = value & 1;
      value >>>= 1;
      out.push(negative ? -value : value);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

export class SourceMap {
  private readonly lines: Segment[][] = [];
  readonly sources: string[];

  constructor(json: { sources: string[]; mappings: string }) {
    this.sources = json.sources;
    let source = 0;
    let line = 0;
    for (const generated of json.mappings.split(';')) {
      const segments: Segment[] = [];
      let column = 0;
      if (generated) {
        for (const part of generated.split(',')) {
          const v = decodeVlq(part);
          column += v[0];
          if (v.length >= 4) {
            source += v[1];
            line += v[2];
            segments.push({ column, source, line });
          }
        }
      }
      this.lines.push(segments);
    }
  }

  static load(path: string): SourceMap {
    return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as { sources: string[]; mappings: string });
  }

  /** Original `source:line` (1-based line) for a 0-based generated line and column. */
  lookup(line: number, column: number): { source: string; line: number } | undefined {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid].column <= column) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const s = segs[Math.max(best, 0)];
    return { source: this.sources[s.source].replace(/^(\.\.\/)+/, ''), line: s.line + 1 };
  }
}
