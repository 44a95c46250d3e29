/**
 * Flux Kustomization evaluation (engine/flux/kustomization.ts): postBuild
 * substitution rules as a table (variable precedence, optional sources,
 * the disable marker, Flux skipping substitution without variables,
 * defaults, escapes), then whole evaluations on the fixture repository in
 * test/fixtures/flux-build/repo (implied kustomization, targetNamespace
 * over the file's namespace, namePrefix, components, Flux patches with
 * provenance in the Flux Kustomization file, images, commonMetadata), and
 * spans inside Flux's rewritten kustomization mapped back to real files.
 * Also schema/CEL findings on built objects traced back to the patch line,
 * the substitution site or the resource file, and duplicate objects; and a
 * differential check against real `kubectl kustomize` run on the
 * kustomization Flux's generator would write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { kubectlBinary } from '../support/tools.ts';
import { memoryHost } from '../support/memory-host.ts';
import { loadFixture } from '../support/disk-fixture.ts';
import { Workspace } from '../../engine/workspace/model.ts';
import { evaluateFluxKustomization, fluxKustomizations, implicitResources, substituteObject, applyImages, type FluxKustomizationBuild } from '../../engine/flux/kustomization.ts';
import type { EngineHost } from '../../engine/host.ts';
import { validateBuilt, duplicateObjects, clusterIdentity } from '../../engine/flux/built-diagnostics.ts';
import { SchemaRegistry } from '../../engine/schemas/registry.ts';
import { buildKustomization } from '../../engine/kustomize/index.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'flux-build', 'repo');

function get(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) cur = cur === null || typeof cur !== 'object' ? undefined : (cur as Record<string | number, unknown>)[p];
  return cur;
}

function evaluate(host: EngineHost, name: string, root = '/r'): FluxKustomizationBuild {
  const ws = new Workspace(host, { roots: [root], repoRoot: root });
  const ks = fluxKustomizations(ws.index).find((k) => k.name === name);
  assert.ok(ks, `Kustomization ${name} is indexed`);
  return evaluateFluxKustomization(ws, host, ks);
}

function lineOf(host: EngineHost, file: string, offset: number): number {
  return (host.readFile(file) ?? '').slice(0, offset).split('\n').length;
}

/** A one-Kustomization repository: `postBuild` is the YAML under spec.postBuild (indented 4). */
function miniRepo(postBuild: string | undefined, resource: string, extra: Record<string, string> = {}): ReturnType<typeof memoryHost> {
  return memoryHost({
    '/r/clusters/c/ks.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 10m
  path: ./app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${postBuild === undefined ? '' : `  postBuild:\n${postBuild.replace(/^/gm, '    ')}\n`}`,
    '/r/app/resource.yaml': resource,
    ...extra,
  });
}

const cm = (name: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: flux-system\ndata:\n${data.replace(/^/gm, '  ')}\n`;
const secret = (name: string, data: Record<string, string>) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: flux-system\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${Buffer.from(v).toString('base64')}`).join('\n')}\n`;
const configMapWith = (value: string, meta = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: target\n${meta}data:\n  v: ${value}\n`;

interface Row {
  name: string;
  postBuild?: string;
  value: string;
  meta?: string;
  extra?: Record<string, string>;
  expect: unknown;
  codes?: string[];
}

const rows: Row[] = [
  { name: 'inline variable', postBuild: 'substitute:\n  a: inline', value: '"${a}"', expect: 'inline' },
  { name: 'inline wins over substituteFrom', postBuild: 'substitute:\n  a: inline\nsubstituteFrom:\n  - kind: ConfigMap\n    name: vars', value: '"${a}"', extra: { '/r/clusters/c/vars.yaml': cm('vars', 'a: from-configmap') }, expect: 'inline' },
  { name: 'later substituteFrom wins', postBuild: 'substituteFrom:\n  - kind: ConfigMap\n    name: one\n  - kind: ConfigMap\n    name: two', value: '"${a}-${b}"', extra: { '/r/clusters/c/vars.yaml': `${cm('one', 'a: first\nb: only-in-one')}---\n${cm('two', 'a: second')}` }, expect: 'second-only-in-one' },
  { name: 'Secret data is base64', postBuild: 'substituteFrom:\n  - kind: Secret\n    name: s', value: '"${token}"', extra: { '/r/clusters/c/s.yaml': secret('s', { token: 'héllo' }) }, expect: 'héllo' },
  { name: 'optional missing source is fine', postBuild: 'substitute:\n  a: x\nsubstituteFrom:\n  - kind: Secret\n    name: absent\n    optional: true', value: '"${a}"', expect: 'x', codes: [] },
  { name: 'missing non-optional source is an error', postBuild: 'substitute:\n  a: x\nsubstituteFrom:\n  - kind: ConfigMap\n    name: absent', value: '"${a}"', expect: 'x', codes: ['flux-substitute-from-missing'] },
  { name: 'disabled annotation skips the object', postBuild: 'substitute:\n  a: x', value: '"${a}"', meta: '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n', expect: '${a}' },
  { name: 'disabled label skips the object', postBuild: 'substitute:\n  a: x', value: '"${a}"', meta: '  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n', expect: '${a}' },
  { name: 'no variables: no substitution, even with a default', postBuild: 'substituteFrom:\n  - kind: Secret\n    name: absent\n    optional: true', value: '"${x:=d}"', expect: '${x:=d}', codes: [] },
  { name: 'no postBuild: no substitution', value: '"${x:=d}"', expect: '${x:=d}', codes: [] },
  { name: 'substituteStrategy Always substitutes without variables', postBuild: 'substituteStrategy: Always', value: '"${x:=d}"', expect: 'd' },
  { name: 'default with :=', postBuild: 'substitute:\n  a: x', value: '"${missing:=fallback}"', expect: 'fallback', codes: [] },
  { name: 'default with :-', postBuild: 'substitute:\n  a: x', value: '"${missing:-fallback}"', expect: 'fallback' },
  { name: 'empty value takes the default', postBuild: 'substitute:\n  a: ""', value: '"${a:=fallback}"', expect: 'fallback' },
  { name: '$$ escapes an expression', postBuild: 'substitute:\n  a: x', value: '"$${a} and ${a}"', expect: '${a} and x' },
  { name: 'bare $name is left alone', postBuild: 'substitute:\n  a: x', value: '"$a"', expect: '$a' },
  { name: 'newlines are removed from values', postBuild: 'substitute:\n  a: |\n    one\n    two', value: '"${a}"', expect: 'onetwo' },
  { name: 'a string becomes a number after substitution', postBuild: 'substitute:\n  n: "3"', value: '"${n}"', expect: 3 },
  { name: 'undefined variable becomes empty (info)', postBuild: 'substitute:\n  a: x', value: '"[${nope}]"', expect: '[]', codes: ['flux-variable-undefined'] },
  { name: 'invalid variable name is an error', postBuild: 'substituteFrom:\n  - kind: ConfigMap\n    name: vars', value: '"${ok}"', extra: { '/r/clusters/c/vars.yaml': cm('vars', 'ok: yes-it-is\nnot-ok: x') }, expect: 'yes-it-is', codes: ['flux-variable-name'] },
  { name: 'malformed expression is an error', postBuild: 'substitute:\n  a: x', value: '"${a"', expect: '${a', codes: ['flux-substitution'] },
  { name: 'generated ConfigMap is a source', postBuild: 'substituteFrom:\n  - kind: ConfigMap\n    name: gen', value: '"${region}"', extra: { '/r/clusters/c/vars/kustomization.yaml': 'configMapGenerator:\n  - name: gen\n    namespace: flux-system\n    literals:\n      - region=eu-1\n    options:\n      disableNameSuffixHash: true\n' }, expect: 'eu-1' },
];

for (const row of rows) {
  test(`postBuild: ${row.name}`, () => {
    const host = miniRepo(row.postBuild, configMapWith(row.value, row.meta), row.extra);
    const b = evaluate(host, 'app');
    const target = b.resources.find((r) => get(r.object, ['metadata', 'name']) === 'target');
    assert.ok(target, 'the ConfigMap is built');
    assert.deepEqual(get(target.object, ['data', 'v']), row.expect);
    if (row.codes) assert.deepEqual(b.diagnostics.map((d) => d.code).sort(), [...row.codes].sort());
  });
}

test('postBuild: diagnostics point at the expression and at the variable definition', () => {
  const host = miniRepo('substitute:\n  bad-name: x\n  good: y', configMapWith('"${nope} ${x"'));
  const b = evaluate(host, 'app');
  const bad = b.diagnostics.find((d) => d.code === 'flux-variable-name');
  assert.ok(bad);
  assert.equal(bad.file, '/r/clusters/c/ks.yaml');
  assert.equal(host.readFile(bad.file)!.slice(bad.start, bad.end), 'x');
  const malformed = b.diagnostics.find((d) => d.code === 'flux-substitution');
  assert.ok(malformed);
  assert.equal(malformed.file, '/r/app/resource.yaml');
  assert.equal(lineOf(host, malformed.file, malformed.start), 6);
});

test('substituteObject records each use with its path and reports the substituted value', () => {
  const r = substituteObject({ kind: 'X', metadata: { name: 'n' }, spec: { a: '${x}', list: ['${y:=d}', 'plain'] } }, new Map([['x', '1']]));
  assert.equal(r.skipped, false);
  assert.deepEqual(r.object.spec, { a: 1, list: ['d', 'plain'] });
  assert.deepEqual(r.uses.map((u) => [u.name, u.path, u.hasDefault]), [['x', ['spec', 'a'], false], ['y', ['spec', 'list', 0], true]]);
});

test('applyImages changes tags, names and digests of matching containers only', () => {
  const obj = { spec: { template: { spec: { initContainers: [{ image: 'registry:5000/tool:1' }], containers: [{ image: 'nginx:1.25' }, { image: 'nginx@sha256:abc' }, { image: 'redis:7' }] } } } };
  applyImages(obj, [{ name: 'nginx', newTag: '1.27' }, { name: 'registry:5000/tool', newName: 'mirror/tool', digest: 'sha256:def' }]);
  assert.deepEqual(obj.spec.template.spec.containers.map((c) => c.image), ['nginx:1.27', 'nginx:1.27', 'redis:7']);
  assert.equal(obj.spec.template.spec.initContainers[0].image, 'mirror/tool@sha256:def');
});

test('implied kustomization: YAML files recursively, folders with a kustomization file as one entry', () => {
  const host = loadFixture(fixture);
  assert.deepEqual(implicitResources(host, '/ws/apps/plain'), ['./base', './deploy.yaml', './nested/cm.yaml', './nested/deeper/svc.yml']);
  const b = evaluate(host, 'plain', '/ws');
  assert.equal(b.implicit, true);
  assert.deepEqual(b.diagnostics, []);
  const ids = b.resources.map((r) => `${r.object.kind}/${get(r.object, ['metadata', 'namespace'])}/${get(r.object, ['metadata', 'name'])}`);
  assert.deepEqual(ids, ['ServiceAccount/team-a/plain', 'ConfigMap/team-a/plain-config', 'Service/team-a/plain', 'Deployment/team-a/plain']);
  const cmOrigin = b.resources.find((r) => r.object.kind === 'ConfigMap')!.origin;
  assert.equal(cmOrigin.file, '/ws/apps/plain/nested/cm.yaml');
});

test('Flux fields on a folder with a kustomization: targetNamespace, namePrefix, components, patches, images, commonMetadata', () => {
  const host = loadFixture(fixture);
  const b = evaluate(host, 'web', '/ws');
  assert.equal(b.implicit, false);
  assert.deepEqual(b.diagnostics, []);
  const ids = b.resources.map((r) => `${r.object.kind}/${get(r.object, ['metadata', 'namespace'])}/${get(r.object, ['metadata', 'name'])}`);
  assert.deepEqual(ids, ['ConfigMap/web-dev/dev-monitoring', 'Deployment/web-dev/dev-web', 'HelmRelease/web-dev/dev-web']);
  for (const r of b.resources) assert.equal(get(r.object, ['metadata', 'labels', 'team']), 'web');
  const deploy = b.resources[1];
  assert.equal(get(deploy.object, ['spec', 'replicas']), 2);
  assert.equal(get(deploy.object, ['spec', 'template', 'spec', 'containers', 0, 'image']), 'nginx:1.27');
  assert.deepEqual((get(deploy.object, ['spec', 'template', 'spec', 'containers', 0, 'env']) as { value: unknown }[]).map((e) => e.value), ['dev', 'eu-west-1', 'a', '${env}']);
  const ks = '/ws/clusters/dev/web.yaml';
  const replicas = deploy.patches.flatMap((p) => p.changes).find((c) => c.path.join('.') === 'spec.replicas');
  assert.ok(replicas, 'the Flux patch is recorded');
  assert.equal(replicas.file, ks);
  assert.equal(host.readFile(ks)!.slice(replicas.start, replicas.end), '2');
  assert.equal(lineOf(host, ks, replicas.start), 30);
  const hr = b.resources[2];
  assert.equal(get(hr.object, ['spec', 'values', 'replicaCount']), 4);
  const added = hr.patches.flatMap((p) => p.changes).find((c) => c.path.join('.') === 'spec.values.replicaCount');
  assert.ok(added);
  assert.equal(added.file, ks);
  assert.equal(lineOf(host, ks, added.start), 36);
  assert.equal(get(hr.object, ['spec', 'values', 'greeting']), 'hello from dev in eu-west-1');
  const sub = hr.substitutions.find((s) => s.path.join('.') === 'spec.values.greeting');
  assert.deepEqual(sub?.variables, ['env', 'region']);
  assert.equal(sub?.site.file, '/ws/apps/web/helmrelease.yaml');
  assert.equal(b.variables.get('env')?.value, 'dev', 'inline wins over the ConfigMap');
  assert.equal(b.variables.get('region')?.from, 'ConfigMap');
  assert.equal(get(b.resources[1].kustomized, ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']), '${env}', 'the object before substitution is kept');
});

/** A Flux Kustomization `app` applying ./app into the namespace prod. */
const APP_KS = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 10m
  path: ./app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: prod
`;

test('spans inside the kustomization Flux rewrites map back to the original file or the Flux Kustomization', () => {
  const host = memoryHost({
    '/r/ks.yaml': `${APP_KS}  patches:
    - patch: |
        - op: bogus
          path: /x
      target:
        kind: ConfigMap
`,
    '/r/app/kustomization.yaml': 'namespace: dev\nresources:\n  - cm.yaml\n  - missing.yaml\n',
    '/r/app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
  });
  const b = evaluate(host, 'app');
  assert.equal(get(b.resources[0]?.object, ['metadata', 'namespace']), 'prod');
  const missing = b.diagnostics.find((d) => d.code === 'kustomize-missing');
  assert.ok(missing);
  assert.equal(missing.file, '/r/app/kustomization.yaml');
  assert.equal(host.readFile(missing.file)!.slice(missing.start, missing.end), 'missing.yaml');
  const bogus = b.diagnostics.find((d) => d.code === 'kustomize-patch');
  assert.ok(bogus, JSON.stringify(b.diagnostics));
  assert.equal(bogus.file, '/r/ks.yaml');
  assert.ok(lineOf(host, bogus.file, bogus.start) >= 15 && lineOf(host, bogus.file, bogus.start) <= 19, `at the Flux patch (line ${lineOf(host, bogus.file, bogus.start)})`);
});

test('Flux overrides of a kustomization file whose document is not its first piece keep the file\'s other fields and places', () => {
  // The file is read piece by piece (shared with the build and the editor): offsets inside a piece are mapped to the file.
  const ks = APP_KS;
  const host = memoryHost({
    '/r/ks.yaml': ks,
    '/r/app/kustomization.yaml': '# generated\n---\n---\nnamespace: dev\nnamePrefix: p-\nresources:\n  - cm.yaml\n  - missing.yaml\n',
    '/r/app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
  });
  const b = evaluate(host, 'app');
  assert.deepEqual(b.resources.map((r) => [get(r.object, ['metadata', 'namespace']), get(r.object, ['metadata', 'name'])]), [['prod', 'p-cm']]);
  assert.deepEqual(b.diagnostics.map((d) => [d.code, d.file, host.readFile(d.file)!.slice(d.start, d.end)]), [['kustomize-missing', '/r/app/kustomization.yaml', 'missing.yaml']]);
});

test('ignoreMissingComponents drops missing components; otherwise they are an error', () => {
  const ks = (ignore: boolean) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
spec:
  interval: 10m
  path: ./app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  ignoreMissingComponents: ${ignore}
  components:
    - ../nowhere
`;
  for (const ignore of [true, false]) {
    const host = memoryHost({ '/r/ks.yaml': ks(ignore), '/r/app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n' });
    const b = evaluate(host, 'app');
    assert.equal(b.resources.length, 1);
    assert.equal(b.diagnostics.some((d) => d.severity === 'error'), !ignore);
  }
});

test('a spec.path that is not in the repository is reported on spec.path', () => {
  const host = miniRepo(undefined, configMapWith('x'));
  host.files['/r/clusters/c/ks.yaml'] = host.files['/r/clusters/c/ks.yaml'].replace('./app', './gone');
  const b = evaluate(host, 'app');
  assert.equal(b.resources.length, 0);
  assert.equal(b.diagnostics[0].code, 'flux-path-missing');
  assert.equal(host.readFile(b.diagnostics[0].file)!.slice(b.diagnostics[0].start, b.diagnostics[0].end), './gone');
});

// ---------------------------------------------------------------------------
// Diagnostics on built objects (engine/flux/built-diagnostics.ts)

test('built objects: findings map to the patch line, the substitution site, or the resource file', () => {
  const host = loadFixture(fixture);
  const b = evaluate(host, 'broken', '/ws');
  const found = validateBuilt(host, new SchemaRegistry(), b.resources).map((d) => ({ code: d.code, via: d.via, at: `${d.file.slice('/ws/'.length)}:${lineOf(host, d.file, d.start)}`, text: host.readFile(d.file)!.slice(d.start, d.end) }));
  assert.deepEqual(found.sort((a, b) => (a.at < b.at ? -1 : 1)), [
    { code: 'enum', via: 'patch', at: 'apps/broken/drift-patch.yaml:8', text: 'sometimes' },
    { code: 'type', via: 'substitution', at: 'apps/broken/helmrelease.yaml:17', text: '${retries}' },
    { code: 'duration', via: 'patch', at: 'clusters/dev/broken.yaml:20', text: 'soon' },
  ]);
  assert.ok(b.diagnostics.some((d) => d.code === 'flux-variable-undefined' && host.readFile(d.file)!.slice(d.start, d.end) === '${owner}'));
});

test('built objects: whole-object rules (required fields, CEL) apply, at the resource file', () => {
  const host = memoryHost({
    '/r/app/kustomization.yaml': 'resources:\n  - hr.yaml\npatches:\n  - path: patch.yaml\n',
    '/r/app/hr.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: hr\n  namespace: x\nspec:\n  chartRef:\n    kind: OCIRepository\n    name: c\n',
    '/r/app/patch.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: hr\n  namespace: x\nspec:\n  chart:\n    spec:\n      chart: c\n      sourceRef:\n        kind: HelmRepository\n        name: r\n',
  });
  const built = buildKustomization(host, '/r/app');
  const found = validateBuilt(host, new SchemaRegistry(), built.resources, { context: 'in the build of app' });
  const codes = found.map((d) => `${d.code}@${d.file}`).sort();
  assert.ok(codes.includes('required@/r/app/hr.yaml'), `interval is missing in the whole object: ${codes.join(', ')}`);
  assert.ok(codes.some((c) => c.startsWith('cel@')), `chart and chartRef together break the CEL rule: ${codes.join(', ')}`);
  assert.ok(found.every((d) => d.message.endsWith('in the build of app')));
});

test('duplicate objects in one build are errors at both origins, whatever their API version', () => {
  const host = loadFixture(fixture);
  const b = evaluate(host, 'dup', '/ws');
  const dups = duplicateObjects(b.resources);
  assert.deepEqual(dups.map((d) => [d.code, d.severity, d.file]), [
    ['duplicate-object', 'error', '/ws/apps/dup/a.yaml'],
    ['duplicate-object', 'error', '/ws/apps/dup/b.yaml'],
  ]);
  assert.match(dups[0].message, /HelmRelease apps\/same is in this build 2 times/);
  assert.deepEqual(duplicateObjects(evaluate(host, 'web', '/ws').resources), []);
});

test('cluster identity: cluster-scoped kinds ignore the namespace, unset namespace is default', () => {
  assert.equal(clusterIdentity({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'x' } }), '/Namespace//a');
  assert.equal(clusterIdentity({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }), '/ConfigMap/default/a');
  assert.equal(clusterIdentity({ apiVersion: 'helm.toolkit.fluxcd.io/v2beta2', kind: 'HelmRelease', metadata: { name: 'a', namespace: 'n' } }), 'helm.toolkit.fluxcd.io/HelmRelease/n/a');
});

test('a spec.path missing here but read from another source is only an info', () => {
  const host = miniRepo(undefined, configMapWith('x'));
  host.files['/r/clusters/c/ks.yaml'] = host.files['/r/clusters/c/ks.yaml'].replace('./app', './gone').replace('kind: GitRepository\n    name: flux-system', 'kind: OCIRepository\n    name: manifests');
  const b = evaluate(host, 'app');
  assert.deepEqual(b.diagnostics.map((d) => [d.code, d.severity]), [['flux-path-elsewhere', 'info']]);
});

// ---------------------------------------------------------------------------
// Differential: what Flux's generator writes into the folder, built by the
// real `kubectl kustomize` (kustomize v5.6), against the evaluation before
// postBuild substitution.

const GENERATED: Record<string, { dir: string; kustomization: string }> = {
  web: {
    dir: 'apps/web',
    kustomization: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: web-dev
namePrefix: dev-
resources:
  - deployment.yaml
  - helmrelease.yaml
components:
  - ../../components/monitoring
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
    target:
      kind: Deployment
  - patch: |
      - op: add
        path: /spec/values/replicaCount
        value: 4
    target:
      kind: HelmRelease
      name: web
images:
  - name: nginx
    newTag: "1.27"
`,
  },
  plain: {
    dir: 'apps/plain',
    kustomization: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: team-a
resources:
  - ./base
  - ./deploy.yaml
  - ./nested/cm.yaml
  - ./nested/deeper/svc.yml
`,
  },
};

for (const [name, gen] of Object.entries(GENERATED)) {
  test(`differential: Flux Kustomization ${name} matches kubectl kustomize of the kustomization Flux writes`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fluxhelm-flux-build-'));
    try {
      cpSync(fixture, tmp, { recursive: true });
      writeFileSync(join(tmp, gen.dir, 'kustomization.yaml'), gen.kustomization);
      const stdout = execFileSync(kubectlBinary(), ['kustomize', join(tmp, gen.dir)], { env: { PATH: process.env.PATH, HOME: '/nonexistent' }, encoding: 'utf8' });
      const expected = parseAllDocuments(stdout).map((d) => d.toJS() as unknown);
      const b = evaluate(loadFixture(fixture), name, '/ws');
      assert.deepEqual(b.resources.map((r) => r.kustomized), expected);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
