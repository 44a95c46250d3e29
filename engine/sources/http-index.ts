/**
 * HelmRepository `type: default`: fetches `<url>/index.yaml` and returns the
 * parsed index, the way source-controller does, with the caches an editor
 * needs:
 * - memory: the parsed index per URL (+ user name), tagged with its ETag; a
 *   lookup within `maxAgeMs` does no IO at all, a 304 reuses it unparsed;
 * - disk (host.readCache/writeCache): the raw index with ETag/Last-Modified for
 *   conditional requests (`304` -> the cached copy);
 * - Helm's own cache: when `helm repo add` registered the same URL and
 *   `helm repo update` left `<name>-index.yaml`, that copy serves offline use.
 * When the network fails, the newest cached copy is returned with
 * `stale: true` and the reason. Errors are values with a `reason`.
 *
 * Credentials: the caller passes the HelmRepository secretRef's data
 * (`username`/`password`) when it found the Secret in the workspace; without
 * them, credentials from a matching `helm repo add --username` entry are used.
 * Like Go's client, `Authorization` is not sent to another host after a
 * redirect.
 */
import { findHelmRepo, helmIndexCachePath, helmPaths, type HelmRepoEntry } from './helm-config.ts';
import { isFetchFailure, type FetchFailureKind, type SourceHost } from './host.ts';
import type { ChartIndex } from './index-scan.ts';
import { parseIndexBytes } from './index-lazy.ts';
import { readIndexFile } from './index-file.ts';

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface IndexRequest {
  /** HelmRepository `spec.url` (http or https). */
  url: string;
  credentials?: BasicCredentials;
  /** HelmRepository `spec.insecure` is for OCI only; this maps `certSecretRef`-less self-signed setups the user opted into. */
  insecureSkipVerify?: boolean;
  caPem?: string;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** Use caches only; never touch the network. */
  offline?: boolean;
  /** A memory-cached index younger than this is returned without any request. Default 5 minutes; 0 always revalidates. */
  maxAgeMs?: number;
  /** Look in Helm's repository cache (default true). */
  useHelmCache?: boolean;
}

export type IndexOrigin = 'network' | 'revalidated' | 'memory' | 'cache' | 'helm-cache';

export interface IndexHit {
  ok: true;
  index: ChartIndex;
  origin: IndexOrigin;
  /** True when the network could not confirm this copy is current. */
  stale: boolean;
  /** Why the copy is stale (the network error, or offline mode). */
  staleReason?: string;
  /** The index URL fetched (`<url>/index.yaml`). */
  indexUrl: string;
  etag?: string;
  /** When the copy was fetched or last confirmed (ms since epoch); undefined for Helm's cache. */
  fetchedAt?: number;
  /** The `helm repo add` name whose credentials or cache were used. */
  helmRepo?: string;
}

/** Fetch failure kinds, plus `http` (unexpected status), `auth` (401/403) and `malformed` (not an index). */
export type IndexFailureReason = FetchFailureKind | 'http' | 'auth' | 'malformed';

export interface IndexMiss {
  ok: false;
  reason: IndexFailureReason;
  message: string;
  status?: number;
  indexUrl: string;
}

export type IndexResult = IndexHit | IndexMiss;

