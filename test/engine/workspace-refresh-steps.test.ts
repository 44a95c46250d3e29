/**
 * The workspace refresh in steps (`refreshWorkspaceSteps`, issue 16): the
 * server runs it a few milliseconds at a time between messages, so typing
 * never waits for the cross-file check. Through the façade on
 * test/fixtures/broken-fleet: the stepped refresh gives exactly what the
 * one-go refresh gives; an edit between two steps drops the work (no
 * findings computed on older text are kept), and the next refresh reports
 * the edited state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLanguageService, pathToUri, type LanguageService } from '../../engine/index.ts';
import { loadFixture } from '../support/disk-fixture.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'broken-fleet');
const kustomization = '/ws/infrastructure/kustomization.yaml';
const monitoring = '/ws/infrastructure/monitoring.yaml';

function open() {
  const host = loadFixture(fixture);
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  return { host, service };
}

/** Runs a stepped refresh to its end; the number of steps and its result. */
function runSteps(service: LanguageService, between?: (step: number) => void): { steps: number; result: string[] | undefined } {
  const job = service.refreshWorkspaceSteps();
  for (let steps = 0; ; steps++) {
    const r = job.next();
    if (r.done) return { steps, result: r.value };
    between?.(steps);
  }
}

const findings = (service: LanguageService) => [...service.doWorkspaceValidation()].map(([uri, list]) => `${uri} ${JSON.stringify(list)}`).sort();
const published = (service: LanguageService, path: string) => service.diagnosticsOfClosed(pathToUri(path)).map((d) => `${d.range.start.line + 1} ${d.code}`);

test('the stepped refresh yields several times and publishes what the one-go refresh publishes', () => {
  const a = open();
  const b = open();
  const sync = a.service.refreshWorkspaceDiagnostics().sort();
  const stepped = runSteps(b.service);
  assert.ok(stepped.steps >= 3, `only ${stepped.steps} steps`);
  assert.deepEqual(stepped.result?.sort(), sync);
  assert.ok(sync.includes(pathToUri(kustomization)));
  assert.deepEqual(findings(b.service), findings(a.service));
  assert.deepEqual(published(b.service, kustomization), published(a.service, kustomization));
  assert.ok(published(b.service, kustomization).some((d) => d.endsWith('missing-path')));
});

test('an edit between steps drops the work; the next refresh reports the edited workspace', () => {
  const { host, service } = open();
  service.refreshWorkspaceDiagnostics();
  const before = published(service, kustomization);
  assert.ok(before.some((d) => d.endsWith('missing-path')), 'the missing monitoring.yaml is reported');
  // The missing file appears while a refresh is half done.
  host.files[monitoring] = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n';
  const dropped = runSteps(service, (step) => {
    if (step === 1) service.updateFile(pathToUri(monitoring), host.files[monitoring]);
  });
  assert.equal(dropped.result, undefined, 'the refresh overtaken by the edit is dropped');
  assert.deepEqual(published(service, kustomization), before, 'nothing computed on the old state was published');
  const next = runSteps(service);
  assert.deepEqual(next.result, [pathToUri(kustomization)]);
  assert.deepEqual(published(service, kustomization), []);
});

test('a duplicate key in a file a Flux Kustomization builds is reported once, not again as a build YAML error', () => {
  const host = loadFixture(join(import.meta.dirname, '..', '..', 'examples', 'fleet'));
  const service = createLanguageService(host);
  service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
  const path = '/ws/clusters/staging/infrastructure.yaml';
  const text = host.files[path].replace(/\n {2}interval: (\S+)\n/, '\n  interval: $1\n  interval: 2m\n');
  const file = service.parse(pathToUri(path), text);
  service.updateFile(pathToUri(path), text, file);
  service.refreshWorkspaceDiagnostics();
  const found = service.diagnostics(file).map((d) => `${d.range.start.line + 1}:${d.range.start.character} ${d.code}`);
  assert.deepEqual(found, ['8:2 duplicate-key']);
});

test('the fleet is evaluated in steps, one per Kustomization it builds, to the state get() computes', async () => {
  const { Workspace } = await import('../../engine/workspace/model.ts');
  const fleetOf = () => new Workspace(loadFixture(join(import.meta.dirname, '..', '..', 'examples', 'fleet')), { roots: ['/ws'], repoRoot: '/ws' });
  const a = fleetOf();
  const b = fleetOf();
  const whole = a.fleet.get();
  const steps = b.fleet.getSteps();
  let count = 0;
  let r = steps.next();
  for (; !r.done; r = steps.next()) count++;
  assert.ok(count >= whole.evaluations.length, `${count} steps for ${whole.evaluations.length} Kustomizations`);
  assert.ok(b.fleet.current());
  const summary = (s: typeof whole) => JSON.stringify({ reached: [...s.reached].sort(), applied: [...s.applied].sort(), labels: s.evaluations.map((k) => k.label), built: s.kustomizeBuilds.map((k) => k.dir) });
  assert.equal(summary(r.value), summary(whole));
});

