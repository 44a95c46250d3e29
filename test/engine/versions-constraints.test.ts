// Algorithm test of engine/versions/constraints.ts (Helm version constraints): imports the module directly (behaviour tests go through engine/index.ts).
// Helm's constraint language (Masterminds/semver v3), including where it differs from npm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import semverNpm from 'semver';
import fc from 'fast-check';
import { describeConstraint, parseConstraint, satisfies, type CheckOptions } from '../../engine/versions/constraints.ts';
import { parseVersion } from '../../engine/versions/semver.ts';

function admits(constraint: string, version: string, options?: CheckOptions): boolean {
  const c = parseConstraint(constraint);
  if (!c.ok) throw new Error(`constraint ${constraint} did not parse: ${c.error.message}`);
  const v = parseVersion(version);
  if (!v) throw new Error(`bad version ${version}`);
  return satisfies(v, c.constraint, options);
}

/** [constraint, admitted versions, rejected versions] */
type Row = [string, string[], string[]];

function table(rows: Row[], options?: CheckOptions) {
  for (const [c, yes, no] of rows) {
    for (const v of yes) assert.equal(admits(c, v, options), true, `${c} should admit ${v}`);
    for (const v of no) assert.equal(admits(c, v, options), false, `${c} should reject ${v}`);
  }
}

test('operators =, !=, >, <, >=, =>, <=, =<', () => {
  table([
    ['1.2.3', ['1.2.3', 'v1.2.3', '1.2.3+build'], ['1.2.4', '1.2.2']],
    ['=1.2.3', ['1.2.3'], ['1.2.4']],
    ['!=1.2.3', ['1.2.4', '0.1.0'], ['1.2.3', '1.2.3+b']],
    ['>1.2.3', ['1.2.4', '2.0.0'], ['1.2.3', '1.0.0']],
    ['<1.2.3', ['1.2.2', '0.0.1'], ['1.2.3', '1.3.0']],
    ['>=1.2.3', ['1.2.3', '1.5.0'], ['1.2.2']],
    ['=>1.2.3', ['1.2.3', '1.5.0'], ['1.2.2']],
    ['<=1.2.3', ['1.2.3', '1.0.0'], ['1.2.4']],
    ['=<1.2.3', ['1.2.3', '1.0.0'], ['1.2.4']],
  ]);
});

test('comma and whitespace both mean AND; || means OR', () => {
  table([
    ['>=1.2, <1.4', ['1.2.0', '1.3.9'], ['1.4.0', '1.1.9']],
    ['>=1.2 <1.4', ['1.3.0'], ['1.4.0']],
    ['>= 1.2 , < 1.4', ['1.3.0'], ['1.4.0']],
    ['>=1.2,<1.4', ['1.3.0'], ['1.4.0']],
    ['<1.0 || >=2.0', ['0.9.0', '2.1.0'], ['1.5.0']],
    ['1.1 || 1.3', ['1.1.5', '1.3.0'], ['1.2.0']],
  ]);
});

test('wildcards x, X, * and bare partial versions act like ~', () => {
  table([
    ['1.2.x', ['1.2.0', '1.2.99'], ['1.3.0', '1.1.9']],
    ['1.2.X', ['1.2.7'], ['1.3.0']],
    ['1.2.*', ['1.2.7'], ['1.3.0']],
    ['1.x', ['1.0.0', '1.9.0'], ['2.0.0', '0.9.0']],
    ['1.2', ['1.2.0', '1.2.5'], ['1.3.0', '1.1.0']],
    ['1', ['1.0.0', '1.99.0'], ['2.0.0']],
    ['*', ['0.0.1', '99.0.0'], ['1.0.0-rc.1']],
    ['x', ['3.1.4'], []],
    ['v1.2', ['1.2.3'], ['1.3.0']],
    // Masterminds quirk, confirmed with helm 4.1.4: a wildcard major under `<=` admits only 0.0.x.
    ['<=x', ['0.0.5'], ['0.1.0', '1.0.0']],
  ]);
});

test('hyphen ranges need spaces; a partial upper bound admits the whole minor', () => {
  table([
    ['1.2 - 1.4.5', ['1.2.0', '1.4.5', '1.3.0'], ['1.4.6', '1.1.9']],
    ['1.2.3 - 1.4', ['1.2.3', '1.4.0', '1.4.99'], ['1.5.0', '1.2.2']],
    ['1 - 2', ['1.0.0', '2.99.0'], ['3.0.0']],
    ['1.0.0 - 1.2.0 || 3.0.0', ['1.1.0', '3.0.0'], ['2.0.0']],
  ]);
  // Without spaces, `1.2-1.4.5` is one version with the pre-release "1.4.5".
  assert.equal(admits('1.2-1.4.5', '1.3.0'), false);
  assert.equal(admits('1.2-1.4.5', '1.2.0-1.4.5'), true);
});

