/**
 * `fluxhelm graph [PATH] --format dot|json|html`: the dependency graph of
 * the Flux objects below PATH (dependsOn, sourceRef, chartRef).
 */
import { graphToDot, renderGraphHtml } from '../engine/index.ts';
import { parseArgs, oneOf } from './args.ts';
import { openWorkspaceAt } from './workspace.ts';
import type { Command } from './command.ts';

const USAGE = `Usage: fluxhelm graph [PATH...] [--format dot|json|html]

Prints the dependency graph of the Flux Kustomizations, HelmReleases and
sources below PATH: dependsOn, sourceRef and chartRef edges. Targets that are
not in the workspace appear as missing nodes.

  --format dot|json|html   Graphviz DOT (default), JSON {nodes, edges}, or a standalone HTML page`;

const OPTIONS = { format: { value: true } } as const;

export const graphCommand: Command = {
  name: 'graph',
  summary: 'print the dependency graph (dot, json or html)',
  usage: USAGE,
  options: OPTIONS,
  run(argv, out) {
    const args = parseArgs(argv, OPTIONS);
    const format = oneOf('format', args.options.get('format')?.[0], ['dot', 'json', 'html'] as const, 'dot');
    const g = openWorkspaceAt(args.positional, { network: false }).service.graph();
    if (format === 'json') out(`${JSON.stringify(g, null, 2)}\n`);
    else if (format === 'html') out(renderGraphHtml(g));
    else out(graphToDot(g));
    return 0;
  },
};
