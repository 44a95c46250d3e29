/**
 * The cluster CLI commands against the real control plane: `fluxhelm diff`
 * exit codes (0 no diff, 1 diff, 2 error) through create, apply, drift made
 * with kubectl, a kubectl-owned field (conflict), an object CRD validation
 * rejects (message on the right line of the YAML), the restricted identity's
 * 403; `fluxhelm reconcile` planning, confirmation and applying in order;
 * `fluxhelm status`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { podinfoApps, podinfoRelease } from './podinfo-apps.ts';
import { diff } from '../../cli/diff.ts';
import { reconcile } from '../../cli/reconcile.ts';
import { status } from '../../cli/status.ts';

let cp: ControlPlane;
let dir: string;
const ns = `fh-cli-${randomBytes(3).toString('hex')}`;

async function run(cmd: typeof diff, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await cmd(argv, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

const release = (replicas: number, interval = '5m') => podinfoRelease(ns, replicas, interval);
const files = podinfoApps(ns);

function write(rel: string, text: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

before(async () => {
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'fh-cli-cluster-'));
  writeFileSync(join(dir, '.git'), ''); // marks the repository root
  for (const [rel, text] of Object.entries(files)) write(rel, text);
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cp?.stop();
});

describe('fluxhelm diff and reconcile', () => {
  test('diff of objects the cluster does not have yet: exit 1, every object created, Secret never printed', async () => {
    const r = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(r.code, 1, r.err);
    for (const o of [`Namespace/${ns}`, `HelmRepository/${ns}/podinfo`, `ConfigMap/${ns}/podinfo-values`, `Secret/${ns}/podinfo-secret`, `HelmRelease/${ns}/podinfo`]) {
      assert.match(r.out, new RegExp(`► ${o.replace(/\//g, '\\/')} created`));
    }
    assert.ok(!r.out.includes('hunter2'));
  });

  test('reconcile refuses to write without a terminal and without --yes; --dry-run changes nothing', async () => {
    const noTty = await run((a, o, e) => reconcile(a, o, e, { isTTY: false, ask: async () => true }), [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(noTty.code, 2);
    assert.match(noTty.err, /refusing to write to the cluster without confirmation/);
    const dry = await run(reconcile, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /plan \(context fluxhelm-admin\): apply 5 objects \(5 with changes\), reconcile 1/);
    assert.notEqual(cp.kubectl(['get', 'namespace', ns]).status, 0);
  });

  test('reconcile on a terminal asks, applies in order without the Secret when declined, and requests a reconcile', async () => {
    const questions: string[] = [];
    const r = await run(
      (a, o, e) => reconcile(a, o, e, { isTTY: true, ask: async (q) => { questions.push(q); return !q.startsWith('Also apply Secret'); } }),
      [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--no-wait'],
    );
    assert.equal(r.code, 0, r.err + r.out);
    assert.deepEqual(questions, ['Apply 5 object(s) and reconcile 1 in context fluxhelm-admin?', 'Also apply Secret(s) podinfo-secret?']);
    assert.match(r.err, /1 Secret\(s\) not applied/);
    assert.match(r.out, new RegExp(`◎ HelmRelease/${ns}/podinfo: reconcile requested at \\d{4}-`));
    const hr = JSON.parse(cp.kubectl(['get', 'helmrelease', 'podinfo', '-n', ns, '-o', 'json', '--show-managed-fields']).stdout) as {
      metadata: { annotations: Record<string, string>; managedFields: { manager: string; operation: string }[] };
    };
    assert.ok(hr.metadata.annotations['reconcile.fluxcd.io/requestedAt']);
    assert.ok(hr.metadata.managedFields.some((m) => m.manager === 'fluxhelm' && m.operation === 'Apply'));
    assert.notEqual(cp.kubectl(['get', 'secret', 'podinfo-secret', '-n', ns]).status, 0);
    assert.equal(cp.kubectl(['get', 'configmap', 'podinfo-values', '-n', ns]).status, 0);
    // --yes includes the Secret.
    const yes = await run(reconcile, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--no-wait', '--yes']);
    assert.equal(yes.code, 0, yes.err);
    assert.equal(cp.kubectl(['get', 'secret', 'podinfo-secret', '-n', ns]).status, 0);
  });

  test('no differences after applying: exit 0; the reconcile annotation is not a difference', async () => {
    const r = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /no differences \(5 objects, context fluxhelm-admin\)/);
  });

  test('drift made with kubectl on a field we set shows as a conflict; a change in the workspace as a change', async () => {
    const p = cp.kubectl(['patch', 'helmrelease', 'podinfo', '-n', ns, '--type=merge', '--field-manager=kubectl-edit', '-p', '{"spec":{"values":{"replicaCount":7}}}']);
    assert.equal(p.status, 0, p.stderr);
    const drift = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(drift.code, 1, drift.err);
    assert.match(drift.out, /~ \.spec\.values\.replicaCount: 7 → 2/);
    assert.match(drift.out, /! \.spec\.values\.replicaCount is owned by field manager "kubectl-edit" \(Update \(helm\.toolkit\.fluxcd\.io\/v2\)\)/);
    // Reconcile will not take the field over unless asked.
    const refused = await run(reconcile, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--no-wait', '--yes']);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /pass --force-conflicts/);
    const forced = await run(reconcile, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--no-wait', '--yes', '--force-conflicts']);
    assert.equal(forced.code, 0, forced.err);
    assert.equal(cp.kubectl(['get', 'helmrelease', 'podinfo', '-n', ns, '-o', 'jsonpath={.spec.values.replicaCount}']).stdout, '2');
    write('apps/release.yaml', release(3));
    const changed = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(changed.code, 1);
    assert.match(changed.out, /► HelmRelease\/.*\/podinfo changed\n {2}~ \.spec\.values\.replicaCount: 2 → 3\n/);
    assert.ok(!/ConfigMap|Secret|HelmRepository/.test(changed.out), changed.out);
  });

  test('an object CRD validation rejects: exit 2, the message at the line of the field', async () => {
    write('apps/release.yaml', release(3, 'soon'));
    const r = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(r.code, 2, r.out);
    // `interval: soon` is line 7 of release.yaml, value at column 13.
    assert.match(r.err, /apps\/release\.yaml:7:13: error: The API server rejected this: spec\.interval: .*should match/);
    write('apps/release.yaml', release(3));
  });

  test('the restricted identity: 403 with a message naming the user; a missing context is a usage error', async () => {
    const r = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--context', 'fluxhelm-restricted']);
    assert.equal(r.code, 2);
    assert.match(r.err, /the cluster refused this for your identity \(context fluxhelm-restricted\): .*"system:serviceaccount|fluxhelm-restricted" cannot patch resource/);
    await assert.rejects(run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--context', 'nope']), /no context "nope"/);
  });

  test('objects applied by fluxhelm that the workspace no longer has are listed, not deleted', async () => {
    write('apps/extra.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: ${ns}\ndata: {a: "1"}\n`);
    assert.equal((await run(reconcile, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--no-wait', '--yes'])).code, 0);
    rmSync(join(dir, 'apps/extra.yaml'));
    const r = await run(diff, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.match(r.out, new RegExp(`◎ ConfigMap/${ns}/extra is in the cluster but not in the workspace \\(applied by fluxhelm\\)`));
    assert.equal(cp.kubectl(['get', 'configmap', 'extra', '-n', ns]).status, 0);
  });

  test('status: the Ready condition and version the controller wrote, exit 1 while not ready', async () => {
    const s0 = await run(status, [join(dir, 'apps'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(s0.code, 1);
    assert.match(s0.out, new RegExp(`HelmRelease/${ns}/podinfo {2}Unknown`));
    const res = await cp.request('PATCH', `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/podinfo/status`, {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ status: {
        history: [{ chartName: 'podinfo', chartVersion: '6.7.1', configDigest: 'sha256:x', digest: 'sha256:y', firstDeployed: '2026-01-01T00:00:00Z', lastDeployed: '2026-01-01T00:00:00Z', name: 'podinfo', namespace: ns, status: 'deployed', version: 1 }],
        conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'Helm install failed: timed out', lastTransitionTime: new Date(Date.now() - 120000).toISOString() }],
      } }),
    });
    assert.equal(res.status, 200, res.body);
    const s1 = await run(status, [join(dir, 'apps', 'release.yaml'), '--kubeconfig', cp.kubeconfig]);
    assert.equal(s1.code, 1);
    assert.match(s1.out, new RegExp(`HelmRelease/${ns}/podinfo {2}Not ready InstallFailed {2}6\\.7\\.1 {2}\\(2m ago\\) {2}Helm install failed: timed out`));
  });

  test('reconcile --release waits for the verdict: Ready exits 0, a timeout exits 1', async () => {
    const path = `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/podinfo`;
    const read = async () => JSON.parse((await cp.request('GET', path)).body) as { metadata: { generation: number; annotations?: Record<string, string> } };
    const before = (await read()).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    // Plays helm-controller: answers the first new request.
    const answer = async () => {
      for (let i = 0; i < 300; i++) {
        const live = await read();
        const asked = live.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
        if (asked && asked !== before) {
          const res = await cp.request('PATCH', `${path}/status`, {
            contentType: 'application/merge-patch+json',
            body: JSON.stringify({ status: { lastHandledReconcileAt: asked, observedGeneration: live.metadata.generation, conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', message: 'Helm upgrade succeeded', lastTransitionTime: '2026-01-01T00:00:00Z' }] } }),
          });
          assert.equal(res.status, 200, res.body);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const answering = answer();
    const r = await run(reconcile, ['--release', `${ns}/podinfo`, dir, '--kubeconfig', cp.kubeconfig, '--yes', '--timeout', '30s']);
    await answering;
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, new RegExp(`✔ HelmRelease/${ns}/podinfo: Ready \\(Helm upgrade succeeded\\)`));
    const late = await run(reconcile, ['--release', `${ns}/podinfo`, dir, '--kubeconfig', cp.kubeconfig, '--yes', '--timeout', '1s']);
    assert.equal(late.code, 1, late.err);
    assert.match(late.out, /✗ HelmRelease\/.*\/podinfo: timed out after 1s waiting for HelmRelease podinfo/);
    const missing = await run(reconcile, ['--release', `${ns}/nothing`, dir, '--kubeconfig', cp.kubeconfig, '--yes']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /HelmRelease\/.*\/nothing: .*not found/);
  });
});
