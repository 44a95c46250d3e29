/**
 * Helm's engine keeps the parsed templates of the last charts between renders
 * (helm-wasm/trim/template-cache.sh). A render of a chart whose templates were
 * parsed before must give what a fresh engine gives: with other values, with
 * `tpl` defining templates at render time (they must not leak into the next
 * render), with strict and lax missing keys, after a parse error of another
 * chart, and for a chart whose templates changed by one character.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHelmRenderHost, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';
import type { HelmRenderRequest, HelmRenderResult } from '../../engine/render/host.ts';

const hosts: NodeHelmRenderHost[] = [];
after(async () => {
  for (const h of hosts) await h.dispose();
});
function host(): NodeHelmRenderHost {
  const h = createHelmRenderHost({ timeoutMs: 60_000 });
  hosts.push(h);
  return h;
}

const HELPERS = '{{- define "app.name" -}}{{ .Chart.Name }}-{{ .Values.suffix }}{{- end -}}\n';
const CM = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: {{ include "app.name" . }}',
  'data:',
  '  inline: {{ tpl .Values.snippet . | quote }}',
  '  later: {{ include "from.tpl" . | default "none" | quote }}',
  '  missing: "{{ .Values.nothere }}"',
  '',
].join('\n');

function request(values: Record<string, unknown>, templates: Record<string, string> = { '_helpers.tpl': HELPERS, 'cm.yaml': CM }): HelmRenderRequest {
  const chart: Record<string, Uint8Array> = { 'Chart.yaml': Buffer.from('apiVersion: v2\nname: cached\nversion: 0.1.0\n') };
  for (const [name, text] of Object.entries(templates)) chart[`templates/${name}`] = Buffer.from(text);
  return { chart, releaseName: 'rel', namespace: 'ns', values };
}

const show = (r: HelmRenderResult) => (r.ok ? r.manifest : `${r.kind}: ${r.error}`);

test('renders of a chart parsed before equal a fresh engine\'s, with tpl definitions kept to their own render', async () => {
  const cases: Record<string, unknown>[] = [
    { suffix: 'a', snippet: '{{ define "from.tpl" }}defined-by-tpl{{ end }}x={{ .Release.Name }}' },
    { suffix: 'b', snippet: 'plain {{ .Values.suffix }}' },
    { suffix: 'c', snippet: '{{ include "app.name" . }}' },
    { suffix: 'a', snippet: '{{ define "from.tpl" }}defined-by-tpl{{ end }}x={{ .Release.Name }}' },
    { suffix: 'd', snippet: '{{ include "from.tpl" . }}' },
  ];
  const warm = host();
  for (const values of cases) {
    const fresh = host();
    const expected = show(await fresh.render(request(values)));
    await fresh.dispose();
    assert.equal(show(await warm.render(request(values))), expected, JSON.stringify(values));
  }
  assert.equal(warm.workersStarted, 1);
});

test('a parse error is reported on every render, and a one-character template change is parsed anew', async () => {
  const h = host();
  const broken = request({ suffix: 'x', snippet: '' }, { 'cm.yaml': 'a: {{ .Values.suffix \n' });
  for (let i = 0; i < 2; i++) {
    const r = await h.render(broken);
    assert.equal(!r.ok && r.kind, 'template', show(r));
    assert.match(show(r), /parse error at \(cached\/templates\/cm\.yaml:\d+\)/);
  }
  const one = await h.render(request({ suffix: 'x', snippet: '' }, { 'cm.yaml': 'a: "{{ .Values.suffix }}"\n' }));
  const other = await h.render(request({ suffix: 'x', snippet: '' }, { 'cm.yaml': 'a: "{{ .Values.suffix }}!"\n' }));
  assert.ok(one.ok && other.ok, `${show(one)} / ${show(other)}`);
  assert.match(one.manifest, /a: "x"\n/);
  assert.match(other.manifest, /a: "x!"\n/);
});
