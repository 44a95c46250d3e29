/**
 * Differential test: Helm compiled to WebAssembly (server/helm-render-host.ts,
 * dist/helm.wasm) against the native `helm template` of the same version,
 * v4.2.4 (.ci/helm-deps.sh). The output must be byte-equal.
 *
 * The four real charts in ../shared/charts (podinfo, app-template with its
 * library chart, bitnami redis with bitnami common, promtail) are rendered
 * with seeded, generated value sets (≥ 200 in all: replica counts, toggled
 * features, odd strings, nulls that delete defaults, annotations maps,
 * random release names, namespaces, --is-upgrade, --kube-version). helm gets
 * each set as a JSON `-f` file, the host the same object. When helm fails,
 * the host must fail too with helm's error text. A chart written by the test
 * covers hooks (weights, test hooks, --no-hooks, --skip-tests), crds/ with
 * --include-crds, NOTES, `.Capabilities` with --kube-version and
 * --api-versions, `lookup`, a subchart archive, and kubeVersion constraints.
 *
 * Every rendered document is also read as post-rendering reads it (the
 * quick reader of yaml/fast.ts where it answers) and compared with the YAML
 * library's objects.
 *
 * Nondeterministic templates are avoided rather than masked: podinfo's test
 * hooks use randAlphaNum (rendered with --skip-tests) and redis gets a
 * password (otherwise generated at random).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseAllDocuments, parseDocument } from 'yaml';
import { documentObjects } from '../../engine/render/post-render.ts';
import { createFastReader } from '../../engine/yaml/fast.ts';
import { createHelmRenderHost, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';
import type { ChartFiles, HelmRenderRequest, HelmRenderResult, RenderedDocument } from '../../engine/render/host.ts';
import { chartFilesFromDir, runNativeHelm, helmRenderBinary, HELM_RENDER_VERSION } from '../support/helm-native.ts';

const CHARTS = new URL('../../../shared/charts/', import.meta.url).pathname;
const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261203);
const PER_CHART = Number(process.env.FLUXHELM_RENDER_CASES ?? 50);

let host: NodeHelmRenderHost;
let work: string;

before(() => {
  helmRenderBinary();
  work = mkdtempSync(join(tmpdir(), 'fluxhelm-render-diff-'));
  host = createHelmRenderHost({ timeoutMs: 60_000 });
  assert.ok(host.available, 'dist/helm.wasm is missing: run npm run build with Go installed');
});
after(async () => {
  await host?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---- seeded generation ------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  word(): string {
    return this.pick(['alpha', 'beta', 'web', 'api', 'cache', 'x', 'a-b', 'team1']) + (this.bool(0.3) ? `-${this.int(0, 99)}` : '');
  }
  /** Strings that are easy to get wrong between YAML, JSON and templates. */
  oddString(): string {
    return this.pick([
      'plain', 'yes', 'no', 'on', 'null', '~', '1.10', '0x1F', '012', '1e3', 'true', '',
      ' leading space', 'trailing ', 'colon: inside', '# not a comment', '- dash', 'quote "double"', "quote 'single'",
      'multi\nline', 'tab\there', 'ünïcödé ✓', '{{ not a template }}', '*star', '&anchor', '!tag', '%percent', '@at', '`backtick`',
    ]);
  }
  scalar(): unknown {
    switch (this.int(0, 5)) {
      case 0: return this.oddString();
      case 1: return this.int(-5, 100000);
      case 2: return this.bool();
      case 3: return this.int(0, 1000) / 8;
      case 4: return null;
      default: return this.word();
    }
  }
  stringMap(max = 3): Record<string, string> {
    const m: Record<string, string> = {};
    for (let i = this.int(0, max); i > 0; i--) m[`example.com/${this.word()}`] = this.oddString();
    return m;
  }
  maybe<T>(p: number, v: () => T): T | undefined {
    return this.bool(p) ? v() : undefined;
  }
}

/** Drops undefined entries (JSON.stringify would too, but the object goes to the host as is). */
function clean<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clean) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clean(x);
    return out as T;
  }
  return v;
}

