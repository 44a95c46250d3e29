/**
 * Overlays of a base (engine/flux/overlays.ts) on test/fixtures/flux-build/fleet,
 * shaped like examples/fleet: apps/base/podinfo with a HelmRelease, a
 * production overlay (strategic merge patch raising replicaCount and
 * enabling ingress) and a staging overlay (JSON 6902 patch changing the
 * chart version and removing a value), each built by a Flux Kustomization
 * in clusters/<env>/ that substitutes ${cluster_env}.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadFixture } from '../support/disk-fixture.ts';
import { memoryHost } from '../support/memory-host.ts';
import { Workspace } from '../../engine/workspace/model.ts';
import { overlaysOfBase, overlaysOfBaseCached, includingKustomizations, summarizeOverlay } from '../../engine/flux/overlays.ts';

const fleet = join(import.meta.dirname, '..', 'fixtures', 'flux-build', 'fleet');

function open() {
  const host = loadFixture(fleet);
  const ws = new Workspace(host, { roots: ['/ws'] });
  return { host, ws };
}

test('the overlays including a base file are found by walking kustomization entries backwards', () => {
  const { ws } = open();
  assert.deepEqual(includingKustomizations(ws, '/ws/apps/base/podinfo/helmrelease.yaml').sort(), ['/ws/apps/base/podinfo', '/ws/apps/production', '/ws/apps/staging']);
  assert.deepEqual(includingKustomizations(ws, '/ws/apps/base/unused/helmrelease.yaml'), []);
});

test('each overlay: the built object, what it changed with the patch line, and the Flux Kustomizations building it', () => {
  const { host, ws } = open();
  const overlays = overlaysOfBase(ws, host, { file: '/ws/apps/base/podinfo/helmrelease.yaml' });
  assert.deepEqual(overlays.map((o) => o.label), ['apps/production', 'apps/staging']);
  const [production, staging] = overlays;

  assert.deepEqual(summarizeOverlay(production), [
    'production: spec.values.replicaCount = 5 from apps/production/podinfo-patch.yaml:9',
    'production: spec.values.ingress.enabled = true from apps/production/podinfo-patch.yaml:11',
  ]);
  const replicas = production.changes[0];
  assert.deepEqual([replicas.path, replicas.value, replicas.op, replicas.via, replicas.line], [['spec', 'values', 'replicaCount'], 5, 'set', 'patch', 9]);
  assert.equal(host.readFile(replicas.file)!.slice(replicas.start, replicas.end), '5');
  assert.equal((production.builtObject.spec as { values: { replicaCount: number } }).values.replicaCount, 5);

  assert.deepEqual(summarizeOverlay(staging), [
    'staging: spec.chart.spec.version = ">=6.0.0-0" from apps/staging/podinfo-patch.yaml:3',
    'staging: spec.values.ingress = (deleted) from apps/staging/podinfo-patch.yaml:4',
  ]);

  for (const [o, env] of [[production, 'production'], [staging, 'staging']] as const) {
    assert.equal(o.kustomizations.length, 1);
    const k = o.kustomizations[0];
    assert.deepEqual([k.name, k.namespace, k.cluster, k.file], ['apps', 'flux-system', env, `/ws/clusters/${env}/apps.yaml`]);
    assert.equal((k.builtObject?.spec as { values: { message: string } }).values.message, `running in ${env}`);
    assert.deepEqual(k.objects.map((x) => x.kind), ['Namespace', 'HelmRelease']);
    assert.deepEqual(k.substitutions.map((s) => [s.path.join('.'), s.variables]), [['spec.values.message', ['cluster_env']]]);
    assert.equal((o.builtObject.spec as { values: { message: string } }).values.message, 'running in ${cluster_env}', 'the overlay build itself is not substituted');
  }
});

test('a base used by no overlay has none; the base folder itself is not an overlay of its files', () => {
  const { host, ws } = open();
  assert.deepEqual(overlaysOfBase(ws, host, { file: '/ws/apps/base/unused/helmrelease.yaml' }), []);
  assert.deepEqual(overlaysOfBase(ws, host, { file: '/ws/apps/base/podinfo/namespace.yaml' }).map((o) => [o.label, o.changes.length]), [['apps/production', 0], ['apps/staging', 0]]);
});

test('with nested overlays only the outermost is kept unless a Flux Kustomization builds the inner one', () => {
  const files: Record<string, string> = {
    '/r/base/kustomization.yaml': 'resources:\n  - cm.yaml\n',
    '/r/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "1"\n',
    '/r/mid/kustomization.yaml': 'resources:\n  - ../base\nnamespace: mid\n',
    '/r/top/kustomization.yaml': 'resources:\n  - ../mid\nnamePrefix: top-\n',
  };
  const run = () => {
    const host = memoryHost(files);
    const ws = new Workspace(host, { roots: ['/r'], repoRoot: '/r' });
    return overlaysOfBase(ws, host, { file: '/r/base/cm.yaml' }).map((o) => o.label);
  };
  assert.deepEqual(run(), ['top']);
  const host = memoryHost(files);
  const [top] = overlaysOfBase(new Workspace(host, { roots: ['/r'], repoRoot: '/r' }), host, { file: '/r/base/cm.yaml' });
  assert.deepEqual(summarizeOverlay(top), ['top: metadata.name = "top-cm" from top/kustomization.yaml:1', 'top: metadata.namespace = "mid" from top/kustomization.yaml:1'], 'transformer changes are attributed to the overlay');
  files['/r/clusters/x/ks.yaml'] = 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: mid\nspec:\n  interval: 1m\n  path: ./mid\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n';
  assert.deepEqual(run(), ['mid', 'top']);
});

test('the object of a multi-document base file is matched by its document', () => {
  const host = memoryHost({
    '/r/base/kustomization.yaml': 'resources:\n  - both.yaml\n',
    '/r/base/both.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\ndata:\n  k: base\n',
    '/r/env/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - patch: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: second\n      data:\n        k: env\n',
  });
  const ws = new Workspace(host, { roots: ['/r'], repoRoot: '/r' });
  const second = host.files['/r/base/both.yaml'].indexOf('apiVersion', 5);
  const [env] = overlaysOfBase(ws, host, { file: '/r/base/both.yaml', start: second });
  assert.equal((env.builtObject.metadata as { name: string }).name, 'second');
  assert.deepEqual(summarizeOverlay(env), ['env: data.k = "env" from env/kustomization.yaml:10']);
  const [first] = overlaysOfBase(ws, host, { file: '/r/base/both.yaml', start: 0 });
  assert.deepEqual(first.changes, []);
});

test('the cached variant answers from memory until the workspace index changes', () => {
  const { host, ws } = open();
  const base = { file: '/ws/apps/base/podinfo/helmrelease.yaml' };
  const first = overlaysOfBaseCached(ws, host, base);
  assert.equal(overlaysOfBaseCached(ws, host, base), first);
  const patch = '/ws/apps/production/podinfo-patch.yaml';
  const text = host.files[patch].replace('replicaCount: 5', 'replicaCount: 7');
  host.files[patch] = text;
  ws.index.setFileText(patch, text);
  const second = overlaysOfBaseCached(ws, host, base);
  assert.notEqual(second, first);
  assert.equal(second[0].changes[0].value, 7);
});
