/**
 * Node implementation of the chart-source host (engine/sources/host.ts):
 * HTTP(S) with node:http/node:https, gzip/deflate decoding with node:zlib,
 * a small on-disk cache and file reads with node:fs.
 *
 * Robustness rules: one deadline covers connect, headers and the whole body
 * (a server that trickles bytes or never answers is cut off at `timeoutMs`);
 * bodies are counted after decoding and cut off at `maxBytes` (also defeats
 * gzip bombs); redirects are limited and drop `Authorization` when they leave
 * the original origin; TLS verification is on unless the caller asks for
 * `insecureSkipVerify`. Nothing here throws: failures are values.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { fill, readFilePieces, stampOf } from './file-pieces.ts';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  sameStamp,
  type CacheEntry,
  type CacheMeta,
  type FetchFailure,
  type FetchFailureKind,
  type FetchOptions,
  type FetchResult,
  type FileStamp,
  type SourceHost,
} from '../engine/index.ts';

export interface NetHostOptions {
  /** Folder for cached bodies; default `$FLUXHELM_CACHE/sources` or `~/.cache/fluxhelm/sources`. */
  cacheDir?: string;
  /** Environment lookup; default `process.env`. */
  env?: (name: string) => string | undefined;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH|ERR_CERT)/;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPIPE',
  'ECONNABORTED',
]);

function classify(err: NodeJS.ErrnoException): FetchFailureKind {
  const code = err.code ?? '';
  if (TLS_CODES.test(code) || (code === 'EPROTO' && /ssl|tls/i.test(err.message))) return 'tls';
  if (UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code.startsWith('HPE_')) return 'protocol';
  return 'unreachable';
}

function headerRecord(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/** One request without redirect handling; resolves with the response or a failure. */
function once(
  url: URL,
  options: FetchOptions,
  headers: Record<string, string>,
  deadline: number,
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array } | FetchFailure> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const method = options.method ?? 'GET';
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanups: (() => void)[] = [];
    const finish = (value: { status: number; headers: Record<string, string>; body: Uint8Array } | FetchFailure) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      for (const c of cleanups) c();
      resolve(value);
    };
    const fail = (kind: FetchFailureKind, error: string) => {
      finish({ kind, error, url: url.href });
      req.destroy();
    };
    const isHttps = url.protocol === 'https:';
    const send = isHttps ? httpsRequest : httpRequest;
    const tlsOptions = isHttps
      ? {
          rejectUnauthorized: !options.insecureSkipVerify,
          ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
        }
      : {};
    const req = send(url, { method, headers, agent: false, ...tlsOptions }, (res) => {
      const status = res.statusCode ?? 0;
      const resHeaders = headerRecord(res);
      if (method === 'HEAD' || status === 204 || status === 304 || REDIRECT_CODES.has(status)) {
        res.resume();
        finish({ status, headers: resHeaders, body: new Uint8Array(0) });
        req.destroy();
        return;
      }
      const declared = Number(resHeaders['content-length']);
      const encoding = (resHeaders['content-encoding'] ?? '').trim().toLowerCase();
      if (!encoding && Number.isFinite(declared) && declared > maxBytes) {
        fail('too-large', `response is ${declared} bytes, more than the ${maxBytes}-byte limit`);
        return;
      }
      let stream: NodeJS.ReadableStream = res;
      let decoder: Transform | undefined;
      if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
      else if (encoding === 'deflate') decoder = createInflate();
      else if (encoding && encoding !== 'identity') {
        fail('protocol', `unsupported content-encoding "${encoding}"`);
        return;
      }
      if (decoder) {
        const d = decoder;
        res.on('error', (e) => d.destroy(e));
        stream = res.pipe(d);
        cleanups.push(() => d.destroy());
      }
      // With a declared length the body is copied into one buffer as it arrives: no second
      // copy at the end, so a 52 MB index never needs twice its size in memory.
      let whole = !decoder && Number.isFinite(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
      let filled = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) {
          fail('too-large', `response body exceeds the ${maxBytes}-byte limit`);
          return;
        }
        if (whole && filled + chunk.length <= whole.length) {
          chunk.copy(whole, filled);
          filled += chunk.length;
          return;
        }
        if (whole) {
          chunks.push(whole.subarray(0, filled)); // more than declared: collect the rest as it comes
          whole = undefined;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (!res.complete && !decoder) {
          fail('protocol', 'connection closed before the response body was complete');
          return;
        }
        finish({
          status,
          headers: resHeaders,
          body: whole
            ? whole.subarray(0, filled)
            : chunks.length === 1
              ? chunks[0]
              : Buffer.concat(chunks, Math.min(total, maxBytes)),
        });
      });
      stream.on('error', (e: NodeJS.ErrnoException) => {
        const kind = classify(e);
        fail(
          kind === 'unreachable' && decoder ? 'protocol' : kind,
          `${kind === 'protocol' || decoder ? 'bad response body' : 'connection failed'}: ${e.message}`,
        );
      });
      res.on('aborted', () => fail('protocol', 'connection closed before the response body was complete'));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      const kind = classify(e);
      const what =
        kind === 'tls' ? 'TLS handshake failed' : kind === 'protocol' ? 'malformed response' : 'cannot connect';
      finish({ kind, error: `${what}: ${e.message}`, url: url.href });
    });
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      fail('timeout', 'timed out');
      return;
    }
    timer = setTimeout(
      () => fail('timeout', `no complete response within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`),
      remaining,
    );
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => fail('aborted', 'request cancelled');
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    req.end();
  });
}

