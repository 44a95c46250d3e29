/**
 * Engine-level validation tests, data-driven: each case is a YAML fixture
 * with a `|` marking where the expected diagnostic starts, the code and
 * severity it must have, and what its message must say. Covers every
 * diagnostic kind the validator produces, plus what must stay silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, emptyHost, type Diagnostic } from '../../engine/index.ts';
import { withCursor } from '../support/cursor.ts';

const service = createLanguageService(emptyHost);

function validate(text: string, uri = 'file:///ws/test.yaml'): Diagnostic[] {
  return service.doValidation(service.parse(uri, text));
}

const HR_HEAD = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
`;
const CHART = `  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
`;

interface Case {
  name: string;
  fixture: string;
  code: string;
  severity?: Diagnostic['severity'];
  message: RegExp;
  uri?: string;
}

const cases: Case[] = [
  { name: 'misspelled field, with a suggestion', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      |verison: 6.x\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n`, code: 'unknown-field', message: /^unknown field `verison` in spec\.chart\.spec — did you mean `version`\?$/ },
  { name: 'unknown top-level field', fixture: `${HR_HEAD}|specs:\n  interval: 5m\n`, code: 'unknown-field', message: /unknown field `specs` — did you mean `spec`\?/ },
  { name: 'missing required field', fixture: `${HR_HEAD}|spec:\n${CHART}`, code: 'required', message: /missing required field `interval` in spec/ },
  { name: 'missing nested required field', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  chart:\n    |spec:\n      chart: podinfo\n`, code: 'required', message: /missing required field `sourceRef` in spec\.chart\.spec/ },
  { name: 'number where a string is required, with quoting advice', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      version: |1.10\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n`, code: 'type', message: /must be a string, not a number; YAML reads `1\.10` as 1\.1, quote it: "1\.10"/ },
  { name: 'string where an integer is required', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  maxHistory: |"5"\n${CHART}`, code: 'type', message: /spec\.maxHistory must be an integer, not a string/ },
  { name: 'string where a boolean is required', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  suspend: |"false"\n${CHART}`, code: 'type', message: /spec\.suspend must be a boolean, not a string/ },
  { name: 'enum value, with a suggestion', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: |HelmRepo\n        name: podinfo\n`, code: 'enum', message: /`HelmRepo` is not allowed for spec\.chart\.spec\.sourceRef\.kind; expected one of: HelmRepository, GitRepository, Bucket/ },
  { name: 'bad duration', fixture: `${HR_HEAD}spec:\n  interval: |5 minutes\n${CHART}`, code: 'duration', message: /not a duration for spec\.interval; use a Go duration such as 30s, 5m or 1h30m/ },
  { name: 'uppercase name', fixture: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: |Bitnami\nspec:\n  interval: 1h\n  url: https://charts.example.com\n`, code: 'name', message: /`Bitnami` is not a valid name: use lowercase letters/ },
  { name: 'label values must be strings', fixture: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    tier: |1\n`, code: 'type', message: /metadata\.labels\.tier must be a string, not an integer/ },
  { name: 'CEL rule: exactly one of chart and chartRef', fixture: `${HR_HEAD}|spec:\n  interval: 5m\n${CHART}  chartRef:\n    kind: OCIRepository\n    name: podinfo\n`, code: 'cel', message: /either chart or chartRef must be set/ },
  { name: 'CEL rule: neither chart nor chartRef', fixture: `${HR_HEAD}|spec:\n  interval: 5m\n`, code: 'cel', message: /either chart or chartRef must be set/ },
  { name: 'CEL rule on a nested object (verify only for HelmRepository sources)', fixture: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: podinfo\n|spec:\n  interval: 5m\n  chart: podinfo\n  sourceRef:\n    kind: GitRepository\n    name: repo\n  verify:\n    provider: cosign\n`, code: 'cel', message: /spec\.verify is only supported when spec\.sourceRef\.kind is 'HelmRepository'/ },
  { name: 'removed API version names the Flux release', fixture: `apiVersion: |helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  interval: 5m\n${CHART}`, code: 'removed-api-version', severity: 'warning', message: /v2beta1 HelmRelease was removed in Flux 2\.7; current Flux serves only helm\.toolkit\.fluxcd\.io\/v2/ },
  { name: 'removed beta of a source', fixture: `apiVersion: |source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\nmetadata:\n  name: podinfo\nspec:\n  interval: 5m\n  url: https://charts.example.com\n`, code: 'removed-api-version', severity: 'warning', message: /removed in Flux 2\.8/ },
  { name: 'unknown API version of a known kind', fixture: `apiVersion: |helm.toolkit.fluxcd.io/v3\nkind: HelmRelease\n`, code: 'unknown-api-version', message: /HelmRelease has no API version v3; known versions: .*helm\.toolkit\.fluxcd\.io\/v2\b/ },
  { name: 'unknown kind in a Flux group, with a suggestion', fixture: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: |HelmRelase\n`, code: 'unknown-kind', message: /`HelmRelase` is not a kind of helm\.toolkit\.fluxcd\.io — did you mean `HelmRelease`\?/ },
  { name: 'duplicate key', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  |interval: 10m\n${CHART}`, code: 'duplicate-key', message: /duplicate key `interval`/ },
  { name: 'YAML syntax error', fixture: `${HR_HEAD}spec:\n  interval: 5m\n  chart: {spec: |]\n`, code: 'yaml-syntax', message: /^YAML syntax error: / },
  { name: 'kustomization.yaml without apiVersion is still checked', uri: 'file:///ws/apps/kustomization.yaml', fixture: `resources:\n  - ../base\n|namePrefx: prod-\n`, code: 'unknown-field', message: /unknown field `namePrefx` — did you mean `namePrefix`\?/ },
  { name: 'Kustomization v1 requires prune and sourceRef', fixture: `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n|spec:\n  interval: 10m\n  path: ./apps\n`, code: 'required', message: /missing required field `prune` in spec/ },
];

for (const c of cases) {
  test(`diagnostic: ${c.name}`, () => {
    const { text, position } = withCursor(c.fixture);
    const diags = validate(text, c.uri);
    const hit = diags.find((d) => d.code === c.code && d.range.start.line === position.line && d.range.start.character === position.character);
    assert.ok(hit, `expected [${c.code}] at ${position.line + 1}:${position.character + 1}, got:\n${diags.map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} [${d.code}] ${d.message}`).join('\n')}`);
    assert.equal(hit.severity, c.severity ?? 'error');
    assert.match(hit.message, c.message);
  });
}

const clean: { name: string; text: string; uri?: string }[] = [
  { name: 'a valid HelmRelease', text: `${HR_HEAD}spec:\n  interval: 5m\n${CHART}  values:\n    anything: [goes, here]\n    replicaCount: 3\n` },
  { name: 'values are open (preserve-unknown-fields)', text: `${HR_HEAD}spec:\n  interval: 5m\n${CHART}  values:\n    verison: not-a-typo-here\n` },
  { name: 'documents of other kinds are ignored', text: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: X_Y\nspec:\n  foo: 1\n---\napiVersion: example.com/v1\nkind: Widget\nspec: {}\n` },
  { name: 'Helm chart templates produce no noise', uri: 'file:///charts/app/templates/deploy.yaml', text: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  {{- toYaml .Values | nindent 2 }}\n` },
  { name: 'postBuild variables are not judged before substitution', text: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo-\${cluster_env}\n  namespace: \${ns:=apps}\nspec:\n  interval: \${interval:=5m}\n  suspend: \${suspended}\n${CHART}` },
  { name: 'null values are dropped like the API server does', text: `${HR_HEAD}spec:\n  interval: 5m\n  timeout:\n${CHART}` },
  { name: 'comment-only and empty documents', text: `# just a comment\n---\n---\n# another\n` },
  { name: 'YAML 1.1 booleans as Kubernetes reads them', text: `${HR_HEAD}spec:\n  interval: 5m\n  suspend: no\n${CHART}` },
];

for (const c of clean) {
  test(`no diagnostics: ${c.name}`, () => {
    assert.deepEqual(validate(c.text, c.uri).map((d) => `${d.code}: ${d.message}`), []);
  });
}

test('an alias bomb is reported instead of expanded', () => {
  const bomb = `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n`;
  const diags = validate(bomb);
  assert.ok(diags.some((d) => d.code === 'yaml-alias'), JSON.stringify(diags));
});

test('diagnostics in a later document are placed on that document\'s lines', () => {
  const text = `${HR_HEAD}spec:\n  interval: 5m\n${CHART}---\n${HR_HEAD}spec:\n  interval: 5 m\n${CHART}`;
  const diags = validate(text);
  assert.equal(diags.length, 1);
  assert.equal(diags[0].range.start.line, 20);
  assert.equal(diags[0].code, 'duration');
});

test('re-parsing reuses unchanged documents and their diagnostics', () => {
  const one = `${HR_HEAD}spec:\n  interval: 5 m\n${CHART}`;
  const file1 = service.parse('file:///ws/reuse.yaml', `${one}---\n${one}`);
  service.doValidation(file1);
  const file2 = service.parse('file:///ws/reuse.yaml', `${one}---\n${one.replace('5 m', '6m')}`, file1);
  assert.equal(file2.docs[0], file1.docs[0], 'the unchanged first document is the same object');
  assert.notEqual(file2.docs[1], file1.docs[1]);
  assert.equal(service.doValidation(file2).length, 1);
});

test('the migration quick fix yields a document that validates clean on v2', () => {
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata:\n  name: legacy\n  namespace: apps # keep me\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      valuesFile: values-prod.yaml\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n  postRenderers:\n    - kustomize:\n        patchesStrategicMerge:\n          - kind: Deployment\n            apiVersion: apps/v1\n            metadata:\n              name: podinfo\n            spec:\n              replicas: 2\n        patchesJson6902:\n          - target:\n              kind: Deployment\n              name: podinfo\n            patch:\n              - op: add\n                path: /metadata/labels/team\n                value: web\n`;
  const file = service.parse('file:///ws/m.yaml', text);
  const diags = service.doValidation(file);
  const removed = diags.filter((d) => d.code === 'removed-api-version');
  assert.equal(removed.length, 1);
  const [action] = service.getCodeActions(file, removed[0].range, removed);
  const edit = action.edit!.changes!['file:///ws/m.yaml'][0];
  assert.match(edit.newText, /# keep me/, 'comments survive');
  const after = validate(edit.newText);
  assert.deepEqual(after.map((d) => d.message), []);
  assert.match(edit.newText, /patches:\n/);
  assert.doesNotMatch(edit.newText, /patchesStrategicMerge|patchesJson6902|valuesFile:/);
});

test('a kustomize Component is checked with the kustomization.yaml schema', () => {
  const ok = validate('apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - monitor.yaml\n', 'file:///ws/components/monitoring/kustomization.yaml');
  assert.deepEqual(ok.map((d) => d.message), []);
  const bad = validate('apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresorces:\n  - monitor.yaml\n', 'file:///ws/components/monitoring/kustomization.yaml');
  assert.deepEqual(bad.map((d) => d.code), ['unknown-field']);
});
