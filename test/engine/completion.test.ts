/**
 * Completion while typing: keys at several depths (required first, present
 * ones left out), list items, enum/boolean/default values, apiVersion and
 * kind values, starter snippets (each validating clean once expanded), and
 * silence inside `spec.values` and unknown objects. Fixtures mark the cursor
 * with `|` (or `@` where the YAML itself needs a `|`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, emptyHost, type CompletionList } from '../../engine/index.ts';
import { withCursor } from '../support/cursor.ts';

const ls = createLanguageService(emptyHost);

function complete(fixture: string, options: { uri?: string; marker?: string } = {}): CompletionList {
  const c = withCursor(fixture, options.marker);
  const file = ls.parse(options.uri ?? 'file:///work/release.yaml', c.text);
  return ls.doComplete(file, c.position);
}

const labels = (list: CompletionList): string[] => list.items.map((i) => i.label);
type CompletionItem = CompletionList['items'][number];
const sorted = (list: CompletionList): CompletionItem[] => [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
const item = (list: CompletionList, label: string): CompletionItem => {
  const found = list.items.find((i) => i.label === label);
  assert.ok(found, `expected an item ${label}; got ${labels(list).join(', ')}`);
  return found;
};
const newText = (i: CompletionItem): string => (i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : (i.insertText ?? i.label));

const HR = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
`;

// ---------------------------------------------------------------------------
// Keys

const keyCases: { name: string; fixture: string; uri?: string; includes: string[]; excludes?: string[]; requiredFirst?: string[] }[] = [
  {
    name: 'blank line under spec offers spec fields, interval (required) first',
    fixture: `${HR}  |\n`,
    includes: ['interval', 'chart', 'chartRef', 'values', 'valuesFrom', 'install', 'upgrade', 'suspend'],
    excludes: ['apiVersion', 'metadata', 'url'],
    requiredFirst: ['interval'],
  },
  {
    name: 'spec.chart.spec offers chart fields with chart and sourceRef first',
    fixture: `${HR}  interval: 5m\n  chart:\n    spec:\n      |\n`,
    includes: ['chart', 'sourceRef', 'version', 'reconcileStrategy', 'valuesFiles'],
    excludes: ['interval2', 'values'],
    requiredFirst: ['chart', 'sourceRef'],
  },
  {
    name: 'a new item under valuesFrom offers the item keys',
    fixture: `${HR}  interval: 5m\n  valuesFrom:\n  - |\n`,
    includes: ['kind', 'name', 'valuesKey', 'targetPath', 'optional'],
    excludes: ['interval', 'chart'],
    requiredFirst: ['kind', 'name'],
  },
  {
    name: 'a second key inside an indented valuesFrom item leaves out the keys it has',
    fixture: `${HR}  valuesFrom:\n    - kind: ConfigMap\n      name: a\n    - kind: Secret\n      |\n`,
    includes: ['name', 'valuesKey'],
    excludes: ['kind'],
  },
  {
    name: 'metadata offers name first and no server-managed fields',
    fixture: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  |\nspec:\n  interval: 5m\n`,
    includes: ['name', 'namespace', 'labels', 'annotations'],
    excludes: ['uid', 'resourceVersion', 'managedFields', 'interval'],
    requiredFirst: ['name'],
  },
  {
    name: 'a half-typed key still sees its map',
    fixture: `${HR}  inter|\n`,
    includes: ['interval', 'install'],
  },
  {
    name: 'keys present above and below the cursor are left out',
    fixture: `${HR}  interval: 5m\n  |\n  chart:\n    spec:\n      chart: podinfo\n  suspend: false\n`,
    includes: ['values', 'install'],
    excludes: ['interval', 'chart', 'suspend'],
  },
  {
    name: 'a key under a block scalar at the same level still completes',
    fixture: `${HR}  values: |\n    replicaCount: 2\n  @\n`,
    includes: ['interval'],
    excludes: ['values'],
  },
  {
    name: 'nested list of objects (driftDetection.ignore) offers its item keys',
    fixture: `${HR}  driftDetection:\n    ignore:\n    - paths: ["/spec/replicas"]\n    - |\n`,
    includes: ['paths', 'target'],
    requiredFirst: ['paths'],
  },
  {
    name: 'the document root offers the missing top-level fields',
    fixture: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n|\n`,
    includes: ['metadata', 'spec'],
    excludes: ['apiVersion', 'kind', 'interval'],
  },
  {
    name: 'the second document of a file completes against its own kind',
    fixture: `${HR}  interval: 5m\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\nspec:\n  |\n`,
    includes: ['url', 'type', 'interval'],
    excludes: ['chart', 'values'],
  },
  {
    name: 'kustomization.yaml without apiVersion completes kustomize fields',
    fixture: `resources:\n  - deploy.yaml\n|\n`,
    uri: 'file:///work/apps/kustomization.yaml',
    includes: ['namespace', 'patches', 'components'],
    excludes: ['resources', 'spec'],
  },
];

for (const c of keyCases) {
  test(`keys: ${c.name}`, () => {
    const list = complete(c.fixture, { uri: c.uri, marker: c.fixture.includes('@') ? '@' : '|' });
    const got = labels(list);
    for (const want of c.includes) assert.ok(got.includes(want), `missing ${want} in ${got.join(', ')}`);
    for (const not of c.excludes ?? []) assert.ok(!got.includes(not), `unexpected ${not}`);
    if (c.requiredFirst) {
      const first = sorted(list).slice(0, c.requiredFirst.length).map((i) => i.label);
      assert.deepEqual([...first].sort(), [...c.requiredFirst].sort());
      for (const r of c.requiredFirst) {
        if (c.fixture.includes('metadata:\n  |')) continue; // name is ranked first without being required by ObjectMeta
        assert.match(item(list, r).detail ?? '', /required/);
      }
    }
  });
}

test('keys: detail names the type and documentation is the schema description', () => {
  const list = complete(`${HR}  |\n`);
  const schema = ls.registry.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease')!.schema as { properties: { spec: { properties: Record<string, { description?: string }> } } };
  const interval = item(list, 'interval');
  assert.equal(interval.detail, 'string (required)');
  const doc = interval.documentation as { kind: string; value: string };
  assert.equal(doc.kind, 'markdown');
  const description = schema.properties.spec.properties.interval.description ?? '';
  assert.ok(description.length > 20, 'the bundled schema documents spec.interval');
  assert.ok(doc.value.includes(description.replace(/\s*Default: `[^`]*`\.?$/, '')));
  assert.equal(item(list, 'valuesFrom').detail, 'list of object');
  assert.equal(item(list, 'values').detail, 'object (any fields)');
  assert.equal(item(list, 'suspend').detail, 'boolean');
});

test('keys: objects and lists insert a block with the cursor indented below', () => {
  const list = complete(`${HR}  |\n`);
  const chart = item(list, 'chart');
  assert.equal(chart.insertTextFormat, 2);
  assert.equal(newText(chart), 'chart:\n    $0');
  assert.equal(newText(item(list, 'valuesFrom')), 'valuesFrom:\n    - $0');
  assert.equal(newText(item(list, 'interval')), 'interval: $0');
  // Inside a list item the block is indented from the key, not from the dash.
  const inItem = complete(`${HR}  postRenderers:\n    - |\n`);
  assert.equal(newText(item(inItem, 'kustomize')), 'kustomize:\n        $0');
});

test('keys: the half-typed word is replaced and an existing colon is kept', () => {
  const c = withCursor(`${HR}  inter|\n`);
  const list = ls.doComplete(ls.parse('file:///a.yaml', c.text), c.position);
  const interval = item(list, 'interval');
  assert.ok(interval.textEdit && 'range' in interval.textEdit);
  assert.deepEqual(interval.textEdit.range, { start: { line: c.position.line, character: 2 }, end: c.position });
  const editing = complete(`${HR}  interv|al: 5m\n`);
  const e = item(editing, 'interval');
  assert.equal(newText(e), 'interval');
  assert.ok(e.textEdit && 'range' in e.textEdit);
  assert.equal(e.textEdit.range.end.character, 10);
});

// ---------------------------------------------------------------------------
// Values

const valueCases: { name: string; fixture: string; exactly?: string[]; includes?: string[]; preselect?: string }[] = [
  {
    name: 'sourceRef kind offers the chart source kinds',
    fixture: `${HR}  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: |\n`,
    exactly: ['HelmRepository', 'GitRepository', 'Bucket'],
  },
  {
    name: 'chartRef kind offers the artifact kinds',
    fixture: `${HR}  chartRef:\n    kind: |\n`,
    exactly: ['OCIRepository', 'HelmChart', 'ExternalArtifact'],
  },
  {
    name: 'valuesFrom item kind',
    fixture: `${HR}  valuesFrom:\n  - kind: |\n`,
    exactly: ['ConfigMap', 'Secret'],
  },
  { name: 'booleans offer true and false', fixture: `${HR}  suspend: |\n`, exactly: ['true', 'false'] },
  { name: 'a half-typed boolean', fixture: `${HR}  install:\n    disableWait: tr|\n`, exactly: ['true', 'false'] },
  {
    name: 'enum with a default preselects the default',
    fixture: `${HR}  chart:\n    spec:\n      reconcileStrategy: |\n`,
    exactly: ['ChartVersion', 'Revision'],
    preselect: 'ChartVersion',
  },
  {
    name: 'a string default is offered, quoted when plain YAML would not read it back',
    fixture: `${HR}  chart:\n    spec:\n      version: |\n`,
    exactly: ['"*"'],
    preselect: '"*"',
  },
  { name: 'install.crds enum', fixture: `${HR}  install:\n    crds: |\n`, exactly: ['Skip', 'Create', 'CreateReplace'] },
];

for (const c of valueCases) {
  test(`values: ${c.name}`, () => {
    const list = complete(c.fixture);
    if (c.exactly) assert.deepEqual([...labels(list)].sort(), [...c.exactly].sort());
    if (c.preselect) {
      const pre = list.items.filter((i) => i.preselect).map((i) => i.label);
      assert.deepEqual(pre, [c.preselect]);
      assert.match(item(list, c.preselect).detail ?? '', /default/);
    }
  });
}

test('values: the cursor right after the colon gets a leading space', () => {
  const list = complete(`${HR}  suspend:|\n`);
  assert.equal(newText(item(list, 'true')), ' true');
});

test('values: apiVersion offers every served version, removed ones deprecated with their Flux release', () => {
  const list = complete('apiVersion: |\nkind: HelmRelease\n');
  const got = labels(list);
  for (const v of ['helm.toolkit.fluxcd.io/v2', 'source.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1', 'helm.toolkit.fluxcd.io/v2beta1', 'source.toolkit.fluxcd.io/v1beta2']) {
    assert.ok(got.includes(v), `missing ${v}`);
  }
  const removed = item(list, 'helm.toolkit.fluxcd.io/v2beta1');
  assert.deepEqual(removed.tags, [1]);
  assert.match(removed.detail ?? '', /Flux 2\.7/);
  assert.match(removed.detail ?? '', /helm\.toolkit\.fluxcd\.io\/v2\b/);
  assert.match(item(list, 'helm.toolkit.fluxcd.io/v2beta2').detail ?? '', /Flux 2\.8/);
  assert.equal(item(list, 'helm.toolkit.fluxcd.io/v2').tags, undefined);
  const order = sorted(list).map((i) => i.label);
  assert.equal(order[0], 'helm.toolkit.fluxcd.io/v2', 'the current version of the document kind comes first');
  const lastCurrent = Math.max(...list.items.filter((i) => !i.tags).map((i) => order.indexOf(i.label)));
  const firstRemoved = Math.min(...list.items.filter((i) => i.tags).map((i) => order.indexOf(i.label)));
  assert.ok(lastCurrent < firstRemoved, 'current versions sort before removed ones');
});

test('values: kind is filtered by the apiVersion', () => {
  const source = labels(complete('apiVersion: source.toolkit.fluxcd.io/v1\nkind: |\n'));
  for (const k of ['HelmRepository', 'GitRepository', 'OCIRepository', 'Bucket', 'HelmChart']) assert.ok(source.includes(k), `missing ${k}`);
  assert.ok(!source.includes('HelmRelease'));
  assert.deepEqual(labels(complete('apiVersion: helm.toolkit.fluxcd.io/v2\nkind: |\n')), ['HelmRelease']);
  const any = labels(complete('kind: |\n'));
  for (const k of ['HelmRelease', 'Kustomization', 'GitRepository']) assert.ok(any.includes(k), `missing ${k}`);
  assert.deepEqual(labels(complete('apiVersion: apps/v1\nkind: |\n')), []);
});

// ---------------------------------------------------------------------------
// Snippets

const SNIPPET_LABELS = ['HelmRelease', 'HelmRepository', 'HelmRepository (OCI)', 'OCIRepository', 'GitRepository', 'Kustomization'];

/** The text a snippet leaves when every placeholder keeps its default. */
function expand(snippet: string): string {
  let out = snippet;
  for (let i = 0; i < 5; i++) out = out.replace(/\$\{\d+:([^{}]*)\}/g, '$1');
  return out.replace(/\$\{\d+\}|\$\d+/g, '').replace(/\\([$}\\])/g, '$1');
}

