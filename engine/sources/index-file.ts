/**
 * A repository index read from a file (Helm's repository cache) without
 * reading all of it on every run.
 *
 * The lazy reader (index-lazy.ts) needs one pass over the whole index to find
 * where each chart's lines are; for a 52 MB index, reading the file and that
 * pass are most of a cold `fluxhelm resolve`. A first read makes the pass
 * over pieces of the file (4 MiB, read ahead when the host can) instead of holding all of
 * it in memory, and the index it returns reads charts by range too. The
 * pass's result (the layout:
 * where `entries:` is and each chart's byte range, plus the top-level
 * apiVersion) is small, so it is kept in the source cache under the file's
 * path with the file's stamp (size, inode, modification and change times).
 * A later run whose file still has that stamp reads the layout and, for a
 * lookup, only that chart's bytes (`readFileRange`, which checks the stamp
 * again); anything else (every chart name, a name the layout does not have)
 * reads the whole current file with the full reader, as before.
 *
 * A layout is cached only when the file had the same stamp before and after
 * it was read, and not when the file changed within the last two seconds on
 * a file system without sub-second times (a rewrite within the same second
 * and of the same size would keep the stamp). A cached layout that does not
 * fit the file (ranges past its end, a range that does not start with its
 * chart's name) is not used. Hosts without `statFile`/`readFileRange` read
 * the file whole each time, as before.
 */
import { decodeText, sameStamp, type FileStamp, type SourceHost } from './host.ts';
import type { IndexEntry, IndexParseResult } from './index-scan.ts';
import { LAZY_MIN_BYTES, LayoutPass, lazyIndex, readIndexBytes, topLevelApiVersion, type IndexBytes, type Layout } from './index-lazy.ts';

const VERSION = 1;
const RACY_MS = 2_000;
/** Pieces a big file is read in on its first read. */
const PIECE = 4 << 20;
/** Entries of looked-up charts kept with a layout, at most (a few charts of a big repository). */
const MAX_KNOWN_ENTRIES = 5_000;

/** The cache key of a file's layout. */
export function layoutCacheKey(path: string): string {
  return `index-layout\0${path}`;
}

interface LayoutRecord {
  version: number;
  path: string;
  stamp: FileStamp;
  apiVersion: string;
  entriesLine: number;
  body: number;
  end: number;
  chartIndent: number;
  /** [name, start, end] per chart, in file order. */
  charts: [string, number, number][];
  /** Entries of the charts runs looked up, as the scanner read them from this version. */
  known?: [string, IndexEntry[]][];
}

interface KnownLayout {
  layout: Layout;
  apiVersion: string;
  known: Map<string, IndexEntry[]>;
}

const OPTIONAL_FIELDS = ['created', 'appVersion', 'digest'] as const;

/** Entries as the scanner makes them (strings; urls a list of strings), else undefined. */
function entriesFrom(value: unknown): IndexEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const e of value as unknown[]) {
    if (typeof e !== 'object' || e === null || typeof (e as IndexEntry).version !== 'string') return undefined;
    const entry = e as Record<string, unknown>;
    for (const k of Object.keys(entry)) {
      const v = entry[k];
      if (k === 'urls') {
        if (!Array.isArray(v) || !v.every((u) => typeof u === 'string')) return undefined;
      } else if (k !== 'version' && !(OPTIONAL_FIELDS as readonly string[]).includes(k)) return undefined;
      else if (typeof v !== 'string') return undefined;
    }
  }
  return value as IndexEntry[];
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The layout of a cached record, when it is well formed and fits a file of this stamp. */
function layoutFrom(record: unknown, path: string, stamp: FileStamp): KnownLayout | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Partial<LayoutRecord>;
  if (r.version !== VERSION || r.path !== path || typeof r.apiVersion !== 'string' || r.apiVersion === '') return undefined;
  const s = r.stamp;
  if (typeof s !== 'object' || s === null || !sameStamp(s, stamp)) return undefined;
  const { entriesLine, body, end, chartIndent } = r;
  if (!isCount(entriesLine) || !isCount(body) || !isCount(end) || !isCount(chartIndent) || !(entriesLine < body && body <= end && end <= stamp.size)) return undefined;
  if (!Array.isArray(r.charts)) return undefined;
  const charts = new Map<string, [number, number]>();
  let last = body;
  for (const c of r.charts as unknown[]) {
    if (!Array.isArray(c) || c.length !== 3) return undefined;
    const [name, from, to] = c as unknown[];
    if (typeof name !== 'string' || !isCount(from) || !isCount(to) || from < last || to < from || to > end || charts.has(name)) return undefined;
    charts.set(name, [from, to]);
    last = to;
  }
  // Entries read before: any that do not look like the scanner's are not used (the layout still is).
  const known = new Map<string, IndexEntry[]>();
  for (const k of Array.isArray(r.known) ? (r.known as unknown[]) : []) {
    if (!Array.isArray(k) || k.length !== 2 || typeof k[0] !== 'string' || !charts.has(k[0])) continue;
    const entries = entriesFrom(k[1]);
    if (entries) known.set(k[0], entries);
  }
  return { layout: { entriesLine, body, end, chartIndent, charts }, apiVersion: r.apiVersion, known };
}

