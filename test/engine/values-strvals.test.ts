// Algorithm test of engine/values/strvals.ts (Helm --set parsing): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Helm's `--set` language and Flux's valuesFrom `targetPath`: paths, escapes,
 * list indexes, type guessing, quoting, literal mode and error values.
 * Expected results follow the rules of helm pkg/strvals and fluxcd/pkg
 * chartutil ReplacePathValue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSet, parseSetInto, replacePathValue, guessType } from '../../engine/values/strvals.ts';
import { newMap, toPlain, fromPlain, type NodeMap, type PlainValue } from '../../engine/values/tree.ts';

const typed: [string, PlainValue][] = [
  ['a=b', { a: 'b' }],
  ['a.b.c=1', { a: { b: { c: 1 } } }],
  ['a\\.b=1', { 'a.b': 1 }],
  ['a\\=b=1', { 'a=b': 1 }],
  ['a=1,b=two', { a: 1, b: 'two' }],
  ['list[0]=x', { list: ['x'] }],
  ['list[2]=x', { list: [null, null, 'x'] }],
  ['list[1].name=n', { list: [null, { name: 'n' }] }],
  ['m[0][1]=v', { m: [[null, 'v']] }],
  ['a={x,y,3}', { a: ['x', 'y', 3] }],
  ['a={}', { a: [''] }],
  ['a=', { a: '' }],
  ['a=b=c', { a: 'b=c' }],
  ['a=x\\,y', { a: 'x,y' }],
  ['a= spaced ', { a: ' spaced ' }],
  ['.a=1', {}],
  ['=1', {}],
  ['a[1', {}],
];

test('typed --set lines build nested maps and lists', () => {
  for (const [line, want] of typed) {
    const r = parseSet(line);
    assert.ok(r.ok, `${line}: ${r.ok ? '' : r.error}`);
    assert.deepEqual(r.value, want, line);
  }
});

test('type guessing: booleans and null in any case, integers without a leading zero', () => {
  const cases: [string, PlainValue][] = [
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['falſe', false], // Go's EqualFold folds the long s to s
    ['null', null],
    ['NuLL', null],
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['+7', 7],
    ['-07', -7], // only a leading '0' character keeps a string
    ['007', '007'],
    ['0x10', '0x10'],
    ['1.5', '1.5'],
    ['1e3', '1e3'],
    ['9223372036854775807', 9223372036854775807],
    ['9223372036854775808', '9223372036854775808'],
    ['yes', 'yes'],
    ['', ''],
  ];
  for (const [text, want] of cases) assert.deepEqual(guessType(text), want, text);
});

test('string and literal modes keep text as strings', () => {
  assert.deepEqual(parseSet('a=true,b=007,c=null', 'string'), { ok: true, value: { a: 'true', b: '007', c: 'null' } });
  assert.deepEqual(parseSet('a={1,2}', 'string'), { ok: true, value: { a: ['1', '2'] } });
  // Literal: everything after the first '=' verbatim, no escapes in the path, no commas or lists.
  assert.deepEqual(parseSet('a.b=1,c={x},d=e\\n', 'literal'), { ok: true, value: { a: { b: '1,c={x},d=e\\n' } } });
  assert.deepEqual(parseSet('a[1]=true', 'literal'), { ok: true, value: { a: [null, 'true'] } });
});

test('malformed paths come back as error values', () => {
  const bad: [string, RegExp][] = [
    ['a', /key "a" has no value/],
    ['a,b=1', /key "a" has no value \(cannot end with ,\)/],
    ['a.=1', /key map "a" has no value/],
    ['name[-1]=x', /negative -1 index not allowed/],
    ['a[x]=1', /error parsing index: strconv.Atoi: parsing "x": invalid syntax/],
    ['a[0]x=1', /unexpected data at end of array index: "x"/],
    ['a[65537]=1', /greater than maximum supported index of 65536/],
    ['a={x,y', /list must terminate with '}'/],
    ['a=1,a.b=2', /unable to parse key: interface conversion: interface \{\} is int64, not map/],
    ['a.b=1,a[0]=2', /unable to parse key: .* not \[\]interface \{\}/],
    [Array.from({ length: 32 }, (_, i) => `k${i}`).join('.') + '=1', /nested level is greater than maximum supported nested level of 30/],
  ];
  for (const [line, re] of bad) {
    const r = parseSet(line);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.error, re, line);
  }
  // 30 dots are still fine.
  assert.ok(parseSet(Array.from({ length: 31 }, (_, i) => `k${i}`).join('.') + '=1').ok);
});

test('parseSetInto writes into existing maps and lists in place', () => {
  const dest = fromPlain({ a: { keep: 1 }, list: ['x', 'y', 'z'] }) as NodeMap;
  const inner = dest.a;
  const list = dest.list;
  assert.deepEqual(parseSetInto('a.b=2,list[1]=Y', dest), { ok: true });
  assert.deepEqual(toPlain(dest), { a: { keep: 1, b: 2 }, list: ['x', 'Y', 'z'] });
  assert.equal(dest.a, inner, 'the existing map is reused');
  assert.equal(dest.list, list, 'an index inside the list writes in place');
  assert.ok(parseSetInto('list[5]=w', dest).ok);
  assert.notEqual(dest.list, list, 'growing a list makes a new one');
  assert.deepEqual(toPlain(dest.list), ['x', 'Y', 'z', null, null, 'w']);
});

test('targetPath: quoted text is a string with the quotes removed; literal keeps text verbatim', () => {
  const cases: { value: string; literal?: boolean; want: PlainValue }[] = [
    { value: 'true', want: true },
    { value: '"true"', want: 'true' },
    { value: "'42'", want: '42' },
    { value: '"\'mixed\'"', want: 'mixed' }, // every leading/trailing quote character goes
    { value: '"', want: '' },
    { value: '"half', want: '"half' },
    { value: '42', want: 42 },
    { value: 'line1\nline2', want: 'line1\nline2' },
    { value: 'a,b=c', literal: true, want: 'a,b=c' },
    { value: '"quoted"', literal: true, want: '"quoted"' },
    { value: '{x,y}', literal: true, want: '{x,y}' },
  ];
  for (const c of cases) {
    const dest = newMap();
    const r = replacePathValue(dest, 'a.b', c.value, { literal: c.literal });
    assert.ok(r.ok, `${c.value}: ${r.ok ? '' : r.error}`);
    assert.deepEqual(toPlain(dest), { a: { b: c.want } }, JSON.stringify(c));
  }
  // Without literal, a comma in the text starts another `--set` assignment.
  const dest = newMap();
  const r = replacePathValue(dest, 'cfg', 'a=1, b');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /key " b" has no value/);
  const list = newMap();
  assert.ok(replacePathValue(list, 'servers[1].host', 'db').ok);
  assert.deepEqual(toPlain(list), { servers: [null, { host: 'db' }] });
});
