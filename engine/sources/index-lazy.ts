/**
 * Reading a big Helm repository index one chart at a time.
 *
 * Resolving one HelmRelease needs one chart's versions, yet a public index
 * holds hundreds of charts (53 MB for 60 000 versions): scanning all of it
 * costs most of a cold `fluxhelm resolve` and most of its memory. For an
 * index of at least 1 MB in the block layout Helm writes, `parseIndexBytes`
 * makes one pass over the bytes to find where `entries:` starts and ends and
 * where each chart name sits at the chart indentation, checks the top-level
 * keys with the scanner, and returns an index whose `charts.get(name)`
 * decodes and scans only that chart's lines (cached). Everything else
 * (`keys()`, `size`, iteration, a name that is not there, a name that would
 * need quoting) falls back to the full reader of index-scan.ts, once, so
 * completion of chart names and "did you mean" still see every chart.
 *
 * A layout the pass does not understand (tabs, a byte-order mark, document
 * markers, quoted chart names, JSON) goes to the full reader at once, so the
 * answer for a chart never depends on which path ran (see the differential
 * test in test/engine/sources-index-lazy.test.ts).
 *
 * The bytes come through `IndexBytes`: in memory, or a file read by range
 * (index-file.ts, with a layout an earlier run cached), so that a lookup
 * reads one chart's lines and never the whole file.
 */
import { parseIndex, scanIndex, type ChartIndex, type IndexEntry, type IndexParseResult } from './index-scan.ts';
import { decodeText } from './host.ts';

/** Below this size the full scan is cheap enough. */
export const LAZY_MIN_BYTES = 1 << 20;

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;

const ENTRIES = [...'entries:'].map((c) => c.charCodeAt(0));
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Where `entries:` is, and where each chart's lines start. */
export interface Layout {
  /** Start of the `entries:` line and of the line after it. */
  entriesLine: number;
  body: number;
  /** End of the entries block (start of the next top-level line, or the end). */
  end: number;
  /** Spaces before a chart name. */
  chartIndent: number;
  /** Chart name -> [start, end) of its lines, for plain names. */
  charts: Map<string, [number, number]>;
}

/** Where a lazy index reads its bytes. */
export interface IndexBytes {
  /** Bytes [start, end) of the version the layout was made from; undefined when that version is gone. */
  read(start: number, end: number): Uint8Array | undefined;
  /** All bytes of the current version (for the full reader). */
  whole(): Uint8Array | undefined;
  /** A chart's entries as an earlier run read them from the same version (index-file.ts), if known. */
  known?(name: string): IndexEntry[] | undefined;
  /** Told each chart's entries once its lines were read. */
  remember?(name: string, entries: IndexEntry[]): void;
}

/** In-memory bytes. */
export function memoryBytes(bytes: Uint8Array): IndexBytes {
  return { read: (start, end) => (end <= bytes.length ? bytes.subarray(start, end) : undefined), whole: () => bytes };
}

