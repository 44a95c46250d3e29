/**
 * The Kubernetes-aware object diff (engine/diff/compare.ts) on objects real
 * Helm renders from the charts in ../shared/charts, with the edits a user
 * makes: a replica count, a container order (app-template's `dependsOn`),
 * an env variable, a chart version bump (noise hidden by default, shown
 * with no strip list), a Secret value (masked, or revealed on request), an
 * apiVersion bump, objects added and removed, owners added or failing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { diffObjects, diffOwners } from '../../engine/diff/compare.ts';
import type { ObjectDiff } from '../../engine/diff/types.ts';
import { runNativeHelm } from '../support/helm-native.ts';

const CHARTS = new URL('../../../shared/charts/', import.meta.url).pathname;
let work = '';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-compare-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** `helm template` with real Helm; the objects of its output. */
async function render(chart: string, values: string, extra: string[] = []): Promise<Record<string, unknown>[]> {
  const file = join(work, `values-${n++}.yaml`);
  writeFileSync(file, values);
  const r = await runNativeHelm(['template', 'demo', chart, '-n', 'apps', '-f', file, '--skip-tests', ...extra], join(work, 'home'));
  assert.equal(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
}

function only(diffs: ObjectDiff[], kind: string): ObjectDiff {
  const found = diffs.filter((d) => d.key.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${diffs.map((d) => d.id).join(', ')}`);
  return found[0];
}

test('a replica change is one field change of the Deployment, nothing else', async () => {
  const chart = join(CHARTS, 'podinfo');
  const base = await render(chart, 'replicaCount: 1\n');
  const head = await render(chart, 'replicaCount: 3\n');
  const diffs = diffObjects(base, head);
  assert.deepEqual(
    diffs.map((d) => [d.id, d.status]),
    [['apps/Deployment/apps/demo-podinfo', 'changed']],
  );
  assert.deepEqual(diffs[0].fields, [{ path: '.spec.replicas', op: 'change', before: 1, after: 3 }]);
  assert.match(diffs[0].before ?? '', /replicas: 1\n/);
  assert.match(diffs[0].after ?? '', /replicas: 3\n/);
});

const APP = `controllers:
  main:
    containers:
      app:
        image: {repository: ghcr.io/example/app, tag: "1.0"}
        env:
          TZ: UTC
          LOG_LEVEL: info
      sidecar:
        image: {repository: ghcr.io/example/side, tag: "2.0"}
`;

test('reordering containers is one order delta; an env variable is matched by name', async () => {
  const chart = join(CHARTS, 'app-template');
  const base = await render(chart, APP, ['--skip-schema-validation']);
  const edited = APP.replace('        env:\n', '        dependsOn: sidecar\n        env:\n').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug\n          A_FIRST: "1"');
  const head = await render(chart, edited, ['--skip-schema-validation']);
  const dep = only(diffObjects(base, head), 'Deployment');
  const containers = '.spec.template.spec.containers';
  assert.deepEqual(dep.fields, [
    { path: containers, op: 'order', before: ['name=app', 'name=sidecar'], after: ['name=sidecar', 'name=app'] },
    // A_FIRST sorts before the others: the list shifts, yet only the new item and the changed value show.
    { path: `${containers}[name=app].env[name=A_FIRST]`, op: 'add', after: { name: 'A_FIRST', value: '1' } },
    { path: `${containers}[name=app].env[name=LOG_LEVEL].value`, op: 'change', before: 'info', after: 'debug' },
  ]);
  // The same two texts compared by position would have touched every container line.
  assert.ok(dep.fields.every((f) => !/\[\d+\]/.test(f.path)));
});

test('lists without keys (tolerations): an inserted item is one addition, a reorder one order delta', async () => {
  const chart = join(CHARTS, 'podinfo');
  const tol = (keys: string[]): string => `tolerations:\n${keys.map((k) => `  - {key: ${k}, operator: Exists, effect: NoSchedule}\n`).join('')}`;
  const base = await render(chart, tol(['a', 'b']));
  const inserted = only(diffObjects(base, await render(chart, tol(['c', 'a', 'b']))), 'Deployment');
  assert.deepEqual(inserted.fields, [{ path: '.spec.template.spec.tolerations[0]', op: 'add', after: { key: 'c', operator: 'Exists', effect: 'NoSchedule' } }]);
  const reordered = only(diffObjects(base, await render(chart, tol(['b', 'a']))), 'Deployment');
  assert.deepEqual(reordered.fields, [{ path: '.spec.template.spec.tolerations', op: 'order', before: [0, 1], after: [1, 0] }]);
});

async function bumpedPodinfo(version: string): Promise<string> {
  const dir = join(work, `podinfo-${version}`);
  cpSync(join(CHARTS, 'podinfo'), dir, { recursive: true });
  const file = join(dir, 'Chart.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, `version: ${version}`).replace(/^appVersion: .*$/m, `appVersion: ${version}`));
  return dir;
}

test('a chart bump that only rotates chart labels shows no difference by default, and every label with stripAttributes []', async () => {
  const values = 'image:\n  tag: 6.14.1\n';
  const base = await render(join(CHARTS, 'podinfo'), values);
  const head = await render(await bumpedPodinfo('6.15.0'), values);
  assert.deepEqual(diffObjects(base, head), []);
  const loud = diffObjects(base, head, { stripAttributes: [] });
  assert.deepEqual(
    loud.map((d) => d.key.kind),
    ['Deployment', 'Service'],
  );
  const dep = only(loud, 'Deployment');
  const paths = dep.fields.map((f) => `${f.path} ${f.op} ${String(f.before)} → ${String(f.after)}`);
  assert.ok(paths.includes('.metadata.labels["helm.sh/chart"] change podinfo-6.14.1 → podinfo-6.15.0'), paths.join('\n'));
  assert.ok(paths.includes('.metadata.labels["app.kubernetes.io/version"] change 6.14.1 → 6.15.0'), paths.join('\n'));
  // A user-chosen strip list hides only what it names.
  const onlyChart = diffObjects(base, head, { stripAttributes: ['helm.sh/chart'] });
  assert.ok(only(onlyChart, 'Deployment').fields.every((f) => f.path === '.metadata.labels["app.kubernetes.io/version"]'));
});

test('stripFields deletes dotted paths before comparing', async () => {
  const chart = join(CHARTS, 'podinfo');
  const base = await render(chart, 'replicaCount: 1\n');
  const head = await render(chart, 'replicaCount: 2\n');
  assert.deepEqual(diffObjects(base, head, { stripFields: ['spec.replicas'] }), []);
});

test('a Secret value change is reported with values masked, and shown with revealSecrets', async () => {
  const chart = join(CHARTS, 'redis');
  const base = await render(chart, 'auth:\n  password: hunter2\n');
  const head = await render(chart, 'auth:\n  password: correct-horse\n');
  const diffs = diffObjects(base, head);
  // The StatefulSet's checksum/secret annotation rotates too, but is noise.
  assert.deepEqual(
    diffs.map((d) => d.id),
    ['/Secret/apps/demo-redis'],
  );
  const secret = diffs[0];
  assert.equal(secret.secret, true);
  assert.deepEqual(secret.fields, [{ path: '.data.redis-password', op: 'change', before: '***', after: '***' }]);
  const encoded = [Buffer.from('hunter2').toString('base64'), Buffer.from('correct-horse').toString('base64')];
  for (const text of [secret.before ?? '', secret.after ?? '', JSON.stringify(secret)]) for (const e of encoded) assert.ok(!text.includes(e), `leaked ${e}`);
  assert.match(secret.after ?? '', /redis-password: "\*\*\* \(changed\)"/);
  const revealed = only(diffObjects(base, head, { revealSecrets: true }), 'Secret');
  assert.deepEqual(revealed.fields, [{ path: '.data.redis-password', op: 'change', before: encoded[0], after: encoded[1] }]);
  assert.ok(revealed.after?.includes(encoded[1]));
  // An unchanged password: no Secret in the diff at all.
  assert.deepEqual(diffObjects(base, base), []);
});

test('an apiVersion bump within a group is a change of the object, not a removal and an addition', async () => {
  const chart = join(CHARTS, 'podinfo');
  const head = await render(chart, 'hpa:\n  enabled: true\n  maxReplicas: 5\n');
  const hpa = head.find((o) => o.kind === 'HorizontalPodAutoscaler');
  assert.ok(hpa);
  const base = head.map((o) => (o === hpa ? { ...o, apiVersion: 'autoscaling/v2beta2' } : o));
  const diffs = diffObjects(base, head);
  assert.deepEqual(
    diffs.map((d) => [d.id, d.status]),
    [['autoscaling/HorizontalPodAutoscaler/apps/demo-podinfo', 'changed']],
  );
  assert.deepEqual(diffs[0].fields, [{ path: '.apiVersion', op: 'change', before: 'autoscaling/v2beta2', after: 'autoscaling/v2' }]);
  // Another group is another object.
  const moved = head.map((o) => (o === hpa ? { ...o, apiVersion: 'example.com/v1' } : o));
  assert.deepEqual(
    diffObjects(moved, head)
      .map((d) => d.status)
      .sort(),
    ['added', 'removed'],
  );
});

test('objects added and removed by a values change, counted per owner and in the totals', async () => {
  const chart = join(CHARTS, 'podinfo');
  const base = await render(chart, 'serviceAccount:\n  enabled: true\n');
  const head = await render(chart, 'hpa:\n  enabled: true\n');
  const diff = diffOwners(
    [
      { kind: 'HelmRelease', id: 'apps/podinfo', objects: base },
      { kind: 'HelmRelease', id: 'apps/same', objects: base },
      { kind: 'Kustomization', id: 'flux-system/gone', objects: base.slice(0, 1) },
      { kind: 'HelmRelease', id: 'apps/broken', objects: base },
    ],
    [
      { kind: 'HelmRelease', id: 'apps/podinfo', objects: head, file: '/repo/apps/podinfo.yaml' },
      { kind: 'HelmRelease', id: 'apps/same', objects: base },
      { kind: 'HelmRelease', id: 'apps/broken', objects: [], error: 'template: podinfo/templates/x.yaml:1: boom' },
      { kind: 'Kustomization', id: 'flux-system/new', objects: head.slice(0, 2) },
    ],
    undefined,
    { base: 'HEAD', head: 'working tree' },
  );
  assert.deepEqual(
    diff.owners.map((o) => [o.kind, o.id, o.status]),
    [
      ['HelmRelease', 'apps/broken', 'error'],
      ['HelmRelease', 'apps/podinfo', 'changed'],
      ['Kustomization', 'flux-system/gone', 'removed'],
      ['Kustomization', 'flux-system/new', 'added'],
      ['HelmRelease', 'apps/same', 'unchanged'],
    ],
  );
  const podinfo = diff.owners[1];
  assert.equal(podinfo.file, '/repo/apps/podinfo.yaml');
  assert.deepEqual(
    podinfo.objects.map((o) => [o.key.kind, o.status]),
    [
      ['Deployment', 'changed'],
      ['HorizontalPodAutoscaler', 'added'],
      ['ServiceAccount', 'removed'],
    ],
  );
  assert.deepEqual(podinfo.counts, { added: 1, removed: 1, changed: 1 });
  assert.deepEqual(diff.owners[0].errors, { head: 'template: podinfo/templates/x.yaml:1: boom' });
  assert.deepEqual(diff.totals, { owners: 5, changedOwners: 3, added: 3, removed: 2, changed: 1, errors: 1 });
  assert.equal(diff.baseLabel, 'HEAD');
  assert.equal(diff.headLabel, 'working tree');
});

test('odd input still gives a diff: non-objects, missing metadata, cluster-scoped namespaces, duplicates', () => {
  const base = [5, null, { kind: 'ConfigMap' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', namespace: 'ignored' } }, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '2' } }] as unknown as Record<string, unknown>[];
  const head = [{ kind: 'ConfigMap', metadata: 'nope' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '3', b: [1, { x: 2 }] } }] as unknown as Record<string, unknown>[];
  const diffs = diffObjects(base, head);
  // The Namespace is one object on both sides (a namespace written on it does not count for identity).
  assert.deepEqual(
    diffs.filter((d) => d.key.kind === 'Namespace').map((d) => [d.id, d.status, d.fields.map((f) => f.path)]),
    [['/Namespace//apps', 'changed', ['.metadata.namespace']]],
  );
  const second = diffs.find((d) => d.id === '/ConfigMap//c#2');
  assert.deepEqual(second?.fields, [
    { path: '.data.a', op: 'change', before: '2', after: '3' },
    { path: '.data.b', op: 'add', after: [1, { x: 2 }] },
  ]);
  // A YAML alias back to its own mapping, and absurd nesting: cut, not a crash.
  const cyclic = parseAllDocuments('kind: ConfigMap\nmetadata: {name: loop}\ndata: &x\n  self: *x\n')[0].toJS() as Record<string, unknown>;
  const deep: Record<string, unknown> = { kind: 'ConfigMap', metadata: { name: 'deep' } };
  let cur = deep;
  for (let i = 0; i < 20000; i++) cur = cur.x = {};
  const odd = diffObjects([], [cyclic, deep]);
  assert.deepEqual(
    odd.map((d) => [d.id, d.status]),
    [
      ['/ConfigMap//deep', 'added'],
      ['/ConfigMap//loop', 'added'],
    ],
  );
  assert.match(odd[1].after ?? '', /self: \(cycle\)/);
  assert.doesNotThrow(() => diffOwners([{ kind: 'HelmRelease', id: 'x', objects: 'nope' as never }], [null as never, { kind: 'HelmRelease', id: 'x', objects: [] }]));
});
