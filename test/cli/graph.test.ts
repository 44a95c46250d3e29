/**
 * `fluxhelm graph` and the dependency-graph page: the built CLI prints the
 * graph of examples/fleet as JSON and DOT, and the HTML page (the same one
 * the VS Code webview shows) renders in headless Chromium with every node
 * visible, none overlapping, and a click asking to open the node's file.
 * Also renders a generated 200-node graph to keep it readable at that size.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { renderGraphHtml } from '../../engine/graph/render-html.ts';
import type { DependencyGraph } from '../../engine/graph/model.ts';

const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const shots = join(root, 'test', '.tmp', 'screenshots');

let browser: Browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('graph --format json lists the fleet objects and their edges', () => {
  const g = JSON.parse(cli('graph', 'examples/fleet', '--format', 'json')) as DependencyGraph;
  const ids = g.nodes.map((n) => n.id);
  assert.ok(ids.includes('HelmRelease/podinfo/podinfo'));
  assert.ok(ids.includes('HelmRepository/flux-system/podinfo'));
  assert.ok(g.edges.some((e) => e.from === 'HelmRelease/podinfo/podinfo' && e.to === 'HelmRepository/flux-system/podinfo' && e.type === 'sourceRef'));
  assert.ok(g.edges.some((e) => e.type === 'dependsOn'));
  assert.ok(g.edges.some((e) => e.type === 'chartRef'));
  assert.ok(g.nodes.every((n) => !n.missing), 'the example fleet has no dangling edges');
  assert.equal(g.nodes.filter((n) => n.id.startsWith('HelmRelease/podinfo/podinfo')).length, 1, 'overlay patch files are not objects of their own');
});

test('graph --format dot is a Graphviz digraph', () => {
  const dot = cli('graph', 'examples/fleet');
  assert.match(dot, /^digraph flux \{/);
  assert.match(dot, /"HelmRelease\/podinfo\/podinfo" -> "HelmRepository\/flux-system\/podinfo" \[label="sourceRef"/);
});

async function render(html: string, width = 1400, height = 900) {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.setContent(html);
  return page;
}

test('the graph page renders every node without overlaps, and a click asks to open the file', async () => {
  const html = cli('graph', 'examples/fleet', '--format', 'html');
  const page = await render(html);
  const g = JSON.parse(cli('graph', 'examples/fleet', '--format', 'json')) as DependencyGraph;
  const boxes = await page.$$eval('.node', (els) => els.map((e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height, id: e.getAttribute('data-id') }; }));
  assert.equal(boxes.length, g.nodes.length);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i];
    const b = boxes[j];
    const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
  }
  assert.equal(await page.$$eval('path.edge', (els) => els.length), g.edges.length);
  // Runs in the page: listen for the event the graph page fires when a node is clicked outside VS Code.
  const opened = page.evaluate(`new Promise((resolve) => document.addEventListener('fluxhelm:open', (e) => resolve(e.detail), { once: true }))`);
  await page.click('.node[data-id="HelmRelease/podinfo/podinfo"]');
  const detail = (await opened) as { file: string; line: number };
  assert.match(detail.file, /examples\/fleet\/apps\/base\/podinfo\/helmrelease\.yaml$/);
  assert.equal(detail.line, 3);
  await page.mouse.move(5, 5);
  await page.screenshot({ path: join(shots, 'dependency-graph.png') });
  await page.close();
});

test('a 200-node graph stays readable: no overlaps, nodes in layers, filter dims the rest', async () => {
  const nodes: DependencyGraph['nodes'] = [];
  const edges: DependencyGraph['edges'] = [];
  for (let i = 0; i < 20; i++) nodes.push({ id: `HelmRepository/flux-system/repo-${i}`, kind: 'HelmRepository', name: `repo-${i}`, namespace: 'flux-system', file: `/r/${i}.yaml`, line: 0 });
  for (let i = 0; i < 20; i++) nodes.push({ id: `Kustomization/flux-system/ks-${i}`, kind: 'Kustomization', name: `ks-${i}`, namespace: 'flux-system', file: `/k/${i}.yaml`, line: 0 });
  for (let i = 0; i < 160; i++) {
    const id = `HelmRelease/apps/app-${i}`;
    nodes.push({ id, kind: 'HelmRelease', name: `app-${i}`, namespace: 'apps', file: `/a/${i}.yaml`, line: 3 });
    edges.push({ from: id, to: `HelmRepository/flux-system/repo-${i % 20}`, type: 'sourceRef' });
    if (i % 4 === 0 && i > 0) edges.push({ from: id, to: `HelmRelease/apps/app-${i - 1}`, type: 'dependsOn' });
  }
  for (let i = 1; i < 20; i++) edges.push({ from: `Kustomization/flux-system/ks-${i}`, to: `Kustomization/flux-system/ks-${i - 1}`, type: 'dependsOn' });
  const started = Date.now();
  const html = renderGraphHtml({ nodes, edges }, { title: 'generated 200' });
  const renderMs = Date.now() - started;
  const page = await render(html);
  const boxes = await page.$$eval('.node', (els) => els.map((e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }));
  assert.equal(boxes.length, 200);
  const sorted = [...boxes].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    const [x0, y0, , h0] = sorted[i - 1];
    const [x1, y1] = sorted[i];
    if (x0 === x1) assert.ok(y1 >= y0 + h0, 'nodes in one column do not overlap');
  }
  await page.fill('#filter', 'app-42');
  const visible = await page.$$eval('.node:not(.dim)', (els) => els.map((e) => e.getAttribute('data-id')));
  assert.deepEqual(visible, ['HelmRelease/apps/app-42']);
  console.log(`rendered 200 nodes in ${renderMs} ms`);
  await page.close();
});
