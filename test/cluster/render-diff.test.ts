/**
 * `fluxhelm diff --render` against the real control plane, with a release
 * Secret written by real Helm: the version-matched native helm v4.2.4
 * installs ../shared/charts/podinfo with some values (and, as
 * helm-controller's post-renderer does, the two helm.toolkit.fluxcd.io
 * labels on every object, through a Helm 4 post-renderer plugin). A
 * workspace HelmRelease with the same chart and values then renders to
 * exactly the stored release (exit 0: decode + render parity); a changed
 * replica count and env var are exactly two field changes of the
 * Deployment (exit 1); drift made with kubectl is a note; after a failed
 * upgrade the deployed revision is the base; a release that is not
 * installed is all objects added; a corrupt release Secret is a
 * clear error (exit 2). The decoder itself is checked on the Secret real
 * Helm wrote (and on variants derived from its bytes) against `helm get`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { runNativeHelm } from '../support/helm-native.ts';
import { diff } from '../../cli/diff.ts';
import { decodeReleasePayload, releaseObjects } from '../../engine/cluster/helm-release-secret.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
const sharedChart = join(repoRoot, '..', 'shared', 'charts', 'podinfo');
const ns = `fh-rd-${randomBytes(3).toString('hex')}`;
let cp: ControlPlane;
let dir: string;
let helmHome: string;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await diff(argv, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

const renderDiff = (extra: string[] = []) => run(['--render', join(dir, 'apps'), '--kubeconfig', cp.kubeconfig, '--offline', ...extra]);

const release = (name: string, replicas: number, level: string, more = '') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  interval: 10m
${more}  chart:
    spec:
      chart: ./charts/podinfo
      sourceRef:
        kind: GitRepository
        name: flux-system
        namespace: flux-system
  values:
    replicaCount: ${replicas}
    ui:
      message: hello from fluxhelm
    extraEnvs:
      - name: LOG_LEVEL
        value: ${level}
`;

const helmValues = `replicaCount: 2\nui:\n  message: hello from fluxhelm\nextraEnvs:\n  - name: LOG_LEVEL\n    value: info\n`;

function write(rel: string, text: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** A Helm 4 post-renderer plugin adding the labels helm-controller's post-renderer adds, for one HelmRelease. */
function fluxLabelsPlugin(hrName: string, plugin = 'flux-labels'): void {
  const pluginDir = join(helmHome, 'data', 'plugins', plugin);
  mkdirSync(pluginDir, { recursive: true });
  const script = join(pluginDir, 'labels.mjs');
  writeFileSync(script, `import { createRequire } from 'node:module';
const { parseAllDocuments, stringify } = createRequire(${JSON.stringify(join(repoRoot, 'package.json'))})('yaml');
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const out = [];
  for (const doc of parseAllDocuments(input, { version: '1.1' })) {
    const o = doc.toJS();
    if (!o || typeof o !== 'object') continue;
    o.metadata = o.metadata ?? {};
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'helm.toolkit.fluxcd.io/name': ${JSON.stringify(hrName)}, 'helm.toolkit.fluxcd.io/namespace': ${JSON.stringify(ns)} };
    out.push('---\\n' + stringify(o, { version: '1.1' }));
  }
  process.stdout.write(out.join(''));
});
`);
  chmodSync(script, 0o755);
  writeFileSync(join(pluginDir, 'plugin.yaml'), `apiVersion: v1
type: postrenderer/v1
name: ${plugin}
version: 0.1.0
runtime: subprocess
runtimeConfig:
  platformCommand:
    - command: ${process.execPath}
      args: [${JSON.stringify(script)}]
`);
}

