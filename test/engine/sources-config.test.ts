// Algorithm test of engine/sources (Helm config files, registry credentials, OCI references, local charts, index cache): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Pure parts of the chart sources with an in-memory host: Helm's folder
 * rules, repositories.yaml matching, registry credentials from Helm and
 * Docker configs, OCI reference/challenge/Link parsing, local charts
 * (GitRepository/Bucket), and the index source's cache logic with a fake
 * network (revalidation, stale fallbacks, in-flight de-duplication).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CacheEntry, FetchOptions, FetchResult, SourceHost } from '../../engine/sources/host.ts';
import { findHelmRepo, helmPaths, normalizeRepoUrl, registryCredentials } from '../../engine/sources/helm-config.ts';
import { isLoopbackHost, nextLink, ociChartRef, parseChallenge, parseOciRef, tagToVersion, versionToTag } from '../../engine/sources/oci.ts';
import { normalizeChartPath, readLocalChart } from '../../engine/sources/local-chart.ts';
import { createHttpIndexSource, indexUrlOf } from '../../engine/sources/http-index.ts';

type Handler = (url: string, options: FetchOptions) => FetchResult | Promise<FetchResult>;

function memHost(files: Record<string, string>, env: Record<string, string>, handler: Handler = (url) => ({ error: 'offline', kind: 'unreachable', url }), platform = 'linux') {
  const cache = new Map<string, CacheEntry>();
  const calls: { url: string; options: FetchOptions }[] = [];
  let clock = 1_000_000;
  const host: SourceHost = {
    fetch: async (url, options = {}) => {
      calls.push({ url, options });
      return handler(url, options);
    },
    readCache: async (key) => cache.get(key),
    writeCache: async (key, bytes, meta) => void cache.set(key, { bytes, meta }),
    readFile: async (path) => (files[path] !== undefined ? new TextEncoder().encode(files[path]) : undefined),
    env: (n) => env[n],
    now: () => clock,
    platform,
  };
  return { host, calls, cache, advance: (ms: number) => (clock += ms) };
}

test('Helm folders follow HELM_*, then XDG_*, then the platform default', () => {
  assert.deepEqual(helmPaths(memHost({}, { HOME: '/home/u' }).host), {
    configHome: '/home/u/.config/helm',
    cacheHome: '/home/u/.cache/helm',
    repositoryConfig: '/home/u/.config/helm/repositories.yaml',
    repositoryCache: '/home/u/.cache/helm/repository',
    registryConfig: '/home/u/.config/helm/registry/config.json',
  });
  const xdg = helmPaths(memHost({}, { HOME: '/h', XDG_CONFIG_HOME: '/x/c', XDG_CACHE_HOME: '/x/k' }).host);
  assert.equal(xdg.repositoryConfig, '/x/c/helm/repositories.yaml');
  assert.equal(xdg.repositoryCache, '/x/k/helm/repository');
  const explicit = helmPaths(memHost({}, { HOME: '/h', HELM_CONFIG_HOME: '/hc', HELM_CACHE_HOME: '/hk', HELM_REPOSITORY_CACHE: '/rc', HELM_REGISTRY_CONFIG: '/reg.json' }).host);
  assert.equal(explicit.repositoryConfig, '/hc/repositories.yaml');
  assert.equal(explicit.repositoryCache, '/rc');
  assert.equal(explicit.registryConfig, '/reg.json');
  const mac = helmPaths(memHost({}, { HOME: '/Users/u' }, undefined, 'darwin').host);
  assert.equal(mac.configHome, '/Users/u/Library/Preferences/helm');
  assert.equal(mac.cacheHome, '/Users/u/Library/Caches/helm');
});