function podinfoValues(g: Gen): Record<string, unknown> {
  return clean({
    replicaCount: g.maybe(0.6, () => g.int(0, 5)),
    logLevel: g.maybe(0.5, () => g.pick(['debug', 'info', 'warn', 'error'])),
    image: g.maybe(0.4, () => ({ tag: g.pick(['6.5.3', 'latest', '6.0']), pullPolicy: g.pick(['Always', 'IfNotPresent']) })),
    ui: g.maybe(0.6, () => ({ message: g.oddString(), color: g.pick(['#34577c', 'red', '']) })),
    service: g.maybe(0.5, () => ({ type: g.pick(['ClusterIP', 'NodePort', 'LoadBalancer']), httpPort: g.int(80, 9999), nodePort: g.maybe(0.3, () => g.int(30000, 32000)) })),
    hpa: g.maybe(0.3, () => ({ enabled: g.bool(), maxReplicas: g.int(2, 20), cpu: g.maybe(0.5, () => g.int(50, 99)), memory: g.maybe(0.3, () => '512Mi') })),
    redis: g.maybe(0.3, () => ({ enabled: g.bool() })),
    serviceAccount: g.maybe(0.3, () => ({ enabled: g.bool(), name: g.maybe(0.5, () => g.word()) })),
    ingress: g.maybe(0.3, () => ({
      enabled: g.bool(0.8),
      className: g.maybe(0.5, () => 'nginx'),
      annotations: g.stringMap(),
      hosts: [{ host: `${g.word()}.example.com`, paths: [{ path: g.pick(['/', '/api']), pathType: g.pick(['Prefix', 'ImplementationSpecific']) }] }],
      tls: g.maybe(0.3, () => [{ secretName: 'tls', hosts: ['a.example.com'] }]),
    })),
    serviceMonitor: g.maybe(0.2, () => ({ enabled: g.bool(), interval: g.pick(['15s', '1m']) })),
    hooks: g.maybe(0.5, () => ({
      preInstall: { job: { enabled: g.bool(0.7), sleepSeconds: g.maybe(0.5, () => g.int(1, 30)), exitCode: g.int(0, 1) } },
      postInstall: { job: { enabled: g.bool(0.5) } },
    })),
    podAnnotations: g.maybe(0.5, () => g.stringMap(4)),
    resources: g.maybe(0.4, () => (g.bool(0.2) ? null : { limits: { memory: `${g.int(64, 512)}Mi` }, requests: { cpu: `${g.int(1, 500)}m` } })),
    extraEnvs: g.maybe(0.3, () => [{ name: 'EXTRA', value: String(g.scalar()) }]),
    podDisruptionBudget: g.maybe(0.2, () => ({ maxUnavailable: g.int(1, 2) })),
    nodeSelector: g.maybe(0.2, () => ({ 'kubernetes.io/os': 'linux' })),
    tolerations: g.maybe(0.2, () => [{ key: g.word(), operator: 'Exists', effect: 'NoSchedule' }]),
  });
}

function appTemplateValues(g: Gen): Record<string, unknown> {
  const type = g.pick(['deployment', 'deployment', 'statefulset', 'daemonset']);
  const main = clean({
    type,
    replicas: type === 'daemonset' ? undefined : g.maybe(0.6, () => g.int(1, 4)),
    annotations: g.maybe(0.3, () => g.stringMap()),
    containers: {
      main: {
        image: { repository: g.pick(['ghcr.io/home-operations/radarr', 'nginx', 'docker.io/library/redis']), tag: g.pick(['1.2.3', 'latest', '7.2@sha256:' + 'a'.repeat(64)]) },
        env: g.maybe(0.6, () => ({ TZ: 'Europe/Berlin', ODD: g.oddString(), NUM: g.int(0, 9) })),
        args: g.maybe(0.3, () => ['--port', String(g.int(1000, 9000))]),
        probes: g.maybe(0.3, () => ({ liveness: { enabled: g.bool() }, readiness: { enabled: g.bool() } })),
        resources: g.maybe(0.3, () => ({ requests: { cpu: '10m' }, limits: { memory: `${g.int(64, 999)}Mi` } })),
      },
    },
  });
  const port = g.int(80, 9000);
  return clean({
    controllers: { main },
    service: g.maybe(0.8, () => ({ main: { controller: 'main', type: g.maybe(0.3, () => g.pick(['ClusterIP', 'LoadBalancer'])), ports: { http: { port } } } })),
    ingress: g.maybe(0.4, () => ({
      main: {
        className: g.maybe(0.5, () => 'nginx'),
        annotations: g.stringMap(),
        hosts: [{ host: `${g.word()}.example.com`, paths: [{ path: '/', service: { identifier: 'main', port: 'http' } }] }],
      },
    })),
    persistence: g.maybe(0.5, () => ({
      config: g.bool() ? { type: 'emptyDir', globalMounts: [{ path: '/config' }] } : { type: 'persistentVolumeClaim', accessMode: 'ReadWriteOnce', size: `${g.int(1, 20)}Gi`, globalMounts: [{ path: '/data' }] },
    })),
    configMaps: g.maybe(0.3, () => ({ config: { data: { 'app.conf': g.oddString(), key: String(g.scalar()) } } })),
    defaultPodOptions: g.maybe(0.3, () => ({ securityContext: { runAsUser: g.int(0, 1000), fsGroup: g.int(0, 1000) } })),
  });
}

