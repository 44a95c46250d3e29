/**
 * Messages of build findings (issue #11, "Also missing today"): a namespace
 * written as a map never prints as `[object Object]`, and two different
 * duplicate ids reported on the same `resources` entry are both shown
 * (the per-place deduplication keeps different problems apart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, pathToUri, type Diagnostic, type EngineHost } from '../../engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

/** Every workspace finding (references and builds) by uri, through the façade. */
function workspaceFindings(host: EngineHost): Map<string, Diagnostic[]> {
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  return service.doWorkspaceValidation();
}

const sync = [
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: GitRepository',
  'metadata:',
  '  name: flux-system',
  '  namespace: flux-system',
  'spec:',
  '  interval: 1h',
  '  url: https://example.com/fleet.git',
  '---',
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  'metadata:',
  '  name: flux-system',
  '  namespace: flux-system',
  'spec:',
  '  interval: 1h',
  '  path: ./clusters/prod',
  '  prune: true',
  '  sourceRef:',
  '    kind: GitRepository',
  '    name: flux-system',
  '',
].join('\n');

const apps = (extraMeta = '', postBuild = '') => [
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  'metadata:',
  '  name: apps',
  extraMeta,
  'spec:',
  '  interval: 1h',
  '  path: ./apps',
  '  prune: true',
  '  sourceRef:',
  '    kind: GitRepository',
  '    name: flux-system',
  '    namespace: flux-system',
  postBuild,
  '',
].filter((l) => l !== '').join('\n');

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: v\n`;

test('two different duplicate ids on one resources entry are two findings', () => {
  const host = memoryHost({
    '/ws/clusters/prod/flux-system/gotk-sync.yaml': sync,
    '/ws/clusters/prod/apps.yaml': apps(),
    '/ws/apps/kustomization.yaml': 'resources:\n  - a.yaml\n  - b.yaml\n',
    '/ws/apps/a.yaml': `${cm('one')}---\n${cm('two')}`,
    '/ws/apps/b.yaml': `${cm('one')}---\n${cm('two')}`,
  });
  const file = '/ws/apps/kustomization.yaml';
  const found = (workspaceFindings(host).get(pathToUri(file)) ?? []).filter((d) => d.code === 'kustomize-duplicate-id').map((d) => `${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(found, [
    '3: ConfigMap (v1) default/one is already defined (kustomize refuses two resources with the same id)',
    '3: ConfigMap (v1) default/two is already defined (kustomize refuses two resources with the same id)',
  ]);
});

test('a namespace written as a map does not print as [object Object]', () => {
  const host = memoryHost({
    '/ws/clusters/prod/apps.yaml': apps('  namespace:\n    oops: true', '  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars'),
    '/ws/apps/kustomization.yaml': 'resources:\n  - a.yaml\n',
    '/ws/apps/a.yaml': cm('one'),
  });
  const service = createLanguageService(host);
  const built = service.build({ path: '/ws', kustomization: 'apps', repoRoot: '/ws' });
  assert.equal(built.usage, undefined, built.usage);
  const messages = built.findings.map((d) => d.message);
  const missing = messages.find((m) => m.includes('cluster-vars'));
  assert.equal(missing, 'ConfigMap cluster-vars is not in the workspace: kustomize-controller fails unless the object exists in the cluster (or the entry is optional: true)');
  assert.ok(!messages.some((m) => m.includes('[object Object]')), messages.join('\n'));
});
