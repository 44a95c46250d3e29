/**
 * Inputs an editor produces while someone types badly or pastes huge
 * files: a values block with tens of thousands of keys (the duplicate-key
 * check must stay linear), lone carriage returns (LSP counts them as line
 * breaks, so every later position depends on it), and positions that are
 * not positions at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// LineIndex stays imported: the lone-\r and odd-position tests below are algorithm tests of engine/yaml/lines.ts.
import { LineIndex } from '../../engine/yaml/lines.ts';
import { createLanguageService, emptyHost, type Position } from '../../engine/index.ts';
// The kustomize build reads resource files with its own parse (engine/kustomize/source.ts): tested through its module.
import { buildKustomization } from '../../engine/kustomize/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const parser = createLanguageService(emptyHost);
const parse = (uri: string, text: string) => parser.parse(uri, text);

test('a 100,000-key map is checked for duplicate keys in linear time, and the repeated keys are found', () => {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', 'data:'];
  for (let i = 0; i < 100_000; i++) lines.push(`  k${i}: "${i}"`);
  lines.push('  k17: again', '  k99999: again');
  const text = `${lines.join('\n')}\n`;
  const t0 = performance.now();
  const file = parse('file:///ws/big.yaml', text);
  const ms = performance.now() - t0;
  const dups = file.docs[0].syntax.filter((d) => d.code === 'duplicate-key');
  assert.deepEqual(dups.map((d) => text.slice(d.start, d.end)), ['k17', 'k99999']);
  // The quadratic check took minutes here; a linear one is a parse (about a second on a slow machine).
  assert.ok(ms < 15_000, `parse took ${Math.round(ms)} ms`);
});

test('duplicate keys are found in nested and flow maps, not across maps or for merge keys', () => {
  const text = 'a: 1\nb:\n  a: 1\n  c: {x: 1, x: 2}\n<<: {m: 1}\n<<: {n: 1}\nlist:\n  - a: 1\n  - a: 2\n"a": 3\n';
  const dups = parse('file:///ws/d.yaml', text).docs[0].syntax.filter((d) => d.code === 'duplicate-key');
  assert.deepEqual(dups.map((d) => [new LineIndex(text).positionAt(d.start).line, text.slice(d.start, d.end)]), [[3, 'x'], [9, '"a"']]);
});

test('a lone \\r is a line break, as in LSP: positions after it are on the next line', () => {
  const text = 'a: 1\rb: 2\r\nc: 3\nd: 4';
  const li = new LineIndex(text);
  assert.equal(li.lineCount, 4);
  assert.deepEqual(li.positionAt(text.indexOf('b')), { line: 1, character: 0 });
  assert.deepEqual(li.positionAt(text.indexOf('c')), { line: 2, character: 0 });
  assert.deepEqual(li.positionAt(text.indexOf('d')), { line: 3, character: 0 });
  assert.deepEqual([0, 1, 2, 3].map((l) => li.lineText(l)), ['a: 1', 'b: 2', 'c: 3', 'd: 4']);
  // A character past the end of a line means the end of that line, before its line break.
  assert.equal(li.offsetAt({ line: 1, character: 99 }), text.indexOf('\r\n'));
  assert.equal(li.offsetAt({ line: 0, character: 99 }), text.indexOf('\r'));
});

test('offsetAt and positionAt never throw and stay inside the text for any input', () => {
  const li = new LineIndex('x: 1\ny: 2\n');
  const odd = [undefined, null, {}, { line: -5, character: 3 }, { line: 1e9, character: 1e9 }, { line: NaN, character: Infinity }, { line: '1', character: '2' }, { line: 1.7, character: 0.2 }] as unknown as Position[];
  for (const p of odd) {
    const o = li.offsetAt(p);
    assert.ok(Number.isInteger(o) && o >= 0 && o <= li.text.length, `offsetAt(${JSON.stringify(p)}) = ${o}`);
  }
  for (const o of [NaN, -1, 1e12, 2.5, Infinity]) {
    const p = li.positionAt(o);
    assert.ok(p.line >= 0 && p.line < li.lineCount && p.character >= 0, `positionAt(${o}) = ${JSON.stringify(p)}`);
  }
});

test('an offset between the \\r and \\n of a line break is the end of its line', () => {
  const li = new LineIndex('ab\r\ncd');
  assert.deepEqual(li.positionAt(3), { line: 0, character: 2 });
  assert.deepEqual(li.positionAt(4), { line: 1, character: 0 });
});

test('validating a kustomization.yaml of unknown keys grows linearly with the keys; the first 100 are listed and the last counts the rest', () => {
  const service = createLanguageService(emptyHost);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const run = (n: number) => {
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization'];
    for (let i = 0; i < n; i++) lines.push(`key${i}: value-${i}`);
    const file = service.parse(`file:///ws/${n}/kustomization.yaml`, `${lines.join('\n')}\n`);
    const t0 = cpuMs();
    const unknown = service.doValidation(file).filter((d) => d.code === 'unknown-field');
    const ms = cpuMs() - t0;
    assert.equal(unknown.length, 100);
    assert.deepEqual(unknown[99].range.start, { line: 101, character: 0 });
    assert.match(unknown[99].message, new RegExp(`^unknown field \`key99\`.* \\(and ${n - 100} more like this in this document, not listed\\)$`));
    return ms;
  };
  run(500); // warm-up
  const small = run(4_000);
  const large = run(16_000);
  // Four times the keys: about four times the CPU time when each key is found directly (3.6-4 here),
  // about nine when every lookup scans the whole map (17,000 keys took 30 s that way).
  assert.ok(large / small < 6, `4,000 keys ${Math.round(small)} ms, 16,000 keys ${Math.round(large)} ms`);
});

test('a mapping key that is a long collection (typing broke a values block) is a finding, not a value; a short one is read', () => {
  // The YAML library writes a collection key out as text for the value: 3.1 s for a fuzzed 17 KB key, blocking the server.
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: keys', 'data:'];
  for (let i = 0; i < 3000; i++) lines.push(i === 1500 ? ' -    broken: line' : `    key${i}: value-${i}`);
  const broken = parse('file:///ws/keys.yaml', `${lines.join('\n')}\n`);
  assert.equal(broken.docs[0].value(), undefined);
  const said = parser.diagnostics(broken).filter((d) => /mapping key/.test(d.message));
  assert.deepEqual(said.map((d) => [d.code, d.message]), [['yaml-syntax', 'A mapping key is a collection of 35994 characters (Kubernetes objects have only string keys), so its content is not checked']]);
  const short = parse('file:///ws/short.yaml', '? [a, b]\n: c\nd: e\n');
  assert.deepEqual(Object.keys(short.docs[0].value() as object).length, 2);
  assert.deepEqual(parser.diagnostics(short).filter((d) => /mapping key/.test(d.message)), []);
});

test('a kustomize build reading a file with a long collection key reports it on that file instead of reading it', () => {
  const key = Array.from({ length: 200 }, (_, i) => `  - k${i}: v${i}`).join('\n');
  const host = memoryHost({
    '/ws/kustomization.yaml': 'resources:\n  - cm.yaml\n',
    '/ws/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  ? \n${key.replace(/^/gm, '  ')}\n  : x\n`,
  });
  const built = buildKustomization(host, '/ws');
  assert.deepEqual(built.resources, []);
  assert.deepEqual(built.diagnostics.map((d) => [d.file, d.code, d.message]), [['/ws/cm.yaml', 'kustomize-yaml', 'A mapping key is a collection of 3176 characters (Kubernetes objects have only string keys)']]);
});
