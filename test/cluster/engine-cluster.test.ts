/**
 * engine/cluster against the real control plane through the Node host
 * (server/cluster-host.ts on @kubernetes/client-node): kubeconfig loading
 * (KUBECONFIG lists, contexts, file references, exec plugins), server-side
 * apply as field manager `fluxhelm` with conflicts naming the other manager
 * and fields, validation and RBAC errors as data, dry-run diffs of managed
 * fields, and the reconcile request/wait protocol with this test playing
 * the Flux controller through /status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { connectCluster, createKubeTransport, loadKubeConfig } from '../../server/cluster-host.ts';
import { createRestClusterHost, type ClusterHost } from '../../engine/cluster/host.ts';
import { dryRunDiff } from '../../engine/cluster/diff.ts';
import { FORCE_AT, REQUESTED_AT, requestReconcile } from '../../engine/cluster/reconcile.ts';
import { waitForReconcile } from '../../engine/cluster/wait.ts';
import type { KubeObject } from '../../engine/cluster/types.ts';
import { nodeClock } from '../../server/node-host.ts';

let cp: ControlPlane;
let host: ClusterHost;
let restrictedHost: ClusterHost;
const ns = `fh-engine-${randomBytes(3).toString('hex')}`;

function connect(opts: Parameters<typeof connectCluster>[0]): ClusterHost {
  const r = connectCluster(opts);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value;
}
function hr(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: ns },
    spec: {
      interval: '5m',
      chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
      values: { replicaCount: replicas },
      ...extra,
    },
  };
}

const ref = (name: string) => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name, namespace: ns });

before(async () => {
  cp = await startControlPlane();
  assert.equal(cp.kubectl(['create', 'namespace', ns]).status, 0);
  host = connect({ kubeconfig: cp.kubeconfig });
  restrictedHost = connect({ kubeconfig: cp.kubeconfig, context: 'fluxhelm-restricted' });
});

after(async () => {
  await cp?.stop();
});

async function whoami(h: ClusterHost): Promise<string> {
  const r = await h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'whoami', namespace: ns }, data: { a: '1' } }, { dryRun: true });
  // The restricted user may not write ConfigMaps: the 403 names the user.
  if (!r.ok) return /fluxhelm-restricted/.test(r.error.message) ? 'fluxhelm-restricted' : r.error.message;
  const m = r.value.metadata.managedFields ?? [];
  return m.length ? 'fluxhelm-admin' : 'unknown';
}

describe('kubeconfig through client-node', () => {
  test('KUBECONFIG lists: missing entries skipped, first current-context wins', () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `/nonexistent/config:${cp.restrictedKubeconfig}:${cp.kubeconfig}`;
    try {
      const kc = loadKubeConfig();
      assert.ok(kc.ok, JSON.stringify(!kc.ok && kc.error));
      assert.equal(kc.value.getCurrentContext(), 'fluxhelm-restricted');
      assert.deepEqual(kc.value.getContexts().map((c) => c.name).sort(), ['fluxhelm-admin', 'fluxhelm-restricted']);
      assert.equal(kc.value.getCurrentCluster()?.server, cp.server);
      const h = connectCluster();
      assert.ok(h.ok);
      assert.equal(h.value.context, 'fluxhelm-restricted');
      assert.equal(h.value.namespace, 'default');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  test('an unknown context and an unreadable file are errors, not exceptions', () => {
    const unknown = connectCluster({ kubeconfig: cp.kubeconfig, context: 'nope' });
    assert.ok(!unknown.ok);
    assert.match(unknown.error.message, /no context "nope" in kubeconfig \(contexts: fluxhelm-admin, fluxhelm-restricted\)/);
    const missing = connectCluster({ kubeconfig: '/nonexistent/kubeconfig' });
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, 'bad-input');
  });

  test('file references resolve against the kubeconfig folder; exec plugins supply credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-kc-'));
    try {
      const adminKc = parse(readFileSync(cp.kubeconfig, 'utf8')) as {
        clusters: { cluster: Record<string, string> }[];
        users: { name: string; user: Record<string, string> }[];
      };
      const admin = adminKc.users.find((u) => u.name === 'fluxhelm-admin')!.user;
      const restrictedToken = adminKc.users.find((u) => u.name === 'fluxhelm-restricted')!.user.token!;
      mkdirSync(join(dir, 'certs'));
      const b64 = (x: string | undefined) => Buffer.from(x ?? '', 'base64');
      writeFileSync(join(dir, 'certs', 'ca.crt'), b64(adminKc.clusters[0]!.cluster['certificate-authority-data']));
      writeFileSync(join(dir, 'certs', 'admin.crt'), b64(admin['client-certificate-data']));
      writeFileSync(join(dir, 'certs', 'admin.key'), b64(admin['client-key-data']));
      const plugin = join(dir, 'plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'"$FH_TOKEN"'"}}'\n`, { mode: 0o755 });
      const kcPath = join(dir, 'config');
      writeFileSync(kcPath, [
        'apiVersion: v1', 'kind: Config', 'current-context: files',
        'clusters:', '- name: c', '  cluster:', `    server: ${cp.server}`, '    certificate-authority: certs/ca.crt',
        'users:',
        '- name: files', '  user:', '    client-certificate: certs/admin.crt', '    client-key: certs/admin.key',
        '- name: exec', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${plugin}`,
        '      env:', '      - name: FH_TOKEN', `        value: ${restrictedToken}`,
        'contexts:',
        '- name: files', '  context: {cluster: c, user: files, namespace: team-a}',
        '- name: exec', '  context: {cluster: c, user: exec}',
        '',
      ].join('\n'));
      const files = connect({ kubeconfig: kcPath });
      assert.equal(files.namespace, 'team-a');
      assert.equal(await whoami(connect({ kubeconfig: kcPath, namespace: ns })), 'fluxhelm-admin');
      assert.equal(await whoami(connect({ kubeconfig: kcPath, context: 'exec', namespace: ns })), 'fluxhelm-restricted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a transport to a closed port reports a network error', async () => {
    const kc = loadKubeConfig({ kubeconfig: cp.kubeconfig });
    assert.ok(kc.ok);
    kc.value.clusters = kc.value.clusters.map((c) => ({ ...c, server: 'https://127.0.0.1:1' }));
    const h = createRestClusterHost(createKubeTransport(kc.value), { context: 'x' });
    const res = await h.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default' });
    assert.ok(!res.ok);
    assert.equal(res.error.kind, 'network');
  });
});

describe('server-side apply', () => {
  test('creates the object as field manager fluxhelm, with schema defaults', async () => {
    const r = await host.apply(hr('ssa', 2));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const spec = r.value.spec as { chart: { spec: { version: string } } };
    assert.equal(spec.chart.spec.version, '*');
    assert.ok(r.value.metadata.managedFields?.some((m) => m.manager === 'fluxhelm' && m.operation === 'Apply'));
    const again = await host.apply(hr('ssa', 2));
    assert.ok(again.ok);
    assert.equal(again.value.metadata.generation, 1);
  });

  test('a field owned by another manager is a conflict naming the manager and field; force takes it', async () => {
    const other = cp.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=helm-controller', '-f', '-'], {
      input: JSON.stringify(hr('ssa', 3)),
    });
    assert.equal(other.status, 0, other.stderr);
    const r = await host.apply(hr('ssa', 4));
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'conflict');
    assert.ok(r.error.kind === 'conflict');
    assert.deepEqual(r.error.conflicts.map((c) => [c.manager, c.field]), [['helm-controller', '.spec.values.replicaCount']]);
    const live = await host.get(ref('ssa'));
    assert.ok(live.ok);
    assert.deepEqual((live.value.spec as { values: unknown }).values, { replicaCount: 3 });
    const forced = await host.apply(hr('ssa', 4), { force: true });
    assert.ok(forced.ok);
    assert.deepEqual((forced.value.spec as { values: unknown }).values, { replicaCount: 4 });
  });

  test('a conflict with an Update (kubectl patch) names the manager and its operation', async () => {
    const patched = cp.kubectl(['patch', 'helmrelease', 'ssa', '-n', ns, '--type=merge', '--field-manager=kubectl-edit', '-p', '{"spec":{"timeout":"9m"}}']);
    assert.equal(patched.status, 0, patched.stderr);
    const r = await host.apply(hr('ssa', 4, { timeout: '1m' }));
    assert.ok(!r.ok && r.error.kind === 'conflict');
    assert.equal(r.error.conflicts.length, 1, JSON.stringify(r.error.conflicts));
    assert.equal(r.error.conflicts[0]!.manager, 'kubectl-edit');
    assert.equal(r.error.conflicts[0]!.field, '.spec.timeout');
    assert.match(r.error.conflicts[0]!.operation ?? '', /^Update \(helm\.toolkit\.fluxcd\.io\/v2\)$/);
  });

  test('CRD validation failures come back as invalid with field causes', async () => {
    const r = await host.apply(hr('bad', 1, { interval: 'soon' }));
    assert.ok(!r.ok && r.error.kind === 'invalid');
    assert.ok(r.error.causes.some((c) => c.field === 'spec.interval' && /should match/.test(c.message)), JSON.stringify(r.error.causes));
    const both = await host.apply(hr('bad', 1, { chartRef: { kind: 'OCIRepository', name: 'x' } }));
    assert.ok(!both.ok && both.error.kind === 'invalid');
    assert.ok(both.error.causes.some((c) => c.field === 'spec' && c.message.includes('either chart or chartRef must be set')));
  });

  test('RBAC denial is forbidden; an unserved kind is unknown-kind; bad input is bad-input', async () => {
    const r = await restrictedHost.apply(hr('ssa', 9));
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'forbidden');
    assert.match(r.error.message, /fluxhelm-restricted/);
    const unknown = await host.apply({ apiVersion: 'nothing.example.com/v1', kind: 'Thing', metadata: { name: 'x' } });
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.kind, 'unknown-kind');
    const bad = await host.apply({ apiVersion: 'v1', kind: 'ConfigMap' } as unknown as KubeObject);
    assert.ok(!bad.ok);
    assert.equal(bad.error.kind, 'bad-input');
  });
});

describe('dryRunDiff', () => {
  test('shows what would change without changing anything', async () => {
    const base = await host.apply(hr('diff', 2));
    assert.ok(base.ok);
    const d = await dryRunDiff(host, hr('diff', 5, { suspend: true }));
    assert.ok(d.ok, JSON.stringify(!d.ok && d.error));
    assert.deepEqual(d.value.changes, [
      { path: '.spec.suspend', op: 'add', after: true },
      { path: '.spec.values.replicaCount', op: 'change', before: 2, after: 5 },
    ]);
    const live = await host.get(ref('diff'));
    assert.ok(live.ok);
    assert.deepEqual((live.value.spec as { values: unknown }).values, { replicaCount: 2 });
    assert.equal(live.value.metadata.generation, 1);
  });

  test('a new object diffs against nothing with only the fields we set; errors pass through', async () => {
    const d = await dryRunDiff(host, hr('brand-new', 1));
    assert.ok(d.ok);
    assert.equal(d.value.live, undefined);
    const spec = d.value.changes.find((c) => c.path === '.spec');
    assert.ok(spec && spec.op === 'add');
    // Server defaults (reconcileStrategy) exist in the prediction but are not ours to show.
    assert.equal((d.value.predicted.spec as { chart: { spec: { reconcileStrategy: string } } }).chart.spec.reconcileStrategy, 'ChartVersion');
    assert.deepEqual(spec.after, hr('brand-new', 1).spec);
    assert.ok(!JSON.stringify(d.value.predictedManaged).includes('managedFields'));
    assert.equal((await host.get(ref('brand-new'))).ok, false);
    const invalid = await dryRunDiff(host, hr('brand-new', 1, { interval: 'x' }));
    assert.ok(!invalid.ok && invalid.error.kind === 'invalid');
  });
});

/** Writes status the way helm-controller would. */
async function controllerWrites(name: string, handled: string, ready: { status: string; reason: string; message: string }): Promise<void> {
  const live = await host.get(ref(name));
  assert.ok(live.ok);
  const gen = live.value.metadata.generation;
  const res = await cp.request('PATCH', `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({
      status: {
        lastHandledReconcileAt: handled,
        observedGeneration: gen,
        conditions: [{ type: 'Ready', ...ready, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: gen }],
      },
    }),
  });
  assert.equal(res.status, 200, res.body);
}

describe('reconcile', () => {
  test('request sets requestedAt/forceAt and the wait ends Ready once the controller answers', async () => {
    assert.ok((await host.apply(hr('rec', 1))).ok);
    const req = await requestReconcile(host, ref('rec'), Date.parse('2026-11-21T20:00:00.123Z'), { force: true });
    assert.ok(req.ok, JSON.stringify(!req.ok && req.error));
    assert.equal(req.value.requestedAt, '2026-11-21T20:00:00.123Z');
    assert.equal(req.value.object.metadata.annotations?.[REQUESTED_AT], req.value.requestedAt);
    assert.equal(req.value.object.metadata.annotations?.[FORCE_AT], req.value.requestedAt);
    const waiting = waitForReconcile(host, ref('rec'), req.value.requestedAt, { clock: nodeClock,  pollMs: 100, timeoutMs: 20000 });
    await controllerWrites('rec', req.value.requestedAt, { status: 'True', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded' });
    const done = await waiting;
    assert.ok(done.ok);
    assert.deepEqual(done.value, { state: 'ready', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded' });
  });

  test('a failed Ready condition is reported with its reason; a stale answer times out', async () => {
    const req = await requestReconcile(host, ref('rec'), Date.parse('2026-11-21T20:05:00Z'));
    assert.ok(req.ok);
    assert.equal(req.value.requestedAt, '2026-11-21T20:05:00Z');
    await controllerWrites('rec', '2026-11-21T19:00:00Z', { status: 'True', reason: 'Old', message: 'old answer' });
    const stale = await waitForReconcile(host, ref('rec'), req.value.requestedAt, { clock: nodeClock,  timeoutMs: 1500 });
    assert.ok(!stale.ok);
    assert.equal(stale.error.kind, 'timeout');
    assert.match(stale.error.message, /timed out .*waiting for the controller to pick up the request/);
    await controllerWrites('rec', req.value.requestedAt, { status: 'False', reason: 'UpgradeFailed', message: 'chart not found' });
    const failed = await waitForReconcile(host, ref('rec'), req.value.requestedAt, { clock: nodeClock,  pollMs: 50 });
    assert.ok(failed.ok);
    assert.deepEqual(failed.value, { state: 'failed', reason: 'UpgradeFailed', message: 'chart not found' });
  });

  test('a suspended HelmRelease is refused; a missing one is not-found', async () => {
    assert.ok((await host.apply(hr('sus', 1, { suspend: true }))).ok);
    const r = await requestReconcile(host, ref('sus'), Date.now());
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'suspended');
    const live = await host.get(ref('sus'));
    assert.ok(live.ok);
    assert.equal(live.value.metadata.annotations?.[REQUESTED_AT], undefined);
    const missing = await requestReconcile(host, ref('nope'), Date.now());
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, 'not-found');
  });
});
