/**
 * Renders kept per chart (engine/render/render-memo.ts): the same request to
 * the same Helm engine is rendered once (the editor renders an edited
 * HelmRelease for its findings, for the diff lens and for "Diff Rendered with
 * HEAD"). The engine is the real one (Helm in WebAssembly); the host is only
 * wrapped to count what reaches it. Checked: equal answers, one render for
 * repeated and for concurrent identical requests, a new render for other
 * values, other capabilities, a merged values.yaml, a reloaded chart, and
 * after a timeout (not kept); Helm's own template failure is kept.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHelmRenderHost } from '../../server/helm-render-host.ts';
import { loadChartFolder } from '../../engine/charts/folder.ts';
import { renderKept } from '../../engine/render/render-memo.ts';
import type { HelmRenderHost, HelmRenderRequest, HelmRenderResult } from '../../engine/render/host.ts';
import type { LoadedChart } from '../../engine/charts/chart.ts';
import { memoryHost } from '../support/memory-host.ts';

const real = createHelmRenderHost({ timeoutMs: 60_000 });
after(() => real.dispose());

let calls = 0;
const counting: HelmRenderHost = {
  render(req, limits) {
    calls++;
    return real.render(req, limits);
  },
};

const files = {
  '/c/demo/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
  '/c/demo/values.yaml': 'size: 1\n',
  '/c/demo/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  size: {{ .Values.size | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n{{- if .Values.fail }}{{ fail "asked to fail" }}{{ end }}\n{{- range until (int (.Values.spin | default 0)) }}{{ end }}\n',
};
const fs = memoryHost(files);

function load(): LoadedChart {
  const loaded = loadChartFolder(fs, '/c/demo');
  assert.ok(loaded.ok);
  return loaded.chart;
}

function request(chart: LoadedChart, values: Record<string, unknown>, extra: Partial<HelmRenderRequest> = {}): HelmRenderRequest {
  return { chart: Object.fromEntries(chart.sourceFiles!), releaseName: 'rel', namespace: 'ns', values, ...extra };
}

const show = (r: HelmRenderResult) => (r.ok ? r.manifest : `${r.kind}: ${r.error}`);

test('an identical request is rendered once, concurrent ones too; other inputs are rendered again', async () => {
  const chart = load();
  calls = 0;
  const first = await renderKept(counting, chart, request(chart, { size: 2 }));
  assert.ok(first.ok, show(first));
  assert.match(first.manifest, /size: "2"/);
  const again = await renderKept(counting, chart, request(chart, { size: 2 }));
  assert.equal(calls, 1, 'the same request again is not rendered again');
  assert.equal(show(again), show(first));
  const [a, b] = await Promise.all([renderKept(counting, chart, request(chart, { size: 3 })), renderKept(counting, chart, request(chart, { size: 3 }))]);
  assert.equal(calls, 2, 'two identical requests at once are one render');
  assert.equal(show(a), show(b));
  assert.match(show(a), /size: "3"/);
  // Other capabilities, another release name: rendered, with their own answers.
  const kube = await renderKept(counting, chart, request(chart, { size: 2 }, { kubeVersion: 'v1.30.0' }));
  assert.match(show(kube), /kube: "v1.30.0"/);
  const named = await renderKept(counting, chart, request(chart, { size: 2 }, { releaseName: 'other' }));
  assert.match(show(named), /name: other/);
  assert.equal(calls, 4);
  // A values.yaml merged from valuesFiles is part of the request.
  const merged = request(chart, {});
  merged.chart['values.yaml'] = new TextEncoder().encode('size: 9\n');
  assert.match(show(await renderKept(counting, chart, merged)), /size: "9"/);
  const merged2 = request(chart, {});
  merged2.chart['values.yaml'] = new TextEncoder().encode('size: 8\n');
  assert.match(show(await renderKept(counting, chart, merged2)), /size: "8"/);
  assert.equal(calls, 6);
  // The chart loaded again (a chart folder is, on every render): rendered again.
  const reloaded = load();
  assert.equal(show(await renderKept(counting, reloaded, request(reloaded, { size: 2 }))), show(first));
  assert.equal(calls, 7);
});

test("Helm's template failure is kept; a timeout is not", async () => {
  const chart = load();
  calls = 0;
  const failed = await renderKept(counting, chart, request(chart, { fail: true }));
  assert.ok(!failed.ok && failed.kind === 'template', show(failed));
  assert.match(failed.error, /asked to fail/);
  assert.equal(show(await renderKept(counting, chart, request(chart, { fail: true }))), show(failed));
  assert.equal(calls, 1);
  // Five million empty loop turns: far longer than the 50 ms allowed.
  const limits = { timeoutMs: 50 };
  const timedOut = await renderKept(counting, chart, request(chart, { size: 5, spin: 5_000_000 }), limits);
  assert.ok(!timedOut.ok && timedOut.kind === 'timeout', show(timedOut));
  await renderKept(counting, chart, request(chart, { size: 5, spin: 5_000_000 }), limits);
  assert.equal(calls, 3, 'a timeout is asked again');
});
