// Algorithm test of engine/kustomize/hash.ts (generator name suffixes): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Name suffix hashes: Go-compatible JSON encoding and the hash values
 * kustomize v5.6 printed for the same objects (reference values taken from
 * `kubectl kustomize` runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, encodeHash, resourceHash } from '../../engine/kustomize/hash.ts';

test('goJson sorts keys and escapes like Go encoding/json', () => {
  assert.equal(goJson({ b: 1, a: 'x', c: [true, null] }), '{"a":"x","b":1,"c":[true,null]}');
  assert.equal(goJson('<a & b>'), '"\\u003ca \\u0026 b\\u003e"');
  assert.equal(goJson('line\nquote" back\\ tab\t'), '"line\\nquote\\" back\\\\ tab\\t"');
  assert.equal(goJson('\u0001\u2028'), '"\\u0001\\u2028"');
  assert.equal(goJson('héllo ✓'), '"héllo ✓"');
  assert.equal(goJson({ Z: 1, a: 2, _: 3 }), '{"Z":1,"_":3,"a":2}');
});

test('encodeHash takes 10 hex digits and replaces 0 1 3 a e', () => {
  const h = encodeHash('anything');
  assert.equal(h.length, 10);
  assert.doesNotMatch(h, /[013ae]/);
});

test('ConfigMap hashes equal kustomize v5.6 output', () => {
  assert.equal(resourceHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }), 'h29d89cmmt');
  // The name does not take part (kustomize's lookup of metadata/name finds nothing).
  assert.equal(resourceHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p-cfg', namespace: 'x', labels: { a: 'b' } }, data: { a: '1' } }), 'h29d89cmmt');
  assert.equal(resourceHash({ kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: '<&>' } }), 'f986b78m9b');
  assert.equal(resourceHash({ kind: 'ConfigMap', metadata: { name: 'empty' } }), '6ct58987ht');
  // U+2028 and HTML characters are escaped by Go before hashing.
  assert.equal(resourceHash({ kind: 'ConfigMap', metadata: { name: 'config' }, data: { '_-00I-': "<\u2028&a\\&'✓>" } }), '2c9gg26m28');
  assert.equal(resourceHash({ kind: 'Secret', type: 'Opaque', metadata: { name: 'secret' }, data: { '_-00I-': 'POKAqCZhXCYn4pyTPg==' } }), '95c4dbb2c4');
});

test('Secret hashes include the type', () => {
  const opaque = resourceHash({ kind: 'Secret', type: 'Opaque', metadata: { name: 's' }, data: { pw2: 'b3RoZXI=' } });
  const tls = resourceHash({ kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 's' }, data: { pw2: 'b3RoZXI=' } });
  assert.notEqual(opaque, tls);
  assert.equal(opaque, '697f96hg44');
  assert.equal(opaque, encodeHash('{"data":{"pw2":"b3RoZXI="},"kind":"Secret","name":"","type":"Opaque"}'));
});