function startsWithAt(bytes: Uint8Array, at: number, word: number[]): boolean {
  if (at + word.length > bytes.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** The rest of a `key:` line holds nothing but spaces and a comment. */
function emptyValue(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === NL || c === CR || c === HASH) return true;
    if (c !== SPACE) return false;
  }
  return true;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/**
 * From the line starting at `ls`, the start of the first line that is not an
 * entry's content, or `n`. Content is a line deeper than `chartIndent` (at
 * least `chartIndent + 1` leading spaces) or a version's first line (`- ` at
 * the chart indentation, once that is known). Nearly every line of an index
 * is content: this loop skips them with one native newline search each
 * (`bytes` is a Node Buffer), and being small and on its own, it is
 * optimised early in the one pass a cold run makes.
 */
function skipDeeper(bytes: Uint8Array, ls: number, n: number, chartIndent: number): number {
  while (ls < n) {
    let k = 0;
    while (k <= chartIndent && bytes[ls + k] === SPACE) k++;
    if (k < chartIndent || (k === chartIndent && bytes[ls + k] !== DASH)) return ls;
    const nl = bytes.indexOf(NL, ls + k);
    if (nl < 0) return n;
    ls = nl + 1;
  }
  return n;
}

/**
 * The pass over an index's lines, fed the bytes whole or in pieces that end
 * at a line end (a file read piece by piece: index-file.ts); positions are
 * offsets in the whole. `feed` returns false when the layout is not the plain
 * block layout; `ended` is set at the first top-level line after `entries`
 * (the rest need not be fed).
 */
export class LayoutPass {
  private entriesLine = -1;
  private body = -1;
  private end = -1;
  private chartIndent = -1;
  private readonly charts = new Map<string, [number, number]>();
  private current: string | undefined;
  private currentStart = 0;
  private started = false;
  ended = false;

  private close(at: number): void {
    if (this.current !== undefined) this.charts.set(this.current, [this.currentStart, at]);
    this.current = undefined;
  }

  /** The lines of `bytes`, which sit at offset `base` of the whole. */
  feed(bytes: Uint8Array, base: number): boolean {
    if (this.ended) return true;
    const n = bytes.length;
    if (!this.started) {
      this.started = true;
      if (bytes[0] === 0xef || bytes[0] === 0x7b /* { */) return false; // BOM, JSON
    }
    const charts = this.charts;
    // Finding line ends is most of the work. Node's Buffer (what the Node host hands over)
    // searches with memchr: about 35 ns a line, a third of the word loop below, which stays
    // for plain Uint8Arrays (in-memory hosts), whose own indexOf is slower than the loop.
    const native = Object.getPrototypeOf(bytes) !== Uint8Array.prototype && typeof bytes.indexOf === 'function';
    // The word loop tests four bytes at a time for a newline
    // (a word has a zero byte after XOR with 0x0a0a0a0a exactly when it holds a `\n`).
    const head = (4 - (bytes.byteOffset & 3)) & 3; // first index whose address is 4-aligned
    const words = !native && n > head + 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset + head, (n - head) >> 2) : new Uint32Array(0);
    const nextNewline = (from: number): number => {
      if (native) {
        const at = bytes.indexOf(NL, from);
        return at < 0 ? n : at;
      }
      let i = from;
      while (i < n && ((i - head) & 3) !== 0) {
        if (bytes[i] === NL) return i;
        i++;
      }
      let w = (i - head) >> 2;
      while (w < words.length) {
        const x = words[w] ^ 0x0a0a0a0a;
        if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
        w++;
      }
      i = Math.max(i, head + (w << 2));
      while (i < n && bytes[i] !== NL) i++;
      return i;
    };
    let { entriesLine, body, chartIndent } = this;
    // Visit every line start (ls is local to `bytes`; base + ls in the whole).
    for (let ls = 0; ls < n; ) {
      if (native && chartIndent >= 0 && body >= 0 && base + ls >= body) {
        ls = skipDeeper(bytes, ls, n, chartIndent);
        if (ls >= n) break;
      }
      const c = bytes[ls];
      if (entriesLine < 0 || base + ls >= body) {
        if (c === TAB) return false;
        if (entriesLine < 0) {
          // Before entries: find the `entries:` line at column 0.
          if (startsWithAt(bytes, ls, ENTRIES) && emptyValue(bytes, ls + ENTRIES.length)) {
            entriesLine = base + ls;
          } else if (c === DASH || c === 0x25 /* % */ || c === 0x2e /* . */) {
            return false; // document markers, directives, a top-level sequence
          }
        } else if (c !== SPACE && c !== NL && c !== CR && c !== HASH) {
          // The first top-level line after entries ends the block.
          this.close(base + ls);
          this.end = base + ls;
          this.ended = true;
          break;
        } else if (c === SPACE) {
          // Most lines sit deeper than the chart names: look at no more than chartIndent + 1 bytes.
          let i = ls;
          const limit = chartIndent < 0 ? n : Math.min(n, ls + chartIndent + 1);
          while (i < limit && bytes[i] === SPACE) i++;
          const d = bytes[i];
          if (d === TAB) return false;
          if (i === limit && limit < n && bytes[i - 1] === SPACE && chartIndent >= 0) {
            // deeper than a chart name: an entry's content
          } else if (d !== NL && d !== CR && d !== HASH && i < n) {
            const indent = i - ls;
            if (chartIndent < 0) {
              if (d === DASH) return false; // entries is a sequence
              chartIndent = indent;
            }
            if (indent < chartIndent) return false;
            if (indent === chartIndent && d !== DASH) {
              // A chart name: `name:` with a plain name, else give up.
              let j = i;
              while (j < n && bytes[j] !== 0x3a /* : */ && bytes[j] !== NL) j++;
              if (bytes[j] !== 0x3a) return false;
              const name = ascii(bytes, i, j);
              if (!PLAIN_NAME.test(name) || charts.has(name) || name === this.current) return false;
              this.close(base + ls);
              this.current = name;
              this.currentStart = base + ls;
            }
          }
        }
      }
      const nl = nextNewline(ls);
      if (entriesLine >= 0 && body < 0) body = base + nl + 1;
      ls = nl + 1;
    }
    this.entriesLine = entriesLine;
    this.body = body;
    this.chartIndent = chartIndent;
    return true;
  }

  /** The layout, once everything up to `total` bytes (or the end of the entries block) was fed. */
  finish(total: number): Layout | undefined {
    const { entriesLine, body, chartIndent } = this;
    if (entriesLine < 0 || body < 0 || chartIndent < 0) return undefined;
    const end = this.ended ? this.end : total;
    this.close(end);
    return { entriesLine, body, end, chartIndent, charts: this.charts };
  }
}

/** One pass over the bytes; undefined when the layout is not the plain block layout. */
export function layoutOf(bytes: Uint8Array): Layout | undefined {
  const pass = new LayoutPass();
  return pass.feed(bytes, 0) ? pass.finish(bytes.length) : undefined;
}

