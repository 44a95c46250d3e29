/**
 * Waiting for a reconcile against the real control plane, with this test
 * playing helm-controller / source-controller through the status
 * subresource: success once the request is handled (by watch), InstallFailed
 * and Stalled/RetriesExceeded verdicts, a timeout, cancellation, resume,
 * sources first with --with-source, suspended objects, Events, and the
 * cluster conditions mapped onto the workspace document.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { connectCluster } from '../../server/cluster-host.ts';
import type { ClusterHost, ObjectRef } from '../../engine/cluster/host.ts';
import { REQUESTED_AT, requestReconcile, resume, suspend } from '../../engine/cluster/reconcile.ts';
import { waitForReconcile, type WaitProgress } from '../../engine/cluster/wait.ts';
import { reconcileWaves } from '../../engine/cluster/run.ts';
import { summarize, statusTitle } from '../../engine/cluster/conditions.ts';
import { nodeClock } from '../../server/node-host.ts';

let cp: ControlPlane;
let host: ClusterHost;
const ns = `fh-wait-${randomBytes(3).toString('hex')}`;
const plural: Record<string, string> = { HelmRelease: 'helmreleases', HelmRepository: 'helmrepositories', HelmChart: 'helmcharts' };

const hrRef = (name: string): ObjectRef => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name, namespace: ns });

async function createRelease(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await host.apply({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: ns },
    spec: { interval: '5m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } }, ...extra },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
}

type Cond = { type: string; status: string; reason: string; message: string };

/** Writes status the way a Flux controller would. */
async function controller(ref: ObjectRef, handled: string, conditions: Cond[], extra: Record<string, unknown> = {}): Promise<void> {
  const live = await host.get(ref);
  assert.ok(live.ok);
  const gen = live.value.metadata.generation;
  const group = ref.apiVersion;
  const res = await cp.request('PATCH', `/apis/${group}/namespaces/${ns}/${plural[ref.kind]}/${ref.name}/status`, {
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({
      status: {
        lastHandledReconcileAt: handled,
        observedGeneration: gen,
        conditions: conditions.map((c) => ({ ...c, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: gen })),
        ...extra,
      },
    }),
  });
  assert.equal(res.status, 200, res.body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  cp = await startControlPlane();
  assert.equal(cp.kubectl(['create', 'namespace', ns]).status, 0);
  const h = connectCluster({ kubeconfig: cp.kubeconfig, namespace: ns });
  assert.ok(h.ok);
  host = h.value;
});

after(async () => {
  await cp?.stop();
});