test('snippets: an empty file, an empty document and a typed word offer the starter documents', () => {
  for (const fixture of ['|', '|\n', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\n|\n', 'Hel|']) {
    const list = complete(fixture);
    assert.deepEqual(labels(list), SNIPPET_LABELS, `for ${JSON.stringify(fixture)}`);
    for (const i of list.items) assert.equal(i.insertTextFormat, 2);
  }
});

test('snippets: each expanded snippet is a valid document of its kind', () => {
  const list = complete('|');
  const expected: Record<string, [string, string]> = {
    HelmRelease: ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'],
    HelmRepository: ['source.toolkit.fluxcd.io/v1', 'HelmRepository'],
    'HelmRepository (OCI)': ['source.toolkit.fluxcd.io/v1', 'HelmRepository'],
    OCIRepository: ['source.toolkit.fluxcd.io/v1', 'OCIRepository'],
    GitRepository: ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
    Kustomization: ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
  };
  for (const s of list.items) {
    const body = newText(s);
    assert.match(body, /\$\{1:[^}]+\}/, `${s.label} has placeholders`);
    const text = `${expand(body)}\n`;
    assert.ok(!text.includes('$'), `${s.label} expands fully`);
    const file = ls.parse('file:///work/new.yaml', text);
    assert.equal(file.docs.length, 1);
    assert.deepEqual([file.docs[0].apiVersion, file.docs[0].kind], expected[s.label]);
    assert.deepEqual(ls.doValidation(file), [], `${s.label} validates clean:\n${text}`);
  }
  // The expansion really is checked: breaking a snippet is caught.
  const broken = ls.parse('file:///work/new.yaml', `${expand(newText(list.items[0])).replace('interval: 10m', 'interval: often')}\n`);
  assert.ok(ls.doValidation(broken).length > 0);
});