test('repositories.yaml entries match HelmRepository URLs regardless of trailing slash and host case', async () => {
  const files = {
    '/h/.config/helm/repositories.yaml': 'apiVersion: ""\ngenerated: "2024-01-01T00:00:00Z"\nrepositories:\n- name: bitnami\n  url: https://Charts.Bitnami.com/bitnami/\n  username: ""\n  password: ""\n- name: private\n  url: https://charts.example.com\n  username: me\n  password: pw\n  insecure_skip_tls_verify: true\n',
  };
  const { host } = memHost(files, { HOME: '/h' });
  assert.equal((await findHelmRepo(host, 'https://charts.bitnami.com/bitnami'))?.name, 'bitnami');
  assert.deepEqual(await findHelmRepo(host, 'https://charts.example.com/'), { name: 'private', url: 'https://charts.example.com', username: 'me', password: 'pw', insecureSkipVerify: true });
  assert.equal(await findHelmRepo(host, 'https://other.example.com'), undefined);
  assert.equal(normalizeRepoUrl('HTTPS://A.example.com/x//'), 'https://a.example.com/x');
  assert.equal(await findHelmRepo(memHost({ '/h/.config/helm/repositories.yaml': ': bad: [' }, { HOME: '/h' }).host, 'https://x'), undefined);
});

test('registry credentials: Helm config first, then Docker; auth or username/password; helpers reported', async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const files = {
    '/h/.config/helm/registry/config.json': JSON.stringify({ auths: { 'https://ghcr.io': { auth: b64('gh:tok:en') } } }),
    '/d/config.json': JSON.stringify({ auths: { 'ghcr.io': { auth: b64('docker:x') }, 'registry.example.com:5000': { username: 'u', password: 'p' }, 'https://index.docker.io/v1/': { auth: b64('hub:pw') } }, credHelpers: { 'gcr.io': 'gcloud' } }),
  };
  const { host } = memHost(files, { HOME: '/h', DOCKER_CONFIG: '/d' });
  assert.deepEqual(await registryCredentials(host, 'ghcr.io'), { credentials: { username: 'gh', password: 'tok:en', from: '/h/.config/helm/registry/config.json' } });
  assert.deepEqual((await registryCredentials(host, 'registry.example.com:5000')).credentials, { username: 'u', password: 'p', from: '/d/config.json' });
  assert.equal((await registryCredentials(host, 'docker.io')).credentials?.username, 'hub');
  assert.deepEqual(await registryCredentials(host, 'gcr.io'), { helper: 'docker-credential-gcloud (/d/config.json)' });
  assert.deepEqual(await registryCredentials(host, 'quay.io'), {});
});

