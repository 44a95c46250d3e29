// Algorithm test of engine/values/effective.ts and provenance.ts (Helm coalescing of chart and release values): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Helm coalescing of user values with chart defaults (subcharts, aliases,
 * globals, tags, conditions, import-values), HelmChart valuesFiles, and the
 * provenance/masking views built on top.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChartFromFiles, type LoadedChart } from '../../engine/charts/chart.ts';
import { computeEffectiveValues, type EffectiveValuesInput } from '../../engine/values/effective.ts';
import { maskSecretLeaves, toPlainMasked, formatValuePath, parseValuePath, describeSource, lookupValue, SECRET_MASK } from '../../engine/values/provenance.ts';

function chart(files: Record<string, string>): LoadedChart {
  const r = loadChartFromFiles(files);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.chart;
}

function effective(c: LoadedChart, values: unknown, extra: Partial<EffectiveValuesInput> = {}) {
  const r = computeEffectiveValues({ chart: c, namespace: 'ns', values, ...extra });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r;
}

const simple = chart({
  'Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
  'values.yaml': 'replicas: 1\nimage: {repo: nginx, tag: "1.25"}\nports: [80, 443]\nresources: {limits: {cpu: 1}}\nmode: simple\nlabels: {a: "1", b: "2"}\n',
});

test('user values win, maps deep-merge, lists replace, null removes a default', () => {
  const r = effective(simple, { image: { tag: '1.26' }, ports: [8080], replicas: null, extra: null, labels: { a: null, z: null } });
  assert.deepEqual(r.values, {
    image: { repo: 'nginx', tag: '1.26' },
    ports: [8080],
    resources: { limits: { cpu: 1 } },
    mode: 'simple',
    extra: null, // the chart has no default there: the null stays
    labels: { b: '2', z: null },
  });
});

test('type clashes: the user value wins either way', () => {
  const r = effective(simple, { resources: 'none', mode: { complex: true } });
  assert.equal(r.values.resources, 'none');
  assert.deepEqual(r.values.mode, { complex: true });
  const legacy = effective(simple, { labels: { z: null } }, { modernNulls: false });
  assert.deepEqual(legacy.values.labels, { a: '1', b: '2' }, 'Helm 3 rule: a nested null always removes the key');
});

const umbrella = chart({
  'Chart.yaml': [
    'apiVersion: v2',
    'name: umbrella',
    'version: 1.0.0',
    'dependencies:',
    '  - {name: db, version: 1.0.0, alias: primary}',
    '  - {name: db, version: 1.0.0, alias: replica, condition: "replica.enabled,global.replicas"}',
    '  - {name: cache, version: 1.0.0, tags: [fast, memory]}',
    '  - {name: worker, version: 1.0.0, condition: worker.enabled, import-values: [{child: info, parent: workerInfo}, exported]}',
  ].join('\n'),
  'values.yaml': 'global: {env: prod, nested: {a: 1}}\nprimary: {size: 10Gi}\nreplica: {enabled: false}\nworker: {enabled: true}\ntags: {fast: false}\n',
  'charts/db/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 1.0.0\n',
  'charts/db/values.yaml': 'global: {env: dev, dbOnly: yes}\nsize: 1Gi\nport: 5432\n',
  'charts/cache/Chart.yaml': 'apiVersion: v2\nname: cache\nversion: 1.0.0\n',
  'charts/cache/values.yaml': 'ttl: 60\n',
  'charts/worker/Chart.yaml': 'apiVersion: v2\nname: worker\nversion: 1.0.0\ndependencies:\n  - {name: sidecar, version: 1.0.0, condition: sidecar.run}\n',
  'charts/worker/values.yaml': 'info: {version: 7}\nexports: {exported: {fromExports: true}}\nsidecar: {run: false}\n',
  'charts/worker/charts/sidecar/Chart.yaml': 'apiVersion: v2\nname: sidecar\nversion: 1.0.0\n',
  'charts/worker/charts/sidecar/values.yaml': 'image: side\n',
});

