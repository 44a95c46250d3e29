/**
 * Chart-aware authoring inside `spec.values`: values.schema.json checks
 * (draft 2020-12 by default, draft-07 subchart, schema errors as data),
 * diagnostics placed on the layer to blame, unknown keys for charts without
 * a schema, completion and hover from the chart's values.yaml and schema,
 * and a latency report on a chart with a 5,000-line values.yaml.
 * Fixtures mark the cursor with `|`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChartFolder } from '../../engine/charts/folder.ts';
import { loadChartFromFiles, type LoadedChart } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';
import { computeReleaseValues, lookupFromObjects } from '../../engine/values/release.ts';
import { checkValuesSchema, compileValuesSchema, validateAgainstSchemaText } from '../../engine/values/schema-check.ts';
import { parseYamlFile, type YamlFile } from '../../engine/yaml/documents.ts';
import { getValuesDiagnostics } from '../../engine/features/values-diagnostics.ts';
import { getValuesCompletion } from '../../engine/features/values-completion.ts';
import { getValuesHover } from '../../engine/features/values-hover.ts';
import type { CompletionItem, CompletionList, OffsetDiagnostic } from '../../engine/types.ts';
import { withCursor } from '../support/cursor.ts';
import { loadFixture } from '../support/disk-fixture.ts';
import { memoryHost } from '../support/memory-host.ts';

const FIXTURE = new URL('../fixtures/charts/schema-chart', import.meta.url).pathname;
const fixtureHost = loadFixture(FIXTURE, '/ws/chart');

function loadChart(files: Record<string, string> = {}, drop: string[] = []): LoadedChart {
  const all = { ...fixtureHost.files };
  for (const d of drop) delete all[`/ws/chart/${d}`];
  for (const [p, t] of Object.entries(files)) all[`/ws/chart/${p}`] = t;
  const r = loadChartFolder(memoryHost(all), '/ws/chart');
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.chart.errors, []);
  return r.chart;
}

const chart = loadChart();

/** A chart without any schema: values.yaml only, with a subchart `worker`. */
const plainChart = (() => {
  const r = loadChartFromFiles({
    'Chart.yaml': 'apiVersion: v2\nname: plain\nversion: 0.1.0\ndependencies:\n  - name: worker\n    version: 1.0.0\n    condition: worker.run\n',
    'values.yaml': 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: latest\npodAnnotations: {}\nenv: []\nextra: null\nservice:\n  port: 80\n',
    'charts/worker/Chart.yaml': 'apiVersion: v2\nname: worker\nversion: 1.0.0\n',
    'charts/worker/values.yaml': 'concurrency: 4\nqueue:\n  name: jobs\n',
  });
  assert.ok(r.ok);
  return r.chart;
})();

const objects = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'podinfo-values', namespace: 'apps' }, data: { 'values.yaml': 'replicaCount: 2\nservice:\n  port: 99999\n', tag: '2.0.1', bad: 'replicaCount: many\n' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-secret', namespace: 'apps' }, stringData: { 'values.yaml': 'database:\n  auth:\n    password: hunter2\n' } },
];
const lookup = lookupFromObjects(objects);

const HEAD = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: schema-chart
      sourceRef:
        kind: HelmRepository
        name: charts