test('OCI references, challenges, Link headers and tag conversion', () => {
  assert.deepEqual(parseOciRef('oci://ghcr.io/stefanprodan/charts/podinfo'), { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'stefanprodan/charts/podinfo' });
  assert.deepEqual(parseOciRef('oci://127.0.0.1:5000/charts/app:1.2.3'), { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', repository: 'charts/app', reference: '1.2.3' });
  assert.deepEqual(parseOciRef('oci://docker.io/nginx@sha256:abc'), { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: 'sha256:abc' });
  assert.equal(parseOciRef('https://ghcr.io/x'), undefined);
  assert.equal(parseOciRef('oci://ghcr.io/Upper/Case'), undefined);
  assert.equal(ociChartRef('oci://ghcr.io/org/charts/', 'app'), 'oci://ghcr.io/org/charts/app');
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  assert.equal(parseChallenge(undefined), undefined);
  assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', 'http://r:5000/v2/a/tags/list?n=2'), 'http://r:5000/v2/a/tags/list?n=2&last=b');
  assert.equal(nextLink('<https://other/x>; rel="prev", </v2/n?last=z>; rel=next', 'https://r/v2/n'), 'https://r/v2/n?last=z');
  assert.equal(nextLink(undefined, 'https://r'), undefined);
  assert.equal(tagToVersion('1.2.3_build.1'), '1.2.3+build.1');
  assert.equal(versionToTag('1.2.3+build.1'), '1.2.3_build.1');
  assert.ok(isLoopbackHost('127.0.0.1:5000') && isLoopbackHost('localhost') && isLoopbackHost('[::1]:5000'));
  assert.ok(!isLoopbackHost('ghcr.io') && !isLoopbackHost('10.0.0.1:5000'));
});

test('local charts: Chart.yaml name/version/appVersion; the version constraint is ignored and reported', async () => {
  const files: Record<string, string> = {
    'repo/charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0\nappVersion: "2.3"\ntype: application\n',
    'repo/charts/bad/Chart.yaml': 'name: [\n',
    'repo/charts/noversion/Chart.yaml': 'name: x\n',
  };
  const readFile = (p: string) => files[p];
  const r = await readLocalChart({ chartPath: './charts/app/', root: 'repo', readFile, version: '>=5.0.0' });
  assert.deepEqual(r, { ok: true, name: 'app', version: '1.0', appVersion: '2.3', apiVersion: 'v2', type: 'application', chartYamlPath: 'repo/charts/app/Chart.yaml', ignoredVersion: '>=5.0.0' });
  const star = await readLocalChart({ chartPath: 'charts/x/../app', root: 'repo/', readFile, version: '*' });
  assert.ok(star.ok && star.ignoredVersion === undefined && star.chartYamlPath === 'repo/charts/app/Chart.yaml');
  const missing = await readLocalChart({ chartPath: 'charts/none', root: 'repo', readFile });
  assert.ok(!missing.ok && missing.reason === 'not-found' && missing.message === 'no Chart.yaml at repo/charts/none/Chart.yaml');
  const bad = await readLocalChart({ chartPath: 'charts/bad', root: 'repo', readFile });
  assert.ok(!bad.ok && bad.reason === 'malformed');
  const nov = await readLocalChart({ chartPath: 'charts/noversion', root: 'repo', readFile });
  assert.ok(!nov.ok && /no version/.test(nov.message));
  const escape = await readLocalChart({ chartPath: '../../etc', root: 'repo', readFile });
  assert.ok(!escape.ok && escape.reason === 'invalid-path');
  assert.equal(normalizeChartPath('./a/./b/../c/'), 'a/c');
  assert.equal(normalizeChartPath('/abs'), undefined);
  const thrower = await readLocalChart({ chartPath: 'x', readFile: () => { throw new Error('EACCES'); } });
  assert.ok(!thrower.ok && thrower.reason === 'not-found');
});

const INDEX = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n';

test('index source: memory reuse within maxAge, 304 reuse, stale copies on failure, one request for concurrent callers', async () => {
  let status = 200;
  let etag = '"v1"';
  const m = memHost({}, { HOME: '/h' }, (url, options) => {
    if (status === 0) return { error: 'cannot connect: ECONNREFUSED', kind: 'unreachable', url };
    if (status === 200 || options.headers?.['if-none-match'] !== etag) return { status: 200, headers: { etag }, body: new TextEncoder().encode(INDEX), url, redirects: 0 };
    return { status: 304, headers: { etag }, body: new Uint8Array(), url, redirects: 0 };
  });
  const src = createHttpIndexSource(m.host);
  const [a, b] = await Promise.all([src.getIndex({ url: 'https://charts.example.com' }), src.getIndex({ url: 'https://charts.example.com' })]);
  assert.ok(a.ok && b.ok && a.index === b.index);
  assert.equal(m.calls.length, 1, 'concurrent lookups share one request');
  assert.equal(m.calls[0].url, 'https://charts.example.com/index.yaml');
  const mem = await src.getIndex({ url: 'https://charts.example.com/' });
  assert.ok(mem.ok && mem.origin === 'memory' && m.calls.length === 1);
  m.advance(6 * 60_000);
  status = 304;
  const re = await src.getIndex({ url: 'https://charts.example.com' });
  assert.ok(re.ok && re.origin === 'revalidated' && re.index === a.index);
  assert.equal(m.calls[1].options.headers?.['if-none-match'], '"v1"');
  status = 0;
  const stale = await src.getIndex({ url: 'https://charts.example.com', maxAgeMs: 0 });
  assert.ok(stale.ok && stale.stale && stale.origin === 'memory' && /ECONNREFUSED/.test(stale.staleReason ?? ''));
  // A fresh source (new process) finds the disk cache.
  const disk = await createHttpIndexSource(m.host).getIndex({ url: 'https://charts.example.com' });
  assert.ok(disk.ok && disk.origin === 'cache' && disk.stale);
  status = 500;
  const fresh = createHttpIndexSource(memHost({}, { HOME: '/h' }, (url) => ({ status: 500, headers: {}, body: new Uint8Array(), url, redirects: 0 })).host);
  const err = await fresh.getIndex({ url: 'https://charts.example.com' });
  assert.ok(!err.ok && err.reason === 'http' && err.status === 500);
  assert.equal(indexUrlOf('https://x.example.com/charts/?token=1'), 'https://x.example.com/charts/index.yaml?token=1');
  assert.equal(indexUrlOf('oci://x'), undefined);
});
