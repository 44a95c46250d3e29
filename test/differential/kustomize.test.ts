/**
 * Differential test: fluxhelm's kustomize build against real `kubectl
 * kustomize` (kustomize v5.6) on every fixture under
 * test/fixtures/kustomize/. A fixture folder is built at its root, or at
 * each folder listed in its `builds.txt`. Outputs are compared as objects
 * sorted by kind/namespace/name (deep equality of values) and in kustomize's
 * own output order. When kubectl fails on a fixture (fixtures named
 * `error-*`), fluxhelm must report an error diagnostic instead, with the
 * code named in the fixture's expected-error.txt. A last test runs seeded
 * random strategic merge patches through both (FLUXHELM_DIFF_SEED,
 * FLUXHELM_KUSTOMIZE_CASES).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectlBinary } from '../support/tools.ts';
import { KUSTOMIZE_YAML_OPTIONS } from '../../engine/kustomize/source.ts';
import { buildKustomization } from '../../engine/kustomize/index.ts';
import type { EngineHost } from '../../engine/host.ts';

const ROOT = new URL('../fixtures/kustomize', import.meta.url).pathname.replace(/\/$/, '');

const fsHost: EngineHost = {
  readFile(p) {
    try {
      return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  readBinary(p) {
    try {
      return statSync(p).isFile() ? readFileSync(p) : undefined;
    } catch {
      return undefined;
    }
  },
  readDir(p) {
    try {
      return readdirSync(p, { withFileTypes: true }).map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
    } catch {
      return undefined;
    }
  },
  now: () => Date.now(),
  env: () => undefined,
};

function kustomize(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectlBinary(), ['kustomize', dir], { env: { PATH: process.env.PATH, HOME: '/nonexistent' }, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

function parseOutput(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text, KUSTOMIZE_YAML_OPTIONS)
    .map((d) => d.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null)
    .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');
}

function key(o: Record<string, unknown>): string {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  return `${String(o.apiVersion)}|${String(o.kind)}|${String(m.namespace ?? '')}|${String(m.name ?? '')}`;
}

function sorted(list: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const fixtures = readdirSync(ROOT).filter((n) => statSync(join(ROOT, n)).isDirectory()).sort();

test('there are at least 10 kustomize fixtures that build', () => {
  assert.ok(fixtures.filter((f) => !f.startsWith('error-')).length >= 10, `only ${fixtures.length} fixtures`);
});

for (const fixture of fixtures) {
  const base = join(ROOT, fixture);
  const builds = existsSync(join(base, 'builds.txt'))
    ? readFileSync(join(base, 'builds.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => join(base, l))
    : [base];
  for (const dir of builds) {
    const label = dir.slice(ROOT.length + 1);
    test(`kustomize build ${label} equals kubectl kustomize`, async () => {
      const real = await kustomize(dir);
      const ours = buildKustomization(fsHost, dir);
      const errors = ours.diagnostics.filter((d) => d.severity === 'error');
      if (fixture.startsWith('error-')) {
        assert.notEqual(real.code, 0, `kubectl kustomize was expected to fail on ${label}`);
        assert.ok(errors.length > 0, `kubectl failed (${real.stderr.trim()}) but fluxhelm reported no error`);
        const code = readFileSync(join(base, 'expected-error.txt'), 'utf8').trim();
        assert.ok(errors.some((e) => e.code === code), `expected an error ${code}, got ${errors.map((e) => e.code).join(', ')}`);
        return;
      }
      assert.equal(real.code, 0, `kubectl kustomize failed: ${real.stderr}`);
      assert.deepEqual(errors, [], 'fluxhelm reported errors on a fixture kustomize builds');
      const expected = parseOutput(real.stdout);
      const actual = ours.resources.map((r) => r.object);
      assert.deepEqual(sorted(actual), sorted(expected));
      assert.deepEqual(actual.map(key), expected.map(key), 'output order differs from kustomize');
    });
  }
}

// ---------------------------------------------------------------------------
// Seeded random cases: strategic merge patches on a HelmRelease (values with
// nested maps, lists, nulls, $patch directives) and on a Deployment's
// containers (merge by name, deletions), under random namespace, prefix and
// labels. Files are written as YAML with quotes only where needed, like
// people write them (quoting decides how kustomize types patched scalars).

const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261121);
const CASES = Number(process.env.FLUXHELM_KUSTOMIZE_CASES ?? 40);

const keyArb = fc.constantFrom('a', 'b', 'c', 'env', 'list', 'nested');
const scalarArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', 'on', 'yes', '0755', ''), fc.boolean());

const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, tie('map'), tie('list')),
  map: fc.dictionary(keyArb, tie('value'), { maxKeys: 3 }),
  list: fc.oneof(fc.array(scalarArb, { maxLength: 3 }), fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: scalarArb }), { maxLength: 3 })),
})).value;

const patchArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarArb, fc.constant(null), tie('map'), valueArb),
  map: fc.oneof(
    fc.dictionary(keyArb, tie('value'), { maxKeys: 3 }),
    fc.constant({ $patch: 'delete' }),
    fc.dictionary(keyArb, scalarArb, { maxKeys: 2 }).map((m) => ({ ...m, $patch: 'replace' })),
  ),
})).value;

const containerArb = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), image: fc.constantFrom('x:1', 'y:2') }, { requiredKeys: ['name'] });
const containersArb = fc.uniqueArray(containerArb, { selector: (c) => c.name, minLength: 1, maxLength: 3 });
const containerPatchArb = fc.uniqueArray(
  fc.oneof(containerArb, fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), $patch: fc.constant('delete') })),
  { selector: (c) => c.name, maxLength: 3 },
);

const caseArb = fc.record({
  values: fc.dictionary(keyArb, valueArb, { maxKeys: 4 }),
  patch: fc.dictionary(keyArb, patchArb, { maxKeys: 4 }),
  containers: containersArb,
  containerPatch: containerPatchArb,
  namespace: fc.option(fc.constantFrom('team-a', 'prod'), { nil: undefined }),
  prefix: fc.option(fc.constantFrom('p-', 'x-'), { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')), { nil: undefined }),
});

test(`random strategic merge patches equal kubectl kustomize (${CASES} seeded cases)`, async () => {
  const cases = fc.sample(caseArb, { seed: SEED, numRuns: CASES });
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-kustomize-'));
  try {
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i];
        const dir = join(root, `case-${i}`);
        mkdirSync(dir);
        const hr = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'app', namespace: 'apps' }, spec: { interval: '5m', values: c.values } };
        const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: c.containers } } } };
        const hrPatch = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'app', namespace: 'apps' }, spec: { values: c.patch } };
        const deployPatch = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: c.containerPatch } } } };
        const k: Record<string, unknown> = { resources: ['hr.yaml', 'deploy.yaml'], patches: [{ path: 'hr-patch.yaml' }, { path: 'deploy-patch.yaml' }] };
        if (c.namespace) k.namespace = c.namespace;
        if (c.prefix) k.namePrefix = c.prefix;
        if (c.labels && Object.keys(c.labels).length > 0) k.labels = [{ pairs: c.labels, includeSelectors: true }];
        writeFileSync(join(dir, 'kustomization.yaml'), stringify(k));
        writeFileSync(join(dir, 'hr.yaml'), stringify(hr));
        writeFileSync(join(dir, 'deploy.yaml'), stringify(deploy));
        writeFileSync(join(dir, 'hr-patch.yaml'), stringify(hrPatch));
        writeFileSync(join(dir, 'deploy-patch.yaml'), stringify(deployPatch));
        const real = await kustomize(dir);
        const ours = buildKustomization(fsHost, dir);
        const errors = ours.diagnostics.filter((d) => d.severity === 'error');
        if (real.code !== 0) {
          if (errors.length === 0) failures.push(`case ${i}: kubectl failed (${real.stderr.trim()}) but fluxhelm did not`);
          continue;
        }
        if (errors.length > 0) {
          failures.push(`case ${i}: fluxhelm errors ${errors.map((e) => e.message).join('; ')}`);
          continue;
        }
        const expected = sorted(parseOutput(real.stdout));
        const actual = sorted(ours.resources.map((r) => r.object));
        if (!isDeepStrictEqual(actual, expected)) failures.push(`case ${i} (${dir}):\n  kustomize: ${JSON.stringify(expected)}\n  fluxhelm:  ${JSON.stringify(actual)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(failures, []);
  } finally {
    if (!process.env.FLUXHELM_KEEP_CASES) rmSync(root, { recursive: true, force: true });
  }
});

// Seeded random generator inputs: the hash suffix covers Go's JSON escaping
// (<, >, &, control characters, non-ASCII), base64 wrapping of Secret data
// and literal quote removal.
const literalValueArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  // No U+2028: kubectl prints it raw and YAML readers fold it, so the printed ConfigMap cannot be compared (its hash is covered in kustomize-hash.test.ts).
  fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '\\', 'é', '✓', '\t', '\n', ' ', 'a', '=', '😀', '\u0001'), maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }).map((x) => x.replace(/[\u2028\u2029]/g, ' ')),
);
const generatorCaseArb = fc.record({
  literals: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,6}$/), literalValueArb), { selector: (t) => t[0], maxLength: 4 }),
  secretType: fc.option(fc.constantFrom('Opaque', 'kubernetes.io/basic-auth'), { nil: undefined }),
});

test(`random generator literals hash like kubectl kustomize (${CASES} seeded cases)`, async () => {
  const cases = fc.sample(generatorCaseArb, { seed: SEED + 1, numRuns: CASES });
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-kustomize-gen-'));
  try {
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i];
        const dir = join(root, `case-${i}`);
        mkdirSync(dir);
        const literals = c.literals.map(([k, v]) => `${k}=${v}`);
        const secret: Record<string, unknown> = { name: 'secret', literals };
        if (c.secretType) secret.type = c.secretType;
        // JSON is YAML, and it quotes every literal.
        writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify({ configMapGenerator: [{ name: 'config', literals }], secretGenerator: [secret] }, null, 1));
        const real = await kustomize(dir);
        const ours = buildKustomization(fsHost, dir);
        const errors = ours.diagnostics.filter((d) => d.severity === 'error');
        if (real.code !== 0 || errors.length > 0) {
          if ((real.code !== 0) !== errors.length > 0) failures.push(`case ${i}: kubectl ${real.code === 0 ? 'succeeded' : `failed (${real.stderr.trim()})`}, fluxhelm ${errors.length ? errors.map((e) => e.message).join('; ') : 'succeeded'}`);
          continue;
        }
        const expected = sorted(parseOutput(real.stdout));
        const actual = sorted(ours.resources.map((r) => r.object));
        if (!isDeepStrictEqual(actual, expected)) failures.push(`case ${i} (${dir}):\n  kustomize: ${JSON.stringify(expected)}\n  fluxhelm:  ${JSON.stringify(actual)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(failures, []);
  } finally {
    if (!process.env.FLUXHELM_KEEP_CASES) rmSync(root, { recursive: true, force: true });
  }
});

// Seeded random two-layer builds: a base with generators, a Deployment that
// consumes them, a ServiceAccount bound by a RoleBinding; an overlay with
// random prefix/suffix/namespace, generator merges and patches that name
// objects by their base names (with or without namespace). Exercises ids
// across layers, hash suffixes and name references; when kustomize refuses
// a case, fluxhelm must report an error.
const layerArb = fc.record({
  prefix: fc.option(fc.constantFrom('b-', 'o-'), { nil: undefined }),
  suffix: fc.option(fc.constantFrom('-s', '-x'), { nil: undefined }),
  namespace: fc.option(fc.constantFrom('base-ns', 'prod'), { nil: undefined }),
});
const overlayCaseArb = fc.record({
  base: layerArb,
  overlay: layerArb,
  mergeConfig: fc.option(fc.record({ withNamespace: fc.boolean(), disableHash: fc.boolean() }), { nil: undefined }),
  patchDeployment: fc.option(fc.record({ withNamespace: fc.boolean(), replicas: fc.integer({ min: 1, max: 5 }) }), { nil: undefined }),
  overlayGenerator: fc.boolean(),
});

test(`random overlays with renames, generator merges and references equal kubectl kustomize (${CASES} seeded cases)`, async () => {
  const cases = fc.sample(overlayCaseArb, { seed: SEED + 2, numRuns: CASES });
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-kustomize-ov-'));
  try {
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i];
        const dir = join(root, `case-${i}`);
        mkdirSync(join(dir, 'base'), { recursive: true });
        mkdirSync(join(dir, 'overlay'));
        const layer = (l: typeof c.base) => ({ ...(l.prefix ? { namePrefix: l.prefix } : {}), ...(l.suffix ? { nameSuffix: l.suffix } : {}), ...(l.namespace ? { namespace: l.namespace } : {}) });
        writeFileSync(join(dir, 'base', 'kustomization.yaml'), stringify({ ...layer(c.base), resources: ['app.yaml'], configMapGenerator: [{ name: 'config', literals: ['mode=base'] }], secretGenerator: [{ name: 'creds', literals: ['token=t'] }] }));
        const app = [
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } },
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'runner' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'runner' }] },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web' },
            spec: {
              template: {
                spec: {
                  serviceAccountName: 'runner',
                  containers: [{ name: 'web', image: 'nginx', envFrom: [{ configMapRef: { name: 'config' } }, { secretRef: { name: 'creds' } }] }],
                  volumes: [{ name: 'cfg', configMap: { name: 'config' } }, { name: 'extra', configMap: { name: 'extra' } }],
                },
              },
            },
          },
        ];
        writeFileSync(join(dir, 'base', 'app.yaml'), app.map((o) => stringify(o)).join('---\n'));
        const overlay: Record<string, unknown> = { resources: ['../base'], ...layer(c.overlay) };
        const gens: Record<string, unknown>[] = [];
        if (c.mergeConfig) {
          gens.push({ name: 'config', behavior: 'merge', literals: ['mode=overlay'], ...(c.mergeConfig.withNamespace && c.base.namespace ? { namespace: c.base.namespace } : {}), ...(c.mergeConfig.disableHash ? { options: { disableNameSuffixHash: true } } : {}) });
        }
        if (c.overlayGenerator) gens.push({ name: 'extra', literals: ['x=1'] });
        if (gens.length) overlay.configMapGenerator = gens;
        if (c.patchDeployment) {
          const meta: Record<string, unknown> = { name: 'web' };
          if (c.patchDeployment.withNamespace && c.base.namespace) meta.namespace = c.base.namespace;
          overlay.patches = [{ patch: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: c.patchDeployment.replicas } }) }];
        }
        writeFileSync(join(dir, 'overlay', 'kustomization.yaml'), stringify(overlay));
        const target = join(dir, 'overlay');
        const real = await kustomize(target);
        const ours = buildKustomization(fsHost, target);
        const errors = ours.diagnostics.filter((d) => d.severity === 'error');
        if (real.code !== 0 || errors.length > 0) {
          if ((real.code !== 0) !== errors.length > 0) failures.push(`case ${i} (${dir}): kubectl ${real.code === 0 ? 'succeeded' : `failed (${real.stderr.trim()})`}, fluxhelm ${errors.length ? errors.map((e) => e.message).join('; ') : 'succeeded'}`);
          continue;
        }
        const expected = sorted(parseOutput(real.stdout));
        const actual = sorted(ours.resources.map((r) => r.object));
        if (!isDeepStrictEqual(actual, expected)) failures.push(`case ${i} (${dir}):\n  kustomize: ${JSON.stringify(expected)}\n  fluxhelm:  ${JSON.stringify(actual)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(failures, []);
  } finally {
    if (!process.env.FLUXHELM_KEEP_CASES) rmSync(root, { recursive: true, force: true });
  }
});
