/**
 * `fluxhelm resolve examples/fleet --offline`: every HelmRelease of the
 * example fleet resolves without network from caches this test provides the
 * way a user would have them: Helm's repository cache after `helm repo
 * update` (repositories.yaml + <name>-index.yaml) for the HTTP repositories,
 * and fluxhelm's own cache of registry tag lists for the OCI source.
 * Without the caches, the same run reports each failure and exits 1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { createNetHost } from '../../server/net-host.ts';

const root = join(import.meta.dirname, '..', '..');
let home: string;
let podinfo: ChartRepo;
let nginx: ChartRepo;

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home, ...env } });
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'fluxhelm-resolve-'));
  podinfo = await startChartRepo();
  podinfo.addCharts([
    { name: 'podinfo', version: '6.4.1', appVersion: '6.4.1' },
    { name: 'podinfo', version: '6.5.3', appVersion: '6.5.3', values: { replicaCount: 1, logLevel: 'info', ui: { color: '#34577c', message: '' }, ingress: { enabled: false, className: '', hosts: [] }, hpa: { enabled: false, maxReplicas: 10, cpu: null }, resources: { requests: { cpu: '1m', memory: '16Mi' } } } },
    { name: 'podinfo', version: '6.7.0-rc.1', appVersion: '6.7.0' },
  ]);
  nginx = await startChartRepo();
  nginx.addCharts([
    { name: 'ingress-nginx', version: '4.11.3', appVersion: '1.11.3' },
    { name: 'ingress-nginx', version: '4.12.0', appVersion: '1.12.0' },
  ]);
  // Helm's cache, as `helm repo add` + `helm repo update` leave it.
  const config = join(home, 'helm-config');
  const cache = join(home, 'helm-cache', 'repository');
  mkdirSync(config, { recursive: true });
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(config, 'repositories.yaml'), stringify({ apiVersion: '', generated: '2026-11-01T00:00:00Z', repositories: [
    { name: 'podinfo', url: 'https://stefanprodan.github.io/podinfo' },
    { name: 'ingress-nginx', url: 'https://kubernetes.github.io/ingress-nginx' },
  ] }));
  writeFileSync(join(cache, 'podinfo-index.yaml'), podinfo.indexYaml());
  writeFileSync(join(cache, 'ingress-nginx-index.yaml'), nginx.indexYaml());
  // fluxhelm's own cache of a registry's tag list, as an earlier online run leaves it.
  const host = createNetHost({ cacheDir: join(home, 'fluxhelm-cache', 'sources') });
  // A chart archive downloaded by an earlier online run.
  await host.writeCache('chart-archive:https://stefanprodan.github.io/podinfo/charts/podinfo-6.5.3.tgz', new Uint8Array(podinfo.archive('podinfo', '6.5.3')), { url: 'https://stefanprodan.github.io/podinfo/charts/podinfo-6.5.3.tgz', fetchedAt: Date.now() });
  await host.writeCache('oci-tags:oci://ghcr.io/example-org/charts/redis', new TextEncoder().encode(JSON.stringify(['19.6.4', '20.1.0', '20.11.4', '21.0.1', 'latest'])), { url: 'oci://ghcr.io/example-org/charts/redis', fetchedAt: Date.now() });
});
after(async () => {
  await podinfo?.stop();
  await nginx?.stop();
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({ HELM_CONFIG_HOME: join(home, 'helm-config'), HELM_CACHE_HOME: join(home, 'helm-cache'), FLUXHELM_CACHE: join(home, 'fluxhelm-cache') });

test('every HelmRelease of examples/fleet resolves offline from the caches', () => {
  const r = run(['resolve', 'examples/fleet', '--offline', '--format', 'json'], env());
  assert.equal(r.stderr, '');
  const rows = JSON.parse(r.stdout) as { release: string; source: string; chart: string; constraint: string; version: string | null; appVersion: string | null; url: string | null; error?: string; stale?: boolean }[];
  const by = Object.fromEntries(rows.map((x) => [x.release, x]));
  assert.equal(by['podinfo/podinfo'].version, '6.5.3', 'newest stable 6.x; the release candidate is not in range');
  assert.equal(by['podinfo/podinfo'].appVersion, '6.5.3');
  assert.equal(by['podinfo/podinfo'].url, 'https://stefanprodan.github.io/podinfo/charts/podinfo-6.5.3.tgz');
  assert.equal(by['ingress-nginx/ingress-nginx'].version, '4.12.0');
  assert.equal(by['cert-manager/cert-manager'].version, 'v1.16.2', 'a full version is pulled as a tag without listing');
  assert.equal(by['cert-manager/cert-manager'].url, 'oci://quay.io/jetstack/charts/cert-manager:v1.16.2');
  assert.equal(by['redis/redis'].version, '20.11.4');
  assert.equal(by['redis/redis'].stale, true, 'resolved from a cached tag list');
  assert.equal(by['flux-system/team-quotas'].version, '0.3.1', 'a chart of this repository: its Chart.yaml decides');
  assert.ok(rows.every((x) => !x.error), JSON.stringify(rows.filter((x) => x.error)));
  assert.equal(r.status, 0);
});

test('without caches the failures are reported and the exit status is 1', () => {
  const r = run(['resolve', 'examples/fleet', '--offline', '--format', 'json'], { HELM_CONFIG_HOME: join(home, 'none'), HELM_CACHE_HOME: join(home, 'none'), FLUXHELM_CACHE: join(home, 'none') });
  assert.equal(r.status, 1);
  const rows = JSON.parse(r.stdout) as { release: string; version: string | null; error?: string }[];
  const podinfoRow = rows.find((x) => x.release === 'podinfo/podinfo')!;
  assert.equal(podinfoRow.version, null);
  assert.match(podinfoRow.error!, /offline|cache/i);
  assert.equal(rows.find((x) => x.release === 'flux-system/team-quotas')!.version, '0.3.1', 'local charts need no cache');
});

test('text output names each release, source, constraint and result', () => {
  const r = run(['resolve', 'examples/fleet', '--offline'], env());
  assert.equal(r.status, 0);
  assert.match(r.stdout, /podinfo\/podinfo {2}HelmRepository\/flux-system\/podinfo {2}podinfo 6\.x → 6\.5\.3 \(app 6\.5\.3\)/);
  assert.match(r.stdout, /5 releases: 5 resolved, 0 unresolved/);
});

test('values offline for an overlay: production\'s values, with the patch file and line per inline value', () => {
  const r = run(['values', 'examples/fleet', '--release', 'podinfo/podinfo', '--overlay', 'apps/production', '--provenance', '--offline'], env());
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /as apps\/production builds it/);
  assert.match(r.stdout, /replicaCount: 3 # spec\.values \(apps\/production\/podinfo-patch\.yaml:\d+\)/, 'the overlay patch set it');
  assert.match(r.stdout, /memory: 64Mi # spec\.values$/m, 'set in the base file, not by the patch');
  assert.match(r.stdout, /maxReplicas: 6 # valuesFrom\[0\] ConfigMap\/podinfo-values key values\.yaml/, "from production's generated ConfigMap");
  assert.match(r.stdout, /color: "#34577c" # valuesFrom\[2\] ConfigMap\/podinfo-values key ui-color/);
  const staging = run(['values', 'examples/fleet', '--release', 'podinfo/podinfo', '--overlay', 'apps/staging', '--offline', '--format', 'json'], env());
  assert.equal(staging.status, 0, staging.stderr);
  const base = run(['values', 'examples/fleet', '--release', 'podinfo/podinfo', '--offline', '--format', 'json'], env());
  assert.notDeepEqual(JSON.parse(staging.stdout), JSON.parse(base.stdout), 'the overlay changes the values');
  const bad = run(['values', 'examples/fleet', '--release', 'podinfo/podinfo', '--overlay', 'apps/nowhere', '--offline'], env());
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /overlays that do: apps\/production, apps\/staging/);
});
