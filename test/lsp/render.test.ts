/**
 * Rendering over LSP and in the CLI, with the real Helm engine (dist/helm.wasm)
 * on a copy of examples/fleet whose in-repository chart gains a `required`
 * value: the rendered-manifests view shows each object after its template
 * with helm-controller's labels and follows unsaved edits; the HelmRelease
 * gets a `Rendered: N objects` lens; removing the required value turns into
 * a `render-template` diagnostic on the HelmRelease with Helm's message, and
 * `fluxhelm check --render` reports the same finding at the same line;
 * `fluxhelm template` prints the same manifests as the view.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
const hasWasm = existsSync(join(root, 'dist', 'helm.wasm'));
let dir: string;
let client: LspClient;
const rel = join('infrastructure', 'configs', 'team-quotas.yaml');

before(async () => {
  assert.ok(hasWasm, 'dist/helm.wasm is built by npm run build (Go is part of this machine and of CI)');
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-render-'));
  cpSync(join(root, 'examples', 'fleet'), dir, { recursive: true });
  const tpl = join(dir, 'charts', 'team-quotas', 'templates', 'quota.yaml');
  writeFileSync(tpl, readFileSync(tpl, 'utf8').replace('  labels:\n', '  annotations:\n    owner: {{ required "quota.owner must name the team that owns the quota" $.Values.quota.owner | quote }}\n  labels:\n'));
  const hr = join(dir, rel);
  writeFileSync(hr, readFileSync(hr, 'utf8').replace('      pods: 60', '      pods: 60\n      owner: platform'));
  process.env.FLUXHELM_CACHE = join(dir, '.cache');
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir, { trusted: true, network: { enable: false } });
});
after(async () => {
  await client?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

type View = { text: string; objects?: number; release?: string };

test('the rendered view, the lens, a required failure on the HelmRelease, and the CLI agreeing', async () => {
  const file = join(dir, rel);
  const uri = pathToUri(file);
  const text = readFileSync(file, 'utf8');
  client.open(uri, text, 1);
  const view = await client.request<View>('fluxhelm/renderedManifests', { uri, position: { line: 3, character: 2 } }, 60000);
  assert.equal(view.release, 'flux-system/team-quotas');
  assert.ok((view.objects ?? 0) >= 1, view.text);
  assert.match(view.text, /# Source: team-quotas\/templates\/quota\.yaml\nkind: ResourceQuota|# Source: team-quotas\/templates\/quota\.yaml\napiVersion: v1/);
  assert.match(view.text, /owner: "?platform"?\n/);
  assert.match(view.text, /helm\.toolkit\.fluxcd\.io\/name: team-quotas/);

  // The lens appears once the background render has run.
  let lenses: { command: { title: string; command: string } }[] = [];
  for (let i = 0; i < 100 && !lenses.some((l) => l.command.command === 'fluxhelm.showRenderedManifests'); i++) {
    lenses = await client.request('textDocument/codeLens', { textDocument: { uri } });
    if (!lenses.some((l) => l.command.command === 'fluxhelm.showRenderedManifests')) await new Promise((r) => setTimeout(r, 200));
  }
  const lens = lenses.find((l) => l.command.command === 'fluxhelm.showRenderedManifests');
  assert.ok(lens, JSON.stringify(lenses));
  assert.equal(lens.command.title, `Rendered: ${view.objects} objects`);

  // An unsaved edit: the view follows it.
  const lines = text.split('\n');
  const podsLine = lines.findIndex((l) => l.includes('pods: 60'));
  client.change(uri, 2, [{ range: { start: { line: podsLine, character: lines[podsLine]!.indexOf('60') }, end: { line: podsLine, character: lines[podsLine]!.indexOf('60') + 2 } }, text: '75' }]);
  const after = await client.request<View>('fluxhelm/renderedManifests', { uri, position: { line: 3, character: 2 } }, 60000);
  assert.match(after.text, /pods: "75"/);

  // Remove the required value: Helm's `required` message becomes a diagnostic on the HelmRelease.
  const ownerLine = podsLine + 1;
  client.change(uri, 3, [{ range: { start: { line: ownerLine, character: 0 }, end: { line: ownerLine + 1, character: 0 } }, text: '' }]);
  const published = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as { code: string }[]).some((d) => d.code === 'render-template'), 60000, true);
  const d = (published.diagnostics as { code: string; message: string; range: { start: { line: number } } }[]).find((x) => x.code === 'render-template')!;
  assert.match(d.message, /quota\.owner must name the team that owns the quota/);
  assert.ok(d.range.start.line > 0 && d.range.start.line < text.split('\n').length, `on a line of the HelmRelease: ${d.range.start.line}`);

  // The CLI on the same files (saved): the same finding at the same place.
  writeFileSync(file, text.replace('      owner: platform\n', ''));
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'check', '.', '--render', '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLUXHELM_CACHE: join(dir, '.cache') } });
  assert.equal(cli.status, 1, cli.stderr);
  const row = (JSON.parse(cli.stdout) as { file: string; line: number; code: string; message: string }[]).find((r) => r.file === rel && r.code === 'render-template');
  assert.ok(row, cli.stdout);
  assert.equal(row.line, d.range.start.line + 1);
  assert.equal(row.message, d.message);
  // Without --render, check does not render.
  const plain = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'check', '.', '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLUXHELM_CACHE: join(dir, '.cache') } });
  assert.ok(!(JSON.parse(plain.stdout) as { code: string }[]).some((r) => r.code === 'render-template'));
  writeFileSync(file, text);
});

test('fluxhelm template prints what the view shows; bad options are usage errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'template', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLUXHELM_CACHE: join(dir, '.cache') } });
  const yaml = run('.', '--release', 'flux-system/team-quotas', '--offline');
  assert.equal(yaml.status, 0, yaml.stderr);
  assert.match(yaml.stdout, /^---\n# Source: team-quotas\/templates\/quota\.yaml\n/);
  assert.match(yaml.stdout, /owner: "?platform"?\n/);
  const json = run('.', '--release', 'team-quotas', '--format', 'json', '--offline');
  assert.equal(json.status, 0, json.stderr);
  const objects = JSON.parse(json.stdout) as { kind: string; metadata: { labels: Record<string, string> } }[];
  assert.ok(objects.length >= 1 && objects.every((o) => o.kind === 'ResourceQuota' && o.metadata.labels['helm.toolkit.fluxcd.io/namespace'] === 'flux-system'));
  assert.equal(run('.', '--release', 'flux-system/nope').status, 2);
  assert.equal(run('.', '--release', 'team-quotas', '--kube-version', 'latest').status, 2);
  assert.equal(run('.', '--release', 'team-quotas', '--format', 'yml').status, 2);
  assert.equal(run('--help').status, 0);
});