describe('waiting for the controller', () => {
  test('success: pending until the request is handled, then Reconciling, then Ready=True (seen by watch)', async () => {
    await createRelease('ok');
    const req = await requestReconcile(host, hrRef('ok'), Date.now());
    assert.ok(req.ok);
    const progress: WaitProgress[] = [];
    const waiting = waitForReconcile(host, hrRef('ok'), req.value.requestedAt, { clock: nodeClock,  pollMs: 60000, timeoutMs: 20000, onProgress: (p) => progress.push(p) });
    await sleep(300);
    await controller(hrRef('ok'), '2020-01-01T00:00:00Z', [{ type: 'Ready', status: 'True', reason: 'Old', message: 'an older answer' }]);
    await sleep(300);
    await controller(hrRef('ok'), req.value.requestedAt, [
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Running upgrade' },
      { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Running upgrade' },
    ]);
    await sleep(300);
    await controller(hrRef('ok'), req.value.requestedAt, [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded for release podinfo' }]);
    const verdict = await waiting;
    assert.ok(verdict.ok, JSON.stringify(!verdict.ok && verdict.error));
    assert.deepEqual(verdict.value, { state: 'ready', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded for release podinfo' });
    // pollMs is a minute: only the watch can have delivered these in time.
    assert.ok(progress.some((p) => p.detail === 'Running upgrade' && p.watching), JSON.stringify(progress));
  });

  test('InstallFailed is reported with its message', async () => {
    await createRelease('fails');
    const req = await requestReconcile(host, hrRef('fails'), Date.now());
    assert.ok(req.ok);
    const waiting = waitForReconcile(host, hrRef('fails'), req.value.requestedAt, { clock: nodeClock,  timeoutMs: 20000 });
    await sleep(200);
    await controller(hrRef('fails'), req.value.requestedAt, [
      { type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'Helm install failed for release fails/podinfo with chart podinfo@6.7.1: context deadline exceeded' },
      { type: 'Released', status: 'False', reason: 'InstallFailed', message: 'install failed' },
    ]);
    const verdict = await waiting;
    assert.ok(verdict.ok);
    assert.equal(verdict.value.state, 'failed');
    assert.equal(verdict.value.reason, 'InstallFailed');
    assert.match(verdict.value.message ?? '', /context deadline exceeded/);
  });

  test('Stalled with RetriesExceeded ends the wait as failed even though Ready is Unknown', async () => {
    await createRelease('stalled');
    const req = await requestReconcile(host, hrRef('stalled'), Date.now(), { reset: true });
    assert.ok(req.ok);
    assert.equal(req.value.object.metadata.annotations?.['reconcile.fluxcd.io/resetAt'], req.value.requestedAt);
    const waiting = waitForReconcile(host, hrRef('stalled'), req.value.requestedAt, { clock: nodeClock,  timeoutMs: 20000 });
    await controller(hrRef('stalled'), req.value.requestedAt, [
      { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to upgrade after 3 attempt(s)' },
      { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'Helm upgrade failed' },
    ]);
    const verdict = await waiting;
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.value, { state: 'failed', reason: 'RetriesExceeded', message: 'Failed to upgrade after 3 attempt(s)' });
    const live = await host.get(hrRef('stalled'));
    assert.ok(live.ok);
    const s = summarize(live.value);
    assert.equal(s.stalled?.reason, 'RetriesExceeded');
    assert.match(statusTitle(s, Date.now()), /^Not ready ✗ RetriesExceeded/);
  });

  test('nobody answers: a timeout naming what it was waiting for; an abort: cancelled', async () => {
    await createRelease('silent');
    const req = await requestReconcile(host, hrRef('silent'), Date.now());
    assert.ok(req.ok);
    const t0 = Date.now();
    const timedOut = await waitForReconcile(host, hrRef('silent'), req.value.requestedAt, { clock: nodeClock,  timeoutMs: 1200 });
    assert.ok(!timedOut.ok);
    assert.equal(timedOut.error.kind, 'timeout');
    assert.match(timedOut.error.message, /timed out after 1s waiting for HelmRelease silent: waiting for the controller to pick up the request/);
    assert.ok(Date.now() - t0 < 5000);
    const ac = new AbortController();
    const cancelled = waitForReconcile(host, hrRef('silent'), req.value.requestedAt, { clock: nodeClock,  signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    const r = await cancelled;
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'cancelled');
  });

  test('suspend refuses reconciles; resume requests one in the same patch and waits for it', async () => {
    await createRelease('sus');
    assert.ok((await suspend(host, hrRef('sus'))).ok);
    const refused = await requestReconcile(host, hrRef('sus'), Date.now());
    assert.ok(!refused.ok);
    assert.equal(refused.error.kind, 'suspended');
    const res = await resume(host, hrRef('sus'), Date.now());
    assert.ok(res.ok);
    assert.equal((res.value.object.spec as { suspend: boolean }).suspend, false);
    assert.equal(res.value.object.metadata.annotations?.[REQUESTED_AT], res.value.requestedAt);
    const waiting = waitForReconcile(host, hrRef('sus'), res.value.requestedAt, { clock: nodeClock,  timeoutMs: 20000 });
    await controller(hrRef('sus'), res.value.requestedAt, [{ type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'ok' }]);
    assert.deepEqual((await waiting).ok, true);
  });

  test('with source: the HelmRepository, then the HelmChart <ns>-<name>, then the release', async () => {
    const repo: ObjectRef = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', name: 'podinfo', namespace: ns };
    const chart: ObjectRef = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', name: `${ns}-withsrc`, namespace: ns };
    assert.ok((await host.apply({ apiVersion: repo.apiVersion, kind: repo.kind, metadata: { name: repo.name, namespace: ns }, spec: { interval: '1h', url: 'https://stefanprodan.github.io/podinfo' } })).ok);
    assert.ok((await host.apply({ apiVersion: chart.apiVersion, kind: chart.kind, metadata: { name: chart.name, namespace: ns }, spec: { interval: '1h', chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } }, { fieldManager: 'helm-controller' })).ok);
    await createRelease('withsrc');
    const order: string[] = [];
    // The "controllers": answer each request as soon as it appears.
    let stop = false;
    const answer = async () => {
      while (!stop) {
        for (const ref of [repo, chart, hrRef('withsrc')]) {
          const live = await host.get(ref);
          const asked = live.ok ? live.value.metadata.annotations?.[REQUESTED_AT] : undefined;
          const handled = live.ok ? (live.value.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt : undefined;
          if (asked && asked !== handled) {
            order.push(ref.kind);
            await controller(ref, asked, [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `${ref.kind} ok` }]);
          }
        }
        await sleep(50);
      }
    };
    const answering = answer();
    const outcomes = await reconcileWaves(host, [[{ ref: hrRef('withsrc'), sources: [repo, chart], dependsOn: [] }]], { clock: nodeClock,  withSource: true, wait: true, timeoutMs: 20000 });
    stop = true;
    await answering;
    assert.deepEqual(order, ['HelmRepository', 'HelmChart', 'HelmRelease']);
    assert.equal(outcomes[0]!.verdict?.state, 'ready');
    assert.deepEqual(outcomes[0]!.sources.map((s) => s.verdict?.message), ['HelmRepository ok', 'HelmChart ok']);
  });

  test('events of an object, oldest first', async () => {
    for (const [i, reason] of ['ArtifactFailed', 'InstallFailed'].entries()) {
      const ev = {
        apiVersion: 'v1', kind: 'Event', metadata: { name: `ok.${i}`, namespace: ns },
        involvedObject: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'ok', namespace: ns },
        type: 'Warning', reason, message: `${reason} happened`, count: i + 1, source: { component: 'helm-controller' },
        lastTimestamp: `2026-01-01T00:0${i}:00Z`, firstTimestamp: '2026-01-01T00:00:00Z',
      };
      const r = await cp.request('POST', `/api/v1/namespaces/${ns}/events`, { body: JSON.stringify(ev), contentType: 'application/json' });
      assert.equal(r.status, 201, r.body);
    }
    const events = await host.events(hrRef('ok'));
    assert.ok(events.ok);
    assert.deepEqual(events.value.map((e) => [e.reason, e.count, e.source]), [['ArtifactFailed', 1, 'helm-controller'], ['InstallFailed', 2, 'helm-controller']]);
  });
});
