// Algorithm test of engine/kustomize (strategic merge, JSON 6902 and patch targets: smp.ts, json6902.ts, resource.ts): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Patches: strategic merge semantics (custom resources and built-in
 * workloads), JSON 6902 operations, target selectors, and the provenance
 * recorded on built objects (patch file and the offset of each value).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHost } from '../support/memory-host.ts';
import { buildKustomization, locateInBuilt } from '../../engine/kustomize/index.ts';
import { applyStrategicMerge, mergeSchemaFor } from '../../engine/kustomize/smp.ts';
import { applyJsonPatch, readJsonPatch } from '../../engine/kustomize/json6902.ts';
import { parseLabelSelector, matchesSelector } from '../../engine/kustomize/resource.ts';

const HR = { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease' };
const DEPLOY = { group: 'apps', version: 'v1', kind: 'Deployment' };

test('strategic merge on a custom resource: maps merge, lists replace, null deletes, $patch directives', () => {
  const target = { spec: { values: { env: [{ name: 'A' }, { name: 'B' }], keep: 1, gone: 2, nested: { a: 1, b: 2 }, rep: { x: 1 }, del: { y: 1 } } } };
  const patch = { spec: { values: { env: [{ name: 'C' }], gone: null, nested: { b: 3, c: null }, rep: { $patch: 'replace', only: true }, del: { $patch: 'delete' }, added: { deep: { v: 1, n: null } } } } };
  const { result, changes } = applyStrategicMerge(target, patch, mergeSchemaFor(HR));
  assert.deepEqual(result, { spec: { values: { env: [{ name: 'C' }], keep: 1, nested: { a: 1, b: 3 }, rep: { only: true }, added: { deep: { v: 1 } } } } });
  const sets = changes.filter((c) => c.op === 'set').map((c) => c.path.join('.'));
  const dels = changes.filter((c) => c.op === 'delete').map((c) => c.path.join('.'));
  assert.deepEqual(sets.sort(), ['spec.values.added.deep.v', 'spec.values.env.0.name', 'spec.values.nested.b', 'spec.values.rep.only']);
  assert.deepEqual(dels.sort(), ['spec.values.del', 'spec.values.gone']);
  assert.deepEqual(target.spec.values.env, [{ name: 'A' }, { name: 'B' }], 'the target is not mutated');
});

test('$patch: delete at the top deletes the object', () => {
  assert.equal(applyStrategicMerge({ a: 1 }, { $patch: 'delete' }, undefined).result, undefined);
});

test('strategic merge on a Deployment merges containers by name with patch elements first', () => {
  const target = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b' }, { name: 'c' }], tolerations: [{ key: 't1' }] } } } };
  const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'c2' }, { name: 'new' }, { name: 'a', env: [{ name: 'Y', value: '2' }] }, { name: 'b', $patch: 'delete' }], tolerations: [{ key: 't2' }] } } } };
  const { result } = applyStrategicMerge(target, patch, mergeSchemaFor(DEPLOY));
  assert.deepEqual(result, {
    spec: {
      template: {
        spec: {
          containers: [{ name: 'c', image: 'c2' }, { name: 'new' }, { name: 'a', image: 'a', env: [{ name: 'Y', value: '2' }, { name: 'X', value: '1' }] }],
          tolerations: [{ key: 't2' }],
        },
      },
    },
  });
});

test('JSON 6902 operations and their errors', () => {
  const ops = readJsonPatch([
    { op: 'add', path: '/a/-', value: 3 },
    { op: 'replace', path: '/b/c', value: 'x' },
    { op: 'remove', path: '/d' },
    { op: 'copy', from: '/b/c', path: '/e~1f' },
    { op: 'move', from: '/a/0', path: '/g' },
    { op: 'test', path: '/g', value: 1 },
  ]);
  assert.ok('ops' in ops);
  const r = applyJsonPatch({ a: [1, 2], b: { c: 'y' }, d: true }, ops.ops);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.result, { a: [2, 3], b: { c: 'x' }, 'e/f': 'x', g: 1 });
  const bad = readJsonPatch([{ op: 'add', path: '/missing/deep', value: 1 }]);
  assert.ok('ops' in bad);
  const failed = applyJsonPatch({ a: 1 }, bad.ops);
  assert.equal(failed.result, undefined);
  assert.match(failed.error!.message, /does not exist/);
  assert.deepEqual(readJsonPatch({ op: 'add' }), { error: 'a JSON 6902 patch must be a list of operations' });
  assert.ok('error' in readJsonPatch([{ op: 'frobnicate', path: '/a' }]));
  const failedTest = applyJsonPatch({ a: 1 }, (readJsonPatch([{ op: 'test', path: '/a', value: 2 }]) as { ops: never[] }).ops);
  assert.match(failedTest.error!.message, /test failed/);
});

