/**
 * OCI chart sources against the real CNCF distribution registry
 * (/usr/bin/docker-registry from Debian, see .ci/registry-deps.sh) on
 * 127.0.0.1, with charts pushed by the real `helm push --plain-http`:
 * anonymous tag listing, `n`/Link pagination (through a spec-conforming
 * front: distribution 2.8 ignores `n`), `+` versions stored as `_`
 * tags, manifest digests equal to what helm reports; an htpasswd registry
 * with credentials from a generated Docker config.json (and wrong ones from
 * Helm's registry config); a token-auth registry whose bearer challenge is
 * answered by a loopback token service (./token-server.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetHost } from '../../server/net-host.ts';
import { createOciSource, tagToVersion, type TagList, type OciMiss } from '../../engine/sources/oci.ts';
import { selectOciChartTag, helmRegistryTags, resolveOciRepositoryRef } from '../../engine/versions/select.ts';
import { startRegistry, startPagingFront, helmPush, type Registry, type PagingFront } from './registry.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';
import { startFront } from './front.ts';

const VERSIONS = ['0.9.0', '1.0.0', '1.1.0', '1.2.0-rc.1', '1.2.0', '1.2.1+build.5', '2.0.0'];
let open: Registry;
let basic: Registry;
let tokenReg: Registry;
let tokens: TokenServer;
let paging: PagingFront;
const digests = new Map<string, string>();
const dirs: string[] = [];

before(async () => {
  [open, basic, tokens] = await Promise.all([startRegistry({ kind: 'none' }), startRegistry({ kind: 'htpasswd', users: { alice: 'wonder-land', bob: 'builder' } }), startTokenServer({ carol: 'c4r0l' })]);
  paging = await startPagingFront(open.host);
  tokenReg = await startRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certPem: tokens.certPem });
  for (const [v, d] of await helmPush(open.host, 'charts', VERSIONS.map((version) => ({ name: 'podinfo', version })))) digests.set(v, d);
  await helmPush(basic.host, 'private/charts', [{ name: 'app', version: '3.1.0' }, { name: 'app', version: '3.2.0' }], { username: 'alice', password: 'wonder-land' });
  await helmPush(tokenReg.host, 'team/charts', [{ name: 'svc', version: '0.1.0' }, { name: 'svc', version: '0.2.0+abc' }], { username: 'carol', password: 'c4r0l' });
});

after(async () => {
  await Promise.all([paging?.stop(), open?.stop(), basic?.stop(), tokenReg?.stop(), tokens?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A host with its own HOME/DOCKER_CONFIG/HELM_CONFIG_HOME, optionally with config files. */
function hostWith(files: { docker?: unknown; helmRegistry?: unknown } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-oci-'));
  dirs.push(dir);
  const env: Record<string, string> = { HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), HELM_CONFIG_HOME: join(dir, 'helm') };
  if (files.docker) {
    mkdirSync(join(dir, 'docker'), { recursive: true });
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify(files.docker));
  }
  if (files.helmRegistry) {
    mkdirSync(join(dir, 'helm', 'registry'), { recursive: true });
    writeFileSync(join(dir, 'helm', 'registry', 'config.json'), JSON.stringify(files.helmRegistry));
  }
  return createNetHost({ cacheDir: join(dir, 'cache'), env: (n) => env[n] });
}

function auth(user: string, pass: string) {
  return { auth: Buffer.from(`${user}:${pass}`).toString('base64') };
}

function okTags(r: TagList | OciMiss): TagList {
  if (!r.ok) assert.fail(`expected tags, got ${r.reason}: ${r.message}`);
  return r;
}

test('lists every tag across pages (n=2, Link header) and maps `_` back to `+`', async () => {
  const oci = createOciSource(hostWith());
  // Pagination goes through the spec-conforming front (distribution 2.8 ignores `n`).
  const r = okTags(await oci.listTags({ ref: `oci://${paging.host}/charts/podinfo`, pageSize: 2 }));
  assert.equal(r.pages, Math.ceil(VERSIONS.length / 2));
  assert.deepEqual(paging.tagRequests.slice(0, 2), ['/v2/charts/podinfo/tags/list?n=2', '/v2/charts/podinfo/tags/list?n=2&last=1.0.0']);
  assert.deepEqual([...r.tags].sort(), VERSIONS.map((v) => v.replace('+', '_')).sort());
  assert.ok(r.tags.includes('1.2.1_build.5'));
  assert.ok(r.tags.map(tagToVersion).includes('1.2.1+build.5'));
  assert.equal(r.credentialsFrom, undefined);
  // One page when the registry picks the page size.
  const whole = okTags(await oci.listTags({ ref: `oci://${open.host}/charts/podinfo` }));
  assert.equal(whole.pages, 1);
  assert.equal(whole.tags.length, VERSIONS.length);
  // The constraint engine takes the raw tags.
  assert.equal(helmRegistryTags(r.tags)[0], '2.0.0');
  const pick = selectOciChartTag(r.tags, '~1.2.0');
  assert.ok(pick.ok && pick.version === '1.2.1+build.5' && pick.tag === '1.2.1_build.5', JSON.stringify(pick));
  // OCIRepository uses tags as written: `1.2.1_build.5` is not a semver there, so 1.2.0 wins.
  const ref = resolveOciRepositoryRef({ semver: '<2.0.0' }, r.tags);
  assert.ok(ref.ok && ref.kind === 'semver' && ref.tag === '1.2.0', JSON.stringify(ref));
});

