/**
 * Which chart a HelmRelease will install: follows `spec.chart.spec.sourceRef`
 * (HelmRepository over HTTP or OCI, GitRepository, Bucket) or `spec.chartRef`
 * (OCIRepository, HelmChart) through the workspace, asks the source for its
 * versions (index.yaml or registry tags, with caches), and applies Flux's
 * selection rules. Never throws: a failure is a result with a reason and the
 * field of the HelmRelease (or source) to blame.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { resolveObjectReference, type ObjectReference } from '../workspace/references.ts';
import type { HttpIndexSource, BasicCredentials } from '../sources/http-index.ts';
import { ociChartRef, tagToVersion, type OciSource } from '../sources/oci.ts';
import { selectChartVersion, selectOciChartTag, resolveOciRepositoryRef, pickUnderBothRules, type IndexEntry } from '../versions/select.ts';
import { parseConstraint, satisfies } from '../versions/constraints.ts';
import { parseFluxVersion, sortDescending } from '../versions/semver.ts';
import { suggest } from '../util/suggest.ts';
import type { PathSeg } from '../yaml/nodes.ts';
import { readPlainValue } from '../yaml/plain-value.ts';

export interface ChartSources {
  http: HttpIndexSource;
  oci: OciSource;
}

export interface ResolveOptions {
  /** Use caches only (Restricted Mode, `--offline`). */
  offline?: boolean;
  timeoutMs?: number;
}

export type ResolveErrorCode =
  /** Offline (Restricted Mode, network off, --offline) and nothing cached: not a problem of the YAML. */
  | 'not-cached'
  | 'source-not-found' | 'chart-not-found' | 'no-matching-version' | 'invalid-constraint'
  | 'repository-unreachable' | 'oci-tag-not-found' | 'unsupported-source' | 'local-chart-missing';

export interface ResolveError {
  code: ResolveErrorCode;
  message: string;
  /** The HelmRelease field to blame. */
  path: PathSeg[];
  /** For problems with the repository itself: the source object and its field (e.g. spec.url). */
  source?: { object: IndexedObject; path: PathSeg[] };
  nearest?: string[];
}

