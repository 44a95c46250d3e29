/**
 * Draws a dependency graph as a self-contained HTML page with an SVG: a
 * layered layout (what an object needs sits to its left), nodes coloured by
 * kind, dependsOn edges solid and source edges dashed, missing targets in
 * red. Readable at a few hundred nodes: the page pans, zooms and filters.
 * Clicking a node asks the host to open its definition (VS Code webview
 * message, or a `fluxhelm:open` DOM event elsewhere).
 * Used by the VS Code webview and `fluxhelm graph --format html`.
 */
import type { DependencyGraph, GraphNode } from './model.ts';

export interface RenderOptions {
  title?: string;
  /** Content-Security-Policy nonce for the inline script and style (webviews). */
  nonce?: string;
  cspSource?: string;
}

const COLORS: Record<string, string> = {
  Kustomization: '#5b8def',
  HelmRelease: '#2fb380',
  HelmRepository: '#e0a030',
  OCIRepository: '#d9822b',
  GitRepository: '#c8a02a',
  Bucket: '#b08d57',
  HelmChart: '#a07cd9',
  ExternalArtifact: '#8a8a8a',
};

const NODE_W = 230;
const NODE_H = 46;
const COL_GAP = 110;
const ROW_GAP = 16;
const PAD = 24;

export interface Layout {
  positions: Map<string, { x: number; y: number; layer: number }>;
  width: number;
  height: number;
}

/** Layered layout: layer = longest chain of things a node needs; order by barycenter sweeps. */
export function layoutGraph(g: DependencyGraph): Layout {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const n of g.nodes) {
    out.set(n.id, []);
    inn.set(n.id, []);
  }
  for (const e of g.edges) {
    out.get(e.from)?.push(e.to);
    inn.get(e.to)?.push(e.from);
  }
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: cut it here
    visiting.add(id);
    let d = 0;
    for (const t of out.get(id) ?? []) d = Math.max(d, depth(t) + 1);
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const n of g.nodes) depth(n.id);
  const layers: string[][] = [];
  for (const n of g.nodes) (layers[layer.get(n.id)!] ??= []).push(n.id);
  for (const l of layers) l?.sort();
  const index = new Map<string, number>();
  const reindex = () => layers.forEach((l) => l?.forEach((id, i) => index.set(id, i)));
  reindex();
  const bary = (id: string, neighbours: string[]) => {
    const known = neighbours.map((x) => index.get(x)).filter((x): x is number => x !== undefined);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : (index.get(id) ?? 0);
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let li = 1; li < layers.length; li++) layers[li]?.sort((a, b) => bary(a, out.get(a)!) - bary(b, out.get(b)!));
    reindex();
    for (let li = layers.length - 2; li >= 0; li--) layers[li]?.sort((a, b) => bary(a, inn.get(a)!) - bary(b, inn.get(b)!));
    reindex();
  }
  const positions = new Map<string, { x: number; y: number; layer: number }>();
  let height = 0;
  layers.forEach((l, li) => {
    l?.forEach((id, i) => {
      const y = PAD + i * (NODE_H + ROW_GAP);
      positions.set(id, { x: PAD + li * (NODE_W + COL_GAP), y, layer: li });
      height = Math.max(height, y + NODE_H + PAD);
    });
  });
  const width = PAD * 2 + Math.max(1, layers.length) * (NODE_W + COL_GAP) - COL_GAP;
  return { positions, width, height: Math.max(height, 120) };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function nodeLabel(n: GraphNode): string {
  return `${n.namespace ? `${n.namespace}/` : ''}${n.name}`;
}

