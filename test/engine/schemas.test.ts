/**
 * The committed schemas/ must be exactly what `npm run schemas` generates
 * from ../shared/flux-crds and our docs, every field must carry our own
 * documentation, and every kind/version the issue lists must exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSchemas } from '../../scripts/schema-gen.ts';

const root = join(import.meta.dirname, '..', '..');
const crdDir = process.env.FLUXHELM_CRDS ?? join(root, '..', 'shared', 'flux-crds');

test('generated schemas are up to date with the generator and docs', { skip: !existsSync(crdDir) && 'no ../shared/flux-crds here' }, () => {
  const { files, undocumented } = generateSchemas(root, crdDir);
  const stale = [...files].filter(([p, c]) => !existsSync(join(root, p)) || readFileSync(join(root, p), 'utf8') !== c).map(([p]) => p);
  assert.deepEqual(stale, [], 'run `npm run schemas` and commit the result');
  assert.deepEqual(undocumented, [], 'every schema field needs a description in schemas/docs/<Kind>.yaml');
});

test('every kind and API version the project promises has a schema', () => {
  const want: Record<string, string[]> = {
    'helm.toolkit.fluxcd.io/HelmRelease': ['v2beta1', 'v2beta2', 'v2'],
    'source.toolkit.fluxcd.io/HelmRepository': ['v1beta1', 'v1beta2', 'v1'],
    'source.toolkit.fluxcd.io/HelmChart': ['v1beta1', 'v1beta2', 'v1'],
    'source.toolkit.fluxcd.io/GitRepository': ['v1beta1', 'v1beta2', 'v1'],
    'source.toolkit.fluxcd.io/Bucket': ['v1beta1', 'v1beta2', 'v1'],
    'source.toolkit.fluxcd.io/OCIRepository': ['v1beta2', 'v1'],
    'source.toolkit.fluxcd.io/ExternalArtifact': ['v1'],
    'kustomize.toolkit.fluxcd.io/Kustomization': ['v1beta1', 'v1beta2', 'v1'],
    'notification.toolkit.fluxcd.io/Alert': ['v1beta1', 'v1beta2', 'v1beta3'],
    'notification.toolkit.fluxcd.io/Provider': ['v1beta1', 'v1beta2', 'v1beta3'],
    'notification.toolkit.fluxcd.io/Receiver': ['v1beta1', 'v1beta2', 'v1'],
    'image.toolkit.fluxcd.io/ImageRepository': ['v1beta1', 'v1beta2', 'v1'],
    'image.toolkit.fluxcd.io/ImagePolicy': ['v1beta1', 'v1beta2', 'v1'],
    'image.toolkit.fluxcd.io/ImageUpdateAutomation': ['v1beta1', 'v1beta2', 'v1'],
    'kustomize.config.k8s.io/Kustomization': ['v1beta1'],
    'core/ConfigMap': ['v1'],
    'core/Secret': ['v1'],
    'core/Namespace': ['v1'],
  };
  for (const [gk, versions] of Object.entries(want)) {
    const [group, kind] = gk.split('/');
    for (const v of versions) {
      const p = join(root, 'schemas', group, v, `${kind}.json`);
      assert.ok(existsSync(p), `missing ${p}`);
      const schema = JSON.parse(readFileSync(p, 'utf8'));
      assert.equal(typeof schema.description, 'string', `${gk} ${v} has a summary`);
    }
  }
});

test('generated schemas keep what the API server enforces', () => {
  const hr = JSON.parse(readFileSync(join(root, 'schemas/helm.toolkit.fluxcd.io/v2/HelmRelease.json'), 'utf8'));
  const spec = hr.properties.spec;
  assert.deepEqual(spec.required, ['interval']);
  assert.equal(spec.additionalProperties, false, 'unknown fields are errors');
  assert.equal(spec.properties.values['x-kubernetes-preserve-unknown-fields'], true, 'values stay open');
  assert.equal(spec.properties.values.additionalProperties, undefined);
  assert.ok(spec['x-kubernetes-validations'].some((r: { rule: string }) => r.rule.includes('chartRef')), 'CEL rule kept');
  assert.match(spec.properties.interval.pattern, /ms\|s\|m\|h/);
  assert.deepEqual(spec.properties.chart.properties.spec.properties.sourceRef.properties.kind.enum, ['HelmRepository', 'GitRepository', 'Bucket']);
  assert.equal(hr.properties.status, undefined, 'status is not user input');
  const maxHistory = spec.properties.maxHistory;
  assert.equal(maxHistory.type, 'integer');
  assert.doesNotMatch(JSON.stringify(hr), /More info: https:\/\/git\.k8s\.io/, 'upstream prose is not carried over');
});
