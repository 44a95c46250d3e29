/**
 * Graph checks on a deliberately broken fleet repository
 * (test/fixtures/broken-fleet): dangling references with the controllers'
 * namespace rules, missing paths, dependsOn cycles, and patch files treated
 * as partial.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri, uriToPath } from '../../engine/index.ts';
// Kept: the index and graph check, only to observe which files are known as patches (no façade verb exposes it).
import { WorkspaceIndex } from '../../engine/workspace/index.ts';
import { checkGraph, ReferenceCache } from '../../engine/workspace/graph-check.ts';
import { loadFixture } from '../support/disk-fixture.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'broken-fleet');

function run() {
  const host = loadFixture(fixture);
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  const flat: string[] = [];
  for (const [uri, list] of service.doWorkspaceValidation()) {
    for (const d of list) flat.push(`${uriToPath(uri)!.slice(4)}:${d.range.start.line + 1} ${d.severity} ${d.code}: ${d.message}`);
  }
  return { flat: flat.sort(), service, host };
}

test('every broken reference in the fixture is reported on its line', () => {
  const { flat } = run();
  const expect: [string, RegExp][] = [
    ['clusters/prod/apps.yaml:9 error missing-path', /folder `\.\/apps\/production` does not exist/],
    ['clusters/prod/apps.yaml:14 error dependency-cycle', /Kustomization apps → Kustomization infrastructure → Kustomization apps/],
    ['clusters/prod/apps.yaml:29 error dependency-cycle', /dependsOn cycle/],
    ['clusters/prod/apps.yaml:33 warning dangling-reference', /ConfigMap `cluster-vars` in namespace flux-system was not found/],
    ['clusters/prod/flux-system/gotk-sync.yaml:12 info dangling-reference', /Secret `flux-system`/],
    ['infrastructure/sources.yaml:10 info dangling-reference', /Secret `podinfo-auth`.*Secrets are often created outside Git/],
    ['infrastructure/kustomization.yaml:3 error missing-path', /`monitoring\.yaml` does not exist/],
    ['apps/base/podinfo/helmrelease.yaml:14 warning dangling-reference', /HelmRepository `podinfo` in namespace podinfo was not found in the workspace; one exists in namespace flux-system .*set `namespace: flux-system`/],
    ['apps/base/podinfo/helmrelease.yaml:16 error dependency-cycle', /HelmRelease podinfo → HelmRelease redis → HelmRelease podinfo|HelmRelease redis → HelmRelease podinfo → HelmRelease redis/],
    ['apps/base/podinfo/helmrelease.yaml:19 warning dangling-reference', /ConfigMap `podinfo-values`/],
    ['apps/base/podinfo/helmrelease.yaml:25 warning dangling-reference', /ImagePolicy `podinfo` in namespace flux-system/],
    ['apps/base/podinfo/helmrelease.yaml:39 warning dangling-reference', /HelmRepository `bitnami` in namespace flux-system/],
    ['apps/base/podinfo/helmrelease.yaml:42 error dependency-cycle', /dependsOn cycle/],
  ];
  for (const [prefix, message] of expect) {
    const hit = flat.find((f) => f.startsWith(prefix));
    assert.ok(hit, `expected ${prefix}; got:\n${flat.join('\n')}`);
    assert.match(hit, message);
  }
  assert.equal(flat.length, expect.length, flat.join('\n'));
});

test('the optional Secret in valuesFrom is not reported', () => {
  const { flat } = run();
  assert.ok(!flat.some((f) => f.includes('podinfo-extra')));
});

test('files used as kustomize patches are known, so they can be checked as partial objects', () => {
  const host = loadFixture(fixture);
  const index = new WorkspaceIndex(host, { roots: ['/ws'] });
  index.scan();
  const result = checkGraph(index, host, new ReferenceCache(index, { repoRoot: '/ws' }));
  assert.deepEqual([...result.patchFiles], ['/ws/apps/prod/podinfo-patch.yaml']);
});

test('fixing a file clears its findings without a full rescan', () => {
  const { service, host } = run();
  const file = '/ws/infrastructure/kustomization.yaml';
  assert.ok(service.doWorkspaceValidation().get(pathToUri(file))?.length, 'the missing file is reported before the fix');
  host.files['/ws/infrastructure/monitoring.yaml'] = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n';
  service.updateFile(pathToUri('/ws/infrastructure/monitoring.yaml'), host.files['/ws/infrastructure/monitoring.yaml']);
  service.refreshWorkspaceDiagnostics();
  assert.deepEqual(service.doWorkspaceValidation().get(pathToUri(file)) ?? [], []);
});

test('a valuesFrom ConfigMap generated with a hash suffix is flagged; without the suffix it resolves', async () => {
  const { memoryHost } = await import('../support/memory-host.ts');
  const hr = `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  chartRef:\n    kind: OCIRepository\n    name: app\n  valuesFrom:\n    - kind: ConfigMap\n      name: app-values\n`;
  const oci = `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  url: oci://ghcr.io/example/app\n`;
  const run = (kustomization: string) => {
    const host = memoryHost({ '/ws/app/hr.yaml': hr, '/ws/app/oci.yaml': oci, '/ws/app/values.yaml': 'replicaCount: 2\n', '/ws/app/kustomization.yaml': kustomization });
    const service = createLanguageService(host);
    service.openWorkspace({ roots: ['/ws'] });
    return service.doWorkspaceValidation().get(pathToUri('/ws/app/hr.yaml')) ?? [];
  };
  const hashed = run('namespace: apps\nresources: [hr.yaml, oci.yaml]\nconfigMapGenerator:\n  - name: app-values\n    files: [values.yaml=values.yaml]\n');
  assert.equal(hashed.length, 1);
  assert.equal(hashed[0].code, 'generated-name-hash');
  assert.match(hashed[0].message, /disableNameSuffixHash: true/);
  const plain = run('namespace: apps\nresources: [hr.yaml, oci.yaml]\nconfigMapGenerator:\n  - name: app-values\n    files: [values.yaml=values.yaml]\n    options:\n      disableNameSuffixHash: true\n');
  assert.deepEqual(plain, []);
  const global = run('resources: [hr.yaml, oci.yaml]\ngeneratorOptions:\n  disableNameSuffixHash: true\nconfigMapGenerator:\n  - name: app-values\n    files: [values.yaml]\n');
  assert.deepEqual(global, []);
});
