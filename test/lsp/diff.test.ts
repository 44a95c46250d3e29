/**
 * Rendered diffs over LSP, against the built server and the real Helm engine
 * (dist/helm.wasm), in a temporary Git repository: a HelmRelease of the
 * podinfo chart (../shared/charts, copied into the repository as a local
 * chart) is committed; an unsaved edit of its values in the open document
 * turns into a `Δ 1 object vs HEAD` lens over the HelmRelease, and
 * fluxhelm/diffRendered answers with the one changed Deployment (the new
 * replica count on the working-tree side, the old one on HEAD's), a title and
 * a summary. An unknown revision and a missing cluster are messages; the
 * lens follows the settings (another base compares again, off removes it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';
import type { DiffViewResult } from '../../server/protocol.ts';

const root = join(import.meta.dirname, '..', '..');
const shared = join(root, '..', 'shared');
let dir: string;
let client: LspClient;
let settings: Record<string, unknown> = {};

const SOURCE = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: https://example.com/fleet.git
  ref:
    branch: main
`;

const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  interval: 10m
  chart:
    spec:
      chart: ./charts/podinfo
      sourceRef:
        kind: GitRepository
        name: flux-system
        namespace: flux-system
  values:
    replicaCount: 2
`;

function git(...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  assert.ok(existsSync(join(root, 'dist', 'helm.wasm')), 'dist/helm.wasm is built by npm run build');
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-diff-'));
  cpSync(join(shared, 'charts', 'podinfo'), join(dir, 'charts', 'podinfo'), { recursive: true });
  mkdirSync(join(dir, 'apps'), { recursive: true });
  writeFileSync(join(dir, 'sources.yaml'), SOURCE);
  writeFileSync(join(dir, 'apps', 'podinfo.yaml'), RELEASE);
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'podinfo with two replicas');
  process.env.FLUXHELM_CACHE = join(dir, '.cache');
  // No cluster here: the cluster diff must say so.
  process.env.KUBECONFIG = join(dir, 'no-kubeconfig');
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  client.onServerRequest = (method, params) => {
    if (method === 'workspace/configuration') return ((params.items as unknown[]) ?? []).map(() => settings);
    return null;
  };
  await client.initialize(dir, { trusted: true, network: { enable: false } });
});
after(async () => {
  await client?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

type Lens = { range: { start: { line: number } }; command: { title: string; command: string; arguments?: unknown[] } };

/** Asks for lenses until one with `command` satisfies `ok` (background renders come later). */
async function lensWhen(uri: string, ok: (l: Lens[]) => boolean, what: string): Promise<Lens[]> {
  let lenses: Lens[] = [];
  for (let i = 0; i < 300; i++) {
    lenses = await client.request<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    if (ok(lenses)) return lenses;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: ${JSON.stringify(lenses)}\n${client.stderr.slice(-2000)}`);
}

const deltas = (l: Lens[]) => l.filter((x) => x.command.title.startsWith('Δ'));

test('an unsaved values edit: the Δ lens on the HelmRelease and the diff with HEAD shows the changed Deployment', async () => {
  const uri = pathToUri(join(dir, 'apps', 'podinfo.yaml'));
  client.open(uri, RELEASE, 1);
  // As committed: rendered, no difference, so no Δ lens.
  await lensWhen(uri, (l) => l.some((x) => x.command.command === 'fluxhelm.showRenderedManifests'), 'the render lens');
  const same = await client.request<DiffViewResult>('fluxhelm/diffRendered', { uri, position: { line: 1, character: 0 } }, 120_000);
  assert.equal(same.error, undefined, JSON.stringify(same));
  assert.equal(same.objects, 0, JSON.stringify(same.summary));
  assert.deepEqual(deltas(await client.request<Lens[]>('textDocument/codeLens', { textDocument: { uri } })), []);

  // Edit replicaCount in the open document, without saving.
  const line = RELEASE.split('\n').findIndex((l) => l.includes('replicaCount: 2'));
  const col = '    replicaCount: '.length;
  client.change(uri, 2, [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '3' }]);
  const lenses = await lensWhen(uri, (l) => deltas(l).length > 0, 'the Δ lens after the edit');
  const delta = deltas(lenses);
  assert.equal(delta.length, 1);
  assert.equal(delta[0]!.command.title, 'Δ 1 object vs HEAD');
  assert.equal(delta[0]!.command.command, 'fluxhelm.diffRenderedWithHead');
  assert.equal(delta[0]!.range.start.line, 0, 'over the HelmRelease');
  assert.deepEqual(delta[0]!.command.arguments, [uri, { line: 0, character: 0 }, 'HEAD']);

  const d = await client.request<DiffViewResult>('fluxhelm/diffRendered', { uri, position: { line: 1, character: 0 } }, 120_000);
  assert.equal(d.error, undefined, JSON.stringify(d));
  assert.equal(d.objects, 1);
  const owner = d.diff!.owners.find((o) => o.kind === 'HelmRelease' && o.id === 'podinfo/podinfo');
  assert.ok(owner, JSON.stringify(d.diff!.owners.map((o) => o.id)));
  assert.deepEqual(
    owner.objects.map((o) => [o.status, o.key.kind, o.key.name]),
    [['changed', 'Deployment', 'podinfo']],
  );
  // The diff editor's two sides: HEAD has two replicas, the working tree three.
  assert.match(d.title, /^podinfo: HEAD( \([0-9a-f]+\))? ↔ working tree$/);
  assert.match(d.base, /# HelmRelease podinfo\/podinfo · Deployment podinfo\/podinfo \(changed\)\n[\s\S]*\n {2}replicas: 2\n/);
  assert.match(d.head, /\n {2}replicas: 3\n/);
  assert.doesNotMatch(d.head, /replicas: 2\n/);
  assert.match(d.summary[0]!, /^HelmRelease podinfo\/podinfo: 1 object \(1 changed\)$/);

  // A revision the repository does not have is a message, not a diff.
  const bad = await client.request<DiffViewResult>('fluxhelm/diffRendered', { uri, base: 'no-such-branch' }, 60_000);
  assert.match(bad.error ?? '', /no-such-branch/);

  // Against the cluster without a kubeconfig: a message naming what is missing.
  const live = await client.request<DiffViewResult>('fluxhelm/diffRenderedCluster', { uri, position: { line: 1, character: 0 } }, 60_000);
  assert.match(live.error ?? '', /no cluster connection: cannot load kubeconfig/);
  assert.equal(live.objects, 0);

  // fluxhelm.diff.base names a revision the repository lacks: the open document is compared again, no lens.
  const configure = (diff: Record<string, unknown>) => {
    settings = { diff };
    client.notify('workspace/didChangeConfiguration', { settings: {} });
  };
  configure({ lens: true, base: 'no-such-branch' });
  await lensWhen(uri, (l) => deltas(l).length === 0, 'no Δ lens against a missing base');
  configure({ lens: true, base: 'HEAD' });
  await lensWhen(uri, (l) => deltas(l).some((x) => x.command.title === 'Δ 1 object vs HEAD'), 'the Δ lens back with base HEAD');
  // fluxhelm.diff.lens off: the lens goes away.
  configure({ lens: false });
  await lensWhen(uri, (l) => deltas(l).length === 0, 'no Δ lens with fluxhelm.diff.lens off');
});
