/**
 * Effective-values oracle against the real helm-controller: 50 generated
 * HelmReleases (./generate.ts: valuesFrom ConfigMaps and Secrets, valuesKey,
 * targetPath with nested keys, list indexes and escaped dots, quoted and
 * literal values, optional references, inline values with nulls; a chart
 * with defaults, globals and a conditional subchart) are installed by
 * helm-controller. For each, the values helm-controller handed to Helm (the
 * `config` of the release Secret `sh.helm.release.v1.<name>.v1`, decoded
 * from base64 + gzip + JSON), coalesced with the stored chart's defaults by
 * the real helm (`helm get values --all`), must equal `fluxhelm values` for
 * the same workspace. A subchart's `global` is taken from what its template
 * rendered in the stored manifest: `helm get values --all` does not copy the
 * user's globals into it, rendering does. The rendered manifests helm-controller stored are kept
 * next to the workspace (manifests/<name>.yaml).
 *
 * Render oracle (second test): for the same releases, the objects in the
 * Secret's `manifest` (plus its `hooks`, which Helm stores apart) equal the
 * objects `fluxhelm template --format json` prints, compared as a multiset
 * keyed by apiVersion/kind/namespace/name with deep-equal content (labels
 * helm-controller's post-renderer added included).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseAllDocuments } from 'yaml';
import { join } from 'node:path';
import { fluxhelm, helmRepositoryYaml, startSandbox, writeTree, type Sandbox } from './sandbox.ts';
import { generateReleases, layeredChart, type GeneratedRelease } from './generate.ts';
import { runHelm } from '../support/tools.ts';
import { mapLimit } from '../../engine/cluster/run.ts';

const COUNT = 50;
let sb: Sandbox;
let dir: string;
let ns: string;
let cases: GeneratedRelease[];

before(async () => {
  sb = await startSandbox(['source-controller', 'helm-controller']);
  sb.charts.addChart(layeredChart());
  ns = sb.namespace('fh-values');
  dir = mkdtempSync(join(tmpdir(), 'fh-flux-values-'));
  cases = generateReleases(ns, COUNT);
  const files: Record<string, string> = { 'repo.yaml': helmRepositoryYaml(ns, 'charts', sb.charts.url) };
  for (const c of cases) Object.assign(files, c.files);
  writeTree(join(dir, 'fleet'), files);
  sb.apply(Object.values(files).join('\n---\n'));
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sb?.stop();
});

test(`effective values: ${COUNT} generated HelmReleases, helm-controller's release Secret = fluxhelm values`, { timeout: 600_000 }, async () => {
  // Every release installed (the chart has only ConfigMaps, which are ready without a kubelet).
  for (const c of cases) {
    const ready = await sb.readyCondition('helmrelease', ns, c.name, 240_000);
    assert.equal(ready.status, 'True', `${c.name} (${c.features.join(', ')}): ${ready.reason}: ${ready.message}`);
  }
  const home = mkdtempSync(join(tmpdir(), 'fh-helm-home-'));
  mkdirSync(join(dir, 'manifests'));
  const mismatches: string[] = [];
  const features = new Set<string>();
  await mapLimit(cases, 3, async (c) => {
    const rel = sb.helmRelease(ns, c.name, 1);
    assert.ok(rel, `${c.name}: release Secret sh.helm.release.v1.${c.name}.v1`);
    writeFileSync(join(dir, 'manifests', `${c.name}.yaml`), rel.manifest);
    // The real helm coalesces what helm-controller stored: the release's config over its chart's defaults.
    const user = await runHelm(['get', 'values', c.name, '-n', ns, '-o', 'json', '--kubeconfig', sb.cp.kubeconfig], home);
    assert.equal(user.code, 0, user.stderr);
    assert.deepEqual(JSON.parse(user.stdout) ?? {}, rel.config ?? {}, `${c.name}: helm reads the same config we decoded`);
    const all = await runHelm(['get', 'values', c.name, '-n', ns, '--all', '-o', 'json', '--kubeconfig', sb.cp.kubeconfig], home);
    assert.equal(all.code, 0, all.stderr);
    const expected = JSON.parse(all.stdout);
    // `helm get values --all` does not copy the user's globals into a subchart's `global` the way
    // rendering does; what the subchart's templates really got is in the stored manifest.
    const subCm = parseAllDocuments(rel.manifest).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> })
      .find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === `${c.name}-sub`);
    if (subCm?.data?.['global.json'] && expected.sub) expected.sub.global = JSON.parse(subCm.data['global.json']);
    const ours = await fluxhelm(['values', join(dir, 'fleet'), '--release', `${ns}/${c.name}`, '--format', 'json', '--reveal-secrets']);
    if (ours.code !== 0) {
      mismatches.push(`${c.name} [${c.features.join(', ')}]: fluxhelm values exited ${ours.code}: ${ours.stderr}`);
      return;
    }
    const actual = JSON.parse(ours.stdout);
    try {
      assert.deepEqual(actual, expected);
      for (const f of c.features) features.add(f);
    } catch {
      mismatches.push(`${c.name} [${c.features.join(', ')}]:\n  helm-controller: ${JSON.stringify(expected)}\n  fluxhelm:        ${JSON.stringify(actual)}`);
    }
  });
  rmSync(home, { recursive: true, force: true });
  assert.deepEqual(mismatches, [], mismatches.join('\n'));
  // The generator reached the features it is meant to cover.
  for (const f of ['ConfigMap whole', 'Secret whole valuesKey', 'targetPath list index', 'targetPath escaped dot', 'optional missing object', 'optional missing key', 'inline values', 'targetPath subchart']) {
    assert.ok(features.has(f), `no case covered ${f}`);
  }
});

type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
const objectKey = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
/** Objects of a multi-document YAML stream, empty documents dropped (as Helm and kubectl do). */
const yamlObjects = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => !!o);
const byKey = (objs: K8sObject[]) => [...objs].sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));

