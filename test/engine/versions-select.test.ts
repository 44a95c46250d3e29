// Algorithm test of engine/versions/select.ts (chart version selection): imports the module directly (behaviour tests go through engine/index.ts).
// Which chart version Flux (source-controller) and Helm pick from a repository,
// an OCI HelmRepository, and an OCIRepository ref.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickUnderBothRules, resolveOciRepositoryRef, selectChartVersion, selectOciChartTag, helmRegistryTags, nearestVersions, type IndexEntry } from '../../engine/versions/select.ts';
import { parseVersion } from '../../engine/versions/semver.ts';

const entries = (...versions: string[]): IndexEntry[] => versions.map((version) => ({ version }));

function pick(list: IndexEntry[], constraint: string, rules: 'flux' | 'helm' = 'flux'): string | undefined {
  const r = selectChartVersion(list, constraint, { rules });
  return r.ok ? r.version : undefined;
}

test('newest stable for "", "*" and Helm-style ranges (Flux and Helm agree)', () => {
  const list = entries('1.0.0', '2.1.0-rc.1', '2.0.0', '1.9.0');
  for (const rules of ['flux', 'helm'] as const) {
    assert.equal(pick(list, '', rules), '2.0.0');
    assert.equal(pick(list, '*', rules), '2.0.0');
    assert.equal(pick(list, '~1', rules), '1.9.0');
    assert.equal(pick(list, '>=2.0.0-0', rules), '2.1.0-rc.1');
  }
  const r = selectChartVersion(list, '*');
  assert.ok(r.ok && r.how === 'latest' && r.matches === 3);
});

test('an exact string match wins over a constraint reading', () => {
  const list = entries('1.2.3+build.1', '1.2.3+build.2', '1.2.4');
  const r = selectChartVersion(list, '1.2.3+build.2');
  assert.ok(r.ok && r.version === '1.2.3+build.2' && r.how === 'exact');
  assert.equal(pick(list, '1.2.3+build.2', 'helm'), '1.2.3+build.2');
});

test("Flux's rule: versions without three numbers are never candidates, but still match exactly", () => {
  const list = entries('1.0', '0.9.0', 'v0.9.5');
  assert.equal(pick(list, '*', 'helm'), '1.0');
  assert.equal(pick(list, '*'), 'v0.9.5');
  assert.equal(pick(list, '1.0'), '1.0'); // exact string match comes first
  const miss = selectChartVersion(entries('1.0', '2.0'), '>=1');
  assert.ok(!miss.ok && miss.reason === 'no-match');
  assert.match(miss.message, /three numbers.*"2\.0"/);
  assert.equal(pick(entries('1.0', '2.0'), '>=1', 'helm'), '2.0');
});

test("Flux's rule: equal versions (build metadata differs) go to the newest created", () => {
  const list: IndexEntry[] = [
    { version: '1.0.0+aaa', created: '2024-03-01T10:00:00Z' },
    { version: '1.0.0+bbb', created: '2024-05-01T10:00:00Z' },
    { version: '1.0.0+ccc', created: '2024-04-01T10:00:00.5+02:00' },
    { version: '0.9.0', created: '2025-01-01T00:00:00Z' },
  ];
  assert.equal(pick(list, '1.0.0'), '1.0.0+bbb');
  assert.equal(pick(list, '~1'), '1.0.0+bbb');
  // Plain helm ignores created and keeps index order for equal versions.
  assert.equal(pick(list, '~1', 'helm'), '1.0.0+aaa');
});

test("Flux's rule: on a full tie (same version, same or no created) the later index entry wins", () => {
  assert.equal(pick(entries('1.0.0+first', '1.0.0+second'), '*'), '1.0.0+second');
  assert.equal(pick(entries('1.0.0+first', '1.0.0+second'), '*', 'helm'), '1.0.0+first');
});

test('the current pre-release rule is the default; the v3.3 rule is available for older Flux/Helm 3.17', () => {
  const list = entries('1.2.10', '1.3.0-beta.2', '1.3.0');
  assert.equal(pick(list, '>=1.2.3-0, <1.3.0'), '1.3.0-beta.2');
  const old = selectChartVersion(list, '>=1.2.3-0, <1.3.0', { prereleaseRule: 'v3.3' });
  assert.ok(old.ok && old.version === '1.2.10');
});

test('no match: reason, nearest versions and a pre-release hint', () => {
  const list = entries('1.0.0', '1.1.0', '1.2.0', '2.1.0-rc.1', '3.0.0', '3.1.0', '4.0.0');
  const r = selectChartVersion(list, '~2');
  assert.ok(!r.ok);
  assert.equal(r.reason, 'no-match');
  assert.deepEqual(r.prereleaseMatches, ['2.1.0-rc.1']);
  assert.ok(r.nearest.includes('1.2.0') && r.nearest.includes('3.0.0'), r.nearest.join());
  assert.ok(r.nearest.length <= 5);
  const empty = selectChartVersion([], '*');
  assert.ok(!empty.ok && empty.reason === 'no-versions');
  const unparseable = selectChartVersion(entries('latest', 'stable'), '*');
  assert.ok(!unparseable.ok && unparseable.reason === 'no-versions');
});

test('invalid constraint: error value with the offending part', () => {
  const list = entries('1.0.0');
  for (const rules of ['flux', 'helm'] as const) {
    const r = selectChartVersion(list, '>= 1.0 || 1.x.y', { rules });
    assert.ok(!r.ok && r.reason === 'invalid-constraint', rules);
    if (!r.ok) assert.equal(r.error?.part.trim(), '1.x.y');
  }
  // Helm's CLI trims the flag value; Flux does not and rejects the spaces.
  assert.equal(pick(list, '  ', 'helm'), '1.0.0');
  const flux = selectChartVersion(list, '  ');
  assert.ok(!flux.ok && flux.reason === 'invalid-constraint');
});