function redisValues(g: Gen): Record<string, unknown> {
  const architecture = g.pick(['standalone', 'replication']);
  return clean({
    architecture,
    auth: { password: `pw-${g.int(0, 1e6)}`, enabled: g.bool(0.85) },
    commonLabels: g.maybe(0.3, () => ({ team: g.word() })),
    commonAnnotations: g.maybe(0.3, () => g.stringMap()),
    master: g.maybe(0.6, () => ({
      persistence: { enabled: g.bool(0.7), size: `${g.int(1, 50)}Gi` },
      resources: g.maybe(0.3, () => ({ limits: { memory: '256Mi' } })),
      podAnnotations: g.maybe(0.3, () => g.stringMap()),
      service: g.maybe(0.3, () => ({ type: g.pick(['ClusterIP', 'NodePort']) })),
    })),
    replica: architecture === 'replication' ? g.maybe(0.6, () => ({ replicaCount: g.int(1, 4), persistence: { enabled: g.bool() } })) : undefined,
    sentinel: architecture === 'replication' ? g.maybe(0.3, () => ({ enabled: g.bool() })) : undefined,
    metrics: g.maybe(0.3, () => ({ enabled: g.bool(), serviceMonitor: { enabled: g.bool(0.3) } })),
    networkPolicy: g.maybe(0.3, () => ({ enabled: g.bool(), allowExternal: g.bool() })),
    pdb: g.maybe(0.2, () => ({ create: g.bool() })),
    serviceAccount: g.maybe(0.2, () => ({ create: g.bool(), name: g.maybe(0.5, () => g.word()) })),
    commonConfiguration: g.maybe(0.2, () => `maxmemory-policy ${g.pick(['allkeys-lru', 'noeviction'])}`),
  });
}

