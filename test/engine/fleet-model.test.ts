/**
 * The workspace as Flux builds and applies it (issue #11, "The model" and
 * causes 1, 2, 3, 4, 8): cluster roots, Kustomizations followed only when
 * their source is this repository, children evaluated as their parent
 * patches and substitutes them, SOPS documents accepted only under a
 * decrypting Kustomization, the namespace transformer's output checked
 * instead of the written `_`, references resolved within the cluster that
 * applies the referring object, unreached files saying so, dot-folders out
 * of the workspace by default, and re-evaluation limited to the trees an
 * edit touches.
 *
 * The fixture (test/fixtures/fleet-model) is a two-cluster repository:
 * clusters/prod (written gotk-sync with decryption; a parent Kustomization
 * `infra` whose patches give its children prune/interval/decryption and a
 * SOPS substituteFrom, and whose postBuild substitutes ${CLUSTER} into the
 * child path ./apps/${CLUSTER}), clusters/staging (the bootstrap
 * placeholder gotk-sync.yaml, an apps Kustomization without decryption),
 * an upstream GitRepository with no path, a mirror GitRepository with this
 * repository's URL and a mistyped path, a scratch file no root applies and
 * a .github folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Workspace } from '../../engine/workspace/model.ts';
import { SchemaRegistry } from '../../engine/schemas/registry.ts';
import { validateFile } from '../../engine/validation/validate.ts';
import { LineIndex } from '../../engine/yaml/lines.ts';
import { loadFixture } from '../support/disk-fixture.ts';
import { memoryHost } from '../support/memory-host.ts';
import type { OffsetDiagnostic } from '../../engine/types.ts';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'fleet-model');
const registry = new SchemaRegistry();

function open(extra: { dotFolders?: boolean } = {}) {
  const host = loadFixture(fixture);
  const ws = new Workspace(host, { roots: ['/ws'], repoRoot: '/ws', ...extra });
  return { host, ws };
}

/** Every finding a user sees, as `file:line severity code: message`, sorted. */
function findings(ws: Workspace, host: { files: Record<string, string> }): string[] {
  const out: string[] = [];
  const add = (file: string, d: OffsetDiagnostic) => out.push(`${file.slice(4)}:${new LineIndex(host.files[file]).positionAt(d.start).line + 1} ${d.severity} ${d.code}: ${d.message}`);
  for (const [f, list] of ws.check().byFile) for (const d of list) add(f, d);
  for (const [f, list] of ws.checkBuilds(registry)) for (const d of list) add(f, d);
  for (const f of ws.index.filePaths()) {
    const parsed = ws.index.parsedFile(f);
    if (parsed) for (const d of ws.adjustWritten(f, validateFile(parsed, registry, { partial: ws.patchFiles().has(f) }), registry)) add(f, d);
  }
  return out.sort();
}

const codesIn = (list: string[], file: string) => list.filter((l) => l.startsWith(`${file}:`)).map((l) => l.split(' ')[2].replace(/:$/, ''));

test('roots: a written gotk-sync and a bootstrap placeholder each start a cluster tree', () => {
  const { ws } = open();
  const fleet = ws.fleet.get();
  assert.deepEqual(fleet.roots.map((r) => `${r.kustomization.namespace}/${r.kustomization.name} ${String(r.kustomization.spec.path)}`).sort(), [
    'flux-system/flux-system ./clusters/prod',
    'flux-system/flux-system ./clusters/staging',
  ]);
  const dirs = fleet.trees.map((t) => t.kustomizations.map((k) => `${k.label}@${k.build.dir?.slice(3) ?? '-'}`));
  assert.deepEqual(dirs, [
    ['Kustomization flux-system/flux-system@/clusters/prod', 'Kustomization flux-system/crds@-', 'Kustomization flux-system/infra@/infra/children', 'Kustomization flux-system/mirror@-', 'Kustomization flux-system/apps@/apps/prod'],
    ['Kustomization flux-system/flux-system@/clusters/staging', 'Kustomization flux-system/apps@/apps/staging'],
  ]);
});

test('cause 1: only Kustomizations whose source is this repository are built, by source and not by whether the path exists', () => {
  const { ws, host } = open();
  const list = findings(ws, host);
  // The upstream repository's root is not built from this checkout: no duplicate ids, nothing on .pre-commit-config.yaml.
  assert.deepEqual(codesIn(list, '.pre-commit-config.yaml'), []);
  assert.ok(!list.some((l) => /kustomize-duplicate-id|kustomize-resource/.test(l)), list.join('\n'));
  assert.ok(list.some((l) => /^clusters\/prod\/upstream\.yaml:\d+ info flux-path-elsewhere: .*GitRepository upstream-crds/.test(l)), list.join('\n'));
  // A GitRepository with this repository's URL (another name, ssh form, no .git) is this repository: its path typo is an error.
  const mirror = list.filter((l) => l.includes('mirrror'));
  assert.equal(mirror.length, 1, mirror.join('\n'));
  assert.match(mirror[0], /^clusters\/prod\/upstream\.yaml:42 error flux-path-missing: spec\.path "\.\/mirrror" is not a folder of this repository/);
});