`;

function parse(text: string): YamlFile {
  return parseYamlFile('file:///ws/release.yaml', text);
}

function diagnose(body: string, c: LoadedChart = chart, options = {}, head = HEAD): { text: string; list: OffsetDiagnostic[] } {
  const text = head + body;
  const file = parse(text);
  const doc = file.docs[0];
  const release = computeReleaseValues(doc.value() as Record<string, unknown>, 'apps', c, lookup);
  return { text, list: getValuesDiagnostics(doc, c, release, options) };
}

const at = (text: string, d: OffsetDiagnostic): string => text.slice(d.start, d.end);

// ---------------------------------------------------------------------------
// values.schema.json like Helm

test('chart defaults pass their own schemas; the root schema sees the merged values and the subchart its section', () => {
  const eff = computeEffectiveValues({ chart, namespace: 'apps' });
  assert.ok(eff.ok);
  assert.deepEqual(checkValuesSchema(chart, eff.charts), []);
  const bad = computeEffectiveValues({ chart, namespace: 'apps', values: { replicaCount: '3', ports: [80, 'http', 'extra'], database: { persistence: { size: '8G' } } } });
  assert.ok(bad.ok);
  const problems = checkValuesSchema(chart, bad.charts);
  assert.deepEqual(
    problems.map((p) => [p.chart, p.path.join('.'), p.keyword]),
    [
      ['schema-chart', 'replicaCount', 'type'],
      ['schema-chart', 'ports', 'items'],
      ['schema-chart/database', 'database.persistence.size', 'pattern'],
    ],
  );
  assert.equal(problems[0].message, '`replicaCount` must be an integer, not a string');
});

test('no $schema means draft 2020-12 (format is not asserted); draft-07 asserts format; dependentRequired and prefixItems work', () => {
  const noDraft = JSON.stringify({ properties: { mail: { format: 'email' }, pair: { prefixItems: [{ type: 'integer' }], items: false } }, dependentRequired: { a: ['b'] } });
  assert.deepEqual(validateAgainstSchemaText(noDraft, { mail: 'nope' }), []);
  assert.deepEqual(validateAgainstSchemaText(noDraft, { pair: [1, 2] }).map((p) => p.keyword), ['items']);
  assert.deepEqual(validateAgainstSchemaText(noDraft, { a: 1 }).map((p) => p.message), ['the values sets `a`, so it must also set `b`']);
  const draft7 = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', properties: { mail: { format: 'email' } } });
  assert.deepEqual(validateAgainstSchemaText(draft7, { mail: 'nope' }).map((p) => p.keyword), ['format']);
  // Formats nobody defines (int32 from Kubernetes-derived schemas) are ignored, as santhosh-tekuri/jsonschema does.
  assert.deepEqual(validateAgainstSchemaText(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', properties: { n: { type: 'integer', format: 'int32' } } }), { n: 5 }), []);
  const c = compileValuesSchema(draft7);
  assert.ok(c.ok && c.draft === 'draft-07');
  const d4 = compileValuesSchema(JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } }));
  assert.ok(d4.ok && d4.draft === 'draft-04', JSON.stringify(d4));
  assert.deepEqual(validateAgainstSchemaText(JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', properties: { n: { minimum: 0, exclusiveMinimum: true } } }), { n: 0 }).map((p) => p.message), ['`n` must be greater than 0, not 0']);
});

test('schemas that cannot be used are reported as data, never thrown; urn references accept anything', () => {
  const cases: [string, RegExp][] = [
    ['{not json', /not valid JSON/],
    ['{"type": "objekt"}', /not a valid 2020-12 JSON Schema/],
    ['{"properties": {"a": {"$ref": "#/$defs/nope"}}}', /cannot be resolved|cannot be compiled/],
    ['{"$schema": "http://example.com/my-schema"}', /unknown `\$schema`/],
    ['[1, 2]', /must hold a JSON object/],
  ];
  for (const [text, re] of cases) {
    const problems = validateAgainstSchemaText(text, { a: 1 }, 'app');
    assert.equal(problems.length, 1, text);
    assert.equal(problems[0].kind, 'schema-error');
    assert.match(problems[0].message, re, text);
  }
  const remote = validateAgainstSchemaText('{"properties": {"a": {"$ref": "https://example.com/s.json"}}}', { a: 1 });
  assert.equal(remote[0]?.keyword, 'remote-ref');
  const supplied = validateAgainstSchemaText('{"properties": {"a": {"$ref": "https://example.com/s2.json"}}}', { a: 1 }, '', [], { resolveRemote: () => ({ type: 'string' }) });
  assert.deepEqual(supplied.map((p) => p.keyword), ['type']);
  assert.deepEqual(validateAgainstSchemaText('{"properties": {"a": {"$ref": "urn:example:thing"}}}', { a: 1 }), []);
});

test('a disabled subchart is not checked against its schema', () => {
  const eff = computeEffectiveValues({ chart, namespace: 'apps', values: { database: { enabled: false, persistence: { size: 'huge' } } } });
  assert.ok(eff.ok);
  assert.deepEqual(checkValuesSchema(chart, eff.charts), []);
});

// ---------------------------------------------------------------------------
// Diagnostics

test('a violation set inline is an error on the inline key, naming the layer', () => {
  const { text, list } = diagnose('  values:\n    replicaCount: "3"\n    image:\n      repository: x\n      tga: v1\n');
  const schema = list.filter((d) => d.code === 'values-schema');
  assert.deepEqual(schema.map((d) => at(text, d)), ['replicaCount', 'tga']);
  assert.match(schema[0].message, /^`replicaCount` must be an integer, not a string \(set in spec\.values/);
  assert.match(schema[1].message, /unknown key `tga` in `image`.*did you mean `tag`/);
  assert.ok(schema.every((d) => d.severity === 'error'));
});

test('a violation from valuesFrom is placed on that entry; one in the chart defaults on the chart name', () => {
  const { text, list } = diagnose('  valuesFrom:\n    - kind: ConfigMap\n      name: podinfo-values\n    - kind: ConfigMap\n      name: podinfo-values\n      valuesKey: bad\n  values:\n    image:\n      repository: x\n');
  const schema = list.filter((d) => d.code === 'values-schema');
  assert.equal(schema.length, 2, JSON.stringify(list));
  const port = schema.find((d) => /service\.port/.test(d.message))!;
  assert.equal(text.slice(0, port.start).split('\n').length, text.split('\n').findIndex((l) => l.includes('name: podinfo-values')) + 1);
  assert.match(port.message, /set by valuesFrom\[0\] ConfigMap\/podinfo-values key values\.yaml/);
  const count = schema.find((d) => /replicaCount/.test(d.message))!;
  assert.match(count.message, /set by valuesFrom\[1\] ConfigMap\/podinfo-values key bad/);
  assert.ok(count.start > port.start);

  const broken = loadChart({ 'values.yaml': 'replicaCount: 0\nimage:\n  repository: r\n' });
  const d = diagnose('  values:\n    image:\n      repository: x\n', broken);
  const def = d.list.filter((x) => x.code === 'values-schema');
  assert.deepEqual(def.map((x) => at(d.text, x)), ['schema-chart']);
  assert.match(def[0].message, /`replicaCount` must be at least 1.*the chart default of schema-chart/);
});

test('schema problems of the chart itself, problems of the valuesFrom entries, and disableSchemaValidation', () => {
  const broken = loadChart({ 'values.schema.json': '{"type": 5}' });
  const d = diagnose('  values:\n    replicaCount: 1\n', broken);
  assert.deepEqual(d.list.map((x) => [x.code, at(d.text, x)]), [['values-schema-invalid', 'schema-chart']]);
  const missing = diagnose('  valuesFrom:\n    - kind: ConfigMap\n      name: nowhere\n  values:\n    replicaCount: 1\n');
  assert.deepEqual(missing.list.map((x) => [x.code, at(missing.text, x)]), [['values-source-missing', 'nowhere']]);
  const off = diagnose('  install:\n    disableSchemaValidation: true\n  upgrade:\n    disableSchemaValidation: true\n  values:\n    replicaCount: "3"\n');
  assert.deepEqual(off.list, []);
  const half = diagnose('  install:\n    disableSchemaValidation: true\n  values:\n    replicaCount: "3"\n');
  assert.equal(half.list.length, 1, 'upgrades still validate');
});

test('unknown keys in a chart without a schema, with did-you-mean; open maps, lists, global and conditions are fine', () => {
  const body = '  values:\n    replicaCont: 2\n    image:\n      tga: x\n      repository: r\n    podAnnotations:\n      a: b\n    env:\n      - name: X\n    extra:\n      any: thing\n    global:\n      whatever: 1\n    worker:\n      run: true\n      concurency: 8\n      queue:\n        nam: q\n    service:\n      port: 81\n';
  const { text, list } = diagnose(body, plainChart);
  const unknown = list.filter((d) => d.code === 'unknown-value-key');
  assert.deepEqual(unknown.map((d) => at(text, d)), ['replicaCont', 'tga', 'concurency', 'nam']);
  assert.match(unknown[0].message, /did you mean `replicaCount`/);
  assert.match(unknown[2].message, /chart plain\/worker.*did you mean `concurrency`/);
  assert.ok(unknown.every((d) => d.severity === 'warning'));
  assert.deepEqual(diagnose(body, plainChart, { unknownKeys: false }).list.filter((d) => d.code === 'unknown-value-key'), []);
  // Keys from the chart's other values files named in valuesFiles are known.
  const withFiles = loadChartFromFiles({ ...Object.fromEntries([...plainChart.files].map(([k, v]) => [k, v])), 'Chart.yaml': 'apiVersion: v2\nname: plain\nversion: 0.1.0\n', 'values.yaml': 'replicaCount: 1\n', 'values-prod.yaml': 'replicaCount: 3\nprodOnly: true\n' });
  assert.ok(withFiles.ok);
  const vf = diagnose('  values:\n    prodOnly: false\n    nope: 1\n', withFiles.chart);
  assert.deepEqual(vf.list.map((d) => at(vf.text, d)), ['prodOnly', 'nope']);
  const head = HEAD.replace('      chart: schema-chart\n', '      chart: schema-chart\n      valuesFiles:\n        - values.yaml\n        - values-prod.yaml\n');
  const vf2 = diagnose('  values:\n    prodOnly: false\n    nope: 1\n', withFiles.chart, {}, head);
  assert.deepEqual(vf2.list.map((d) => at(vf2.text, d)), ['nope']);
  // The schema chart: its root has a schema (no unknown-key warnings there) but the cache subchart has none.
  const s = diagnose('  values:\n    image:\n      repository: x\n    somethingNew: 1\n    cache:\n      maxMemroy: 1gb\n');
  assert.deepEqual(s.list.map((d) => [d.code, at(s.text, d)]), [['unknown-value-key', 'maxMemroy']]);
  assert.match(s.list[0].message, /did you mean `maxMemory`/);
});

// ---------------------------------------------------------------------------
// Completion

function complete(body: string, c: LoadedChart = chart): CompletionList | undefined {
  const cur = withCursor(HEAD + body);
  return getValuesCompletion(parse(cur.text), cur.position, c);
}
const labels = (l: CompletionList | undefined): string[] => (l?.items ?? []).map((i) => i.label).sort();
function item(l: CompletionList | undefined, label: string): CompletionItem {
  const found = l?.items.find((i) => i.label === label);
  assert.ok(found, `no item ${label} in ${labels(l).join(', ')}`);
  return found;
}
const doc = (i: CompletionItem): string => (typeof i.documentation === 'object' ? i.documentation.value : String(i.documentation ?? ''));
const newText = (i: CompletionItem): string => (i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : i.label);

test('a blank line under values offers the chart keys, subchart sections and global; present keys are left out', () => {
  const l = complete('  values:\n    replicaCount: 2\n    |\n');
  assert.deepEqual(labels(l), ['cache', 'database', 'env', 'global', 'image', 'logLevel', 'mode', 'podAnnotations', 'ports', 'resources', 'service', 'tls']);
  assert.equal(item(l, 'image').sortText?.[0], '0', 'required keys first');
  assert.match(item(l, 'database').detail ?? '', /subchart db/);
  assert.match(doc(item(l, 'logLevel')), /Log verbosity[\s\S]*Chart default: `"info"`/);
  assert.equal(newText(item(l, 'image')), 'image:\n      $0');
  assert.equal(newText(item(l, 'ports')), 'ports:\n      - $0');
  assert.equal(newText(item(l, 'logLevel')), 'logLevel: $0');
  assert.match(doc(item(l, 'service')), /Chart default:\n```yaml\nport: 8080\ntype: ClusterIP/);
});

