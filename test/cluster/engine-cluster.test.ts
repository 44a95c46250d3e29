/**
 * engine/cluster against the real control plane: kubeconfig loading
 * (KUBECONFIG lists, contexts), server-side apply as field manager
 * `fluxhelm` with conflicts naming the other manager and fields, validation
 * and RBAC errors as data, dry-run diffs, and the reconcile request/wait
 * protocol with this test playing the Flux controller through /status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { loadKubeconfig, type KubeconfigHost } from '../../engine/cluster/kubeconfig.ts';
import { createTransport } from '../../engine/cluster/kubernetes-client.ts';
import { Discovery, getObject, serverSideApply } from '../../engine/cluster/apply.ts';
import { dryRunDiff } from '../../engine/cluster/diff.ts';
import { FORCE_AT, REQUESTED_AT, requestReconcile, waitForReconcile } from '../../engine/cluster/reconcile.ts';
import type { ClusterTransport, KubeObject } from '../../engine/cluster/types.ts';

let cp: ControlPlane;
let transport: ClusterTransport;
let restrictedTransport: ClusterTransport;
let discovery: Discovery;
const ns = `fh-engine-${randomBytes(3).toString('hex')}`;

function host(env: Record<string, string>): KubeconfigHost {
  return {
    readFile: (p) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } },
    env: (n) => env[n],
    homeDir: () => '/nonexistent-home',
  };
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
  const admin = loadKubeconfig(host({}), { path: cp.kubeconfig });
  assert.ok(admin.ok);
  transport = createTransport(admin.value);
  const restricted = loadKubeconfig(host({}), { path: cp.kubeconfig, context: 'fluxhelm-restricted' });
  assert.ok(restricted.ok);
  restrictedTransport = createTransport(restricted.value);
  discovery = new Discovery(transport);
});

after(async () => {
  await cp?.stop();
});

describe('loadKubeconfig', () => {
  test('reads KUBECONFIG lists: missing entries skipped, first current-context wins', () => {
    const r = loadKubeconfig(host({ KUBECONFIG: `/nonexistent/config:${cp.restrictedKubeconfig}:${cp.kubeconfig}` }));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.equal(r.value.context, 'fluxhelm-restricted');
    assert.deepEqual(r.value.files, [cp.restrictedKubeconfig, cp.kubeconfig]);
    assert.deepEqual(r.value.contexts.sort(), ['fluxhelm-admin', 'fluxhelm-restricted']);
    assert.equal(r.value.cluster.server, cp.server);
    assert.match(r.value.cluster.ca ?? '', /BEGIN CERTIFICATE/);
    assert.ok(r.value.user.token && !r.value.user.clientCert);
    assert.equal(r.value.namespace, 'default');
  });

  test('an unknown context, an unreadable file and garbage are errors, not exceptions', () => {
    const unknown = loadKubeconfig(host({}), { path: cp.kubeconfig, context: 'nope' });
    assert.ok(!unknown.ok);
    assert.match(unknown.error.message, /context "nope" not found; known: fluxhelm-admin, fluxhelm-restricted/);
    const missing = loadKubeconfig(host({}), { path: '/nonexistent/kubeconfig' });
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, 'bad-input');
    const garbageFile = join(cp.runDir, 'garbage-kubeconfig');
    writeFileSync(garbageFile, 'clusters: 7\ncontexts: [1, 2]\n');
    const garbage = loadKubeconfig(host({}), { path: garbageFile });
    assert.ok(!garbage.ok);
    const none = loadKubeconfig(host({}));
    assert.ok(!none.ok);
    assert.match(none.error.message, /no kubeconfig found/);
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
      writeFileSync(join(dir, 'token'), `${restrictedToken}\n`);
      const plugin = join(dir, 'plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'"$FH_TOKEN"'"}}'\n`, { mode: 0o755 });
      const kcPath = join(dir, 'config');
      writeFileSync(kcPath, [
        'apiVersion: v1', 'kind: Config', 'current-context: files',
        'clusters:', '- name: c', '  cluster:', `    server: ${cp.server}`, '    certificate-authority: certs/ca.crt',
        'users:',
        '- name: files', '  user:', '    client-certificate: certs/admin.crt', '    client-key: certs/admin.key',
        '- name: tokenfile', '  user:', '    tokenFile: token',
        '- name: exec', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ./plugin.sh`,
        '      env:', '      - name: FH_TOKEN', `        value: ${restrictedToken}`,
        'contexts:',
        '- name: files', '  context: {cluster: c, user: files, namespace: team-a}',
        '- name: tokenfile', '  context: {cluster: c, user: tokenfile}',
        '- name: exec', '  context: {cluster: c, user: exec}',
        '',
      ].join('\n'));
      const whoami = async (context: string) => {
        const kc = loadKubeconfig(host({}), { path: kcPath, context });
        assert.ok(kc.ok, JSON.stringify(!kc.ok && kc.error));
        const t = createTransport(kc.value);
        const res = await t.request({
          method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
        });
        assert.ok(!('error' in res), JSON.stringify(res));
        assert.equal(res.status, 201, res.body);
        return (JSON.parse(res.body) as { status: { userInfo: { username: string } } }).status.userInfo.username;
      };
      const files = loadKubeconfig(host({}), { path: kcPath });
      assert.ok(files.ok);
      assert.equal(files.value.namespace, 'team-a');
      assert.equal(await whoami('files'), 'fluxhelm-admin');
      assert.equal(await whoami('tokenfile'), 'fluxhelm-restricted');
      assert.equal(await whoami('exec'), 'fluxhelm-restricted');
      rmSync(join(dir, 'token'));
      const noToken = loadKubeconfig(host({}), { path: kcPath, context: 'tokenfile' });
      assert.ok(!noToken.ok);
      assert.match(noToken.error.message, /cannot read tokenFile token/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a transport to a closed port reports a network error', async () => {
    const r = loadKubeconfig(host({}), { path: cp.kubeconfig });
    assert.ok(r.ok);
    const closed = { ...r.value, cluster: { ...r.value.cluster, server: 'https://127.0.0.1:1' } };
    const res = await new Discovery(createTransport(closed)).resource('v1', 'ConfigMap');
    assert.ok(!res.ok);
    assert.equal(res.error.kind, 'network');
  });
});

describe('serverSideApply', () => {
  test('creates the object as field manager fluxhelm, with schema defaults', async () => {
    const r = await serverSideApply(transport, discovery, hr('ssa', 2));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const spec = r.value.spec as { chart: { spec: { version: string } } };
    assert.equal(spec.chart.spec.version, '*');
    assert.ok(r.value.metadata.managedFields?.some((m) => m.manager === 'fluxhelm' && m.operation === 'Apply'));
    const again = await serverSideApply(transport, discovery, hr('ssa', 2));
    assert.ok(again.ok);
    assert.equal(again.value.metadata.generation, 1);
  });

  test('a field owned by another manager is a conflict naming the manager and field; force takes it', async () => {
    const other = cp.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=helm-controller', '-f', '-'], {
      input: JSON.stringify(hr('ssa', 3)),
    });
    assert.equal(other.status, 0, other.stderr);
    const r = await serverSideApply(transport, discovery, hr('ssa', 4));
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'conflict');
    assert.ok(r.error.kind === 'conflict');
    assert.deepEqual(r.error.conflicts.map((c) => [c.manager, c.field]), [['helm-controller', '.spec.values.replicaCount']]);
    const live = await getObject(transport, discovery, ref('ssa'));
    assert.ok(live.ok);
    assert.deepEqual((live.value.spec as { values: unknown }).values, { replicaCount: 3 });
    const forced = await serverSideApply(transport, discovery, hr('ssa', 4), { force: true });
    assert.ok(forced.ok);
    assert.deepEqual((forced.value.spec as { values: unknown }).values, { replicaCount: 4 });
  });

  test('a conflict with an Update (kubectl patch) names the manager and its operation', async () => {
    const patched = cp.kubectl(['patch', 'helmrelease', 'ssa', '-n', ns, '--type=merge', '--field-manager=kubectl-edit', '-p', '{"spec":{"timeout":"9m"}}']);
    assert.equal(patched.status, 0, patched.stderr);
    const r = await serverSideApply(transport, discovery, hr('ssa', 4, { timeout: '1m' }));
    assert.ok(!r.ok && r.error.kind === 'conflict');
    assert.equal(r.error.conflicts.length, 1, JSON.stringify(r.error.conflicts));
    assert.equal(r.error.conflicts[0]!.manager, 'kubectl-edit');
    assert.equal(r.error.conflicts[0]!.field, '.spec.timeout');
    assert.match(r.error.conflicts[0]!.operation ?? '', /^Update \(helm\.toolkit\.fluxcd\.io\/v2\)$/);
  });

  test('CRD validation failures come back as invalid with field causes', async () => {
    const r = await serverSideApply(transport, discovery, hr('bad', 1, { interval: 'soon' }));
    assert.ok(!r.ok && r.error.kind === 'invalid');
    assert.ok(r.error.causes.some((c) => c.field === 'spec.interval' && /should match/.test(c.message)), JSON.stringify(r.error.causes));
    const both = await serverSideApply(transport, discovery, hr('bad', 1, { chartRef: { kind: 'OCIRepository', name: 'x' } }));
    assert.ok(!both.ok && both.error.kind === 'invalid');
    assert.ok(both.error.causes.some((c) => c.field === 'spec' && c.message.includes('either chart or chartRef must be set')));
  });

  test('RBAC denial is forbidden; an unserved kind is unknown-kind; bad input is bad-input', async () => {
    const r = await serverSideApply(restrictedTransport, new Discovery(restrictedTransport), hr('ssa', 9));
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'forbidden');
    assert.match(r.error.message, /fluxhelm-restricted/);
    const unknown = await serverSideApply(transport, discovery, { apiVersion: 'nothing.example.com/v1', kind: 'Thing', metadata: { name: 'x' } });
    assert.ok(!unknown.ok);
    assert.equal(unknown.error.kind, 'unknown-kind');
    const bad = await serverSideApply(transport, discovery, { apiVersion: 'v1', kind: 'ConfigMap' } as unknown as KubeObject);
    assert.ok(!bad.ok);
    assert.equal(bad.error.kind, 'bad-input');
  });
});

describe('dryRunDiff', () => {
  test('shows what would change without changing anything', async () => {
    const base = await serverSideApply(transport, discovery, hr('diff', 2));
    assert.ok(base.ok);
    const d = await dryRunDiff(transport, discovery, hr('diff', 5, { suspend: true }));
    assert.ok(d.ok, JSON.stringify(!d.ok && d.error));
    assert.deepEqual(d.value.changes, [
      { path: '.spec.suspend', op: 'add', after: true },
      { path: '.spec.values.replicaCount', op: 'change', before: 2, after: 5 },
    ]);
    const live = await getObject(transport, discovery, ref('diff'));
    assert.ok(live.ok);
    assert.deepEqual((live.value.spec as { values: unknown }).values, { replicaCount: 2 });
    assert.equal(live.value.metadata.generation, 1);
  });

  test('a new object diffs against nothing and includes server defaults; errors pass through', async () => {
    const d = await dryRunDiff(transport, discovery, hr('brand-new', 1));
    assert.ok(d.ok);
    assert.equal(d.value.live, undefined);
    const spec = d.value.changes.find((c) => c.path === '.spec');
    assert.ok(spec && spec.op === 'add');
    assert.equal((spec.after as { chart: { spec: { reconcileStrategy: string } } }).chart.spec.reconcileStrategy, 'ChartVersion');
    assert.equal((await getObject(transport, discovery, ref('brand-new'))).ok, false);
    const invalid = await dryRunDiff(transport, discovery, hr('brand-new', 1, { interval: 'x' }));
    assert.ok(!invalid.ok && invalid.error.kind === 'invalid');
  });
});

/** Writes status the way helm-controller would. */
async function controllerWrites(name: string, handled: string, ready: { status: string; reason: string; message: string }): Promise<void> {
  const live = await getObject(transport, discovery, ref(name));
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
  const realClock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

  test('request sets requestedAt/forceAt and the wait ends Ready once the controller answers', async () => {
    assert.ok((await serverSideApply(transport, discovery, hr('rec', 1))).ok);
    const req = await requestReconcile(transport, discovery, ref('rec'), Date.parse('2026-11-21T20:00:00.123Z'), { force: true });
    assert.ok(req.ok, JSON.stringify(!req.ok && req.error));
    assert.equal(req.value.requestedAt, '2026-11-21T20:00:00.123Z');
    assert.equal(req.value.object.metadata.annotations?.[REQUESTED_AT], req.value.requestedAt);
    assert.equal(req.value.object.metadata.annotations?.[FORCE_AT], req.value.requestedAt);
    const waiting = waitForReconcile(transport, discovery, ref('rec'), req.value.requestedAt, { ...realClock, intervalMs: 100, timeoutMs: 20000 });
    await controllerWrites('rec', req.value.requestedAt, { status: 'True', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded' });
    const done = await waiting;
    assert.ok(done.ok);
    assert.deepEqual(done.value, { state: 'ready', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded' });
  });

  test('a failed Ready condition is reported with its reason; a stale answer times out', async () => {
    const req = await requestReconcile(transport, discovery, ref('rec'), Date.parse('2026-11-21T20:05:00Z'));
    assert.ok(req.ok);
    assert.equal(req.value.requestedAt, '2026-11-21T20:05:00Z');
    await controllerWrites('rec', '2026-11-21T19:00:00Z', { status: 'True', reason: 'Old', message: 'old answer' });
    let t = 0;
    const stale = await waitForReconcile(transport, discovery, ref('rec'), req.value.requestedAt, {
      now: () => t, sleep: async (ms) => { t += ms; }, intervalMs: 2000, timeoutMs: 6000,
    });
    assert.ok(!stale.ok);
    assert.match(stale.error.message, /timed out .*waiting for the controller to pick up the request/);
    await controllerWrites('rec', req.value.requestedAt, { status: 'False', reason: 'UpgradeFailed', message: 'chart not found' });
    const failed = await waitForReconcile(transport, discovery, ref('rec'), req.value.requestedAt, { ...realClock, intervalMs: 50 });
    assert.ok(failed.ok);
    assert.deepEqual(failed.value, { state: 'failed', reason: 'UpgradeFailed', message: 'chart not found' });
  });

  test('a suspended HelmRelease is refused; a missing one is not-found', async () => {
    assert.ok((await serverSideApply(transport, discovery, hr('sus', 1, { suspend: true }))).ok);
    const r = await requestReconcile(transport, discovery, ref('sus'), Date.now());
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'suspended');
    const live = await getObject(transport, discovery, ref('sus'));
    assert.ok(live.ok);
    assert.equal(live.value.metadata.annotations?.[REQUESTED_AT], undefined);
    const missing = await requestReconcile(transport, discovery, ref('nope'), Date.now());
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, 'not-found');
  });
});
