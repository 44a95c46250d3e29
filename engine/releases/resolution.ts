/**
 * Chart resolution and values per HelmRelease: resolves the charts of the
 * HelmReleases of a document (in the background and debounced when the host
 * has a clock, or on request), loads the charts, computes the effective
 * values, and tells its owner when results change so that diagnostics,
 * inlay hints and views can be refreshed. Network use follows `online()`
 * (off: cached indexes and charts only). Results are cached by what they
 * depend on.
 */
import type { YamlFile } from '../yaml/documents.ts';
import { uriToPath } from '../util/uri.ts';
import type { SourceHost } from '../sources/host.ts';
import type { Clock } from '../host.ts';
import { createHttpIndexSource } from '../sources/http-index.ts';
import { createOciSource } from '../sources/oci.ts';
import { resolveReleaseChart, type ChartSources, type ResolvedChart } from '../resolve/release-chart.ts';
import { fetchChart, type ChartFetch } from '../resolve/fetch-chart.ts';
import { chartResolutionDiagnostics, type DocResolution } from '../features/chart-version.ts';
import type { Diagnostic } from '../types.ts';
import { rangeForPath } from '../yaml/nodes.ts';
import type { IndexEntry } from '../versions/select.ts';
import type { LoadedChart } from '../charts/chart.ts';
import { computeReleaseValues, type ReleaseValues } from '../values/release.ts';
import { workspaceValuesLookup } from '../resolve/values-lookup.ts';
import { getValuesDiagnostics } from '../features/values-diagnostics.ts';
import { compileValuesSchema } from '../values/schema-check.ts';
import type { ValuesLookup } from '../values/merge.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import { fetchRemoteSchemas, type RemoteResolver } from '../values/remote-schemas.ts';
import { releasesIn } from './releases.ts';

export interface ReleaseValuesState {
  chart: LoadedChart;
  release: ReleaseValues;
  /** Remote documents the chart's values.schema.json refers to (fetched when online, cached). */
  resolveRemote?: RemoteResolver;
}

const SUCCESS_TTL_MS = 5 * 60_000;
const FAILURE_TTL_MS = 30_000;

export interface ResolutionOptions {
  /** Network allowed (trusted workspace, network setting on, not --offline). */
  online: () => boolean;
  timeoutMs?: number;
  onChanged: (uri: string) => void;
  log: (message: string) => void;
  /** Timers for debouncing; without one `schedule` resolves at once. */
  clock?: Clock;
  /** Warn about keys the chart does not have (charts without a schema). */
  unknownKeys: () => boolean;
}

export class ChartResolution {
  readonly sources: ChartSources;
  private readonly cache = new Map<string, { at: number; result: ResolvedChart }>();
  private readonly charts = new Map<string, Promise<ChartFetch>>();
  /** When a chart load failed (clock time): the failure is kept until FAILURE_TTL_MS later, checked on the next load. */
  private readonly chartFailures = new Map<string, number>();
  private readonly latest = new Map<string, (ResolvedChart & { docStart: number })[]>();
  private readonly timers = new Map<string, unknown>();
  private readonly generation = new Map<string, number>();
  private readonly values = new Map<string, Map<number, ReleaseValuesState>>();
  private readonly valuesCache = new Map<string, ReleaseValuesState>();
  private lookupCache?: { version: number; lookup: ValuesLookup };

  constructor(private readonly workspace: () => Workspace | undefined, private readonly host: SourceHost, private readonly options: ResolutionOptions) {
    this.sources = { http: createHttpIndexSource(host), oci: createOciSource(host) };
  }

  private releasesIn(uri: string): IndexedObject[] {
    const ws = this.workspace();
    const path = uriToPath(uri);
    return ws && path ? releasesIn(ws, path) : [];
  }

