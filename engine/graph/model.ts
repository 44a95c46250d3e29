/**
 * The dependency graph of a workspace as plain data: Flux Kustomizations,
 * HelmReleases and sources as nodes; dependsOn, sourceRef and chartRef as
 * edges (from the object that needs, to the object it needs). Missing
 * targets appear as nodes marked `missing`, so dangling edges stay visible.
 * Serialises to JSON and Graphviz DOT.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { resolveObjectReference, type ObjectReference } from '../workspace/references.ts';

export interface GraphNode {
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  file?: string;
  /** 0-based line of metadata.name. */
  line?: number;
  missing?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  type: 'dependsOn' | 'sourceRef' | 'chartRef';
}

export interface DependencyGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const NODE_KINDS = new Set(['Kustomization', 'HelmRelease', 'HelmRepository', 'OCIRepository', 'GitRepository', 'Bucket', 'HelmChart', 'ExternalArtifact']);

const nodeId = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? '-'}/${name}`;

export function buildDependencyGraph(ws: Workspace): DependencyGraph {
  const nodes = new Map<string, GraphNode>();
  const idOf = new Map<IndexedObject, string>();
  const edges: GraphEdge[] = [];
  // Objects in kustomize patch files are fragments of others, not objects of their own.
  const patchFiles = ws.currentPatchFiles();
  const objects = [...ws.index.allObjects()].filter((o) => NODE_KINDS.has(o.kind) && o.apiVersion.includes('.toolkit.fluxcd.io/') && !o.generated && !patchFiles.has(o.file));
  objects.sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  for (const o of objects) {
    // Objects of the same kind/namespace/name in different clusters' folders stay distinct nodes.
    let id = nodeId(o.kind, o.namespace, o.name);
    for (let n = 2; nodes.has(id); n++) id = `${nodeId(o.kind, o.namespace, o.name)}#${n}`;
    const line = o.nameOffset !== undefined ? ws.lines(o.file)?.positionAt(o.nameOffset).line : undefined;
    nodes.set(id, { id, kind: o.kind, name: o.name, namespace: o.namespace, file: o.file, line });
    idOf.set(o, id);
  }
  for (const ref of ws.refs.all()) {
    if (ref.type !== 'object') continue;
    if (ref.role !== 'dependsOn' && ref.role !== 'sourceRef' && ref.role !== 'chartRef') continue;
    const fromId = idOf.get(ref.from);
    const from = fromId ? nodes.get(fromId) : undefined;
    if (!from) continue;
    const targets = resolveObjectReference(ws.index, ref as ObjectReference).filter((t) => idOf.has(t));
    let to: string;
    if (targets.length) to = idOf.get(targets[0])!;
    else {
      to = nodeId(ref.kind, ref.namespace, ref.name);
      if (!nodes.has(to)) nodes.set(to, { id: to, kind: ref.kind, name: ref.name, namespace: ref.namespace, missing: true });
    }
    edges.push({ from: from.id, to, type: ref.role });
  }
  const sorted = [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { nodes: sorted, edges };
}

function dotQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function graphToDot(g: DependencyGraph): string {
  const shape: Record<string, string> = { Kustomization: 'folder', HelmRelease: 'box', HelmRepository: 'cylinder', OCIRepository: 'cylinder', GitRepository: 'cylinder', Bucket: 'cylinder', HelmChart: 'component' };
  const lines = ['digraph flux {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const n of g.nodes) {
    const label = `${n.kind}\\n${n.namespace ? `${n.namespace}/` : ''}${n.name}`;
    lines.push(`  ${dotQuote(n.id)} [label=${dotQuote(label).replace(/\\\\n/g, '\\n')}, shape=${shape[n.kind] ?? 'box'}${n.missing ? ', style=dashed, color=red' : ''}];`);
  }
  for (const e of g.edges) lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)} [label=${dotQuote(e.type)}${e.type === 'dependsOn' ? '' : ', style=dashed'}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
