/**
 * A wait that survives kube-apiserver going away: on a private control plane
 * (so other test files are not disturbed), the watch drops when the API
 * server restarts, the wait falls back to polling until the server is back,
 * opens a new watch, and still sees the controller's answer written after
 * the restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { connectCluster } from '../../server/cluster-host.ts';
import type { ClusterHost, ObjectRef } from '../../engine/cluster/host.ts';
import { requestReconcile } from '../../engine/cluster/reconcile.ts';
import { waitForReconcile, type WaitProgress } from '../../engine/cluster/wait.ts';
import { nodeClock } from '../../server/node-host.ts';

let cp: ControlPlane;
let host: ClusterHost;
const ns = 'fh-restart';
const ref: ObjectRef = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo', namespace: ns };

before(async () => {
  cp = await startControlPlane({ fresh: true });
  assert.equal(cp.kubectl(['create', 'namespace', ns]).status, 0);
  const h = connectCluster({ kubeconfig: cp.kubeconfig, namespace: ns, timeoutMs: 5000 });
  assert.ok(h.ok);
  host = h.value;
});

after(async () => {
  await cp?.stop();
});

test('the watch drops on an API server restart and the wait resumes', { timeout: 300000 }, async () => {
  const applied = await host.apply({
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: ns },
    spec: { interval: '5m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
  });
  assert.ok(applied.ok);
  const req = await requestReconcile(host, ref, Date.now());
  assert.ok(req.ok);
  const progress: WaitProgress[] = [];
  const waiting = waitForReconcile(host, ref, req.value.requestedAt, { clock: nodeClock,  pollMs: 500, timeoutMs: 240000, onProgress: (p) => progress.push(p) });
  await new Promise((r) => setTimeout(r, 500));
  await cp.restartApiServer();
  // Answer only after the restart: the wait must have reconnected to see it.
  const gen = applied.value.metadata.generation;
  const res = await cp.request('PATCH', `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/podinfo/status`, {
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({ status: {
      lastHandledReconcileAt: req.value.requestedAt, observedGeneration: gen,
      conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', message: 'after restart', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    } }),
  });
  assert.equal(res.status, 200, res.body);
  const verdict = await waiting;
  assert.ok(verdict.ok, JSON.stringify(!verdict.ok && verdict.error));
  assert.deepEqual(verdict.value, { state: 'ready', reason: 'UpgradeSucceeded', message: 'after restart' });
  assert.ok(progress.some((p) => /^watch (dropped|closed)/.test(p.detail)), JSON.stringify(progress.map((p) => p.detail)));
});