test('a forced refresh is not dropped by an edit between its steps: it reports the edited workspace', () => {
  const { host, service } = open();
  service.refreshWorkspaceDiagnostics();
  assert.ok(published(service, kustomization).some((d) => d.endsWith('missing-path')));
  // An edit the fleet has not seen yet (so the refresh starts with its stepped fleet evaluation), then another one
  // between its steps: the missing file appears.
  service.updateFile(pathToUri(kustomization), `${host.files[kustomization]}# note\n`);
  host.files[monitoring] = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n';
  const job = service.refreshWorkspaceSteps({ forced: true });
  let r = job.next();
  assert.equal(r.done, false);
  service.updateFile(pathToUri(monitoring), host.files[monitoring]);
  for (; !r.done; r = job.next());
  assert.deepEqual(r.value, [pathToUri(kustomization)]);
  assert.deepEqual(published(service, kustomization), [], 'the findings are of the edited workspace');
});

test('the graph after an edit does not evaluate the fleet, and has the patch files the check finds', async () => {
  const { Workspace } = await import('../../engine/workspace/model.ts');
  const { buildDependencyGraph } = await import('../../engine/graph/model.ts');
  const host = loadFixture(join(import.meta.dirname, '..', '..', 'examples', 'fleet'));
  const ws = new Workspace(host, { roots: ['/ws'], repoRoot: '/ws' });
  ws.check();
  const path = Object.keys(host.files).find((p) => p.endsWith('kustomization.yaml') && host.files[p].includes('patches:'))!;
  ws.index.setFileText(path, `${host.files[path]}# edited\n`);
  assert.equal(ws.fleet.current(), false);
  const stale = buildDependencyGraph(ws);
  assert.equal(ws.fleet.current(), false, 'the graph request built the fleet');
  const patches = ws.currentPatchFiles();
  assert.ok(patches.size > 0);
  assert.deepEqual([...ws.check().patchFiles].sort(), [...patches].sort());
  assert.deepEqual(buildDependencyGraph(ws), stale);
});

test('an edit during the fleet evaluation drops the rest of it; the next refresh equals a one-go refresh', () => {
  const fleet = join(import.meta.dirname, '..', '..', 'examples', 'fleet');
  const edit = (host: ReturnType<typeof loadFixture>, service: LanguageService) => {
    const path = '/ws/clusters/staging/infrastructure.yaml';
    service.updateFile(pathToUri(path), host.files[path].replace(/interval: \S+/, 'interval: 7m'));
  };
  const openFleet = () => {
    const host = loadFixture(fleet);
    const service = createLanguageService(host);
    service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
    return { host, service };
  };
  const whole = openFleet();
  const full = runSteps(whole.service).steps;
  const a = openFleet();
  const dropped = runSteps(a.service, (step) => {
    if (step === 1) edit(a.host, a.service);
  });
  assert.equal(dropped.result, undefined);
  assert.ok(dropped.steps < full / 2, `${dropped.steps} steps of ${full} before the refresh stopped`);
  runSteps(a.service);
  const b = openFleet();
  edit(b.host, b.service);
  b.service.refreshWorkspaceDiagnostics();
  assert.deepEqual(findings(a.service), findings(b.service));
});

test("a file of 1,000 HelmReleases: the refresh reads their references in steps (dozens of objects each), with the one-go refresh's findings", async () => {
  const { memoryHost } = await import('../support/memory-host.ts');
  const release = (i: number) =>
    `---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-${i}\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: ${i === 999 ? 'missing' : 'podinfo'}\n${i ? `  dependsOn:\n    - name: app-${i - 1}\n` : ''}`;
  const files = {
    '/ws/repo.yaml': 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n',
    '/ws/releases.yaml': Array.from({ length: 1000 }, (_, i) => release(i)).join(''),
  };
  const openReleases = () => {
    const service = createLanguageService(memoryHost({ ...files }));
    service.openWorkspace({ roots: ['/ws'], repoRoot: '/ws' });
    return service;
  };
  const a = openReleases();
  const b = openReleases();
  const whole = a.refreshWorkspaceDiagnostics().sort();
  const stepped = runSteps(b);
  // 1,000 objects' references, at most 20 read per step: no step reads them all.
  assert.ok(stepped.steps >= 50, `only ${stepped.steps} steps`);
  assert.deepEqual(stepped.result?.sort(), whole);
  assert.deepEqual(findings(b), findings(a));
  // The last release's missing HelmRepository (line 14 of its 16 lines; the first release has 14).
  assert.deepEqual(published(b, '/ws/releases.yaml'), [`${14 + 998 * 16 + 14} dangling-reference`]);
});
