/**
 * service.diffRendered through the façade on a real Git repository
 * (test/support/git-fleet.ts) with the Node host (git CLI, Helm in
 * WebAssembly, charts from a loopback repository): the head side is the
 * editor's text (updateFile, nothing saved to disk), changed-only selects
 * from it, a uri + position limits the diff to one owner, a cached base
 * side notices a file it read from disk changing, releases no Kustomization
 * applies render per changed overlay, a changed template of a chart folder
 * in the repository is read from Git on the base side, and errors are data
 * (unknown revision, no workspace).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLanguageService, pathToUri, type LanguageService, type RenderedDiff } from '../../engine/index.ts';
import { createNodeHost } from '../../server/node-host.ts';
import { createNetHost } from '../../server/net-host.ts';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { buildFleetRepository, FLEET_CHARTS, git, writeFiles } from '../support/git-fleet.ts';

let dir: string;
let repo: ChartRepo;
let root: string;
let service: LanguageService;
let dispose: (() => Promise<void>) | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-engine-'));
  repo = await startChartRepo({ charts: FLEET_CHARTS });
  root = join(dir, 'fleet');
  buildFleetRepository(root, repo.url);
  const real = createNodeHost();
  const net = createNetHost({ cacheDir: join(dir, 'cache') });
  // The real host with its own chart cache (spreading it starts nothing: Helm's engine starts on the first render).
  const host = { ...real, net };
  dispose = async () => (host.render as unknown as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
  service = createLanguageService(host);
  service.openWorkspace({ roots: [root], repoRoot: root });
});

after(async () => {
  await dispose?.();
  await repo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const asDiff = (r: Awaited<ReturnType<LanguageService['diffRendered']>>): RenderedDiff => {
  assert.ok(!('error' in r), 'error' in r ? r.error : '');
  return r as RenderedDiff;
};
const changedObjects = (d: RenderedDiff) =>
  d.owners.flatMap((o) => o.objects.map((x) => `${o.kind} ${o.id}: ${x.id} ${x.status}`)).sort();

test('an unsaved edit is the head side; undoing it leaves no difference', async () => {
  const file = join(root, 'apps/base/web.yaml');
  const uri = pathToUri(file);
  const saved = readFileSync(file, 'utf8');
  assert.deepEqual(asDiff(await service.diffRendered({ base: 'HEAD' })).owners, [], 'a clean tree selects nothing');

  service.updateFile(uri, saved.replace('replicas: 3', 'replicas: 4'));
  try {
    const d = asDiff(await service.diffRendered({ base: 'HEAD' }));
    assert.equal(readFileSync(file, 'utf8'), saved, 'nothing was written');
    assert.deepEqual(changedObjects(d), [
      'HelmRelease apps/web: apps/Deployment/apps/web-web changed',
      'Kustomization flux-system/apps: helm.toolkit.fluxcd.io/HelmRelease/apps/web changed',
    ]);
    const dep = d.owners.find((o) => o.kind === 'HelmRelease')!.objects[0]!;
    assert.deepEqual(
      dep.fields.map((f) => [f.path, f.before, f.after]),
      [['.spec.replicas', 3, 4]],
    );
    assert.match(d.baseLabel, /^HEAD \([0-9a-f]{7}\)$/);

    // The same unsaved text scoped to the cache release (uri + position): nothing differs there.
    const cache = pathToUri(join(root, 'apps/base/cache.yaml'));
    const scoped = asDiff(
      await service.diffRendered({ base: 'HEAD', uri: cache, position: { line: 3, character: 2 }, changedOnly: false }),
    );
    assert.deepEqual(
      scoped.owners.map((o) => [o.kind, o.id, o.status]),
      [['HelmRelease', 'apps/cache', 'unchanged']],
    );
  } finally {
    service.updateFile(uri, saved);
  }
  assert.deepEqual(changedObjects(asDiff(await service.diffRendered({ base: 'HEAD' }))), []);
});

test('the base can be an older commit; a valuesFrom ConfigMap edit selects the release that reads it', async () => {
  const d = asDiff(await service.diffRendered({ base: 'HEAD~2' }));
  // HEAD~2..HEAD: the valuesFrom ConfigMap and the Component changed.
  assert.deepEqual(changedObjects(d), [
    'HelmRelease apps/web: /ConfigMap/apps/web-web-config changed',
    'Kustomization flux-system/apps: /ConfigMap/apps/team changed',
    'Kustomization flux-system/apps: /ConfigMap/apps/web-values changed',
  ]);
});

test('a later change on disk of a file the cached base side read is compared with the commit', async () => {
  // The clean tree's diff above cached the base side; cache.yaml was unchanged then, so it came from disk.
  const file = join(root, 'apps/base/cache.yaml');
  const saved = readFileSync(file, 'utf8');
  writeFileSync(file, saved.replace('version: "1.1.0"', 'version: "1.0.0"'));
  service.updateFile(pathToUri(file)); // what the editor's file watcher does
  try {
    const d = asDiff(await service.diffRendered({ base: 'HEAD' }));
    // Against the commit (chart 1.1.0), the working tree's 1.0.0 has no PodDisruptionBudget.
    assert.deepEqual(changedObjects(d), [
      'HelmRelease apps/cache: apps/StatefulSet/apps/cache changed',
      'HelmRelease apps/cache: policy/PodDisruptionBudget/apps/cache removed',
      'Kustomization flux-system/apps: helm.toolkit.fluxcd.io/HelmRelease/apps/cache changed',
    ]);
  } finally {
    writeFileSync(file, saved);
    service.updateFile(pathToUri(file));
  }
});

test('errors are data: an unknown revision, a path that does not exist', async () => {
  const r = await service.diffRendered({ base: 'nope' });
  assert.ok('error' in r && r.error.includes(`'nope' is not a commit in ${root}`), JSON.stringify(r));
  const p = await service.diffRendered({ base: 'HEAD', path: join(root, 'missing') });
  assert.ok('error' in p && p.usage === true, JSON.stringify(p));
  const none = await createLanguageService(createNodeHost()).diffRendered({ base: 'HEAD' });
  assert.ok('error' in none && none.usage === true);
});

test('a release no Flux Kustomization applies is rendered per overlay, and only the overlay that changed', async () => {
  const hr = (name: string) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: solo\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n      version: "1.0.0"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n  values:\n    replicas: 1\n`;
  const overlay = (replicas: number) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\npatches:\n  - patch: |\n      apiVersion: helm.toolkit.fluxcd.io/v2\n      kind: HelmRelease\n      metadata:\n        name: solo\n      spec:\n        values:\n          replicas: ${replicas}\n    target:\n      kind: HelmRelease\n`;
  writeFiles(root, {
    'standalone/base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - solo.yaml\n',
    'standalone/base/solo.yaml': hr('solo'),
    'standalone/staging/kustomization.yaml': overlay(2),
    'standalone/production/kustomization.yaml': overlay(3),
  });
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'standalone overlays']);
  service.openWorkspace({ roots: [root], repoRoot: root });
  const prod = join(root, 'standalone/production/kustomization.yaml');
  service.updateFile(pathToUri(prod), overlay(5));
  const d = asDiff(await service.diffRendered({ base: 'HEAD' }));
  assert.deepEqual(changedObjects(d), ['HelmRelease solo/solo (standalone/production): apps/Deployment/solo/solo-web changed']);
  assert.deepEqual(d.owners.map((o) => o.id), ['solo/solo (standalone/production)'], 'the staging overlay is not rendered');
  const dep = d.owners[0]!.objects[0]!;
  assert.deepEqual(dep.fields.map((f) => [f.path, f.before, f.after]), [['.spec.replicas', 3, 5]]);

  // An unsaved edit of the base release (Git sees no change on disk): both overlays render it.
  service.updateFile(pathToUri(prod), overlay(3));
  const base = join(root, 'standalone/base/solo.yaml');
  service.updateFile(pathToUri(base), hr('solo').replace('    replicas: 1\n', '    replicas: 1\n    color: purple\n'));
  const both = asDiff(await service.diffRendered({ base: 'HEAD' }));
  assert.deepEqual(changedObjects(both), [
    'HelmRelease solo/solo (standalone/production): apps/Deployment/solo/solo-web changed',
    'HelmRelease solo/solo (standalone/staging): apps/Deployment/solo/solo-web changed',
  ]);
  service.updateFile(pathToUri(base), hr('solo'));
});

test("a chart folder of the repository: a changed template selects its release, the base reads the chart from Git", async () => {
  writeFiles(root, {
    'charts/local/Chart.yaml': 'apiVersion: v2\nname: local\nversion: 0.1.0\n',
    'charts/local/values.yaml': 'greeting: hello\n',
    'charts/local/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n  namespace: {{ .Release.Namespace }}\ndata:\n{{ include "local.data" . | indent 2 }}\n',
    // Not YAML: the workspace index never reads it, so only a render does (lazily, after the base side was made).
    'charts/local/templates/_helpers.tpl': '{{- define "local.data" -}}\ngreeting: {{ .Values.greeting | quote }}\n{{- end -}}\n',
    'apps/local/release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: local\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ./charts/local\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n',
  });
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'local chart']);
  service.openWorkspace({ roots: [root], repoRoot: root });
  // A clean tree first: the base side is made and kept, and has read no chart file yet.
  assert.deepEqual(asDiff(await service.diffRendered({ base: 'HEAD' })).owners, []);
  const template = join(root, 'charts/local/templates/_helpers.tpl');
  const saved = readFileSync(template, 'utf8');
  writeFileSync(template, saved.replace('greeting:', 'message:'));
  try {
    const d = asDiff(await service.diffRendered({ base: 'HEAD' }));
    assert.deepEqual(d.owners.map((o) => [o.kind, o.id, o.status]), [['HelmRelease', 'apps/local', 'changed']]);
    const cm = d.owners[0]!.objects[0]!;
    assert.equal(cm.id, '/ConfigMap/apps/local-config');
    assert.deepEqual(cm.fields.map((f) => [f.path, f.op]).sort(), [['.data.greeting', 'remove'], ['.data.message', 'add']]);
  } finally {
    writeFileSync(template, saved);
  }
  // An unsaved values edit of this release, which no Kustomization or overlay builds: Git sees nothing on disk.
  const release = join(root, 'apps/local/release.yaml');
  const text = readFileSync(release, 'utf8');
  service.updateFile(pathToUri(release), `${text}  values:\n    greeting: hi\n`);
  try {
    const d = asDiff(await service.diffRendered({ base: 'HEAD' }));
    assert.deepEqual(changedObjects(d), ['HelmRelease apps/local: /ConfigMap/apps/local-config changed']);
  } finally {
    service.updateFile(pathToUri(release), text);
  }
});
