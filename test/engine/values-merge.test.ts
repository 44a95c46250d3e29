// Algorithm test of engine/values/merge.ts (values tree merging): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Flux's user values: MergeMaps, valuesFrom order, inline precedence,
 * optional references, Secret decoding, targetPath, error values, and the
 * YAML 1.1 reading of values text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeMaps, chartValuesFromReferences, loadValues, type ValuesObject, type ValuesReference } from '../../engine/values/merge.ts';
import { readValues } from '../../engine/values/yaml.ts';
import { fromPlain, toPlain, Leaf, type NodeMap } from '../../engine/values/tree.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function run(objects: Record<string, ValuesObject>, valuesFrom: ValuesReference[], values?: unknown) {
  return chartValuesFromReferences({ namespace: 'apps', valuesFrom, values, lookup: (kind, ns, name) => (ns === 'apps' ? objects[`${kind}/${name}`] : undefined) });
}

test('mergeMaps: maps merge recursively, anything else in the overlay replaces', () => {
  const a = fromPlain({ m: { x: 1, y: { z: 1 } }, list: [1, 2], s: 'a', n: 1, keep: true }) as NodeMap;
  const b = fromPlain({ m: { y: { w: 2 } }, list: [3], s: { now: 'map' }, n: null }) as NodeMap;
  assert.deepEqual(toPlain(mergeMaps(a, b)), { m: { x: 1, y: { z: 1, w: 2 } }, list: [3], s: { now: 'map' }, n: null, keep: true });
  assert.deepEqual(toPlain(a), { m: { x: 1, y: { z: 1 } }, list: [1, 2], s: 'a', n: 1, keep: true }, 'inputs are not changed');
});

test('valuesFrom entries merge in order and inline values win over all of them', () => {
  const r = run(
    {
      'ConfigMap/base': { data: { 'values.yaml': 'replicas: 1\nimage: {repo: app, tag: "1.0"}\nonlyBase: yes\n' } },
      'Secret/creds': { data: { 'values.yaml': b64('image: {tag: "2.0"}\npassword: hunter2\n') } },
    },
    [
      { kind: 'ConfigMap', name: 'base' },
      { kind: 'Secret', name: 'creds' },
    ],
    { replicas: 3, image: { pullPolicy: 'Always' } },
  );
  assert.ok(r.ok);
  assert.deepEqual(toPlain(r.values), { replicas: 3, image: { repo: 'app', tag: '2.0', pullPolicy: 'Always' }, onlyBase: true, password: 'hunter2' });
  const pw = r.values.password as Leaf;
  assert.deepEqual(pw.source, { kind: 'values-from', index: 1, sourceKind: 'Secret', name: 'creds', key: 'values.yaml', secret: true });
  assert.deepEqual((r.values.replicas as Leaf).source, { kind: 'inline' });
});

test('valuesKey, Secret stringData and ConfigMap binaryData', () => {
  const r = run(
    {
      'Secret/s': { stringData: { 'custom.yaml': 'a: from-stringData' }, data: { 'custom.yaml': b64('a: from-data') } },
      'ConfigMap/c': { binaryData: { 'values.yaml': b64('b: 1') } },
    },
    [{ kind: 'Secret', name: 's', valuesKey: 'custom.yaml' }],
  );
  assert.ok(r.ok);
  assert.deepEqual(toPlain(r.values), { a: 'from-stringData' });
  const bin = run({ 'ConfigMap/c': { binaryData: { 'values.yaml': b64('b: 1') } } }, [{ kind: 'ConfigMap', name: 'c' }]);
  assert.equal(bin.ok, false, 'binaryData is not read');
  if (!bin.ok) assert.equal(bin.error.reason, 'key-not-found');
});

test('optional skips a missing object or key; otherwise the error names the entry', () => {
  const objects = { 'ConfigMap/present': { data: { other: 'x: 1' } } };
  const ok = run(objects, [
    { kind: 'ConfigMap', name: 'absent', optional: true },
    { kind: 'ConfigMap', name: 'present', optional: true },
  ]);
  assert.ok(ok.ok);
  assert.deepEqual(toPlain(ok.values), {});
  assert.deepEqual(
    ok.skipped.map((s) => [s.index, s.reason]),
    [
      [0, 'not-found'],
      [1, 'key-not-found'],
    ],
  );

  const missing = run(objects, [{ kind: 'ConfigMap', name: 'present' }, { kind: 'Secret', name: 'absent' }]);
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.equal(missing.error.index, 0);
    assert.equal(missing.error.message, "valuesFrom[0]: could not resolve ConfigMap chart values reference 'apps/present' with key 'values.yaml': key not found");
  }
  const secret = run(objects, [{ kind: 'Secret', name: 'absent', valuesKey: 'v.yaml' }]);
  assert.ok(!secret.ok && secret.error.message === "valuesFrom[0]: could not resolve Secret chart values reference 'apps/absent' with key 'v.yaml': resource not found");
  const kind = run(objects, [{ kind: 'Bucket', name: 'x' }]);
  assert.ok(!kind.ok && kind.error.reason === 'unsupported-kind');
  const bad64 = run({ 'Secret/s': { data: { 'values.yaml': 'not base64!' } } }, [{ kind: 'Secret', name: 's' }]);
  assert.ok(!bad64.ok && bad64.error.reason === 'invalid-data');
  const badYaml = run({ 'ConfigMap/c': { data: { 'values.yaml': '- a list' } } }, [{ kind: 'ConfigMap', name: 'c' }]);
  assert.ok(!badYaml.ok && badYaml.error.reason === 'read-failed');
});

