/**
 * The output formats of rendered diffs (engine/diff/format.ts) on diffs of
 * objects real Helm renders and of the real Flux CRD upgrades in
 * ../shared/flux-crds: the unified format's hunks equal GNU `diff -u` of
 * the same two YAML texts; the human format names owners, objects and
 * field changes; JSON is the diff itself; the GitHub comment stays under
 * GitHub's 65,536-character limit with balanced markup; the HTML page is
 * self-contained and escapes everything; Secret values never leak.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { diffObjects, diffOwners } from '../../engine/diff/compare.ts';
import { formatDiff } from '../../engine/diff/format.ts';
import { objectUnified } from '../../engine/diff/format-parts.ts';
import { GITHUB_COMMENT_LIMIT } from '../../engine/diff/format-github.ts';
import type { ObjectDiff, OwnerDiff, OwnerOutput, RenderedDiff } from '../../engine/diff/types.ts';
import { runNativeHelm } from '../support/helm-native.ts';

const SHARED = new URL('../../../shared/', import.meta.url).pathname;
const CHARTS = join(SHARED, 'charts');
const CRDS = join(SHARED, 'flux-crds');
let work = '';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-format-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
async function render(chart: string, values: string): Promise<Record<string, unknown>[]> {
  const file = join(work, `values-${n++}.yaml`);
  writeFileSync(file, values);
  const r = await runNativeHelm(['template', 'demo', join(CHARTS, chart), '-n', 'apps', '-f', file, '--skip-tests', '--skip-schema-validation'], join(work, 'home'));
  assert.equal(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
}

/** GNU diff -u of two texts, without its two file header lines. */
function gnuHunks(a: string, b: string): string[] {
  const fa = join(work, `a-${n}`);
  const fb = join(work, `b-${n++}`);
  writeFileSync(fa, a);
  writeFileSync(fb, b);
  const r = spawnSync('diff', ['-u', fa, fb], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const lines = r.stdout.split('\n').slice(2);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const OWNER: OwnerDiff = { kind: 'HelmRelease', id: 'apps/podinfo', status: 'changed', objects: [], counts: { added: 0, removed: 0, changed: 0 } };

function assertSameAsGnu(d: ObjectDiff): number {
  const ours = objectUnified(OWNER, d).slice(2);
  const gnu = gnuHunks(d.before ?? '', d.after ?? '');
  assert.deepEqual(ours, gnu, `${d.id}`);
  return ours.filter((l) => l.startsWith('@@')).length;
}

const APP = `controllers:
  main:
    containers:
      app:
        image: {repository: ghcr.io/example/app, tag: "1.0"}
        env: {TZ: UTC, LOG_LEVEL: info}
      sidecar:
        image: {repository: ghcr.io/example/side, tag: "2.0"}
`;

test('unified hunks equal GNU diff -u of the same YAML texts (rendered charts and the Flux CRD upgrades)', async () => {
  const diffs: ObjectDiff[] = [];
  diffs.push(...diffObjects(await render('podinfo', 'replicaCount: 1\n'), await render('podinfo', 'replicaCount: 4\nhpa:\n  enabled: true\n')));
  const edited = APP.replace('      app:\n', '      app:\n        dependsOn: sidecar\n').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug, EXTRA: "1"');
  diffs.push(...diffObjects(await render('app-template', APP), await render('app-template', edited), { stripAttributes: [] }));
  diffs.push(...diffObjects(await render('redis', 'auth:\n  password: a\n'), await render('redis', 'auth:\n  password: b\nreplica:\n  replicaCount: 2\n')));
  // The CRDs of each Flux kind, legacy release against current: large real upgrades.
  for (const f of readdirSync(join(CRDS, 'legacy'))) {
    const old = parse(readFileSync(join(CRDS, 'legacy', f), 'utf8')) as Record<string, unknown>;
    const cur = parse(readFileSync(join(CRDS, f), 'utf8')) as Record<string, unknown>;
    diffs.push(...diffObjects([old], [cur]));
  }
  assert.ok(diffs.some((d) => d.status === 'added'));
  assert.ok(diffs.filter((d) => d.key.kind === 'CustomResourceDefinition').length >= 10);
  let hunks = 0;
  for (const d of diffs) hunks += assertSameAsGnu(d);
  assert.ok(hunks >= 100, `${hunks} hunks compared`);
});

const PODINFO_HEAD = 'replicaCount: 2\npodDisruptionBudget:\n  maxUnavailable: 1\n';

test('unified output has diff -u headers per object and /dev/null for added and removed ones', async () => {
  const base = await render('podinfo', 'serviceAccount:\n  enabled: true\n');
  const head = await render('podinfo', PODINFO_HEAD);
  const diff = diffOwners([{ kind: 'HelmRelease', id: 'apps/podinfo', objects: base }], [{ kind: 'HelmRelease', id: 'apps/podinfo', objects: head }]);
  const text = formatDiff(diff, 'unified');
  assert.match(text, /^--- base\/apps\/podinfo\/Deployment\/apps\/demo-podinfo\n\+\+\+ head\/apps\/podinfo\/Deployment\/apps\/demo-podinfo\n@@ /m);
  assert.match(text, /^--- \/dev\/null\n\+\+\+ head\/apps\/podinfo\/PodDisruptionBudget\/apps\/demo-podinfo\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: policy\/v1\n/m);
  // The chart's ServiceAccount has no namespace: no namespace part in its path.
  assert.match(text, /^--- base\/apps\/podinfo\/ServiceAccount\/demo-podinfo\n\+\+\+ \/dev\/null\n@@ -1,\d+ \+0,0 @@\n-apiVersion: v1\n/m);
  assert.match(text, /^-  replicas: 1\n\+  replicas: 2$/m);
  assert.ok(!text.includes('\u001b['));
  assert.ok(formatDiff(diff, 'unified', { color: true }).includes('\u001b[32m+  replicas: 2'));
});

async function sampleDiff(): Promise<RenderedDiff> {
  const base: OwnerOutput[] = [
    { kind: 'HelmRelease', id: 'apps/podinfo', objects: await render('podinfo', 'serviceAccount:\n  enabled: true\n') },
    { kind: 'HelmRelease', id: 'apps/app', objects: await render('app-template', APP) },
    { kind: 'HelmRelease', id: 'apps/redis', objects: await render('redis', 'auth:\n  password: s3cr3t-base\n') },
    { kind: 'Kustomization', id: 'flux-system/infra', objects: [] },
  ];
  const head: OwnerOutput[] = [
    { kind: 'HelmRelease', id: 'apps/podinfo', objects: await render('podinfo', PODINFO_HEAD) },
    { kind: 'HelmRelease', id: 'apps/app', objects: await render('app-template', APP.replace('      app:\n', '      app:\n        dependsOn: sidecar\n')) },
    { kind: 'HelmRelease', id: 'apps/redis', objects: await render('redis', 'auth:\n  password: s3cr3t-head\n') },
    { kind: 'Kustomization', id: 'flux-system/infra', objects: [], error: 'kustomize build failed: <missing> resource "x.yaml"' },
  ];
  return diffOwners(base, head, undefined, { base: 'HEAD (3ef3c57)', head: 'working tree' });
}

const SECRETS = ['s3cr3t-base', 's3cr3t-head'].flatMap((s) => [s, Buffer.from(s).toString('base64')]);

test('human format: owner headers with counts, object marks, field lines, order changes, errors', async () => {
  const diff = await sampleDiff();
  const text = formatDiff(diff, 'human');
  assert.match(text, /^Rendered diff: HEAD \(3ef3c57\) → working tree$/m);
  assert.match(text, /^HelmRelease apps\/podinfo: 1 changed, 1 added, 1 removed$/m);
  assert.match(text, /^ {2}~ Deployment apps\/demo-podinfo\n {6}\.spec\.replicas: 1 → 2$/m);
  assert.match(text, /^ {6}- \.spec\.template\.spec\.serviceAccountName: demo-podinfo$/m);
  assert.match(text, /^ {2}\+ PodDisruptionBudget apps\/demo-podinfo$/m);
  assert.match(text, /^ {2}- ServiceAccount demo-podinfo$/m);
  assert.match(text, /^ {6}\.spec\.template\.spec\.containers: order changed: app, sidecar → sidecar, app$/m);
  assert.match(text, /^ {6}\.data\.redis-password: changed \(value hidden\)$/m);
  assert.match(text, /^Kustomization flux-system\/infra: error\n {2}error in working tree: kustomize build failed/m);
  assert.match(text, /^3 of 4 owners changed, 1 with errors: 3 objects changed, 1 added, 1 removed$/m);
  for (const s of SECRETS) assert.ok(!text.includes(s), `leaked ${s}`);
  assert.ok(formatDiff(diff, 'human', { color: true }).includes('\u001b['));
});

test('json format is the diff itself, and no format leaks a masked Secret value', async () => {
  const diff = await sampleDiff();
  assert.deepEqual(JSON.parse(formatDiff(diff, 'json')), diff);
  for (const f of ['human', 'unified', 'json', 'github', 'html'] as const) {
    const text = formatDiff(diff, f);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${f} leaked ${s}`);
  }
});

function assertBalanced(md: string): void {
  assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
  const fences = md.split('\n').filter((l) => /^`{3,}/.test(l));
  assert.equal(fences.length % 2, 0, 'code fences are closed');
}

test('github format: summary table and one collapsible diff per changed owner', async () => {
  const diff = await sampleDiff();
  const md = formatDiff(diff, 'github');
  assert.match(md, /^### Rendered diff: HEAD \(3ef3c57\) → working tree$/m);
  assert.match(md, /^\| HelmRelease `apps\/podinfo` \| changed \| 1 \| 1 \| 1 \|$/m);
  assert.match(md, /^\| Kustomization `flux-system\/infra` \| error \| 0 \| 0 \| 0 \|$/m);
  assert.equal((md.match(/<details>/g) ?? []).length, 4);
  assert.match(md, /<summary>HelmRelease apps\/podinfo: 1 changed, 1 added, 1 removed<\/summary>\n\n```diff\n--- base\/apps\/podinfo\//);
  // A render error opens the owner's diff block as a `#` line.
  assert.ok(md.includes('# Kustomization flux-system/infra: error in working tree: kustomize build failed: <missing>'));
  assert.ok(!md.includes('> **Note:**'));
  assertBalanced(md);
});

test('github format stays under the comment limit on a huge diff and says what it left out', () => {
  const old = parse(readFileSync(join(CRDS, 'legacy', 'helm.toolkit.fluxcd.io_helmreleases.yaml'), 'utf8')) as Record<string, unknown>;
  const cur = parse(readFileSync(join(CRDS, 'helm.toolkit.fluxcd.io_helmreleases.yaml'), 'utf8')) as Record<string, unknown>;
  const owners = (objects: Record<string, unknown>): OwnerOutput[] => Array.from({ length: 12 }, (_, i) => ({ kind: 'Kustomization', id: `flux-system/crds-${i}`, objects: [objects] }));
  const diff = diffOwners(owners(old), owners(cur));
  const full = formatDiff(diff, 'unified');
  assert.ok(full.length > 3 * GITHUB_COMMENT_LIMIT, `${full.length}`);
  const md = formatDiff(diff, 'github');
  assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length}`);
  assert.ok(md.length > GITHUB_COMMENT_LIMIT - 2000, 'uses the room it has');
  assert.match(md, /> \*\*Note:\*\* this comment was cut to stay under GitHub's 65536-character limit\. \d+ more owners not shown\./);
  assert.match(md, /… \(cut: \d+ lines in all\)/);
  assertBalanced(md);
});

test('html format: one self-contained page, everything escaped', async () => {
  const evil = '</pre><script>alert(1)</script><img src=x onerror=alert(2)>';
  const cm = (value: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'evil', namespace: 'apps' }, data: { html: value } });
  const diff = diffOwners(
    [{ kind: 'HelmRelease', id: 'apps/<b>x</b>', objects: [cm('plain')] }],
    [{ kind: 'HelmRelease', id: 'apps/<b>x</b>', objects: [cm(evil)] }],
    undefined,
    { base: 'main', head: '<i>tree</i>' },
  );
  const html = formatDiff(diff, 'html');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.ok(!/<img|<b>|<i>/i.test(html), 'no markup from the data');
  assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external assets');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('apps/&lt;b&gt;x&lt;/b&gt;'));
  assert.ok(html.includes('<style>'));
  assert.match(html, /<span class="add">\+ {2}html: &lt;\/pre&gt;&lt;script&gt;/);
  const sample = formatDiff(await sampleDiff(), 'html');
  assert.equal((sample.match(/<section /g) ?? []).length, 4);
});
