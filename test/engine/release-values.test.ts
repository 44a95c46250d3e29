// Algorithm test of engine/values/release.ts and render.ts (layering of a HelmRelease's values against a chart folder): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Effective values of a HelmRelease against a chart folder: the layers in
 * Flux's order (chart defaults, valuesFrom in order, inline values win),
 * provenance per key, Secret masking, and problems placed on the field to blame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { loadChartFolder } from '../../engine/charts/folder.ts';
import { computeReleaseValues, lookupFromObjects } from '../../engine/values/release.ts';
import { renderValuesYaml, renderValuesJson } from '../../engine/values/render.ts';
import { memoryHost } from '../support/memory-host.ts';

const host = memoryHost({
  '/ws/charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.2.3\nappVersion: "4.5"\n',
  '/ws/charts/app/values.yaml': 'replicaCount: 1\nimage:\n  repository: ghcr.io/example/app\n  tag: "1.0"\ningress:\n  enabled: false\n  host: app.local\nauth: {}\n',
  '/ws/charts/app/templates/cm.yaml': 'kind: ConfigMap\n',
});
const chartResult = loadChartFolder(host, '/ws/charts/app');
assert.ok(chartResult.ok, JSON.stringify(chartResult));
const chart = chartResult.chart;

const objects = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-values', namespace: 'apps' }, data: { 'values.yaml': 'replicaCount: 2\ningress:\n  enabled: true\n', tag: '2.0.1' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: 'apps' }, data: { 'values.yaml': Buffer.from('auth:\n  password: hunter2\n').toString('base64') } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'other' }, data: { 'values.yaml': 'x: 1\n' } },
];

function release(valuesFrom: unknown[], values: unknown = { replicaCount: 3 }) {
  return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'app', namespace: 'apps' }, spec: { interval: '5m', chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'r' } } }, valuesFrom, values } };
}

const layers = [
  { kind: 'ConfigMap', name: 'app-values' },
  { kind: 'Secret', name: 'app-secret' },
  { kind: 'ConfigMap', name: 'app-values', valuesKey: 'tag', targetPath: 'image.tag' },
];

test('layers apply in Flux order and every key knows its source', () => {
  const { result, problems } = computeReleaseValues(release(layers), 'apps', chart, lookupFromObjects(objects));
  assert.deepEqual(problems, []);
  assert.ok(result.ok);
  assert.equal(result.values.replicaCount, 3, 'inline values win over every valuesFrom entry');
  assert.deepEqual(result.values.ingress, { enabled: true, host: 'app.local' });
  assert.equal((result.values.image as Record<string, unknown>).tag, '2.0.1');
  const src = Object.fromEntries(result.leaves.map((l) => [l.path, l.source?.kind === 'values-from' ? `values-from#${l.source.index}` : l.source?.kind]));
  assert.equal(src.replicaCount, 'inline');
  assert.equal(src['ingress.enabled'], 'values-from#0');
  assert.equal(src['ingress.host'], 'chart-default');
  assert.equal(src['auth.password'], 'values-from#1');
  assert.equal(src['image.tag'], 'values-from#2');
});

test('rendering masks Secret-sourced values unless revealing is asked for', () => {
  const { result } = computeReleaseValues(release(layers), 'apps', chart, lookupFromObjects(objects));
  assert.ok(result.ok);
  const masked = renderValuesYaml(result.tree, { provenance: true });
  assert.doesNotMatch(masked, /hunter2/);
  assert.match(masked, /password: .+ # valuesFrom\[1\] Secret\/app-secret key values\.yaml/);
  assert.match(masked, /replicaCount: 3 # spec\.values/);
  assert.match(masked, /host: app\.local # chart default \(app\)/);
  const revealed = parse(renderValuesYaml(result.tree, { reveal: true }));
  assert.equal(revealed.auth.password, 'hunter2');
  const rows = JSON.parse(renderValuesJson(result.tree, { provenance: true })) as { path: string; value: unknown; source: string }[];
  assert.deepEqual(rows.find((r) => r.path === 'image.tag'), { path: 'image.tag', value: '2.0.1', source: 'valuesFrom[2] ConfigMap/app-values key tag' });
});

test('a missing ConfigMap is an error on its name; optional ones are skipped; other namespaces do not count', () => {
  const missing = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'elsewhere' }]), 'apps', chart, lookupFromObjects(objects));
  assert.equal(missing.result.ok, false);
  assert.deepEqual(missing.problems.map((p) => [p.path.join('.'), p.code]), [['spec.valuesFrom.0.name', 'values-source-missing']]);
  assert.match(missing.problems[0].message, /ValuesError/);
  const optional = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'elsewhere', optional: true }]), 'apps', chart, lookupFromObjects(objects));
  assert.ok(optional.result.ok);
  assert.deepEqual(optional.problems, []);
});

test('a missing key is an error on valuesKey', () => {
  const r = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'app-values', valuesKey: 'nope.yaml' }]), 'apps', chart, lookupFromObjects(objects));
  assert.deepEqual(r.problems.map((p) => [p.path.join('.'), p.code]), [['spec.valuesFrom.0.valuesKey', 'values-key-missing']]);
});

test('an invalid targetPath is an error on targetPath; one Helm silently ignores is a warning', () => {
  const bad = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'app-values', valuesKey: 'tag', targetPath: 'image..tag' }]), 'apps', chart, lookupFromObjects(objects));
  assert.ok(bad.problems.some((p) => p.path.join('.') === 'spec.valuesFrom.0.targetPath' && p.code === 'invalid-target-path' && p.severity === 'error'), JSON.stringify(bad.problems));
  const ignored = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'app-values', valuesKey: 'tag', targetPath: 'image[abc' }]), 'apps', chart, lookupFromObjects(objects));
  assert.ok(ignored.problems.some((p) => p.code === 'target-path-no-effect' && p.severity === 'warning'), JSON.stringify(ignored.problems));
  const empty = computeReleaseValues(release([{ kind: 'ConfigMap', name: 'app-values', targetPath: '' }]), 'apps', chart, lookupFromObjects(objects));
  assert.deepEqual(empty.problems, [], 'an empty targetPath means none');
});