test('nested keys come from values.yaml and the schema; subchart sections from the subchart; typing a prefix works', () => {
  const image = complete('  values:\n    image:\n      tag: "2"\n      |\n');
  assert.deepEqual(labels(image), ['digest', 'pullPolicy', 'repository']);
  assert.match(doc(item(image, 'repository')), /Image repository without tag/);
  assert.equal(item(image, 'pullPolicy').detail, 'enum = "IfNotPresent"');
  const db = complete('  values:\n    database:\n      auth:\n        user|\n');
  assert.deepEqual(labels(db), ['email', 'password', 'username']);
  assert.match(doc(item(db, 'username')), /Database user[\s\S]*Chart default: `"app"`/);
  const dbRoot = complete('  values:\n    database:\n      |\n');
  assert.deepEqual(labels(dbRoot), ['auth', 'enabled', 'global', 'persistence', 'replicas'].filter((x) => x !== 'global'));
  const glob = complete('  values:\n    global:\n      |\n');
  assert.deepEqual(labels(glob), ['region']);
});

test('a new list item offers the keys of the list schema; a list of plain values offers their values', () => {
  const env = complete('  values:\n    env:\n      - |\n');
  assert.deepEqual(labels(env), ['name', 'value']);
  assert.equal(item(env, 'name').sortText?.[0], '0', 'required item keys first');
  const more = complete('  values:\n    env:\n      - name: A\n        |\n');
  assert.deepEqual(labels(more), ['value']);
  const ports = complete('  values:\n    ports:\n      - |\n');
  assert.deepEqual(labels(ports), ['8080']);
  assert.equal(item(ports, '8080').detail, 'integer (chart default)');
});