  /** What a resolution depends on: the HelmRelease's chart fields and the text of its source objects. */
  private keyOf(hr: IndexedObject): string {
    const ws = this.workspace()!;
    const v = ws.index.valueOf(hr) ?? {};
    const spec = (v.spec ?? {}) as Record<string, unknown>;
    const chartSpec = ((spec.chart as Record<string, unknown> | undefined)?.spec ?? {}) as Record<string, unknown>;
    const ref = (chartSpec.sourceRef ?? spec.chartRef ?? {}) as Record<string, unknown>;
    const kind = typeof ref.kind === 'string' ? ref.kind : 'HelmRepository';
    const sources = typeof ref.name === 'string' ? ws.index.find(kind, ref.name).map((o) => ws.index.fileText(o.file)?.slice(o.start, o.end)) : [];
    return JSON.stringify([hr.namespace, hr.name, spec.chart, spec.chartRef, sources, this.options.online()]);
  }

  /** A signature of every ConfigMap and Secret in the workspace (the inputs of valuesFrom). */
  valuesObjectsSignature(): string {
    const ws = this.workspace()!;
    let sig = '';
    for (const o of ws.index.allObjects()) if (o.kind === 'ConfigMap' || o.kind === 'Secret') sig += `${o.file}:${o.start}:${ws.index.fileText(o.file)?.length ?? 0};`;
    return sig;
  }

  /** Results for the HelmReleases of a document, matched to its parsed documents. */
  itemsFor(file: YamlFile): DocResolution[] {
    const results = this.latest.get(file.uri) ?? [];
    const out: DocResolution[] = [];
    for (const r of results) {
      const doc = file.docs.find((d) => d.start === r.docStart);
      if (doc) out.push({ doc, resolved: r });
    }
    return out;
  }

  /** Schedules resolution of a document's HelmReleases (debounced). */
  schedule(uri: string, delayMs = 300): void {
    const clock = this.options.clock;
    const run = () => {
      this.timers.delete(uri);
      void this.resolveNow(uri).catch((err) => this.options.log(`chart resolution failed for ${uri}: ${err instanceof Error ? err.message : String(err)}`));
    };
    if (!clock) return run();
    const t = this.timers.get(uri);
    if (t !== undefined) clock.clearTimeout(t);
    this.timers.set(uri, clock.setTimeout(run, delayMs));
  }

  /** The chart of one HelmRelease (cached by what it depends on; failures for a shorter time). */
  async resolveRelease(hr: IndexedObject): Promise<ResolvedChart> {
    const ws = this.workspace()!;
    const key = this.keyOf(hr);
    const hit = this.cache.get(key);
    if (hit && this.host.now() - hit.at < (hit.result.error ? FAILURE_TTL_MS : SUCCESS_TTL_MS)) return hit.result;
    const result = await resolveReleaseChart(ws, hr, this.sources, { offline: !this.options.online(), timeoutMs: this.options.timeoutMs });
    this.cache.set(key, { at: this.host.now(), result });
    return result;
  }

  async resolveNow(uri: string): Promise<(ResolvedChart & { docStart: number })[]> {
    const gen = (this.generation.get(uri) ?? 0) + 1;
    this.generation.set(uri, gen);
    const ws = this.workspace();
    if (!ws) return [];
    const results: (ResolvedChart & { docStart: number })[] = [];
    for (const hr of this.releasesIn(uri)) results.push({ ...(await this.resolveRelease(hr)), docStart: hr.start });
    if (this.generation.get(uri) !== gen) return results; // a newer run superseded this one
    const before = JSON.stringify(this.latest.get(uri) ?? []);
    this.latest.set(uri, results);
    const valuesChanged = await this.computeValues(uri, results);
    if (this.generation.get(uri) !== gen) return results;
    if (JSON.stringify(results) !== before || valuesChanged) this.options.onChanged(uri);
    return results;
  }

  private lookup(): ValuesLookup {
    const ws = this.workspace()!;
    if (!this.lookupCache || this.lookupCache.version !== ws.index.version) this.lookupCache = { version: ws.index.version, lookup: workspaceValuesLookup(ws) };
    return this.lookupCache.lookup;
  }

