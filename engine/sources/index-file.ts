/**
 * A repository index read from a file (Helm's repository cache) without
 * reading all of it on every run.
 *
 * The lazy reader (index-lazy.ts) needs one pass over the whole index to find
 * where each chart's lines are; for a 52 MB index, reading the file and that
 * pass are most of a cold `fluxhelm resolve`. The pass's result (the layout:
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
import { decodeText, type FileStamp, type SourceHost } from './host.ts';
import type { IndexParseResult } from './index-scan.ts';
import { lazyIndex, readIndexBytes, type IndexBytes, type Layout } from './index-lazy.ts';

const VERSION = 1;
const RACY_MS = 2_000;

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
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The layout of a cached record, when it is well formed and fits a file of this stamp. */
function layoutFrom(record: unknown, path: string, stamp: FileStamp): { layout: Layout; apiVersion: string } | undefined {
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
  return { layout: { entriesLine, body, end, chartIndent, charts }, apiVersion: r.apiVersion };
}

function recordOf(path: string, stamp: FileStamp, layout: Layout, apiVersion: string): LayoutRecord {
  const { entriesLine, body, end, chartIndent } = layout;
  return { version: VERSION, path, stamp, apiVersion, entriesLine, body, end, chartIndent, charts: [...layout.charts].map(([name, [from, to]]) => [name, from, to]) };
}

/** A file system with whole-second times could rewrite the file without changing its stamp in this window. */
function racy(stamp: FileStamp, now: number): boolean {
  const coarse = stamp.mtimeMs % 1000 === 0 && stamp.ctimeMs % 1000 === 0;
  return coarse && now - Math.max(stamp.mtimeMs, stamp.ctimeMs) < RACY_MS;
}

/**
 * Reads the index in the file at `path`: undefined when the file is missing
 * or unreadable. `minBytes` is the lazy reader's size threshold (tests).
 */
export async function readIndexFile(host: SourceHost, path: string, minBytes?: number): Promise<IndexParseResult | undefined> {
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
    if (known) {
      const bytes: IndexBytes = {
        read: (start, end) => readFileRange.call(host, path, { start, end, stamp }),
        // The full reader reads the file as it is now, whichever version that is.
        whole: () => readFileRange.call(host, path, { start: 0 }),
      };
      return { ok: true, index: lazyIndex(bytes, known.layout, known.apiVersion) };
    }
  }
  const bytes = await host.readFile(path);
  if (!bytes) return undefined;
  const read = readIndexBytes(bytes, minBytes);
  if (read.lazy && bytes.length === stamp.size) {
    const after = await statFile.call(host, path);
    if (after && sameStamp(after, stamp) && !racy(stamp, host.now())) {
      const record = recordOf(path, stamp, read.lazy.layout, read.lazy.apiVersion);
      await host.writeCache(key, new TextEncoder().encode(JSON.stringify(record)), { url: `file://${path}`, fetchedAt: host.now() });
    }
  }
  return read.result;
}