function recordOf(path: string, stamp: FileStamp, { layout, apiVersion, known }: KnownLayout): LayoutRecord {
  const { entriesLine, body, end, chartIndent } = layout;
  const charts: [string, number, number][] = [...layout.charts].map(([name, [from, to]]) => [name, from, to]);
  return { version: VERSION, path, stamp, apiVersion, entriesLine, body, end, chartIndent, charts, known: [...known] };
}

/** A file system with whole-second times could rewrite the file without changing its stamp in this window. */
function racy(stamp: FileStamp, now: number): boolean {
  const coarse = stamp.mtimeMs % 1000 === 0 && stamp.ctimeMs % 1000 === 0;
  return coarse && now - Math.max(stamp.mtimeMs, stamp.ctimeMs) < RACY_MS;
}

/** Size thresholds, for tests: the lazy reader's and the size of the pieces a first read takes. */
export interface IndexFileOptions {
  minBytes?: number;
  pieceBytes?: number;
}

/** Reads the index in the file at `path`: undefined when the file is missing or unreadable. */
export async function readIndexFile(host: SourceHost, path: string, options: IndexFileOptions = {}): Promise<IndexParseResult | undefined> {
  const { minBytes = LAZY_MIN_BYTES, pieceBytes = PIECE } = options;
  const { statFile, readFileRange } = host;
  if (!statFile || !readFileRange) {
    const bytes = await host.readFile(path);
    return bytes && readIndexBytes(bytes, minBytes).result;
  }
  const stamp = await statFile.call(host, path);
  if (!stamp) return undefined;
  const key = layoutCacheKey(path);
  const cached = await host.readCache(key);
  if (cached) {
    let record: unknown;
    try {
      record = JSON.parse(decodeText(cached.bytes));
    } catch {
      record = undefined;
    }
    const known = layoutFrom(record, path, stamp);
    if (known) return { ok: true, index: lazyIndex(fileBytes(host, path, stamp, known), known.layout, known.apiVersion) };
  }
  const layout = stamp.size >= minBytes ? await streamLayout(path, stamp, host, pieceBytes) : undefined;
  if (layout) {
    const streamed: KnownLayout = { ...layout, known: new Map() };
    const cache = !racy(stamp, host.now());
    if (cache) await writeRecord(host, path, stamp, streamed);
    return { ok: true, index: lazyIndex(fileBytes(host, path, stamp, cache ? streamed : undefined), streamed.layout, streamed.apiVersion) };
  }
  // Not the block layout (or the file changed while read): the whole file, as before.
  const bytes = await host.readFile(path);
  if (!bytes) return undefined;
  return readIndexBytes(bytes, minBytes).result;
}

type RangeReader = NonNullable<SourceHost['readFileRange']>;

function writeRecord(host: SourceHost, path: string, stamp: FileStamp, known: KnownLayout): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(recordOf(path, stamp, known)));
  return host.writeCache(layoutCacheKey(path), bytes, { url: `file://${path}`, fetchedAt: host.now() });
}

/**
 * The bytes of one version of a file, by range; the full reader reads the
 * file as it is now. With a cached layout (`cached`), the entries of charts
 * read before are answered from it, and a newly read chart's entries are
 * added to it (up to MAX_KNOWN_ENTRIES), so the next run does not scan it.
 */