test('nearestVersions brackets the target', () => {
  const near = nearestVersions(['1.0.0', '1.5.0', '2.0.0', '2.5.0', '3.0.0', '9.0.0', '10.0.0'], parseVersion('2.2.0'), 4);
  assert.deepEqual(near, ['3.0.0', '2.5.0', '2.0.0', '1.5.0']);
  assert.deepEqual(nearestVersions(['1.0.0', '2.0.0'], undefined, 1), ['2.0.0']);
});

test('OCI HelmRepository: a full semver is pulled directly as a tag', () => {
  const r = selectOciChartTag(undefined, '1.2.3+abc');
  assert.deepEqual(r, { ok: true, version: '1.2.3+abc', tag: '1.2.3_abc', how: 'direct', listedTags: false });
  const v = selectOciChartTag(undefined, 'v1.2.3');
  assert.ok(v.ok && v.tag === 'v1.2.3' && v.how === 'direct');
  const needs = selectOciChartTag(undefined, '1.2.x');
  assert.ok(!needs.ok && /tags are needed/.test(needs.message));
});

test('OCI HelmRepository: ranges filter listed tags, with _ read back as +', () => {
  const tags = ['latest', '1.0.0', '1.1.0_build.5', 'v1.2.0', '1.3', '2.0.0-rc.1', '01.4.0'];
  assert.deepEqual(helmRegistryTags(tags), ['2.0.0-rc.1', '1.1.0+build.5', '1.0.0']);
  const r = selectOciChartTag(tags, '~1');
  assert.deepEqual(r, { ok: true, version: '1.1.0+build.5', tag: '1.1.0_build.5', how: 'constraint', listedTags: true });
  const latest = selectOciChartTag(tags, '');
  assert.ok(latest.ok && latest.version === '1.1.0+build.5' && latest.how === 'latest');
  const pre = selectOciChartTag(tags, '>=2.0.0-0');
  assert.ok(pre.ok && pre.tag === '2.0.0-rc.1');
  const none = selectOciChartTag(tags, '^3');
  assert.ok(!none.ok && none.reason === 'no-match' && none.nearest[0] === '2.0.0-rc.1');
  const noTags = selectOciChartTag(['latest', 'main'], '*');
  assert.ok(!noTags.ok && noTags.reason === 'no-versions');
});

test('OCIRepository ref precedence: digest > semver > tag > latest', () => {
  const tags = ['6.0.0', '6.1.0', 'v6.2.0', '6.3.0-rc.1', 'latest', '6.1.1-alpine'];
  const d = resolveOciRepositoryRef({ digest: 'sha256:abc', semver: '6.x', tag: '6.0.0' }, tags);
  assert.deepEqual(d, { ok: true, kind: 'digest', digest: 'sha256:abc', ignored: ['semver', 'tag'] });
  const s = resolveOciRepositoryRef({ semver: '>=6.0.0', tag: '6.0.0' }, tags);
  assert.deepEqual(s, { ok: true, kind: 'semver', tag: 'v6.2.0', matches: 3, ignored: ['tag'] });
  assert.deepEqual(resolveOciRepositoryRef({ tag: '6.0.0' }, tags), { ok: true, kind: 'tag', tag: '6.0.0', ignored: [] });
  assert.deepEqual(resolveOciRepositoryRef(undefined), { ok: true, kind: 'latest', tag: 'latest', ignored: [] });
  assert.deepEqual(resolveOciRepositoryRef({}), { ok: true, kind: 'latest', tag: 'latest', ignored: [] });
});

test('OCIRepository semverFilter narrows the tags before the range applies', () => {
  const tags = ['6.0.0', '6.1.0', '6.1.1-alpine', '6.2.0-alpine', '7.0.0'];
  const r = resolveOciRepositoryRef({ semver: '>=6.0.0-0', semverFilter: '.*-alpine$' }, tags);
  assert.ok(r.ok && r.kind === 'semver' && r.tag === '6.2.0-alpine');
  const bad = resolveOciRepositoryRef({ semver: '*', semverFilter: '(' }, tags);
  assert.ok(!bad.ok && bad.reason === 'invalid-constraint' && /semverFilter/.test(bad.message));
  const none = resolveOciRepositoryRef({ semver: '^8' }, tags);
  assert.ok(!none.ok && none.message === 'no match found for semver: ^8' && none.nearest.includes('7.0.0'));
  const invalid = resolveOciRepositoryRef({ semver: 'not a range' }, tags);
  assert.ok(!invalid.ok && invalid.reason === 'invalid-constraint');
  // OCIRepository does not turn `_` back into `+`: such tags are not versions here.
  const under = resolveOciRepositoryRef({ semver: '*' }, ['1.0.0_build', '0.9.0']);
  assert.ok(under.ok && under.kind === 'semver' && under.tag === '0.9.0');
});

test('pickUnderBothRules tells hovers when older Flux / Helm 3.17 would pick differently', () => {
  const list = entries('1.2.10', '1.3.0-beta.2');
  assert.deepEqual(pickUnderBothRules(list, '>=1.2.3-0, <1.3.0'), { current: '1.3.0-beta.2', older: '1.2.10', differs: true });
  assert.deepEqual(pickUnderBothRules(list, '~1.2'), { current: '1.2.10', older: '1.2.10', differs: false });
});
