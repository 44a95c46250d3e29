/**
 * The `fluxhelm-check` hook of .pre-commit-hooks.yaml with the real
 * pre-commit (PyPI, installed by .ci/fit-deps.sh): a throwaway hook
 * repository made from this repository's files, a throwaway GitOps
 * repository using it with the README's snippet; pre-commit installs the hook
 * its own way (npm install, npm pack, the system Node), then `git commit`
 * of a HelmRelease with a bad duration is refused with fluxhelm's finding,
 * and goes through once fixed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, rmSync, existsSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/pack.ts';
import { cacheRoot } from '../support/tools.ts';

const preCommit = join(cacheRoot(), 'fit-venv', 'bin', 'pre-commit');
const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'pre-commit-'));
after(() => rmSync(work, { recursive: true, force: true }));

const gitEnv = { GIT_AUTHOR_NAME: 'fluxhelm test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'fluxhelm test', GIT_COMMITTER_EMAIL: 'test@example.invalid', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
// The hook's install runs `npm ci` (scripts/prepare.mjs) whose packages and
// metadata the project's own `npm ci` already put in npm's cache: prefer that
// copy, so a registry hiccup cannot fail the test (CI saw ECONNRESET there).
const env = { ...process.env, ...gitEnv, PRE_COMMIT_HOME: join(work, 'pre-commit-home'), npm_config_prefer_offline: 'true', npm_config_fetch_retries: '5' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

/** A git repository holding this repository's files as they are in the working tree (what CI checks out). */
function makeHookRepo(): { dir: string; rev: string } {
  const dir = join(work, 'hook-repo');
  const files = git(repoRoot, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repoRoot, f)) || !lstatSync(join(repoRoot, f)).isFile()) continue; // deleted in the working tree, or a link
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(repoRoot, f), join(dir, f));
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fluxhelm');
  return { dir, rev: git(dir, 'rev-parse', 'HEAD').trim() };
}

const HR = (interval: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: ${interval}
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 1h
  url: https://stefanprodan.github.io/podinfo
`;

test('the README pre-commit snippet refuses a commit with a bad HelmRelease and accepts the fix', () => {
  assert.ok(existsSync(preCommit), `${preCommit} missing: run bash .ci/fit-deps.sh`);
  const hook = makeHookRepo();
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### In CI'));
  const snippet = /```yaml\n(repos:[\s\S]*?)```/.exec(section)?.[1];
  assert.ok(snippet, 'the "In CI" section has a .pre-commit-config.yaml snippet');

  const repo = join(work, 'gitops');
  mkdirSync(join(repo, 'apps'), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  // The snippet as a user copies it, pointed at the throwaway hook repository.
  writeFileSync(join(repo, '.pre-commit-config.yaml'), snippet.replace(/repo: \S+/, `repo: ${hook.dir}`).replace(/rev: \S+/, `rev: ${hook.rev}`));
  writeFileSync(join(repo, 'apps', 'podinfo.yaml'), HR('5 minutes'));
  git(repo, 'add', '-A');
  execFileSync(preCommit, ['install'], { cwd: repo, env, encoding: 'utf8' });

  const refused = spawnSync('git', ['commit', '-m', 'add podinfo'], { cwd: repo, env: { ...env, PATH: `${dirname(preCommit)}:${process.env.PATH}` }, encoding: 'utf8', timeout: 540_000 });
  const out = refused.stdout + refused.stderr;
  assert.notEqual(refused.status, 0, out);
  assert.match(out, /fluxhelm check\.+Failed/);
  assert.match(out, /apps\/podinfo\.yaml:7:13: error: `5 minutes` is not a duration for spec\.interval.*\[duration\]/);
  assert.notEqual(spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: repo, env }).status, 0, 'nothing was committed');

  writeFileSync(join(repo, 'apps', 'podinfo.yaml'), HR('5m'));
  git(repo, 'add', '-A');
  const accepted = spawnSync('git', ['commit', '-m', 'add podinfo'], { cwd: repo, env: { ...env, PATH: `${dirname(preCommit)}:${process.env.PATH}` }, encoding: 'utf8', timeout: 300_000 });
  assert.equal(accepted.status, 0, accepted.stdout + accepted.stderr);
  assert.match(accepted.stdout + accepted.stderr, /fluxhelm check\.+Passed/);
});
