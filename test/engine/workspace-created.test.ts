/**
 * Objects that something in the repository creates count as present
 * (issue #11, cause 6): the Flux Operator's sync objects (FluxInstance and
 * the flux-instance chart), the placeholder gotk-sync.yaml of `flux
 * bootstrap`, ArtifactGenerator artifacts, ExternalSecret / SealedSecret
 * Secrets, cert-manager Certificate Secrets and ObjectBucketClaim ConfigMaps
 * and Secrets. References to anything else are still reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
// Kept: the workspace model, only to observe the created objects and operator syncs (no façade verb lists them).
import { Workspace } from '../../engine/workspace/model.ts';
import { createLanguageService, pathToUri, uriToPath } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';
// Kept: converts the test's offsets to positions and back.
import { LineIndex } from '../../engine/yaml/lines.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'created-objects');

function run() {
  const host = loadFixture(fixture);
  const ws = new Workspace(host, { roots: ['/ws'], repoRoot: '/ws' });
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  const flat: string[] = [];
  // The façade's workspace findings also hold build findings (paths read from artifacts); this file is about references.
  for (const [uri, list] of service.doWorkspaceValidation()) {
    for (const d of list) if (d.code === 'dangling-reference') flat.push(`${uriToPath(uri)!.slice(4)}:${d.range.start.line + 1} ${d.severity} ${d.code}: ${d.message}`);
  }
  return { ws, service, host, flat: flat.sort() };
}

test('only references to objects nobody writes or creates are reported', () => {
  const { flat } = run();
  // An ExternalSecret creates a Secret, not a ConfigMap; no generator creates extras-artifact.
  assert.deepEqual(flat.map((l) => l.replace(/:.*?: /, ': ').split(' was')[0]), [
    'apps/secrets.yaml: ConfigMap `db-credentials` in namespace apps',
    'clusters/prod/apps.yaml: ExternalArtifact `extras-artifact` in namespace flux-system',
  ]);
  assert.match(flat[1], /^clusters\/prod\/apps\.yaml:54 warning dangling-reference/);
});

test('created objects are named and placed as their creators make them', () => {
  const { ws } = run();
  const created = [...ws.index.allCreated()].map((o) => `${o.kind} ${o.namespace ?? '-'}/${o.name} <- ${o.createdBy?.kind}`).sort();
  assert.deepEqual(created, [
    'ConfigMap apps/media-bucket <- ObjectBucketClaim',
    'ExternalArtifact flux-system/infra-artifact <- ArtifactGenerator',
    'GitRepository edge-system/edge-system <- HelmRelease',
    'GitRepository flux-system/flux-system <- gotk-sync.yaml',
    'Kustomization edge-system/edge-system <- HelmRelease',
    'Kustomization flux-system/flux-system <- gotk-sync.yaml',
    'Kustomization ops-system/fleet <- FluxInstance',
    'OCIRepository ops-system/fleet <- FluxInstance',
    'Secret apps/api-token <- SealedSecret',
    'Secret apps/db-credentials <- ExternalSecret',
    'Secret apps/media-bucket <- ObjectBucketClaim',
    'Secret apps/registry-tls <- Certificate',
  ]);
  // Created objects are not declarations: the plain lookup and the object list do not include them.
  assert.equal(ws.index.find('Secret', 'db-credentials').length, 0);
  assert.ok(![...ws.index.allObjects()].some((o) => o.createdBy));
});

test('go to definition on a reference to a created object opens what creates it', () => {
  const { service, host } = run();
  const file = '/ws/clusters/prod/apps.yaml';
  const lines = new LineIndex(host.files[file]);
  const at = lines.positionAt(host.files[file].indexOf('kind: ExternalArtifact\n    name: infra-artifact') + 35);
  const [loc] = service.findDefinition(pathToUri(file), at);
  assert.ok(loc, 'a definition');
  assert.ok(loc.uri.endsWith('/ws/clusters/prod/apps.yaml'));
  const target = new LineIndex(host.files[file]).offsetAt(loc.range.start);
  assert.equal(host.files[file].slice(target, target + 'infra-artifact'.length), 'infra-artifact');
  assert.ok(target < host.files[file].indexOf('kind: Kustomization\nmetadata:\n  name: infra'), 'the name in the ArtifactGenerator');
});

test('editing the creator updates what exists', () => {
  const { service, host } = run();
  const file = '/ws/apps/secrets.yaml';
  service.updateFile(pathToUri(file), host.files[file].replace('name: db-credentials\n  dataFrom', 'name: db-creds\n  dataFrom'));
  service.refreshWorkspaceDiagnostics();
  const after = service.doWorkspaceValidation().get(pathToUri(file)) ?? [];
  assert.deepEqual(after.map((d) => d.message.split(' was')[0]).sort(), ['ConfigMap `db-credentials` in namespace apps', 'Secret `db-credentials` in namespace apps']);
});

test('operator syncs are cluster roots with their path', async () => {
  const { operatorSyncs } = await import('../../engine/operator/sync.ts');
  const { ws } = run();
  const syncs = operatorSyncs(ws.index).map((s) => `${s.from.kind} ${s.namespace}/${s.name} ${s.sourceKind} ${s.url} ${s.path}`).sort();
  assert.deepEqual(syncs, [
    'FluxInstance ops-system/fleet OCIRepository oci://ghcr.io/example/fleet clusters/ops',
    'HelmRelease edge-system/edge-system GitRepository https://github.com/example/edge clusters/edge',
  ]);
});
