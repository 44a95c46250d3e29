/**
 * Differential test: fluxhelm's effective values against real `helm template`
 * (v4.1.4).
 *
 * The fixture chart test/fixtures/charts/values-diff has an aliased subchart
 * (sub-a as `alpha`, plus sub-a itself), one switched by a condition (sub-c,
 * which has its own conditional subchart `leaf`) and one switched by tags
 * (sub-t); each chart's template writes `toJson .Values` (base64) into a
 * ConfigMap. Seeded fast-check cases produce 2-4 random value layers (nulls,
 * lists, type clashes, nested maps, subchart sections, globals, tags and
 * condition toggles, YAML 1.1 scalars written plain). Helm gets them as
 * `--values` files in Flux's order; fluxhelm gets them as valuesFrom
 * ConfigMaps/Secrets plus inline values. The `.Values` of the parent and of
 * every enabled subchart must be equal, and so must the set of rendered
 * charts and whether rendering fails. Some cases end with a valuesFrom entry
 * with `targetPath` (plain, quoted or literal), which helm gets as the
 * matching `--set`, `--set-string` or `--set-literal` flag.
 *
 * A second table compares the `--set` parser with `helm template --set`,
 * `--set-string` and `--set-literal`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { runHelm } from '../support/tools.ts';
import { loadChartFromFiles, type LoadedChart } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';
import { readValues } from '../../engine/values/yaml.ts';
import { toPlain, newMap, type PlainValue } from '../../engine/values/tree.ts';
import { parseSetInto, type StrvalsMode } from '../../engine/values/strvals.ts';
import type { ValuesObject, ValuesReference } from '../../engine/values/merge.ts';
import { readTree } from '../support/disk-fixture.ts';

const CHART_DIR = new URL('../fixtures/charts/values-diff', import.meta.url).pathname;
const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261121);
const CASES = Number(process.env.FLUXHELM_DIFF_CASES ?? 300);
const CONCURRENCY = 3;



/** `.Values` per chart name from the rendered ConfigMaps. */
function renderedValues(stdout: string): Map<string, PlainValue> {
  const out = new Map<string, PlainValue>();
  for (const doc of stdout.split(/^---$/m)) {
    const chart = /^ {2}chart: "([^"]*)"$/m.exec(doc);
    const json = /^ {2}json: "([^"]*)"$/m.exec(doc);
    if (chart && json) out.set(chart[1], JSON.parse(Buffer.from(json[1], 'base64').toString('utf8')) as PlainValue);
  }
  return out;
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

// ---- random value layers ---------------------------------------------------

/** A generated YAML node; `raw` scalars are written plain so YAML 1.1 resolution applies. */
type G = { t: 'map'; e: [string, G][] } | { t: 'list'; items: G[] } | { t: 'json'; v: string | number | boolean | null } | { t: 'raw'; text: string };

const RAW = ['yes', 'No', 'on', 'OFF', 'y', 'n', '~', 'null', 'NULL', 'True', '0x1F', '0o17', '017', '08', '1_000', '+12', '-5', '1e3', '.5', '1.0', '2001-12-14', '1:20', '0b101', '12345678901234567890', '3.0e+2', 'plain text', 'x-y'];
const RAW_KEYS = ['yes', 'on', 'n', '1', '0x10', '1.5'];

const scalar: fc.Arbitrary<G> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RAW).map((text): G => ({ t: 'raw', text })) },
  { weight: 2, arbitrary: fc.constant<G>({ t: 'json', v: null }) },
  { weight: 1, arbitrary: fc.boolean().map((v): G => ({ t: 'json', v })) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 100 }).map((v): G => ({ t: 'json', v })) },
  { weight: 2, arbitrary: fc.constantFrom('x', 'hello', 'yes', '', 'a b', 'ü', '1', 'null', 'sub').map((v): G => ({ t: 'json', v })) },
);

function mapOf(keys: string[], value: fc.Arbitrary<G>, maxKeys = 4): fc.Arbitrary<G> {
  return fc
    .uniqueArray(fc.tuple(fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_KEYS) }), value), {
      maxLength: maxKeys,
      selector: ([k]) => k,
    })
    .map((e): G => ({ t: 'map', e }));
}

const GENERIC_KEYS = ['a', 'b', 'c', 'x', 'k1', 'k2', 'k3', 'deep', 'p', 'q', 'e', 'd', 'nul', 'over', 'm', 'nm', 'lst', 'enabled'];
const { tree } = fc.letrec<{ tree: G }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('tree'), { maxLength: 3 }).map((items): G => ({ t: 'list', items })) },
    { weight: 3, arbitrary: mapOf(GENERIC_KEYS, tie('tree')) },
  ),
}));