export function renderGraphHtml(g: DependencyGraph, options: RenderOptions = {}): string {
  const { positions, width, height } = layoutGraph(g);
  const nonceAttr = options.nonce ? ` nonce="${esc(options.nonce)}"` : '';
  const csp = options.nonce
    ? `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${esc(options.nonce)}'; script-src 'nonce-${esc(options.nonce)}';">`
    : '';
  const edges = g.edges.map((e) => {
    const a = positions.get(e.from);
    const b = positions.get(e.to);
    if (!a || !b) return '';
    const x1 = a.x;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x + NODE_W;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(40, Math.abs(x1 - x2) / 2);
    const cls = `edge ${e.type}`;
    return `<path class="${cls}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M${x1},${y1} C${x1 - dx},${y1} ${x2 + dx},${y2} ${x2},${y2}" marker-end="url(#arrow-${e.type})"><title>${esc(e.type)}</title></path>`;
  });
  const nodes = g.nodes.map((n) => {
    const p = positions.get(n.id)!;
    const label = nodeLabel(n);
    const shown = label.length > 30 ? `${label.slice(0, 29)}…` : label;
    return `<g class="node k-${esc(n.kind)}${n.missing ? ' missing' : ''}" data-id="${esc(n.id)}" data-file="${esc(n.file ?? '')}" data-line="${n.line ?? 0}" transform="translate(${p.x},${p.y})" tabindex="0">
<title>${esc(`${n.kind} ${label}${n.missing ? ' (not found in the workspace)' : n.file ? `\n${n.file}:${(n.line ?? 0) + 1}` : ''}`)}</title>
<rect width="${NODE_W}" height="${NODE_H}" rx="7"/><rect class="bar" width="6" height="${NODE_H}" rx="3"/>
<text x="14" y="18" class="kind">${esc(n.kind)}</text><text x="14" y="36" class="name">${esc(shown)}</text></g>`;
  });
  const markers = ['dependsOn', 'sourceRef', 'chartRef']
    .map((t) => `<marker id="arrow-${t}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow ${t}"/></marker>`)
    .join('');
  const counts = `${g.nodes.filter((n) => !n.missing).length} objects, ${g.edges.length} edges${g.nodes.some((n) => n.missing) ? `, ${g.nodes.filter((n) => n.missing).length} missing` : ''}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">${csp}
<title>${esc(options.title ?? 'Flux dependency graph')}</title>
<style${nonceAttr}>
:root { color-scheme: light dark; --bg: var(--vscode-editor-background, #fff); --fg: var(--vscode-editor-foreground, #222); --muted: #888; }
body { margin: 0; font: 13px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 1; display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: var(--bg); border-bottom: 1px solid #8884; }
header h1 { font-size: 14px; margin: 0; font-weight: 600; }
header input { padding: 3px 6px; width: 220px; }
.legend span { margin-right: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
#viewport { overflow: auto; height: calc(100vh - 44px); }
svg { display: block; }
.node { cursor: pointer; }
.node rect:first-of-type { fill: var(--bg); stroke-width: 1.6; }
.node:hover rect:first-of-type, .node:focus rect:first-of-type { stroke-width: 3; }
.node.missing rect:first-of-type { stroke: #d33 !important; stroke-dasharray: 5 3; }
.node .kind { font-size: 10px; fill: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.node .name { font-size: 13px; fill: var(--fg); font-weight: 500; }
.node.dim, .edge.dim { opacity: .22; }
.edge { fill: none; stroke-width: 1.4; stroke: #999; }
.edge.dependsOn { stroke: #666; }
.edge.sourceRef { stroke: #d9a02b; stroke-dasharray: 6 4; }
.edge.chartRef { stroke: #a07cd9; stroke-dasharray: 6 4; }
${Object.entries(COLORS).map(([k, c]) => `.k-${k} rect:first-of-type { stroke: ${c}; } .k-${k} .bar, .legend .k-${k} i { fill: ${c}; background: ${c}; }`).join('\n')}
.node .bar { stroke: none; }
.arrow { fill: #999; } .arrow.dependsOn { fill: #666; } .arrow.sourceRef { fill: #d9a02b; } .arrow.chartRef { fill: #a07cd9; }
</style></head>
<body>
<header><h1>${esc(options.title ?? 'Flux dependency graph')}</h1><span class="count">${esc(counts)}</span>
<input id="filter" type="search" placeholder="Filter by name or kind" aria-label="Filter nodes">
<span class="legend">${Object.keys(COLORS).map((k) => `<span class="k-${k}"><i></i>${k}</span>`).join('')}<span>── dependsOn</span><span>- - sourceRef / chartRef</span></span></header>
<div id="viewport"><svg id="graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg"><defs>${markers}</defs>
<g id="edges">${edges.join('')}</g><g id="nodes">${nodes.join('')}</g></svg></div>
<script${nonceAttr}>
(function () {
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  var svg = document.getElementById('graph');
  var scale = 1;
  function open(node) {
    var file = node.getAttribute('data-file');
    if (!file) return;
    var msg = { type: 'open', file: file, line: Number(node.getAttribute('data-line') || 0) };
    if (vscode) vscode.postMessage(msg);
    else document.dispatchEvent(new CustomEvent('fluxhelm:open', { detail: msg }));
  }
  document.querySelectorAll('.node').forEach(function (n) {
    n.addEventListener('click', function () { open(n); });
    n.addEventListener('keydown', function (e) { if (e.key === 'Enter') open(n); });
    n.addEventListener('mouseenter', function () { highlight(n.getAttribute('data-id')); });
    n.addEventListener('mouseleave', function () { highlight(null); });
  });
  function highlight(id) {
    var keep = {};
    if (id) {
      keep[id] = true;
      document.querySelectorAll('.edge').forEach(function (e) {
        if (e.getAttribute('data-from') === id || e.getAttribute('data-to') === id) { keep[e.getAttribute('data-from')] = true; keep[e.getAttribute('data-to')] = true; }
      });
    }
    document.querySelectorAll('.node').forEach(function (n) { n.classList.toggle('dim', !!id && !keep[n.getAttribute('data-id')]); });
    document.querySelectorAll('.edge').forEach(function (e) { e.classList.toggle('dim', !!id && !(keep[e.getAttribute('data-from')] && keep[e.getAttribute('data-to')] && (e.getAttribute('data-from') === id || e.getAttribute('data-to') === id))); });
  }
  document.getElementById('filter').addEventListener('input', function (ev) {
    var q = ev.target.value.toLowerCase();
    document.querySelectorAll('.node').forEach(function (n) { n.classList.toggle('dim', !!q && n.textContent.toLowerCase().indexOf(q) < 0); });
  });
  document.getElementById('viewport').addEventListener('wheel', function (e) {
    if (!e.ctrlKey) return;
    e.preventDefault();
    scale = Math.min(3, Math.max(0.2, scale * (e.deltaY < 0 ? 1.1 : 0.9)));
    svg.setAttribute('width', String(${width} * scale));
    svg.setAttribute('height', String(${height} * scale));
  }, { passive: false });
})();
</script></body></html>
`;
}
