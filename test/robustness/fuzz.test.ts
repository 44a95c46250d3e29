/**
 * The seeded robustness run, bounded for `npm test`: the built server in
 * copies of two real fleets (examples/fleet and a fleet from
 * ../shared/fleets), driven with mutated edits and random requests for a
 * fixed seed and about 20 s each (session.ts). Asserts no exit, no logged
 * exception, every answer within the protocol's ranges, no request slower
 * than 1 s (times the load per core when the machine is busier than its
 * cores, and only when replaying the same text in a fresh server is slow
 * too, so a shared machine alone does not fail the suite), and
 * peak memory under the ceiling. Failures are shrunk and saved under
 * test/fixtures/fuzz/; every fixture there is replayed as a regression
 * test. The long run is `npm run fuzz -- --seed N --minutes M`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Session, type Failure } from './session.ts';
import { Replayer, shrinkAndSave, FIXTURES, type FuzzFixture } from './shrink.ts';
import { summarize } from './run.ts';

const root = join(import.meta.dirname, '..', '..');
const server = process.env.FLUXHELM_FUZZ_SERVER ?? join(root, 'dist', 'server.js');
const SEED = 20261203;
const BUDGET_MS = 1000;
const fleets = [join(root, 'examples', 'fleet'), join(root, '..', 'shared', 'fleets', 'flux2-kustomize-helm-example')];

/** Slow answers that a fresh server answers in time were the machine's load, not the input. */
async function confirmSlow(failures: Failure[], workspace: string): Promise<Failure[]> {
  const slow = failures.filter((f) => f.kind === 'slow');
  if (slow.length === 0) return failures;
  const replayer = new Replayer(server, workspace, BUDGET_MS);
  await replayer.start();
  const confirmed = new Set<Failure>();
  try {
    for (const f of slow.slice(0, 5)) {
      if (f.text !== undefined && (await replayer.replay('slow', f.method, f.text, f.params, f.file))) confirmed.add(f);
    }
  } finally {
    await replayer.stop();
  }
  return failures.filter((f) => f.kind !== 'slow' || confirmed.has(f));
}

for (const [i, workspace] of fleets.entries()) {
  test(`seed ${SEED + i} in a copy of ${relative(root, workspace)}: no exit, exception, out-of-range answer, hang or memory blow-up`, { timeout: 90_000 }, async () => {
    assert.ok(existsSync(server), 'dist/server.js is built');
    assert.ok(existsSync(workspace), `${workspace} exists`);
    const session = new Session({ seed: SEED + i, server, workspace, durationMs: 15_000, huge: false, requestBudgetMs: BUDGET_MS, memoryCeilingMb: 600 });
    let failures: Failure[] = [];
    try {
      const report = await session.run();
      console.log(summarize([report]));
      assert.ok(report.edits > 10 && report.requests > 5, `the run did something (${report.edits} edits, ${report.requests} requests)`);
      failures = await confirmSlow(report.failures, session.workspaceRoot);
      if (failures.length) {
        const saved = await shrinkAndSave(failures, { server, fleet: workspace, seed: SEED + i, requestBudgetMs: BUDGET_MS, maxCases: 2 }).catch(() => []);
        for (const s of saved) console.log(`saved ${s}`);
      }
    } finally {
      await session.stop();
    }
    assert.deepEqual(failures.map((f) => `${f.kind} ${f.method} after ${f.step}: ${f.detail.split('\n')[0].slice(0, 300)}`).slice(0, 10), []);
  });
}

const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort() : [];

test(`${fixtures.length} shrunk failures from earlier runs (test/fixtures/fuzz) stay fixed`, { timeout: 120_000 }, async () => {
  const byWorkspace = new Map<string | undefined, [string, FuzzFixture][]>();
  for (const name of fixtures) {
    const f = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as FuzzFixture;
    byWorkspace.set(f.workspace, [...(byWorkspace.get(f.workspace) ?? []), [name, f]]);
  }
  const problems: string[] = [];
  for (const [ws, list] of byWorkspace) {
    const dir = ws === undefined ? undefined : [join(root, '..', 'shared', 'fleets', ws), join(root, 'examples', ws)].find((d) => existsSync(d));
    const replayer = new Replayer(server, dir, BUDGET_MS);
    await replayer.start();
    try {
      for (const [name, f] of list) {
        const again = await replayer.replay(f.kind, f.method, f.text, f.params, f.file);
        if (again) problems.push(`${name}: ${f.kind} ${f.method}: ${again.split('\n')[0].slice(0, 300)}`);
      }
    } finally {
      await replayer.stop();
    }
  }
  assert.deepEqual(problems, []);
});