test('label selectors use the Kubernetes syntax', () => {
  const sel = parseLabelSelector('tier=backend, env!=dev,region in (eu, us),!legacy,team')!;
  assert.equal(sel.length, 5);
  assert.equal(matchesSelector(sel, { tier: 'backend', env: 'prod', region: 'eu', team: 'a' }), true);
  assert.equal(matchesSelector(sel, { tier: 'backend', env: 'dev', region: 'eu', team: 'a' }), false);
  assert.equal(matchesSelector(sel, { tier: 'backend', region: 'ap', team: 'a' }), false);
  assert.equal(matchesSelector(sel, { tier: 'backend', region: 'eu', team: 'a', legacy: 'x' }), false);
  assert.equal(parseLabelSelector('a in (b'), undefined);
});

const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
  labels:
    tier: backend
spec:
  values:
    replicaCount: 1
    image:
      tag: "1.0"
`;

test('an inline patch records each value it set with its offset in the kustomization file', () => {
  const k = `resources: [release.yaml]
patches:
  - target:
      kind: HelmRelease
      labelSelector: tier=backend
    patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: ignored
      spec:
        values:
          replicaCount: 3
          image:
            tag: "2.0"
`;
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': k, '/ws/release.yaml': release }), '/ws');
  assert.deepEqual(b.diagnostics, []);
  const [hr] = b.resources;
  assert.deepEqual((hr.object.spec as { values: unknown }).values, { replicaCount: 3, image: { tag: '2.0' } });
  assert.equal((hr.object.metadata as { name: string }).name, 'podinfo', 'a targeted patch does not rename');
  assert.equal(hr.patches.length, 1);
  const p = hr.patches[0];
  assert.equal(p.kind, 'strategic-merge');
  assert.equal(p.file, '/ws/kustomization.yaml');
  assert.equal(p.kustomization, '/ws/kustomization.yaml');
  const byPath = Object.fromEntries(p.changes.map((c) => [c.path.join('.'), k.slice(c.start, c.end)]));
  assert.deepEqual(byPath, { 'spec.values.replicaCount': '3', 'spec.values.image.tag': '"2.0"' });
});

test('a patch file records its own file and offsets; JSON ops point at their values', () => {
  const patchFile = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  values:
    replicaCount: 5
`;
  const ops = `- op: replace
  path: /spec/values/image/tag
  value: "3.0"
- op: remove
  path: /spec/values/replicaCount
`;
  const host = memoryHost({
    '/ws/kustomization.yaml': 'resources: [release.yaml]\npatches:\n  - path: patches/replicas.yaml\n  - path: patches/ops.yaml\n    target:\n      name: pod.*\n',
    '/ws/release.yaml': release,
    '/ws/patches/replicas.yaml': patchFile,
    '/ws/patches/ops.yaml': ops,
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(b.diagnostics, []);
  const [hr] = b.resources;
  assert.deepEqual((hr.object.spec as { values: unknown }).values, { image: { tag: '3.0' } });
  assert.equal(hr.patches.length, 2);
  const [smp, json] = hr.patches;
  assert.equal(smp.file, '/ws/patches/replicas.yaml');
  assert.equal(patchFile.slice(smp.changes[0].start, smp.changes[0].end), '5');
  assert.deepEqual(smp.changes[0].path, ['spec', 'values', 'replicaCount']);
  assert.equal(json.kind, 'json6902');
  assert.equal(json.file, '/ws/patches/ops.yaml');
  assert.deepEqual(json.changes.map((c) => [c.op, c.path.join('.'), ops.slice(c.start, c.end).split('\n')[0]]), [
    ['set', 'spec.values.image.tag', '"3.0"'],
    ['delete', 'spec.values.replicaCount', 'op: remove'],
  ]);
});

test('a patch without target must name an object of the build; the diagnostic says why it did not match', () => {
  const k = `resources: [release.yaml]
patches:
  - patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: podinfo
      spec:
        suspend: true
`;
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': k, '/ws/release.yaml': release }), '/ws');
  assert.equal(b.diagnostics.length, 1);
  const d = b.diagnostics[0];
  assert.equal(d.code, 'kustomize-patch-target');
  assert.match(d.message, /namespace "apps"/);
  assert.equal(k.slice(d.start, d.end), 'podinfo');
  assert.deepEqual(d.path, ['patches', 0]);
  assert.equal((b.resources[0].object.spec as { suspend?: boolean }).suspend, undefined);
});

