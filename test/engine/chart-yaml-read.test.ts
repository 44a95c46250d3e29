/**
 * A local chart's Chart.yaml is read in linear time (issue 16): the `yaml`
 * library's duplicate-key check compares every key with all earlier ones, and
 * a fuzz-grown Chart.yaml of 9,000 keys, open in the editor, took seconds
 * whenever a HelmRelease using the chart was resolved. readPlainValue finds
 * repeated keys with a set and answers what the library's `parse` answers.
 * No wall-clock budget: reading 40 times the keys may take about 40 times
 * as long (50-60 times here, under 150 asked), not 1,600 times (400 before,
 * the library's parse being linear in the rest). A document pasted after
 * the metadata (the fuzz's shape) is not read at all: the library composed it
 * only to fail with MULTIPLE_DOCS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { readPlainValue } from '../../engine/yaml/plain-value.ts';
import { readLocalChart } from '../../engine/sources/local-chart.ts';

function chartYaml(keys: number): string {
  let t = 'apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: "2.0"\n';
  for (let i = 0; i < keys; i++) t += `key${i}: value-${i}\n`;
  return t;
}

async function fastest(work: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('a Chart.yaml of 20,000 keys is read in about 40 times the time of one of 500', async () => {
  const small = chartYaml(500);
  const large = chartYaml(20_000);
  const read = (text: string) => () => readLocalChart({ chartPath: 'app', readFile: () => text });
  await read(small)(); // warm up
  const ratio = (await fastest(read(large))) / (await fastest(read(small)));
  assert.ok(ratio < 150, `40 times the keys took ${ratio.toFixed(1)} times as long`);
  const r = await readLocalChart({ chartPath: 'app', readFile: () => large });
  assert.deepEqual(r, { ok: true, name: 'app', version: '1.0.0', appVersion: '2.0', apiVersion: 'v2', chartYamlPath: 'app/Chart.yaml' });
});

test('a document pasted after the chart metadata is not read: 20,000 keys there cost less than a Chart.yaml of 500', async () => {
  const values = Array.from({ length: 20_000 }, (_, i) => `    key${i}: value-${i}\n`).join('');
  const grown = `${chartYaml(0)}---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: huge\nspec:\n  values:\n${values}`;
  const small = chartYaml(500);
  const read = (text: string) => () => readLocalChart({ chartPath: 'app', readFile: () => text });
  await read(small)(); // warm up
  const ratio = (await fastest(read(grown))) / (await fastest(read(small)));
  assert.ok(ratio < 2, `the grown Chart.yaml took ${ratio.toFixed(1)} times as long`);
  const r = await readLocalChart({ chartPath: 'app', readFile: () => grown });
  assert.deepEqual(r, { ok: false, reason: 'malformed', message: 'Chart.yaml is not valid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()', chartYamlPath: 'app/Chart.yaml' });
});

test("readPlainValue answers what the library's parse answers", () => {
  const cases = [
    'a: 1\na: 2\n',
    'a:\n  b: 1\n  b: 1\n',
    'b: 1\nb: 2\nc: [1\n',
    'a: [1\nb: 1\nb: 2\n',
    '1: a\n"1": b\n',
    '.nan: 1\n.nan: 2\n',
    'base: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n',
    '? [a]\n: 1\n? [a]\n: 2\n',
    'a: 1\n---\nb: 2\n',
    'a: 1\n---\n',
    'a: 1\n...\n# end\n',
    'a: 1\n...\n%YAML 1.2\n---\nb: 1\n',
    'a: [1\n---\nb: 1\nb: 2\n',
    'a: 1\na: 2\n---\nb: [\n',
    '--- |\n  text\n--- x\n',
    '---\n---\n',
    'name: x\nversion: 1.0\n',
    'a: &a [1, 2]\nb: *a\n',
    'a: 1\n\ta: 2\n',
    '',
    `a: &a [x, x, x, x]\nb: &b [${Array(9).fill('*a').join(', ')}]\nc: &c [${Array(9).fill('*b').join(', ')}]\nd: [${Array(9).fill('*c').join(', ')}]\n`,
    chartYaml(50),
  ];
  for (const options of [{}, { schema: 'failsafe', maxAliasCount: 100, merge: true }] as const) {
    for (const text of cases) {
      let expected: unknown;
      try {
        expected = { ok: true, value: parse(text, { ...options, prettyErrors: false, logLevel: 'error' }) };
      } catch (e) {
        expected = { ok: false, message: (e as Error).message };
      }
      assert.deepEqual(readPlainValue(text, options), expected, JSON.stringify(text));
    }
  }
});
