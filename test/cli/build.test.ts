/**
 * `fluxhelm build` (cli/build.ts), called in-process with captured output
 * on test/fixtures/flux-build/repo and examples/fleet: a Flux Kustomization
 * file, --kustomization NS/NAME, a plain kustomize folder, JSON output,
 * diagnostics on stderr with file:line:col, and the exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { build, BUILD_HELP } from '../../cli/build.ts';

const root = join(import.meta.dirname, '..', '..');
const repo = relative(process.cwd(), join(root, 'test', 'fixtures', 'flux-build', 'repo')) || '.';
const fleet = relative(process.cwd(), join(root, 'examples', 'fleet')) || '.';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = build(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> });

test('a Flux Kustomization file prints the built, substituted objects in kustomize order', () => {
  const r = run(join(repo, 'clusters', 'dev', 'web.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const objects = docs(r.out);
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`), ['ConfigMap/web-dev/dev-monitoring', 'Deployment/web-dev/dev-web', 'HelmRelease/web-dev/dev-web']);
  assert.match(r.out, /greeting: hello from dev in eu-west-1/);
  assert.match(r.out, /^---$/m);
});

test('--kustomization picks one of several Flux Kustomizations; without it the choice is a usage error', () => {
  const file = join(repo, 'clusters', 'dev', 'broken.yaml');
  const ambiguous = run(file);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /has 2 Flux Kustomizations: flux-system\/broken .*flux-system\/dup/);
  const dup = run(file, '--kustomization', 'flux-system/dup');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /apps\/dup\/a\.yaml:1:1: error: HelmRelease apps\/same is in this build 2 times .* \[duplicate-object\]/);
  const byFolder = run(join(repo, 'clusters', 'dev'), '--kustomization', 'plain');
  assert.equal(byFolder.code, 0, byFolder.err);
  assert.deepEqual(docs(byFolder.out).map((o) => o.metadata.namespace), ['team-a', 'team-a', 'team-a', 'team-a']);
});

test('errors go to stderr as file:line:col: severity: message [code], exit 1', () => {
  const r = run(join(repo, 'clusters', 'dev'), '--kustomization', 'flux-system/broken');
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n');
  const at = (code: string) => lines.find((l) => l.endsWith(`[${code}]`))?.replace(/^.*?test\/fixtures\/flux-build\/repo\//, '').split(': ')[0];
  assert.equal(at('enum'), 'apps/broken/drift-patch.yaml:8:11');
  assert.equal(at('duration'), 'clusters/dev/broken.yaml:20:20');
  assert.equal(at('type'), 'apps/broken/helmrelease.yaml:17:16');
  assert.equal(at('flux-variable-undefined'), 'apps/broken/helmrelease.yaml:19:12');
  assert.match(lines.find((l) => l.endsWith('[flux-variable-undefined]'))!, /: info: \$\{owner\} has no value and no default/);
  assert.equal(docs(r.out).length, 1, 'the objects are printed even when there are errors');
});

test('a folder with a kustomization.yaml prints its kustomize build; --format json gives an array', () => {
  const yaml = run(join(fleet, 'apps', 'production'));
  assert.equal(yaml.code, 0, yaml.err);
  const objects = docs(yaml.out);
  assert.deepEqual(objects.map((o) => o.kind), ['Namespace', 'Namespace', 'ConfigMap', 'ConfigMap', 'HelmRelease', 'HelmRelease']);
  assert.match(yaml.out, /message: podinfo on \$\{cluster_env\}/, 'no Flux substitution for a plain kustomize build');
  assert.equal(run(join(fleet, 'apps', 'production', 'kustomization.yaml')).out, yaml.out, 'the kustomization file stands for its folder');
  const json = run(join(fleet, 'apps', 'production'), '--format', 'json');
  assert.deepEqual((JSON.parse(json.out) as { kind: string }[]).map((o) => o.kind), objects.map((o) => o.kind));
});

test('examples/fleet: the production apps Kustomization substitutes cluster_env', () => {
  const r = run(join(fleet, 'clusters', 'production', 'apps.yaml'));
  assert.equal(r.code, 0, r.err);
  const hr = docs(r.out).find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'podinfo');
  assert.equal((hr?.spec?.values as { ui: { message: string } }).ui.message, 'podinfo on production');
});

test('usage errors exit 2', () => {
  assert.equal(run().code, 2);
  assert.equal(run('no/such/path').code, 2);
  assert.equal(run(join(repo, 'apps', 'plain')).code, 2, 'a folder without kustomization.yaml needs --kustomization');
  assert.equal(run(join(repo, 'apps', 'web'), '--format', 'toml').code, 2);
  assert.equal(run(join(repo, 'clusters', 'dev', 'web.yaml'), '--kustomization', 'nope').code, 2);
  const help = run('--help');
  assert.equal(help.code, 0);
  assert.equal(help.out, `${BUILD_HELP}\n`);
});
