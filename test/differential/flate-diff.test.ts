/**
 * Differential: `fluxhelm diff --base REV` against flate v0.6.5's
 * `flate diff all --path-orig` (installed by .ci/flate-deps.sh) on a real Git
 * repository with a Flux fleet (test/support/git-fleet.ts) whose charts a
 * loopback chart repository serves. For each commit (a values change, a
 * chart version bump, an overlay patch, a valuesFrom ConfigMap change, a
 * Component change) the working tree is that commit and the base is the one
 * before: the set of changed objects (kind, namespace, name; added, removed
 * or changed) over all HelmReleases and Kustomizations must be the same.
 * Both keep Secrets and CRDs and strip the same chart-bump metadata.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { buildFleetRepository, CHANGES, FLEET_CHARTS, git } from '../support/git-fleet.ts';
import { cacheRoot } from '../support/tools.ts';

const FLATE = join(cacheRoot(), 'tools', 'flate-v0.6.5', 'flate');
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const KUBE = '1.34.4';

let dir: string;
let repo: ChartRepo;
let root: string;
let commits: string[];

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...opts, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

/** `Kind namespace/name status` of each object in flate's `-o diff` output (`--- Kind ns/name` / `+++ Kind ns/name` blocks). */
function flateChanges(text: string): Set<string> {
  const out = new Set<string>();
  const blocks = text.split(/^--- /m).slice(1);
  for (const block of blocks) {
    const [header, ...rest] = block.split('\n');
    const m = /^(\S+) (?:(\S+)\/)?(\S+)$/.exec(header!.trim());
    assert.ok(m, `unexpected flate header: ${header}`);
    const body = rest.filter((l) => !l.startsWith('+++ ') && !l.startsWith('@@'));
    const plus = body.some((l) => l.startsWith('+'));
    const minus = body.some((l) => l.startsWith('-'));
    const status = plus && !minus ? 'added' : minus && !plus ? 'removed' : 'changed';
    out.add(`${m[1]} ${m[2] ?? ''}/${m[3]} ${status}`);
  }
  return out;
}

interface JsonDiff {
  owners: { kind: string; id: string; status: string; errors?: unknown; objects: { key: { kind: string; namespace?: string; name: string }; status: string }[] }[];
}

function ourChanges(diff: JsonDiff): Set<string> {
  const out = new Set<string>();
  for (const o of diff.owners) for (const x of o.objects) out.add(`${x.key.kind} ${x.key.namespace ?? ''}/${x.key.name} ${x.status}`);
  return out;
}

before(async () => {
  assert.ok(existsSync(FLATE), `flate is not installed at ${FLATE}: run bash .ci/flate-deps.sh`);
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: npm run build');
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-flate-diff-'));
  repo = await startChartRepo({ charts: FLEET_CHARTS });
  root = join(dir, 'fleet');
  commits = buildFleetRepository(root, repo.url);
});

after(async () => {
  await repo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('each change shows the same changed objects as flate diff all --path-orig', async (t) => {
  const flateEnv = { PATH: process.env.PATH, HOME: join(dir, 'flate-home'), XDG_CACHE_HOME: join(dir, 'flate-cache') };
  const ourEnv = { ...process.env, HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache'), HELM_CACHE_HOME: join(dir, 'helm-cache') };
  for (let i = 1; i < commits.length; i++) {
    const name = CHANGES[i - 1]!.name;
    await t.test(name, async () => {
      git(root, ['checkout', '-q', commits[i]!]);
      const orig = join(dir, `orig-${i}`);
      git(root, ['worktree', 'add', '-q', '--detach', orig, commits[i - 1]!]);
      const flate = await run(FLATE, ['diff', 'all', '--path-orig', join(orig, 'clusters/test'), '--path', join(root, 'clusters/test'), '-o', 'diff', '--skip-crds=false', '--skip-secrets=false', '--kube-version', KUBE, '--cache-dir', join(dir, 'flate-cache'), '--no-progress'], { env: flateEnv });
      assert.equal(flate.code, 0, flate.stderr);
      const theirs = flateChanges(flate.stdout);

      const ours = await run(process.execPath, [CLI, 'diff', '--base', commits[i - 1]!, root, '--format', 'json', '--kube-version', `v${KUBE}`], { cwd: root, env: ourEnv });
      assert.equal(ours.code, 1, `differences exit 1: ${ours.stderr}`);
      const diff = JSON.parse(ours.stdout) as JsonDiff;
      for (const o of diff.owners) assert.equal(o.errors, undefined, `${o.kind} ${o.id}: ${JSON.stringify(o.errors)}`);
      assert.ok(theirs.size > 0, `flate reported no change for '${name}'`);
      assert.deepEqual([...ourChanges(diff)].sort(), [...theirs].sort());
    });
  }
  // The last commit against itself: nothing differs, exit 0.
  const same = await run(process.execPath, [CLI, 'diff', '--base', 'HEAD', root, '--format', 'json'], { cwd: root, env: ourEnv });
  assert.equal(same.code, 0, same.stderr);
  assert.deepEqual((JSON.parse(same.stdout) as JsonDiff).owners.filter((o) => o.status !== 'unchanged'), []);
});