const GLOBAL_KEYS = ['env', 'region', 'nested', 'a', 'deep', 'x', 'list', 'nullGlobal', 'subOnly', 'subcEnabled', 'cGlobal', 'leafGlobal', 'new'];
const SECTION_KEYS = ['over', 'm', 'p', 'q', 'a', 'nul', 'nm', 'x', 'lst', 'c', 'd', 'e', 'leaf', 'enabled', 'fromParent', 't', 'tm', 'new'];
const boolish: fc.Arbitrary<G> = fc.oneof(
  { weight: 6, arbitrary: fc.boolean().map((v): G => ({ t: 'json', v })) },
  { weight: 1, arbitrary: fc.constant<G>({ t: 'json', v: null }) },
  { weight: 1, arbitrary: fc.constantFrom('yes', 'off', 'x').map((text): G => ({ t: 'raw', text })) },
);
const globalMap = mapOf(GLOBAL_KEYS, fc.oneof({ weight: 1, arbitrary: boolish }, { weight: 3, arbitrary: tree }), 5);
const section: fc.Arbitrary<G> = fc.oneof(
  { weight: 12, arbitrary: mapOf([...SECTION_KEYS, 'global'], fc.oneof({ weight: 4, arbitrary: tree }, { weight: 1, arbitrary: globalMap }, { weight: 1, arbitrary: mapOf(['enabled', 'x', 'leafKey', 'leafMap', 'global'], tree) }), 5) },
  { weight: 1, arbitrary: scalar },
);
const TOP: Record<string, fc.Arbitrary<G>> = {
  global: globalMap,
  tags: mapOf(['front', 'back', 'other'], boolish, 3),
  subc: mapOf(['enabled', 'x'], boolish, 2),
  alpha: section,
  'sub-a': section,
  'sub-c': section,
  'sub-t': section,
  a: tree,
  b: tree,
  list: tree,
  mapDefault: tree,
  scalarDefault: tree,
  nullDefault: tree,
  new1: tree,
};
const layer: fc.Arbitrary<G> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(TOP)), { maxLength: 6 })
  .chain((keys) => fc.tuple(...keys.map((k) => TOP[k].map((v): [string, G] => [k, v]))))
  .map((e): G => ({ t: 'map', e: e as [string, G][] }));

/** A valuesFrom entry with targetPath applied after the layers (helm: a --set flag after the --values files). */
interface SetOp {
  path: string;
  value: string;
  literal: boolean;
}
const SET_PATHS = ['a', 'b.c', 'global.env', 'global.nested.deep.x', 'alpha.over', 'alpha.m.p', 'list[1]', 'new1[0].k', 'sub-c.leaf.enabled', 'subc.enabled', 'tags.back', 'x\\.y', 'sub-t.tm.b[3]'];
const SET_VALUES = ['true', 'FALSE', '42', '007', '"7"', "'yes'", 'text', 'null', '', '{a,b}', 'a,b', 'a=b', 'multi\nline'];
const setOp: fc.Arbitrary<SetOp> = fc.record({ path: fc.constantFrom(...SET_PATHS), value: fc.constantFrom(...SET_VALUES), literal: fc.boolean() });
const caseArb = fc.record({ layers: fc.array(layer, { minLength: 2, maxLength: 4 }), set: fc.option(setOp, { freq: 2 }) });

/** The helm flag equivalent to Flux's ReplacePathValue for `op`. */
function helmSetFlag(op: SetOp): string[] {
  if (op.literal) return ['--set-literal', `${op.path}=${op.value}`];
  const v = op.value;
  if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) {
    return ['--set-string', `${op.path}=${v.replace(/^['"]+/, '').replace(/['"]+$/, '')}`];
  }
  return ['--set', `${op.path}=${v}`];
}

function yamlKey(k: string): string {
  return RAW_KEYS.includes(k) ? k : JSON.stringify(k);
}

/** Writes a node as flow-style YAML (JSON-quoted strings, raw scalars plain). */
function toYaml(g: G): string {
  switch (g.t) {
    case 'raw':
      return g.text;
    case 'json':
      return g.v === null ? 'null' : JSON.stringify(g.v);
    case 'list':
      return `[${g.items.map(toYaml).join(', ')}]`;
    case 'map':
      return `{${g.e.map(([k, v]) => `${yamlKey(k)}: ${toYaml(v)}`).join(', ')}}`;
  }
}

/** Block style for the top level (as people write values files), flow style below. */
function layerText(g: G): string {
  if (g.t !== 'map' || g.e.length === 0) return '{}\n';
  return g.e.map(([k, v]) => `${yamlKey(k)}: ${toYaml(v)}\n`).join('');
}

