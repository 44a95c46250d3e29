/**
 * The network and disk window the chart-source code uses (HTTP chart
 * repositories, OCI registries, Helm's own config and cache). Front ends
 * implement it (server/net-host.ts for Node; tests may pass fakes); nothing in
 * engine/sources touches sockets or files directly.
 *
 * Contract: no method throws or rejects. Network failures come back as
 * `FetchFailure` values with a short `kind` and a readable `error`.
 */

/** One HTTP request. */
export interface FetchOptions {
  /** `GET` (default) or `HEAD`. */
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Deadline for the whole exchange (connect, headers and body); default 10 000 ms. */
  timeoutMs?: number;
  /** Largest body accepted, after gzip decoding; default 200 MB. */
  maxBytes?: number;
  /** Cancels the request; the result is then a failure of kind `aborted`. */
  signal?: AbortSignal;
  /** Redirects followed before giving up; default 10 (Go's http client). */
  maxRedirects?: number;
  /** Skip TLS certificate verification (only where the Flux spec allows `insecure`). Default false. */
  insecureSkipVerify?: boolean;
  /** Extra PEM CA certificates to trust (a HelmRepository's `certSecretRef` ca.crt). */
  caPem?: string;
}

export interface FetchResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Body after gzip/deflate decoding; empty for HEAD. */
  body: Uint8Array;
  /** Final URL after redirects. */
  url: string;
  /** Redirects that were followed. */
  redirects: number;
}

export type FetchFailureKind =
  | 'unreachable' // connection refused, reset, DNS
  | 'timeout'
  | 'too-large'
  | 'tls'
  | 'redirects' // too many redirects or a redirect without Location
  | 'aborted'
  | 'invalid-url'
  | 'protocol'; // malformed response, bad gzip

export interface FetchFailure {
  error: string;
  kind: FetchFailureKind;
  /** The URL that failed (the last one when redirects were followed). */
  url: string;
}

export type FetchResult = FetchResponse | FetchFailure;

export function isFetchFailure(r: FetchResult): r is FetchFailure {
  return (r as FetchFailure).error !== undefined;
}

/** What is stored next to a cached body. */
export interface CacheMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  /** Milliseconds since the epoch when the body was fetched or last revalidated. */
  fetchedAt: number;
  contentType?: string;
}

export interface CacheEntry {
  bytes: Uint8Array;
  meta: CacheMeta;
}

/**
 * What tells one version of a file from the next: `helm repo update` writes a
 * new file (new inode, change time and usually size). Compared whole.
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** Whether two stamps are of the same version of a file. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Network, cache and config access for chart sources. */
export interface SourceHost {
  fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
  /** The cached bytes for a key, or `undefined`. */
  readCache(key: string): Promise<CacheEntry | undefined>;
  /** Stores bytes for a key (best effort; failures are ignored). */
  writeCache(key: string, bytes: Uint8Array, meta: CacheMeta): Promise<void>;
  /** Reads a whole file (absolute path); `undefined` when missing or unreadable. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /**
   * The file's stamp; `undefined` when missing or unreadable. Optional, like
   * `readFileRange`: with both, a big repository index in Helm's cache is read
   * one chart at a time through a layout cached by an earlier run.
   */
  statFile?(path: string): Promise<FileStamp | undefined>;
  /**
   * Bytes [start, end) of a file (`end` absent: to its end), read
   * synchronously (a chart's lines, when a lookup needs them); with `stamp`,
   * only while the file still has that stamp. `undefined` when it changed,
   * is shorter or cannot be read.
   */
  readFileRange?(path: string, range: { start: number; end?: number; stamp?: FileStamp }): Uint8Array | undefined;
  /**
   * Optional: the file (which must have `stamp`) in consecutive pieces of
   * `pieceBytes` (the last shorter), the next one read ahead while the caller
   * works on the current one. A piece's bytes may be reused for the piece
   * after the next. `undefined` is yielded (and the pieces end) when the file
   * changed or cannot be read. Without it, a first read goes piece by piece
   * through `readFileRange`.
   */
  readFilePieces?(path: string, stamp: FileStamp, pieceBytes: number): AsyncIterable<Uint8Array | undefined>;
  env(name: string): string | undefined;
  /** Milliseconds since the epoch. */
  now(): number;
  /** `process.platform` style name; decides Helm's default config/cache folders. Default `linux`. */
  platform?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;

const utf8 = new TextDecoder('utf-8');

/** Decodes UTF-8 bytes (a leading BOM is dropped). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** `a/b` joining for POSIX-style and Windows paths built from env values. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .join('/');
}