test('value completion: schema enums, booleans and the chart default', () => {
  const pull = complete('  values:\n    image:\n      pullPolicy: |\n');
  assert.deepEqual(labels(pull), ['Always', 'IfNotPresent', 'Never']);
  assert.equal(item(pull, 'IfNotPresent').preselect, true);
  const tls = complete('  values:\n    tls:\n      enabled: |\n');
  assert.deepEqual(labels(tls), ['false', 'true']);
  const mode = complete('  values:\n    mode: |\n');
  assert.deepEqual(labels(mode), ['cluster', 'standalone']);
  const cache = complete('  values:\n    cache:\n      enabled: |\n');
  assert.deepEqual(labels(cache), ['false', 'true']);
});

test('outside spec.values the values completion stays out of the way', () => {
  assert.equal(complete('  |\n'), undefined);
  assert.equal(complete('  values:\n    image: {}\n  install:\n    |\n'), undefined);
});

// ---------------------------------------------------------------------------
// Hover

function hover(body: string, options: { reveal?: boolean } = {}): string | undefined {
  const cur = withCursor(HEAD + body);
  const file = parse(cur.text);
  const release = computeReleaseValues(file.docs[0].value() as Record<string, unknown>, 'apps', chart, lookup);
  const h = getValuesHover(file, cur.position, chart, release.result, { revealSecrets: options.reveal });
  return h ? (h.contents as { value: string }).value : undefined;
}

