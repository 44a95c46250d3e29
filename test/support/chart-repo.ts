/**
 * A throwaway Helm chart repository for tests: builds chart archives
 * (`.tgz` with Chart.yaml, values.yaml and templates, written by our own small
 * tar writer and node:zlib), keeps an `index.yaml`, and serves both over HTTP
 * on 127.0.0.1 at a random port.
 *
 *   const repo = await startChartRepo();
 *   repo.addChart({ name: 'podinfo', version: '6.5.0', values: { replicas: 2 } });
 *   // helm show chart podinfo --repo repo.url --version 6.5.0
 *   await repo.stop();
 *
 * Archives are built lazily on first download and cached. `setRawIndex`
 * serves hand-written index text instead of the generated one (for invalid or
 * odd indexes). `requests` records every path served, in order. Objects are
 * written as YAML 1.1-safe text, so strings such as `y` or `on` stay strings
 * for Helm.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { stringify as stringifyYaml } from 'yaml';

/** YAML text Helm (YAML 1.1) reads back as the same data: `y`, `on`, `no`... get quoted. */
function stringify(value: unknown): string {
  return stringifyYaml(value, { version: '1.1' });
}

/** A chart to put into the repository. */
export interface ChartSpec {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  /** RFC 3339 timestamp for the index entry; default: a fixed date plus the insertion counter in seconds. */
  created?: string;
  /** Chart apiVersion; default `v2`. */
  apiVersion?: string;
  /** values.yaml: text as is, or an object serialised as YAML. Default: `{}`. */
  values?: string | Record<string, unknown>;
  /** values.schema.json text or object. */
  schema?: string | Record<string, unknown>;
  /** Files under templates/ (name -> content). Default: one ConfigMap template. */
  templates?: Record<string, string>;
  /** Any other files, path relative to the chart folder (e.g. `charts/sub/Chart.yaml`). */
  files?: Record<string, string>;
  /** Extra Chart.yaml fields (dependencies, kubeVersion, ...). */
  chartYaml?: Record<string, unknown>;
  /** Extra fields for the index entry only (not in the archive). */
  indexExtra?: Record<string, unknown>;
  /** URL written in the index; default `charts/<name>-<version>.tgz` (relative). */
  url?: string;
}

/** What the index says about one chart version. */
export interface ServedEntry {
  name: string;
  version: string;
  created: string;
  digest: string;
  url: string;
}

export interface ChartRepo {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Paths requested so far (e.g. `/index.yaml`). */
  readonly requests: string[];
  addChart(spec: ChartSpec): ServedEntry;
  addCharts(specs: ChartSpec[]): ServedEntry[];
  removeChart(name: string, version?: string): void;
  /** The generated index.yaml text. */
  indexYaml(): string;
  /** Serve this text as index.yaml instead of the generated one; `undefined` goes back to generating. */
  setRawIndex(text: string | undefined): void;
  /** The archive bytes for a chart version added earlier. */
  archive(name: string, version: string): Buffer;
  stop(): Promise<void>;
}