function fileBytes(host: SourceHost, path: string, stamp: FileStamp, cached?: KnownLayout): IndexBytes {
  const readFileRange = host.readFileRange!.bind(host);
  return {
    read: (start, end) => readFileRange(path, { start, end, stamp }),
    // The full reader reads the file as it is now, whichever version that is.
    whole: () => readFileRange(path, { start: 0 }),
    known: (name) => cached?.known.get(name),
    remember: (name, entries) => {
      if (!cached || cached.known.has(name)) return;
      let count = entries.length;
      for (const list of cached.known.values()) count += list.length;
      if (count > MAX_KNOWN_ENTRIES) return;
      cached.known.set(name, entries);
      void writeRecord(host, path, stamp, cached);
    },
  };
}

/** Lines longer than this end a first read in pieces (the caller reads the file whole). */
const MAX_CARRIED_LINE = 1 << 20;

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The pass fed from pieces of the file cut anywhere (the host's read-ahead,
 * or ranges): the part of a line at a piece's end is kept (copied: the host
 * may reuse its buffers) and fed with the start of the next piece. False
 * when the layout is not the plain block layout, a line is longer than
 * 1 MiB, or the file changed.
 */
async function feedPieces(pass: LayoutPass, stamp: FileStamp, pieces: AsyncIterable<Uint8Array | undefined>): Promise<boolean> {
  let pos = 0; // bytes received so far
  let carry: Uint8Array | undefined; // a line's start, at offset pos - carry.length
  for await (const piece of pieces) {
    if (!piece) return false;
    let bytes = piece;
    let base = pos;
    pos += piece.length;
    if (carry) {
      const nl = piece.indexOf(10);
      if (nl < 0 && pos < stamp.size) {
        carry = joined(carry, piece);
        if (carry.length > MAX_CARRIED_LINE) return false;
        continue;
      }
      const end = nl < 0 ? piece.length : nl + 1;
      if (!pass.feed(joined(carry, piece.subarray(0, end)), base - carry.length)) return false;
      carry = undefined;
      if (pass.ended) return true;
      bytes = piece.subarray(end);
      base += end;
    }
    const cut = pos >= stamp.size ? bytes.length : bytes.lastIndexOf(10) + 1;
    if (cut < bytes.length) carry = new Uint8Array(bytes.subarray(cut)); // a copy (a Buffer's slice is a view)
    if (cut > 0 && !pass.feed(cut === bytes.length ? bytes : bytes.subarray(0, cut), base)) return false;
    if (pass.ended) return true;
  }
  return pos === stamp.size && carry === undefined;
}

/** Consecutive pieces read by range, for hosts that do not read ahead; undefined (and the end) when a read fails. */
async function* rangePieces(readFileRange: RangeReader, path: string, stamp: FileStamp, pieceBytes: number): AsyncGenerator<Uint8Array | undefined> {
  for (let pos = 0; pos < stamp.size; pos += pieceBytes) {
    const piece = readFileRange(path, { start: pos, end: Math.min(stamp.size, pos + pieceBytes), stamp });
    yield piece;
    if (!piece) return;
  }
}

/**
 * The lazy reader's pass over the file in pieces, so the whole file is never
 * in memory at once (read ahead by the host when it can, else piece by piece
 * by range); then the top level outside the entries block. Undefined when the
 * layout is not the plain block layout, a line is longer than 1 MiB or the
 * file changed while it was read (the caller reads it whole).
 */
async function streamLayout(path: string, stamp: FileStamp, host: SourceHost, pieceBytes: number): Promise<Omit<KnownLayout, 'known'> | undefined> {
  const readFileRange = host.readFileRange!.bind(host);
  const pass = new LayoutPass();
  const pieces = host.readFilePieces ? host.readFilePieces(path, stamp, pieceBytes) : rangePieces(readFileRange, path, stamp, pieceBytes);
  const fed = await feedPieces(pass, stamp, pieces);
  if (!fed) return undefined;
  const layout = pass.finish(stamp.size);
  if (!layout) return undefined;
  // The top level without the entries block, checked by the scanner (apiVersion, layout), as readIndexBytes does.
  const before = readFileRange(path, { start: 0, end: layout.entriesLine, stamp });
  const after = readFileRange(path, { start: layout.end, end: stamp.size, stamp });
  const apiVersion = before && after ? topLevelApiVersion(before, after) : undefined;
  return apiVersion ? { layout, apiVersion } : undefined;
}
