/**
 * Differential test: fluxhelm's values.schema.json verdicts against real
 * `helm template` (v4.1.4).
 *
 * Two charts: the fixture test/fixtures/charts/schema-chart (root schema
 * without `$schema`, so draft 2020-12: prefixItems with `items: false`,
 * dependentRequired, oneOf/const, $ref to $defs; an aliased subchart
 * `database` with a draft-07 schema using `dependencies` and `format`,
 * switched by a condition; a subchart without schema), and a chart
 * generated here whose root schema is draft-07 (tuple `items` with
 * additionalItems, if/then, patternProperties, uniqueItems, multipleOf,
 * format). Seeded cases mix valid and invalid choices per field; the
 * values go to helm as a JSON `--values` file and to fluxhelm as inline
 * values. Both must agree on whether the values pass and on which chart and
 * which path fail. A second table runs schemas that helm cannot use or
 * reads in a particular way (drafts named by `$schema`, urn references,
 * unknown formats) with the chart defaults.
 *
 * Helm prints an error tree; grouping lines ("validation failed", allOf,
 * then/else) are looked through, anyOf/oneOf lines stand for their
 * branches. Array indexes are compared as `*`: santhosh-tekuri/jsonschema
 * reports a list that is too long for `prefixItems` + `items: false` at an
 * item (numbered from the first extra one), ajv at the list itself, so that
 * case is compared as the list's items.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelm } from '../support/tools.ts';
import { loadChartFromFiles, type LoadedChart } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';
import { checkValuesSchema } from '../../engine/values/schema-check.ts';
import { readTree } from '../support/disk-fixture.ts';

const FIXTURE = new URL('../fixtures/charts/schema-chart', import.meta.url).pathname;
const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261121);
const CASES_PER_CHART = Number(process.env.FLUXHELM_SCHEMA_CASES ?? 40);
const CONCURRENCY = 2;

const DRAFT7_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 10 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    mode: { enum: ['single', 'ha'] },
    replicas: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 3 },
    limits: { type: 'object', properties: { cpu: { type: 'string' }, memory: { type: 'string' } }, additionalProperties: false },
    labels: { type: 'object', patternProperties: { '^[a-z]+$': { type: 'string' } }, additionalProperties: false },
    email: { type: 'string', format: 'email' },
    ratio: { type: 'number', multipleOf: 0.5 },
    pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
  },
  dependencies: { certFile: ['keyFile'] },
  if: { properties: { mode: { const: 'ha' } } },
  then: { required: ['replicas'], properties: { replicas: { minimum: 2 } } },
};

const DRAFT7_FILES: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: seven\nversion: 0.1.0\n',
  'values.yaml': 'name: app\nport: 80\nmode: single\ntags: []\nlimits:\n  cpu: 100m\nlabels: {}\nemail: ops@example.com\n',
  'values.schema.json': JSON.stringify(DRAFT7_SCHEMA, null, 2),
  'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
};

type Choice = { valid: unknown[]; invalid: unknown[] };
const OMIT = Symbol('omit');

const FIELDS_2020: Record<string, Choice> = {
  replicaCount: { valid: [1, 5, OMIT, null], invalid: ['3', 0, 2.5] },
  image: { valid: [{ repository: 'r', tag: '1' }, { digest: `sha256:${'a'.repeat(64)}` }, OMIT], invalid: [{ tag: 2 }, { repository: '' }, { extra: 1 }, { pullPolicy: 'Sometimes' }, { digest: 'sha256:abc' }, null] },
  ports: { valid: [[80, 'http'], [8080], []], invalid: [[80, 81], [80, 'a', 'b'], ['x']] },
  tls: { valid: [{ certFile: 'a', keyFile: 'b' }, { enabled: true }], invalid: [{ certFile: 'a' }, { enabled: 'yes' }] },
  mode: { valid: ['standalone', 'cluster'], invalid: ['other', 3] },
  env: { valid: [[{ name: 'A', value: '1' }]], invalid: [[{ value: 'x' }], [{ name: 1 }]] },
  service: { valid: [{ port: 80, type: 'NodePort' }, { annotations: { a: 'b' } }], invalid: [{ port: 70000 }, { type: 'Ingress' }, { annotations: { a: 1 } }] },
  logLevel: { valid: ['debug', 'error'], invalid: ['verbose'] },
  database: {
    valid: [{ auth: { username: 'u', password: 'p' } }, { persistence: { size: '10Gi' } }, { enabled: false, persistence: { size: 'bad' } }, { replicas: 2 }],
    invalid: [{ auth: { email: 'nope' } }, { persistence: { size: '10G' } }, { replicas: 0 }, { auth: { password: 'p', username: null } }, { enabled: true, auth: { username: 5 } }],
  },
  cache: { valid: [{ enabled: true, maxMemory: 5 }, { enabled: false }], invalid: [] },
};

const FIELDS_07: Record<string, Choice> = {
  name: { valid: ['api', OMIT], invalid: ['a', 'much-too-long-name', 7] },
  port: { valid: [443, OMIT], invalid: [0, 70000, '80'] },
  mode: { valid: ['single', OMIT], invalid: ['solo'] },
  tags: { valid: [['a', 'b'], []], invalid: [['a', 'a'], ['a', 'b', 'c', 'd'], [1]] },
  limits: { valid: [{ memory: '1Gi' }], invalid: [{ gpu: 1 }, { cpu: 2 }] },
  labels: { valid: [{ team: 'x' }], invalid: [{ Team: 'x' }, { team: 1 }] },
  email: { valid: ['me@example.org'], invalid: ['not-an-email'] },
  ratio: { valid: [1.5, 2], invalid: [0.7] },
  pair: { valid: [['a', 1], ['a']], invalid: [['a', 'b'], ['a', 1, 2]] },
  certFile: { valid: [OMIT], invalid: ['c.pem'] },
  ha: { valid: [{ mode: 'ha', replicas: 3 }], invalid: [{ mode: 'ha' }, { mode: 'ha', replicas: 1 }] },
};

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(fields: Record<string, Choice>, n: number, seed: number): Record<string, unknown>[] {
  const rand = rng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const values: Record<string, unknown> = {};
    // Every third case keeps to valid choices only; the others break a field now and then.
    const breakRate = i % 3 === 0 ? 0 : 0.15;
    for (const [key, choice] of Object.entries(fields)) {
      if (rand() < 0.35) continue;
      const v = choice.invalid.length && rand() < breakRate ? pick(choice.invalid) : pick(choice.valid);
      if (v === OMIT) continue;
      if (key === 'ha') Object.assign(values, v);
      else values[key] = v;
    }
    out.push(values);
  }
  return out;
}



const wildcard = (pointer: string): string => pointer.replace(/\/\d+(?=\/|$)/g, '/*');

/** `chart:/pointer` for every failure in helm's schema error, grouping lines looked through. */
function helmFailures(stderr: string): string[] {
  const start = stderr.indexOf("values don't meet the specifications of the schema(s)");
  if (start < 0) return [];
  const lines = stderr.slice(start).split('\n').slice(1);
  const out = new Set<string>();
  let chart = '';
  let skipDeeperThan = Infinity;
  let schemaBroken = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const header = /^(\S[^:]*):\s*$/.exec(line);
    if (header) {
      chart = header[1];
      skipDeeperThan = Infinity;
      schemaBroken = false;
      continue;
    }
    const m = /^(\s*)- at '([^']*)': (.*)$/.exec(line);
    if (!m) {
      // A schema that cannot be used at all is one failure of the chart (what follows explains the schema, not the values).
      out.add(`${chart}:<schema>`);
      schemaBroken = true;
      continue;
    }
    if (schemaBroken) continue;
    const depth = m[1].length;
    if (depth > skipDeeperThan) continue;
    skipDeeperThan = Infinity;
    const message = m[3];
    if (/^validation failed$|^'?(allOf|then|else)'? failed/.test(message)) continue;
    if (/^'?(anyOf|oneOf)'? failed/.test(message)) skipDeeperThan = depth;
    out.add(`${chart}:${wildcard(m[2])}`);
  }
  return [...out].sort();
}

