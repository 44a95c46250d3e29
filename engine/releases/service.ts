/**
 * The HelmRelease verbs of the façade: chart resolution (in the background
 * for open documents, or for every release at once), effective values,
 * the chart-aware parts of diagnostics, completion, hover, inlay hints and
 * quick fixes, and the list of releases. Without a network host (`host.net`)
 * these verbs answer empty and say why where a user asked for something.
 */
import type { EngineHost } from '../host.ts';
import type { Workspace } from '../workspace/model.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { CodeAction, CompletionList, Diagnostic, Hover, InlayHint, Position, Range } from '../types.ts';
import { pathToUri, uriToPath } from '../util/uri.ts';
import { ChartResolution } from './resolution.ts';
import { allReleases } from './releases.ts';
import { effectiveValues, type EffectiveValuesAnswer, type EffectiveValuesQuery } from './effective-values.ts';
import { chartCompletion, chartVersionHover, chartVersionInlayHints, pinVersionActions } from '../features/chart-version.ts';
import { getValuesHover } from '../features/values-hover.ts';
import { getValuesCompletion } from '../features/values-completion.ts';
import type { ResolvedChart } from '../resolve/release-chart.ts';
import { ReleaseRenders, type RenderInputs, type RenderQuery, type RenderedRelease } from './renders.ts';
import type { CodeLens } from '../types.ts';

interface ReleaseSettings {
  render: { kubeVersion?: string; apiVersions?: string[]; renderOnEdit: boolean };
  network: boolean;
  trusted: boolean;
  unknownKeys: boolean;
  revealSecrets: boolean;
  timeoutMs: number;
}

/** One row of `fluxhelm resolve`. */
export interface ResolveRow {
  release: string;
  file: string;
  source: string;
  chart: string;
  constraint: string;
  version: string | null;
  appVersion: string | null;
  url: string | null;
  error?: string;
  code?: string;
  stale?: boolean;
}

export interface ReleaseSummary {
  release: string;
  file: string;
  line: number;
  chart?: string;
  source?: string;
}

export interface EffectiveValuesRequestQuery extends Omit<EffectiveValuesQuery, 'path' | 'offset'> {
  uri?: string;
  position?: Position;
}

export interface ReleaseService {
  /** Resolve the charts of a document's HelmReleases in the background (debounced); changes arrive through onDidChange. */
  scheduleReleases(uri: string): void;
  /** Resolve every HelmRelease of the workspace now, so that diagnostics include chart and values findings. */
  resolveAllReleases(): Promise<void>;
  /** Drop what is kept for a closed document. */
  forgetDocument(uri: string): void;
  /** Chart resolution and values findings of a document (its releases, and repository problems placed in it). */
  releaseDiagnostics(file: YamlFile | undefined, uri: string): Diagnostic[];
  completeWith(file: YamlFile, position: Position, plain: CompletionList): Promise<CompletionList>;
  hoverAt(file: YamlFile, position: Position): Hover | null;
  inlayHintsFor(file: YamlFile, range?: Range): InlayHint[];
  releaseCodeActions(uri: string, diagnostics: Diagnostic[]): CodeAction[];
  /** The chart version each HelmRelease of the workspace resolves to. */
  resolveReleases(): Promise<ResolveRow[]>;
  effectiveValues(query: EffectiveValuesRequestQuery): Promise<EffectiveValuesAnswer>;
  listReleases(): ReleaseSummary[];
  /** The manifests a HelmRelease renders (Helm's own engine through the host), with helm-controller's additions. */
  renderRelease(query: RenderQuery): Promise<RenderedRelease>;
  /** Renders every HelmRelease of the workspace; findings as diagnostics by file (for `check --render`). */
  renderAllReleases(): Promise<RenderedRelease[]>;
  /** Whether this front end can render (Helm's engine is there). */
  readonly canRender: boolean;
  /** A render will follow: Helm's engine may start now, in the background (while the workspace is indexed). */
  prepareRender(): void;
  /** `Rendered: N objects` lenses of an open document (after its background render). */
  renderLenses(uri: string): CodeLens[];
}

export function toResolveRow(r: ResolvedChart, file: string): ResolveRow {
  return {
    release: r.release,
    file,
    source: r.sourceLabel,
    chart: r.chart,
    constraint: r.constraint,
    version: r.error ? null : (r.version ?? null),
    appVersion: r.error ? null : (r.appVersion ?? null),
    url: r.error ? null : (r.url ?? (r.digest ? `digest ${r.digest}` : null)),
    ...(r.error ? { error: r.error.message, code: r.error.code } : {}),
    ...(r.stale ? { stale: true } : {}),
  };
}

const NO_NET = 'chart sources are not available in this front end';

