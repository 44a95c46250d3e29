/**
 * The repository configuration `.fluxhelm.yaml`: reading it (good and bad
 * fields, YAML 1.1 `off`), finding it from a subfolder without crossing the
 * repository root, merging with explicit settings (which win), exclude
 * globs, severity overrides, and the file itself getting validation,
 * completion and hover from the bundled schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, emptyHost, parseRepoConfig, findRepoConfig, mergeSettings, excludeMatcher, excludeForRoot } from '../../engine/index.ts';
// Kept: the severity-override step alone (the façade applies it inside the repository policy).
import { applySeverityOverrides } from '../../engine/config/severity.ts';
import { memoryHost } from '../support/memory-host.ts';
import { withCursor } from '../support/cursor.ts';

const GOOD = `# fluxhelm settings for this repository
roots: [clusters/production, clusters/staging]
exclude:
  - "vendor/**"
  - "**/charts/**"
crdPaths: [crds]
kubeVersion: "1.31.0"
apiVersions: [monitoring.coreos.com/v1]
network: false
severity:
  unpinned-version: off
  unknown-value-key: error
  removed-api-version: "off"
`;

test('a well-formed .fluxhelm.yaml is read whole, `off` bare or quoted', () => {
  const { config, diagnostics } = parseRepoConfig(GOOD);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config, {
    roots: ['clusters/production', 'clusters/staging'],
    exclude: ['vendor/**', '**/charts/**'],
    crdPaths: ['crds'],
    kubeVersion: '1.31.0',
    apiVersions: ['monitoring.coreos.com/v1'],
    network: false,
    severity: { 'unpinned-version': 'off', 'unknown-value-key': 'error', 'removed-api-version': 'off' },
  });
});

test('problems in the file are reported on their line, and only the good fields are used', () => {
  const text = 'roots: clusters\nnetwork: false\nseverity:\n  unknown-field: loud\nexlude: ["a/**"]\n';
  const { config, diagnostics } = parseRepoConfig(text);
  assert.deepEqual(config, { network: false });
  const byLine = diagnostics.map((d) => [d.range.start.line, d.code]).sort();
  assert.deepEqual(byLine, [[0, 'type'], [3, 'enum'], [4, 'unknown-field']]);
  assert.match(diagnostics.find((d) => d.code === 'unknown-field')!.message, /`exlude`.*did you mean `exclude`\?/);
});

test('broken YAML gives a syntax diagnostic and an empty config, never a throw', () => {
  const { config, diagnostics } = parseRepoConfig('roots: [a\nnetwork: true\n');
  assert.deepEqual(config, {});
  assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax'));
});

test('the nearest .fluxhelm.yaml is found from a subfolder, but not above the repository root', () => {
  const host = memoryHost({
    '/repo/.git/HEAD': 'ref: refs/heads/main\n',
    '/repo/.fluxhelm.yaml': 'network: false\n',
    '/repo/clusters/prod/app.yaml': 'kind: X\n',
    '/outer/.fluxhelm.yaml': 'network: true\n',
    '/outer/inner/.git/HEAD': 'x',
    '/outer/inner/apps/a.yaml': 'kind: X\n',
  });
  const found = findRepoConfig(host, '/repo/clusters/prod');
  assert.equal(found?.path, '/repo/.fluxhelm.yaml');
  assert.equal(found?.dir, '/repo');
  assert.deepEqual(found?.config, { network: false });
  assert.equal(findRepoConfig(host, '/outer/inner/apps'), undefined, 'a config outside the repository must not apply');
});

test('explicit settings win field by field; paths from the file are relative to the file', () => {
  const loaded = { path: '/repo/.fluxhelm.yaml', dir: '/repo', config: parseRepoConfig(GOOD).config, diagnostics: [] };
  const onlyFile = mergeSettings(loaded, {}, '/repo');
  assert.deepEqual(onlyFile.roots, ['/repo/clusters/production', '/repo/clusters/staging']);
  assert.deepEqual(onlyFile.crdPaths, ['/repo/crds']);
  assert.equal(onlyFile.network, false);
  assert.equal(onlyFile.kubeVersion, '1.31.0');
  assert.equal(onlyFile.origin.network, 'config');
  const merged = mergeSettings(loaded, { network: true, crdPaths: ['/opt/crds'], severity: { 'unpinned-version': 'warning' } }, '/repo');
  assert.equal(merged.network, true);
  assert.equal(merged.origin.network, 'explicit');
  assert.deepEqual(merged.crdPaths, ['/opt/crds']);
  assert.deepEqual(merged.severity, { 'unpinned-version': 'warning', 'unknown-value-key': 'error', 'removed-api-version': 'off' });
  assert.deepEqual(merged.roots, onlyFile.roots, 'roots not set explicitly still come from the file');
  const none = mergeSettings(undefined, {}, '/ws', ['/ws']);
  assert.deepEqual([none.roots, none.network, none.origin.roots], [['/ws'], true, 'default']);
});

test('exclude globs apply relative to the file and re-base onto a workspace root below it', () => {
  const s = mergeSettings({ path: '/repo/.fluxhelm.yaml', dir: '/repo', config: { exclude: ['vendor/**', '**/charts/**', 'clusters/prod/legacy'] }, diagnostics: [] }, {}, '/repo');
  const excluded = excludeMatcher(s);
  assert.equal(excluded('/repo/vendor/x/a.yaml'), true);
  assert.equal(excluded('/repo/apps/charts/podinfo/values.yaml'), true);
  assert.equal(excluded('/repo/clusters/prod/legacy/old.yaml'), true, 'a matched folder excludes what is below it');
  assert.equal(excluded('/repo/clusters/prod/app.yaml'), false);
  assert.equal(excluded('/elsewhere/vendor/a.yaml'), false);
  assert.deepEqual(excludeForRoot(s, '/repo'), ['vendor/**', '**/charts/**', 'clusters/prod/legacy']);
  assert.deepEqual(excludeForRoot(s, '/repo/clusters/prod'), ['**/charts/**', 'legacy']);
});

test('severity overrides drop `off` codes and replace the others', () => {
  const d = (code: string, severity: 'error' | 'warning' | 'info') => ({ code, severity, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: code });
  const out = applySeverityOverrides([d('unpinned-version', 'info'), d('unknown-field', 'error'), d('cel', 'error')], { 'unpinned-version': 'off', 'unknown-field': 'warning' });
  assert.deepEqual(out.map((x) => `${x.code}:${x.severity}`), ['unknown-field:warning', 'cel:error']);
});

const service = createLanguageService(emptyHost);
const parseYamlFile = (uri: string, text: string) => service.parse(uri, text);

test('the .fluxhelm.yaml file itself is validated by file name, and other files are not', () => {
  const text = 'network: nope\nseverity:\n  cel: loud\n';
  const asConfig = service.doValidation(parseYamlFile('file:///repo/.fluxhelm.yaml', text));
  assert.deepEqual(asConfig.map((d) => d.code).sort(), ['enum', 'type']);
  assert.deepEqual(service.doValidation(parseYamlFile('file:///repo/settings.yaml', text)), []);
});

test('completion in .fluxhelm.yaml offers its keys and severity levels; hover explains them', () => {
  const keys = withCursor('network: false\n|\n');
  const file = parseYamlFile('file:///repo/.fluxhelm.yaml', keys.text);
  const labels = service.doComplete(file, keys.position).items.map((i) => i.label);
  for (const k of ['roots', 'exclude', 'crdPaths', 'kubeVersion', 'apiVersions', 'severity']) assert.ok(labels.includes(k), `missing ${k} in ${labels}`);
  assert.ok(!labels.includes('network'), 'a key already present is not offered again');

  const codes = withCursor('severity:\n  |\n');
  const codeLabels = service.doComplete(parseYamlFile('file:///repo/.fluxhelm.yaml', codes.text), codes.position).items.map((i) => i.label);
  assert.ok(codeLabels.includes('unknown-field') && codeLabels.includes('unused-suppression'), codeLabels.join(','));

  const level = withCursor('severity:\n  cel: |\n');
  const levels = service.doComplete(parseYamlFile('file:///repo/.fluxhelm.yaml', level.text), level.position).items.map((i) => i.textEdit?.newText.trim());
  assert.ok(levels.includes('"off"') || levels.includes("'off'"), `off must be quoted so YAML keeps it a string: ${levels}`);
  assert.ok(levels.includes('warning'));

  const hover = withCursor('netw|ork: false\n');
  const h = service.doHover(parseYamlFile('file:///repo/.fluxhelm.yaml', hover.text), hover.position);
  assert.match(JSON.stringify(h?.contents), /chart repository indexes/);
});

test('a misspelt code under severity is flagged, with the code it probably means', () => {
  const { config, diagnostics } = parseRepoConfig('severity:\n  unknown-fieldd: "off"\n  cel: warning\n');
  assert.deepEqual(config.severity, { 'unknown-fieldd': 'off', cel: 'warning' });
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].severity, 'warning');
  assert.equal(diagnostics[0].range.start.line, 1);
  assert.match(diagnostics[0].message, /`unknown-fieldd` is not a fluxhelm diagnostic code — did you mean `unknown-field`\?/);
});
