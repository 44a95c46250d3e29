/**
 * The GitHub Action (action.yml) run step by step as a runner would (see
 * action-runner.ts), with the packed fluxhelm as its `package` input:
 * - on examples/mistakes with the defaults it writes SARIF for code scanning
 *   (upload step given that file; every result points at a file of the
 *   repository, relative to its root), counts the findings into outputs and
 *   fails the job;
 * - `fail-on: never` passes with the same findings, `format: github` prints
 *   annotation lines and skips the upload;
 * - a bad `fail-on` or `format` value fails at once, with a message;
 * - the README's "In CI" workflow uses this action with inputs it declares,
 *   and they pass on the clean examples/fleet even with `fail-on: warning`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packRepo, repoRoot } from '../support/pack.ts';
import { runAction, loadAction } from './action-runner.ts';

mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'action-'));
after(() => rmSync(work, { recursive: true, force: true }));
const tarball = packRepo(work);
// npx keeps its installs in the npm cache; a private one keeps the test from reusing an older tarball's install.
const env = { npm_config_cache: join(work, 'npm-cache'), npm_config_offline: 'true' };

function run(inputs: Record<string, string>) {
  return runAction(repoRoot, { package: tarball, ...inputs }, { cwd: repoRoot, env, tmp: work });
}

test('defaults on a repository with mistakes: SARIF for code scanning, counts, and a failed job', () => {
  const r = run({ path: 'examples/mistakes' });
  assert.equal(r.status, 1, r.log);
  assert.equal(r.failedStep, 'Fail on findings');
  assert.deepEqual(r.uses.map((u) => u.uses), ['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
  assert.equal(r.uses[0].with['node-version'], '20');
  const upload = r.uses[1].with;
  assert.equal(upload.sarif_file, r.outputs.sarif);
  const sarif = JSON.parse(readFileSync(upload.sarif_file, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const results = sarif.runs[0].results as { level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  const findings = JSON.parse(readFileSync(r.steps.check.findings, 'utf8')) as { severity: string }[];
  assert.equal(results.length, findings.length);
  for (const res of results) {
    const uri = res.locations[0].physicalLocation.artifactLocation.uri;
    assert.ok(uri.startsWith('examples/mistakes/') && existsSync(join(repoRoot, uri)), `${uri} is not a repository-relative file`);
  }
  assert.equal(Number(r.outputs.errors), findings.filter((f) => f.severity === 'error').length);
  assert.ok(Number(r.outputs.errors) > 0 && Number(r.outputs.warnings) > 0);
  assert.match(r.log, /fluxhelm: \d+ errors, \d+ warnings, \d+ info \(fail-on: error\)/);
});

test('fail-on never passes; format github prints annotations and uploads nothing', () => {
  const r = run({ path: 'examples/mistakes', format: 'github', 'fail-on': 'never' });
  assert.equal(r.status, 0, r.log);
  assert.deepEqual(r.uses.map((u) => u.uses), ['actions/setup-node@v4']);
  assert.match(r.log, /^::error title=fluxhelm duration,file=examples\/mistakes\/bad-durations\.yaml,line=7,/m);
  assert.ok(Number(r.outputs.errors) > 0);
});

test('a mistyped input fails the job at once with a message', () => {
  const bad = run({ path: 'examples/fleet', 'fail-on': 'warnings' });
  assert.equal(bad.status, 2);
  assert.equal(bad.failedStep, 'fluxhelm check');
  assert.match(bad.log, /fail-on must be error, warning, info or never, not 'warnings'/);
  const format = run({ path: 'examples/fleet', format: 'xml' });
  assert.equal(format.status, 2);
  assert.match(format.log, /format must be sarif, github, text or json/);
});

test('the README workflow uses this action with inputs it declares', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### In CI'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the "In CI" section has a workflow');
  const workflow = parse(block[1]) as { jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string; with?: Record<string, string> }[] }> };
  const declared = Object.keys(loadAction(join(repoRoot, 'action.yml')).inputs);
  const job = Object.values(workflow.jobs)[0];
  const step = job.steps.find((s) => s.uses?.includes('fluxhelm'));
  assert.ok(step, 'a step uses the fluxhelm action');
  for (const k of Object.keys(step.with ?? {})) assert.ok(declared.includes(k), `README passes undeclared input ${k}`);
  assert.equal(job.permissions?.['security-events'], 'write', 'SARIF upload needs security-events: write');
  // The snippet's inputs work here, on a clean repository, even failing on warnings.
  const r = run({ ...(step.with ?? {}), path: 'examples/fleet', 'fail-on': 'warning', format: 'text' });
  assert.equal(r.status, 0, r.log);
  assert.equal(r.outputs.errors, '0');
  assert.equal(r.outputs.warnings, '0');
  assert.match(r.log, /files checked: 0 errors, 0 warnings/);
});
