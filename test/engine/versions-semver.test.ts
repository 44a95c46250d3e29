// Algorithm test of engine/versions/semver.ts (version parsing and ordering): imports the module directly (behaviour tests go through engine/index.ts).
// Version parsing and ordering as Helm (Masterminds NewVersion / StrictNewVersion)
// and Flux (fluxcd/pkg ParseVersion) do it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, formatVersion, parseFluxVersion, parseStrictVersion, parseVersion, sortDescending, versionProblem } from '../../engine/versions/semver.ts';

function fmt(text: string): string | undefined {
  const v = parseVersion(text);
  return v && formatVersion(v);
}

test('Helm loose parsing accepts v prefix, missing parts and leading zeros', () => {
  const cases: [string, string | undefined][] = [
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1', '1.0.0'],
    ['1.2', '1.2.0'],
    ['v2', '2.0.0'],
    ['01.02.003', '1.2.3'],
    ['2024.01.05', '2024.1.5'],
    ['1.2.3-beta.1+build.7', '1.2.3-beta.1+build.7'],
    ['1.2-rc.1', '1.2.0-rc.1'],
    ['1.0.0+001', '1.0.0+001'],
    ['18446744073709551615.0.0', '18446744073709551615.0.0'],
  ];
  for (const [input, want] of cases) assert.equal(fmt(input), want, input);
});

test('Helm loose parsing rejects what Masterminds rejects', () => {
  for (const bad of ['', 'V1.2.3', '1.2.3.4', '1.2.3-', '1.2.3-01', '1.2.3-beta..1', '1.2.3+', 'a.b.c', ' 1.2.3', '1.2.3 ', '18446744073709551616.0.0', '1.2.3-beta_1', '=1.2.3']) {
    assert.equal(parseVersion(bad), undefined, JSON.stringify(bad));
    assert.ok(versionProblem(bad), `a reason for ${JSON.stringify(bad)}`);
  }
  assert.match(versionProblem('1.2.3-01')!, /leading zero/);
  assert.match(versionProblem('V1.2.3')!, /lowercase/);
  assert.equal(versionProblem('1.2.3'), undefined);
});

test('strict parsing (Helm OCI tags) needs three numbers, no v, no leading zeros', () => {
  assert.ok(parseStrictVersion('1.2.3'));
  assert.ok(parseStrictVersion('1.2.3-rc.1+b-7'));
  for (const bad of ['v1.2.3', '1.2', '1', '01.2.3', '1.02.3', '1.2.03', '1.2.3-01', '1.2-rc.3', '1.2.3+', '']) {
    assert.equal(parseStrictVersion(bad), undefined, bad);
  }
});

test("Flux's rule: candidate versions need exactly three numbers (a v prefix is fine)", () => {
  assert.equal(parseFluxVersion('v1.2.3')?.original, 'v1.2.3');
  assert.ok(parseFluxVersion('1.2.3+build'));
  assert.equal(parseFluxVersion('1.2'), undefined);
  assert.equal(parseFluxVersion('01.2.3'), undefined);
  assert.equal(parseFluxVersion('vv1.2.3'), undefined);
  // Helm itself would happily use both of these.
  assert.ok(parseVersion('1.2'));
  assert.ok(parseVersion('01.2.3'));
});

test('ordering: build metadata ignored, pre-releases below releases, identifiers compared by SemVer rules', () => {
  const cmp = (a: string, b: string) => compareVersions(parseVersion(a)!, parseVersion(b)!);
  assert.equal(cmp('1.0.0+a', '1.0.0+b'), 0);
  assert.equal(cmp('v1.0.0', '1.0'), 0);
  assert.equal(cmp('1.0.0-rc.1', '1.0.0'), -1);
  assert.equal(cmp('1.0.0-alpha', '1.0.0-alpha.1'), -1);
  assert.equal(cmp('1.0.0-alpha.1', '1.0.0-alpha.beta'), -1);
  assert.equal(cmp('1.0.0-beta.2', '1.0.0-beta.11'), -1); // numeric, not text
  assert.equal(cmp('1.0.0-rc.1', '1.0.0-beta.11'), 1);
  assert.equal(cmp('1.0.0-Z', '1.0.0-a'), -1); // byte order: upper case first
  assert.equal(cmp('1.10.0', '1.9.0'), 1);
  assert.equal(cmp('18446744073709551615.0.0', '18446744073709551614.0.0'), 1);
  const sorted = sortDescending(['1.0.0', '2.0.0-rc.1', '1.10.0', '1.9.9', '2.0.0'].map((t) => parseVersion(t)!), (v) => v).map((v) => v.original);
  assert.deepEqual(sorted, ['2.0.0', '2.0.0-rc.1', '1.10.0', '1.9.9', '1.0.0']);
});

test('sortDescending keeps input order for equal versions', () => {
  const items = ['1.0.0+b', '1.0.0+a', '0.9.0', '1.0.0+c'];
  assert.deepEqual(sortDescending(items, (t) => parseVersion(t)!), ['1.0.0+b', '1.0.0+a', '1.0.0+c', '0.9.0']);
});