/** A chart map that scans one chart on `get` and the whole index on anything else. */
class LazyCharts extends Map<string, IndexEntry[]> {
  private full = false;
  private readonly lookedUp = new Map<string, IndexEntry[] | undefined>();
  parser: ChartIndex['parser'] = 'scan';

  constructor(
    private readonly bytes: IndexBytes,
    private readonly layout: Layout,
    private readonly apiVersion: string,
  ) {
    super();
  }

  /** The full reader's charts, once. */
  private materialize(): void {
    if (this.full) return;
    this.full = true;
    const bytes = this.bytes.whole();
    if (!bytes) return;
    const parsed = parseIndex(decodeText(bytes));
    if (!parsed.ok) return;
    this.parser = parsed.index.parser;
    for (const [k, v] of parsed.index.charts) Map.prototype.set.call(this, k, v);
  }

  private one(name: string): IndexEntry[] | undefined | null {
    if (this.lookedUp.has(name)) return this.lookedUp.get(name);
    const span = this.layout.charts.get(name);
    if (!span) return null;
    const known = this.bytes.known?.(name);
    if (known) {
      this.lookedUp.set(name, known);
      return known;
    }
    const lines = this.bytes.read(span[0], span[1]);
    // The lines must start with the chart's own name line (a file read by range: still the same file).
    if (!lines || !startsWithAt(lines, 0, [...' '.repeat(this.layout.chartIndent), ...name, ':'].map((c) => c.charCodeAt(0)))) return null;
    const text = `apiVersion: ${this.apiVersion}\nentries:\n${decodeText(lines)}`;
    const scanned = scanIndex(text);
    if (!scanned || scanned.charts.size !== 1 || !scanned.charts.has(name)) return null;
    const entries = scanned.charts.get(name)!;
    this.lookedUp.set(name, entries);
    this.bytes.remember?.(name, entries);
    return entries;
  }

  override get(name: string): IndexEntry[] | undefined {
    if (!this.full) {
      const hit = this.one(name);
      if (hit !== null) return hit;
      this.materialize();
    }
    return super.get(name);
  }
  override has(name: string): boolean {
    if (!this.full && this.one(name) !== null) return true;
    this.materialize();
    return super.has(name);
  }
  override get size(): number {
    this.materialize();
    return super.size;
  }
  override keys(): MapIterator<string> {
    this.materialize();
    return super.keys();
  }
  override values(): MapIterator<IndexEntry[]> {
    this.materialize();
    return super.values();
  }
  override entries(): MapIterator<[string, IndexEntry[]]> {
    this.materialize();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, IndexEntry[]]> {
    return this.entries();
  }
  override forEach(fn: (value: IndexEntry[], key: string, map: Map<string, IndexEntry[]>) => void, thisArg?: unknown): void {
    this.materialize();
    super.forEach(fn, thisArg);
  }
  override set(key: string, value: IndexEntry[]): this {
    this.materialize();
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.materialize();
    return super.delete(key);
  }
  override clear(): void {
    this.materialize();
    super.clear();
  }
}

/** An index that reads charts through `bytes` at the places `layout` gives. */
export function lazyIndex(bytes: IndexBytes, layout: Layout, apiVersion: string): ChartIndex {
  const charts = new LazyCharts(bytes, layout, apiVersion);
  return {
    apiVersion,
    charts,
    get parser() {
      return charts.parser;
    },
  };
}

/** A lazily read index, with the layout and apiVersion it was made from (what index-file.ts caches). */
export interface LazyRead {
  result: IndexParseResult;
  lazy?: { layout: Layout; apiVersion: string };
}

/** `parseIndexBytes`, also telling whether the lazy reader took the index and with which layout. */
export function readIndexBytes(bytes: Uint8Array, minBytes = LAZY_MIN_BYTES): LazyRead {
  if (bytes.length < minBytes) return { result: parseIndex(decodeText(bytes)) };
  const layout = layoutOf(bytes);
  if (!layout) return { result: parseIndex(decodeText(bytes)) };
  const apiVersion = topLevelApiVersion(bytes.subarray(0, layout.entriesLine), bytes.subarray(layout.end));
  if (!apiVersion) return { result: parseIndex(decodeText(bytes)) };
  return { result: { ok: true, index: lazyIndex(memoryBytes(bytes), layout, apiVersion) }, lazy: { layout, apiVersion } };
}

/**
 * The index's top level without its entries block (the bytes before and
 * after it), checked by the scanner: its apiVersion, or undefined when there
 * is none or the scanner does not take it.
 */
export function topLevelApiVersion(before: Uint8Array, after: Uint8Array): string | undefined {
  return scanIndex(`${decodeText(before)}entries: {}\n${decodeText(after)}`)?.apiVersion || undefined;
}

/**
 * Reads an index from its bytes: lazily per chart when it is big and in
 * Helm's block layout, with the full reader otherwise. Same results either
 * way. `minBytes` lets tests take the lazy path on small texts.
 */
export function parseIndexBytes(bytes: Uint8Array, minBytes = LAZY_MIN_BYTES): IndexParseResult {
  return readIndexBytes(bytes, minBytes).result;
}
