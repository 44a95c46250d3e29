/**
 * `fluxhelm graph [PATH] --format dot|json|html`: the dependency graph of
 * the Flux objects below PATH (dependsOn, sourceRef, chartRef).
 */
import { buildDependencyGraph, graphToDot } from '../engine/graph/model.ts';
import { renderGraphHtml } from '../engine/graph/render-html.ts';
import { parseArgs, oneOf } from './args.ts';
import { openWorkspaceAt } from './workspace.ts';

export const GRAPH_HELP = `Usage: fluxhelm graph [PATH...] [--format dot|json|html]

Prints the dependency graph of the Flux Kustomizations, HelmReleases and
sources below PATH: dependsOn, sourceRef and chartRef edges. Targets that are
not in the workspace appear as missing nodes.

  --format dot|json|html   Graphviz DOT (default), JSON {nodes, edges}, or a standalone HTML page`;

export function graph(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { format: { value: true }, help: {} });
  if (args.flags.has('help')) {
    out(`${GRAPH_HELP}\n`);
    return 0;
  }
  const format = oneOf('format', args.options.get('format')?.[0], ['dot', 'json', 'html'] as const, 'dot');
  const { service } = openWorkspaceAt(args.positional);
  const g = buildDependencyGraph(service.workspace!);
  if (format === 'json') out(`${JSON.stringify(g, null, 2)}\n`);
  else if (format === 'html') out(renderGraphHtml(g));
  else out(graphToDot(g));
  return 0;
}