test('manifest digests match what helm push reported, for `_` tags too', async () => {
  const oci = createOciSource(hostWith());
  for (const version of ['1.0.0', '1.2.1+build.5']) {
    const d = await oci.manifestDigest({ ref: `oci://${open.host}/charts/podinfo`, tag: version.replace('+', '_') });
    assert.ok(d.ok, JSON.stringify(d));
    assert.equal(d.digest, digests.get(version));
    assert.match(d.mediaType ?? '', /application\/vnd\.oci\.image\.manifest\.v1\+json/);
  }
  const missing = await oci.manifestDigest({ ref: `oci://${open.host}/charts/podinfo`, tag: '9.9.9' });
  assert.ok(!missing.ok && missing.reason === 'not-found', JSON.stringify(missing));
  const noRepo = await oci.listTags({ ref: `oci://${open.host}/charts/nothing` });
  assert.ok(!noRepo.ok && noRepo.reason === 'not-found' && /NAME_UNKNOWN/.test(noRepo.message), JSON.stringify(noRepo));
});

test('htpasswd registry: credentials from Docker config.json work; none or wrong ones give clear 401 errors', async () => {
  const ref = `oci://${basic.host}/private/charts/app`;
  const anonymous = await createOciSource(hostWith()).listTags({ ref });
  assert.ok(!anonymous.ok && anonymous.reason === 'auth' && anonymous.status === 401 && /needs credentials/.test(anonymous.message), JSON.stringify(anonymous));

  const docker = hostWith({ docker: { auths: { [basic.host]: auth('bob', 'builder') } } });
  const r = okTags(await createOciSource(docker).listTags({ ref }));
  assert.deepEqual([...r.tags].sort(), ['3.1.0', '3.2.0']);
  assert.match(r.credentialsFrom ?? '', /docker\/config\.json$/);
  const d = await createOciSource(docker).manifestDigest({ ref, tag: '3.2.0' });
  assert.ok(d.ok && /^sha256:[0-9a-f]{64}$/.test(d.digest), JSON.stringify(d));

  // Helm's registry config wins over Docker's; here it holds a wrong password.
  const wrong = hostWith({ docker: { auths: { [basic.host]: auth('bob', 'builder') } }, helmRegistry: { auths: { [`http://${basic.host}`]: auth('alice', 'not-it') } } });
  const rejected = await createOciSource(wrong).listTags({ ref });
  assert.ok(!rejected.ok && rejected.reason === 'auth' && rejected.status === 401 && /rejected the credentials \(from .*helm\/registry\/config\.json\)/.test(rejected.message), JSON.stringify(rejected));

  // Credentials passed by the caller (a Secret found in the workspace) win over both.
  const given = okTags(await createOciSource(wrong).listTags({ ref, credentials: { username: 'alice', password: 'wonder-land' } }));
  assert.equal(given.credentialsFrom, 'request');
});

test('token-auth registry: the Bearer challenge is answered through the token service', async () => {
  const ref = `oci://${tokenReg.host}/team/charts/svc`;
  const before = tokens.log.length;
  const host = hostWith({ docker: { auths: { [tokenReg.host]: auth('carol', 'c4r0l') } } });
  const oci = createOciSource(host);
  const r = okTags(await oci.listTags({ ref }));
  assert.deepEqual([...r.tags].sort(), ['0.1.0', '0.2.0_abc']);
  const asked = tokens.log.slice(before);
  assert.equal(asked.length, 1, 'one token request');
  assert.deepEqual(asked[0], { scope: 'repository:team/charts/svc:pull', user: 'carol', status: 200 });
  const d = await oci.manifestDigest({ ref, tag: '0.2.0_abc' });
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(tokens.log.length, before + 1, 'the cached token is reused for the manifest');

  const anonymous = await createOciSource(hostWith()).listTags({ ref });
  assert.ok(!anonymous.ok && anonymous.reason === 'auth' && /token service: .*needs credentials/.test(anonymous.message), JSON.stringify(anonymous));
  const wrong = await createOciSource(hostWith()).listTags({ ref, credentials: { username: 'carol', password: 'nope' } });
  assert.ok(!wrong.ok && wrong.reason === 'auth' && wrong.status === 401 && /credentials for .* were rejected/.test(wrong.message), JSON.stringify(wrong));
});

test('unreachable registries and bad references are errors', async () => {
  const oci = createOciSource(hostWith());
  const down = await oci.listTags({ ref: 'oci://127.0.0.1:1/charts/x', timeoutMs: 2000 });
  assert.ok(!down.ok && down.reason === 'unreachable', JSON.stringify(down));
  const hang = await startFront({ hostile: 'hang' });
  try {
    const t0 = Date.now();
    const slow = await oci.listTags({ ref: `oci://${new URL(hang.url).host}/charts/x`, timeoutMs: 300 });
    assert.ok(!slow.ok && slow.reason === 'timeout' && Date.now() - t0 < 3000, JSON.stringify(slow));
    const endless = await startFront({ hostile: 'endless' });
    const big = await createOciSource(hostWith()).listTags({ ref: `oci://${new URL(endless.url).host}/charts/x`, timeoutMs: 10_000 });
    await endless.stop();
    assert.ok(!big.ok && big.reason === 'too-large' && /16777216-byte limit/.test(big.message), JSON.stringify(big));
  } finally {
    await hang.stop();
  }
  const bad = await oci.listTags({ ref: 'https://example.com/charts/x' });
  assert.ok(!bad.ok && bad.reason === 'invalid-ref', JSON.stringify(bad));
});
