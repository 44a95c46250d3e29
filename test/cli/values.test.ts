/**
 * `fluxhelm values` through the built CLI on examples/fleet: the HelmRelease
 * whose chart lives in the repository (no network needed) gets its
 * effective values, with the layer that set each one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8' });

test('values with provenance: chart defaults, valuesFrom, inline values on top', () => {
  const r = cli('values', 'examples/fleet', '--release', 'flux-system/team-quotas', '--provenance');
  assert.equal(r.status, 0, r.stderr);
  const values = parse(r.stdout);
  assert.deepEqual(values.teams, ['payments', 'search'], 'from the generated ConfigMap');
  assert.equal(values.quota.pods, 60, 'inline values win');
  assert.equal(values.quota.cpu, '8');
  assert.equal(values.limitRange.defaultCpu, '250m', 'chart default');
  assert.match(r.stdout, /pods: 60 # spec\.values/);
  assert.match(r.stdout, /cpu: "8" # valuesFrom\[0\] ConfigMap\/team-quotas-values key values\.yaml/);
  assert.match(r.stdout, /defaultCpu: 250m # chart default \(team-quotas\)/);
});

test('values as JSON: the plain map, and rows of {path, value, source} with --provenance', () => {
  const plain = cli('values', 'examples/fleet', '--release', 'flux-system/team-quotas', '--format', 'json');
  assert.equal(plain.status, 0, plain.stderr);
  const v = JSON.parse(plain.stdout);
  assert.equal(v.quota.memory, '16Gi');
  const rows = JSON.parse(cli('values', 'examples/fleet', '--release', 'team-quotas', '--format', 'json', '--provenance').stdout) as { path: string; value: unknown; source: string }[];
  assert.deepEqual(rows.find((x) => x.path === 'teams[1]'), { path: 'teams[1]', value: 'search', source: 'valuesFrom[0] ConfigMap/team-quotas-values key values.yaml' });
  assert.deepEqual(rows.find((x) => x.path === 'labels["app.kubernetes.io/managed-by"]'), { path: 'labels["app.kubernetes.io/managed-by"]', value: 'flux', source: 'chart default (team-quotas)' });
});

test('an unknown release is a usage error', () => {
  const r = cli('values', 'examples/fleet', '--release', 'nowhere/nothing');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no HelmRelease nowhere\/nothing/);
  assert.equal(cli('values', 'examples/fleet').status, 2, '--release is required');
});
