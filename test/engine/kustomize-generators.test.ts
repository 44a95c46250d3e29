// Algorithm test of engine/kustomize (configMap/secret generators): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * configMapGenerator / secretGenerator: data sources, options, behaviors
 * and hash suffixes, with diagnostics on the generator entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHost } from '../support/memory-host.ts';
import { buildKustomization } from '../../engine/kustomize/index.ts';

type Obj = { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string>; type?: string; immutable?: boolean };
const objs = (files: Record<string, string>, env: Record<string, string> = {}) => {
  const b = buildKustomization(memoryHost(files, env), '/ws');
  return { b, list: b.resources.map((r) => r.object as unknown as Obj) };
};

test('literals, files (with key=path) and env files', () => {
  const { b, list } = objs(
    {
      '/ws/kustomization.yaml': `configMapGenerator:
  - name: cfg
    literals: ['A=1', 'Q="quoted"', "S='single'", 'HALF="half', 'EQ=a=b']
    files: [conf/app.properties, renamed=conf/other.txt]
    envs: [.env]
`,
      '/ws/conf/app.properties': 'x=1\n',
      '/ws/conf/other.txt': 'other',
      '/ws/.env': '# comment\n\n  LEADING=spaces\nQUOTED="kept"\nFROM_HOST\nEMPTY=\n',
    },
    { FROM_HOST: 'host-value' },
  );
  assert.deepEqual(b.diagnostics, []);
  assert.equal(list.length, 1);
  assert.match(list[0].metadata.name, /^cfg-[a-z0-9]{10}$/);
  assert.deepEqual(list[0].data, { A: '1', Q: 'quoted', S: 'single', HALF: '"half', EQ: 'a=b', 'app.properties': 'x=1\n', renamed: 'other', LEADING: 'spaces', QUOTED: '"kept"', FROM_HOST: 'host-value', EMPTY: '' });
  assert.equal(b.resources[0].origin.type, 'generator');
  assert.equal(b.resources[0].origin.file, '/ws/kustomization.yaml');
});

test('the hash changes with the data and not with the name', () => {
  const one = objs({ '/ws/kustomization.yaml': 'configMapGenerator:\n  - name: a\n    literals: [k=1]\n' }).list[0].metadata.name;
  const two = objs({ '/ws/kustomization.yaml': 'configMapGenerator:\n  - name: b\n    literals: [k=1]\n' }).list[0].metadata.name;
  const three = objs({ '/ws/kustomization.yaml': 'configMapGenerator:\n  - name: a\n    literals: [k=2]\n' }).list[0].metadata.name;
  assert.equal(one.slice(2), two.slice(2));
  assert.notEqual(one, three);
  assert.equal(one, 'a-h29d89cmmt'.replace('h29d89cmmt', one.slice(2)));
});

test('secrets: base64 data wrapped at 70 characters, type, options and generatorOptions', () => {
  const long = 'x'.repeat(60);
  const { b, list } = objs({
    '/ws/kustomization.yaml': `generatorOptions:
  labels: {from: global, both: global}
  annotations: {note: global}
secretGenerator:
  - name: tls
    type: kubernetes.io/tls
    literals: [short=abc, long=${long}]
    options:
      labels: {both: local}
      disableNameSuffixHash: true
      immutable: true
`,
  });
  assert.deepEqual(b.diagnostics, []);
  const s = list[0];
  assert.equal(s.metadata.name, 'tls');
  assert.equal(s.type, 'kubernetes.io/tls');
  assert.equal(s.immutable, true);
  assert.deepEqual(s.metadata.labels, { from: 'global', both: 'local' });
  assert.deepEqual(s.metadata.annotations, { note: 'global' });
  assert.equal(s.data!.short, 'YWJj');
  const enc = Buffer.from(long).toString('base64');
  assert.equal(s.data!.long, `${enc.slice(0, 70)}\n${enc.slice(70)}\n`);
});

test('behavior merge and replace act on a base generator; create on an existing name is an error', () => {
  const files = {
    '/ws/base/kustomization.yaml': 'namePrefix: b-\nconfigMapGenerator:\n  - name: m\n    literals: [a=1, b=1]\n    options:\n      labels: {base: "yes"}\n  - name: r\n    literals: [a=1]\n',
    '/ws/kustomization.yaml': 'resources: [base]\nconfigMapGenerator:\n  - name: m\n    behavior: merge\n    literals: [b=2, c=3]\n  - name: r\n    behavior: replace\n    literals: [z=9]\n  - name: m\n  - name: nothing\n    behavior: merge\n',
  };
  const { b, list } = objs(files);
  const m = list.find((o) => o.metadata.name.startsWith('b-m-'))!;
  const r = list.find((o) => o.metadata.name.startsWith('b-r-'))!;
  assert.deepEqual(m.data, { a: '1', b: '2', c: '3' });
  assert.deepEqual(m.metadata.labels, { base: 'yes' });
  assert.deepEqual(r.data, { z: '9' });
  const errors = b.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.path), [['configMapGenerator', 2], ['configMapGenerator', 3]]);
  assert.match(errors[0].message, /already exists/);
  assert.match(errors[1].message, /no ConfigMap/);
});

