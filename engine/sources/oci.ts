/**
 * OCI registries (HelmRepository `type: oci`, OCIRepository): tag listing and
 * manifest digests through the OCI distribution API.
 *
 * - Tags: `GET /v2/<name>/tags/list` (optionally `?n=`), following the
 *   `Link: <...>; rel="next"` header page by page. Raw tags are returned; the
 *   constraint engine (engine/versions/select.ts) maps `_` back to `+` and
 *   selects. `tagToVersion`/`versionToTag` are here for callers.
 * - Digest: `HEAD /v2/<name>/manifests/<tag>` with the OCI and Docker manifest
 *   media types in `Accept`, reading `Docker-Content-Digest`; when a registry
 *   omits it, a GET and the sha256 of the body.
 * - Auth: the request goes out anonymously; a `401` with
 *   `WWW-Authenticate: Bearer realm=..,service=..,scope=..` is answered by a
 *   token request to the realm (with Basic credentials when known) and a
 *   retry with `Authorization: Bearer`; a `Basic` challenge is answered with
 *   the credentials directly. Credentials come from the caller, else Helm's
 *   registry config, else Docker's config.json (engine/sources/helm-config.ts).
 *   Tokens are reused while valid.
 * - Transport: https, except plain http for loopback registries and those the
 *   caller marks insecure (HelmRepository/OCIRepository `spec.insecure`).
 */
import { createHash } from 'node:crypto';
import { helmPaths, registryCredentials } from './helm-config.ts';
import { decodeText, isFetchFailure, type FetchFailureKind, type FetchResponse, type SourceHost } from './host.ts';

export interface OciCredentials {
  username: string;
  password: string;
}

export interface OciRequest {
  /** `oci://host[:port]/path/name` (the chart's full reference). */
  ref: string;
  credentials?: OciCredentials;
  /** Allow plain http (Flux `spec.insecure: true`). Loopback hosts always use http. */
  insecure?: boolean;
  /** Skip TLS verification (self-signed registries the user opted into). */
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Look up Helm/Docker config credentials when none are given (default true). */
  useConfigCredentials?: boolean;
  /** Largest response accepted: default 16 MiB per tag page, 4 MiB per manifest or token. */
  maxBytes?: number;
}

export interface TagListRequest extends OciRequest {
  /** Use the cached tag list only (no network). */
  offline?: boolean;
  /** Page size (`n`); default: the registry's own. */
  pageSize?: number;
  /** Stop after this many pages (default 1000). */
  maxPages?: number;
}

export type OciFailureReason = FetchFailureKind | 'invalid-ref' | 'http' | 'auth' | 'not-found' | 'malformed';

export interface OciMiss {
  ok: false;
  reason: OciFailureReason;
  message: string;
  status?: number;
}

export interface TagList {
  ok: true;
  /** Tags in registry order, as written (`_` not converted). */
  tags: string[];
  pages: number;
  registry: string;
  repository: string;
  /** Where credentials came from: `request`, a config file path, or undefined (anonymous). */
  credentialsFrom?: string;
  /** The list came from the disk cache because the registry could not be asked. */
  stale?: boolean;
  staleReason?: string;
}

export interface ManifestDigest {
  ok: true;
  digest: string;
  mediaType?: string;
}

export interface OciReference {
  /** `host[:port]` as written. */
  registry: string;
  /** The host the API lives on (`registry-1.docker.io` for docker.io). */
  apiHost: string;
  repository: string;
  /** A tag or digest written after `:`/`@`, if any. */
  reference?: string;
}

const TAGS_MAX = 16 * 1024 * 1024;
const MANIFEST_MAX = 4 * 1024 * 1024;

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Helm writes `+` as `_` in tags; read back. */
export function tagToVersion(tag: string): string {
  return tag.replaceAll('_', '+');
}

export function versionToTag(version: string): string {
  return version.replaceAll('+', '_');
}

/** `oci://host/path` + chart name -> `oci://host/path/name`. */
export function ociChartRef(repoUrl: string, chart: string): string {
  return `${repoUrl.replace(/\/+$/, '')}/${chart}`;
}

