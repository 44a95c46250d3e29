/**
 * Differential: fluxhelm's HelmRelease rendering (engine/render through the
 * WebAssembly Helm host) against flate v0.6.5 (`flate build hr`, installed by
 * .ci/flate-deps.sh) on a generated fleet whose HelmRepository is a loopback
 * HTTP server serving charts from ../shared/charts packaged by the real helm.
 * The releases exercise the Flux parts: release names (default,
 * targetNamespace-prefixed, explicit, shortened past 53 characters),
 * namespaces, valuesFrom (a ConfigMap, with and without targetPath),
 * postRenderers (kustomize patches and images), commonMetadata and
 * helm-controller's labels.
 * Both must produce the same objects.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Workspace } from '../../engine/workspace/model.ts';
import { ChartResolution } from '../../engine/releases/resolution.ts';
import { renderRelease, type RenderedRelease } from '../../engine/render/render-release.ts';
import { createNodeHost } from '../../server/node-host.ts';
import { createNetHost } from '../../server/net-host.ts';
import { createHelmRenderHost, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';
import { cacheRoot, runHelm } from '../support/tools.ts';

const FLATE = join(cacheRoot(), 'tools', 'flate-v0.6.5', 'flate');
const CHARTS = new URL('../../../shared/charts', import.meta.url).pathname;

let dir: string;
let server: Server;
let repoUrl: string;
let helm: NodeHelmRenderHost;

function fleet(url: string): Record<string, string> {
  const chart = (name: string) => `  chart:\n    spec:\n      chart: ${name}\n      version: "*"\n      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}\n`;
  return {
    'sources.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${url}\n`,
    'namespaces.yaml': ['apps', 'flux-system', 'a-rather-long-target-namespace-for-release-names'].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`).join('---\n'),
    'values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-values\n  namespace: apps\ndata:\n  values.yaml: |\n    replicaCount: 2\n    ui:\n      color: "#123456"\n  tag: 6.0.1\n',
    'releases.yaml': [
      // Plain: release name = name, namespace = own; valuesFrom whole file and one key at a targetPath; inline wins.
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 10m\n${chart('podinfo')}  valuesFrom:\n    - kind: ConfigMap\n      name: podinfo-values\n    - kind: ConfigMap\n      name: podinfo-values\n      valuesKey: tag\n      targetPath: image.tag\n  values:\n    ui:\n      message: inline wins\n    replicaCount: 3\n`,
      // targetNamespace: objects in apps; post-renderers patch and retag. (The release name is explicit: flate v0.6.5
      // leaves out the `targetNamespace-` prefix helm-controller's GetReleaseName adds; test/engine/render-release.test.ts
      // checks that rule.)
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  interval: 10m\n  targetNamespace: apps\n  releaseName: web\n${chart('podinfo')}  values:\n    hpa:\n      enabled: true\n  postRenderers:\n    - kustomize:\n        patches:\n          - target: {kind: Deployment}\n            patch: |\n              - op: add\n                path: /metadata/labels/patched-by\n                value: fluxhelm-test\n          - target: {kind: Service, name: web-podinfo}\n            patch: |\n              apiVersion: v1\n              kind: Service\n              metadata:\n                name: web-podinfo\n              spec:\n                type: NodePort\n        images:\n          - name: ghcr.io/stefanprodan/podinfo\n            newName: registry.example.com/podinfo\n            newTag: 9.9.9\n`,
      // Explicit releaseName; commonMetadata on every object.
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: named\n  namespace: apps\nspec:\n  interval: 10m\n  releaseName: chosen\n  commonMetadata:\n    labels:\n      team: platform\n    annotations:\n      owner: sre@example.com\n${chart('podinfo')}`,
      // A name past 53 characters: shortened with a hash.
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo-with-a-rather-long-name-that-helm-would-not-accept-as-is\n  namespace: flux-system\nspec:\n  interval: 10m\n  targetNamespace: a-rather-long-target-namespace-for-release-names\n  releaseName: podinfo-with-a-rather-long-name-that-helm-would-not-accept-as-is\n${chart('podinfo')}`,
      // A second chart (tpl-heavy configuration).
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: promtail\n  namespace: apps\nspec:\n  interval: 10m\n${chart('promtail')}  values:\n    config:\n      clients:\n        - url: http://loki.apps:3100/loki/api/v1/push\n`,
    ].join('---\n'),
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

type Obj = Record<string, unknown>;
const key = (o: Obj) => {
  const m = (o.metadata ?? {}) as Obj;
  return `${o.kind}/${m.namespace ?? ''}/${m.name}`;
};

before(async () => {
  assert.ok(existsSync(FLATE), `flate is not installed at ${FLATE}: run bash .ci/flate-deps.sh`);
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-flate-'));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  for (const c of ['podinfo', 'promtail']) {
    const r = await runHelm(['package', join(CHARTS, c), '-d', repo], join(dir, 'helm-home'));
    assert.equal(r.code, 0, r.stderr);
  }
  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0].replace(/^\/+/, '');
    const file = join(repo, name);
    if (!name || name.includes('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'application/yaml' : 'application/gzip' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  repoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idx = await runHelm(['repo', 'index', repo, '--url', repoUrl], join(dir, 'helm-home'));
  assert.equal(idx.code, 0, idx.stderr);
  mkdirSync(join(dir, 'fleet'));
  for (const [name, text] of Object.entries(fleet(repoUrl))) writeFileSync(join(dir, 'fleet', name), text);
  helm = createHelmRenderHost();
});

after(async () => {
  server?.close();
  await helm?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('HelmReleases render to the same objects as flate build hr', async () => {
  const env = { PATH: process.env.PATH, HOME: join(dir, 'flate-home'), XDG_CACHE_HOME: join(dir, 'flate-cache') };
  const flate = await run(FLATE, ['build', 'hr', '--path', join(dir, 'fleet'), '--skip-crds=false', '--skip-secrets=false', '--kube-version', '1.34.4', '--cache-dir', join(dir, 'flate-cache'), '--no-progress'], env);
  assert.equal(flate.code, 0, flate.stderr);
  const theirs = new Map<string, Obj>();
  for (const d of parseAllDocuments(flate.stdout)) {
    const v = d.toJS() as Obj | null;
    if (v && v.kind && v.kind !== 'HelmRelease') theirs.set(key(v), v);
  }

  const host = createNodeHost();
  const ws = new Workspace(host, { roots: [join(dir, 'fleet')] });
  const resolution = new ChartResolution(() => ws, createNetHost({ cacheDir: join(dir, 'fluxhelm-cache') }), { online: () => true, onChanged: () => {}, log: () => {}, unknownKeys: () => false, timeoutMs: 10_000 });
  const ours = new Map<string, Obj>();
  const results: RenderedRelease[] = [];
  for (const hr of [...ws.index.allObjects()].filter((o) => o.kind === 'HelmRelease')) {
    const r = await renderRelease(ws, resolution, hr, { render: helm, schemas: false, timeoutMs: 120_000, kubeVersion: 'v1.34.4' });
    assert.ok(r.ok, `${r.release}: ${r.error} ${JSON.stringify(r.diagnostics)}`);
    results.push(r);
    for (const o of r.objects) ours.set(key(o.object), o.object);
  }
  const byRelease = Object.fromEntries(results.map((r) => [r.release, r]));
  assert.equal(byRelease['apps/podinfo'].releaseName, 'podinfo');
  assert.equal(byRelease['flux-system/web'].releaseName, 'web');
  assert.equal(byRelease['flux-system/web'].namespace, 'apps');
  assert.equal(byRelease['apps/named'].releaseName, 'chosen');
  assert.equal(byRelease['flux-system/podinfo-with-a-rather-long-name-that-helm-would-not-accept-as-is'].releaseName?.length, 53);

  assert.ok(ours.size > 10, `only ${ours.size} objects rendered`);
  // The Flux parts are really there (so that agreeing with flate means something).
  type Dep = { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
  const web = ours.get('Deployment/apps/web-podinfo') as unknown as Dep;
  assert.equal(web.metadata.labels['patched-by'], 'fluxhelm-test');
  assert.equal(web.spec.template.spec.containers[0].image, 'registry.example.com/podinfo:9.9.9');
  assert.deepEqual([web.metadata.labels['helm.toolkit.fluxcd.io/name'], web.metadata.labels['helm.toolkit.fluxcd.io/namespace']], ['web', 'flux-system']);
  assert.equal((ours.get('Service/apps/web-podinfo')?.spec as { type: string }).type, 'NodePort');
  const chosen = ours.get('Deployment/apps/chosen-podinfo') as unknown as Dep;
  assert.equal(chosen.metadata.labels.team, 'platform');
  assert.equal(chosen.metadata.annotations?.owner, 'sre@example.com');
  const plain = ours.get('Deployment/apps/podinfo') as unknown as Dep;
  assert.equal(plain.spec.replicas, 3, 'inline values win over valuesFrom');
  assert.equal(plain.spec.template.spec.containers[0].image, 'ghcr.io/stefanprodan/podinfo:6.0.1', 'valuesFrom targetPath');
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), 'the same objects');
  for (const [k, o] of ours) assert.deepEqual(o, theirs.get(k), k);
});
