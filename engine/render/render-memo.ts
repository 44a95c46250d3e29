/**
 * Renders kept per chart: the same request to the same Helm engine gives the
 * same answer, so it is asked once. In the editor an edit of a HelmRelease
 * is rendered for its findings (350 ms after typing stops) and again for the
 * `Δ N objects vs HEAD` lens (800 ms), and "Diff Rendered with HEAD" right
 * after renders it a third time: with this, those are one render.
 *
 * Keyed by the host, the loaded chart (object identity: a remote chart is
 * loaded once per version, a chart folder of the repository again on every
 * render, so its edits are never missed) and the rest of the request (release
 * name, namespace, values, capabilities, options, limits) as JSON. A request
 * whose files are not the chart's own (apart from a values.yaml merged from
 * valuesFiles, which is part of the key) is not kept. Answers a render may
 * not give again (a timeout, a crash, output too large, no engine) are
 * dropped when they arrive; Helm's own failures (template, schema, chart)
 * are kept like results. At most KEPT_PER_CHART requests per chart, the least
 * recently asked dropped first. Results are shared: callers only read them.
 */
import type { LoadedChart } from '../charts/chart.ts';
import type { HelmRenderHost, HelmRenderRequest, HelmRenderResult } from './host.ts';

const KEPT_PER_CHART = 16;
const KEPT_FAILURES = new Set(['template', 'schema', 'chart']);
const decoder = new TextDecoder('utf-8');

const byHost = new WeakMap<HelmRenderHost, WeakMap<LoadedChart, Map<string, Promise<HelmRenderResult>>>>();

type Limits = { timeoutMs?: number; maxBytes?: number };

/** The key of a request for this chart, or undefined when its files are not the chart's own. */
function keyOf(chart: LoadedChart, req: HelmRenderRequest, limits: Limits | undefined): string | undefined {
  const own = chart.sourceFiles;
  if (!own) return undefined;
  const { chart: files, ...rest } = req;
  let count = 0;
  let merged: string | undefined;
  for (const path in files) {
    count++;
    const bytes = files[path]!;
    if (own.get(path) === bytes) continue;
    if (path !== 'values.yaml') return undefined;
    merged = decoder.decode(bytes);
  }
  if (count !== own.size + (merged !== undefined && !own.has('values.yaml') ? 1 : 0)) return undefined;
  return JSON.stringify([rest, merged ?? null, limits?.timeoutMs ?? null, limits?.maxBytes ?? null]);
}

/** `host.render(req, limits)`, answered from an earlier identical request of this chart when there was one. */
export function renderKept(host: HelmRenderHost, chart: LoadedChart, req: HelmRenderRequest, limits?: Limits): Promise<HelmRenderResult> {
  const key = keyOf(chart, req, limits);
  if (key === undefined) return host.render(req, limits);
  let charts = byHost.get(host);
  if (!charts) byHost.set(host, (charts = new WeakMap()));
  let kept = charts.get(chart);
  if (!kept) charts.set(chart, (kept = new Map()));
  const hit = kept.get(key);
  if (hit) {
    kept.delete(key);
    kept.set(key, hit);
    return hit;
  }
  const table = kept;
  const forget = () => {
    if (table.get(key) === pending) table.delete(key);
  };
  const pending: Promise<HelmRenderResult> = host.render(req, limits).then(
    (r) => {
      if (!r.ok && !KEPT_FAILURES.has(r.kind)) forget();
      return r;
    },
    (e: unknown) => {
      forget();
      throw e;
    },
  );
  table.set(key, pending);
  while (table.size > KEPT_PER_CHART) table.delete(table.keys().next().value!);
  return pending;
}
