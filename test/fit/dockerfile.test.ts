/**
 * The Dockerfile. No container can be built or run on this machine: Debian's
 * podman 4.3 installs, but its runtimes cannot start a container in this
 * sandbox (crun: "cgroups in hybrid mode not supported"; runc: setrlimit not
 * permitted), and no base image is reachable (only package registries are).
 * So this test runs the Dockerfile's own instructions outside a container,
 * the way the build would: COPY the `npm pack` tarball into a scratch root,
 * each RUN line with that root's /usr/local as npm's global prefix, then
 * ENTRYPOINT + CMD and ENTRYPOINT + `check` in WORKDIR, as `docker run`
 * would. It also keeps the build context to the tarball (.dockerignore).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { packRepo, repoRoot } from '../support/pack.ts';

mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'docker-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2] };
    });
}

test('the Dockerfile instructions install the packed CLI, and the entrypoint checks a mounted repository', () => {
  const steps = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  assert.deepEqual(steps.map((s) => s.op), ['ARG', 'FROM', 'COPY', 'RUN', 'USER', 'WORKDIR', 'ENTRYPOINT', 'CMD']);
  assert.match(steps[1].args, /\$\{NODE_IMAGE\}/);
  assert.match(steps[0].args, /^NODE_IMAGE=node:20/, 'Node 20 (fluxhelm needs 20.19+)');

  // The build context: `npm pack` output only.
  const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', '!fluxhelm-*.tgz']);
  const context = join(work, 'context');
  const tarball = packRepo(context);
  assert.match(basename(tarball), /^fluxhelm-.*\.tgz$/);

  const root = join(work, 'rootfs');
  const prefix = join(root, 'usr', 'local');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const env = { ...process.env, npm_config_prefix: prefix, npm_config_cache: join(work, 'npm-cache'), npm_config_offline: 'true', PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
  const inRoot = (s: string) => s.replace(/(^|\s)\/tmp\//g, `$1${root}/tmp/`);

  let workdir = '/';
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  for (const s of steps) {
    if (s.op === 'COPY') {
      const [src, dest] = s.args.split(/\s+/);
      assert.ok(new RegExp(`^${src.replace('.', '\\.').replace('*', '.*')}$`).test(basename(tarball)), `COPY ${src} takes the tarball`);
      copyFileSync(tarball, inRoot(dest));
    } else if (s.op === 'RUN') {
      const r = spawnSync('sh', ['-c', inRoot(s.args)], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, `RUN ${s.args}\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^\d+\.\d+\.\d+$/m, 'the build prints the installed version');
    } else if (s.op === 'WORKDIR') workdir = s.args;
    else if (s.op === 'ENTRYPOINT') entrypoint = JSON.parse(s.args) as string[];
    else if (s.op === 'CMD') cmd = JSON.parse(s.args) as string[];
  }
  assert.deepEqual(entrypoint, ['fluxhelm']);

  // `docker run fluxhelm` (CMD) prints the help.
  const bin = join(prefix, 'bin', entrypoint[0]);
  const help = spawnSync(bin, cmd, { env, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: fluxhelm <command>/);

  // `docker run -v "$PWD:/repo" fluxhelm check .` on a repository with mistakes and on a clean one.
  const mounted = join(root, workdir.replace(/^\//, ''));
  cpSync(join(repoRoot, 'examples', 'mistakes'), mounted, { recursive: true });
  const bad = spawnSync(bin, ['check', '.'], { cwd: mounted, env, encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /^bad-durations\.yaml:7:13: error: .*\[duration\]$/m);
  rmSync(mounted, { recursive: true });
  cpSync(join(repoRoot, 'examples', 'fleet'), mounted, { recursive: true });
  const good = spawnSync(bin, ['check', '.'], { cwd: mounted, env, encoding: 'utf8' });
  assert.equal(good.status, 0, good.stdout + good.stderr);
});