test('targetPath sets text at a path with --set typing; quotes force a string', () => {
  const r = run(
    {
      'Secret/token': { data: { token: b64('s3cr3t'), port: b64('8080'), quoted: b64('"8080"'), flag: b64('TRUE') } },
    },
    [
      { kind: 'Secret', name: 'token', valuesKey: 'token', targetPath: 'auth.token' },
      { kind: 'Secret', name: 'token', valuesKey: 'port', targetPath: 'service.ports[0].port' },
      { kind: 'Secret', name: 'token', valuesKey: 'quoted', targetPath: 'service.name' },
      { kind: 'Secret', name: 'token', valuesKey: 'flag', targetPath: 'enabled' },
    ],
  );
  assert.ok(r.ok);
  assert.deepEqual(toPlain(r.values), { auth: { token: 's3cr3t' }, service: { ports: [{ port: 8080 }], name: '8080' }, enabled: true });
  const bad = run({ 'ConfigMap/c': { data: { v: 'x' } } }, [
    { kind: 'ConfigMap', name: 'c', valuesKey: 'v', targetPath: 'a' },
    { kind: 'ConfigMap', name: 'c', valuesKey: 'v', targetPath: 'a.b' },
  ]);
  assert.ok(!bad.ok && bad.error.reason === 'merge-failed' && bad.error.index === 1, 'a.b cannot go below the string a');
});

test('targetPath against inline values at the same path: Flux shares maps, so the winner depends on them', () => {
  // No earlier layer has `app`: Flux's merged result shares inline's `app` map and the --set parser
  // writes into it, so the targetPath value survives the final inline merge.
  const shared = run({ 'ConfigMap/c': { data: { v: 'from-ref' } } }, [{ kind: 'ConfigMap', name: 'c', valuesKey: 'v', targetPath: 'app.name' }], { app: { name: 'inline' } });
  assert.ok(shared.ok);
  assert.deepEqual(toPlain(shared.values), { app: { name: 'from-ref' } });
  // An earlier entry also has `app`: the maps are merged into a new one, so inline wins.
  const merged = run(
    { 'ConfigMap/c': { data: { v: 'from-ref', 'values.yaml': 'app: {x: 1}' } } },
    [
      { kind: 'ConfigMap', name: 'c' },
      { kind: 'ConfigMap', name: 'c', valuesKey: 'v', targetPath: 'app.name' },
    ],
    { app: { name: 'inline' } },
  );
  assert.ok(merged.ok);
  assert.deepEqual(toPlain(merged.values), { app: { x: 1, name: 'inline' } });
  // A top-level targetPath never beats inline.
  const top = run({ 'ConfigMap/c': { data: { v: 'from-ref' } } }, [{ kind: 'ConfigMap', name: 'c', valuesKey: 'v', targetPath: 'name' }], { name: 'inline' });
  assert.ok(top.ok);
  assert.deepEqual(toPlain(top.values), { name: 'inline' });
});

test('values YAML is read with YAML 1.1 rules like Kubernetes and Helm', () => {
  const r = readValues(
    [
      'yes_: yes',
      'on_: On',
      'n_: n',
      'tilde: ~',
      'empty:',
      'oct: 0755',
      'oct2: 0o17',
      'hex: 0x1F',
      'bin: 0b101',
      'under: 1_000',
      'float: 1e3',
      'dot: .5',
      'eight: 08',
      'time: 2001-12-14',
      'sexa: 1:20',
      'quoted: "yes"',
      'yes: key-becomes-true',
      '0x10: hex-key',
      'str: !!str 12',
      'base: &b {p: 1, q: 2}',
      'merged: {<<: *b, q: 3}',
      'y: plain-y-key',
    ].join('\n'),
  );
  assert.ok(r.ok);
  assert.deepEqual(toPlain(r.value), {
    yes_: true,
    on_: true,
    n_: false,
    tilde: null,
    empty: null,
    oct: 493,
    oct2: 15,
    hex: 31,
    bin: 5,
    under: 1000,
    float: 1000,
    dot: 0.5,
    eight: 8,
    time: '2001-12-14',
    sexa: '1:20',
    quoted: 'yes',
    true: 'plain-y-key', // `yes:` and `y:` are both the key "true"; the last wins
    '16': 'hex-key',
    str: '12',
    base: { p: 1, q: 2 },
    merged: { p: 1, q: 3 },
  });
  assert.equal(readValues('a: .inf').ok, false, 'JSON cannot hold infinity');
  assert.equal(readValues('~: 1').ok, false, 'a null key is rejected');
  assert.deepEqual(readValues('').ok && toPlain((readValues('') as { value: NodeMap }).value), {});
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
  const big = readValues(bomb.join('\n'));
  assert.equal(big.ok, false, 'alias expansion is bounded');
});

test('loadValues merges every document (chart values.yaml in Helm v4); readValues reads the first', () => {
  const text = 'a: 1\nm: {p: 1}\n---\na: 2\nm: {q: 2}\n--- # comment\n';
  const all = loadValues(text);
  assert.ok(all.ok);
  assert.deepEqual(toPlain(all.value), { a: 2, m: { p: 1, q: 2 } });
  const first = readValues(text);
  assert.ok(first.ok);
  assert.deepEqual(toPlain(first.value), { a: 1, m: { p: 1 } });
});