test('tilde: ~1.2.3, ~1, ~>, and ~0.0.0 matching everything', () => {
  table([
    ['~1.2.3', ['1.2.3', '1.2.9'], ['1.3.0', '1.2.2']],
    ['~>1.2.3', ['1.2.9'], ['1.3.0']],
    ['~1.2', ['1.2.0', '1.2.9'], ['1.3.0']],
    ['~1', ['1.0.0', '1.9.9'], ['2.0.0', '0.9.0']],
    ['~1.x', ['1.5.0'], ['2.0.0']],
    ['~0.0.0', ['0.0.0', '0.5.0', '7.3.1'], ['1.0.0-beta']],
    ['~*', ['5.0.0'], []],
    ['~0', ['0.9.9'], ['1.0.0']],
  ]);
});

test('caret: same bounds as npm, including ^0.2.3 < 0.3.0 and ^0.0.3 = 0.0.3', () => {
  table([
    ['^1.2.3', ['1.2.3', '1.9.0'], ['2.0.0', '1.2.2']],
    ['^1.2', ['1.2.0', '1.9.0'], ['2.0.0']],
    ['^1', ['1.0.0', '1.9.0'], ['2.0.0']],
    ['^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0', '0.2.2']],
    ['^0.2', ['0.2.0', '0.2.9'], ['0.3.0']],
    ['^0.0.3', ['0.0.3'], ['0.0.4', '0.0.2']],
    ['^0.0', ['0.0.0', '0.0.9'], ['0.1.0']],
    ['^0', ['0.0.0', '0.9.9'], ['1.0.0']],
    // Masterminds quirk, confirmed with helm 4.1.4 and 3.17: `^*` admits only 0.0.0.
    ['^*', ['0.0.0'], ['0.0.1', '1.0.0']],
  ]);
});

test('pre-release rule (Masterminds v3.4+, current Flux): one pre-release constraint opens the whole AND group', () => {
  table([
    ['>=1.2.3-0, <1.3.0', ['1.3.0-beta.2', '1.2.10', '1.2.5-rc.1'], ['1.3.0', '1.2.2']],
    ['>=1.2.3', ['1.2.3'], ['1.3.0-beta.1']],
    ['^1.2.3-alpha', ['1.2.3-beta', '1.2.3', '1.5.0-rc.1'], ['2.0.0-rc.1', '1.2.3-0']],
    ['>=1.0.0-0 || <0.5', ['1.1.0-rc.1', '0.4.0'], ['0.4.0-rc.1']],
    ['*', ['1.0.0'], ['1.0.0-rc.1']],
    ['!=1.0.0', ['1.0.1'], ['2.0.0-alpha']],
  ]);
  assert.equal(admits('>=1.0.0', '1.1.0-rc.1', { includePrerelease: true }), true);
});

test('older pre-release rule (Masterminds v3.3, Helm 3.17): each constraint decides alone', () => {
  const old: CheckOptions = { rule: 'v3.3' };
  table(
    [
      ['>=1.2.3-0, <1.3.0', ['1.2.10'], ['1.3.0-beta.2', '1.2.5-rc.1']], // `<1.3.0` rejects every pre-release
      ['>=1.2.3-0', ['1.3.0-beta.2'], []],
      // v3.3's non-wildcard `!=` never looked at pre-releases.
      ['!=1.0.0', ['2.0.0-alpha', '1.0.1'], ['1.0.0']],
      ['!=1.x', [], ['2.0.0-alpha', '1.5.0']],
      ['*', ['1.0.0'], ['1.0.0-rc.1']],
    ],
    old,
  );
});

test('where Helm and npm disagree', () => {
  const cases: { c: string; v: string; helm: boolean }[] = [
    { c: '>=1.2.3-0, <1.3.0', v: '1.3.0-beta.2', helm: true }, // npm: only 1.2.3 pre-releases can match
    { c: '>1.2.3-alpha', v: '1.2.4-beta', helm: true }, // npm: pre-releases of 1.2.3 only
    { c: '~0.0.0', v: '3.0.0', helm: true }, // npm: <0.1.0
    { c: '^*', v: '1.0.0', helm: false }, // npm: anything
    { c: '!=1.2.3', v: '1.2.4', helm: true }, // npm has no != (invalid range)
    { c: '=>1.2.3', v: '1.5.0', helm: true }, // npm has no =>
  ];
  for (const { c, v, helm } of cases) {
    assert.equal(admits(c, v), helm, `helm ${c} ${v}`);
    // npm reads ',' as garbage, so compare with its own spelling of the same range.
    const npmRange = c.replace(/,/g, '');
    assert.notEqual(semverNpm.satisfies(v, npmRange), helm, `npm should differ on ${c} ${v}`);
  }
  // npm accepts the || with empty sides and `1.2.3 ||`; Helm rejects it.
  assert.equal(parseConstraint('1.2.3 ||').ok, false);
  assert.equal(semverNpm.validRange('1.2.3 ||') !== null, true);
});