test('cause 2: a child is evaluated as its parent patches and substitutes it', () => {
  const { ws, host } = open();
  const list = findings(ws, host);
  // As written the child lacks interval and prune and its path holds ${CLUSTER}; as applied it has all three.
  const raw = validateFile(ws.index.parsedFile('/ws/infra/children/apps.yaml')!, registry, {}).map((d) => d.message);
  assert.deepEqual(raw, ['missing required field `interval` in spec', 'missing required field `prune` in spec']);
  assert.deepEqual(codesIn(list, 'infra/children/apps.yaml'), []);
  const apps = ws.fleet.get().trees[0].kustomizations.find((k) => k.object.file === '/ws/infra/children/apps.yaml')!;
  assert.equal(apps.build.dir, '/ws/apps/prod');
  assert.deepEqual(apps.applied.spec, { path: './apps/prod', sourceRef: { kind: 'GitRepository', name: 'flux-system' }, interval: '30m', prune: true, decryption: { provider: 'sops' }, postBuild: { substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }] } });
  // The child's own variables come from the substituteFrom the parent's patch added.
  assert.deepEqual([...apps.build.variables.keys()], ['SECRET_DOMAIN']);
});

test('cause 3: SOPS documents are accepted under a decrypting Kustomization and reported where none decrypts them', () => {
  const { ws, host } = open();
  const list = findings(ws, host);
  assert.deepEqual(codesIn(list, 'apps/prod/secret.sops.yaml'), []);
  assert.deepEqual(codesIn(list, 'clusters/prod/sources.yaml'), []);
  const staging = list.filter((l) => l.startsWith('apps/staging/secret.sops.yaml:'));
  assert.equal(staging.length, 1, staging.join('\n'));
  assert.match(staging[0], /:7 error sops-not-decrypted: .*Kustomization flux-system\/apps applies it without `spec\.decryption`/);
  // The encrypted Secret's keys define variables with unknown values: ${SECRET_DOMAIN} is neither undefined nor replaced.
  assert.deepEqual(codesIn(list, 'apps/prod/settings.yaml'), []);
  const apps = ws.fleet.get().trees[0].kustomizations.find((k) => k.build.dir === '/ws/apps/prod')!;
  const settings = apps.build.resources.find((r) => r.object.kind === 'ConfigMap')!.object;
  assert.deepEqual(settings.data, { host: 'app.${SECRET_DOMAIN}', cluster: 'unknown' });
});

test('cause 4: the namespace transformer renames `_` and the built object is what is checked', () => {
  const { ws, host } = open();
  const raw = validateFile(ws.index.parsedFile('/ws/apps/prod/namespace.yaml')!, registry, {});
  assert.deepEqual(raw.map((d) => d.code), ['name']);
  assert.deepEqual(codesIn(findings(ws, host), 'apps/prod/namespace.yaml'), []);
  const apps = ws.fleet.get().trees[0].kustomizations.find((k) => k.build.dir === '/ws/apps/prod')!;
  const ns = apps.build.resources.find((r) => r.object.kind === 'Namespace')!.object as { metadata: { name: string } };
  assert.equal(ns.metadata.name, 'team-a');
});

test('cause 8: references resolve within the cluster that applies the referring object; unreached files say so', () => {
  const { ws, host } = open();
  const list = findings(ws, host);
  // prod applies the HelmRepository; staging does not, although the workspace has it.
  assert.deepEqual(codesIn(list, 'apps/prod/release.yaml'), []);
  const staging = list.filter((l) => l.startsWith('apps/staging/release.yaml:'));
  assert.equal(staging.length, 1, staging.join('\n'));
  assert.match(staging[0], /warning dangling-reference: HelmRepository `charts` in namespace flux-system is not applied to the cluster that applies this object; one exists in \/ws\/clusters\/prod\/sources\.yaml/);
  // A file no root reaches is still checked, and the finding says so.
  assert.deepEqual(list.filter((l) => l.startsWith('scratch/')), ["scratch/draft.yaml:5 error name: `Draft` is not a valid name: use lowercase letters, digits and '-' or '.', starting and ending with a letter or digit (no cluster root applies this file: checked as written)"]);
  assert.ok(ws.fleet.unreached('/ws/scratch/draft.yaml'));
  assert.ok(!ws.fleet.unreached('/ws/apps/prod/kustomization.yaml'));
});

