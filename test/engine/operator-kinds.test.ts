/**
 * The Flux Operator's kinds (FluxInstance, ResourceSet,
 * ResourceSetInputProvider, FluxReport) and source-watcher's
 * ArtifactGenerator are validated with schemas generated from their CRDs
 * (issue #11, cause 6). When the operator manages the cluster, Alerts and
 * Receivers accept its kinds, as the operator's patched CRDs do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService, emptyHost } from '../../engine/index.ts';
// Kept for the last two tests: the registry's operator switch, its generation and the operator detection have no façade verb.
import { SchemaRegistry } from '../../engine/schemas/registry.ts';
import { parseYamlFile } from '../../engine/yaml/documents.ts';
import { validateFile } from '../../engine/validation/validate.ts';
import { LineIndex } from '../../engine/yaml/lines.ts';
import { Workspace } from '../../engine/workspace/model.ts';
import { fluxOperatorManages } from '../../engine/schemas/operator-patch.ts';
import { loadFixture } from '../support/disk-fixture.ts';

const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'operator', 'operator.yaml'), 'utf8');

function findings(registry: SchemaRegistry): string[] {
  const lines = new LineIndex(text);
  return validateFile(parseYamlFile('file:///ws/operator.yaml', text), registry).map((d) => `${lines.positionAt(d.start).line + 1} ${d.code}: ${d.message}`);
}

test('operator kinds and ArtifactGenerator are checked against their schemas', () => {
  const service = createLanguageService(emptyHost);
  const found = service.doValidation(service.parse('file:///ws/operator.yaml', text)).map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`);
  const byLine = found.map((f) => f.split(':')[0]);
  assert.deepEqual(byLine, ['15 unknown-field', '17 enum', '65 enum', '76 enum', '78 enum'], found.join('\n'));
  assert.match(found[0], /sise/);
  assert.match(found[1], /HelmRepository.*OCIRepository, GitRepository, Bucket/);
  assert.match(found[2], /Append.*Overwrite, Merge, Extract/);
  assert.match(found[3], /`FluxInstance` is not allowed for spec\.eventSources\[0\]\.kind/);
  assert.match(found[4], /`ResourceSet` is not allowed for spec\.eventSources\[1\]\.kind/);
});

test('with the Flux Operator managing the cluster, Alerts accept FluxInstance and ResourceSet sources', () => {
  const registry = new SchemaRegistry();
  const before = registry.generation;
  registry.setFluxOperator(true);
  assert.notEqual(registry.generation, before, 'memoized diagnostics are dropped');
  const found = findings(registry);
  assert.ok(!found.some((f) => f.includes('eventSources')), found.join('\n'));
  assert.equal(found.length, 3);
  // The bundled schema itself is untouched.
  registry.setFluxOperator(false);
  assert.equal(findings(registry).length, 5);
});

test('a FluxInstance or the flux-instance chart means the operator manages the cluster', () => {
  const withOperator = new Workspace(loadFixture(join(import.meta.dirname, '..', 'fixtures', 'created-objects')), { roots: ['/ws'], repoRoot: '/ws' });
  assert.equal(fluxOperatorManages(withOperator.index), true);
  const without = new Workspace(loadFixture(join(import.meta.dirname, '..', 'fixtures', 'notification-refs')), { roots: ['/ws'], repoRoot: '/ws' });
  assert.equal(fluxOperatorManages(without.index), false);
});
