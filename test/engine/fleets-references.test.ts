/**
 * The four real fleets in ../shared/fleets (issue #11): every object there is
 * applied by a real Flux, so references between objects must all resolve
 * once objects created by something in the repository count (the sync
 * objects of `flux bootstrap` and of the Flux Operator, ArtifactGenerator
 * artifacts, ExternalSecret Secrets) and names with YAML anchors are read as
 * Kubernetes reads them. Before these fixes the reference check gave 8, 6,
 * 6 and 78 false dangling-reference warnings on them (hub-spoke,
 * kustomize-helm, multi-tenancy, home-ops). What is kept is listed with its
 * reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, uriToPath } from '../../engine/index.ts';
// Kept for the last two tests: the created objects, the operator detection and the bare Alert schema have no façade verb.
import { Workspace } from '../../engine/workspace/model.ts';
import { SchemaRegistry } from '../../engine/schemas/registry.ts';
import { validateFile } from '../../engine/validation/validate.ts';
import { fluxOperatorManages } from '../../engine/schemas/operator-patch.ts';
import { loadFixture } from '../support/disk-fixture.ts';

const FLEETS = join(import.meta.dirname, '..', '..', '..', 'shared', 'fleets');

function load(name: string) {
  const host = loadFixture(join(FLEETS, name));
  return { host, ws: new Workspace(host, { roots: ['/ws'] }) };
}

function graphFindings(name: string): string[] {
  const service = createLanguageService(loadFixture(join(FLEETS, name)));
  service.openWorkspace({ roots: ['/ws'] });
  const out: string[] = [];
  for (const [uri, list] of service.doWorkspaceValidation()) {
    // The façade's workspace findings also hold the builds' notes that a path is read from another source
    // (flux-path-elsewhere, info); this file is about references.
    for (const d of list) if (d.code !== 'flux-path-elsewhere') out.push(`${uriToPath(uri)!.slice(4)}:${d.range.start.line + 1} ${d.severity} ${d.code}: ${d.message.split(' was ')[0]}`);
  }
  return out.sort();
}

test('flux2-kustomize-helm-example: the ArtifactGenerator creates the ExternalArtifacts the Kustomizations use', () => {
  assert.deepEqual(graphFindings('flux2-kustomize-helm-example'), []);
});

test('flux2-multi-tenancy and flux2-hub-spoke-example: the placeholder gotk-sync.yaml stands for the flux-system sync objects', () => {
  assert.deepEqual(graphFindings('flux2-multi-tenancy'), []);
  // Kept: the hub reaches its spokes with a kubeconfig Secret that cluster provisioning creates outside Git (info).
  assert.deepEqual(graphFindings('flux2-hub-spoke-example'), [
    'hub/production.yaml:24 info dangling-reference: Secret `cluster-kubeconfig` in namespace production',
    'hub/production.yaml:82 info dangling-reference: Secret `cluster-kubeconfig` in namespace production',
    'hub/staging.yaml:24 info dangling-reference: Secret `cluster-kubeconfig` in namespace staging',
    'hub/staging.yaml:82 info dangling-reference: Secret `cluster-kubeconfig` in namespace staging',
  ]);
});

test('onedr0p-home-ops: the flux-instance chart creates the sync objects; ExternalSecrets create Secrets; anchored names resolve', () => {
  assert.deepEqual(graphFindings('onedr0p-home-ops'), []);
  const { ws } = load('onedr0p-home-ops');
  const sync = [...ws.index.allCreated()].filter((o) => o.createdBy?.kind === 'HelmRelease').map((o) => `${o.kind} ${o.name}`);
  assert.deepEqual(sync.sort(), ['GitRepository flux-system', 'Kustomization flux-system']);
  assert.ok(![...ws.index.allObjects()].some((o) => o.name.startsWith('&')), 'no anchor left in a name');
});

test('onedr0p-home-ops: with the Flux Operator managing the cluster, Alerts on FluxInstance events are valid', () => {
  const { ws } = load('onedr0p-home-ops');
  assert.equal(fluxOperatorManages(ws.index), true);
  const file = '/ws/kubernetes/components/alerts/alertmanager/alert.yaml';
  const registry = new SchemaRegistry();
  const before = validateFile(ws.index.parsedFile(file)!, registry).map((d) => d.code);
  assert.deepEqual(before, ['enum'], 'the bundled Alert schema alone rejects FluxInstance');
  registry.setFluxOperator(fluxOperatorManages(ws.index));
  assert.deepEqual(validateFile(ws.index.parsedFile(file)!, registry), []);
  assert.equal(fluxOperatorManages(load('flux2-multi-tenancy').ws.index), false);
});
