/**
 * `.fluxhelm.yaml` and suppression comments through the built CLI, in a
 * throwaway repository: `fluxhelm check` without paths checks the file's
 * roots, leaves out its excludes, applies its severities, reports its own
 * problems (a misspelt code) even outside the roots, honours
 * `# fluxhelm-disable…` comments and reports the stale one; paths on the
 * command line replace the roots.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');
mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
const repo = mkdtempSync(join(repoRoot, 'test', '.tmp', 'repo-config-'));
after(() => rmSync(repo, { recursive: true, force: true }));

const HR = (name: string, spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: apps
spec:
${spec}  chart:
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

function write(path: string, text: string): void {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
}

mkdirSync(join(repo, '.git'));
write('.fluxhelm.yaml', 'roots: [clusters]\nexclude: ["clusters/legacy/**"]\nseverity:\n  duration: warning\n  unkown-field: "off"\n');
write('clusters/prod/a.yaml', HR('a', '  interval: 5 minutes\n  # fluxhelm-disable-next-line unknown-field -- set by our fork\n  timout: 1m\n'));
write('clusters/prod/b.yaml', HR('b', '  interval: 5m\n  suspend: false  # fluxhelm-disable-line cel\n'));
write('clusters/legacy/old.yaml', HR('old', '  interval: 1 day\n'));
write('elsewhere/c.yaml', HR('c', '  interval: 5m\n  timout: 1m\n'));

function check(args: string[]): { status: number | null; findings: { file: string; line: number; severity: string; code: string; message: string }[] } {
  const r = spawnSync(process.execPath, [cli, 'check', ...args, '--format', 'json'], { cwd: repo, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, findings: JSON.parse(r.stdout) };
}

test('without paths: the roots, minus excludes, with severities, suppressions and the file\'s own problems', () => {
  const { status, findings } = check([]);
  assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.severity}:${f.code}`), [
    '.fluxhelm.yaml:5:warning:config',
    'clusters/prod/a.yaml:7:warning:duration',
    'clusters/prod/b.yaml:8:info:unused-suppression',
  ]);
  assert.match(findings[0].message, /`unkown-field` is not a fluxhelm diagnostic code — did you mean `unknown-field`\?/);
  assert.equal(status, 0, 'duration is only a warning here, and nothing else is an error');
});

test('paths on the command line replace the roots; the file still applies', () => {
  const { status, findings } = check(['elsewhere']);
  assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.severity}:${f.code}`), ['.fluxhelm.yaml:5:warning:config', 'elsewhere/c.yaml:8:error:unknown-field']);
  assert.equal(status, 1);
});
