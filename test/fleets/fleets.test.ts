/**
 * Zero false findings on real fleets (issue #11, "Done when"): the built
 * CLI checks each of the four repositories in ../shared/fleets as a new
 * user would (`fluxhelm check <fleet> --format json`, offline), and no
 * error or warning may appear except removed API versions (the repository
 * pins an old Flux) and the findings listed below, each with the reason a
 * real API server or Flux would also reject it. Every object in these
 * repositories is applied by a real Flux, so anything else is a false
 * positive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const repo = join(import.meta.dirname, '..', '..');
const fleets = join(repo, '..', 'shared', 'fleets');

interface Finding {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}

/** Findings that stay, with why a real API server or Flux agrees. Keyed by fleet, then `file code`. */
const KEPT: Record<string, Record<string, string>> = {
  'flux2-kustomize-helm-example': {},
  'flux2-multi-tenancy': {},
  'flux2-hub-spoke-example': {},
  'onedr0p-home-ops': {},
};

function check(fleet: string, dir = join(fleets, fleet)): Finding[] {
  const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', dir, '--format', 'json'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, `fluxhelm check exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Finding[]).map((f) => ({ ...f, file: f.file.replace(/^.*?\/fleets\/[^/]+\//, '').replace(/^.*?\/planted\//, '') }));
}

for (const fleet of Object.keys(KEPT)) {
  test(`${fleet}: no error or warning but removed API versions and the kept ones`, () => {
    const found = check(fleet);
    const unexpected = found
      .filter((f) => f.severity === 'error' || f.severity === 'warning')
      .filter((f) => f.code !== 'removed-api-version')
      .filter((f) => !KEPT[fleet][`${f.file} ${f.code}`]);
    assert.deepEqual(unexpected.map((f) => `${f.file}:${f.line} ${f.severity} ${f.code}: ${f.message}`), []);
    // Removed API versions are reported where the repository uses them (they are real: Flux 2.8 no longer serves them).
    for (const f of found.filter((x) => x.code === 'removed-api-version')) assert.match(f.message, /was removed in Flux/);
  });
}

test('true findings survive: a mistake planted in a copy of a fleet is reported where it is written', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fluxhelm-fleet-'));
  try {
    const copy = join(tmp, 'planted');
    cpSync(join(fleets, 'flux2-kustomize-helm-example'), copy, { recursive: true });
    const file = join(copy, 'clusters', 'staging', 'apps.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('prune: true', 'prune: maybe'));
    const found = check('planted', copy).filter((f) => f.severity === 'error');
    assert.deepEqual(found.map((f) => `${f.file} ${f.code}`), ['clusters/staging/apps.yaml type']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