function promtailValues(g: Gen): Record<string, unknown> {
  const asDeployment = g.bool(0.3);
  return clean({
    daemonset: { enabled: !asDeployment },
    deployment: asDeployment ? { enabled: true, replicaCount: g.int(1, 3), autoscaling: { enabled: g.bool(0.3) } } : undefined,
    config: g.maybe(0.7, () => ({
      logLevel: g.pick(['info', 'debug', 'warn']),
      clients: [{ url: `http://${g.word()}:3100/loki/api/v1/push`, tenant_id: g.maybe(0.3, () => g.word()) }],
      snippets: g.maybe(0.4, () => ({ extraRelabelConfigs: [{ action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' }], pipelineStages: [{ cri: {} }, { labels: { app: null } }] })),
    })),
    podAnnotations: g.maybe(0.4, () => g.stringMap()),
    serviceMonitor: g.maybe(0.3, () => ({ enabled: g.bool(), interval: g.maybe(0.5, () => '30s') })),
    networkPolicy: g.maybe(0.2, () => ({ enabled: g.bool() })),
    extraArgs: g.maybe(0.3, () => ['-client.external-labels=cluster=' + g.word()]),
    extraEnv: g.maybe(0.3, () => [{ name: 'X', value: g.oddString() }]),
    resources: g.maybe(0.3, () => ({ limits: { memory: `${g.int(64, 512)}Mi` } })),
    tolerations: g.maybe(0.3, () => (g.bool() ? [] : null)),
    rbac: g.maybe(0.2, () => ({ create: g.bool(), pspEnabled: false })),
    service: g.maybe(0.2, () => ({ enabled: g.bool() })),
  });
}

// ---- comparison ------------------------------------------------------------

interface Case {
  label: string;
  chartDir: string;
  chart: ChartFiles;
  req: Omit<HelmRenderRequest, 'chart'>;
}

function helmArgs(c: Case, valuesFile: string): string[] {
  const r = c.req;
  const args = ['template', r.releaseName, c.chartDir, '-n', r.namespace, '-f', valuesFile];
  if (r.kubeVersion) args.push('--kube-version', r.kubeVersion);
  for (const a of r.apiVersions ?? []) args.push('--api-versions', a);
  if (r.includeCrds) args.push('--include-crds');
  if (r.skipTests) args.push('--skip-tests');
  if (r.noHooks) args.push('--no-hooks');
  if (r.isUpgrade) args.push('--is-upgrade');
  if (r.skipSchemaValidation) args.push('--skip-schema-validation');
  return args;
}

async function compare(c: Case, i: number): Promise<HelmRenderResult> {
  const valuesFile = join(work, `values-${i}.json`);
  writeFileSync(valuesFile, JSON.stringify(c.req.values));
  const [native, wasm] = await Promise.all([
    runNativeHelm(helmArgs(c, valuesFile), join(work, 'home')),
    host.render({ ...c.req, chart: c.chart }),
  ]);
  if (native.code === 0) {
    assert.ok(wasm.ok, `${c.label}: helm rendered, the wasm host failed: ${!wasm.ok ? `${wasm.kind}: ${wasm.error}` : ''}`);
    if (wasm.manifest !== native.stdout) {
      writeFileSync(join(work, `fail-${i}-wasm.yaml`), wasm.manifest);
      writeFileSync(join(work, `fail-${i}-helm.yaml`), native.stdout);
    }
    assert.equal(wasm.manifest, native.stdout, `${c.label}: manifests differ (values ${JSON.stringify(c.req.values)})`);
    assert.equal(wasm.helmVersion, HELM_RENDER_VERSION);
    // The documents are the manifest, in order.
    const plain = wasm.documents.filter((d) => !d.hook || d.crd).length;
    const joined = (plain ? '' : '\n') + wasm.documents.map((d) => `---\n${d.text}\n`).join('');
    assert.equal(joined, wasm.manifest, `${c.label}: documents do not add up to the manifest`);
    for (const d of wasm.documents) {
      checkHead(c.label, d);
      checkObjects(c.label, d);
    }
  } else {
    assert.ok(!wasm.ok, `${c.label}: helm failed (${native.stderr.trim()}), the wasm host rendered`);
    assert.ok(['template', 'schema', 'chart'].includes(wasm.kind), `${c.label}: unexpected kind ${wasm.kind}: ${wasm.error}`);
    assert.ok(native.stderr.includes(`Error: ${wasm.error}`), `${c.label}: error texts differ:\n helm: ${native.stderr}\n wasm: ${wasm.error}`);
  }
  return wasm;
}

const quickReader = createFastReader({ version: '1.1', uniqueKeys: false });
/** Rendered documents read by the quick reader (the rest by the library), per chart test. */
const quickReads = { quick: 0, all: 0 };

/** The objects post-rendering reads from a document (the quick reader where it answers) are the library's. */
function checkObjects(label: string, d: RenderedDocument): void {
  const objects: unknown[] = [];
  let error: string | undefined;
  for (const doc of parseAllDocuments(d.text, { version: '1.1', uniqueKeys: false })) {
    if (doc.errors.length) {
      error = doc.errors[0]!.message;
      break;
    }
    const v = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (v !== null && v !== undefined) objects.push(v);
  }
  const got = documentObjects(d.text);
  quickReads.all++;
  if (quickReader.read(d.text)) quickReads.quick++;
  if (error) assert.equal(got.error, error, `${label}: ${d.template}`);
  else assert.deepEqual(got.objects, objects, `${label}: objects of ${d.template} differ from the library's`);
}

/** The per-document facts agree with a YAML 1.1 parse of the document's text. */
function checkHead(label: string, d: RenderedDocument): void {
  const doc = parseDocument(d.text, { version: '1.1' });
  if (doc.errors.length) return;
  const o = doc.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> } } | null;
  if (!o || typeof o !== 'object') return;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const want = { apiVersion: str(o.apiVersion), kind: str(o.kind), name: str(o.metadata?.name), namespace: str(o.metadata?.namespace), hook: str(o.metadata?.annotations?.['helm.sh/hook']) };
  const got = { apiVersion: d.apiVersion, kind: d.kind, name: d.name, namespace: d.namespace, hook: d.crd ? want.hook : d.hook };
  assert.deepEqual(got, want, `${label}: facts of ${d.template} differ from its YAML`);
}

async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

const GENERATORS: Record<string, { values(g: Gen): Record<string, unknown>; fixed?: Partial<HelmRenderRequest> }> = {
  podinfo: { values: podinfoValues, fixed: { skipTests: true } },
  'app-template': { values: appTemplateValues, fixed: { skipSchemaValidation: true } },
  redis: { values: redisValues },
  promtail: { values: promtailValues },
};

for (const [name, gen] of Object.entries(GENERATORS)) {
  test(`${name}: ${PER_CHART} generated value sets render byte-equal to helm template ${HELM_RENDER_VERSION}`, async () => {
    const chartDir = join(CHARTS, name);
    const chart = chartFilesFromDir(chartDir);
    const cases: Case[] = [];
    for (let i = 0; i < PER_CHART; i++) {
      const g = new Gen(SEED + i * 7919 + name.length);
      cases.push({
        label: `${name} #${i} (seed ${SEED})`,
        chartDir,
        chart,
        req: {
          releaseName: g.bool(0.7) ? g.pick(['rel', 'my-release', name]) : `r${g.int(0, 999)}-${g.word()}`,
          namespace: g.pick(['default', 'apps', 'team-a']),
          values: gen.values(g),
          isUpgrade: g.bool(0.2),
          kubeVersion: g.maybe(0.2, () => g.pick(['v1.30.2', '1.34.4', 'v1.33.0-gke.100'])),
          ...gen.fixed,
        },
      });
    }
    let rendered = 0;
    quickReads.quick = quickReads.all = 0;
    await pool(cases, 2, async (c, i) => {
      const r = await compare(c, i + name.length * 1000);
      if (r.ok) rendered++;
    });
    // Helm's output is plain block YAML: the quick reader takes most documents (all of them compared above).
    assert.ok(quickReads.quick > quickReads.all * 0.5, `${name}: the quick reader took ${quickReads.quick} of ${quickReads.all} documents`);
    // Most generated sets must render: a generator that only produces errors would test little.
    assert.ok(rendered >= PER_CHART * 0.7, `${name}: only ${rendered} of ${PER_CHART} value sets rendered`);
  });
}

// ---- a chart with hooks, CRDs, NOTES and capabilities -----------------------

const FEATURE_CHART: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: features\nversion: 0.3.0\nappVersion: "1.0"\nkubeVersion: ">=1.25.0-0"\ndependencies:\n  - name: sub\n    version: 0.1.0\n',
  'values.yaml': 'greeting: hello\nhookWeight: 5\nsub:\n  enabled: true\n',
  '.helmignore': 'ignored/\n*.bak\n',
  'ignored/junk.yaml': 'not: [valid',
  'templates/skip.bak': '{{ fail "helmignore not applied" }}',
  'crds/widgets.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema: {openAPIV3Schema: {type: object}}\n',
  'templates/NOTES.txt': 'Installed {{ .Release.Name }} on {{ .Capabilities.KubeVersion }}.\n',
  'templates/caps.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-caps',
    '  namespace: {{ .Release.Namespace }}',
    'data:',
    '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
    '  minor: {{ .Capabilities.KubeVersion.Minor | quote }}',
    '  helm: {{ .Capabilities.HelmVersion.Version | quote }}',
    '  hasWidget: {{ .Capabilities.APIVersions.Has "example.com/v1" | quote }}',
    '  hasWidgetKind: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}',
    '  hasPolicy: {{ .Capabilities.APIVersions.Has "policy/v1" | quote }}',
    '  apis: {{ len .Capabilities.APIVersions | quote }}',
    '  upgrade: {{ .Release.IsUpgrade | quote }}',
    '  lookup: {{ lookup "v1" "Secret" "default" "x" | toJson | quote }}',
    '  greeting: {{ .Values.greeting | quote }}',
    '  files: {{ .Files.Get "ignored/junk.yaml" | quote }}',
    '{{- if semverCompare ">=1.33-0" .Capabilities.KubeVersion.GitVersion }}',
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: new-kube',
    'stringData: {a: b}',
    '{{- end }}',
  ].join('\n') + '\n',
  'templates/hooks.yaml': [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: pre',
    '  annotations:',
    '    "helm.sh/hook": pre-install,pre-upgrade',
    '    "helm.sh/hook-weight": "{{ .Values.hookWeight }}"',
    'spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: early',
    '  annotations:',
    '    "helm.sh/hook": pre-install',
    '    "helm.sh/hook-weight": "-3"',
    'spec: {containers: [{name: c, image: busybox}]}',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: smoke-test',
    '  annotations:',
    '    "helm.sh/hook": test',
    'spec: {containers: [{name: c, image: busybox}]}',
  ].join('\n') + '\n',
  'templates/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "sub.name" . }}\nspec:\n  ports: [{port: 80}]\n',
  'templates/empty.yaml': '{{- /* renders nothing */ -}}\n',
};
const SUB_CHART: Record<string, string> = {
  'sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
  'sub/values.yaml': 'size: 3\n',
  'sub/templates/_helpers.tpl': '{{- define "sub.name" -}}{{ .Release.Name }}-sub{{- end -}}\n',
  'sub/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "sub.name" . }}\nspec:\n  replicas: {{ .Values.size }}\n',
};

function writeFeatureChart(): { dir: string; files: ChartFiles } {
  const dir = join(work, 'features');
  for (const [p, text] of Object.entries(FEATURE_CHART)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  // The subchart goes in as an archive, as `helm dependency build` leaves it.
  const subSrc = join(work, 'sub-src');
  for (const [p, text] of Object.entries(SUB_CHART)) {
    mkdirSync(join(subSrc, p, '..'), { recursive: true });
    writeFileSync(join(subSrc, p), text);
  }
  mkdirSync(join(dir, 'charts'), { recursive: true });
  execFileSync('tar', ['-czf', join(dir, 'charts', 'sub-0.1.0.tgz'), '-C', subSrc, 'sub']);
  return { dir, files: chartFilesFromDir(dir) };
}

test('hooks, CRDs, NOTES, --kube-version, --api-versions and the other flags match helm template', async () => {
  const { dir, files } = writeFeatureChart();
  const base = { releaseName: 'feat', namespace: 'ns1', values: {} };
  const variants: Array<Partial<HelmRenderRequest>> = [
    {},
    { includeCrds: true },
    { includeCrds: true, skipTests: true },
    { noHooks: true },
    { isUpgrade: true, values: { hookWeight: -10, greeting: 'hi' } },
    { kubeVersion: 'v1.34.4' },
    { kubeVersion: '1.30.0' },
    { kubeVersion: 'v1.24.0' }, // below the chart's kubeVersion: an error in both
    { kubeVersion: 'not-a-version' },
    { apiVersions: ['example.com/v1', 'example.com/v1/Widget'] },
    { apiVersions: ['example.com/v1,monitoring.coreos.com/v1'], includeCrds: true, kubeVersion: 'v1.33.1' },
    { values: { sub: { enabled: false } } },
    { values: { sub: { size: 7 }, greeting: null } },
    { releaseName: 'Bad_Name' },
  ];
  let i = 0;
  for (const v of variants) {
    const req = { ...base, ...v } as Omit<HelmRenderRequest, 'chart'>;
    const r = await compare({ label: `features ${JSON.stringify(v)}`, chartDir: dir, chart: files, req }, 5000 + i++);
    if (r.ok && !req.noHooks) {
      const hooks = r.documents.filter((d) => d.hook);
      assert.ok(hooks.some((d) => d.name === 'pre' && d.hook === 'pre-install,pre-upgrade' && d.kind === 'Job'), 'the pre-install Job is reported as a hook');
      assert.equal(hooks.some((d) => d.name === 'smoke-test'), !req.skipTests);
    }
    if (r.ok) {
      assert.equal(r.notes?.startsWith(`Installed ${req.releaseName} on `), true, 'NOTES.txt is returned as notes');
      assert.equal(r.documents.some((d) => d.crd && d.kind === 'CustomResourceDefinition'), !!req.includeCrds);
      const cm = r.documents.find((d) => d.kind === 'ConfigMap');
      assert.equal(cm?.namespace, 'ns1');
      assert.equal(cm?.template, 'features/templates/caps.yaml');
    }
  }
});