test('snippets: not offered below the top level or in a document that has content', () => {
  assert.ok(!labels(complete(`${HR}  |\n`)).includes('HelmRelease'));
  assert.deepEqual(labels(complete('apiVersion: helm.toolkit.fluxcd.io/v2\n|\n')), ['kind']);
});

// ---------------------------------------------------------------------------
// Silence

const silentCases: { name: string; fixture: string; marker?: string }[] = [
  { name: 'a blank line inside spec.values', fixture: `${HR}  values:\n    replicaCount: 2\n    |\n` },
  { name: 'a list item inside spec.values', fixture: `${HR}  values:\n    ingress:\n      hosts:\n        - |\n` },
  { name: 'a value inside spec.values', fixture: `${HR}  values:\n    enabled: |\n` },
  { name: 'inside a block scalar', fixture: `${HR}  values: |\n    replicaCount: 2\n    @\n`, marker: '@' },
  { name: 'an unknown kind (apps/v1 Deployment)', fixture: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  |\n' },
  { name: 'a value of an unknown kind', fixture: 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  paused: |\n' },
  { name: 'a comment', fixture: `${HR}  # inter|\n` },
  { name: 'a flow mapping', fixture: `${HR.replace('metadata:\n  name: podinfo\n  namespace: apps', 'metadata: {na|}')}` },
  { name: 'a string field with no choices', fixture: `${HR}  releaseName: |\n` },
];

for (const c of silentCases) {
  test(`nothing offered: ${c.name}`, () => {
    assert.deepEqual(labels(complete(c.fixture, { marker: c.marker })), []);
  });
}

// ---------------------------------------------------------------------------
// Latency

test('latency: completion in a 1,000-HelmRelease file only looks at the document under the cursor', () => {
  const one = (i: number): string =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-${i}\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: app\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n  values:\n    replicaCount: ${i % 3}\n`;
  const docs = Array.from({ length: 1000 }, (_, i) => one(i));
  docs[700] = docs[700].replace('  interval: 5m\n', '  interval: 5m\n  suspend: true\n  |\n');
  const fixture = withCursor(docs.join('---\n'));
  const file = ls.parse('file:///work/big.yaml', fixture.text);
  assert.equal(file.docs.length, 1000);
  const list = ls.doComplete(file, fixture.position);
  const got = labels(list);
  assert.ok(got.includes('install') && !got.includes('suspend') && !got.includes('chart'), 'keys come from document 700');
  const runs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    ls.doComplete(file, fixture.position);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`completion latency on 1,000 HelmReleases: median ${runs[100].toFixed(3)} ms, p95 ${runs[190].toFixed(3)} ms, max ${runs[199].toFixed(3)} ms`);
});