test('subcharts: alias sections, globals pushed down (parent wins), subchart defaults underneath', () => {
  const r = effective(umbrella, { primary: { port: 6543 } });
  const primary = r.charts.find((c) => c.name === 'primary');
  assert.ok(primary);
  assert.deepEqual(primary.values, { global: { env: 'prod', nested: { a: 1 }, dbOnly: true }, size: '10Gi', port: 6543 });
  assert.deepEqual(
    r.charts.map((c) => c.chart),
    ['umbrella', 'umbrella/primary', 'umbrella/worker'],
  );
  assert.deepEqual(r.values.workerInfo, { version: 7 }, 'import-values child/parent');
  assert.equal(r.values.fromExports, true, 'import-values exports');
});

test('tags and conditions switch subcharts; a disabled subchart keeps only what the user and parent wrote', () => {
  const r = effective(umbrella, {});
  assert.deepEqual(
    r.disabledSubcharts.map((d) => d.chart),
    ['umbrella/replica', 'umbrella/cache', 'umbrella/worker/sidecar'],
  );
  assert.deepEqual(r.values.replica, { enabled: false }, 'no db defaults in a disabled section');
  assert.equal(r.values.cache, undefined);

  // Conditions: the first path that holds a bool decides; tags: any true tag enables.
  const on = effective(umbrella, { replica: { enabled: 'yes please' }, global: { replicas: true }, tags: { memory: true }, worker: { sidecar: { run: true } } });
  assert.deepEqual(
    on.charts.map((c) => c.chart),
    ['umbrella', 'umbrella/primary', 'umbrella/replica', 'umbrella/cache', 'umbrella/worker', 'umbrella/worker/sidecar'],
  );
  assert.equal(on.charts.find((c) => c.name === 'replica')?.values.port, 5432);
  assert.equal(on.charts.find((c) => c.name === 'cache')?.values.ttl, 60);
  // A condition overrides tags.
  const cond = effective(umbrella, { tags: { fast: true }, worker: { enabled: false } });
  assert.ok(cond.disabledSubcharts.some((d) => d.chart === 'umbrella/worker'));
  assert.ok(cond.charts.some((c) => c.name === 'cache'));
});

test('a subchart section that is not a map is an error value', () => {
  const r = computeEffectiveValues({ chart: umbrella, namespace: 'ns', values: { primary: 'oops' } });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.stage, 'coalesce');
    assert.match(r.error, /type mismatch on primary/);
  }
});

const withFiles = chart({
  'Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
  'values.yaml': 'a: default\nb: default\nlist: [1]\n',
  'values-prod.yaml': 'b: prod\nc: prod\n',
  'ci/extra.yaml': 'c: extra\n',
  'templates/x.yaml': 'd: template\n',
});

test('valuesFiles replace values.yaml as defaults; values.yaml in the list stands for the chart defaults', () => {
  const only = effective(withFiles, {}, { valuesFiles: ['values-prod.yaml', './ci/extra.yaml'] });
  assert.deepEqual(only.values, { b: 'prod', c: 'extra' });
  const keep = effective(withFiles, { a: 'user' }, { valuesFiles: ['values.yaml', 'values-prod.yaml'] });
  assert.deepEqual(keep.values, { a: 'user', b: 'prod', list: [1], c: 'prod' });
  const src = Object.fromEntries(keep.leaves.map((l) => [l.path, l.source]));
  assert.deepEqual(src.a, { kind: 'inline' });
  assert.deepEqual(src.b, { kind: 'values-file', file: 'values-prod.yaml' });
  assert.deepEqual(src['list[0]'], { kind: 'chart-default', chart: 'app' });
  const missing = computeEffectiveValues({ chart: withFiles, namespace: 'ns', valuesFiles: ['nope.yaml'] });
  assert.ok(!missing.ok && missing.stage === 'values-files' && /no values file found at path 'nope.yaml'/.test(missing.error));
  assert.ok(!computeEffectiveValues({ chart: withFiles, namespace: 'ns', valuesFiles: ['templates/x.yaml'] }).ok, 'templates are not values files');
  assert.deepEqual(effective(withFiles, {}, { valuesFiles: ['nope.yaml', 'values-prod.yaml'], ignoreMissingValuesFiles: true }).values, { b: 'prod', c: 'prod' });
});

