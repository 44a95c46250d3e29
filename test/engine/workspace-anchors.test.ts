/**
 * Names written with YAML anchors (`name: &app podinfo`) are the names
 * Kubernetes sees (issue #11, cause 5): references resolve, the dependsOn
 * cycle through such names is reported as a cycle (not as a dangling
 * reference), "did you mean" suggests the plain name, symbols show it, and
 * rename edits only the name, keeping the anchor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';
// Kept: LineIndex converts the test's offsets to positions; scanHeaders is the header-scan algorithm tested in the first test.
import { LineIndex } from '../../engine/yaml/lines.ts';
import { scanHeaders } from '../../engine/workspace/header-scan.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'anchors');
const FILE = '/ws/ks.yaml';
const URI = pathToUri(FILE);

function load() {
  const host = loadFixture(fixture);
  host.files['/ws/apps/podinfo/kustomization.yaml'] = 'resources: []\n';
  host.files['/ws/apps/redis/kustomization.yaml'] = 'resources: []\n';
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  return { host, service, text: host.files[FILE], lines: new LineIndex(host.files[FILE]) };
}

test('the header scan reads names and namespaces without anchors, tags or quotes', () => {
  const docs = scanHeaders('kind: A\nmetadata:\n  name: &app !!str "web"\n  namespace: &ns apps\n---\nkind: B\nspec:\n  x: &n shared\nmetadata:\n  name: *n\n');
  assert.deepEqual(docs.map((d) => [d.name, d.namespace]), [['web', 'apps'], ['shared', undefined]]);
});

test('a dependsOn cycle through anchored names is a cycle, and misspellings suggest the plain name', () => {
  const { service } = load();
  const found = (service.doWorkspaceValidation().get(URI) ?? []).map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`);
  assert.deepEqual(found, [
    '12 dependency-cycle: dependsOn cycle: Kustomization podinfo → Kustomization redis → Kustomization podinfo; Flux will never reconcile these',
    '31 dependency-cycle: dependsOn cycle: Kustomization podinfo → Kustomization redis → Kustomization podinfo; Flux will never reconcile these',
    '59 dangling-reference: OCIRepository `cahce-chart` in namespace flux-system was not found in the workspace — did you mean `cache-chart`?',
  ]);
  assert.ok(!found.some((f) => f.includes('&')), 'no anchor in any message');
});

test('go to definition lands on the name after the anchor; symbols list plain names', () => {
  const { service, text, lines } = load();
  const ref = text.indexOf('- name: podinfo') + 9;
  const [loc] = service.findDefinition(URI, lines.positionAt(ref));
  const at = lines.offsetAt(loc.range.start);
  assert.equal(text.slice(at, lines.offsetAt(loc.range.end)), 'podinfo');
  assert.equal(text.slice(at - 5, at), '&app ');
  const names = service.findWorkspaceSymbols('').map((s) => s.name).sort();
  assert.deepEqual(names, ['GitRepository flux-system/flux-system', 'HelmRelease flux-system/cache', 'Kustomization flux-system/podinfo', 'Kustomization flux-system/redis', 'OCIRepository flux-system/cache-chart']);
});

test('rename of an anchored name keeps the anchor and updates references', () => {
  const { service, text, lines } = load();
  const result = service.doRename(URI, lines.positionAt(text.indexOf('&app redis') + 6), 'valkey');
  assert.ok('edit' in result && result.edit, JSON.stringify(result));
  const edits = Object.values(result.edit.changes ?? {}).flat();
  let out = text;
  for (const e of [...edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start))) {
    out = out.slice(0, lines.offsetAt(e.range.start)) + e.newText + out.slice(lines.offsetAt(e.range.end));
  }
  assert.match(out, /name: &app valkey\n/);
  assert.match(out, /dependsOn:\n {4}- name: valkey\n/);
  assert.equal(edits.length, 2);
});