test('the hash suffix is kept only when both the base and the merging generator want it', () => {
  const build = (baseOpt: string, overlayOpt: string) =>
    objs({
      '/ws/base/kustomization.yaml': `configMapGenerator:\n  - name: m\n    literals: [a=1]\n${baseOpt}`,
      '/ws/kustomization.yaml': `resources: [base]\nconfigMapGenerator:\n  - name: m\n    behavior: merge\n    literals: [b=2]\n${overlayOpt}`,
    }).list[0].metadata.name;
  const off = '    options:\n      disableNameSuffixHash: true\n';
  assert.match(build('', ''), /^m-[a-z0-9]{10}$/);
  assert.equal(build(off, ''), 'm');
  assert.equal(build('', off), 'm');
});

test('bad generator entries are diagnostics on the entry', () => {
  const { b, list } = objs({
    '/ws/kustomization.yaml': `configMapGenerator:
  - name: a
    literals: [novalue]
  - name: b
    files: [missing.txt]
  - name: c
    literals: [k=1, k=2]
  - name: d
    literals:
      - values.yaml=replicaCount: 2
  - literals: [x=1]
  - name: e
    literals: ['bad key=1']
`,
  });
  assert.deepEqual(list, []);
  assert.deepEqual(
    b.diagnostics.map((d) => d.path),
    [['configMapGenerator', 0, 'literals', 0], ['configMapGenerator', 1, 'files', 0], ['configMapGenerator', 2, 'literals', 1], ['configMapGenerator', 3, 'literals', 0], ['configMapGenerator', 4], ['configMapGenerator', 5, 'literals', 0]],
  );
  assert.ok(b.diagnostics.every((d) => d.severity === 'error' && d.file === '/ws/kustomization.yaml' && d.end > d.start));
});

test('merging into a typed Secret without repeating the type warns: kustomize resets it to Opaque', () => {
  const { b, list } = objs({
    '/ws/base/kustomization.yaml': 'secretGenerator:\n  - name: s\n    type: kubernetes.io/tls\n    literals: [tls.crt=a, tls.key=b]\n',
    '/ws/kustomization.yaml': 'resources: [base]\nsecretGenerator:\n  - name: s\n    behavior: merge\n    literals: [ca.crt=c]\n',
  });
  assert.equal(list[0].type, 'Opaque');
  assert.equal(list[0].metadata.name, 's-th72gmm4t6');
  assert.deepEqual(b.diagnostics.map((d) => [d.severity, d.code, d.path]), [['warning', 'kustomize-secret-type', ['secretGenerator', 0]]]);
});

test('a ConfigMap value that starts with a tab and has several lines is an error, like in kustomize', () => {
  const { b, list } = objs({
    '/ws/kustomization.yaml': 'configMapGenerator:\n  - name: c\n    files: [tabbed.conf, ok.conf]\n',
    '/ws/tabbed.conf': '\tlisten 80;\n',
    '/ws/ok.conf': 'server {\n\tlisten 80;\n}\n',
  });
  assert.deepEqual(list, []);
  assert.deepEqual(b.diagnostics.map((d) => d.path), [['configMapGenerator', 0, 'files', 0]]);
});

test('a generator file that is not UTF-8 goes to binaryData; an https:// file is not evaluated, not missing', () => {
  const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
  const host = memoryHost({
    '/ws/kustomization.yaml': 'configMapGenerator:\n  - name: assets\n    options:\n      disableNameSuffixHash: true\n    files:\n      - blob.bin\n      - https://example.com/remote.txt\n      - note.txt\n',
    '/ws/note.txt': 'hello ${name}\n',
    '/ws/blob.bin': 'unused: the bytes are read',
  });
  const withBinary = { ...host, readBinary: (p: string) => (p === '/ws/blob.bin' ? bytes : host.files[p] === undefined ? undefined : new TextEncoder().encode(host.files[p])) };
  const b = buildKustomization(withBinary, '/ws');
  assert.deepEqual(b.resources.map((r) => r.object), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'assets' }, data: { 'note.txt': 'hello ${name}\n' }, binaryData: { 'blob.bin': '//4AQQ==' } }]);
  const infos = b.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`);
  assert.deepEqual(infos, ['info kustomize-not-evaluated: not evaluated by fluxhelm: https://example.com/remote.txt is fetched by kustomize at build time; key "remote.txt" is left out here']);
});
