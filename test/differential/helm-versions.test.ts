/**
 * Differential test: fluxhelm's chart version pick (Helm rules) against real
 * `helm show chart NAME --repo URL --version C`.
 *
 * Seeded fast-check generates charts, each with a set of up to 12 versions
 * (pre-releases, build metadata ties, `v` prefixes, two-part versions) and
 * several constraints for it (partial versions, wildcards, hyphen ranges,
 * tilde/caret, `!=`, OR groups, AND with commas and spaces, exact versions,
 * stray whitespace and invalid syntax). Each chart is served from its own
 * loopback repository (test/support/chart-repo.ts; small indexes keep helm
 * quick), all in one server process; every chart archive's
 * Chart.yaml carries its own version, so helm's output names its pick.
 *
 * With helm v4.1.4 (Masterminds v3.4) every case must agree: the picked
 * version, or no pick (helm words an invalid constraint and an unmatched one
 * the same way, so fluxhelm's invalid-constraint results are counted apart to
 * make sure the corpus has them). A smaller set runs against
 * helm v3.17 (Masterminds v3.3) and must agree with the v3.3 pre-release
 * rule, showing the older behaviour.
 *
 * Version sets stay at 12 entries or fewer: Go's sort is an insertion sort up
 * to 12 elements, so helm's order for equal versions is the index order
 * there, which is what fluxhelm models.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { helmBinary, isolatedHelmEnv, type LayerFlavour } from '../support/tools.ts';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { selectChartVersion, type IndexEntry } from '../../engine/versions/select.ts';
import type { PrereleaseRule } from '../../engine/versions/constraints.ts';

const SEED = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261121);
const CHARTS = Number(process.env.FLUXHELM_VERSION_CHARTS ?? 50);
const PER_CHART = 6;
const CONCURRENCY = 3;

// ---------------------------------------------------------------- generators

const preArb = fc.constantFrom('alpha', 'alpha.1', 'beta.2', 'beta.11', 'rc.1', '0', '1', 'x-y', 'Alpha');
const buildArb = fc.constantFrom('b1', 'build.5', '001', 'sha.abc');

const versionArb = fc
  .record({
    major: fc.integer({ min: 0, max: 3 }),
    minor: fc.integer({ min: 0, max: 4 }),
    patch: fc.integer({ min: 0, max: 12 }),
    pre: fc.option(preArb, { freq: 3 }),
    build: fc.option(buildArb, { freq: 5 }),
    form: fc.constantFrom('full', 'full', 'full', 'full', 'full', 'v', 'two'),
  })
  .map(({ major, minor, patch, pre, build, form }) => {
    let s = form === 'two' ? `${major}.${minor}` : `${form === 'v' ? 'v' : ''}${major}.${minor}.${patch}`;
    if (pre) s += `-${pre}`;
    if (build) s += `+${build}`;
    return s;
  });

/** A version set; sometimes with deliberate ties (same version, other build metadata). */
const versionSetArb = fc
  .tuple(fc.uniqueArray(versionArb, { minLength: 1, maxLength: 10 }), fc.array(buildArb, { maxLength: 2 }))
  .map(([list, extraBuilds]) => {
    const out = [...list];
    for (const b of extraBuilds) {
      const base = out[0].split('+')[0];
      const tie = `${base}+${b}`;
      if (!out.includes(tie) && out.length < 12) out.splice(Math.min(out.length, 1 + (b.length % 3)), 0, tie);
    }
    return out;
  });

const wild = fc.constantFrom('x', 'X', '*');

/** A number for a constraint: mostly one the chart's versions use, so ranges land near real versions. */
function numArb(pool: number[], max: number) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool).map(String) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max }).map(String) },
    { weight: 1, arbitrary: wild },
  );
}

function cvArbFor(versions: string[]) {
  const nums = versions.map((v) => v.replace(/^v/, '').split(/[-+]/)[0].split('.').map(Number));
  const pool = (i: number) => [...new Set(nums.map((n) => n[i] ?? 0))];
  return fc
    .record({
      v: fc.constantFrom('', '', '', 'v'),
      major: numArb(pool(0), 3),
      minor: fc.option(numArb(pool(1), 4), { freq: 4 }),
      patch: fc.option(numArb(pool(2), 12), { freq: 2 }),
      pre: fc.option(fc.constantFrom('0', 'alpha', 'beta.2', 'rc.1'), { freq: 6 }),
    })
    .map(({ v, major, minor, patch, pre }) => {
      let s = `${v}${major}`;
      if (minor !== null) {
        s += `.${minor}`;
        if (patch !== null) s += `.${patch}`;
      }
      if (pre) s += `-${pre}`;
      return s;
    });
}