test('effective values match helm template for seeded random layers', { timeout: 600_000 }, async (t) => {
  const loaded = loadChartFromFiles(readTree(CHART_DIR));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  const chart: LoadedChart = loaded.chart;
  const home = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-'));
  try {
    const cases = fc.sample(caseArb, { seed: SEED, numRuns: CASES });
    const failures: string[] = [];
    let rendered = 0;
    let helmErrors = 0;
    const disabledSeen = new Set<string>();
    let withSet = 0;
    await pool(cases, CONCURRENCY, async ({ layers, set }, i) => {
      const dir = join(home, `case-${i}`);
      mkdirSync(dir);
      const texts = layers.map(layerText);
      const files = texts.map((text, j) => {
        const f = join(dir, `layer-${j}.yaml`);
        writeFileSync(f, text);
        return f;
      });
      const helm = await runHelm(['template', 'rel', CHART_DIR, ...files.flatMap((f) => ['--values', f]), ...(set ? helmSetFlag(set) : [])], home);

      // Flux's view: the layers come from valuesFrom (layer 1 from a Secret); the last one is inline
      // unless a targetPath entry follows (inline values would be merged before it).
      const objects = new Map<string, ValuesObject>();
      const fromRefs = set ? texts : texts.slice(0, -1);
      const valuesFrom: ValuesReference[] = fromRefs.map((text, j) => {
        const kind = j === 1 ? ('Secret' as const) : ('ConfigMap' as const);
        objects.set(`${kind}/layer-${j}`, kind === 'Secret' ? { data: { 'values.yaml': Buffer.from(text).toString('base64') } } : { data: { 'values.yaml': text } });
        return { kind, name: `layer-${j}` };
      });
      if (set) {
        withSet++;
        objects.set('ConfigMap/set', { data: { v: set.value } });
        valuesFrom.push({ kind: 'ConfigMap', name: 'set', valuesKey: 'v', targetPath: set.path, literal: set.literal });
      }
      const inlineParsed = set ? undefined : readValues(texts[texts.length - 1]);
      const inline = inlineParsed?.ok ? toPlain(inlineParsed.value) : undefined;
      const mine = computeEffectiveValues({ chart, namespace: 'ns', valuesFrom, values: inline, lookup: (kind, _ns, name) => objects.get(`${kind}/${name}`) });

      const label = `case ${i}:\n${texts.map((text, j) => `--- layer ${j}\n${text}`).join('')}${set ? `--- targetPath ${JSON.stringify(set)}\n` : ''}`;
      if (helm.code !== 0 || (inlineParsed && !inlineParsed.ok)) {
        helmErrors++;
        if (process.env.FLUXHELM_DIFF_DEBUG) console.error(`case ${i}: ${helm.stderr.trim()}`);
        if (mine.ok && helm.code !== 0) failures.push(`${label}helm failed (${helm.stderr.trim()}) but fluxhelm succeeded`);
        return;
      }
      if (!mine.ok) {
        failures.push(`${label}fluxhelm failed (${mine.error}) but helm rendered`);
        return;
      }
      rendered++;
      const theirs = renderedValues(helm.stdout);
      const ours = new Map(mine.charts.map((c) => [c.name, c.values as PlainValue]));
      for (const d of mine.disabledSubcharts) disabledSeen.add(d.chart);
      if (!isDeepStrictEqual([...theirs.keys()].sort(), [...ours.keys()].sort())) {
        failures.push(`${label}rendered charts differ: helm [${[...theirs.keys()].sort()}] fluxhelm [${[...ours.keys()].sort()}]`);
        return;
      }
      for (const [name, v] of theirs) {
        if (!isDeepStrictEqual(ours.get(name), v)) {
          failures.push(`${label}.Values of ${name} differ:\n helm:     ${JSON.stringify(v)}\n fluxhelm: ${JSON.stringify(ours.get(name))}`);
          return;
        }
      }
    });
    t.diagnostic(`${CASES} cases (${withSet} with a targetPath entry): ${rendered} rendered and equal, ${helmErrors} rejected by helm, disabled subcharts seen: ${[...disabledSeen].sort().join(', ')}`);
    // The generator must actually exercise both outcomes and the toggles.
    assert.ok(rendered >= CASES * 0.6, `only ${rendered} of ${CASES} cases rendered`);
    assert.ok(disabledSeen.size >= 2, `toggles never disabled enough subcharts: ${[...disabledSeen]}`);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${CASES} cases differ (${helmErrors} failed in helm)`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

// ---- --set parser ------------------------------------------------------------

const SET_CASES: { mode: StrvalsMode; lines: string[] }[] = [
  ...[
    'a.b=c', 'a\\.b=c', 'a[0]=x', 'list[2]=x', 'a[0].b=1', 'a[0][1]=2', 'a=1,b=2', 'a={x,y}', 'a={}', 'a={x, 1 ,true}', 'a=',
    'a=null', 'a=NULL', 'a=True', 'a=fAlSe', 'a=falſe', 'a=007', 'a=-5', 'a=+5', 'a=0', 'a=-0', 'a=-05', 'a=1.5', 'a=1e3',
    'a=9223372036854775807', 'a=9223372036854775808', 'a="quoted"', "a='q'", 'a=b=c', 'a=x\\,y', 'a.b.c.d=1', 'name[-1]=x',
    'a[x]=1', 'a[0]x=1', 'a', 'a,b=1', 'a.=1', '.a=1', '=1', 'a[1', 'a[65537]=1', 'a=1,a.b=2', 'a.b=1,a[0]=2', 'a[0]=1,a[0].b=2',
    'a[1].b=1,a[0].c=2', 'ä.ö=ü', 'a=x\\', 'a\\[0]=1', 'a[0]=1,a[0][0]=2', 'a={x,y', 'a={x}y', 'a= spaced ', 'outer.inner={a,b},c=d',
    'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee=1', 'a[+1]=x', 'a[00]=x', 'a.b[0]=1,a.b[3]=2',
    `${Array.from({ length: 32 }, (_, i) => `k${i}`).join('.')}=1`,
  ].map((l) => ({ mode: 'typed' as const, lines: [l] })),
  { mode: 'typed', lines: ['a.b=1', 'a.c=2', 'a.b=null'] },
  { mode: 'typed', lines: ['a[0]=1', 'a[2]=3'] },
  { mode: 'typed', lines: ['a=str', 'a.b=1'] },
  ...['a=1', 'a=true', 'a=null', 'a={x,y}', 'a=007', 'a.b[1]=x', 'a=1,b=2'].map((l) => ({ mode: 'string' as const, lines: [l] })),
  ...['a=1,b=2', 'a=x=y', 'a.b[0]=v,w', 'a=true', 'a\\.b=1', 'a[0].b=line1\\nline2', 'a.b={x}', 'a'].map((l) => ({ mode: 'literal' as const, lines: [l] })),
];

const FLAG: Record<StrvalsMode, string> = { typed: '--set', string: '--set-string', literal: '--set-literal' };

test('the --set parser matches helm template --set/--set-string/--set-literal', { timeout: 300_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'fluxhelm-set-'));
  try {
    const chartDir = join(home, 'setc');
    mkdirSync(join(chartDir, 'templates'), { recursive: true });
    writeFileSync(join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: setc\nversion: 0.1.0\n');
    writeFileSync(join(chartDir, 'templates', 'v.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  chart: "setc"\n  json: {{ toJson .Values | b64enc | quote }}\n');
    const failures: string[] = [];
    let errorsCompared = 0;
    let exactErrors = 0;
    await pool(SET_CASES, CONCURRENCY, async (c) => {
      const helm = await runHelm(['template', 'rel', chartDir, ...c.lines.flatMap((l) => [FLAG[c.mode], l])], home);
      const dest = newMap();
      let error: string | undefined;
      for (const l of c.lines) {
        const r = parseSetInto(l, dest, c.mode);
        if (!r.ok) {
          error = r.error;
          break;
        }
      }
      const label = `${FLAG[c.mode]} ${c.lines.join(' ')}`;
      if (helm.code !== 0) {
        errorsCompared++;
        if (error === undefined) failures.push(`${label}: helm failed (${helm.stderr.trim()}) but the parser succeeded`);
        else if (helm.stderr.includes(error)) exactErrors++;
        else if (!helm.stderr.includes(error.split(':')[0])) failures.push(`${label}: error text differs: helm '${helm.stderr.trim()}' vs '${error}'`);
        return;
      }
      if (error !== undefined) {
        failures.push(`${label}: parser failed (${error}) but helm succeeded`);
        return;
      }
      const theirs = renderedValues(helm.stdout).get('setc');
      const ours = toPlain(dest);
      if (!isDeepStrictEqual(ours, theirs)) failures.push(`${label}: helm ${JSON.stringify(theirs)} vs parser ${JSON.stringify(ours)}`);
    });
    t.diagnostic(`${SET_CASES.length} --set cases, ${errorsCompared} rejected by both (${exactErrors} with the same message)`);
    assert.ok(errorsCompared >= 8, `only ${errorsCompared} error cases exercised`);
    assert.deepEqual(failures, []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