export function createReleaseService(
  host: EngineHost,
  workspace: () => Workspace | undefined,
  settings: ReleaseSettings,
  emit: (e: { uris: string[]; hints?: boolean; lenses?: boolean }) => void,
  inputs: Omit<RenderInputs, 'remoteSchemas'>,
): ReleaseService {
  let resolution: ChartResolution | undefined;
  const renders = new ReleaseRenders(host, workspace, () => get(), settings.render, (uri) => emit({ uris: [uri], lenses: true }), {
    ...inputs,
    async remoteSchemas(hr) {
      const r = get();
      if (!r) return undefined;
      const chart = await r.loadChart(await r.resolveRelease(hr));
      return chart.ok ? r.remoteSchemas(chart.chart) : undefined;
    },
  });
  const get = (): ChartResolution | undefined => {
    if (resolution || !host.net) return resolution;
    resolution = new ChartResolution(workspace, host.net, {
      online: () => settings.trusted && settings.network,
      timeoutMs: settings.timeoutMs,
      clock: host.clock,
      unknownKeys: () => settings.unknownKeys,
      log: () => undefined,
      onChanged: (uri) => emit({ uris: [uri, ...(resolution?.sourceFiles() ?? []).map(pathToUri)], hints: true }),
    });
    return resolution;
  };

  return {
    scheduleReleases(uri) {
      if (!workspace()) return;
      get()?.schedule(uri);
      if (settings.trusted) renders.schedule(uri);
    },
    async resolveAllReleases() {
      const ws = workspace();
      const r = get();
      if (!ws || !r) return;
      for (const file of new Set(allReleases(ws).map((o) => o.file))) await r.resolveNow(pathToUri(file));
    },
    forgetDocument(uri) {
      resolution?.forget(uri);
      renders.forget(uri);
    },
    releaseDiagnostics(file, uri) {
      return [...(resolution?.diagnosticsFor(file, uri) ?? []), ...(file ? renders.diagnosticsFor(uri) : [])];
    },
    async completeWith(file, position, plain) {
      const r = resolution;
      if (!r) return plain;
      const values = r.valuesAt(file, file.lines.offsetAt(position));
      const valueKeys = values ? getValuesCompletion(file, position, values.chart) : undefined;
      if (valueKeys) return valueKeys;
      // Chart names and versions come from the repository index (cached; network only when allowed).
      const index = await r.indexFor(file, position).catch(() => undefined);
      const charts = chartCompletion(file, position, index);
      return charts.length ? { isIncomplete: false, items: [...charts, ...plain.items.filter((i) => i.label !== '"*"' && i.label !== '*')] } : plain;
    },
    hoverAt(file, position) {
      const r = resolution;
      if (!r) return null;
      const values = r.valuesAt(file, file.lines.offsetAt(position));
      const valuesHover = values ? getValuesHover(file, position, values.chart, values.release.result, { revealSecrets: settings.revealSecrets }) : null;
      return valuesHover ?? chartVersionHover(file, position, r.itemsFor(file));
    },
    inlayHintsFor(file, range) {
      return resolution ? chartVersionInlayHints(file, resolution.itemsFor(file), range) : [];
    },
    releaseCodeActions(uri, diagnostics) {
      return pinVersionActions(uri, diagnostics);
    },
    async resolveReleases() {
      const ws = workspace();
      const r = get();
      if (!ws) return [];
      const rows: ResolveRow[] = [];
      for (const hr of allReleases(ws)) {
        if (!r) rows.push({ release: `${hr.namespace ?? 'default'}/${hr.name}`, file: hr.file, source: '', chart: '', constraint: '', version: null, appVersion: null, url: null, error: NO_NET });
        else rows.push(toResolveRow(await r.resolveRelease(hr), hr.file));
      }
      return rows;
    },
    async effectiveValues(query) {
      const ws = workspace();
      const r = get();
      if (!ws) return { ok: false, text: '# Open a HelmRelease in a workspace folder to see its effective values.\n', error: 'no workspace', problems: [] };
      if (!r) return { ok: false, text: `# ${NO_NET}\n`, error: NO_NET, problems: [] };
      const path = query.uri ? uriToPath(query.uri) : undefined;
      const offset = path && query.position ? (ws.lines(path)?.offsetAt(query.position) ?? 0) : 0;
      return effectiveValues(ws, r, { ...query, path, offset });
    },
    get canRender() {
      return renders.available;
    },
    prepareRender() {
      host.render?.prepare?.();
    },
    renderRelease: (query) => renders.render(query),
    async renderAllReleases() {
      const ws = workspace();
      return ws ? renders.renderAll(allReleases(ws)) : [];
    },
    renderLenses: (uri) => renders.lenses(uri),
    listReleases() {
      const ws = workspace();
      if (!ws) return [];
      return allReleases(ws).map((o) => {
        const spec = (ws.index.valueOf(o)?.spec ?? {}) as { chart?: { spec?: { chart?: string; sourceRef?: { kind?: string; name?: string } } }; chartRef?: { kind?: string; name?: string } };
        const src = spec.chart?.spec?.sourceRef ?? spec.chartRef;
        return {
          release: `${o.namespace ?? 'default'}/${o.name}`,
          file: o.file,
          line: (ws.lines(o.file)?.positionAt(o.start).line ?? 0) + 1,
          ...(spec.chart?.spec?.chart ? { chart: spec.chart.spec.chart } : {}),
          ...(src?.kind && src.name ? { source: `${src.kind}/${src.name}` } : {}),
        };
      });
    },
  };
}
