/**
 * `fluxhelm diff --base REF [PATH]` (dist/cli.js) on a real Git repository
 * (test/support/git-fleet.ts, charts from a loopback chart repository):
 * exit 0 without differences, 1 with them (an uncommitted edit and an
 * untracked file), 2 with a clear message for a folder outside Git, an
 * unknown revision and a shallow clone that does not reach the revision;
 * `--format github` is Markdown with a collapsible section per owner;
 * changed-only renders fewer owners than `--all`; PATH below the root limits
 * the owners; `--strip-attr` replaces the hidden chart-bump metadata.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { buildFleetRepository, FLEET_CHARTS, git } from '../support/git-fleet.ts';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

let dir: string;
let repo: ChartRepo;
let root: string;
let env: NodeJS.ProcessEnv;

function cli(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

interface JsonDiff {
  owners: { kind: string; id: string; status: string; objects: { id: string; status: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] }[];
}

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is missing: npm run build');
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-git-'));
  env = { ...process.env, HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache'), HELM_CACHE_HOME: join(dir, 'helm-cache') };
  repo = await startChartRepo({ charts: FLEET_CHARTS });
  root = join(dir, 'fleet');
  buildFleetRepository(root, repo.url);
});

after(async () => {
  await repo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a folder outside Git is exit 2 with a clear message', async () => {
  const plain = join(dir, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
  const r = await cli(['diff', '--base', 'HEAD', plain], plain);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not in a Git repository/);
});

test("an unknown revision is exit 2: ''main2' is not a commit in ...'", async () => {
  const r = await cli(['diff', '--base', 'main2', root]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`'main2' is not a commit in ${root}`), r.stderr);
});

test('a shallow clone that does not reach the revision says to unshallow', async () => {
  const shallow = join(dir, 'shallow');
  git(dir, ['clone', '-q', '--depth', '1', `file://${root}`, shallow]);
  const r = await cli(['diff', '--base', 'HEAD~2', shallow], shallow);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shallow clone/);
  assert.match(r.stderr, /git fetch --unshallow/);
});

test('an invalid --format is a usage error (exit 2)', async () => {
  const r = await cli(['diff', '--base', 'HEAD', root, '--format', 'xml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--format must be one of: human, unified, json, github, html/);
});

test('no change against HEAD is exit 0', async () => {
  const r = await cli(['diff', '--base', 'HEAD', root]);
  assert.equal(r.code, 0, r.stderr);
});

test('an uncommitted values edit and an untracked HelmRelease: exit 1, github format collapsible per owner', async () => {
  const web = join(root, 'apps/base/web.yaml');
  const original = readFileSync(web, 'utf8');
  writeFileSync(web, original.replace('replicas: 3', 'replicas: 5'));
  const extra = join(root, 'apps/base/extra.yaml');
  writeFileSync(extra, readFileSync(join(root, 'apps/base/cache.yaml'), 'utf8').replace('name: cache', 'name: extra'));
  try {
    const md = await cli(['diff', '--base', 'HEAD', root, '--format', 'github']);
    assert.equal(md.code, 1, md.stderr);
    assert.match(md.stdout, /<details><summary>[^<]*apps\/web[^<]*<\/summary>/);
    assert.match(md.stdout, /<\/details>/);

    const json = await cli(['diff', '--base', 'HEAD', root, '--format', 'json']);
    assert.equal(json.code, 1, json.stderr);
    const diff = JSON.parse(json.stdout) as JsonDiff;
    const webOwner = diff.owners.find((o) => o.kind === 'HelmRelease' && o.id.startsWith('apps/web'));
    const deployment = webOwner?.objects.find((x) => x.id === 'apps/Deployment/apps/web-web');
    assert.deepEqual(deployment?.fields.map((f) => [f.path, f.before, f.after]), [['.spec.replicas', 3, 5]]);
    // The untracked file is a new HelmRelease: its objects are added. (The extra release is only built by a
    // Kustomization once listed in a kustomization.yaml, so it renders as written.)
    const added = diff.owners.find((o) => o.kind === 'HelmRelease' && o.id.startsWith('apps/extra'));
    assert.equal(added?.status, 'added');
    // Changed-only: the cache release is not rendered; --all renders every owner.
    assert.equal(diff.owners.some((o) => o.id.startsWith('apps/cache')), false);
    const all = await cli(['diff', '--base', 'HEAD', root, '--format', 'json', '--all']);
    assert.equal(all.code, 1, all.stderr);
    const owners = (JSON.parse(all.stdout) as JsonDiff).owners;
    assert.equal(owners.find((o) => o.id.startsWith('apps/cache'))?.status, 'unchanged');
  } finally {
    writeFileSync(web, original);
    rmSync(extra);
  }
});

test('chart-bump metadata is hidden by default; --strip-attr replaces the hidden keys', async () => {
  // HEAD~4 → HEAD includes the cache chart bump 1.0.0 → 1.1.0 (helm.sh/chart label on the StatefulSet).
  const fieldsOf = async (extra: string[]) => {
    const r = await cli(['diff', '--base', 'HEAD~4', join(root, 'apps'), '--format', 'json', ...extra]);
    assert.equal(r.code, 1, r.stderr);
    const owner = (JSON.parse(r.stdout) as JsonDiff).owners.find((o) => o.kind === 'HelmRelease' && o.id === 'apps/cache');
    return owner?.objects.find((x) => x.id === 'apps/StatefulSet/apps/cache')?.fields.map((f) => f.path) ?? [];
  };
  const hidden = await fieldsOf([]);
  assert.ok(hidden.length > 0 && !hidden.some((p) => p.includes('helm.sh/chart')), hidden.join(', '));
  const shown = await fieldsOf(['--strip-attr', 'checksum/']);
  assert.ok(shown.some((p) => p.includes('helm.sh/chart')), shown.join(', '));
});

test('a repository reached through a symlink is still compared with its commit', async () => {
  const link = join(dir, 'link');
  symlinkSync(root, link);
  const web = join(root, 'apps/base/web.yaml');
  const original = readFileSync(web, 'utf8');
  writeFileSync(web, original.replace('replicas: 3', 'replicas: 6'));
  try {
    const r = await cli(['diff', '--base', 'HEAD', link, '--format', 'json'], link);
    assert.equal(r.code, 1, r.stderr);
    const owner = (JSON.parse(r.stdout) as JsonDiff).owners.find((o) => o.kind === 'HelmRelease' && o.id === 'apps/web');
    assert.deepEqual(owner?.objects.map((x) => [x.id, x.fields.map((f) => [f.path, f.before, f.after])]), [['apps/Deployment/apps/web-web', [['.spec.replicas', 3, 6]]]]);
  } finally {
    writeFileSync(web, original);
  }
});
