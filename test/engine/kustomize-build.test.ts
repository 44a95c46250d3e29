// Algorithm test of engine/kustomize (the kustomize build engine, called directly on folders): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * kustomize build: loading kustomization files, resources (files, folders,
 * lists, local config), components, ordering, and the diagnostics for
 * missing or unsupported input (in-memory host).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHost } from '../support/memory-host.ts';
import { buildKustomization, buildKustomizationSteps, type KustomizeBuild } from '../../engine/kustomize/index.ts';

const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const names = (b: KustomizeBuild) => b.resources.map((r) => `${r.object.kind}/${(r.object.metadata as { name: string }).name}`);
const codes = (b: KustomizeBuild) => b.diagnostics.map((d) => `${d.severity}:${d.code}`);

test('reads kustomization.yaml, kustomization.yml and Kustomization', () => {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const b = buildKustomization(memoryHost({ [`/ws/${name}`]: 'resources: [a.yaml]\n', '/ws/a.yaml': cm('a') }), '/ws');
    assert.deepEqual(names(b), ['ConfigMap/a'], name);
    assert.deepEqual(b.diagnostics, []);
  }
});

test('two kustomization files in one folder is an error', () => {
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: []\n', '/ws/Kustomization': 'resources: []\n' }), '/ws');
  assert.deepEqual(codes(b), ['error:kustomize-invalid']);
  assert.match(b.diagnostics[0].message, /more than one kustomization file/);
});

test('a folder without kustomization is reported', () => {
  const b = buildKustomization(memoryHost({ '/ws/a.yaml': cm('a') }), '/ws');
  assert.deepEqual(codes(b), ['error:kustomize-missing']);
  assert.equal(b.resources.length, 0);
});

