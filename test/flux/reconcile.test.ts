/**
 * Reconcile against the real Flux controllers (source-controller and
 * helm-controller built from source, kube-apiserver, no kubelet): a
 * HelmRelease from an HTTP HelmRepository with a valuesFrom ConfigMap is
 * applied and installed by helm-controller, through `fluxhelm reconcile`
 * and through the language server's reconcile request (as the code lens and
 * the command send it); the lens then shows `Ready ✓` with the installed
 * chart version and the status view lists helm-controller's own events.
 * Real failures (values the chart's values.schema.json rejects, a missing
 * valuesFrom key, a chart version the repository does not have) come back
 * with the controllers' reasons: `fluxhelm reconcile` exits 1 with them and
 * the language server shows them as diagnostics on the field that failed
 * (the value the schema rejects, the valuesFrom entry, the chart version).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxhelm, helmRepositoryYaml, startSandbox, writeTree, type Sandbox } from './sandbox.ts';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/util/uri.ts';

const root = join(import.meta.dirname, '..', '..');
let sb: Sandbox;
let dir: string;
let ns: string;

const greeterTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-greeting
data:
  greeting: {{ .Values.greeting | quote }}
  replicas: {{ .Values.replicas | quote }}
`;

const release = (name: string, extra: string, values = '  values:\n    replicas: 2\n') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  interval: 1h
  timeout: 1m
  install:
    remediation:
      retries: 0
  chart:
    spec:
${extra}      sourceRef:
        kind: HelmRepository
        name: charts
${values}`;

before(async () => {
  sb = await startSandbox(['source-controller', 'helm-controller']);
  const schema = { type: 'object', properties: { replicas: { type: 'integer', minimum: 1 }, greeting: { type: 'string' } }, required: ['replicas'] };
  for (const version of ['1.0.0', '1.1.0']) {
    sb.charts.addChart({ name: 'greeter', version, values: { greeting: 'hello', replicas: 1 }, schema, templates: { 'configmap.yaml': greeterTemplate } });
  }
  ns = sb.namespace('fh-flux');
  dir = mkdtempSync(join(tmpdir(), 'fh-flux-reconcile-'));
  writeTree(dir, {
    'apps/repo.yaml': helmRepositoryYaml(ns, 'charts', sb.charts.url),
    'apps/hello/values.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello-values\n  namespace: ${ns}\ndata:\n  values.yaml: |\n    greeting: from-configmap\n`,
    'apps/hello/release.yaml': release('hello', '      chart: greeter\n      version: 1.x\n', '  valuesFrom:\n    - kind: ConfigMap\n      name: hello-values\n  values:\n    replicas: 2\n'),
    'apps/bad-schema/release.yaml': release('bad-schema', '      chart: greeter\n', '  values:\n    replicas: many\n'),
    'apps/missing-key/values.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: missing-key-values\n  namespace: ${ns}\ndata:\n  other.yaml: |\n    greeting: x\n`,
    'apps/missing-key/release.yaml': release('missing-key', '      chart: greeter\n', '  valuesFrom:\n    - kind: ConfigMap\n      name: missing-key-values\n      valuesKey: values.yaml\n'),
    'apps/bad-version/release.yaml': release('bad-version', '      chart: greeter\n      version: 9.9.9\n'),
  });
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sb?.stop();
});

const kube = () => ['--kubeconfig', sb.cp.kubeconfig];

describe('reconcile against real Flux', () => {
  test('fluxhelm reconcile: helm-controller installs the release with the ConfigMap values; exit 0', async () => {
    const r = await fluxhelm(['reconcile', dir, '--release', `${ns}/hello`, '--yes', '--timeout', '2m', ...kube()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`✔ HelmRelease/${ns}/hello: Ready`));
    const rel = sb.helmRelease(ns, 'hello');
    assert.ok(rel, 'helm-controller wrote the Helm release Secret');
    assert.equal(rel.info.status, 'deployed');
    assert.equal(rel.chart.metadata.version, '1.1.0');
    assert.deepEqual(rel.config, { greeting: 'from-configmap', replicas: 2 });
    // What Helm installed, read back from the API server.
    const cm = sb.get('configmap', ns, 'hello-greeting');
    assert.deepEqual(cm?.data, { greeting: 'from-configmap', replicas: '2' });
    const hr = sb.get('helmrelease', ns, 'hello')!;
    assert.equal(hr.status.history[0].chartVersion, '1.1.0');
  });

  test('from the editor: reconcile request, then the lens shows Ready ✓ 1.1.0 and the status view lists the real events', async () => {
    const file = join(dir, 'apps', 'hello', 'release.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const uri = pathToUri(file);
    process.env.KUBECONFIG = sb.cp.kubeconfig;
    const client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
    try {
      await client.initialize(dir, { trusted: true });
      client.open(uri, readFileSync(file, 'utf8'), 1);
      const progress: string[] = [];
      const result = await client.request<{ ok: boolean; lines: string[]; summary: string }>(
        'fluxhelm/cluster/reconcile',
        { uri, progressToken: 'p1', timeoutMs: 120000, includeSecrets: true },
        150000,
      );
      for (const n of client.notifications) if (n.method === 'fluxhelm/cluster/progress') progress.push(String(n.params.message));
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.match(result.lines.join('\n'), new RegExp(`HelmRelease/${ns}/hello: Ready`));
      assert.ok(progress.length > 0, 'progress messages while waiting');
      assert.equal(sb.helmRelease(ns, 'hello')!.version, 2, 'an upgrade: release v2');
      assert.equal(sb.get('configmap', ns, 'hello-greeting')?.data.replicas, '3');

      const title = await sb.until('the Ready lens', async () => {
        const lenses = await client.request<{ command?: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
        const t = lenses.map((l) => l.command?.title ?? '').find((x) => x.startsWith('Ready ✓'));
        return t;
      }, 30000);
      assert.match(title, /^Ready ✓ 1\.1\.0 \(\d+[smh] ago\)$/);

      const status = await client.request<{ text: string }>('fluxhelm/cluster/status', { uri });
      assert.match(status.text, /Ready=True/);
      assert.match(status.text, /InstallSucceeded/);
      assert.match(status.text, /UpgradeSucceeded/);
      assert.match(status.text, /helm-controller/);
    } finally {
      await client.shutdown();
      delete process.env.KUBECONFIG;
    }
  });

  // [release, reason, message, the line the editor underlines]
  const failures: [string, RegExp, RegExp, string][] = [
    ['bad-schema', /InstallFailed/, /schema[\s\S]*replicas/, '    replicas: many'],
    ['missing-key', /InitFailed|ValuesError|ReconciliationFailed/, /missing-key-values[\s\S]*values\.yaml|values\.yaml[\s\S]*missing-key-values/, '    - kind: ConfigMap'],
    ['bad-version', /ArtifactFailed|ChartPullFailed|InvalidChartReference|SourceNotReady/, /9\.9\.9/, '      version: 9.9.9'],
  ];

  test('real failures: fluxhelm reconcile exits 1 with the controller’s reason', async () => {
    const results = await Promise.all(failures.map(([name]) => fluxhelm(['reconcile', dir, '--release', `${ns}/${name}`, '--yes', '--timeout', '90s', ...kube()])));
    failures.forEach(([name, reason, message], i) => {
      const r = results[i]!;
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      // The verdict line and the rest of the controller's (multi-line) message.
      const at = r.stdout.indexOf(`✗ HelmRelease/${ns}/${name}`);
      const line = at >= 0 ? r.stdout.slice(at) : '';
      assert.match(line, reason, `${name}: ${r.stdout}`);
      assert.match(line, message, `${name}: ${r.stdout}`);
    });
  });

  test('real failures as diagnostics on the HelmRelease in the editor', async () => {
    process.env.KUBECONFIG = sb.cp.kubeconfig;
    const client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
    try {
      await client.initialize(dir, { trusted: true });
      for (const [name, reason, message, line] of failures) {
        const file = join(dir, 'apps', name, 'release.yaml');
        const uri = pathToUri(file);
        const text = readFileSync(file, 'utf8');
        const seen = client.waitFor(
          'textDocument/publishDiagnostics',
          (p) => p.uri === uri && (p.diagnostics as { code?: string }[]).some((d) => d.code === 'cluster-not-ready' || d.code === 'cluster-stalled'),
          60000,
          true,
        );
        client.open(uri, text, 1);
        const diags = (await seen).diagnostics as { code: string; message: string; range: { start: { line: number } } }[];
        const d = diags.find((x) => x.code === 'cluster-not-ready' || x.code === 'cluster-stalled')!;
        assert.match(d.message, reason, name);
        assert.match(d.message, message, name);
        assert.equal(d.range.start.line, text.split('\n').indexOf(line), `${name}: on the line of the field that failed: ${JSON.stringify(d)}`);
      }
    } finally {
      await client.shutdown();
      delete process.env.KUBECONFIG;
    }
  });
});