const opArb = fc.constantFrom('', '', '=', '!=', '>', '<', '>=', '>=', '=>', '<=', '=<', '~', '~', '~>', '^', '^');
const specialArb = fc.constantFrom('', '*', 'x', ' 1.2 ', '1.2.3.4', '>=', 'foo', '1.2 ||', '>= 1.0 <', '~>', '1.x.y', '01.2', '1.2.3-01', '^1.2 || ^', '>=0.0.0-0', '^*', '~0.0.0');

function constraintArb(versions: string[]) {
  const cvArb = cvArbFor(versions);
  const comparatorArb = fc.tuple(opArb, fc.constantFrom('', '', ' '), cvArb).map(([op, sp, cv]) => `${op}${op ? sp : ''}${cv}`);
  const hyphenArb = fc.tuple(cvArb, cvArb).map(([a, b]) => `${a} - ${b}`);
  const andArb = fc
    .tuple(fc.array(fc.oneof({ weight: 5, arbitrary: comparatorArb }, { weight: 1, arbitrary: hyphenArb }), { minLength: 1, maxLength: 3 }), fc.constantFrom(', ', ',', ' ', '  ', ' , '))
    .map(([parts, sep]) => parts.join(sep));
  const orArb = fc
    .tuple(fc.array(andArb, { minLength: 1, maxLength: 2 }), fc.constantFrom(' || ', '||'))
    .map(([groups, sep]) => groups.join(sep));
  return fc.oneof(
    { weight: 12, arbitrary: orArb },
    { weight: 2, arbitrary: specialArb },
    { weight: 2, arbitrary: fc.constantFrom(...versions) },
  );
}

interface ChartCase {
  chart: string;
  versions: string[];
  constraints: string[];
}

function generate(count: number, seed: number): ChartCase[] {
  const arb = versionSetArb.chain((versions) =>
    fc.record({ versions: fc.constant(versions), constraints: fc.array(constraintArb(versions), { minLength: PER_CHART, maxLength: PER_CHART }) }),
  );
  return fc.sample(arb, { seed, numRuns: count }).map((c, i) => ({ chart: `c${i}`, ...c }));
}

// ---------------------------------------------------------------- helm

type Outcome = string; // picked version, or 'NONE'

function runHelm(flavour: LayerFlavour, args: string[], home: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helmBinary(flavour), args, { env: isolatedHelmEnv(home), cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
  });
}

async function helmPick(flavour: LayerFlavour, repo: ChartRepo, chart: string, constraint: string, home: string, cwd: string): Promise<Outcome> {
  const r = await runHelm(flavour, ['show', 'chart', chart, '--repo', repo.url, '--version', constraint], home, cwd);
  if (r.code === 0) {
    const doc = parseYaml(r.stdout) as { version?: unknown };
    return String(doc.version);
  }
  // `helm show chart --repo` reports an unparsable constraint and a constraint
  // nothing satisfies with the same "not found" message, so both are NONE here.
  if (/not found in .* repository|no chart version found|improper constraint/i.test(r.stderr)) return 'NONE';
  return `HELM-ERROR ${r.stderr.trim()}`;
}

function ourPick(versions: string[], constraint: string, rule: PrereleaseRule): Outcome {
  const entries: IndexEntry[] = versions.map((version) => ({ version }));
  const r = selectChartVersion(entries, constraint, { rules: 'helm', prereleaseRule: rule });
  return r.ok ? r.version : 'NONE';
}

function isInvalid(constraint: string): boolean {
  const r = selectChartVersion([{ version: '1.0.0' }], constraint, { rules: 'helm' });
  return !r.ok && r.reason === 'invalid-constraint';
}

async function pool<T>(items: T[], n: number, fn: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      while (next < items.length) await fn(items[next++], w);
    }),
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'fluxhelm-versions-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function workerDirs(label: string, n: number): { home: string; cwd: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    home: mkdtempSync(join(scratch, `${label}-home${i}-`)),
    cwd: mkdtempSync(join(scratch, `${label}-cwd${i}-`)), // empty: helm prefers a local path named like the chart
  }));
}

async function serveCases(cases: ChartCase[]): Promise<Map<string, ChartRepo>> {
  const repos = new Map<string, ChartRepo>();
  for (const c of cases) repos.set(c.chart, await startChartRepo({ charts: c.versions.map((version) => ({ name: c.chart, version })) }));
  return repos;
}

interface Mismatch {
  chart: string;
  versions: string[];
  constraint: string;
  helm: Outcome;
  ours: Outcome;
}