export interface ResolvedChart {
  /** `namespace/name` (namespace `?` when only kustomize or Flux sets it). */
  release: string;
  sourceLabel: string;
  sourceKind?: string;
  source?: IndexedObject;
  chart: string;
  constraint: string;
  version?: string;
  appVersion?: string;
  created?: string;
  /** Download URL (HTTP repositories) or OCI reference with tag. */
  url?: string;
  digest?: string;
  /** Newest matching versions, for hovers (HTTP repositories). */
  matches?: IndexEntry[];
  /** What older Flux / Helm 3.17 (Masterminds v3.3) would pick, when different. */
  olderPick?: string;
  /** The answer came from a cache the network could not confirm. */
  stale?: boolean;
  staleReason?: string;
  /** Version constraint written but ignored (Git/Bucket sources). */
  ignoredVersion?: string;
  error?: ResolveError;
  /** For GitRepository/Bucket charts in this workspace: the chart folder. */
  localChartDir?: string;
  /** The OCI source allows plain HTTP (`spec.insecure`). */
  insecure?: boolean;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function decodeBase64(s: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

/** Basic-auth credentials from a Secret in the workspace (data is base64, stringData plain). */
function secretCredentials(ws: Workspace, name: string | undefined, namespace: string | undefined): BasicCredentials | undefined {
  if (!name) return undefined;
  const secret = ws.index.find('Secret', name, namespace).find((o) => !o.generated);
  const v = secret ? ws.index.valueOf(secret) : undefined;
  if (!v) return undefined;
  const data = rec(v.data) ?? {};
  const plain = rec(v.stringData) ?? {};
  const read = (k: string) => str(plain[k]) ?? (str(data[k]) !== undefined ? decodeBase64(str(data[k])!) : undefined);
  const username = read('username');
  const password = read('password');
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

function refFromValue(ws: Workspace, from: IndexedObject, kind: string, name: string, namespace: string | undefined): IndexedObject | undefined {
  const ref: ObjectReference = { type: 'object', from, role: 'sourceRef', start: 0, end: 0, kind, name, namespace, optional: false, path: [] };
  return resolveObjectReference(ws.index, ref).find((o) => !o.generated);
}

/** The newest entries a constraint admits under Flux's rules (for hovers). */
export function newestMatching(entries: readonly IndexEntry[], constraint: string, limit: number): IndexEntry[] {
  const latest = constraint === '' || constraint === '*';
  const c = parseConstraint(latest ? '*' : constraint);
  if (!c.ok) return [];
  const admitted: { e: IndexEntry; v: NonNullable<ReturnType<typeof parseFluxVersion>> }[] = [];
  for (const e of entries) {
    const v = parseFluxVersion(e.version);
    if (v && satisfies(v, c.constraint)) admitted.push({ e, v });
  }
  return sortDescending(admitted, (x) => x.v).slice(0, limit).map((x) => x.e);
}

function absoluteChartUrl(repoUrl: string, chartUrl: string): string {
  try {
    return new URL(chartUrl, repoUrl.endsWith('/') ? repoUrl : `${repoUrl}/`).href;
  } catch {
    return chartUrl;
  }
}

/** Resolves the chart of a HelmRelease indexed in the workspace. */
export async function resolveReleaseChart(ws: Workspace, hr: IndexedObject, sources: ChartSources, options: ResolveOptions = {}): Promise<ResolvedChart> {
  const value = ws.index.valueOf(hr) ?? {};
  const spec = rec(value.spec) ?? {};
  const ns = hr.namespace;
  const release = `${ns ?? '?'}/${hr.name}`;
  const chartRef = rec(spec.chartRef);
  if (chartRef) return resolveChartRef(ws, hr, release, chartRef, sources, options);
  const chartSpec = rec(rec(spec.chart)?.spec) ?? {};
  const chart = str(chartSpec.chart) ?? '';
  const constraint = str(chartSpec.version) ?? '*';
  const sourceRef = rec(chartSpec.sourceRef) ?? {};
  const kind = str(sourceRef.kind) ?? 'HelmRepository';
  const name = str(sourceRef.name) ?? '';
  const srcNs = str(sourceRef.namespace) ?? ns;
  const base: ResolvedChart = { release, sourceLabel: `${kind}/${srcNs ?? '?'}/${name}`, sourceKind: kind, chart, constraint };
  const source = refFromValue(ws, hr, kind, name, srcNs);
  if (!source) return { ...base, error: { code: 'source-not-found', message: `${kind} \`${name}\` is not in the workspace, so the chart version cannot be resolved`, path: ['spec', 'chart', 'spec', 'sourceRef', 'name'] } };
  base.source = source;
  const srcValue = rec(ws.index.valueOf(source)?.spec) ?? {};
  if (kind === 'GitRepository' || kind === 'Bucket') return resolveLocal(ws, hr, base, source, chart, constraint);

  const url = str(srcValue.url) ?? '';
  const credentials = secretCredentials(ws, str(rec(srcValue.secretRef)?.name), source.namespace);
  if (str(srcValue.type) === 'oci') {
    const ref = ociChartRef(url, chart);
    const direct = selectOciChartTag(undefined, constraint === '*' ? '' : constraint);
    if (direct.ok) return { ...base, version: direct.version, url: `${ref}:${direct.tag}`, insecure: srcValue.insecure === true };
    const tags = await sources.oci.listTags({ ref, credentials, insecure: srcValue.insecure === true, timeoutMs: options.timeoutMs, offline: options.offline });
    if (!tags.ok) {
      const code: ResolveErrorCode = options.offline ? 'not-cached' : tags.reason === 'not-found' ? 'chart-not-found' : 'repository-unreachable';
      return { ...base, error: { code, message: `${ref}: ${tags.message}`, path: ['spec', 'chart', 'spec', code === 'chart-not-found' ? 'chart' : 'sourceRef', ...(code === 'chart-not-found' ? [] : ['name'])], source: { object: source, path: ['spec', 'url'] } } };
    }
    const stale = tags.stale ? { stale: true, staleReason: tags.staleReason } : {};
    const pick = selectOciChartTag(tags.tags, constraint === '*' ? '' : constraint);
    if (!pick.ok) return { ...base, ...stale, error: { code: pick.reason === 'invalid-constraint' ? 'invalid-constraint' : 'oci-tag-not-found', message: `${pick.message}${pick.nearest.length ? `; available: ${pick.nearest.join(', ')}` : ''}`, path: ['spec', 'chart', 'spec', 'version'], nearest: pick.nearest } };
    return { ...base, ...stale, version: pick.version, url: `${ref}:${pick.tag}`, insecure: srcValue.insecure === true };
  }

  const index = await sources.http.getIndex({ url, credentials, offline: options.offline, timeoutMs: options.timeoutMs });
  if (!index.ok) {
    if (options.offline) return { ...base, error: { code: 'not-cached', message: `${index.indexUrl}: ${index.message}`, path: ['spec', 'chart', 'spec', 'sourceRef', 'name'] } };
    return { ...base, error: { code: 'repository-unreachable', message: `${index.indexUrl}: ${index.message}`, path: ['spec', 'chart', 'spec', 'sourceRef', 'name'], source: { object: source, path: ['spec', 'url'] } } };
  }
  const stale = index.stale ? { stale: true, staleReason: index.staleReason } : {};
  const entries = index.index.charts.get(chart);
  if (!entries) {
    const [best] = suggest(chart, index.index.charts.keys());
    return { ...base, ...stale, error: { code: 'chart-not-found', message: `chart \`${chart}\` is not in ${url}${best ? ` — did you mean \`${best}\`?` : ''}`, path: ['spec', 'chart', 'spec', 'chart'], nearest: best ? [best] : [] } };
  }
  const pick = selectChartVersion(entries, constraint === '*' ? '' : constraint);
  if (!pick.ok) {
    const code: ResolveErrorCode = pick.reason === 'invalid-constraint' ? 'invalid-constraint' : 'no-matching-version';
    const hint = pick.nearest.length ? `; nearest available: ${pick.nearest.join(', ')}` : '';
    const pre = pick.prereleaseMatches.length ? `; pre-releases ${pick.prereleaseMatches.slice(0, 3).join(', ')} would match with a \`-0\` suffix on the lower bound` : '';
    return { ...base, ...stale, error: { code, message: `${pick.message}${hint}${pre}`, path: ['spec', 'chart', 'spec', 'version'], nearest: pick.nearest } };
  }
  const both = pickUnderBothRules(entries, constraint === '*' ? '' : constraint);
  const entry = pick.entry;
  return {
    ...base,
    ...stale,
    version: pick.version,
    appVersion: entry.appVersion,
    created: entry.created,
    url: entry.urls?.[0] ? absoluteChartUrl(url, entry.urls[0]) : undefined,
    digest: entry.digest,
    matches: newestMatching(entries, constraint, 5),
    olderPick: both.differs ? (both.older ?? 'nothing') : undefined,
  };
}

async function resolveChartRef(ws: Workspace, hr: IndexedObject, release: string, chartRef: Record<string, unknown>, sources: ChartSources, options: ResolveOptions): Promise<ResolvedChart> {
  const kind = str(chartRef.kind) ?? '';
  const name = str(chartRef.name) ?? '';
  const ns = str(chartRef.namespace) ?? hr.namespace;
  const base: ResolvedChart = { release, sourceLabel: `${kind}/${ns ?? '?'}/${name}`, sourceKind: kind, chart: name, constraint: '' };
  const source = refFromValue(ws, hr, kind, name, ns);
  if (!source) return { ...base, error: { code: 'source-not-found', message: `${kind} \`${name}\` is not in the workspace, so the chart cannot be resolved`, path: ['spec', 'chartRef', 'name'] } };
  base.source = source;
  const spec = rec(ws.index.valueOf(source)?.spec) ?? {};
  if (kind !== 'OCIRepository') return { ...base, error: { code: 'unsupported-source', message: `resolving charts through a ${kind} chartRef is not supported yet`, path: ['spec', 'chartRef', 'kind'] } };
  const url = str(spec.url) ?? '';
  const ref = rec(spec.ref) ?? {};
  const credentials = secretCredentials(ws, str(rec(spec.secretRef)?.name), source.namespace);
  base.chart = url.replace(/^oci:\/\//, '');
  base.constraint = str(ref.semver) ?? str(ref.tag) ?? str(ref.digest) ?? 'latest';
  let tags: string[] | undefined;
  if (ref.semver && !ref.digest) {
    const listed = await sources.oci.listTags({ ref: url, credentials, insecure: spec.insecure === true, timeoutMs: options.timeoutMs, offline: options.offline });
    if (!listed.ok) return { ...base, error: { code: options.offline ? 'not-cached' : listed.reason === 'not-found' ? 'chart-not-found' : 'repository-unreachable', message: `${url}: ${listed.message}`, path: ['spec', 'chartRef', 'name'], source: { object: source, path: ['spec', 'url'] } } };
    tags = listed.tags;
    if (listed.stale) Object.assign(base, { stale: true, staleReason: listed.staleReason });
  }
  const r = resolveOciRepositoryRef({ digest: str(ref.digest), semver: str(ref.semver), semverFilter: str(ref.semverFilter), tag: str(ref.tag) }, tags);
  if (!r.ok) return { ...base, error: { code: r.reason === 'invalid-constraint' ? 'invalid-constraint' : 'oci-tag-not-found', message: `${r.message}${r.nearest.length ? `; nearest: ${r.nearest.join(', ')}` : ''}`, path: ['spec', 'chartRef', 'name'], source: { object: source, path: ['spec', 'ref', 'semver'] }, nearest: r.nearest } };
  const insecure = spec.insecure === true;
  if (r.kind === 'digest') return { ...base, digest: r.digest, url: `${url}@${r.digest}`, insecure };
  return { ...base, version: tagToVersion(r.tag), url: `${url}:${r.tag}`, insecure };
}

function resolveLocal(ws: Workspace, hr: IndexedObject, base: ResolvedChart, source: IndexedObject, chart: string, constraint: string): ResolvedChart {
  const ignoredVersion = constraint && constraint !== '*' ? constraint : undefined;
  // Only a GitRepository of this repository has its files here; by convention that is flux-system.
  const isThisRepo = source.kind === 'GitRepository' && source.name === 'flux-system' && ws.repoRoot;
  if (!isThisRepo) return { ...base, ignoredVersion, error: { code: 'unsupported-source', message: `the chart comes from ${source.kind} ${source.name}, whose files are not in this workspace`, path: ['spec', 'chart', 'spec', 'sourceRef', 'name'] } };
  const dir = `${ws.repoRootFor(hr.file, chart).replace(/\/+$/, '')}/${chart.replace(/^\.\//, '').replace(/\/+$/, '')}`;
  const text = ws.readText(`${dir}/Chart.yaml`);
  if (text === undefined) return { ...base, ignoredVersion, error: { code: 'local-chart-missing', message: `no Chart.yaml at ${chart} in this repository`, path: ['spec', 'chart', 'spec', 'chart'] } };
  // Read in linear time: the text may be an open document of any size (readPlainValue).
  const read = readPlainValue(text);
  if (!read.ok) return { ...base, ignoredVersion, error: { code: 'local-chart-missing', message: `${chart}/Chart.yaml is not valid YAML`, path: ['spec', 'chart', 'spec', 'chart'] } };
  const meta: Record<string, unknown> = rec(read.value) ?? {};
  return { ...base, ignoredVersion, version: str(meta.version) ?? String(meta.version ?? ''), appVersion: str(meta.appVersion), localChartDir: dir, url: `${chart}` };
}