test('dot-folders: out of the workspace by default, in when configured', () => {
  const { ws } = open();
  assert.ok(!ws.index.filePaths().some((f) => f.includes('/.github/')));
  const withDot = open({ dotFolders: true }).ws;
  assert.ok(withDot.index.filePaths().includes('/ws/.github/workflows/ci.yaml'));
  // The same rule for files that change later (the editor, file watchers).
  assert.equal(ws.index.setFileText('/ws/.github/workflows/new.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'), false);
});

test('incremental: an edit re-evaluates only the trees that read the changed file', () => {
  const { ws, host } = open();
  ws.fleet.get();
  const before = findings(ws, host);
  assert.ok(before.some((l) => l.startsWith('apps/staging/secret.sops.yaml:')));
  // Staging stops applying the encrypted Secret: only the staging tree is evaluated again.
  const text = host.files['/ws/apps/staging/kustomization.yaml'].replace('  - secret.sops.yaml\n', '');
  host.files['/ws/apps/staging/kustomization.yaml'] = text;
  ws.index.setFileText('/ws/apps/staging/kustomization.yaml', text);
  ws.fleet.get();
  assert.equal(ws.fleet.lastEvaluated, 1);
  const after = findings(ws, host);
  // No cluster applies the Secret now: it is checked as written, and says so.
  assert.deepEqual(after.filter((l) => l.startsWith('apps/staging/secret.sops.yaml:')), ['apps/staging/secret.sops.yaml:7 error unknown-field: unknown field `sops` (no cluster root applies this file: checked as written)']);
  // An edit to a file no tree reads evaluates nothing again.
  const draft = host.files['/ws/scratch/draft.yaml'].replace('Draft', 'draft');
  host.files['/ws/scratch/draft.yaml'] = draft;
  ws.index.setFileText('/ws/scratch/draft.yaml', draft);
  ws.fleet.get();
  assert.equal(ws.fleet.lastEvaluated, 0);
  assert.deepEqual(findings(ws, host).filter((l) => l.startsWith('scratch/')), []);
});

const operatorFiles = (sync: string) => ({
  '/op/clusters/edge/apps.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
  '/op/apps/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n',
  '/op/operator/instance.yaml': sync,
});

test('roots of the Flux Operator: FluxInstance sync and the flux-instance chart, named after the namespace', () => {
  const instance = 'apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  distribution:\n    version: "2.x"\n    registry: ghcr.io/fluxcd\n  sync:\n    kind: GitRepository\n    url: https://example.com/op.git\n    ref: refs/heads/main\n    path: clusters/edge\n';
  const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: flux-instance\n  namespace: flux-system\nspec:\n  interval: 1h\n  chartRef:\n    kind: OCIRepository\n    name: flux-instance\n  values:\n    instance:\n      sync:\n        kind: GitRepository\n        url: https://example.com/op.git\n        ref: refs/heads/main\n        path: clusters/edge\n';
  for (const text of [instance, release]) {
    const ws = new Workspace(memoryHost(operatorFiles(text)), { roots: ['/op'], repoRoot: '/op' });
    const fleet = ws.fleet.get();
    assert.deepEqual(fleet.roots.map((r) => `${r.source.kind} ${r.source.namespace}/${r.source.name} ${r.url}`), ['GitRepository flux-system/flux-system https://example.com/op.git']);
    assert.deepEqual(fleet.trees[0].kustomizations.map((k) => k.build.dir), ['/op/clusters/edge', '/op/apps']);
    assert.ok(!ws.fleet.unreached('/op/apps/cm.yaml'));
  }
});

test('roots set by the user: a folder synced from this repository', () => {
  const files = operatorFiles('# no operator here\n');
  const ws = new Workspace(memoryHost(files), { roots: ['/op'], repoRoot: '/op', clusterRoots: ['/op/clusters/edge'] });
  const fleet = ws.fleet.get();
  assert.deepEqual(fleet.roots.map((r) => r.kustomization.spec.path), ['./clusters/edge']);
  assert.deepEqual(fleet.trees[0].kustomizations.map((k) => k.build.dir), ['/op/clusters/edge', '/op/apps']);
  // Without it, nothing is a root, and the Kustomization is evaluated on its own (as before roots existed).
  const bare = new Workspace(memoryHost(operatorFiles('# no operator here\n')), { roots: ['/op'], repoRoot: '/op' });
  assert.equal(bare.fleet.get().roots.length, 0);
  assert.deepEqual(bare.fleet.get().loose.map((t) => t.kustomizations[0].build.dir), ['/op/apps']);
  assert.ok(!bare.fleet.unreached('/op/apps/cm.yaml'));
});
