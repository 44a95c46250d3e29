/**
 * Smoke tests for the real control plane (etcd + kube-apiserver built from
 * source + Flux CRDs): server-side apply with the real kubectl and defaults
 * filled in by the CRD schema, CRD validation rejecting bad HelmReleases,
 * the status subresource, RBAC for the restricted identity, and restarting
 * kube-apiserver (watch drops, data survives, API comes back).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from './control-plane.ts';

let cp: ControlPlane;
const ns = `fh-smoke-${randomBytes(3).toString('hex')}`;
const hrPath = (name: string) => `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/${name}`;

function helmRelease(name: string, spec: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${spec}`;
}

const validSpec = `  interval: 5m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    replicaCount: 2
`;

interface HelmReleaseJson {
  metadata: { generation: number; resourceVersion: string; managedFields?: { manager: string; operation: string; subresource?: string }[] };
  spec: { chart: { spec: { version?: string; reconcileStrategy?: string; sourceRef: { kind: string; name: string } } }; values?: unknown };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] };
}

function getHr(name: string): HelmReleaseJson {
  const r = cp.kubectl(['get', 'helmrelease', name, '-n', ns, '-o', 'json', '--show-managed-fields']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as HelmReleaseJson;
}

before(async () => {
  cp = await startControlPlane();
  const r = cp.kubectl(['create', 'namespace', ns]);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await cp?.stop();
});

describe('control plane', () => {
  test('runs the kube-apiserver built from source, reachable through the written kubeconfig', () => {
    const r = cp.kubectl(['version', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { serverVersion: { gitVersion: string; major: string } };
    assert.match(v.serverVersion.gitVersion, /^v1\.3[34]\.\d+$/);
    const kc = parse(readFileSync(cp.kubeconfig, 'utf8')) as { 'current-context': string; contexts: { name: string }[] };
    assert.equal(kc['current-context'], 'fluxhelm-admin');
    assert.deepEqual(kc.contexts.map((c) => c.name).sort(), ['fluxhelm-admin', 'fluxhelm-restricted']);
    assert.match(cp.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('Flux CRDs are installed and Established', () => {
    const r = cp.kubectl(['get', 'crd', 'helmreleases.helm.toolkit.fluxcd.io', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const crd = JSON.parse(r.stdout) as { status: { conditions: { type: string; status: string }[] } };
    assert.ok(crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'));
    const names = cp.kubectl(['get', 'crd', '-o', 'name']).stdout;
    for (const n of ['helmrepositories.source.toolkit.fluxcd.io', 'ocirepositories.source.toolkit.fluxcd.io',
      'gitrepositories.source.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io']) {
      assert.ok(names.includes(n), `${n} missing from:\n${names}`);
    }
  });

  test('a valid HelmRelease v2 is server-side applied and read back with schema defaults', () => {
    const r = cp.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-smoke', '-f', '-'], { input: helmRelease('podinfo', validSpec) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /helmrelease\.helm\.toolkit\.fluxcd\.io\/podinfo serverside-applied/);
    const hr = getHr('podinfo');
    assert.equal(hr.metadata.generation, 1);
    // Defaults from the CRD's OpenAPI schema, filled in by the API server.
    assert.equal(hr.spec.chart.spec.version, '*');
    assert.equal(hr.spec.chart.spec.reconcileStrategy, 'ChartVersion');
    assert.deepEqual(hr.spec.chart.spec.sourceRef, { kind: 'HelmRepository', name: 'podinfo' });
    assert.deepEqual(hr.spec.values, { replicaCount: 2 });
    const mf = hr.metadata.managedFields ?? [];
    assert.ok(mf.some((f) => f.manager === 'fluxhelm-smoke' && f.operation === 'Apply'), JSON.stringify(mf));
  });

  test('a second field manager changing an owned field gets a real apply conflict', () => {
    const changed = helmRelease('podinfo', validSpec.replace('replicaCount: 2', 'replicaCount: 3'));
    const r = cp.kubectl(['apply', '--server-side', '--field-manager=someone-else', '-f', '-'], { input: changed });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /conflict/i);
    assert.match(r.stderr, /fluxhelm-smoke/);
    assert.match(r.stderr, /\.spec\.values\.replicaCount/);
    assert.deepEqual(getHr('podinfo').spec.values, { replicaCount: 2 });
  });

  test('CRD validation rejects a HelmRelease with both chart and chartRef, naming the field', () => {
    const both = `${validSpec}  chartRef:
    kind: OCIRepository
    name: podinfo
`;
    const r = cp.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-smoke', '-f', '-'], { input: helmRelease('both', both) });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /is invalid/);
    assert.match(r.stderr, /spec: Invalid value/);
    assert.match(r.stderr, /either chart or chartRef must be set/);
    assert.notEqual(cp.kubectl(['get', 'helmrelease', 'both', '-n', ns]).status, 0);
  });

  test('CRD validation rejects a bad interval, naming spec.interval and the pattern', () => {
    const r = cp.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-smoke', '-f', '-'], {
      input: helmRelease('badinterval', validSpec.replace('interval: 5m', 'interval: 5 minutes')),
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /spec\.interval: Invalid value: "5 minutes"/);
    assert.match(r.stderr, /should match/);
  });

  test('the status subresource can be written, without bumping generation', async () => {
    const status = {
      status: {
        observedGeneration: 1,
        conditions: [{
          type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: 1,
        }],
      },
    };
    const res = await cp.request('PATCH', `${hrPath('podinfo')}/status`, {
      body: JSON.stringify(status), contentType: 'application/merge-patch+json',
    });
    assert.equal(res.status, 200, res.body);
    const hr = getHr('podinfo');
    assert.equal(hr.metadata.generation, 1);
    assert.equal(hr.status?.observedGeneration, 1);
    assert.deepEqual(hr.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Ready', 'True', 'InstallSucceeded']]);
    // Status sent to the main resource is ignored: it only changes through /status.
    const viaMain = await cp.request('PATCH', hrPath('podinfo'), {
      body: JSON.stringify({ status: { observedGeneration: 7 } }), contentType: 'application/merge-patch+json',
    });
    assert.equal(viaMain.status, 200, viaMain.body);
    assert.equal(getHr('podinfo').status?.observedGeneration, 1);
  });

  test('the restricted identity can read but gets 403 on writes', async () => {
    const read = await cp.request('GET', hrPath('podinfo'), { restricted: true });
    assert.equal(read.status, 200, read.body);
    const write = await cp.request('PATCH', hrPath('podinfo'), {
      restricted: true, body: JSON.stringify({ spec: { suspend: true } }), contentType: 'application/merge-patch+json',
    });
    assert.equal(write.status, 403, write.body);
    const body = JSON.parse(write.body) as { reason: string; message: string };
    assert.equal(body.reason, 'Forbidden');
    assert.match(body.message, /User "fluxhelm-restricted" cannot patch resource "helmreleases"/);
    const viaKubectl = cp.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-smoke', '-f', '-'], {
      restricted: true, input: helmRelease('podinfo', validSpec),
    });
    assert.notEqual(viaKubectl.status, 0);
    assert.match(viaKubectl.stderr, /forbidden/i);
    assert.equal(getHr('podinfo').metadata.generation, 1);
  });
});

interface Watch {
  /** Resolves when the server closes the stream. */
  ended: Promise<void>;
  /** Resolves with the first event matching type and object name. */
  next(type: string, name: string): Promise<void>;
  close(): void;
}