test(`render oracle: ${COUNT} releases, the manifest in helm-controller's release Secret = fluxhelm template`, { timeout: 600_000 }, async () => {
  const mismatches: string[] = [];
  const orderDiffers: string[] = [];
  let compared = 0;
  let objects = 0;
  let labelled = 0;
  await mapLimit(cases, 2, async (c) => {
    const ready = await sb.readyCondition('helmrelease', ns, c.name, 240_000);
    assert.equal(ready.status, 'True', `${c.name}: ${ready.reason}: ${ready.message}`);
    const rel = sb.helmRelease(ns, c.name, 1) as (ReturnType<Sandbox['helmRelease']> & { hooks?: { manifest: string }[] }) | undefined;
    assert.ok(rel, `${c.name}: release Secret sh.helm.release.v1.${c.name}.v1`);
    // Hooks are not in `manifest`: Helm keeps each in the Secret's `hooks` array; both sides include them.
    const stored = [...yamlObjects(rel.manifest), ...(rel.hooks ?? []).flatMap((h) => yamlObjects(h.manifest))];
    const ours = await fluxhelm(['template', join(dir, 'fleet'), '--release', `${ns}/${c.name}`, '--format', 'json']);
    if (ours.code !== 0) {
      mismatches.push(`${c.name} [${c.features.join(', ')}]: fluxhelm template exited ${ours.code}: ${ours.stderr}`);
      return;
    }
    const rendered = JSON.parse(ours.stdout) as K8sObject[];
    try {
      assert.deepEqual(byKey(rendered), byKey(stored));
    } catch {
      mismatches.push(`${c.name} [${c.features.join(', ')}]:\n  helm-controller: ${JSON.stringify(byKey(stored))}\n  fluxhelm:        ${JSON.stringify(byKey(rendered))}`);
      return;
    }
    if (rendered.map(objectKey).join() !== yamlObjects(rel.manifest).map(objectKey).join()) orderDiffers.push(c.name);
    compared++;
    objects += stored.length;
    labelled += stored.filter((o) => (o.metadata as { labels?: Record<string, string> } | undefined)?.labels?.['helm.toolkit.fluxcd.io/name'] === c.name).length;
  });
  assert.deepEqual(mismatches, [], mismatches.join('\n'));
  assert.equal(compared, COUNT);
  // The comparison covers what the post-renderer adds: helm-controller's labels are in the stored objects.
  assert.equal(labelled, objects, 'every stored object carries helm.toolkit.fluxcd.io/name');
  console.log(`render oracle: ${compared} releases, ${objects} objects equal; order differs from the stored manifest in ${orderDiffers.length} (${orderDiffers.join(', ')})`);
});
