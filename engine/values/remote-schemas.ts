/**
 * Remote `$ref`s in values.schema.json (issue #5). Charts such as bjw-s
 * app-template point at raw.githubusercontent.com URLs of their own files
 * (`"$ref": "https://raw.githubusercontent.com/.../common/values.schema.json"`,
 * whose relative refs then name `schemas/*.json` next to it). Two ways to
 * supply those documents to the schema check:
 * - `chartSchemaResolver(chart)`, synchronous and offline: a URL is read
 *   from the chart (or a subchart) when a JSON file there declares it as its
 *   `$id`, sits below a folder whose file declares an `$id` there, or is the
 *   only chart file whose path ends the URL's path;
 * - `fetchRemoteSchemas(...)`, through the network host with a cache (when
 *   the network is allowed; offline the cache is used), following refs
 *   transitively; what cannot be fetched falls back to the chart. A copy
 *   fetched in the last `maxAgeMs` (10 minutes) is used without asking the
 *   network again: a CLI run a minute after the last one does not pay a TLS
 *   round trip per document. A server that cannot be reached (DNS,
 *   refused, timeout, TLS) is asked once per call: its other URLs come from
 *   the cache or the chart straight away.
 */
import type { LoadedChart } from '../charts/chart.ts';
import { isFetchFailure, type SourceHost } from '../sources/host.ts';

export type RemoteResolver = (url: string) => unknown;

const decoder = new TextDecoder('utf-8');
const MAX_DOCUMENTS = 64;
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_AGE_MS = 10 * 60_000;

function stripFragment(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

/** Failures that say nothing about one document but about its server. */
const UNREACHABLE = new Set(['unreachable', 'timeout', 'tls']);

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
}

