/**
 * The pure planning and presentation parts of engine/cluster, without a
 * cluster: what "reconcile" applies for a HelmRelease and for a folder (with
 * dependsOn waves, Secrets flagged, kustomize patches and generated objects
 * left out), the managed-fields projection used by diffs, API field paths,
 * status summaries and lens titles, and the wait/informer logic over a fake
 * ClusterHost.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHost } from '../support/memory-host.ts';
import { Workspace } from '../../engine/workspace/model.ts';
import { createManualClock } from '../../engine/index.ts';
import { planObject, planPath, waves, type ReconcileTarget } from '../../engine/cluster/plan.ts';
import { managedView, projectFields } from '../../engine/cluster/diff.ts';
import { parseFieldPath, statusTitle, summarize } from '../../engine/cluster/conditions.ts';
import { mapLimit } from '../../engine/cluster/run.ts';
import { waitForReconcile } from '../../engine/cluster/wait.ts';
import type { ClusterHost, WatchEvent } from '../../engine/cluster/host.ts';
import type { ClusterError, KubeObject } from '../../engine/cluster/types.ts';

const hr = (name: string, extra = '') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: ${name}
      sourceRef:
        kind: HelmRepository
        name: charts
${extra}`;

function workspace() {
  const host = memoryHost({
    '/repo/.git/HEAD': 'ref: refs/heads/main\n',
    '/repo/apps/repo.yaml': 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://charts.example.com\n',
    '/repo/apps/db.yaml': hr('db', '  valuesFrom:\n    - kind: ConfigMap\n      name: db-values\n    - kind: Secret\n      name: db-secret\n'),
    '/repo/apps/web.yaml': hr('web', '  dependsOn:\n    - name: db\n'),
    '/repo/apps/edge.yaml': hr('edge', '  dependsOn:\n    - name: web\n    - name: db\n'),
    '/repo/apps/values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-values\n  namespace: apps\ndata:\n  values.yaml: "a: 1"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db-secret\n  namespace: apps\nstringData:\n  values.yaml: "b: 2"\n',
    '/repo/apps/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
    '/repo/apps/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [repo.yaml, db.yaml, web.yaml, edge.yaml, values.yaml, ns.yaml]\npatches:\n  - path: patch.yaml\n',
    '/repo/apps/patch.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  values:\n    replicaCount: 3\n',
  });
  return new Workspace(host, { roots: ['/repo'] });
}

describe('planning', () => {
  test('one HelmRelease: its source, its valuesFrom (Secret flagged), then itself; sources for --with-source', () => {
    const ws = workspace();
    const db = ws.index.find('HelmRelease', 'db')[0]!;
    const plan = planObject(ws, db, 'default');
    assert.deepEqual(plan.apply.map((p) => [p.indexed.kind, p.indexed.name, p.role, p.secret]), [
      ['HelmRepository', 'charts', 'source', false],
      ['ConfigMap', 'db-values', 'values', false],
      ['Secret', 'db-secret', 'values', true],
      ['HelmRelease', 'db', 'target', false],
    ]);
    assert.deepEqual(plan.waves[0]![0]!.sources.map((s) => `${s.kind}/${s.namespace}/${s.name}`), ['HelmRepository/apps/charts', 'HelmChart/apps/apps-db']);
  });

  test('a folder: namespace first, sources, values, releases in dependsOn waves; the kustomize patch and config are not applied', () => {
    const ws = workspace();
    const plan = planPath(ws, '/repo/apps', 'default');
    assert.deepEqual(plan.waves.map((w) => w.map((t) => t.ref.name)), [['db'], ['web'], ['edge']]);
    assert.deepEqual(plan.apply.map((p) => `${p.role}:${p.indexed.kind}/${p.indexed.name}@${p.indexed.file.split('/').pop()}`), [
      'namespace:Namespace/apps@ns.yaml',
      'source:HelmRepository/charts@repo.yaml',
      'values:ConfigMap/db-values@values.yaml',
      'values:Secret/db-secret@values.yaml',
      'target:HelmRelease/db@db.yaml',
      'target:HelmRelease/web@web.yaml',
      'target:HelmRelease/edge@edge.yaml',
    ]);
  });

  test('dependsOn cycles go last with a note', () => {
    const t = (name: string, deps: string[]): ReconcileTarget => ({
      ref: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name, namespace: 'a' },
      sources: [],
      dependsOn: deps.map((d) => `helm.toolkit.fluxcd.io/HelmRelease/a/${d}`),
    });
    const notes: string[] = [];
    const w = waves([t('x', ['y']), t('y', ['x']), t('z', [])], 'a', notes);
    assert.deepEqual(w.map((ws) => ws.map((x) => x.ref.name).sort()), [['z'], ['x', 'y']]);
    assert.match(notes[0]!, /dependsOn cycle/);
  });
});

describe('diff presentation', () => {
  test('projectFields keeps exactly the fields of a fieldsV1 set (maps, keyed lists, value sets)', () => {
    const value = { spec: { a: 1, b: { c: 2, d: 3 }, list: [{ name: 'x', v: 1, other: 9 }, { name: 'y', v: 2 }], tags: ['p', 'q'] }, status: { s: 1 } };
    const set = { 'f:spec': { 'f:b': { 'f:c': {} }, 'f:list': { 'k:{"name":"y"}': { '.': {}, 'f:v': {} } }, 'f:tags': { 'v:"q"': {} } } };
    assert.deepEqual(projectFields(value, set), { spec: { b: { c: 2 }, list: [{ v: 2 }], tags: ['q'] } });
  });

  test('managedView always names the object and drops bookkeeping', () => {
    const obj: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'n', resourceVersion: '5', managedFields: [{ manager: 'fluxhelm', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } }] },
      data: { a: '1', b: '2' },
    };
    assert.deepEqual(managedView(obj, { 'f:data': { 'f:a': {} } }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' }, data: { a: '1' } });
  });

  test('API field paths become YAML paths', () => {
    assert.deepEqual(parseFieldPath('spec.values.list[2].name'), ['spec', 'values', 'list', 2, 'name']);
    assert.deepEqual(parseFieldPath('metadata.labels["app.kubernetes.io/name"]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
  });

  test('status summaries and lens titles', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    const live = (conds: object[], extra: object = {}): KubeObject => ({ apiVersion: 'x/v1', kind: 'HelmRelease', metadata: { name: 'a' }, spec: {}, status: { conditions: conds, ...extra } });
    const ready = live([{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', lastTransitionTime: '2026-11-21T11:58:00Z' }], { history: [{ chartVersion: '20.11.4' }] });
    assert.equal(statusTitle(summarize(ready), now), 'Ready ✓ 20.11.4 (2m ago)');
    assert.equal(statusTitle(summarize(undefined), now), 'Not in cluster');
    const stalled = live([{ type: 'Stalled', status: 'True', reason: 'RetriesExceeded' }, { type: 'Ready', status: 'False', reason: 'UpgradeFailed' }]);
    assert.equal(statusTitle(summarize(stalled), now), 'Not ready ✗ RetriesExceeded');
  });

  test('mapLimit keeps order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(peak, 2);
  });
});

describe('waiting over a fake host, on a manual clock (no sleeping)', () => {
  const ref = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'a', namespace: 'n' };
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  function fakeHost(handledAfterReads: number) {
    const state = { reads: 0 };
    const obj = (handled: string | undefined): KubeObject => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'a', namespace: 'n', generation: 1, resourceVersion: String(state.reads) },
      status: { lastHandledReconcileAt: handled, observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: 'fine' }] },
    });
    const host = {
      context: 'fake', namespace: 'n',
      get: async () => ({ ok: true as const, value: obj(++state.reads >= handledAfterReads ? 'T' : undefined) }),
      watch: (_q: unknown, _e: (e: WatchEvent) => void, onEnd: (e?: ClusterError) => void) => {
        queueMicrotask(() => onEnd({ kind: 'forbidden', message: 'no watch for you' }));
        return { stop() {} };
      },
    } as unknown as ClusterHost;
    return { host, state };
  }

  test('a host whose watch always fails is polled every pollMs until the answer arrives', async () => {
    const clock = createManualClock(1_000);
    const { host, state } = fakeHost(4);
    const details: string[] = [];
    let done: unknown;
    void waitForReconcile(host, ref, 'T', { clock, pollMs: 2000, timeoutMs: 60_000, onProgress: (p) => details.push(p.detail) }).then((r) => (done = r));
    await settle();
    assert.equal(state.reads, 1);
    assert.equal(done, undefined);
    clock.advance(1999);
    await settle();
    assert.equal(state.reads, 1, 'no read before pollMs has passed');
    clock.advance(1);
    await settle();
    assert.equal(state.reads, 2);
    clock.advance(2000);
    await settle();
    clock.advance(2000);
    await settle();
    assert.equal(state.reads, 4);
    assert.deepEqual(done, { ok: true, value: { state: 'ready', reason: 'Ok', message: 'fine' } });
    assert.ok(details.some((d) => d.startsWith('watch dropped (no watch for you)')), details.join('\n'));
    assert.equal(clock.pending, 0, 'every timer is cleared once the wait ends');
  });

  test('the deadline is the clock\'s: a controller that never answers times out exactly at timeoutMs', async () => {
    const clock = createManualClock(0);
    const { host } = fakeHost(Number.POSITIVE_INFINITY);
    const box: { done?: { ok: boolean; error?: { kind: string; message: string } } } = {};
    void waitForReconcile(host, ref, 'T', { clock, pollMs: 1000, timeoutMs: 30_000 }).then((r) => (box.done = r as typeof box.done));
    for (let t = 0; t < 29; t++) {
      clock.advance(1000);
      await settle();
    }
    assert.equal(box.done, undefined, 'still waiting at 29 s');
    clock.advance(1000);
    await settle();
    const done = box.done as { ok: boolean; error?: { kind: string; message: string } } | undefined;
    assert.equal(done?.ok, false);
    assert.equal(done?.error?.kind, 'timeout');
    assert.match(done!.error!.message, /timed out after 30s waiting for HelmRelease a/);
    assert.equal(clock.pending, 0);
  });
});