test('every leaf records its layer; Secret-sourced values are masked unless revealed', () => {
  const r = effective(
    umbrella,
    { primary: { port: 1 } },
    {
      valuesFrom: [
        { kind: 'ConfigMap', name: 'cm' },
        { kind: 'Secret', name: 'sec' },
      ],
      lookup: (kind, _ns, name) =>
        kind === 'ConfigMap' && name === 'cm'
          ? { data: { 'values.yaml': 'annotations: {"prometheus.io/port": "9090"}\nlist: [a, b]\n' } }
          : kind === 'Secret' && name === 'sec'
            ? { data: { 'values.yaml': Buffer.from('primary: {password: pw}\n').toString('base64') } }
            : undefined,
    },
  );
  const byPath = new Map(r.leaves.map((l) => [l.path, l]));
  assert.deepEqual(byPath.get('primary.port')?.source, { kind: 'inline' });
  assert.deepEqual(byPath.get('primary.size')?.source, { kind: 'chart-default', chart: 'umbrella' });
  assert.deepEqual(byPath.get('primary.global.dbOnly')?.source, { kind: 'chart-default', chart: 'umbrella/primary' });
  assert.deepEqual(byPath.get('annotations["prometheus.io/port"]')?.source, { kind: 'values-from', index: 0, sourceKind: 'ConfigMap', name: 'cm', key: 'values.yaml', secret: false });
  assert.equal(byPath.get('list[1]')?.value, 'b');
  const pw = byPath.get('primary.password');
  assert.equal(pw?.value, 'pw');
  assert.equal(describeSource(pw?.source), 'valuesFrom[1] Secret/sec key values.yaml');

  const masked = new Map(maskSecretLeaves(r.leaves).map((l) => [l.path, l.value]));
  assert.equal(masked.get('primary.password'), SECRET_MASK);
  assert.equal(masked.get('primary.port'), 1);
  assert.equal(new Map(maskSecretLeaves(r.leaves, { reveal: true }).map((l) => [l.path, l.value])).get('primary.password'), 'pw');
  const plain = toPlainMasked(r.tree) as { primary: { password: string; port: number } };
  assert.equal(plain.primary.password, SECRET_MASK);
  assert.equal(plain.primary.port, 1);
});

test('value paths quote keys with dots, brackets or spaces and parse back', () => {
  const cases: [(string | number)[], string][] = [
    [['image', 'tag'], 'image.tag'],
    [['args', 0], 'args[0]'],
    [['annotations', 'prometheus.io/port'], 'annotations["prometheus.io/port"]'],
    [['a.b', 'c'], '["a.b"].c'],
    [['m', 'has space', 2, 'x'], 'm["has space"][2].x'],
    [['', 'q"uote'], '[""]["q\\"uote"]'],
  ];
  for (const [segs, text] of cases) {
    assert.equal(formatValuePath(segs), text);
    assert.deepEqual(parseValuePath(text), segs);
  }
  assert.equal(parseValuePath('a..b'), undefined);
  assert.equal(parseValuePath('a[x]'), undefined);
});

test('lookupValue finds a value and the sources of everything under it', () => {
  const r = effective(simple, { image: { tag: '2' }, ports: [] });
  const image = lookupValue(r.tree, ['image']);
  assert.ok(image.found);
  assert.deepEqual(image.value, { repo: 'nginx', tag: '2' });
  assert.deepEqual(
    image.leaves.map((l) => [l.path, l.source?.kind]),
    [
      ['image.repo', 'chart-default'],
      ['image.tag', 'inline'],
    ],
  );
  const ports = lookupValue(r.tree, ['ports']);
  assert.ok(ports.found);
  assert.deepEqual(ports.leaves.map((l) => [l.path, l.value, l.source?.kind]), [['ports', [], 'inline']]);
  const cpu = lookupValue(r.tree, ['resources', 'limits', 'cpu']);
  assert.ok(cpu.found && cpu.value === 1 && cpu.leaves[0].path === 'resources.limits.cpu');
  assert.equal(lookupValue(r.tree, ['image', 'nope']).found, false);
  assert.equal(lookupValue(r.tree, ['ports', 0]).found, false);
});

test('pathological nesting is an error value, not an exception', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  const r = computeEffectiveValues({ chart: simple, namespace: 'ns', values: deep });
  assert.equal(r.ok, false);
});