async function netFetch(input: string, options: FetchOptions = {}): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { kind: 'invalid-url', error: `invalid URL "${input}"`, url: input };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      kind: 'invalid-url',
      error: `unsupported URL scheme "${url.protocol}" (http or https expected)`,
      url: input,
    };
  }
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const origin = url;
  let headers: Record<string, string> = {
    'accept-encoding': 'gzip, deflate',
    'user-agent': 'fluxhelm',
    ...lower(options.headers ?? {}),
  };
  let method = options.method ?? 'GET';
  for (let redirects = 0; ; redirects++) {
    if (url.username || url.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      url = new URL(url.href);
      url.username = '';
      url.password = '';
    }
    const r = await once(url, { ...options, method }, headers, deadline);
    if ('error' in r) return r;
    if (!REDIRECT_CODES.has(r.status)) return { ...r, url: url.href, redirects };
    const location = r.headers.location;
    if (!location)
      return { kind: 'redirects', error: `HTTP ${r.status} redirect without a Location header`, url: url.href };
    if (redirects >= maxRedirects)
      return { kind: 'redirects', error: `stopped after ${maxRedirects} redirects`, url: url.href };
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return { kind: 'redirects', error: `redirect to an invalid URL "${location}"`, url: url.href };
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      return { kind: 'redirects', error: `redirect to unsupported scheme "${next.protocol}"`, url: url.href };
    if (!sameOrigin(origin, next)) {
      headers = { ...headers };
      delete headers.authorization;
    }
    if (r.status === 303 && method !== 'HEAD') method = 'GET';
    url = next;
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/**
 * A whole file in as few reads as the system allows (fs.promises.readFile
 * reads in 512 KiB steps, a round trip to the thread pool each: about 100
 * for a 52 MB repository index); undefined when it cannot be read.
 */
async function readWhole(path: string): Promise<Uint8Array | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size === 0) return await readFile(path); // special files report 0
    const bytes = Buffer.allocUnsafe(size);
    const got = await fill(handle, bytes, 0);
    return got === size ? bytes : bytes.subarray(0, got);
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Bytes [start, end) of a file (to its end without `end`) in one or a few positioned reads, if it still has `stamp` (when given). */
function readRange(path: string, range: { start: number; end?: number; stamp?: FileStamp }): Uint8Array | undefined {
  const { start, stamp: expect } = range;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const now = stampOf(fstatSync(fd));
    if (expect && !sameStamp(now, expect)) return undefined;
    const end = range.end ?? now.size;
    if (!(start >= 0 && end >= start && end <= now.size)) return undefined;
    const bytes = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, start + got);
      if (n === 0) return undefined;
      got += n;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function defaultCacheDir(env: (name: string) => string | undefined): string {
  return join(env('FLUXHELM_CACHE') ?? join(homedir(), '.cache', 'fluxhelm'), 'sources');
}

/** The Node host for chart sources. */
export function createNetHost(options: NetHostOptions = {}): SourceHost {
  const env = options.env ?? ((name: string) => process.env[name]);
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const fileOf = (key: string) => join(cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 40));
  return {
    fetch: netFetch,
    async readCache(key): Promise<CacheEntry | undefined> {
      const base = fileOf(key);
      try {
        const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as CacheMeta & { key?: string };
        if (meta.key !== undefined && meta.key !== key) return undefined;
        const bytes = await readFile(`${base}.body`);
        return {
          bytes,
          meta: {
            url: meta.url,
            etag: meta.etag,
            lastModified: meta.lastModified,
            fetchedAt: meta.fetchedAt,
            contentType: meta.contentType,
          },
        };
      } catch {
        return undefined;
      }
    },
    async writeCache(key, bytes, meta) {
      const base = fileOf(key);
      const tmp = `${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(cacheDir, { recursive: true });
        await writeFile(`${tmp}.body`, bytes);
        await writeFile(`${tmp}.json`, JSON.stringify({ ...meta, key }));
        // Body first, then meta: a reader that sees the new meta also finds its body.
        await rename(`${tmp}.body`, `${base}.body`);
        await rename(`${tmp}.json`, `${base}.json`);
      } catch {
        await unlink(`${tmp}.body`).catch(() => undefined);
        await unlink(`${tmp}.json`).catch(() => undefined);
      }
    },
    readFile: readWhole,
    statFile: async (path) => {
      try {
        return stampOf(await stat(path));
      } catch {
        return undefined;
      }
    },
    readFileRange: readRange,
    readFilePieces,
    env,
    now: () => Date.now(),
    platform: process.platform,
  };
}