/** Every JSON file of a chart and its subcharts, by path from the root chart (`charts/common/schemas/x.json`). */
function chartJsonFiles(chart: LoadedChart, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (chart.schemaText !== undefined) out.set(`${prefix}values.schema.json`, chart.schemaText);
  for (const [p, bytes] of chart.files) if (p.endsWith('.json') && !p.startsWith('templates/')) out.set(`${prefix}${p}`, decoder.decode(bytes));
  for (const sub of chart.subcharts) {
    const name = sub.location.split('/').pop()?.replace(/\.(tgz|tar\.gz)$/, '') ?? sub.metadata.name;
    chartJsonFiles(sub, `${prefix}charts/${name}/`, out);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Resolves remote schema URLs to files of the chart itself. Never throws; undefined when no file fits. */
export function chartSchemaResolver(chart: LoadedChart): RemoteResolver {
  let files: Map<string, string> | undefined;
  let byId: Map<string, string> | undefined;
  const parsed = new Map<string, unknown>();
  const load = (path: string): unknown => {
    if (!parsed.has(path)) parsed.set(path, parseJson(files!.get(path) ?? ''));
    return parsed.get(path);
  };
  return (url) => {
    if (!files) {
      files = chartJsonFiles(chart);
      byId = new Map();
      for (const p of files.keys()) {
        const id = (load(p) as { $id?: unknown } | undefined)?.$id;
        if (typeof id === 'string' && /^https?:\/\//.test(id)) byId.set(stripFragment(id), p);
      }
    }
    const wanted = stripFragment(url);
    const direct = byId!.get(wanted);
    if (direct) return load(direct);
    // Relative to a file that declares its own URL: the same relative path in the chart.
    for (const [id, p] of byId!) {
      const base = `${dirOf(id)}/`;
      if (!wanted.startsWith(base)) continue;
      const candidate = `${dirOf(p) ? `${dirOf(p)}/` : ''}${wanted.slice(base.length)}`;
      if (files!.has(candidate)) return load(candidate);
    }
    // The only chart file whose path (two segments or more) ends the URL's path.
    let path: string;
    try {
      path = new URL(wanted).pathname;
    } catch {
      return undefined;
    }
    const matches = [...files!.keys()].filter((p) => p.includes('/') && path.endsWith(`/${p.split('/').slice(-2).join('/')}`));
    return matches.length === 1 ? load(matches[0]) : undefined;
  };
}

/** Absolute http(s) URLs a schema document refers to (refs resolved against its `$id` or its own URL). */
export function remoteRefs(doc: unknown, base: string | undefined): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, baseUrl: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, baseUrl));
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    let b = baseUrl;
    if (typeof n.$id === 'string') {
      try {
        b = new URL(n.$id, baseUrl).href;
      } catch {
        // An $id that is not a URL leaves the base as it was.
      }
    }
    if (typeof n.$ref === 'string' && !n.$ref.startsWith('#')) {
      try {
        const abs = new URL(n.$ref, b).href;
        if (/^https?:/.test(abs)) out.add(stripFragment(abs));
      } catch {
        // A relative ref without a base is local to the chart and not remote.
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') walk(v, b);
  };
  walk(doc, base);
  return [...out];
}

export interface RemoteSchemaOptions {
  /** Only the cache (Restricted Mode, network off, --offline). */
  offline?: boolean;
  timeoutMs?: number;
  /** A cached copy younger than this is used without the network (default 10 minutes). */
  maxAgeMs?: number;
}

/**
 * Fetches the remote schemas a chart's values.schema.json files need,
 * transitively, through the network host (cached under
 * `values-schema:<url>`), falling back to the chart's own files. The result
 * plugs into the schema check as `resolveRemote`. Never throws.
 */
export async function fetchRemoteSchemas(chart: LoadedChart, net: SourceHost | undefined, options: RemoteSchemaOptions = {}): Promise<{ resolve: RemoteResolver; fetched: string[]; missing: string[] }> {
  const fromChart = chartSchemaResolver(chart);
  const docs = new Map<string, unknown>();
  const fetched: string[] = [];
  const missing: string[] = [];
  const todo: string[] = [];
  const roots: unknown[] = [];
  // Origins that could not be reached (DNS, refused, timeout, TLS): the rest of their URLs come from the cache or
  // the chart without another attempt. Offline, app-template's schema names some 15 documents on one host.
  const down = new Set<string>();
  const collect = (c: LoadedChart): void => {
    if (c.schemaText) roots.push(parseJson(c.schemaText));
    c.subcharts.forEach(collect);
  };
  collect(chart);
  for (const r of roots) todo.push(...remoteRefs(r, undefined));
  while (todo.length && docs.size + missing.length < MAX_DOCUMENTS) {
    const url = todo.shift()!;
    if (docs.has(url) || missing.includes(url)) continue;
    let doc: unknown;
    if (net) {
      const key = `values-schema:${url}`;
      const cached = await net.readCache(key);
      const age = cached ? net.now() - cached.meta.fetchedAt : Infinity;
      if (cached && age >= 0 && age < (options.maxAgeMs ?? MAX_AGE_MS)) doc = parseJson(decoder.decode(cached.bytes));
      const origin = originOf(url);
      if (doc === undefined && !options.offline && !down.has(origin)) {
        const res = await net.fetch(url, { timeoutMs: options.timeoutMs, maxBytes: MAX_BYTES });
        if (isFetchFailure(res) && UNREACHABLE.has(res.kind)) down.add(origin);
        if (!isFetchFailure(res) && res.status === 200) {
          doc = parseJson(decoder.decode(res.body));
          if (doc !== undefined) {
            await net.writeCache(key, res.body, { url, fetchedAt: net.now() });
            fetched.push(url);
          }
        }
      }
      if (doc === undefined && cached) doc = parseJson(decoder.decode(cached.bytes));
    }
    doc ??= fromChart(url);
    if (doc === undefined || doc === null || (typeof doc !== 'object' && typeof doc !== 'boolean')) {
      missing.push(url);
      continue;
    }
    docs.set(url, doc);
    todo.push(...remoteRefs(doc, url));
  }
  return { resolve: (url) => docs.get(stripFragment(url)) ?? fromChart(url), fetched, missing };
}
