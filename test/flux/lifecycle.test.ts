/**
 * Suspend, resume, diff and "is anybody listening?" against the real Flux
 * controllers: after `fluxhelm reconcile` installed a release, `fluxhelm
 * diff` reports no differences although helm-controller has written status
 * and finalizers; a workspace edit is a difference (exit 1). Suspending from
 * the editor sets spec.suspend, the lens says Suspended, `fluxhelm
 * reconcile` refuses; resuming makes helm-controller upgrade with the new
 * values. The engine's pickup deadline (engine/cluster/pickup.ts) says
 * plainly when no controller runs for a kind (ImageRepository: no
 * image-reflector-controller here) and when a controller that used to run
 * (helm-controller, stopped by the test) does not pick the request up,
 * instead of waiting out the timeout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxhelm, helmRepositoryYaml, startSandbox, writeTree, type Sandbox } from './sandbox.ts';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/util/uri.ts';
import { connectCluster } from '../../server/cluster-host.ts';
import { requestReconcile } from '../../engine/cluster/reconcile.ts';
import { waitWithPickup } from '../../engine/cluster/pickup.ts';
import { killAndWait } from '../cluster/processes.ts';
import type { ClusterHost } from '../../engine/cluster/host.ts';
import type { Clock } from '../../engine/host.ts';

const root = join(import.meta.dirname, '..', '..');
let sb: Sandbox;
let dir: string;
let ns: string;
const clock: Clock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

const releaseYaml = (greeting: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: life
  namespace: ${ns}
spec:
  interval: 1h
  chart:
    spec:
      chart: greeter
      version: 1.0.0
      sourceRef:
        kind: HelmRepository
        name: charts
  values:
    greeting: ${greeting}
`;

before(async () => {
  sb = await startSandbox(['source-controller', 'helm-controller']);
  sb.charts.addChart({
    name: 'greeter', version: '1.0.0', values: { greeting: 'hello' },
    templates: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n' },
  });
  ns = sb.namespace('fh-life');
  dir = mkdtempSync(join(tmpdir(), 'fh-flux-life-'));
  writeTree(dir, { 'apps/repo.yaml': helmRepositoryYaml(ns, 'charts', sb.charts.url), 'apps/release.yaml': releaseYaml('one') });
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sb?.stop();
});

function host(): ClusterHost {
  const h = connectCluster({ kubeconfig: sb.cp.kubeconfig });
  assert.ok(h.ok);
  return h.value;
}

const kube = () => ['--kubeconfig', sb.cp.kubeconfig];
const greeting = () => sb.get('configmap', ns, 'life-greeting')?.data?.greeting;

describe('lifecycle against real Flux', () => {
  test('diff after apply: the controller’s status and finalizers are no difference; a workspace edit is', async () => {
    const r = await fluxhelm(['reconcile', join(dir, 'apps'), '--yes', '--timeout', '2m', ...kube()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(greeting(), 'one');
    const live = sb.get('helmrelease', ns, 'life')!;
    assert.ok((live.metadata.finalizers ?? []).length > 0, 'helm-controller added its finalizer');
    const same = await fluxhelm(['diff', join(dir, 'apps'), ...kube()]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /no differences/);
    writeFileSync(join(dir, 'apps', 'release.yaml'), releaseYaml('two'));
    const changed = await fluxhelm(['diff', join(dir, 'apps'), ...kube()]);
    assert.equal(changed.code, 1, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /greeting/);
  });

  test('suspend from the editor: lens Suspended, reconcile refused; resume: helm-controller upgrades', async () => {
    const file = join(dir, 'apps', 'release.yaml');
    const uri = pathToUri(file);
    process.env.KUBECONFIG = sb.cp.kubeconfig;
    const client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
    try {
      await client.initialize(dir, { trusted: true });
      client.open(uri, readFileSync(file, 'utf8'), 1);
      const s = await client.request<{ ok: boolean; summary: string }>('fluxhelm/cluster/suspend', { uri, suspend: true }, 60000);
      assert.equal(s.ok, true, s.summary);
      assert.equal(sb.get('helmrelease', ns, 'life')!.spec.suspend, true);
      await sb.until('the Suspended lens', async () => {
        const lenses = await client.request<{ command?: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
        return lenses.map((l) => l.command?.title ?? '').find((t) => t.startsWith('Suspended'));
      }, 30000);

      const refused = await fluxhelm(['reconcile', join(dir, 'apps'), '--yes', '--timeout', '30s', ...kube()]);
      assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
      assert.match(refused.stdout + refused.stderr, /suspended/);
      assert.equal(greeting(), 'one', 'nothing upgraded while suspended');

      const resumed = await client.request<{ ok: boolean; summary: string }>('fluxhelm/cluster/suspend', { uri, suspend: false }, 120000);
      assert.equal(resumed.ok, true, resumed.summary);
      assert.equal(sb.get('helmrelease', ns, 'life')!.spec.suspend, false);
      await sb.until('the upgrade after resume', () => (greeting() === 'two' ? true : undefined), 60000);
      assert.equal(sb.helmRelease(ns, 'life')!.version, 2);
    } finally {
      await client.shutdown();
      delete process.env.KUBECONFIG;
    }
  });

  test('no controller for the kind: a plain verdict after the pickup deadline, not the 5 minute timeout', async () => {
    sb.apply(`apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: ${ns}\nspec:\n  image: ghcr.io/example/app\n  interval: 1h\n`);
    const h = host();
    const ref = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', name: 'app', namespace: ns };
    const req = await requestReconcile(h, ref, Date.now());
    assert.ok(req.ok);
    const t0 = Date.now();
    const w = await waitWithPickup(h, ref, req.value.requestedAt, { clock, pickupMs: 3000, timeoutMs: 300_000 });
    assert.ok(Date.now() - t0 < 20_000, 'well before the timeout');
    assert.ok(w.ok);
    assert.equal(w.value.state, 'no-controller');
    assert.match((w.value as { message: string }).message, /no image-reflector-controller is running/);
  });

  test('a controller that stopped: "did not pick up" with what is known; a running one gives its verdict', async () => {
    const h = host();
    const ref = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'life', namespace: ns };
    // Running: the real verdict.
    const req1 = await requestReconcile(h, ref, Date.now());
    assert.ok(req1.ok);
    const w1 = await waitWithPickup(h, ref, req1.value.requestedAt, { clock, timeoutMs: 120_000 });
    assert.ok(w1.ok);
    assert.equal(w1.value.state, 'ready');
    // Stopped.
    const hc = sb.flux.processes.find((p) => p.name === 'helm-controller')!;
    await killAndWait(hc.pid, hc.binary);
    const req2 = await requestReconcile(h, ref, Date.now() + 1000);
    assert.ok(req2.ok);
    const t0 = Date.now();
    const w2 = await waitWithPickup(h, ref, req2.value.requestedAt, { clock, pickupMs: 4000, timeoutMs: 300_000 });
    assert.ok(Date.now() - t0 < 20_000);
    assert.ok(w2.ok);
    assert.equal(w2.value.state, 'not-picked-up');
    assert.match((w2.value as { message: string }).message, /helm-controller did not pick up the reconcile request for HelmRelease .*\/life within 4s \(the object was last handled at /);
  });
});
