/**
 * Renders one HelmRelease the way helm-controller would install it: resolve
 * and load its chart, compute its values (as written, or as an overlay
 * builds it), build the Helm request (release name, namespace, CRD policy,
 * capabilities), ask the front end's `HelmRenderHost` to run Helm, then run
 * helm-controller's post-renderers and check the objects against their
 * schemas. Every failure is data: diagnostics with ranges in the
 * HelmRelease's file (Helm's errors on the value that caused them).
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Range, Severity } from '../types.ts';
import type { ResolvedChart } from '../resolve/release-chart.ts';
import type { ChartFetch } from '../resolve/fetch-chart.ts';
import type { ValuesLookup } from '../values/merge.ts';
import { computeReleaseValues, type ReleaseProblem, type ReleaseValues } from '../values/release.ts';
import { overlayReleaseValues } from '../values/overlay-values.ts';
import { workspaceValuesLookup } from '../resolve/values-lookup.ts';
import { overlaysOfBaseCached } from '../flux/overlays.ts';
import { formatValuePath } from '../values/provenance.ts';
import { formatPath, rangeForPath } from '../yaml/nodes.ts';
import { buildReleaseRequest, type Capabilities, type ReleaseAction } from './release-request.ts';
import { postRender, type RenderedObject } from './post-render.ts';
import { helmErrorProblems, placeValuesPath, type PlacementContext } from './errors.ts';
import { checkValuesSchema } from '../values/schema-check.ts';
import type { RemoteResolver } from '../values/remote-schemas.ts';
import { validateRendered, createRenderedSchemas, type RenderedSchemas } from './validate-rendered.ts';
import { builtinK8sSchemas } from './k8s-schemas.ts';
import type { HelmRenderHost } from './host.ts';
import type { LoadedChart } from '../charts/chart.ts';
import { parseAllDocuments } from 'yaml';
import { renderKept } from './render-memo.ts';

/** How the caller resolves and loads charts (the release resolution of the front end fits). */
export interface ReleaseCharts {
  resolveRelease(hr: IndexedObject): Promise<ResolvedChart>;
  loadChart(resolved: ResolvedChart): Promise<ChartFetch>;
}

export interface RenderReleaseOptions extends Capabilities {
  /** An overlay that builds this base HelmRelease: its label (`apps/production`) or absolute folder. */
  overlay?: string;
  /** Render as an install (default) or an upgrade (`upgrade.crds`, `.Release.IsUpgrade`). */
  action?: ReleaseAction;
  timeoutMs?: number;
  maxBytes?: number;
  /**
   * Schemas for the rendered objects; default: the bundled built-in kinds
   * plus the CRDs of the workspace, of `crds` and of the chart (its `crds/`
   * folder and the CRDs it renders). `false`: no check.
   */
  schemas?: RenderedSchemas | false;
  /** More CRD objects (parsed `fluxhelm.schemas.crdPaths` files). */
  crds?: unknown[];
  /** Remote schemas the chart's values.schema.json refers to (fetchRemoteSchemas); the chart's own files are always tried. */
  resolveRemote?: RemoteResolver;
  /** Helm's engine; default `ws.host.render`. */
  render?: HelmRenderHost;
  /**
   * The HelmRelease as Flux applies it (its Kustomization's patches, namespace
   * and postBuild substitution), rendered instead of the written document.
   */
  applied?: Record<string, unknown>;
}

export interface RenderDiagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
}

export interface RenderedRelease {
  /** Helm rendered the chart (diagnostics may still list problems of the objects). */
  ok: boolean;
  /** `namespace/name` of the HelmRelease. */
  release: string;
  overlay?: string;
  /** Overlays that build this HelmRelease (labels usable as `overlay`). */
  overlays: string[];
  releaseName?: string;
  namespace?: string;
  chart?: { name: string; version: string };
  /** The objects after post-rendering: CRDs (when the CRD policy installs them), then the rest, then hooks. */
  objects: RenderedObject[];
  /** The objects as one multi-document YAML text. */
  manifest: string;
  notes?: string;
  helmVersion?: string;
  /** Why nothing was rendered. */
  error?: string;
  /** The query itself was wrong (no such overlay). */
  usage?: boolean;
  diagnostics: RenderDiagnostic[];
}

function toDiagnostics(ws: Workspace, hr: IndexedObject, list: readonly ReleaseProblem[]): RenderDiagnostic[] {
  const lines = ws.lines(hr.file);
  const doc = ws.index.documentOf(hr);
  return list.map((p) => {
    const [s, e] = doc ? rangeForPath(doc.doc.contents, p.path) : [0, 0];
    const range = doc && lines ? lines.rangeOf(doc.start + s, doc.start + e) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { file: hr.file, range, severity: p.severity, code: p.code, message: p.message };
  });
}