interface TarEntry {
  path: string;
  content: Buffer | string;
  mode?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(path: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 154);
    if (cut <= 0) throw new Error(`tar path too long: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(1700000000, 12), 136, 12, 'ascii'); // mtime: fixed, so archives are reproducible
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** A POSIX ustar archive (uncompressed) of the given files. */
export function writeTar(entries: TarEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : e.content;
    chunks.push(tarHeader(e.path, body.length, e.mode ?? 0o644, '0'), body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) chunks.push(Buffer.alloc(pad, 0));
  }
  chunks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(chunks);
}

const DEFAULT_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
data:
  chartVersion: {{ .Chart.Version | quote }}
`;

function yamlText(v: string | Record<string, unknown> | undefined, fallback: string): string {
  if (v === undefined) return fallback;
  return typeof v === 'string' ? v : stringify(v);
}

/** Chart.yaml content for a spec. */
export function chartYamlOf(spec: ChartSpec): Record<string, unknown> {
  return {
    apiVersion: spec.apiVersion ?? 'v2',
    name: spec.name,
    version: spec.version,
    ...(spec.appVersion !== undefined ? { appVersion: spec.appVersion } : {}),
    description: spec.description ?? `${spec.name} test chart`,
    type: 'application',
    ...spec.chartYaml,
  };
}

/** A gzip-compressed chart archive (`<name>/Chart.yaml`, values.yaml, templates...). */
export function buildChartArchive(spec: ChartSpec): Buffer {
  const dir = spec.name;
  const entries: TarEntry[] = [
    { path: `${dir}/Chart.yaml`, content: stringify(chartYamlOf(spec)) },
    { path: `${dir}/values.yaml`, content: yamlText(spec.values, '{}\n') },
  ];
  if (spec.schema !== undefined) {
    entries.push({ path: `${dir}/values.schema.json`, content: typeof spec.schema === 'string' ? spec.schema : JSON.stringify(spec.schema, null, 2) });
  }
  for (const [file, content] of Object.entries(spec.templates ?? { 'configmap.yaml': DEFAULT_TEMPLATE })) {
    entries.push({ path: `${dir}/templates/${file}`, content });
  }
  for (const [file, content] of Object.entries(spec.files ?? {})) entries.push({ path: `${dir}/${file}`, content });
  return gzipSync(writeTar(entries));
}

interface Stored {
  spec: ChartSpec;
  created: string;
  url: string;
  archive?: Buffer;
}

function fileNameOf(spec: ChartSpec): string {
  return `${spec.name}-${spec.version}.tgz`;
}

/** Starts a repository server on 127.0.0.1 (random port). */
export async function startChartRepo(options: { charts?: ChartSpec[] } = {}): Promise<ChartRepo> {
  const charts = new Map<string, Stored[]>(); // insertion order = index order
  const byFile = new Map<string, Stored>();
  const requests: string[] = [];
  let rawIndex: string | undefined;
  let counter = 0;

  const archiveOf = (s: Stored): Buffer => (s.archive ??= buildChartArchive(s.spec));
  const digestOf = (s: Stored): string => createHash('sha256').update(archiveOf(s)).digest('hex');

  const indexYaml = (): string => {
    const entries: Record<string, unknown[]> = {};
    for (const [name, list] of charts) {
      entries[name] = list.map((s) => ({
        ...chartYamlOf(s.spec),
        created: s.created,
        digest: digestOf(s),
        urls: [s.url],
        ...s.spec.indexExtra,
      }));
    }
    return stringify({ apiVersion: 'v1', entries, generated: '2024-01-01T00:00:00Z' });
  };

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    if (path === '/index.yaml') {
      res.writeHead(200, { 'content-type': 'application/x-yaml' });
      res.end(rawIndex ?? indexYaml());
      return;
    }
    const file = path.startsWith('/charts/') ? path.slice('/charts/'.length) : undefined;
    const stored = file ? byFile.get(file) : undefined;
    if (stored) {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(archiveOf(stored));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const addChart = (spec: ChartSpec): ServedEntry => {
    const created = spec.created ?? new Date(Date.UTC(2024, 0, 1) + counter * 1000).toISOString().replace('.000Z', 'Z');
    counter++;
    const file = fileNameOf(spec);
    const stored: Stored = { spec, created, url: spec.url ?? `charts/${file}` };
    const list = charts.get(spec.name) ?? [];
    list.push(stored);
    charts.set(spec.name, list);
    byFile.set(file, stored);
    return { name: spec.name, version: spec.version, created, digest: digestOf(stored), url: stored.url };
  };

  const repo: ChartRepo = {
    url,
    requests,
    addChart,
    addCharts: (specs) => specs.map(addChart),
    removeChart(name, version) {
      const list = charts.get(name) ?? [];
      const keep = list.filter((s) => version !== undefined && s.spec.version !== version);
      for (const s of list) if (!keep.includes(s)) byFile.delete(fileNameOf(s.spec));
      if (keep.length) charts.set(name, keep);
      else charts.delete(name);
    },
    indexYaml,
    setRawIndex(text) {
      rawIndex = text;
    },
    archive(name, version) {
      const s = byFile.get(`${name}-${version}.tgz`);
      if (!s) throw new Error(`no chart ${name} ${version}`);
      return archiveOf(s);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  for (const spec of options.charts ?? []) addChart(spec);
  return repo;
}
