/**
 * Lenses on a base HelmRelease of examples/fleet: one per overlay that
 * builds it, naming what that overlay changes, opening its effective values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri, type CodeLens } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';

test('a base HelmRelease gets one lens per overlay with its changes', () => {
  const host = loadFixture(join(import.meta.dirname, '..', '..', 'examples', 'fleet'));
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'] });
  // The façade also returns the cluster lenses (reconcile, diff, context); the overlay lenses are the ones opening effective values.
  const overlayLenses = (path: string): CodeLens[] => service.codeLenses(pathToUri(path)).filter((l) => l.command?.command === 'fluxhelm.showEffectiveValues');
  const lenses = overlayLenses('/ws/apps/base/podinfo/helmrelease.yaml');
  const titles = lenses.map((l) => l.command!.title);
  assert.equal(titles.length, 2, titles.join('\n'));
  assert.match(titles.find((t) => t.startsWith('production:'))!, /^production: spec\.\S+ = /);
  assert.ok(titles.some((t) => t.startsWith('staging:')));
  const prod = lenses.find((l) => l.command!.title.startsWith('production:'))!;
  assert.equal(prod.command!.command, 'fluxhelm.showEffectiveValues');
  assert.deepEqual(prod.command!.arguments, ['apps/production']);
  assert.match((prod.command as { tooltip?: string }).tooltip ?? '', /spec\.values\.replicaCount = 3 from apps\/production\/podinfo-patch\.yaml:\d+/);
  assert.deepEqual(overlayLenses('/ws/apps/production/podinfo-patch.yaml'), [], 'patch files get no lenses');
});
