/**
 * `fluxhelm check` on the broken fleet fixture reports the reference-graph
 * findings (dangling references, missing paths, dependsOn cycles) through
 * the built CLI, with the right exit status, in text and JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8' });

test('graph findings on the broken fleet, in JSON, on their lines', () => {
  const r = cli('check', 'test/fixtures/broken-fleet', '--format', 'json');
  assert.equal(r.status, 1);
  const rows = (JSON.parse(r.stdout) as { file: string; line: number; severity: string; code: string; message: string }[]).map((f) => `${f.file.replace('test/fixtures/broken-fleet/', '')}:${f.line} ${f.severity} ${f.code}`);
  for (const want of [
    'clusters/prod/apps.yaml:9 error missing-path',
    'clusters/prod/apps.yaml:14 error dependency-cycle',
    'clusters/prod/apps.yaml:29 error dependency-cycle',
    'infrastructure/kustomization.yaml:3 error missing-path',
    'apps/base/podinfo/helmrelease.yaml:14 warning dangling-reference',
    'apps/base/podinfo/helmrelease.yaml:16 error dependency-cycle',
    'infrastructure/sources.yaml:10 info dangling-reference',
  ]) assert.ok(rows.includes(want), `${want} missing from:\n${rows.join('\n')}`);
  assert.ok(!rows.some((x) => x.startsWith('apps/prod/podinfo-patch.yaml')), 'the overlay patch is checked as a partial object');
});

test('text output names the cycle and says where the object really is', () => {
  const r = cli('check', 'test/fixtures/broken-fleet');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /dependsOn cycle: HelmRelease podinfo → HelmRelease redis → HelmRelease podinfo/);
  assert.match(r.stdout, /HelmRepository `podinfo` in namespace podinfo was not found in the workspace; one exists in namespace flux-system/);
  assert.match(r.stdout, /files checked: 6 errors/);
});