function report(mismatches: Mismatch[]): string {
  return mismatches
    .slice(0, 10)
    .map((m) => `${m.chart} versions=${JSON.stringify(m.versions)} --version ${JSON.stringify(m.constraint)}: helm=${m.helm} fluxhelm=${m.ours}`)
    .join('\n');
}

test(`chart version picks agree with helm v4.1.4 (${CHARTS * PER_CHART} seeded cases)`, { timeout: 300_000 }, async (t) => {
  const cases = generate(CHARTS, SEED);
  const repos = await serveCases(cases);
  try {
    const jobs = cases.flatMap((c) => c.constraints.map((constraint) => ({ c, constraint })));
    const dirs = workerDirs('v4', CONCURRENCY);
    const mismatches: Mismatch[] = [];
    const tally = { picked: 0, pre: 0, none: 0, invalid: 0, exact: 0, tie: 0, two: 0 };
    await pool(jobs, CONCURRENCY, async ({ c, constraint }, w) => {
      const helm = await helmPick('v33', repos.get(c.chart)!, c.chart, constraint, dirs[w].home, dirs[w].cwd);
      const ours = ourPick(c.versions, constraint, 'v3.4');
      if (helm !== ours) mismatches.push({ chart: c.chart, versions: c.versions, constraint, helm, ours });
      if (isInvalid(constraint)) tally.invalid++;
      if (helm === 'NONE') tally.none++;
      else {
        tally.picked++;
        const base = helm.split('+')[0];
        if (base.includes('-')) tally.pre++;
        if (c.versions.includes(constraint.trim())) tally.exact++;
        if (c.versions.filter((v) => v.split('+')[0].replace(/^v/, '') === base.replace(/^v/, '')).length > 1) tally.tie++;
        if (/^\d+\.\d+(-|\+|$)/.test(helm)) tally.two++;
      }
    });
    t.diagnostic(`outcomes: ${JSON.stringify(tally)}`);
    assert.equal(jobs.length >= 300, true, `${jobs.length} cases`);
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${jobs.length} cases differ:\n${report(mismatches)}`);
    // The corpus must exercise each rule, or agreement proves little.
    assert.ok(tally.picked >= 100 && tally.none >= 20 && tally.invalid >= 10, JSON.stringify(tally));
    assert.ok(tally.pre >= 5 && tally.exact >= 10 && tally.tie >= 3 && tally.two >= 3, JSON.stringify(tally));
  } finally {
    await Promise.all([...repos.values()].map((r) => r.stop()));
  }
});

test('helm v3.17 (Masterminds v3.3) matches the older pre-release rule', { timeout: 120_000 }, async () => {
  const fixed: ChartCase[] = [
    { chart: 'pre', versions: ['1.2.10', '1.3.0-beta.2', '1.3.0', '1.2.3-rc.1'], constraints: ['>=1.2.3-0, <1.3.0', '>=1.2.3-0', '<1.3.0', '~1.2.3-0', '^1.2.3-rc.0 <1.3.0'] },
    { chart: 'ne', versions: ['1.0.0', '2.0.0-alpha', '1.5.0'], constraints: ['!=1.0.0', '!=1.x', '!=1.0.0 <3', '>=1.0.0-0 <3'] },
  ];
  const random = generate(5, SEED + 1).map((c) => ({ ...c, chart: `old-${c.chart}` }));
  const cases = [...fixed, ...random];
  const repos = await serveCases(cases);
  try {
    const jobs = cases.flatMap((c) => c.constraints.map((constraint) => ({ c, constraint })));
    const dirs = workerDirs('v3', CONCURRENCY);
    const mismatches: Mismatch[] = [];
    let differsFromCurrent = 0;
    await pool(jobs, CONCURRENCY, async ({ c, constraint }, w) => {
      const helm = await helmPick('v32', repos.get(c.chart)!, c.chart, constraint, dirs[w].home, dirs[w].cwd);
      const ours = ourPick(c.versions, constraint, 'v3.3');
      if (helm !== ours) mismatches.push({ chart: c.chart, versions: c.versions, constraint, helm, ours });
      if (ours !== ourPick(c.versions, constraint, 'v3.4')) differsFromCurrent++;
    });
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${jobs.length} cases differ:\n${report(mismatches)}`);
    assert.ok(differsFromCurrent >= 4, `only ${differsFromCurrent} cases show the old rule`);
    // The headline example from the docs.
    assert.equal(ourPick(fixed[0].versions, '>=1.2.3-0, <1.3.0', 'v3.3'), '1.2.10');
    assert.equal(ourPick(fixed[0].versions, '>=1.2.3-0, <1.3.0', 'v3.4'), '1.3.0-beta.2');
  } finally {
    await Promise.all([...repos.values()].map((r) => r.stop()));
  }
});
