// Algorithm test of engine/flux/envsubst.ts (Flux postBuild variable substitution): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Flux postBuild substitution, table-driven from the rules of the library
 * kustomize-controller uses (drone/envsubst) and Flux's documentation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substitute, VARIABLE_NAME } from '../../engine/flux/envsubst.ts';

const vars = { cluster_env: 'prod', region: 'eu-west-1', empty: '', name: 'Podinfo', 'with-dash': 'dash', path: 'a/b/c.tar.gz' };

const cases: [string, string][] = [
  ['env: ${cluster_env}', 'env: prod'],
  ['${missing}', ''],
  ['${missing:=staging}', 'staging'],
  ['${missing:-staging}', 'staging'],
  ['${missing=staging}', 'staging'],
  ['${cluster_env:=staging}', 'prod'],
  ['${empty:=fallback}', 'fallback'],
  ['${empty:-fallback}', 'fallback'],
  ['${empty:+alt}', 'alt'],
  ['${missing:=${region}}', 'eu-west-1'],
  ['$cluster_env stays', '$cluster_env stays'],
  ['$${cluster_env} is escaped', '${cluster_env} is escaped'],
  ['price: $5', 'price: $5'],
  ['${with-dash}', 'dash'],
  ['${name^^} ${name,,} ${name,}', 'PODINFO podinfo podinfo'],
  ['${region:3}', 'west-1'],
  ['${region:0:2}', 'eu'],
  ['${region:-3}', 'eu-west-1'],
  ['${#region}', '9'],
  ['${path#*/}', 'b/c.tar.gz'],
  // Go's path.Match: `*` never crosses `/`, so `##*/` trims one segment (unlike bash).
  ['${path##*/}', 'b/c.tar.gz'],
  ['${path%.*}', 'a/b/c.tar'],
  ['${path%%.*}', 'a/b/c'],
  ['${region/-/_}', 'eu_west-1'],
  ['${region//-/_}', 'eu_west_1'],
  ['${region/#eu/us}', 'us-west-1'],
  ['${region/%1/2}', 'eu-west-2'],
  ['a: ${cluster_env}-${region}\nb: "${missing:=x y}"', 'a: prod-eu-west-1\nb: "x y"'],
];

for (const [input, expected] of cases) {
  test(`substitute ${JSON.stringify(input)}`, () => {
    const r = substitute(input, vars);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.text, expected);
  });
}

test('a malformed expression is an error, not a throw', () => {
  for (const bad of ['${}', '${cluster_env', '${cluster env}', '${region:=x']) {
    const r = substitute(bad, vars);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.error, /bad substitution/);
  }
});

test('uses report each variable, where it is, and whether it has a default', () => {
  const r = substitute('x: ${a}\ny: ${b:=1}', {});
  assert.ok(r.ok);
  assert.deepEqual(r.uses.map((u) => [u.name, u.start, u.end, u.hasDefault]), [['a', 3, 7, false], ['b', 11, 18, true]]);
});

test('variable names Flux accepts as substitute keys', () => {
  for (const ok of ['cluster_env', '_x', 'A1']) assert.ok(VARIABLE_NAME.test(ok), ok);
  for (const bad of ['1a', 'with-dash', 'a.b', 'é']) assert.ok(!VARIABLE_NAME.test(bad), bad);
});