test('hover on an inline key: path, schema description, chart default and the winning layer', () => {
  const h = hover('  values:\n    replica|Count: 3\n');
  assert.ok(h);
  assert.match(h, /\*\*`replicaCount`\*\* · integer/);
  assert.match(h, /How many pods run the app/);
  assert.match(h, /Chart default: `1`/);
  assert.match(h, /Effective value: `3` — set here in `spec\.values`, overriding the chart default `1`/);
});

test('hover says when a valuesFrom targetPath overrides the inline value', () => {
  const body = '  valuesFrom:\n    - kind: Secret\n      name: db-secret\n    - kind: ConfigMap\n      name: podinfo-values\n      valuesKey: tag\n      targetPath: image.tag\n  values:\n    image:\n      repository: x\n      t|ag: "9.9"\n';
  const h = hover(body);
  assert.ok(h);
  assert.match(h, /Effective value: `"2\.0\.1"` — set by valuesFrom\[1\] ConfigMap\/podinfo-values key tag, overriding the chart default `"1\.0"`/);
  assert.match(h, /overridden: valuesFrom\[1\]/);
});

test('hover masks values from Secrets unless revealing is asked for, and covers subchart sections', () => {
  const body = '  valuesFrom:\n    - kind: Secret\n      name: db-secret\n  values:\n    image:\n      repository: x\n    database:\n      au|th:\n        username: u\n';
  const masked = hover(body);
  assert.ok(masked);
  assert.match(masked, /chart `schema-chart\/database`/);
  assert.doesNotMatch(masked, /hunter2/);
  assert.match(masked, /password: ••••••••/);
  assert.match(masked, /From: .*valuesFrom\[0\] Secret\/db-secret/);
  assert.match(hover(body, { reveal: true }) ?? '', /password: hunter2/);
  assert.equal(hover('  val|ues:\n    a: 1\n'), undefined);
});