/** `<url>/index.yaml`, keeping any query string (as source-controller does). */
export function indexUrlOf(repoUrl: string): string | undefined {
  try {
    const u = new URL(repoUrl.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/index.yaml`;
    return u.href;
  } catch {
    return undefined;
  }
}

interface MemoryEntry {
  index: ChartIndex;
  etag?: string;
  lastModified?: string;
  fetchedAt: number;
}

export interface HttpIndexSource {
  getIndex(request: IndexRequest): Promise<IndexResult>;
  /** Drops memory-cached indexes (all, or one repository URL). */
  forget(url?: string): void;
}

const DEFAULT_MAX_AGE_MS = 5 * 60_000;

function basic(c: BasicCredentials): string {
  const bytes = new TextEncoder().encode(`${c.username}:${c.password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

function statusMessage(status: number, hadCredentials: boolean): { reason: IndexFailureReason; message: string } {
  if (status === 401 || status === 403) {
    return {
      reason: 'auth',
      message: hadCredentials
        ? `HTTP ${status}: the repository rejected the credentials`
        : `HTTP ${status}: the repository needs credentials (HelmRepository spec.secretRef with username and password)`,
    };
  }
  if (status === 404) return { reason: 'http', message: 'HTTP 404: no index.yaml at this URL (is spec.url the repository root?)' };
  return { reason: 'http', message: `HTTP ${status} fetching the index` };
}

/** Creates an index source with its own memory cache. */
export function createHttpIndexSource(host: SourceHost): HttpIndexSource {
  const memory = new Map<string, MemoryEntry>();
  const inflight = new Map<string, Promise<IndexResult>>();

  const load = async (req: IndexRequest, indexUrl: string, key: string): Promise<IndexResult> => {
    const paths = helmPaths(host);
    const helmRepo: HelmRepoEntry | undefined = req.useHelmCache === false ? undefined : await findHelmRepo(host, req.url, paths);
    const credentials = req.credentials ?? (helmRepo?.username !== undefined ? { username: helmRepo.username, password: helmRepo.password ?? '' } : undefined);
    const credsFromHelm = !req.credentials && credentials ? helmRepo?.name : undefined;
    const diskKey = `helm-index\0${indexUrl}\0${credentials?.username ?? ''}`;
    const mem = memory.get(key);

    const parseBytes = (bytes: Uint8Array): ChartIndex | IndexMiss => {
      const parsed = parseIndexBytes(bytes);
      return parsed.ok ? parsed.index : { ok: false, reason: 'malformed', message: `malformed index: ${parsed.message}`, indexUrl };
    };

    /** The best copy we have without the network, marked stale. */
    const fallback = async (why: string, failure: IndexMiss): Promise<IndexResult> => {
      if (mem) return { ok: true, index: mem.index, origin: 'memory', stale: true, staleReason: why, indexUrl, etag: mem.etag, fetchedAt: mem.fetchedAt };
      const disk = await host.readCache(diskKey);
      if (disk) {
        const idx = parseBytes(disk.bytes);
        if (!('ok' in idx)) {
          memory.set(key, { index: idx, etag: disk.meta.etag, lastModified: disk.meta.lastModified, fetchedAt: disk.meta.fetchedAt });
          return { ok: true, index: idx, origin: 'cache', stale: true, staleReason: why, indexUrl, etag: disk.meta.etag, fetchedAt: disk.meta.fetchedAt };
        }
      }
      if (helmRepo && req.useHelmCache !== false) {
        // Read one chart at a time when an earlier run cached the file's layout (index-file.ts).
        const read = await readIndexFile(host, helmIndexCachePath(paths, helmRepo.name));
        if (read?.ok) return { ok: true, index: read.index, origin: 'helm-cache', stale: true, staleReason: why, indexUrl, helmRepo: helmRepo.name };
      }
      return failure;
    };

    if (req.offline) {
      return fallback('offline: the network was not used', { ok: false, reason: 'unreachable', message: 'offline and no cached copy of the index (run `helm repo add` + `helm repo update`, or go online once)', indexUrl });
    }

    const disk = mem ? undefined : await host.readCache(diskKey);
    const etag = mem?.etag ?? disk?.meta.etag;
    const lastModified = mem?.lastModified ?? disk?.meta.lastModified;
    const headers: Record<string, string> = { accept: 'application/x-yaml, application/yaml, text/yaml, application/json, */*' };
    if (credentials) headers.authorization = basic(credentials);
    if (etag) headers['if-none-match'] = etag;
    if (lastModified) headers['if-modified-since'] = lastModified;

    const res = await host.fetch(indexUrl, {
      headers,
      timeoutMs: req.timeoutMs,
      maxBytes: req.maxBytes,
      signal: req.signal,
      insecureSkipVerify: req.insecureSkipVerify,
      caPem: req.caPem,
    });
    const now = host.now();
    if (isFetchFailure(res)) {
      const miss: IndexMiss = { ok: false, reason: res.kind, message: res.error, indexUrl };
      if (res.kind === 'aborted') return miss;
      return fallback(res.error, miss);
    }
    if (res.status === 304 && (mem || disk)) {
      const newEtag = res.headers.etag ?? etag;
      if (mem) {
        mem.fetchedAt = now;
        mem.etag = newEtag;
        return { ok: true, index: mem.index, origin: 'revalidated', stale: false, indexUrl, etag: newEtag, fetchedAt: now, helmRepo: credsFromHelm };
      }
      const idx = parseBytes(disk!.bytes);
      if ('ok' in idx) return idx;
      memory.set(key, { index: idx, etag: newEtag, lastModified, fetchedAt: now });
      void host.writeCache(diskKey, disk!.bytes, { ...disk!.meta, etag: newEtag, fetchedAt: now });
      return { ok: true, index: idx, origin: 'revalidated', stale: false, indexUrl, etag: newEtag, fetchedAt: now, helmRepo: credsFromHelm };
    }
    if (res.status < 200 || res.status >= 300) {
      const { reason, message } = statusMessage(res.status, credentials !== undefined);
      const miss: IndexMiss = { ok: false, reason, message, status: res.status, indexUrl };
      // A server error is a network failure for offline purposes; a definite answer (401/404) is not.
      return res.status >= 500 ? fallback(message, miss) : miss;
    }
    const idx = parseBytes(res.body);
    if ('ok' in idx) return idx;
    const meta = { url: res.url, etag: res.headers.etag, lastModified: res.headers['last-modified'], fetchedAt: now, contentType: res.headers['content-type'] };
    memory.set(key, { index: idx, etag: meta.etag, lastModified: meta.lastModified, fetchedAt: now });
    await host.writeCache(diskKey, res.body, meta);
    return { ok: true, index: idx, origin: 'network', stale: false, indexUrl, etag: meta.etag, fetchedAt: now, helmRepo: credsFromHelm };
  };

  return {
    async getIndex(req) {
      const indexUrl = indexUrlOf(req.url);
      if (!indexUrl) return { ok: false, reason: 'invalid-url', message: `"${req.url}" is not an http(s) URL`, indexUrl: req.url };
      const key = `${indexUrl}\0${req.credentials?.username ?? ''}`;
      const mem = memory.get(key);
      const maxAge = req.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
      if (mem && (req.offline || host.now() - mem.fetchedAt < maxAge)) {
        return { ok: true, index: mem.index, origin: 'memory', stale: req.offline === true, ...(req.offline ? { staleReason: 'offline: the network was not used' } : {}), indexUrl, etag: mem.etag, fetchedAt: mem.fetchedAt };
      }
      const running = inflight.get(key);
      if (running) return running;
      const p = load(req, indexUrl, key).finally(() => inflight.delete(key));
      inflight.set(key, p);
      return p;
    },
    forget(url) {
      if (url === undefined) {
        memory.clear();
        return;
      }
      const indexUrl = indexUrlOf(url);
      for (const k of [...memory.keys()]) if (k.startsWith(`${indexUrl}\0`)) memory.delete(k);
    },
  };
}
