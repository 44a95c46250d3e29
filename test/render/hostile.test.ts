/**
 * Hostile charts against the Helm render host (server/helm-render-host.ts):
 * an endless `range`, a 100 MB output, a template whose function panics,
 * unbounded allocation and a syntax error. Each must come back as a clear
 * result (timeout, too-large, template error, crash) within its limits, and
 * the host must keep rendering normal charts afterwards, including a render
 * queued behind the runaway one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChartFiles, HelmRenderRequest } from '../../engine/render/host.ts';
import { createHelmRenderHost } from '../../server/helm-render-host.ts';
import { useRenderHost } from '../support/render-host.ts';

const renderHost = useRenderHost();

function chart(templates: Record<string, string>): ChartFiles {
  const files: ChartFiles = { 'Chart.yaml': Buffer.from('apiVersion: v2\nname: hostile\nversion: 0.1.0\n') };
  for (const [name, text] of Object.entries(templates)) files[`templates/${name}`] = Buffer.from(text);
  return files;
}

function request(templates: Record<string, string>): HelmRenderRequest {
  return { chart: chart(templates), releaseName: 'rel', namespace: 'ns', values: { n: 3 } };
}

const NORMAL = { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  n: {{ .Values.n | quote }}\n' };
const NORMAL_MANIFEST = '---\n# Source: hostile/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel\ndata:\n  n: "3"\n';

async function assertStillRenders(): Promise<void> {
  const r = await renderHost().render(request(NORMAL));
  assert.ok(r.ok, `a normal render after the hostile one failed: ${!r.ok ? `${r.kind}: ${r.error}` : ''}`);
  assert.equal(r.manifest, NORMAL_MANIFEST);
}

test('an endless range is stopped at the time limit, and a render queued behind it still runs', async () => {
  const started = renderHost().workersStarted;
  const t0 = Date.now();
  const endless = renderHost().render(request({ 'loop.yaml': '{{ range until 1000000 }}{{ range until 1000000 }}{{ end }}{{ end }}' }), { timeoutMs: 1500 });
  const queued = renderHost().render(request(NORMAL));
  const r = await endless;
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.kind, 'timeout');
  assert.match(!r.ok ? r.error : '', /did not finish rendering within 1500 ms/);
  assert.ok(Date.now() - t0 < 15_000, 'the timeout fired late');
  const q = await queued;
  assert.ok(q.ok && q.manifest === NORMAL_MANIFEST, 'the render queued behind the endless one did not complete');
  assert.ok(renderHost().workersStarted > started, 'the worker was not replaced');
});

test('a 100 MB output is refused as too large', async () => {
  const r = await renderHost().render(request({ 'big.yaml': 'data: {{ repeat 104857600 "x" }}\n' }));
  assert.equal(!r.ok && r.kind, 'too-large', JSON.stringify(r).slice(0, 300));
  assert.match(!r.ok ? r.error : '', /larger than the limit of 33554432 bytes \(104857\d+ bytes\)/);
  await assertStillRenders();
});

test('output over a caller-given byte limit is refused', async () => {
  const r = await renderHost().render(request({ 'mid.yaml': 'data: {{ repeat 5000 "y" }}\n' }), { maxBytes: 1000 });
  assert.equal(!r.ok && r.kind, 'too-large');
  await assertStillRenders();
});

test('a template function that panics is a template error with helm\'s message', async () => {
  const r = await renderHost().render(request({ 'panic.yaml': 'x: {{ randInt 5 1 }}\n' }));
  assert.equal(!r.ok && r.kind, 'template');
  assert.match(!r.ok ? r.error : '', /hostile\/templates\/panic\.yaml:1:6: executing .* error calling randInt: invalid argument to Intn/);
  await assertStillRenders();
});

test('unbounded allocation hits the memory cap and is reported as a crash', async () => {
  const started = renderHost().workersStarted;
  const r = await renderHost().render(request({ 'oom.yaml': 'x: {{ len (until 2000000000) }}\n' }));
  assert.equal(!r.ok && r.kind, 'crash', JSON.stringify(r).slice(0, 300));
  assert.ok(process.memoryUsage().rss < 2.5 * 1024 ** 3, 'the memory cap did not hold');
  await assertStillRenders();
  assert.ok(renderHost().workersStarted > started, 'the crashed worker was not replaced');
});

test('a syntax error names the file and line', async () => {
  const r = await renderHost().render(request({ ...NORMAL, 'broken.yaml': 'a: 1\nb: {{ .Values.n \n' }));
  assert.equal(!r.ok && r.kind, 'template');
  assert.match(!r.ok ? r.error : '', /parse error at \(hostile\/templates\/broken\.yaml:\d+\): unclosed action started at hostile\/templates\/broken\.yaml:2/);
  await assertStillRenders();
});

test('a chart without Chart.yaml and invalid YAML output are chart/template errors, not crashes', async () => {
  const noChart = await renderHost().render({ chart: { 'templates/a.yaml': Buffer.from('a: 1') }, releaseName: 'rel', namespace: 'ns', values: {} });
  assert.equal(!noChart.ok && noChart.kind, 'chart');
  const badYaml = await renderHost().render(request({ 'bad.yaml': 'a: [unclosed\n' }));
  assert.equal(!badYaml.ok && badYaml.kind, 'template');
  assert.match(!badYaml.ok ? badYaml.error : '', /hostile\/templates\/bad\.yaml/);
  await assertStillRenders();
});

test('a missing wasm file is reported as unavailable', async () => {
  const missing = createHelmRenderHost({ wasmPath: '/nonexistent/helm.wasm' });
  const r = await missing.render(request(NORMAL));
  assert.equal(!r.ok && r.kind, 'unavailable');
  assert.match(!r.ok ? r.error : '', /npm run build.*Go/);
  await missing.dispose();
});