test('invalid syntax is an error value naming the offending part, never an exception', () => {
  const bad: [string, string][] = [
    ['', ''],
    ['   ', '   '],
    ['>=1.2.3 <', '>=1.2.3 <'],
    ['1.2.3.4', '1.2.3.4'],
    ['>= 1.0 || foo', ' foo'],
    ['^1.2.3, ,2', '^1.2.3, ,2'],
    ['1.2.3-01', '1.2.3-01'],
    ['1x', '1x'],
    ['1|2', '1|2'],
    ['>>1', '>>1'],
    ['1.2.3 ||', ''],
    ['V1.2', 'V1.2'],
  ];
  for (const [input, part] of bad) {
    const r = parseConstraint(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) {
      assert.equal(r.error.part, part, `part for ${JSON.stringify(input)}`);
      assert.ok(r.error.message.length > 10);
    }
  }
  const r = parseConstraint('>= 1.0 || foo');
  assert.ok(!r.ok && r.error.offset === 10 && /foo/.test(r.error.message));
});

test('pathological input is handled quickly', () => {
  const long = `${'1 '.repeat(5000)}!`;
  const t = performance.now();
  assert.equal(parseConstraint(long).ok, false);
  assert.equal(parseConstraint(`${'>=1.0.0  ,  '.repeat(2000)}<2`).ok, true);
  assert.ok(performance.now() - t < 500, 'under half a second');
});

test('describeConstraint spells out the bounds for hovers', () => {
  const d = (c: string) => {
    const r = parseConstraint(c);
    assert.ok(r.ok, c);
    return describeConstraint(r.constraint);
  };
  assert.equal(d('~1.2.3'), '>=1.2.3 <1.3.0');
  assert.equal(d('1.2'), '>=1.2.0 <1.3.0');
  assert.equal(d('^0.2.3'), '>=0.2.3 <0.3.0');
  assert.equal(d('^0.0.3'), '>=0.0.3 <0.0.4');
  assert.equal(d('~0.0.0'), '>=0.0.0');
  assert.equal(d('1.2 - 1.4.5'), '>=1.2.0 <=1.4.5');
  assert.equal(d('1.2.3 - 1.4'), '>=1.2.3 <1.5.0');
  assert.equal(d('>1.2, !=1.3.1 || 2.x'), '>=1.3.0 !=1.3.1 || >=2.0.0 <3.0.0');
  assert.equal(d('>=1.2.3-0, <1.3.0'), '>=1.2.3-0 <1.3.0 (pre-releases included)');
  assert.equal(d('!=1.x'), 'not 1.x');
});

test('describeConstraint bounds admit exactly the same releases as the constraint (property)', () => {
  const num = fc.oneof(fc.integer({ min: 0, max: 3 }).map(String), fc.constantFrom('x', '*'));
  const cv = fc.tuple(num, fc.option(num), fc.option(num)).map(([a, b, c]) => [a, b, b === null ? null : c].filter((x) => x !== null).join('.'));
  const op = fc.constantFrom('', '=', '>', '<', '>=', '<=', '~', '^', '!=');
  const constraint = fc.array(fc.tuple(op, cv).map(([o, v]) => o + v), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(', '));
  const releases: string[] = [];
  for (let a = 0; a <= 4; a++) for (let b = 0; b <= 4; b++) for (let c = 0; c <= 4; c++) releases.push(`${a}.${b}.${c}`);
  fc.assert(
    fc.property(constraint, (text) => {
      const r = parseConstraint(text);
      if (!r.ok) return true;
      const described = describeConstraint(r.constraint);
      if (described.includes('not ')) return true; // wildcard != has no bound syntax
      const back = parseConstraint(described);
      assert.ok(back.ok, `${text} -> ${described}`);
      for (const v of releases) {
        const pv = parseVersion(v)!;
        assert.equal(satisfies(pv, back.constraint), satisfies(pv, r.constraint), `${text} -> ${described} on ${v}`);
      }
      return true;
    }),
    { seed: 42, numRuns: 300 },
  );
});