// ---------------------------------------------------------------------------
// Latency on a big chart (reported, not asserted)

test('latency with a 5,000-line values.yaml', (t) => {
  const lines: string[] = [];
  const props: Record<string, unknown> = {};
  for (let i = 0; lines.length < 5000; i++) {
    lines.push(`# Section ${i}.`, `section${i}:`, '  enabled: false', `  replicas: ${i}`, '  image:', `    repository: example/s${i}`, '    tag: "1.0"', '  resources: {}');
    props[`section${i}`] = { type: 'object', description: `Section ${i}.`, properties: { enabled: { type: 'boolean' }, replicas: { type: 'integer' } } };
  }
  const r = loadChartFromFiles({ 'Chart.yaml': 'apiVersion: v2\nname: big\nversion: 1.0.0\n', 'values.yaml': `${lines.join('\n')}\n`, 'values.schema.json': JSON.stringify({ type: 'object', properties: props }) });
  assert.ok(r.ok);
  const big = r.chart;
  const text = `${HEAD}  values:\n    section10:\n      replicas: 3\n      image:\n        tag: "2"\n        \n    section20:\n      enabled: true\n`;
  const file = parse(text);
  const line = text.split('\n').findIndex((l) => l === '        ');
  const release = computeReleaseValues(file.docs[0].value() as Record<string, unknown>, 'apps', big, lookup);
  assert.ok(release.result.ok);
  const hoverLine = text.split('\n').findIndex((l) => l.includes('replicas: 3'));
  // Wall-clock medians; CPU time per call is reported too because the test machine may be shared.
  const measure = (fn: () => unknown, n = 50): { first: number; median: number; cpu: number } => {
    const t0 = performance.now();
    fn();
    const first = performance.now() - t0;
    for (let i = 0; i < 5; i++) fn();
    const times: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      fn();
      times.push(performance.now() - s);
    }
    const c = process.cpuUsage(c0);
    times.sort((a, b) => a - b);
    return { first, median: times[Math.floor(n / 2)], cpu: (c.user + c.system) / 1000 / n };
  };
  const fmt = (m: { first: number; median: number; cpu: number }): string => `first ${m.first.toFixed(2)} ms, median ${m.median.toFixed(3)} ms, cpu ${m.cpu.toFixed(3)} ms/call`;
  const nested = measure(() => getValuesCompletion(file, { line, character: 8 }, big));
  const top = measure(() => getValuesCompletion(file, { line: line + 1, character: 4 }, big), 20);
  const hov = measure(() => getValuesHover(file, { line: hoverLine, character: 8 }, big, release.result));
  const diag = measure(() => getValuesDiagnostics(file.docs[0], big, release), 10);
  const comp = getValuesCompletion(file, { line, character: 8 }, big);
  assert.deepEqual(labels(comp), ['repository']);
  assert.match((getValuesHover(file, { line: hoverLine, character: 8 }, big, release.result)?.contents as { value: string }).value, /Effective value: `3`/);
  t.diagnostic(`completion nested: ${fmt(nested)}`);
  t.diagnostic(`completion top level (${labels(getValuesCompletion(file, { line: line + 1, character: 4 }, big)).length} keys): ${fmt(top)}`);
  t.diagnostic(`hover: ${fmt(hov)}`);
  t.diagnostic(`diagnostics (schema + unknown keys): ${fmt(diag)}`);
  t.diagnostic(`computeReleaseValues on this chart: ${fmt(measure(() => computeReleaseValues(file.docs[0].value() as Record<string, unknown>, 'apps', big, lookup), 10))}`);
});
