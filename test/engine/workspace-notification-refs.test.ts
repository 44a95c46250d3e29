/**
 * References that were never checked before issue #11: an Alert's
 * providerRef and eventSources, a Receiver's resources and Secret, a
 * Provider's Secret, an ImagePolicy's imageRepositoryRef and an
 * ImageUpdateAutomation's sourceRef. Wildcards and label selectors name no
 * single object. The "set `namespace:`" hint is only given to references
 * that do not write a namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri, type Diagnostic } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';
import type { EngineHost } from '../../engine/index.ts';

/** The workspace findings of one file, through the façade. */
function findings(host: EngineHost, file: string): Diagnostic[] {
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  return service.doWorkspaceValidation().get(pathToUri(file)) ?? [];
}

test('missing providers, event sources, receiver resources, image repositories and automation sources are reported on their names', () => {
  const host = loadFixture(join(import.meta.dirname, '..', 'fixtures', 'notification-refs'));
  const file = '/ws/notifications.yaml';
  const found = findings(host, file).map((d) => `${d.range.start.line + 1} ${d.severity}: ${d.message}`);
  assert.deepEqual(found, [
    '10 info: Secret `slack-webhook` in namespace monitoring was not found in the workspace; Secrets are often created outside Git, but Flux needs it in the cluster',
    '19 warning: Provider `slakc` in namespace monitoring was not found in the workspace — did you mean `slack`?',
    '24 warning: HelmRelease `podinfo` in namespace apps was not found in the workspace',
    '27 warning: HelmRelease `grafana` in namespace monitoring was not found in the workspace; one exists in namespace observability (a reference without a namespace looks only in its own namespace: set `namespace: observability`)',
    '41 info: Secret `webhook-token` in namespace monitoring was not found in the workspace; Secrets are often created outside Git, but Flux needs it in the cluster',
    '47 warning: GitRepository `podinfo` in namespace apps was not found in the workspace',
    '66 warning: ImageRepository `podinfo-image` in namespace apps was not found in the workspace',
    '80 warning: GitRepository `fleet` in namespace apps was not found in the workspace; one exists in namespace flux-system (a reference without a namespace looks only in its own namespace: set `namespace: flux-system`)',
  ]);
});

test('a reference that writes its namespace gets no "set namespace" hint', () => {
  const host = loadFixture(join(import.meta.dirname, '..', 'fixtures', 'notification-refs'));
  const file = '/ws/notifications.yaml';
  host.files[file] = host.files[file].replace('      name: podinfo\n      namespace: apps\n---', '      name: fleet\n      namespace: apps\n---');
  const messages = findings(host, file).map((d) => d.message).filter((m) => m.startsWith('GitRepository `fleet` in namespace apps'));
  assert.equal(messages.length, 2);
  assert.ok(messages.some((m) => m.endsWith('one exists in namespace flux-system')), messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('set `namespace: flux-system`')), 'the automation without a namespace keeps the hint');
});