function secretJson(name: string): { data: { release: string }; type: string; metadata: { labels: Record<string, string> } } {
  const r = cp.kubectl(['get', 'secret', name, '-n', ns, '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const objectsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

before(async () => {
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'fh-render-diff-'));
  helmHome = mkdtempSync(join(tmpdir(), 'fh-render-diff-helm-'));
  writeFileSync(join(dir, '.git'), ''); // marks the repository root
  cpSync(sharedChart, join(dir, 'charts', 'podinfo'), { recursive: true });
  write('flux-system/gotk-sync.yaml', `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  ref:\n    branch: main\n  url: https://example.com/fleet.git\n`);
  write('apps/podinfo.yaml', release('podinfo', 2, 'info'));
  assert.equal(cp.kubectl(['create', 'namespace', ns]).status, 0);
  fluxLabelsPlugin('podinfo');
  writeFileSync(join(helmHome, 'values.yaml'), helmValues);
  const installed = await runNativeHelm(['install', 'podinfo', join(dir, 'charts', 'podinfo'), '-n', ns, '-f', join(helmHome, 'values.yaml'), '--post-renderer', 'flux-labels', '--kubeconfig', cp.kubeconfig], helmHome);
  assert.equal(installed.code, 0, installed.stderr + installed.stdout);
});

after(async () => {
  cp?.kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
  rmSync(helmHome, { recursive: true, force: true });
  await cp?.stop();
});

describe('the Helm release Secret decoder on what real Helm wrote', () => {
  test('manifest, hooks, values, revision and status equal what helm get says', async () => {
    const secret = secretJson('sh.helm.release.v1.podinfo.v1');
    assert.equal(secret.type, 'helm.sh/release.v1');
    const decoded = decodeReleasePayload(secret.data.release);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.error);
    const r = decoded.value;
    assert.deepEqual([r.name, r.namespace, r.version, r.status, r.chart?.name, r.chart?.version], ['podinfo', ns, 1, 'deployed', 'podinfo', '6.14.1']);
    const manifest = await runNativeHelm(['get', 'manifest', 'podinfo', '-n', ns, '--kubeconfig', cp.kubeconfig], helmHome);
    assert.equal(manifest.code, 0, manifest.stderr);
    assert.deepEqual(releaseObjects({ ...r, hooks: [] }).objects.map((o) => o.object), objectsOf(manifest.stdout));
    const hooks = await runNativeHelm(['get', 'hooks', 'podinfo', '-n', ns, '--kubeconfig', cp.kubeconfig], helmHome);
    assert.deepEqual(r.hooks.flatMap((h) => objectsOf(h.manifest)), objectsOf(hooks.stdout));
    assert.ok(r.hooks.length >= 1, 'podinfo has test hooks');
    const values = await runNativeHelm(['get', 'values', 'podinfo', '-n', ns, '-o', 'json', '--kubeconfig', cp.kubeconfig], helmHome);
    assert.deepEqual(r.config, JSON.parse(values.stdout));
  });

  test('variants of the real bytes: plain JSON is read; truncated gzip, bad base64 and other JSON are errors, not exceptions', () => {
    const secret = secretJson('sh.helm.release.v1.podinfo.v1');
    const gz = Buffer.from(Buffer.from(secret.data.release, 'base64').toString('utf8'), 'base64');
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
    const json = gunzipSync(gz);
    const b64 = (b: Buffer) => Buffer.from(b.toString('base64')).toString('base64');
    const plain = decodeReleasePayload(b64(json));
    const gzipped = decodeReleasePayload(secret.data.release);
    assert.ok(plain.ok && gzipped.ok);
    assert.deepEqual(plain.value, gzipped.value);
    const bad = [
      decodeReleasePayload(b64(gz.subarray(0, gz.length >> 1))),
      decodeReleasePayload(Buffer.from('not base64 at all!').toString('base64')),
      decodeReleasePayload('%%%'),
      decodeReleasePayload(b64(gzipSync(Buffer.from('[1,2,3]')))),
      decodeReleasePayload(undefined),
    ];
    assert.deepEqual(bad.map((b) => b.ok), [false, false, false, false, false]);
    assert.match((bad[0] as { error: string }).error, /not valid gzip/);
    assert.match((bad[1] as { error: string }).error, /Helm's release payload is not base64/);
    assert.match((bad[2] as { error: string }).error, /data\.release is not base64/);
    assert.match((bad[3] as { error: string }).error, /not a Helm release record/);
  });
});

describe('fluxhelm diff --render', () => {
  test('the same chart and values as the installed release: no differences (exit 0), the revision named', async () => {
    const r = await renderDiff();
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, new RegExp(`note: HelmRelease/${ns}/podinfo: compared with Helm release ${ns}/podinfo revision 1 \\(deployed, chart podinfo 6\\.14\\.1\\)`));
    assert.match(r.err, /test hooks? of the release not compared/);
    assert.match(r.out, /1 owner unchanged/);
    // The live objects carry the API server's defaults; that alone is no drift.
    assert.doesNotMatch(r.err, /live:/);
  });

  test('replicas and an env var changed: exit 1, exactly those two fields of the Deployment', async () => {
    write('apps/podinfo.yaml', release('podinfo', 3, 'debug'));
    const r = await renderDiff(['--format', 'json']);
    assert.equal(r.code, 1, r.err);
    const d = JSON.parse(r.out) as { owners: { id: string; objects: { id: string; status: string; fields: { path: string; op: string; before?: unknown; after?: unknown }[] }[] }[] };
    const owner = d.owners.find((o) => o.id === `${ns}/podinfo`)!;
    assert.deepEqual(owner.objects.map((o) => [o.id, o.status]), [[`apps/Deployment/${ns}/podinfo`, 'changed']]);
    const fields = owner.objects[0]!.fields.map((f) => [f.path, f.op, f.before, f.after]);
    assert.equal(fields.length, 2, JSON.stringify(fields));
    assert.deepEqual(fields.find((f) => f[0] === '.spec.replicas'), ['.spec.replicas', 'change', 2, 3]);
    const env = fields.find((f) => String(f[0]).includes('env'));
    assert.ok(env && /LOG_LEVEL/.test(String(env[0])) && env[2] === 'info' && env[3] === 'debug', JSON.stringify(fields));
    const human = await renderDiff();
    assert.equal(human.code, 1);
    assert.match(human.out, /Deployment/);
    assert.match(human.out, /\.spec\.replicas: 2 → 3/);
    assert.match(human.out, new RegExp(`note: compared with Helm release ${ns}/podinfo revision 1`));
  });

  test('drift made with kubectl is a note about the live object', async () => {
    write('apps/podinfo.yaml', release('podinfo', 2, 'info'));
    assert.equal(cp.kubectl(['scale', 'deployment', 'podinfo', '-n', ns, '--replicas=5']).status, 0);
    const r = await renderDiff();
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, new RegExp(`note: HelmRelease/${ns}/podinfo: live: Deployment/${ns}/podinfo differs from the release at \\.spec\\.replicas`));
  });

  test('a failed upgrade after the deployed revision: the deployed revision is the base, the failed one named', async () => {
    writeFileSync(join(helmHome, 'values-4.yaml'), helmValues.replace('replicaCount: 2', 'replicaCount: 4'));
    // No kubelet runs Pods, so waiting for the Deployment fails the upgrade: revision 2 is stored as failed.
    const up = await runNativeHelm(['upgrade', 'podinfo', join(dir, 'charts', 'podinfo'), '-n', ns, '-f', join(helmHome, 'values-4.yaml'), '--post-renderer', 'flux-labels', '--wait', '--timeout', '3s', '--kubeconfig', cp.kubeconfig], helmHome);
    assert.notEqual(up.code, 0, up.stdout);
    assert.equal(secretJson('sh.helm.release.v1.podinfo.v2').metadata.labels.status, 'failed');
    const r = await renderDiff();
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, new RegExp(`compared with Helm release ${ns}/podinfo revision 1 \\(deployed`));
    assert.match(r.err, /the newest revision 2 is failed; an upgrade starts from revision 1/);
    write('apps/podinfo.yaml', release('podinfo', 4, 'info'));
    const four = await renderDiff(['--format', 'json']);
    assert.equal(four.code, 1, four.err);
    assert.match(four.out, /"path": "\.spec\.replicas"/);
    write('apps/podinfo.yaml', release('podinfo', 2, 'info'));
  });

  test('a base HelmRelease is compared as the overlay below PATH builds it', async () => {
    write('apps/base/ov/release.yaml', release('ov', 1, 'info'));
    write('apps/base/ov/kustomization.yaml', 'resources: [release.yaml]\n');
    write('overlays/production/kustomization.yaml', `resources: [../../apps/base/ov]\npatches:\n  - target: {kind: HelmRelease, name: ov}\n    patch: |\n      - op: replace\n        path: /spec/values/replicaCount\n        value: 3\n`);
    fluxLabelsPlugin('ov', 'flux-labels-ov');
    writeFileSync(join(helmHome, 'values-ov.yaml'), helmValues.replace('replicaCount: 2', 'replicaCount: 3'));
    const installed = await runNativeHelm(['install', 'ov', join(dir, 'charts', 'podinfo'), '-n', ns, '-f', join(helmHome, 'values-ov.yaml'), '--post-renderer', 'flux-labels-ov', '--kubeconfig', cp.kubeconfig], helmHome);
    assert.equal(installed.code, 0, installed.stderr);
    const r = await run(['--render', join(dir, 'overlays', 'production'), '--kubeconfig', cp.kubeconfig, '--offline']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, new RegExp(`note: HelmRelease/${ns}/ov \\(overlays/production\\): compared with Helm release ${ns}/ov revision 1`));
    // Only what the path builds: the podinfo HelmRelease elsewhere in the repository is not compared.
    assert.doesNotMatch(r.err + r.out, new RegExp(`HelmRelease/${ns}/podinfo|${ns}/podinfo:`));
    write('overlays/production/kustomization.yaml', `resources: [../../apps/base/ov]\n`);
    const base = await run(['--render', join(dir, 'overlays', 'production'), '--kubeconfig', cp.kubeconfig, '--offline', '--format', 'json']);
    assert.equal(base.code, 1, base.err);
    assert.match(base.out, /"path": "\.spec\.replicas",\s*"op": "change",\s*"before": 3,\s*"after": 1/);
    rmSync(join(dir, 'overlays'), { recursive: true, force: true });
    rmSync(join(dir, 'apps', 'base'), { recursive: true, force: true });
  });

  test('a HelmRelease that is not installed: every rendered object added', async () => {
    write('apps/fresh.yaml', release('fresh', 1, 'info', `  targetNamespace: ${ns}\n`));
    const r = await renderDiff(['--release', `${ns}/fresh`, '--format', 'json']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`no Helm release ${ns}-fresh in namespace ${ns} \\(not installed yet\\): every rendered object would be added`));
    const d = JSON.parse(r.out) as { owners: { objects: { id: string; status: string }[] }[]; totals: { added: number; removed: number; changed: number } };
    assert.deepEqual(d.owners[0]!.objects.map((o) => o.status).filter((s) => s !== 'added'), []);
    assert.deepEqual(d.owners[0]!.objects.map((o) => o.id.split('/')[1]).sort(), ['Deployment', 'Service']);
    assert.equal(d.totals.added, 2);
  });

  test('an identity that may not read Secrets: exit 2 with the reason', async () => {
    const r = await renderDiff(['--release', `${ns}/podinfo`, '--context', 'fluxhelm-restricted']);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`HelmRelease/${ns}/podinfo: cannot list the Helm release Secrets of podinfo in namespace ${ns}: the cluster refused this for your identity \\(context fluxhelm-restricted\\)`));
  });

  test('a corrupt release Secret: a clear error, exit 2, no crash', async () => {
    write('apps/broken.yaml', release('broken', 1, 'info'));
    const secret = {
      apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
      metadata: { name: 'sh.helm.release.v1.broken.v1', namespace: ns, labels: { owner: 'helm', name: 'broken', version: '1', status: 'deployed' } },
      data: { release: Buffer.from('H4sIAAAA-this is not a release').toString('base64') },
    };
    const applied = cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
    assert.equal(applied.status, 0, applied.stderr);
    const r = await renderDiff(['--release', `${ns}/broken`]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`HelmRelease/${ns}/broken: the Helm release Secret ${ns}/sh\\.helm\\.release\\.v1\\.broken\\.v1 cannot be read: Helm's release payload is not base64`));
  });
});