function fluxhelmFailures(chart: LoadedChart, values: Record<string, unknown>): string[] {
  const eff = computeEffectiveValues({ chart, namespace: 'apps', values });
  assert.ok(eff.ok, eff.ok ? '' : eff.error);
  const out = new Set<string>();
  for (const p of checkValuesSchema(chart, eff.charts)) {
    const segs = p.chart.split('/');
    const name = segs.at(-1)!;
    if (p.kind === 'schema-error') {
      out.add(`${name}:<schema>`);
      continue;
    }
    const rel = p.instancePath.slice(segs.length - 1);
    // Only the 2020-12 form (`items: false` after prefixItems) is reported at an item by helm.
    const tooMany = p.keyword === 'items';
    const pointer = rel.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') + (tooMany ? '/0' : '');
    out.add(`${name}:${wildcard(pointer)}`);
  }
  return [...out].sort();
}

async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}

test('values.schema.json verdicts match helm template (draft 2020-12 and draft-07 charts)', { timeout: 900_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'fluxhelm-schema-'));
  try {
    const seven = join(tmp, 'seven');
    for (const [p, text] of Object.entries(DRAFT7_FILES)) {
      mkdirSync(join(seven, p, '..'), { recursive: true });
      writeFileSync(join(seven, p), text);
    }
    const charts: { dir: string; chart: LoadedChart; fields: Record<string, Choice> }[] = [];
    for (const [dir, fields] of [[FIXTURE, FIELDS_2020], [seven, FIELDS_07]] as const) {
      const r = loadChartFromFiles(readTree(dir));
      assert.ok(r.ok);
      charts.push({ dir, chart: r.chart, fields });
    }
    const cases = charts.flatMap((c, ci) => generate(c.fields, CASES_PER_CHART, SEED + ci).map((values) => ({ ...c, values })));
    // Defaults alone must pass for both charts.
    cases.push(...charts.map((c) => ({ ...c, values: {} })));
    let valid = 0;
    let invalid = 0;
    const mismatches: string[] = [];
    await pool(cases, CONCURRENCY, async (c, i) => {
      const file = join(tmp, `values-${i}.json`);
      writeFileSync(file, JSON.stringify(c.values));
      const helm = await runHelm(['template', 'rel', c.dir, '--values', file], join(tmp, 'home'));
      const ours = fluxhelmFailures(c.chart, c.values);
      if (helm.code === 0) {
        valid++;
        if (ours.length) mismatches.push(`case ${i} ${JSON.stringify(c.values)}: helm accepts, fluxhelm reports ${ours.join(', ')}`);
        return;
      }
      invalid++;
      if (!/values don't meet the specifications of the schema\(s\)/.test(helm.stderr)) {
        mismatches.push(`case ${i} ${JSON.stringify(c.values)}: helm failed for another reason: ${helm.stderr.slice(0, 300)}`);
        return;
      }
      const theirs = helmFailures(helm.stderr);
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) mismatches.push(`case ${i} ${JSON.stringify(c.values)}:\n  helm:     ${theirs.join(', ')}\n  fluxhelm: ${ours.join(', ') || '(valid)'}\n${helm.stderr}`);
    });
    t.diagnostic(`${cases.length} cases: ${valid} valid, ${invalid} invalid per helm`);
    assert.ok(valid >= 15 && invalid >= 15, `want a mix of valid and invalid cases, got ${valid}/${invalid}`);
    assert.deepEqual(mismatches, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('schema edge cases agree with helm: unusable schemas, urn references, draft-04/06/2019-09, the bare `$schema` URL, unknown formats', { timeout: 300_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fluxhelm-schema-bad-'));
  try {
    const schemas = [
      '{"type": "objekt"}',
      '{"properties": {"a": {"$ref": "#/defs/nope"}}}',
      '{not json',
      '{"properties": {"a": {"$ref": "urn:example:anything"}}}',
      '{"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"a": {"type": "integer", "minimum": 1, "exclusiveMinimum": true}}}',
      '{"$schema": "https://json-schema.org/draft/2019-09/schema", "properties": {"a": {"format": "email"}}, "dependentRequired": {"a": ["b"]}}',
      '{"$schema": "http://json-schema.org/schema#", "properties": {"a": {"format": "email", "type": "string"}}}',
      '{"$schema": "http://json-schema.org/draft-06/schema#", "properties": {"a": {"type": "integer", "exclusiveMaximum": 1}}}',
      '{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"type": "integer", "format": "int32"}}}',
    ];
    const mismatches: string[] = [];
    for (const [i, schema] of schemas.entries()) {
      const dir = join(tmp, `c${i}`);
      const files: Record<string, string> = { ...DRAFT7_FILES, 'Chart.yaml': 'apiVersion: v2\nname: bad\nversion: 0.1.0\n', 'values.yaml': 'a: 1\n', 'values.schema.json': schema };
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(join(dir, p, '..'), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
      const r = loadChartFromFiles(readTree(dir));
      assert.ok(r.ok);
      const helm = await runHelm(['template', 'rel', dir], join(tmp, 'home'));
      const theirs = helm.code === 0 ? [] : helmFailures(helm.stderr);
      const ours = fluxhelmFailures(r.chart, {});
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) mismatches.push(`${schema}: helm ${theirs.join(', ') || '(valid)'} / fluxhelm ${ours.join(', ') || '(valid)'}\n${helm.stderr}`);
    }
    assert.deepEqual(mismatches, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('helm error trees are read as failures per chart and path', () => {
  const stderr = "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nschema-chart:\n- at '/mode': 'oneOf' failed, none matched\n  - at '/mode': value must be 'standalone'\n- at '/ports': validation failed\n  - at '/ports/1': got number, want string\n- at '/tls': properties 'keyFile' required, if 'certFile' exists\ndatabase:\n- at '/replicas': exclusiveMinimum: got 0, want 0\n";
  assert.deepEqual(helmFailures(stderr), ['database:/replicas', 'schema-chart:/mode', 'schema-chart:/ports/*', 'schema-chart:/tls']);
  assert.deepEqual(helmFailures('Error: something else'), []);
});
