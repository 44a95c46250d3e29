/**
 * Working with the real helm binary (v4.1.4): reusing Helm's repository
 * cache after `helm repo add` + `helm repo update` (offline resolution from
 * HELM_CACHE_HOME), Helm's stored repository credentials, and the fast index
 * scanner agreeing with the full YAML parse on indexes written by
 * `helm repo index`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinary, isolatedHelmEnv } from '../support/tools.ts';
import { buildChartArchive, startChartRepo, type ChartSpec } from '../support/chart-repo.ts';
import { createNetHost } from '../../server/net-host.ts';
import { createHttpIndexSource } from '../../engine/sources/http-index.ts';
import { parseIndex, parseIndexFull, scanIndex } from '../../engine/sources/index-scan.ts';
import { selectChartVersion } from '../../engine/versions/select.ts';
import { startFront } from './front.ts';
import { run } from './registry.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Runs helm without blocking the event loop (the repositories it talks to live in this process). */
async function helm(home: string, args: string[]): Promise<string> {
  const r = await run(helmBinary(), args, isolatedHelmEnv(home), 60_000);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}

function hostFor(home: string) {
  const env = isolatedHelmEnv(home) as Record<string, string>;
  return createNetHost({ cacheDir: join(home, 'fluxhelm-cache'), env: (n) => env[n] });
}

test('after `helm repo add` + `helm repo update`, the index resolves offline from Helm\'s cache', async () => {
  const repo = await startChartRepo({
    charts: [
      { name: 'podinfo', version: '6.4.0' },
      { name: 'podinfo', version: '6.5.0' },
      { name: 'podinfo', version: '6.5.1+hotfix' },
      { name: 'nginx', version: '15.0.0', appVersion: '1.25.0' },
    ],
  });
  const home = tempDir('fluxhelm-helmhome-');
  try {
    await helm(home, ['repo', 'add', 'myrepo', repo.url]);
    await helm(home, ['repo', 'update']);
    const before = repo.requests.length;
    // Offline mode: no request at all, Helm's copy is used at once.
    const offline = await createHttpIndexSource(hostFor(home)).getIndex({ url: `${repo.url}/`, offline: true });
    assert.ok(offline.ok, JSON.stringify(offline));
    assert.equal(offline.origin, 'helm-cache');
    assert.equal(offline.helmRepo, 'myrepo');
    assert.equal(offline.stale, true);
    assert.equal(repo.requests.length, before);
    // `helm repo update` stores the index as served, so the served order comes back.
    assert.deepEqual(offline.index.charts.get('podinfo')?.map((e) => e.version), ['6.4.0', '6.5.0', '6.5.1+hotfix']);
    const pick = selectChartVersion(offline.index.charts.get('podinfo')!, '~6.5');
    assert.ok(pick.ok && pick.version === '6.5.1+hotfix', JSON.stringify(pick));
  } finally {
    await repo.stop();
  }
  // The repository is gone: a normal lookup falls back to Helm's cache and says why.
  const r = await createHttpIndexSource(hostFor(home)).getIndex({ url: repo.url });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.origin, 'helm-cache');
  assert.equal(r.stale, true);
  assert.match(r.staleReason ?? '', /ECONNREFUSED/);
  assert.equal(r.index.charts.get('nginx')?.[0].appVersion, '1.25.0');
  assert.equal(r.index.parser, 'scan', 'helm-written cache files take the fast path');
});

test('credentials from `helm repo add --username/--password` are used when the caller has none', async () => {
  const repo = await startChartRepo({ charts: [{ name: 'private', version: '0.3.0' }] });
  const front = await startFront({ upstream: repo.url, auth: { username: 'helm-user', password: 'p@ss word' } });
  const home = tempDir('fluxhelm-helmhome-');
  try {
    await helm(home, ['repo', 'add', 'secure', front.url, '--username', 'helm-user', '--password', 'p@ss word']);
    const r = await createHttpIndexSource(hostFor(home)).getIndex({ url: front.url });
    assert.ok(r.ok && r.origin === 'network', JSON.stringify(r));
    assert.equal(r.helmRepo, 'secure');
    assert.equal(r.index.charts.get('private')?.[0].version, '0.3.0');
  } finally {
    await front.stop();
    await repo.stop();
  }
});

test('the scanner reads `helm repo index` output exactly like the full YAML parse', async () => {
  const dir = tempDir('fluxhelm-helmindex-');
  const pkgs = join(dir, 'packages');
  mkdirSync(pkgs);
  const long = 'A chart description: long enough that the YAML emitter folds it, with "quotes", colons: and # hashes that must not start comments';
  const specs: ChartSpec[] = [
    { name: 'alpha', version: '1.0.0', appVersion: '1.0', description: long },
    { name: 'alpha', version: '1.1.0-rc.1', appVersion: 'v1.1.0-rc.1' },
    { name: 'alpha', version: '1.1.0+build.7', description: "it's 'quoted'" },
    { name: 'beta', version: '0.0.1', appVersion: '2024.01', chartYaml: { keywords: ['db', 'sql'], home: 'https://example.com', sources: ['https://example.com/src'], maintainers: [{ name: 'Ann', email: 'ann@example.com' }], annotations: { 'artifacthub.io/changes': '- kind: added\n  description: "version: 9.9.9"\n', category: 'Database' } } },
    { name: 'beta', version: '0.0.2', appVersion: 'true', description: 'multi\nline\ndescription' },
    { name: 'gamma-operator', version: '10.20.30', appVersion: '0.1.0', chartYaml: { kubeVersion: '>=1.25.0-0', dependencies: [{ name: 'alpha', version: '~1.0', repository: 'https://example.com/charts' }] } },
  ];
  for (const spec of specs) writeFileSync(join(pkgs, `${spec.name}-${spec.version}.tgz`), buildChartArchive(spec));
  await helm(dir, ['repo', 'index', pkgs, '--url', 'https://charts.example.com/stable']);
  const text = readFileSync(join(pkgs, 'index.yaml'), 'utf8');
  assert.match(text, /^ {4}- https:\/\/charts\.example\.com\/stable\/alpha-1\.0\.0\.tgz$|^ {2}- annotations:/m);
  const scanned = scanIndex(text);
  assert.ok(scanned, 'the scanner understands helm\'s layout');
  const full = parseIndexFull(text);
  assert.ok(full.ok);
  assert.deepEqual(scanned.charts, full.index.charts);
  assert.equal(scanned.apiVersion, 'v1');
  const fast = parseIndex(text);
  assert.ok(fast.ok && fast.index.parser === 'scan');
  assert.equal(fast.index.charts.get('alpha')?.length, 3);
  assert.equal(fast.index.charts.get('beta')?.find((e) => e.version === '0.0.2')?.appVersion, 'true');
  assert.deepEqual(fast.index.charts.get('gamma-operator')?.[0].urls, ['https://charts.example.com/stable/gamma-operator-10.20.30.tgz']);
  assert.match(fast.index.charts.get('alpha')?.[0].digest ?? '', /^[0-9a-f]{64}$/);
});
