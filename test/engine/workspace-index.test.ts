// Algorithm test of engine/workspace/index.ts and header-scan.ts (the object index and its header scan): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * The workspace index finds objects across files by kind and name, follows
 * file changes incrementally, skips .git/node_modules and excluded globs,
 * and its fast header scan agrees with a full YAML parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkspaceIndex } from '../../engine/workspace/index.ts';
import { scanHeaders } from '../../engine/workspace/header-scan.ts';
import { parseYamlFile } from '../../engine/yaml/documents.ts';
import { memoryHost } from '../support/memory-host.ts';

const repo = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo   # the public chart repo
  namespace: flux-system
spec:
  url: https://stefanprodan.github.io/podinfo
`;
const release = `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  labels: {a: b}
  name: "podinfo"
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: podinfo-values
data:
  values.yaml: |
    kind: NotAnObject
    metadata:
      name: nested
`;

function host() {
  return memoryHost({
    '/ws/infra/sources.yaml': repo,
    '/ws/apps/podinfo.yaml': release,
    '/ws/apps/kustomization.yaml': 'resources:\n  - podinfo.yaml\n',
    '/ws/.git/config.yaml': repo,
    '/ws/node_modules/x/a.yaml': repo,
    '/ws/secrets/prod.yaml': repo.replace('podinfo', 'hidden'),
    '/ws/README.md': '# not yaml',
  });
}

test('indexes objects across files, skipping .git, node_modules and excluded globs', () => {
  const index = new WorkspaceIndex(host(), { roots: ['/ws'], exclude: ['secrets/**'] });
  const counts = index.scan();
  assert.deepEqual(counts, { files: 3, objects: 4 });
  const [hr] = index.find('HelmRelease', 'podinfo');
  assert.equal(hr.file, '/ws/apps/podinfo.yaml');
  assert.equal(hr.namespace, undefined);
  assert.equal(index.find('HelmRepository', 'podinfo', 'flux-system').length, 1);
  assert.equal(index.find('HelmRepository', 'podinfo', 'other').length, 0, 'explicit namespaces must match');
  assert.equal(index.find('HelmRepository', 'hidden').length, 0);
  assert.equal(index.find('Kustomization', '').length, 1, 'kustomization.yaml without apiVersion is indexed');
  assert.deepEqual(index.valueOf(index.find('ConfigMap', 'podinfo-values')[0])?.data, { 'values.yaml': 'kind: NotAnObject\nmetadata:\n  name: nested\n' });
});

test('file changes update the index incrementally', () => {
  const index = new WorkspaceIndex(host(), { roots: ['/ws'] });
  index.scan();
  const v = index.version;
  assert.equal(index.setFileText('/ws/apps/podinfo.yaml', release), false, 'same text is no change');
  assert.equal(index.setFileText('/ws/apps/podinfo.yaml', release.replace('name: "podinfo"', 'name: renamed')), true);
  assert.ok(index.version > v);
  assert.equal(index.find('HelmRelease', 'podinfo').length, 0);
  assert.equal(index.find('HelmRelease', 'renamed').length, 1);
  index.setFileText('/ws/apps/podinfo.yaml', undefined);
  assert.equal(index.find('HelmRelease', 'renamed').length, 0);
  assert.equal(index.setFileText('/elsewhere/x.yaml', repo), false, 'files outside the roots are ignored');
});

test('an index seeded with another (a rendered diff\'s base side) finds what a fresh scan finds, and reads changed files anew', () => {
  const head = new WorkspaceIndex(host(), { roots: ['/ws'] });
  head.scan();
  head.setFileText('/ws/apps/podinfo.yaml', release.replace('name: "podinfo"', 'name: edited'));
  head.valueOf(head.find('HelmRepository', 'podinfo')[0]);
  const seeded = new WorkspaceIndex(host(), { roots: ['/ws'] }, head);
  const fresh = new WorkspaceIndex(host(), { roots: ['/ws'] });
  assert.deepEqual(seeded.scan(), fresh.scan());
  const all = (i: WorkspaceIndex) => [...i.allObjects()].map((o) => ({ ...o }));
  assert.deepEqual(all(seeded), all(fresh));
  assert.deepEqual([...seeded.allCreated()].map((o) => ({ ...o })), [...fresh.allCreated()].map((o) => ({ ...o })));
  // The edited file is the seed's own; the base reads its own text.
  assert.equal(seeded.find('HelmRelease', 'edited').length, 0);
  assert.equal(seeded.find('HelmRelease', 'podinfo').length, 1);
  // An unchanged file shares the seed's objects and parse.
  assert.equal(seeded.find('HelmRepository', 'podinfo')[0], head.find('HelmRepository', 'podinfo')[0]);
  assert.equal(seeded.parsedFile('/ws/infra/sources.yaml'), head.parsedFile('/ws/infra/sources.yaml'));
  assert.deepEqual(seeded.valueOf(seeded.find('ConfigMap', 'podinfo-values')[0]), fresh.valueOf(fresh.find('ConfigMap', 'podinfo-values')[0]));
});

test('the header scan agrees with the full parse', () => {
  for (const text of [repo, release, `${repo}---\n${release}`, "apiVersion: 'v1'\nkind: Secret\nmetadata:\n    namespace: a\n    name: b # c\n"]) {
    const headers = scanHeaders(text).filter((h) => h.kind);
    const parsed = parseYamlFile('file:///x.yaml', text).docs.filter((d) => d.kind);
    assert.deepEqual(
      headers.map((h) => [h.apiVersion, h.kind, h.name, h.namespace]),
      parsed.map((d) => [d.apiVersion, d.kind, d.name, d.namespace]),
    );
  }
});