/** Splits `oci://host[:port]/repo/path[:tag|@digest]`; undefined when it is not an OCI reference. */
export function parseOciRef(ref: string): OciReference | undefined {
  const m = /^oci:\/\/([^/\s]+)\/([^\s]+)$/.exec(ref.trim());
  if (!m) return undefined;
  const registry = m[1];
  let path = m[2].replace(/\/+$/, '');
  let reference: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    reference = path.slice(at + 1);
    path = path.slice(0, at);
  } else {
    const lastSlash = path.lastIndexOf('/');
    const colon = path.indexOf(':', lastSlash + 1);
    if (colon >= 0) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
    }
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) return undefined;
  const lower = registry.toLowerCase();
  const apiHost = lower === 'docker.io' || lower === 'index.docker.io' ? 'registry-1.docker.io' : registry;
  const repository = apiHost === 'registry-1.docker.io' && !path.includes('/') ? `library/${path}` : path;
  return { registry, apiHost, repository, ...(reference ? { reference } : {}) };
}

export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` (first challenge; quoted and bare parameter values). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
  for (let p = re.exec(m[2]); p; p = re.exec(m[2])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

function basicHeader(c: OciCredentials): string {
  const bytes = new TextEncoder().encode(`${c.username}:${c.password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** Next-page URL from a `Link` header, resolved against the current URL. */
export function nextLink(link: string | undefined, current: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /rel\s*=\s*"?next"?/i.test(m[2])) {
      try {
        return new URL(m[1], current).href;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface ChartBlob {
  ok: true;
  /** The chart archive (.tgz) bytes. */
  bytes: Uint8Array;
  /** Digest of the chart layer. */
  digest: string;
}

export interface OciSource {
  listTags(request: TagListRequest): Promise<TagList | OciMiss>;
  manifestDigest(request: OciRequest & { tag: string }): Promise<ManifestDigest | OciMiss>;
  /** Downloads a Helm chart pushed as an OCI artifact: the manifest's chart layer, by tag or digest. */
  pullChart(request: OciRequest & { reference: string; maxBytes?: number }): Promise<ChartBlob | OciMiss>;
}

/** The layer media type Helm uses for a chart archive. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

interface Session {
  ref: OciReference;
  base: string;
  credentials?: OciCredentials;
  credentialsFrom?: string;
  helper?: string;
}

/** Creates an OCI client with its own token cache. */
export function createOciSource(host: SourceHost): OciSource {
  const tokens = new Map<string, { token: string; expires: number }>();

  const session = async (req: OciRequest): Promise<Session | OciMiss> => {
    const ref = parseOciRef(req.ref);
    if (!ref) return { ok: false, reason: 'invalid-ref', message: `"${req.ref}" is not an OCI reference (oci://host/path/name)` };
    const scheme = req.insecure || isLoopbackHost(ref.apiHost) ? 'http' : 'https';
    let credentials = req.credentials;
    let credentialsFrom = credentials ? 'request' : undefined;
    let helper: string | undefined;
    if (!credentials && req.useConfigCredentials !== false) {
      const found = await registryCredentials(host, ref.registry, helmPaths(host));
      if (found.credentials) {
        credentials = { username: found.credentials.username, password: found.credentials.password };
        credentialsFrom = found.credentials.from;
      }
      helper = found.helper;
    }
    return { ref, base: `${scheme}://${ref.apiHost}`, credentials, credentialsFrom, helper };
  };

  const failure = (kind: OciFailureReason, message: string, status?: number): OciMiss => ({ ok: false, reason: kind, message, ...(status !== undefined ? { status } : {}) });

  /** One registry request with the auth dance; returns the final response or a miss. */
  const request = async (s: Session, req: OciRequest, url: string, method: 'GET' | 'HEAD', accept: string, scope: string, maxBytes: number): Promise<FetchResponse | OciMiss> => {
    const common = { timeoutMs: req.timeoutMs, signal: req.signal, insecureSkipVerify: req.insecureSkipVerify, method, maxBytes: req.maxBytes ?? maxBytes };
    const tokenKey = `${s.ref.apiHost}\0${scope}\0${s.credentials?.username ?? ''}`;
    const cached = tokens.get(tokenKey);
    const headers: Record<string, string> = { accept };
    if (cached && cached.expires > host.now()) headers.authorization = `Bearer ${cached.token}`;
    let res = await host.fetch(url, { ...common, headers });
    if (isFetchFailure(res)) return failure(res.kind, `${s.ref.apiHost}: ${res.error}`);
    if (res.status !== 401) return res;

    const challenge = parseChallenge(res.headers['www-authenticate']);
    const noCreds = s.helper ? ` (credentials for ${s.ref.registry} are kept by ${s.helper}, which cannot be read here)` : ' (helm registry login, or a Docker config.json entry)';
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      let tokenUrl: URL;
      try {
        tokenUrl = new URL(challenge.params.realm);
      } catch {
        return failure('auth', `${s.ref.apiHost}: invalid token realm "${challenge.params.realm}"`);
      }
      if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
      tokenUrl.searchParams.set('scope', challenge.params.scope ?? scope);
      const tokenHeaders: Record<string, string> = { accept: 'application/json' };
      if (s.credentials) tokenHeaders.authorization = basicHeader(s.credentials);
      const tr = await host.fetch(tokenUrl.href, { ...common, method: 'GET', headers: tokenHeaders, maxBytes: MANIFEST_MAX });
      if (isFetchFailure(tr)) return failure(tr.kind, `token service ${tokenUrl.host}: ${tr.error}`);
      if (tr.status === 401 || tr.status === 403) {
        return failure('auth', s.credentials ? `HTTP ${tr.status} from the token service: the credentials for ${s.ref.registry} were rejected` : `HTTP ${tr.status} from the token service: ${s.ref.registry} needs credentials${noCreds}`, tr.status);
      }
      if (tr.status !== 200) return failure('http', `HTTP ${tr.status} from the token service ${tokenUrl.host}`, tr.status);
      let token: string | undefined;
      let expiresIn = 60;
      try {
        const body = JSON.parse(decodeText(tr.body)) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
        token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
        if (typeof body.expires_in === 'number' && body.expires_in > 0) expiresIn = body.expires_in;
      } catch {
        token = undefined;
      }
      if (!token) return failure('malformed', `the token service ${tokenUrl.host} returned no token`);
      tokens.set(tokenKey, { token, expires: host.now() + Math.max(0, expiresIn - 5) * 1000 });
      res = await host.fetch(url, { ...common, headers: { accept, authorization: `Bearer ${token}` } });
    } else if (challenge?.scheme === 'basic' || !challenge) {
      if (!s.credentials) return failure('auth', `HTTP 401: ${s.ref.registry} needs credentials${noCreds}`, 401);
      res = await host.fetch(url, { ...common, headers: { accept, authorization: basicHeader(s.credentials) } });
    } else {
      return failure('auth', `HTTP 401: unsupported authentication scheme "${challenge.scheme}" at ${s.ref.registry}`, 401);
    }
    if (isFetchFailure(res)) return failure(res.kind, `${s.ref.apiHost}: ${res.error}`);
    if (res.status === 401 || res.status === 403) {
      return failure('auth', s.credentials ? `HTTP ${res.status}: ${s.ref.registry} rejected the credentials (from ${s.credentialsFrom})` : `HTTP ${res.status}: ${s.ref.registry} needs credentials${noCreds}`, res.status);
    }
    return res;
  };

  const errorOf = (res: FetchResponse, what: string): OciMiss => {
    let detail = '';
    try {
      const body = JSON.parse(decodeText(res.body)) as { errors?: { code?: string; message?: string }[] };
      const e = body.errors?.[0];
      if (e) detail = `: ${[e.code, e.message].filter(Boolean).join(' ')}`;
    } catch {
      // not a JSON error body
    }
    if (res.status === 404) return failure('not-found', `HTTP 404: ${what} not found${detail}`, 404);
    if (res.status === 403) return failure('auth', `HTTP 403: access to ${what} denied${detail}`, 403);
    return failure('http', `HTTP ${res.status} for ${what}${detail}`, res.status);
  };

  const listTagsLive = async (req: TagListRequest): Promise<TagList | OciMiss> => {
      const s = await session(req);
      if ('ok' in s) return s;
      const scope = `repository:${s.ref.repository}:pull`;
      let url = `${s.base}/v2/${s.ref.repository}/tags/list${req.pageSize ? `?n=${req.pageSize}` : ''}`;
      const tags: string[] = [];
      const maxPages = req.maxPages ?? 1000;
      let pages = 0;
      const seen = new Set<string>();
      for (;;) {
        if (seen.has(url)) return failure('malformed', `the registry's pagination loops back to ${url}`);
        seen.add(url);
        const res = await request(s, req, url, 'GET', 'application/json', scope, TAGS_MAX);
        if ('ok' in res) return res;
        if (res.status !== 200) return errorOf(res, `repository ${s.ref.repository}`);
        pages++;
        let body: { tags?: unknown };
        try {
          body = JSON.parse(decodeText(res.body)) as { tags?: unknown };
        } catch {
          return failure('malformed', `the tag list of ${s.ref.repository} is not JSON`);
        }
        if (body.tags !== null && body.tags !== undefined && !Array.isArray(body.tags)) return failure('malformed', `the tag list of ${s.ref.repository} has no "tags" array`);
        for (const t of (body.tags ?? []) as unknown[]) if (typeof t === 'string') tags.push(t);
        const next = nextLink(res.headers.link, res.url);
        if (!next) break;
        if (pages >= maxPages) return failure('too-large', `more than ${maxPages} pages of tags`);
        url = next;
      }
      return { ok: true, tags, pages, registry: s.ref.registry, repository: s.ref.repository, ...(s.credentialsFrom ? { credentialsFrom: s.credentialsFrom } : {}) };
  };

  /** Tag lists are cached on disk, so an offline editor (or CLI run) still resolves from the last known list. */
  const cachedTags = async (req: TagListRequest, reason: string): Promise<TagList | undefined> => {
    const hit = await host.readCache(`oci-tags:${req.ref}`);
    if (!hit) return undefined;
    try {
      const tags = JSON.parse(decodeText(hit.bytes)) as string[];
      const ref = parseOciRef(req.ref);
      return { ok: true, tags, pages: 0, registry: ref?.registry ?? '', repository: ref?.repository ?? '', stale: true, staleReason: reason };
    } catch {
      return undefined;
    }
  };

  return {
    async listTags(req) {
      if (req.offline) return (await cachedTags(req, 'offline: the last cached tag list')) ?? { ok: false, reason: 'unreachable', message: `offline, and no cached tag list for ${req.ref}` };
      const live = await listTagsLive(req);
      if (live.ok) {
        await host.writeCache(`oci-tags:${req.ref}`, new TextEncoder().encode(JSON.stringify(live.tags)), { url: req.ref, fetchedAt: host.now() });
        return live;
      }
      if (live.reason === 'unreachable' || live.reason === 'timeout' || live.reason === 'tls') return (await cachedTags(req, live.message)) ?? live;
      return live;
    },

    async pullChart(req) {
      const s = await session(req);
      if ('ok' in s) return s;
      const scope = `repository:${s.ref.repository}:pull`;
      const what = `${s.ref.repository}:${req.reference}`;
      const manifestUrl = `${s.base}/v2/${s.ref.repository}/manifests/${encodeURIComponent(req.reference)}`;
      const res = await request(s, req, manifestUrl, 'GET', MANIFEST_ACCEPT, scope, MANIFEST_MAX);
      if ('ok' in res) return res;
      if (res.status !== 200) return errorOf(res, what);
      let manifest: { layers?: { mediaType?: string; digest?: string; size?: number }[] };
      try {
        manifest = JSON.parse(decodeText(res.body)) as typeof manifest;
      } catch {
        return failure('malformed', `the manifest of ${what} is not JSON`);
      }
      const layer = manifest.layers?.find((l) => l.mediaType === HELM_CHART_LAYER);
      if (!layer?.digest) return failure('malformed', `${what} is not a Helm chart (no ${HELM_CHART_LAYER} layer)`);
      const blobUrl = `${s.base}/v2/${s.ref.repository}/blobs/${layer.digest}`;
      const blob = await request(s, req, blobUrl, 'GET', '*/*', scope, req.maxBytes ?? 50 * 1024 * 1024);
      if ('ok' in blob) return blob;
      if (blob.status !== 200) return errorOf(blob, `${what} chart layer`);
      const actual = `sha256:${createHash('sha256').update(blob.body).digest('hex')}`;
      if (layer.digest.startsWith('sha256:') && actual !== layer.digest) return failure('malformed', `the chart layer of ${what} does not match its digest`);
      return { ok: true, bytes: blob.body, digest: layer.digest };
    },

    async manifestDigest(req) {
      const s = await session(req);
      if ('ok' in s) return s;
      const scope = `repository:${s.ref.repository}:pull`;
      const url = `${s.base}/v2/${s.ref.repository}/manifests/${encodeURIComponent(req.tag)}`;
      const what = `${s.ref.repository}:${req.tag}`;
      const head = await request(s, req, url, 'HEAD', MANIFEST_ACCEPT, scope, MANIFEST_MAX);
      if ('ok' in head) return head;
      if (head.status === 200 && head.headers['docker-content-digest']) {
        return { ok: true, digest: head.headers['docker-content-digest'], ...(head.headers['content-type'] ? { mediaType: head.headers['content-type'] } : {}) };
      }
      if (head.status !== 200 && head.status !== 405) return errorOf(head, what);
      const res = await request(s, req, url, 'GET', MANIFEST_ACCEPT, scope, MANIFEST_MAX);
      if ('ok' in res) return res;
      if (res.status !== 200) return errorOf(res, what);
      const digest = res.headers['docker-content-digest'] ?? `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
      return { ok: true, digest, ...(res.headers['content-type'] ? { mediaType: res.headers['content-type'] } : {}) };
    },
  };
}
