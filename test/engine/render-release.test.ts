/**
 * Rendering a HelmRelease as helm-controller would: release name and
 * namespace rules (with the hash shortening past 53 characters),
 * postRenderers (kustomize patches, images), commonMetadata and the origin
 * labels, Helm's failures placed on the value that caused them, and
 * rendered objects checked against the chart's own CRDs and the built-in
 * schemas. Helm is the product's own: Helm v4.2.4 compiled to WebAssembly
 * (server/helm-render-host.ts); the rest is the engine.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Workspace } from '../../engine/workspace/model.ts';
import { loadChartFolder } from '../../engine/charts/folder.ts';
import { renderRelease, type ReleaseCharts } from '../../engine/render/render-release.ts';
import { shortenReleaseName, releaseSettings } from '../../engine/render/release-request.ts';
import { createRenderedSchemas, validateRendered } from '../../engine/render/validate-rendered.ts';
import { builtinK8sSchemas } from '../../engine/render/k8s-schemas.ts';
import type { ResolvedChart } from '../../engine/resolve/release-chart.ts';
import type { IndexedObject } from '../../engine/workspace/index.ts';
import { memoryHost } from '../support/memory-host.ts';
import { createHelmRenderHost } from '../../server/helm-render-host.ts';

const CHART = {
  '/ws/charts/demo/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
  '/ws/charts/demo/values.yaml': 'replicaCount: 1\nimage:\n  repository: ghcr.io/example/demo\n  tag: "1.0"\n  pullPolicy: IfNotPresent\nnested:\n  deep:\n    value: one\nwidget:\n  size: 3\nextra: {}\n',
  '/ws/charts/demo/values.schema.json': JSON.stringify({ type: 'object', properties: { replicaCount: { type: 'integer' } } }),
  '/ws/charts/demo/crds/widget.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`,
  '/ws/charts/demo/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app: demo
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            - name: X
              value: {{ required "extra.must is required" .Values.extra.must | quote }}
`,
  '/ws/charts/demo/templates/widget.yaml': `apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}
spec:
  size: {{ .Values.widget.size }}
`,
  '/ws/charts/demo/templates/nested.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-nested
data:
  value: {{ .Values.nested.deep.value | quote }}
`,
  '/ws/charts/demo/templates/hook.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    helm.sh/hook: pre-install
data:
  image: "{{ .Values.image.repository }}"
`,
};

const RELEASES = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: demo
  namespace: flux-system
spec:
  interval: 5m
  targetNamespace: apps
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  commonMetadata:
    annotations:
      team: blue
  postRenderers:
    - kustomize:
        patches:
          - target: {kind: Deployment}
            patch: |
              - op: add
                path: /metadata/labels/patched
                value: "yes"
        images:
          - name: ghcr.io/example/demo
            newTag: "2.0"
  values:
    extra:
      must: here
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: broken
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  values:
    extra:
      other: 1
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: wrongtype
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  values:
    replicaCount: three
    extra: {must: x}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: badwidget
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  install:
    crds: Skip
  values:
    extra: {must: x}
    widget:
      size: large
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: policy
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  values:
    extra: {must: x}
    image:
      pullPolicy: Sometimes
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: fromcm
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  valuesFrom:
    - kind: ConfigMap
      name: demo-values
  values:
    extra: {must: x}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-values
  namespace: apps
data:
  values.yaml: |
    replicaCount: "2"
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: notamap
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  values:
    extra: {must: x}
    nested:
      deep: just a string
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: targetless
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef: {kind: GitRepository, name: repo}
  values:
    extra: {must: x}
  postRenderers:
    - kustomize:
        patches:
          - patch: |
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: targetless
                namespace: apps
              spec:
                replicas: 5
`;

const host = memoryHost({ ...CHART, '/ws/releases.yaml': RELEASES });
const ws = new Workspace(host, { roots: ['/ws'] });
const charts: ReleaseCharts = {
  resolveRelease: async (hr) => ({ release: `${hr.namespace}/${hr.name}`, sourceLabel: 'test', chart: 'demo', constraint: '*', localChartDir: '/ws/charts/demo' }) as ResolvedChart,
  loadChart: async (r) => {
    const loaded = loadChartFolder(host, r.localChartDir!);
    return loaded.ok ? { ok: true, chart: loaded.chart, fromCache: false } : { ok: false, message: loaded.error };
  },
};
const helm = createHelmRenderHost();
after(() => helm.dispose());

function hr(name: string): IndexedObject {
  const found = [...ws.index.allObjects()].find((o) => o.kind === 'HelmRelease' && o.name === name);
  assert.ok(found, name);
  return found;
}

function lineOf(text: string, needle: string, after = 0): number {
  const at = text.indexOf(needle, after);
  assert.ok(at >= 0, needle);
  return text.slice(0, at).split('\n').length - 1;
}

test("release names follow helm-controller: releaseName, else [targetNamespace-]name, shortened past 53 characters", () => {
  // Expected values from helm-controller's own test of ShortenName.
  assert.equal(shortenReleaseName('release-name'), 'release-name');
  assert.equal(shortenReleaseName('release-name-with-very-long-name-which-is-longer-than-53-characters'), 'release-name-with-very-long-name-which-i-788ca0d0d7b0');
  assert.equal(shortenReleaseName('another-release-name-with-very-long-name-which-is-longer-than-53-characters'), 'another-release-name-with-very-long-name-7e72150d5a36');
  const base = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: 'flux-system' } };
  assert.equal(releaseSettings({ ...base, spec: {} }).releaseName, 'podinfo');
  const targeted = releaseSettings({ ...base, spec: { targetNamespace: 'apps' } });
  assert.equal(targeted.releaseName, 'apps-podinfo');
  assert.equal(targeted.namespace, 'apps');
  assert.deepEqual(targeted.owner, { name: 'podinfo', namespace: 'flux-system' });
  assert.equal(releaseSettings({ ...base, spec: { targetNamespace: 'apps', releaseName: 'mine' } }).releaseName, 'mine');
  const long = releaseSettings({ ...base, spec: { targetNamespace: 'a-very-long-target-namespace-for-testing-names' } });
  assert.equal(long.releaseName.length, 53);
  assert.equal(long.longName, 'a-very-long-target-namespace-for-testing-names-podinfo');
  assert.equal(releaseSettings({ ...base, spec: {} }).crds, 'Create', 'install.crds defaults to Create');
  assert.equal(releaseSettings({ ...base, spec: {} }, 'default', 'upgrade').crds, 'Skip', 'upgrade.crds defaults to Skip');
});

test('a HelmRelease renders with its release name, namespace, post-renderers, common metadata and origin labels', async () => {
  const r = await renderRelease(ws, charts, hr('demo'), { render: helm });
  assert.equal(r.error, undefined);
  assert.ok(r.ok);
  assert.equal(r.releaseName, 'apps-demo');
  assert.equal(r.namespace, 'apps');
  const byKind = Object.fromEntries(r.objects.map((o) => [o.kind, o]));
  const dep = byKind.Deployment.object as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } };
  assert.equal(dep.metadata.name, 'apps-demo', '.Release.Name is the Flux release name');
  assert.equal(dep.metadata.labels.patched, 'yes', 'the kustomize patch ran');
  assert.equal(dep.spec.template.spec.containers[0].image, 'ghcr.io/example/demo:2.0', 'the images entry ran');
  assert.equal(dep.metadata.labels['helm.toolkit.fluxcd.io/name'], 'demo');
  assert.equal(dep.metadata.labels['helm.toolkit.fluxcd.io/namespace'], 'flux-system');
  assert.equal(dep.metadata.annotations.team, 'blue');
  assert.equal(byKind.Deployment.template, 'demo/templates/deployment.yaml');
  // The hook is post-rendered too (Helm v4), the chart's CRD is not.
  const hook = r.objects.find((o) => o.hook);
  assert.equal((hook?.object.metadata as { labels: Record<string, string> }).labels['helm.toolkit.fluxcd.io/name'], 'demo');
  const crd = r.objects.find((o) => o.crd);
  assert.equal(crd?.kind, 'CustomResourceDefinition', 'install.crds Create puts the chart CRDs in');
  assert.equal((crd?.object.metadata as { labels?: unknown }).labels, undefined, 'CRDs from crds/ are not post-rendered');
  assert.match(r.manifest, /# Source: demo\/templates\/deployment.yaml/);
});

test('a `required` failure lands on the values key the template reads, in the HelmRelease', async () => {
  const r = await renderRelease(ws, charts, hr('broken'), { render: helm });
  assert.equal(r.ok, false);
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.equal(d.code, 'render-template');
  assert.match(d.message, /extra\.must is required/);
  assert.match(d.message, /demo\/templates\/deployment\.yaml:\d+/);
  // `.Values.extra.must` does not exist; the deepest key that does (`extra`) was set inline.
  const brokenStart = RELEASES.indexOf('name: broken');
  assert.equal(d.range.start.line, lineOf(RELEASES, '    extra:', brokenStart));
});

test('a values schema failure lands on the offending inline value', async () => {
  const r = await renderRelease(ws, charts, hr('wrongtype'), { render: helm });
  assert.equal(r.ok, false);
  const d = r.diagnostics.find((x) => x.code === 'values-schema');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /replicaCount/);
  assert.equal(d.range.start.line, lineOf(RELEASES, 'replicaCount: three'));
});

test('rendered custom resources are checked against the chart CRD even when the policy skips installing it', async () => {
  const r = await renderRelease(ws, charts, hr('badwidget'), { render: helm });
  assert.ok(r.ok, r.error);
  assert.equal(r.objects.some((o) => o.crd), false, 'install.crds Skip leaves the CRDs out');
  const d = r.diagnostics.find((x) => x.code === 'rendered-object');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /Widget badwidget/);
  assert.match(d.message, /spec\.size/);
  assert.match(d.message, /\.Values\.widget\.size/);
  assert.equal(d.range.start.line, lineOf(RELEASES, 'size: large'));
  // A kind nothing describes is skipped: the same object checked against the built-in schemas alone passes.
  const widget = r.objects.find((o) => o.kind === 'Widget');
  assert.ok(widget);
  assert.deepEqual(validateRendered([widget], createRenderedSchemas({ builtin: builtinK8sSchemas }), {}), []);
});

test('rendered built-in objects are checked against the Kubernetes schemas, on the value that produced the field', async () => {
  const r = await renderRelease(ws, charts, hr('policy'), { render: helm });
  assert.ok(r.ok, r.error);
  const d = r.diagnostics.find((x) => x.code === 'rendered-object');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /Deployment policy/);
  assert.match(d.message, /imagePullPolicy/);
  assert.match(d.message, /Always, IfNotPresent, Never/);
  assert.equal(d.range.start.line, lineOf(RELEASES, 'pullPolicy: Sometimes'));
  // The well-formed release has no findings from the built-in schemas.
  const ok = await renderRelease(ws, charts, hr('demo'), { render: helm });
  assert.deepEqual(ok.diagnostics, []);
});

test('a values schema failure of a value from valuesFrom lands on that valuesFrom entry', async () => {
  const r = await renderRelease(ws, charts, hr('fromcm'), { render: helm });
  assert.equal(r.ok, false);
  const d = r.diagnostics.find((x) => x.code === 'values-schema');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.range.start.line, lineOf(RELEASES, '    - kind: ConfigMap', RELEASES.indexOf('name: fromcm')));
});

test("app-template (values.schema.json with remote $refs) renders without the network, its schema checked by fluxhelm", async () => {
  const { loadChartFromFiles } = await import('../../engine/charts/chart.ts');
  const { readTree } = await import('../support/disk-fixture.ts');
  const loaded = loadChartFromFiles(readTree(new URL('../../../shared/charts/app-template', import.meta.url).pathname));
  assert.ok(loaded.ok);
  const text = (type: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: echo
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: app-template
      sourceRef: {kind: HelmRepository, name: bjw-s}
  values:
    controllers:
      main:
        type: ${type}
        containers:
          app:
            image:
              repository: ghcr.io/mendhak/http-https-echo
              tag: "35"
`;
  for (const [type, ok] of [['deployment', true], ['bogus', false]] as const) {
    const h = memoryHost({ '/app/hr.yaml': text(type) });
    const w = new Workspace(h, { roots: ['/app'] });
    const echo = [...w.index.allObjects()].find((o) => o.kind === 'HelmRelease')!;
    const r = await renderRelease(w, { resolveRelease: charts.resolveRelease, loadChart: async () => ({ ok: true, chart: loaded.chart, fromCache: false }) }, echo, { render: helm });
    assert.equal(r.ok, ok, `${type}: ${r.error} ${JSON.stringify(r.diagnostics)}`);
    if (ok) {
      assert.deepEqual(r.diagnostics, []);
      const dep = r.objects.find((o) => o.kind === 'Deployment');
      assert.ok(dep, r.objects.map((o) => `${o.kind}/${o.name}`).join(' '));
      assert.equal((dep?.object as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0].image, 'ghcr.io/mendhak/http-https-echo:35');
    } else {
      const d = r.diagnostics.find((x) => x.code === 'values-schema');
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.range.start.line, lineOf(text(type), 'type: bogus'));
    }
  }
});

test('a patch without target fails the release when a stream lacks its object (Helm v4 post-renders hooks on their own)', async () => {
  const r = await renderRelease(ws, charts, hr('targetless'), { render: helm });
  assert.equal(r.ok, false);
  assert.equal(r.error, 'a post-renderer failed');
  const d = r.diagnostics.find((x) => x.code === 'post-render');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(r.diagnostics.filter((x) => x.code === 'post-render').length, 1, JSON.stringify(r.diagnostics.map((x) => x.message)));
  assert.match(d.message, /Deployment/);
  assert.equal(d.range.start.line, lineOf(RELEASES, '          - patch: |', RELEASES.indexOf('name: targetless')));
});

test('a template execution error names the value Helm stumbled on, and lands on the line that set it', async () => {
  const r = await renderRelease(ws, charts, hr('notamap'), { render: helm });
  assert.equal(r.ok, false);
  const d = r.diagnostics.find((x) => x.code === 'render-template');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /demo\/templates\/nested\.yaml:6/);
  assert.match(d.message, /\.Values\.nested\.deep\.value/);
  assert.equal(d.range.start.line, lineOf(RELEASES, 'deep: just a string'));
});

test('a failing chart source becomes an error result, never an exception', async () => {
  const broken: ReleaseCharts = { resolveRelease: async () => { throw new Error('source exploded'); }, loadChart: charts.loadChart };
  const r = await renderRelease(ws, broken, hr('demo'), { render: helm });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /source exploded/);
});
