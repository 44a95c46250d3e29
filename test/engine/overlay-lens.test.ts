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

test('typing in a huge file that no overlay includes never parses it for lenses (issue 16)', () => {
  const host = loadFixture(join(import.meta.dirname, '..', '..', 'examples', 'fleet'));
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'] });
  const path = '/ws/clusters/staging/infrastructure.yaml';
  const uri = pathToUri(path);
  // A 350 KB ConfigMap with repeated keys (the YAML library parses it, not the quick reader) appended to the file.
  const keys = Array.from({ length: 15_000 }, (_, i) => `  key${i % 40 === 0 ? 7 : i}: value-${i}\n`).join('');
  let text = `${host.files[path]}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${keys}`;
  let file = service.parse(uri, text);
  service.updateFile(uri, text, file);
  service.refreshWorkspaceDiagnostics();
  service.codeLenses(uri);
  const parses: number[] = [];
  const lenses: number[] = [];
  for (let i = 0; i < 3; i++) {
    text = `${text.slice(0, -2)}${i}\n`;
    let t = performance.now();
    file = service.parse(uri, text, file);
    parses.push(performance.now() - t);
    service.updateFile(uri, text, file);
    t = performance.now();
    const found = service.codeLenses(uri).filter((l) => l.command?.command === 'fluxhelm.showEffectiveValues');
    lenses.push(performance.now() - t);
    assert.deepEqual(found, []);
  }
  // One parse of the edited piece costs hundreds of ms; the lenses cost a small part of one (they parsed it again before).
  const median = (l: number[]) => [...l].sort((a, b) => a - b)[1];
  assert.ok(median(lenses) < median(parses) / 4, `lenses ${lenses.map(Math.round)} ms vs one parse ${parses.map(Math.round)} ms`);
});
