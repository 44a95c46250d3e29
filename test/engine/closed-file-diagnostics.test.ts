/**
 * Diagnostics of a file that is not open (issue 16's fuzz race): when the
 * editor closes a file, the disk text is the truth again, and what is
 * published for it must belong to that text. Cross-file findings computed
 * on the editor's text (a kustomization with a missing resource, edited in
 * the editor to be much longer) are not shown on the disk text clamped to
 * wrong lines; the next workspace refresh republishes the file with the
 * findings of the disk text, also when they happen to be the same list.
 * Through the façade on test/fixtures/broken-fleet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'broken-fleet');
const path = '/ws/infrastructure/kustomization.yaml';
const uri = pathToUri(path);

function open() {
  const host = loadFixture(fixture);
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  service.refreshWorkspaceDiagnostics();
  return { host, service };
}
const shown = (service: ReturnType<typeof open>['service']) => service.diagnosticsOfClosed(uri).map((d) => `${d.range.start.line + 1}:${d.range.start.character} ${d.code}`);

test('a closed file never shows cross-file findings of the editor text it had while open', () => {
  const { host, service } = open();
  const disk = host.files[path];
  const onDisk = shown(service);
  assert.deepEqual(onDisk, ['3:4 missing-path'], 'the missing monitoring.yaml, on the disk text');
  // Open and edit: 200 comment lines above the resources; the refresh reports the finding on line 203.
  const edited = '# note\n'.repeat(200) + disk;
  service.updateFile(uri, edited, service.parse(uri, edited));
  assert.deepEqual(service.refreshWorkspaceDiagnostics(), [uri]);
  // Close: back to the disk text before any refresh ran.
  service.updateFile(uri);
  const lines = disk.split('\n').length;
  for (const d of service.diagnosticsOfClosed(uri)) assert.ok(d.range.end.line < lines, `range of another text: ${JSON.stringify(d.range)}`);
  assert.deepEqual(shown(service), [], 'the editor text’s finding is not moved onto the disk text');
  // The refresh that follows the close republishes the file with the disk text's findings.
  assert.deepEqual(service.refreshWorkspaceDiagnostics(), [uri]);
  assert.deepEqual(shown(service), onDisk);
});

test('a file whose text changed is republished by the refresh even when its findings read the same', () => {
  const { host, service } = open();
  const disk = host.files[path];
  // An edit below the finding: the same list of findings, on another text.
  const edited = `${disk}# a comment at the end\n`;
  service.updateFile(uri, edited, service.parse(uri, edited));
  assert.deepEqual(service.refreshWorkspaceDiagnostics(), [uri], 'the open text is republished');
  service.updateFile(uri);
  assert.deepEqual(service.refreshWorkspaceDiagnostics(), [uri], 'the closed file is republished with the disk text');
  assert.deepEqual(shown(service), ['3:4 missing-path']);
});