function chartField(hrValue: Record<string, unknown>): (string | number)[] {
  const spec = hrValue.spec as Record<string, unknown> | undefined;
  return spec && spec.chartRef && !spec.chart ? ['spec', 'chartRef'] : ['spec', 'chart'];
}

/** Whether any values.schema.json of the chart (or a subchart) refers to an http(s) URL. */
function hasRemoteSchemaRefs(chart: LoadedChart): boolean {
  if (chart.schemaText && /"\$ref"\s*:\s*"https?:/.test(chart.schemaText)) return true;
  return chart.subcharts.some(hasRemoteSchemaRefs);
}

/** CRD objects written in the workspace's files. */
export function workspaceCrds(ws: Workspace): unknown[] {
  const out: unknown[] = [];
  for (const o of ws.index.allObjects()) if (o.kind === 'CustomResourceDefinition') out.push(ws.index.valueOf(o));
  return out.filter(Boolean);
}

/** CRD objects of a chart's `crds/` folder (and its subcharts'), whatever the install policy. */
export function chartCrds(chart: LoadedChart): unknown[] {
  const out: unknown[] = [];
  const decoder = new TextDecoder();
  for (const [p, bytes] of chart.files) {
    if (!/^crds\/.*\.ya?ml$/.test(p)) continue;
    for (const d of parseAllDocuments(decoder.decode(bytes))) if (!d.errors.length) out.push(d.toJS());
  }
  for (const sub of chart.subcharts) out.push(...chartCrds(sub));
  return out;
}

/** Renders the HelmRelease `hr` of the workspace. Never throws on user input. */
export async function renderRelease(ws: Workspace, charts: ReleaseCharts, hr: IndexedObject, opts: RenderReleaseOptions = {}): Promise<RenderedRelease> {
  try {
    return await render(ws, charts, hr, opts);
  } catch (err) {
    // Input must never throw; an exception here (or from a host) is a fluxhelm bug, reported as data.
    return { ok: false, release: `${hr.namespace ?? 'default'}/${hr.name}`, overlays: [], objects: [], manifest: '', diagnostics: [], error: `fluxhelm could not render this release: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function render(ws: Workspace, charts: ReleaseCharts, hr: IndexedObject, opts: RenderReleaseOptions): Promise<RenderedRelease> {
  const release = `${hr.namespace ?? 'default'}/${hr.name}`;
  const base: RenderedRelease = { ok: false, release, overlays: [], objects: [], manifest: '', diagnostics: [] };
  // Helm's engine starts (in the host's worker) while overlays are found and the chart is resolved and loaded.
  (opts.render ?? ws.host.render)?.prepare?.();
  const written = ws.index.valueOf(hr) ?? {};
  const fail = (error: string, problems: ReleaseProblem[] = [], extra: Partial<RenderedRelease> = {}): RenderedRelease => ({ ...base, ...extra, error, diagnostics: [...base.diagnostics, ...toDiagnostics(ws, hr, problems)] });

  const overlays = overlaysOfBaseCached(ws, ws.host, { file: hr.file, start: hr.start });
  base.overlays = overlays.map((o) => o.label);
  const wanted = opts.overlay?.replace(/\/+$/, '').replace(/^\.\//, '');
  const overlay = wanted ? overlays.find((o) => o.label === wanted || o.overlay === wanted) : undefined;
  if (wanted && !overlay) return fail(`no overlay ${wanted} builds HelmRelease ${release}; overlays that do: ${base.overlays.join(', ') || 'none'}`, [], { usage: true });
  if (overlay) base.overlay = overlay.label;

  const resolved = await charts.resolveRelease(hr);
  // Chart resolution reports its own problems (on the same fields); offline without a cache is not a finding at all.
  if (resolved.error) return fail(`the chart could not be resolved: ${resolved.error.message}`);
  const loaded = await charts.loadChart(resolved);
  if (!loaded.ok) return fail(`the chart could not be loaded: ${loaded.message}`, [{ path: chartField(written), severity: 'info', code: 'render-chart', message: `not rendered: ${loaded.message}` }]);
  const chart = loaded.chart;
  base.chart = { name: chart.metadata.name, version: chart.metadata.version };

  const appliedMeta = opts.applied?.metadata as { namespace?: unknown } | undefined;
  const namespace = typeof appliedMeta?.namespace === 'string' && appliedMeta.namespace ? appliedMeta.namespace : (hr.namespace ?? 'default');
  const hrValue = overlay ? overlay.builtObject : (opts.applied ?? written);
  let values: ReleaseValues & { noteFor?: ReturnType<typeof overlayReleaseValues>['noteFor'] };
  if (overlay) values = overlayReleaseValues(overlay, chart, ws.repoRoot);
  else {
    // The workspace's ConfigMaps and Secrets (generated ones built with kustomize) are gathered only for a release with valuesFrom.
    let lookup: ValuesLookup | undefined;
    values = computeReleaseValues(opts.applied ?? written, namespace, chart, (kind, ns, name) => (lookup ??= workspaceValuesLookup(ws))(kind, ns, name));
  }
  // Problems of the values themselves are the effective-values feature's to report; here they only stop the render.
  const built = buildReleaseRequest(hrValue, values, chart, { kubeVersion: opts.kubeVersion, apiVersions: opts.apiVersions, action: opts.action, defaultNamespace: namespace });
  base.releaseName = built.settings.releaseName;
  base.namespace = built.settings.namespace;
  if (!built.ok) return fail(`the values could not be computed: ${built.error}`);

  // A schema with remote `$ref`s would make Helm go to the network; fluxhelm checks it itself (issue #5).
  const preChecked: ReleaseProblem[] = [];
  if (!built.request.skipSchemaValidation && values.result.ok && hasRemoteSchemaRefs(chart)) {
    built.request.skipSchemaValidation = true;
    for (const p of checkValuesSchema(chart, values.result.charts, { resolveRemote: opts.resolveRemote })) {
      if (p.kind === 'schema-error') preChecked.push({ path: chartField(hrValue), severity: 'warning', code: 'values-schema-remote', message: p.message });
      else preChecked.push({ path: placeValuesPath(p.path, { tree: values.result.tree }).at, severity: 'error', code: 'values-schema', message: `values do not match the chart's values.schema.json: ${p.message}` });
    }
    if (preChecked.some((p) => p.severity === 'error')) return fail("the values do not match the chart's values.schema.json", preChecked);
  }

  const host = opts.render ?? ws.host.render;
  if (!host) return fail("Helm's engine is not available in this front end");
  const result = await renderKept(host, chart, built.request, { timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes });
  const placement: PlacementContext = {
    tree: values.result.ok ? values.result.tree : undefined,
    chart: built.request.chart,
    chartRef: chartField(hrValue)[1] === 'chartRef',
    noteFor: values.noteFor ? (segments) => values.noteFor!({ path: formatValuePath(segments), segments, value: null, source: { kind: 'inline' } }) : undefined,
  };
  if (!result.ok) {
    if (result.kind === 'template' || result.kind === 'schema' || result.kind === 'chart') return fail(`Helm failed: ${result.error}`, helmErrorProblems(result.error, placement));
    const why = result.kind === 'timeout' ? 'rendering took too long' : result.kind === 'too-large' ? 'the rendered output is too large' : result.kind === 'unavailable' ? "Helm's engine is not available" : 'the Helm engine failed';
    return fail(`${why}: ${result.error}`, [{ path: chartField(hrValue), severity: 'warning', code: `render-${result.kind}`, message: `cannot render: ${why}` }]);
  }
  const post = postRender(result.documents, built.settings);
  // helm-controller fails the release when a post-renderer fails (in Helm v4 also for the hooks' stream).
  if (post.problems.some((p) => p.severity === 'error')) return fail('a post-renderer failed', [...preChecked, ...post.problems]);
  const problems: ReleaseProblem[] = [...preChecked, ...post.problems];
  const schemas = opts.schemas ?? createRenderedSchemas({ builtin: builtinK8sSchemas, crds: [...workspaceCrds(ws), ...(opts.crds ?? [])] });
  if (schemas) problems.push(...validateRendered(post.objects, schemas.withCrds(chartCrds(chart)), placement));
  return {
    ...base,
    ok: true,
    objects: post.objects,
    manifest: post.objects.map((o) => `---\n# Source: ${o.template}\n${o.text.endsWith('\n') ? o.text : `${o.text}\n`}`).join(''),
    ...(result.notes ? { notes: result.notes } : {}),
    helmVersion: result.helmVersion,
    diagnostics: toDiagnostics(ws, hr, problems),
  };
}

/** A one-line summary per problem, for CLI output. */
export function describeProblem(p: ReleaseProblem): string {
  return `${formatPath(p.path)}: ${p.message}`;
}
