/**
 * Chart resolution in the editor, over LSP against a real chart repository
 * on 127.0.0.1: inlay hint with the resolved version, hover listing matching
 * versions, completion of chart names and versions, diagnostics for a chart
 * that is not there, a constraint nothing satisfies, invalid constraint
 * syntax, an unreachable repository (on its url line), and the unpinned-range
 * hint with its "Pin to" quick fix. The cache lives in a temp folder.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../support/lsp-client.ts';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let repo: ChartRepo;
let client: LspClient;

type Diag = { range: { start: { line: number; character: number } }; code: string; message: string; severity: number; data?: unknown };

function release(name: string, chart: string, version: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ${chart}\n      version: "${version}"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n`;
}

before(async () => {
  repo = await startChartRepo();
  repo.addCharts([
    { name: 'podinfo', version: '6.4.0', appVersion: '6.4.0' },
    { name: 'podinfo', version: '6.5.3', appVersion: '6.5.3' },
    { name: 'podinfo', version: '6.6.0-rc.1', appVersion: '6.6.0' },
    { name: 'podinfo', version: '5.2.1', appVersion: '5.2.1' },
    { name: 'redis', version: '20.11.4', appVersion: '7.4.2' },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-charts-'));
  mkdirSync(join(dir, 'sources'));
  writeFileSync(join(dir, 'sources', 'charts.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${repo.url}\n`);
  writeFileSync(join(dir, 'sources', 'dead.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: dead\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: http://127.0.0.1:9/charts\n`);
  // A private cache so nothing on this machine leaks in (the server inherits the environment).
  process.env.FLUXHELM_CACHE = join(dir, '.cache');
  client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  await client.initialize(dir, { trusted: true });
});
after(async () => {
  await client.shutdown();
  await repo.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function openAndResolve(name: string, text: string, want: (d: Diag[]) => boolean): Promise<{ uri: string; diags: Diag[] }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  const uri = pathToUri(file);
  client.open(uri, text, 1);
  const p = await client.waitFor('textDocument/publishDiagnostics', (x) => x.uri === uri && want(x.diagnostics as Diag[]), 20000, true);
  return { uri, diags: p.diagnostics as Diag[] };
}

test('a range resolves: inlay hint, hover with matching versions, unpinned hint and the Pin quick fix', async () => {
  const { uri, diags } = await openAndResolve('podinfo', release('podinfo', 'podinfo', '6.x'), (d) => d.some((x) => x.code === 'unpinned-version'));
  const hint = diags.find((d) => d.code === 'unpinned-version')!;
  assert.equal(hint.severity, 4);
  assert.equal(hint.range.start.line, 10);
  assert.match(hint.message, /resolves to 6\.5\.3/);
  const hints = await client.request<{ label: string; position: { line: number } }[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
  assert.deepEqual(hints.map((h) => [h.position.line, h.label.trim()]), [[10, '→ 6.5.3 (app 6.5.3) · charts']]);
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 17 } });
  assert.match(hover.contents.value, /Resolves to \*\*6\.5\.3\*\*/);
  assert.match(hover.contents.value, /\| 6\.5\.3 \| 6\.5\.3 \|/);
  assert.match(hover.contents.value, /\| 6\.4\.0 \|/);
  assert.doesNotMatch(hover.contents.value, /6\.6\.0-rc\.1 \|/, 'pre-releases are not in range without a pre-release bound');
  const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', { textDocument: { uri }, range: hint.range, context: { diagnostics: [hint] } });
  const pin = actions.find((a) => a.title === 'Pin to 6.5.3');
  assert.ok(pin, JSON.stringify(actions));
  assert.equal(pin.edit.changes[uri][0].newText, '"6.5.3"');
});

test('completion offers chart names from the index and versions newest first, pre-releases last', async () => {
  const text = release('complete', 'podinfo', '6.x');
  const { uri } = await openAndResolve('complete', text, (d) => d.some((x) => x.code === 'unpinned-version'));
  const versions = await client.request<{ items: { label: string; sortText: string; detail: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 10, character: 15 } });
  const ordered = [...versions.items].filter((i) => /^\d/.test(i.label)).sort((a, b) => a.sortText.localeCompare(b.sortText)).map((i) => i.label);
  assert.deepEqual(ordered, ['6.5.3', '6.4.0', '5.2.1', '6.6.0-rc.1']);
  assert.match(versions.items.find((i) => i.label === '6.5.3')!.detail, /app 6\.5\.3/);
  const names = await client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 9, character: 13 } });
  assert.deepEqual(names.items.map((i) => i.label).filter((l) => l === 'podinfo' || l === 'redis').sort(), ['podinfo', 'redis']);
});

test('resolution failures are diagnostics on the right field', async () => {
  const missing = await openAndResolve('missing', release('missing', 'podinf', '6.x'), (d) => d.some((x) => x.code === 'chart-not-found'));
  const m = missing.diags.find((d) => d.code === 'chart-not-found')!;
  assert.equal(m.range.start.line, 9);
  assert.match(m.message, /did you mean `podinfo`/);
  const nomatch = await openAndResolve('nomatch', release('nomatch', 'podinfo', '>=7.0.0'), (d) => d.some((x) => x.code === 'no-matching-version'));
  const n = nomatch.diags.find((d) => d.code === 'no-matching-version')!;
  assert.equal(n.range.start.line, 10);
  assert.match(n.message, /nearest available: .*6\.5\.3/);
  const bad = await openAndResolve('bad', release('bad', 'podinfo', '>=1.0.0 <<2'), (d) => d.some((x) => x.code === 'invalid-constraint'));
  assert.equal(bad.diags.find((d) => d.code === 'invalid-constraint')!.range.start.line, 10);
});

test('an unreachable repository is reported on the HelmRelease and on the repository url line', async () => {
  const text = release('dead', 'app', '1.x').replace('name: charts', 'name: dead');
  const { diags } = await openAndResolve('dead-release', text, (d) => d.some((x) => x.code === 'repository-unreachable'));
  assert.match(diags.find((d) => d.code === 'repository-unreachable')!.message, /127\.0\.0\.1:9/);
  const src = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === pathToUri(join(dir, 'sources', 'dead.yaml')) && (p.diagnostics as Diag[]).some((d) => d.code === 'repository-unreachable'), 20000, true);
  const d = (src.diagnostics as Diag[]).find((x) => x.code === 'repository-unreachable')!;
  assert.equal(d.range.start.line, 7, 'on spec.url');
  assert.match(d.message, /needed by HelmRelease flux-system\/dead/);
});