test('multi-document files, nested folders, Lists and local config', () => {
  const host = memoryHost({
    '/ws/kustomization.yaml': 'resources:\n  - docs.yaml\n  - sub\n  - list.yaml\n',
    '/ws/docs.yaml': `# comment\n---\n${cm('one')}---\n# empty\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  annotations:\n    config.kubernetes.io/local-config: "true"\n`,
    '/ws/sub/kustomization.yaml': 'resources: [x.yaml]\nnamePrefix: sub-\n',
    '/ws/sub/x.yaml': cm('x'),
    '/ws/list.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: s\n',
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(names(b), ['ConfigMap/one', 'ConfigMap/sub-x', 'Secret/s']);
  assert.deepEqual(b.diagnostics, []);
  const one = b.resources[0];
  assert.equal(one.origin.file, '/ws/docs.yaml');
  assert.equal(one.origin.type, 'file');
  assert.equal(host.files['/ws/docs.yaml'].slice(one.origin.start, one.origin.end).trim(), cm('one').trim());
  assert.equal(b.resources[1].origin.file, '/ws/sub/x.yaml');
  assert.equal(b.resources[2].origin.listItem, 0);
});

test('a missing resource is an error on its entry', () => {
  const text = 'resources:\n  - a.yaml\n  - nope.yaml\n';
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': text, '/ws/a.yaml': cm('a') }), '/ws');
  assert.deepEqual(names(b), ['ConfigMap/a']);
  assert.equal(b.diagnostics.length, 1);
  const d = b.diagnostics[0];
  assert.equal(d.code, 'kustomize-missing');
  assert.equal(d.file, '/ws/kustomization.yaml');
  assert.deepEqual(d.path, ['resources', 1]);
  assert.equal(text.slice(d.start, d.end), 'nope.yaml');
});

test('remote resources and unsupported fields are reported as not evaluated and skipped', () => {
  const text = [
    'resources:',
    '  - a.yaml',
    '  - https://github.com/example/repo//deploy?ref=v1',
    '  - github.com/example/repo/base?ref=main',
    'images:',
    '  - name: nginx',
    '    newTag: "1.27"',
    'replicas:',
    '  - name: web',
    '    count: 2',
    'helmCharts: []',
    'replacements: []',
    '',
  ].join('\n');
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': text, '/ws/a.yaml': cm('a') }), '/ws');
  assert.deepEqual(names(b), ['ConfigMap/a']);
  const infos = b.diagnostics.filter((d) => d.severity === 'info').map((d) => d.message);
  assert.deepEqual(infos.sort(), [
    'not evaluated by fluxhelm: helmCharts',
    'not evaluated by fluxhelm: images',
    'not evaluated by fluxhelm: remote resource github.com/example/repo/base?ref=main',
    'not evaluated by fluxhelm: remote resource https://github.com/example/repo//deploy?ref=v1',
    'not evaluated by fluxhelm: replicas',
  ]);
  const images = b.diagnostics.find((d) => d.message.endsWith(': images'))!;
  assert.equal(text.slice(images.start, images.end), 'images');
  assert.equal(b.diagnostics.filter((d) => d.severity === 'error').length, 0);
});

test('unknown kustomization fields are errors (kustomize rejects the file)', () => {
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resource: [a.yaml]\n' }), '/ws');
  assert.deepEqual(codes(b), ['error:kustomize-unknown-field']);
});

test('cycles between folders are reported, not followed forever', () => {
  const b = buildKustomization(memoryHost({ '/ws/a/kustomization.yaml': 'resources: [../b]\n', '/ws/b/kustomization.yaml': 'resources: [../a]\n' }), '/ws/a');
  assert.ok(codes(b).includes('error:kustomize-cycle'));
});

test('components must be kind Component and bases must not be', () => {
  const host = memoryHost({
    '/ws/kustomization.yaml': 'resources: [comp]\ncomponents: [base]\n',
    '/ws/comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n',
    '/ws/base/kustomization.yaml': 'resources: []\n',
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(codes(b), ['error:kustomize-component', 'error:kustomize-component']);
});

test('components see the resources and generators of the kustomization that includes them', () => {
  const host = memoryHost({
    '/ws/kustomization.yaml': 'resources: [a.yaml]\nconfigMapGenerator:\n  - name: values\n    literals: [a=1]\ncomponents: [comp]\n',
    '/ws/a.yaml': cm('a', 'data:\n  k: v\n'),
    '/ws/comp/kustomization.yaml': 'kind: Component\nconfigMapGenerator:\n  - name: values\n    behavior: merge\n    literals: [b=2]\npatches:\n  - target: {name: a}\n    patch: |-\n      - op: add\n        path: /data/fromComponent\n        value: "yes"\n',
  });
  const b = buildKustomization(host, '/ws');
  assert.deepEqual(b.diagnostics, []);
  const values = b.resources.find((r) => (r.object.metadata as { name: string }).name.startsWith('values-'))!;
  assert.deepEqual(values.object.data, { a: '1', b: '2' });
  assert.equal(values.mergedFrom.length, 1);
  assert.equal(values.mergedFrom[0].file, '/ws/comp/kustomization.yaml');
  assert.deepEqual(b.resources.find((r) => (r.object.metadata as { name: string }).name === 'a')!.object.data, { k: 'v', fromComponent: 'yes' });
});

test('two resources with the same id are an error', () => {
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', '/ws/a.yaml': cm('same'), '/ws/b.yaml': cm('same', '  namespace: default\n') }), '/ws');
  assert.deepEqual(codes(b), ['error:kustomize-duplicate-id']);
  assert.equal(b.resources.length, 1);
});

test('documents without kind or name and broken YAML are diagnostics, not exceptions', () => {
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', '/ws/a.yaml': 'apiVersion: v1\nkind: ConfigMap\n', '/ws/b.yaml': 'a: [\n' }), '/ws');
  assert.deepEqual(b.resources, []);
  assert.ok(codes(b).includes('error:kustomize-resource'));
  assert.ok(codes(b).includes('error:kustomize-yaml'));
});

test('a broken resource document is one finding, at its first YAML error, as kustomize stops there (not one per error)', () => {
  // A document with thousands of YAML errors (a fuzz-broken flow collection), then an intact one.
  const broken = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n${'  x: [[[[}}}}\n  - ]]\n'.repeat(2000)}`;
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: [all.yaml]\n', '/ws/all.yaml': `${broken}---\n${cm('ok', 'data: {a: b}\n')}` }), '/ws');
  const found = b.diagnostics.filter((d) => d.code === 'kustomize-yaml');
  assert.equal(found.length, 1, `${found.length} findings`);
  assert.equal(found[0]!.file, '/ws/all.yaml');
  assert.ok(found[0]!.start < broken.indexOf('  - ]]'), 'at the first error');
  assert.deepEqual(names(b), ['ConfigMap/ok']);
});

test('output follows kustomize order: Namespace first, then kinds in its list, then the rest by group/version/kind, namespace, name', () => {
  const doc = (kind: string, apiVersion: string, name: string, ns?: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}---\n`;
  const text = doc('HelmRelease', 'helm.toolkit.fluxcd.io/v2', 'b', 'team-b') + doc('HelmRelease', 'helm.toolkit.fluxcd.io/v2', 'a') + doc('HelmRelease', 'helm.toolkit.fluxcd.io/v2', 'z', 'team-a') + doc('Deployment', 'apps/v1', 'd') + doc('ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/v1', 'w') + doc('GitRepository', 'source.toolkit.fluxcd.io/v1', 'g') + doc('Namespace', 'v1', 'ns') + doc('ConfigMap', 'v1', 'c');
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: [all.yaml]\n', '/ws/all.yaml': text }), '/ws');
  assert.deepEqual(names(b), ['Namespace/ns', 'ConfigMap/c', 'Deployment/d', 'HelmRelease/z', 'HelmRelease/b', 'HelmRelease/a', 'GitRepository/g', 'ValidatingWebhookConfiguration/w']);
});

test('resources keep kustomize scalar semantics: yes/on stay strings, 0755 is octal, dates become timestamps', () => {
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': 'resources: [a.yaml]\n', '/ws/a.yaml': cm('a', 'data:\n  y: yes\n  mode: 0755\n  date: 2024-01-31\n  time: 10:30\n  flag: True\n') }), '/ws');
  assert.deepEqual(b.resources[0].object.data, { y: 'yes', mode: 493, date: '2024-01-31T00:00:00Z', time: '10:30', flag: true });
});

test('numbers and booleans where kustomize wants strings are errors on the value', () => {
  const text = 'namespace: 123\ncommonLabels:\n  version: 1.0\n  ok: "1.0"\nlabels:\n  - pairs:\n      enabled: yes\n';
  const b = buildKustomization(memoryHost({ '/ws/kustomization.yaml': text }), '/ws');
  assert.deepEqual(b.diagnostics.map((d) => [d.code, text.slice(d.start, d.end)]), [
    ['kustomize-type', 'namespace'],
    ['kustomize-type', '1.0'],
    ['kustomize-type', 'yes'],
  ]);
});

test('arbitrary kustomization content never throws and never hits the internal-error path', async () => {
  const { default: fc } = await import('fast-check');
  const { stringify } = await import('yaml');
  const fieldArb = fc.constantFrom('resources', 'components', 'namespace', 'namePrefix', 'labels', 'commonLabels', 'commonAnnotations', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'images');
  const valueArb = fc.oneof(fc.anything({ maxDepth: 3 }), fc.array(fc.record({ name: fc.string(), path: fc.constantFrom('a.yaml', 'sub', 'x'), patch: fc.string(), literals: fc.array(fc.string()), target: fc.anything({ maxDepth: 1 }), behavior: fc.constantFrom('merge', 'replace', 'create', 'x') }, { requiredKeys: [] })));
  fc.assert(
    fc.property(fc.dictionary(fieldArb, valueArb, { maxKeys: 5 }), (k) => {
      let text: string;
      try {
        text = stringify(k);
      } catch {
        return;
      }
      const host = memoryHost({ '/ws/kustomization.yaml': text, '/ws/a.yaml': cm('a'), '/ws/sub/kustomization.yaml': 'resources: [../a.yaml]\n' });
      const b = buildKustomization(host, '/ws');
      assert.deepEqual(b.diagnostics.filter((d) => d.code === 'kustomize-internal'), []);
      for (const d of b.diagnostics) assert.ok(d.start <= d.end && d.start >= 0, `bad span ${JSON.stringify(d)}`);
    }),
    { seed: 42, numRuns: 300 },
  );
});

test('a build in steps pauses between patch entries and gives the same resources, places and findings', () => {
  // A fuzz-grown kustomization of thousands of inline patches blocked the language server for seconds in one build.
  let k = 'resources:\n  - app.yaml\npatches:\n';
  for (let i = 0; i < 300; i++) k += `  - patch: |\n      - op: add\n        path: /metadata/labels/l${i % 7}\n        value: v${i}\n    target:\n      kind: Deployment\n`;
  k += '  - patch: |\n      - op: bogus\n        path: /x\n    target:\n      kind: Deployment\n';
  const host = memoryHost({ '/ws/kustomization.yaml': k, '/ws/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  labels: {}\n' });
  const steps = buildKustomizationSteps(host, '/ws');
  let pauses = 0;
  let r = steps.next();
  for (; !r.done; r = steps.next()) pauses++;
  assert.ok(pauses > 300, `paused ${pauses} times`);
  assert.deepEqual(r.value, buildKustomization(host, '/ws'));
  const labels = (r.value.resources[0].object.metadata as { labels: Record<string, string> }).labels;
  assert.deepEqual(labels, Object.fromEntries(Array.from({ length: 7 }, (_, j) => [`l${j}`, `v${j + 7 * Math.floor((299 - j) / 7)}`])));
  // The same patch text at 300 places (kept parses of equal texts): every change points into its own entry.
  const changes = r.value.resources[0].patches.map((p) => p.changes[0]);
  assert.equal(changes.length, 300);
  changes.forEach((c, i) => assert.equal(k.slice(c.start, c.end), `v${i}`));
  assert.deepEqual(r.value.diagnostics.map((d) => [d.code, d.start]), [['kustomize-patch', k.lastIndexOf('patch: |')]], 'on the last entry');
});

test('a large resource file the quick reader does not read is parsed in steps of the build, to the same result', () => {
  // 8,000 tagged values (outside the quick reader's subset): the library parses the 200 KB piece, in steps.
  const data = Array.from({ length: 8000 }, (_, i) => `  k${i}: !!str v${i}\n`).join('');
  const files = (root: string) => ({ [`${root}/kustomization.yaml`]: 'resources:\n  - big.yaml\n  - small.yaml\n', [`${root}/big.yaml`]: cm('big', `data:\n${data}`), [`${root}/small.yaml`]: cm('small') });
  const steps = buildKustomizationSteps(memoryHost(files('/stepped')), '/stepped');
  let pauses = 0;
  let r = steps.next();
  for (; !r.done; r = steps.next()) pauses++;
  assert.ok(pauses > 20, `paused ${pauses} times`);
  const whole = buildKustomization(memoryHost(files('/whole')), '/whole');
  assert.deepEqual(names(r.value), ['ConfigMap/big', 'ConfigMap/small']);
  assert.deepEqual(r.value.resources.map((x) => x.object), whole.resources.map((x) => x.object));
  assert.equal((r.value.resources[0].object.data as Record<string, string>).k7999, 'v7999');
  assert.deepEqual(r.value.diagnostics, whole.diagnostics);
});

test('inline patches with the same text in two places report their YAML errors in each place', () => {
  const bad = '  - patch: |\n      a: [\n    target:\n      kind: Deployment\n';
  const k = `resources:\n  - app.yaml\npatches:\n${bad}${bad}`;
  const host = memoryHost({ '/ws/kustomization.yaml': k, '/ws/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n' });
  const found = buildKustomization(host, '/ws').diagnostics.filter((d) => d.code === 'kustomize-yaml');
  assert.ok(found.length >= 2, JSON.stringify(found));
  const lines = found.map((d) => k.slice(0, d.start).split('\n').length);
  assert.ok(lines.some((l) => l <= 6) && lines.some((l) => l > 6 && l <= 10), `in both entries: lines ${lines.join(', ')}`);
});

test('a stepped build reads each kustomization file name of a folder once', () => {
  const files = {
    '/ws/kustomization.yaml': 'resources:\n  - base\n  - a.yaml\ncomponents:\n  - comp\n',
    '/ws/a.yaml': cm('a'),
    '/ws/base/kustomization.yaml': 'resources: [b.yaml]\n',
    '/ws/base/b.yaml': cm('b'),
    '/ws/comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\n',
  };
  const host = memoryHost(files);
  const reads = new Map<string, number>();
  const counting = { ...host, readFile: (p: string) => (reads.set(p, (reads.get(p) ?? 0) + 1), host.readFile(p)) };
  const steps = buildKustomizationSteps(counting, '/ws');
  let r = steps.next();
  while (!r.done) r = steps.next();
  assert.deepEqual(names(r.value), ['ConfigMap/c-a', 'ConfigMap/c-b']);
  assert.deepEqual(r.value, buildKustomization(memoryHost(files), '/ws'));
  const names3 = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
  for (const dir of ['/ws', '/ws/base', '/ws/comp']) for (const n of names3) assert.equal(reads.get(`${dir}/${n}`), 1, `${dir}/${n}`);
});