  /** Effective values of each resolved HelmRelease of a document (for values diagnostics, hover and completion). */
  private async computeValues(uri: string, results: (ResolvedChart & { docStart: number })[]): Promise<boolean> {
    const ws = this.workspace();
    const path = uriToPath(uri);
    if (!ws || !path) return false;
    const next = new Map<number, ReleaseValuesState>();
    const objectsSig = this.valuesObjectsSignature();
    for (const r of results) {
      if (r.error) continue;
      const chart = await this.loadChart(r);
      if (!chart.ok) continue;
      const hr = ws.index.objectsIn(path).find((o) => o.start === r.docStart);
      if (!hr) continue;
      // Values change only with the HelmRelease's text, the chart, or the ConfigMaps/Secrets.
      const key = JSON.stringify([ws.index.fileText(path)?.slice(hr.start, hr.end), r.url ?? r.localChartDir, r.version, objectsSig]);
      let state = this.valuesCache.get(key);
      if (!state) {
        const resolveRemote = await this.remoteSchemas(chart.chart);
        state = { chart: chart.chart, release: computeReleaseValues(ws.index.valueOf(hr) ?? {}, hr.namespace ?? 'default', chart.chart, this.lookup()), ...(resolveRemote ? { resolveRemote } : {}) };
        if (this.valuesCache.size > 500) this.valuesCache.clear();
        this.valuesCache.set(key, state);
      }
      next.set(r.docStart, state);
    }
    const before = this.values.get(uri);
    this.values.set(uri, next);
    const sig = (m: Map<number, ReleaseValuesState> | undefined) => JSON.stringify([...(m ?? new Map()).entries()].map(([k, v]) => [k, v.chart.metadata.version, v.release.result.ok ? v.release.result.values : v.release.result.error, v.release.problems]));
    return sig(before) !== sig(next);
  }

  /** Chart and values of the HelmRelease document at an offset, when known. */
  valuesAt(file: YamlFile, offset: number): ReleaseValuesState | undefined {
    const doc = file.docs.find((d) => offset >= d.start && offset <= d.end);
    return doc ? this.values.get(file.uri)?.get(doc.start) : undefined;
  }

  private readonly remote = new Map<string, Promise<RemoteResolver | undefined>>();

  /** Remote `$ref` documents of a chart's values.schema.json (through the network host with its cache; caches only offline). */
  remoteSchemas(chart: LoadedChart): Promise<RemoteResolver | undefined> {
    const texts = (c: LoadedChart): boolean => !!c.schemaText?.includes('"$ref"') || c.subcharts.some(texts);
    if (!texts(chart)) return Promise.resolve(undefined);
    const key = `${chart.metadata.name}@${chart.metadata.version}:${this.options.online()}`;
    let p = this.remote.get(key);
    if (!p) {
      p = fetchRemoteSchemas(chart, this.host, { offline: !this.options.online(), timeoutMs: this.options.timeoutMs }).then((r) => r.resolve, () => undefined);
      this.remote.set(key, p);
    }
    return p;
  }

  /** The loaded chart of a resolution (cached per chart URL/version). */
  loadChart(resolved: ResolvedChart): Promise<ChartFetch> {
    const key = `${resolved.url ?? resolved.localChartDir}@${resolved.version ?? resolved.digest}`;
    let p = this.charts.get(key);
    const clock = this.options.clock;
    const failedAt = this.chartFailures.get(key);
    if (p && clock && failedAt !== undefined && clock.now() - failedAt >= FAILURE_TTL_MS) p = undefined;
    if (!p || resolved.localChartDir) {
      p = fetchChart(this.workspace()!, this.host, resolved, { offline: !this.options.online(), timeoutMs: this.options.timeoutMs, oci: this.sources.oci });
      this.charts.set(key, p);
      this.chartFailures.delete(key);
      void p.then((r) => {
        // A failure is remembered briefly, so a file with many releases of one chart does not retry per release.
        // (A time stamp, not a timer: a pending timer kept a CLI process alive for 30 s after a failed load.)
        if (!r.ok) {
          if (clock) this.chartFailures.set(key, clock.now());
          else this.charts.delete(key);
        }
        // Compile the values schema now, off the typing path.
        else if (r.chart.schemaText) compileValuesSchema(r.chart.schemaText);
      });
    }
    return p;
  }