/** Opens a raw watch on the namespace's HelmReleases as admin. */
function openWatch(target: ControlPlane): Promise<Watch> {
  const kc = parse(readFileSync(target.kubeconfig, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
  };
  const admin = kc.users.find((u) => u.name === 'fluxhelm-admin')!.user;
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
  const seen: { type: string; name: string }[] = [];
  const waiters: { type: string; name: string; done: () => void }[] = [];
  return new Promise((resolve, reject) => {
    const req = request(`${target.server}/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases?watch=1`, {
      ca: b(kc.clusters[0]!.cluster['certificate-authority-data']),
      cert: b(admin['client-certificate-data']),
      key: b(admin['client-key-data']),
    }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch status ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: { metadata: { name: string } } };
          buf = buf.slice(i + 1);
          const e = { type: ev.type, name: ev.object.metadata.name };
          seen.push(e);
          for (const w of waiters.filter((x) => x.type === e.type && x.name === e.name)) w.done();
        }
      });
      resolve({
        ended: new Promise((done) => { res.on('close', () => done()); res.on('error', () => done()); }),
        next: (type, name) => seen.some((e) => e.type === type && e.name === name)
          ? Promise.resolve()
          : new Promise((done) => waiters.push({ type, name, done })),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('restarting kube-apiserver', () => {
  test('drops watches, keeps data in etcd and the API comes back', async () => {
    // Never bounce a shared cluster other test files may be using.
    const target = cp.owned ? cp : await startControlPlane({ fresh: true });
    try {
      if (target !== cp) assert.equal(target.kubectl(['create', 'namespace', ns]).status, 0);
      const applied = target.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-smoke', '-f', '-'], { input: helmRelease('survivor', validSpec) });
      assert.equal(applied.status, 0, applied.stderr);
      const watch = await openWatch(target);
      await watch.next('ADDED', 'survivor');
      const t0 = Date.now();
      await target.restartApiServer();
      await watch.ended;
      const ready = await target.request('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.ok(Date.now() - t0 < 120000);
      const got = target.kubectl(['get', 'helmrelease', 'survivor', '-n', ns, '-o', 'jsonpath={.spec.chart.spec.chart}']);
      assert.equal(got.status, 0, got.stderr);
      assert.equal(got.stdout, 'podinfo');
      // A new watch works and sees a write made after the restart.
      const again = await openWatch(target);
      try {
        await again.next('ADDED', 'survivor');
        const write = target.kubectl(['patch', 'helmrelease', 'survivor', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
        assert.equal(write.status, 0, write.stderr);
        await again.next('MODIFIED', 'survivor');
      } finally {
        again.close();
      }
    } finally {
      if (target !== cp) await target.stop();
    }
  });
});