test('legacy patchesStrategicMerge (file and inline) and patchesJson6902', () => {
  const host = memoryHost({
    '/ws/kustomization.yaml': `resources: [release.yaml]
patchesStrategicMerge:
  - smp.yaml
  - |-
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: podinfo
      namespace: apps
    spec:
      timeout: 5m
patchesJson6902:
  - target:
      group: helm.toolkit.fluxcd.io
      version: v2
      kind: HelmRelease
      name: podinfo
    patch: |-
      - op: add
        path: /spec/suspend
        value: true
`,
    '/ws/release.yaml': release,
    '/ws/smp.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n',
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(b.diagnostics, []);
  const spec = b.resources[0].object.spec as Record<string, unknown>;
  assert.equal(spec.interval, '1h');
  assert.equal(spec.timeout, '5m');
  assert.equal(spec.suspend, true);
  assert.equal(b.resources[0].patches.length, 3);
});

test('a JSON patch without target, an invalid name regex and a failing op are diagnostics', () => {
  const host = memoryHost({
    '/ws/kustomization.yaml': `resources: [release.yaml]
patches:
  - patch: '[{"op": "add", "path": "/spec/x", "value": 1}]'
  - target: {name: "("}
    patch: '[{"op": "add", "path": "/spec/x", "value": 1}]'
  - target: {kind: HelmRelease}
    patch: '[{"op": "replace", "path": "/spec/nope", "value": 1}]'
`,
    '/ws/release.yaml': release,
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(b.diagnostics.map((d) => d.path), [['patches', 0], ['patches', 1, 'target'], ['patches', 2]]);
  assert.deepEqual(b.diagnostics.map((d) => d.severity), ['error', 'error', 'error']);
  assert.equal((b.resources[0].object.spec as Record<string, unknown>).x, undefined);
});

test('a plain number or boolean written over a string that had to be quoted stays a string, with the patch text', () => {
  const k = `resources: [release.yaml]
patches:
  - target: {kind: HelmRelease}
    patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: x}
      spec:
        values:
          replicaCount: 2
          image:
            tag: 1.10
`;
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': k, '/ws/release.yaml': release }), '/ws');
  assert.deepEqual(b.diagnostics, []);
  // replicaCount was the number 1: the patch's number wins. tag was "1.0" (quoted): kustomize keeps it a string.
  assert.deepEqual((b.resources[0].object.spec as { values: unknown }).values, { replicaCount: 2, image: { tag: '1.10' } });
});

test('a map, list or scalar over a different kind of value is an error at the patch value', () => {
  const k = `resources: [release.yaml]
patches:
  - target: {kind: HelmRelease}
    patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: x}
      spec:
        values:
          image: [a, b]
`;
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': k, '/ws/release.yaml': release }), '/ws');
  assert.equal(b.diagnostics.length, 1);
  const d = b.diagnostics[0];
  assert.equal(d.code, 'kustomize-patch');
  assert.match(d.message, /expected MappingNode but got SequenceNode/);
  assert.equal(k.slice(d.start, d.end), '[a, b]');
  assert.deepEqual((b.resources[0].object.spec as { values: { image: unknown } }).values.image, { tag: '1.0' }, 'the failed patch changes nothing');
});

test('locateInBuilt maps a built path to the patch value, else to the resource document', () => {
  const k = `resources: [release.yaml]
patches:
  - target: {kind: HelmRelease}
    patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: x}
      spec:
        values:
          image:
            tag: "2.0"
`;
  const host = memoryHost({ '/ws/kustomization.yaml': k, '/ws/release.yaml': release });
  const b = buildKustomization(host, '/ws');
  const [hr] = b.resources;
  const tag = locateInBuilt(host, hr, ['spec', 'values', 'image', 'tag']);
  assert.equal(tag.via, 'patch');
  assert.equal(tag.file, '/ws/kustomization.yaml');
  assert.equal(k.slice(tag.start, tag.end), '"2.0"');
  const replicas = locateInBuilt(host, hr, ['spec', 'values', 'replicaCount']);
  assert.equal(replicas.via, 'resource');
  assert.equal(replicas.file, '/ws/release.yaml');
  assert.equal(release.slice(replicas.start, replicas.end), '1');
  const missing = locateInBuilt(host, hr, ['spec', 'values', 'nope', 'deeper']);
  assert.equal(release.slice(missing.start, missing.end).split('\n')[0], 'values');
});