  /** Resolution diagnostics for a file: its own HelmReleases, plus repository problems found through other files. */
  diagnosticsFor(file: YamlFile | undefined, uri: string): Diagnostic[] {
    const out: Diagnostic[] = [];
    if (file) {
      const { own } = chartResolutionDiagnostics(this.itemsFor(file));
      for (const d of own) out.push({ range: file.lines.rangeOf(d.start, d.end), severity: d.severity, code: d.code, message: d.message, ...(d.data !== undefined ? { data: d.data } : {}) });
      for (const [docStart, state] of this.values.get(file.uri) ?? []) {
        const doc = file.docs.find((d) => d.start === docStart);
        if (!doc) continue;
        for (const d of getValuesDiagnostics(doc, state.chart, state.release, { unknownKeys: this.options.unknownKeys(), ...(state.resolveRemote ? { resolveRemote: state.resolveRemote } : {}) })) {
          out.push({ range: file.lines.rangeOf(doc.start + d.start, doc.start + d.end), severity: d.severity, code: d.code, message: d.message, ...(d.data !== undefined ? { data: d.data } : {}) });
        }
      }
    }
    const ws = this.workspace();
    const path = uriToPath(uri);
    if (!ws || !path) return out;
    const seen = new Set<string>();
    for (const results of this.latest.values()) {
      for (const r of results) {
        const src = r.error?.source;
        // Offline with nothing cached says nothing about the YAML (the CLI's resolve still reports it).
        if (!src || src.object.file !== path || r.error!.code === 'not-cached') continue;
        const doc = ws.index.documentOf(src.object);
        const lines = ws.lines(path);
        if (!doc || !lines) continue;
        const [s, e] = rangeForPath(doc.doc.contents, src.path);
        const key = `${s}:${r.error!.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ range: lines.rangeOf(doc.start + s, doc.start + e), severity: 'warning', code: r.error!.code, message: `${r.error!.message} (needed by HelmRelease ${r.release})` });
      }
    }
    return out;
  }

  /** The repository index behind the HelmRelease at a position (chart names and that chart's versions), from caches. */
  async indexFor(file: YamlFile, position: { line: number; character: number }): Promise<{ chartNames: string[]; entries?: IndexEntry[] } | undefined> {
    const offset = file.lines.offsetAt(position);
    const item = this.itemsFor(file).find((d) => offset >= d.doc.start && offset <= d.doc.end);
    const source = item?.resolved.source;
    const ws = this.workspace();
    if (!item || !source || !ws || source.kind !== 'HelmRepository') return undefined;
    const spec = (ws.index.valueOf(source)?.spec ?? {}) as Record<string, unknown>;
    if (spec.type === 'oci' || typeof spec.url !== 'string') return undefined;
    const index = await this.sources.http.getIndex({ url: spec.url, offline: !this.options.online(), timeoutMs: this.options.timeoutMs });
    if (!index.ok) return undefined;
    return { chartNames: [...index.index.charts.keys()], entries: index.index.charts.get(item.resolved.chart) };
  }

  /** Files whose repository-problem diagnostics may have changed. */
  sourceFiles(): string[] {
    const files = new Set<string>();
    for (const results of this.latest.values()) for (const r of results) if (r.error?.source) files.add(r.error.source.object.file);
    return [...files];
  }

  forget(uri: string): void {
    this.latest.delete(uri);
    this.values.delete(uri);
    const t = this.timers.get(uri);
    if (t !== undefined) this.options.clock?.clearTimeout(t);
    this.timers.delete(uri);
  }
}
