/**
 * `fluxhelm mcp`: a Model Context Protocol server over stdio for coding
 * agents that edit a GitOps repository (official TypeScript SDK). Its tools
 * only read, and answer exactly what the same CLI command answers: each
 * tool runs the command in-process with JSON output, on the repository as it
 * is on disk at the time of the call (agents edit files between calls).
 *
 *   check      findings of `fluxhelm check` (schemas, CEL, references, charts)
 *   resolve    chart version per HelmRelease (`fluxhelm resolve`)
 *   values     effective values with provenance (`fluxhelm values`), per overlay
 *   render     rendered manifests (`fluxhelm template --format json`), per overlay
 *   graph      dependency graph (`fluxhelm graph --format json`)
 *   diff_rendered   rendered diff against a Git revision (`fluxhelm diff --base`)
 *   releases   the HelmReleases of the repository (file, line, chart, source)
 *   status, diff, reconcile   the cluster, only with `--cluster` (mcp-cluster.ts)
 *
 * Without `--cluster` nothing touches a cluster; with it, `reconcile` is the
 * one tool that writes, and only after the user confirms in the client.
 * Values from Secrets stay masked. Paths are relative to the repository root (`--root`,
 * default the current folder).
 */
import { resolve as resolvePath, isAbsolute, relative } from 'node:path';
import { McpServer, StdioServerTransport, z } from './vendor-mcp.ts';
import { parseArgs } from './args.ts';
import type { Command, Out } from './command.ts';
import { checkCommand, VERSION } from './check.ts';
import { resolveCommand } from './resolve.ts';
import { valuesCommand } from './values.ts';
import { templateCommand } from './template.ts';
import { graphCommand } from './graph.ts';
import { registerClusterTools, type ToolResult } from './mcp-cluster.ts';
import { diffCommand } from './diff.ts';
import { openWorkspaceAt } from './workspace.ts';

const USAGE = `Usage: fluxhelm mcp [--root DIR] [--online] [--cluster] [--context NAME] [--kubeconfig FILE]

Runs a Model Context Protocol server over stdio for coding agents. Its tools
read the repository (check, resolve, values, render, graph, releases) and
answer as the CLI commands of the same names do; nothing they do writes.

  --root DIR          the repository (default: the current folder)
  --online            let resolve/values/check fetch chart indexes and charts
                      (default: caches and charts in the repository only)
  --cluster           also offer the cluster tools: status and diff (read
                      only) and reconcile, which writes only after the
                      user confirms in the client (MCP elicitation)
  --context NAME      kubeconfig context for the cluster tools
  --kubeconfig FILE   kubeconfig for the cluster tools`;

const OPTIONS = {
  root: { value: true },
  online: {},
  cluster: {},
  context: { value: true },
  kubeconfig: { value: true },
} as const;

export interface McpOptions {
  root: string;
  online: boolean;
  cluster: boolean;
  context?: string;
  kubeconfig?: string;
}

/** Runs a CLI command in-process and collects what it prints. */
async function runCommand(command: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o: Out = (s) => {
    out += s;
  };
  const e: Out = (s) => {
    err += s;
  };
  try {
    const code = await command.run(argv, o, e);
    return { code, out, err };
  } catch (x) {
    return { code: 2, out, err: err + (x instanceof Error ? x.message : String(x)) };
  }
}

/** Paths from the agent, kept inside the repository root. */
function inRoot(root: string, paths: string[] | undefined): string[] | { error: string } {
  const out: string[] = [];
  for (const p of paths?.length ? paths : ['.']) {
    const abs = resolvePath(root, p);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) return { error: `${p} is outside the repository (${root})` };
    out.push(rel || '.');
  }
  return out;
}

function jsonResult(text: string, key: string, summary: string): ToolResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { content: [{ type: 'text', text: text || summary }], isError: true };
  }
  return {
    content: [{ type: 'text', text: `${summary}\n${JSON.stringify(parsed, null, 2)}` }],
    structuredContent: { [key]: parsed },
  };
}

function failure(message: string): ToolResult {
  return { content: [{ type: 'text', text: message.trim() }], isError: true };
}

const READ_ONLY = { readOnlyHint: true as const, destructiveHint: false as const, idempotentHint: true as const };

export function createMcpServer(opts: McpOptions): McpServer {
  const server = new McpServer(
    { name: 'fluxhelm', version: VERSION },
    {
      instructions:
        'fluxhelm checks Flux CD and Helm YAML in this GitOps repository the way the Kubernetes API server, Flux and Helm would. Run `check` after editing YAML; use `values` to see what a chart receives and `resolve` for chart versions. Every tool reads only, except `reconcile` (with --cluster), which asks the user before it writes.',
    },
  );
  const net = opts.online ? ['--online'] : [];
  const offline = opts.online ? [] : ['--offline'];

  server.registerTool(
    'check',
    {
      title: 'Check Flux/Helm YAML',
      description:
        'Validates the YAML files below the given paths (default: the roots in .fluxhelm.yaml, or the whole repository) like `fluxhelm check`: schemas and CEL rules of the Flux, kustomize and core kinds, references between objects (sourceRef, dependsOn, valuesFrom, paths), chart versions and values. Returns findings with file, 1-based line/column, severity, code and message.',
      inputSchema: {
        paths: z.array(z.string()).optional().describe('Files or folders relative to the repository root'),
      },
      annotations: { ...READ_ONLY, openWorldHint: opts.online },
    },
    async ({ paths }) => {
      // Without paths, `fluxhelm check` checks the roots of .fluxhelm.yaml (or the whole repository).
      const rel = paths?.length ? inRoot(opts.root, paths) : [];
      if ('error' in rel) return failure(rel.error);
      const r = await runCommand(checkCommand, [...rel, '--format', 'json', ...net]);
      if (r.code > 1) return failure(r.err || r.out);
      const findings = JSON.parse(r.out) as { severity: string }[];
      const n = (s: string) => findings.filter((f) => f.severity === s).length;
      return jsonResult(
        r.out,
        'findings',
        `${n('error')} errors, ${n('warning')} warnings, ${findings.length - n('error') - n('warning')} info`,
      );
    },
  );

  server.registerTool(
    'resolve',
    {
      title: 'Resolve chart versions',
      description:
        'For every HelmRelease (or the one named), the chart version its constraint resolves to under Flux and Helm rules, with source, appVersion and chart URL or digest, like `fluxhelm resolve`.',
      inputSchema: { release: z.string().optional().describe('NAMESPACE/NAME of one HelmRelease') },
      annotations: { ...READ_ONLY, openWorldHint: opts.online },
    },
    async ({ release }) => {
      const r = await runCommand(resolveCommand, ['.', '--format', 'json', ...offline]);
      if (r.code > 1) return failure(r.err || r.out);
      let rows = JSON.parse(r.out) as { release: string }[];
      if (release) {
        rows = rows.filter((x) => x.release === release || x.release.endsWith(`/${release}`));
        if (!rows.length) return failure(`no HelmRelease ${release} in the repository`);
      }
      return jsonResult(JSON.stringify(rows), 'releases', `${rows.length} HelmRelease${rows.length === 1 ? '' : 's'}`);
    },
  );

  /** A tool about one HelmRelease (per overlay) that answers what a CLI command prints as JSON. */
  const releaseTool = (
    name: string,
    title: string,
    description: string,
    command: Command,
    flags: string[],
    key: string,
    what: string,
  ) =>
    server.registerTool(
      name,
      {
        title,
        description,
        inputSchema: {
          release: z.string().describe('NAMESPACE/NAME (or NAME when unique)'),
          overlay: z
            .string()
            .optional()
            .describe(
              'An overlay folder (relative to the root) that builds this base HelmRelease, for its environment',
            ),
        },
        annotations: { ...READ_ONLY, openWorldHint: opts.online },
      },
      async ({ release, overlay }) => {
        const argv = ['.', '--release', release, '--format', 'json', ...flags, ...offline];
        if (overlay) {
          const rel = inRoot(opts.root, [overlay]);
          if ('error' in rel) return failure(rel.error);
          argv.push('--overlay', rel[0]);
        }
        const r = await runCommand(command, argv);
        if (r.code !== 0 && !r.out.trim().startsWith('[')) return failure(r.err || r.out);
        const where = overlay ? ` in ${overlay}` : '';
        return jsonResult(r.out, key, `${what} of ${release}${where}${r.err ? `\n${r.err.trim()}` : ''}`);
      },
    );

  releaseTool(
    'values',
    'Effective values of a HelmRelease',
    'The values the chart templates of a HelmRelease receive as .Values, with the layer that set each one (chart default, valuesFrom entry, inline spec.values, an overlay patch), like `fluxhelm values --provenance --format json`. Values from Secrets are masked.',
    valuesCommand,
    ['--provenance'],
    'values',
    'effective values',
  );
  releaseTool(
    'render',
    'Rendered manifests of a HelmRelease',
    "The objects a HelmRelease renders as helm-controller would install them: Helm's own engine with the release name, namespace, effective values, CRD policy, postRenderers and helm-controller's labels, like `fluxhelm template --format json`. Template failures and schema problems come back with the file and line that causes them.",
    templateCommand,
    [],
    'objects',
    'rendered manifests',
  );

  server.registerTool(
    'graph',
    {
      title: 'Dependency graph',
      description:
        'Flux Kustomizations, HelmReleases and sources with their dependsOn, sourceRef and chartRef edges (missing targets included), like `fluxhelm graph --format json`.',
      inputSchema: { paths: z.array(z.string()).optional().describe('Folders relative to the repository root') },
      annotations: { ...READ_ONLY, openWorldHint: false },
    },
    async ({ paths }) => {
      const rel = inRoot(opts.root, paths);
      if ('error' in rel) return failure(rel.error);
      const r = await runCommand(graphCommand, [...rel, '--format', 'json']);
      if (r.code !== 0) return failure(r.err || r.out);
      const g = JSON.parse(r.out) as { nodes: unknown[]; edges: unknown[] };
      return jsonResult(r.out, 'graph', `${g.nodes.length} nodes, ${g.edges.length} edges`);
    },
  );

  server.registerTool(
    'diff_rendered',
    {
      title: 'Rendered diff against a Git revision',
      description:
        'What the working tree changes in the objects Flux applies, against a Git revision (default HEAD): the HelmReleases rendered with Helm and the Flux Kustomizations built, on both sides, for the owners whose output can change; objects matched by kind/namespace/name, list items by their keys, chart-bump noise hidden, Secrets masked. Like `fluxhelm diff --base REF --format json`. No cluster needed.',
      inputSchema: {
        base: z.string().optional().describe('Git revision: a branch, tag, HEAD~1 or a commit (default HEAD)'),
        path: z.string().optional().describe('Limit to owners in this file or folder, relative to the repository root'),
        all: z.boolean().optional().describe('Render every owner, not only those the changed files can affect'),
      },
      annotations: { ...READ_ONLY, openWorldHint: opts.online },
    },
    async ({ base, path, all }) => {
      const rel = inRoot(opts.root, path ? [path] : undefined);
      if ('error' in rel) return failure(rel.error);
      const argv = ['--base', base ?? 'HEAD', rel[0]!, '--format', 'json', ...offline, ...(all ? ['--all'] : [])];
      const r = await runCommand(diffCommand, argv);
      if (r.code > 1) return failure(r.err || r.out);
      const d = JSON.parse(r.out) as { totals?: { added: number; removed: number; changed: number } };
      const t = d.totals;
      return jsonResult(
        r.out,
        'diff',
        r.code === 0
          ? `no differences against ${base ?? 'HEAD'}`
          : `against ${base ?? 'HEAD'}: ${t?.added ?? 0} added, ${t?.removed ?? 0} removed, ${t?.changed ?? 0} changed objects`,
      );
    },
  );

  server.registerTool(
    'releases',
    {
      title: 'HelmReleases of the repository',
      description:
        'Every HelmRelease in the repository: NAMESPACE/NAME, file (relative to the root), line, chart and source.',
      inputSchema: {},
      annotations: { ...READ_ONLY, openWorldHint: false },
    },
    async () => {
      const { service } = openWorkspaceAt(['.'], { network: false });
      const list = service
        .listReleases()
        .map((r) => ({ ...r, file: isAbsolute(r.file) ? relative(opts.root, r.file) : r.file }));
      return jsonResult(JSON.stringify(list), 'releases', `${list.length} HelmRelease${list.length === 1 ? '' : 's'}`);
    },
  );

  if (opts.cluster)
    registerClusterTools(
      server,
      { context: opts.context, kubeconfig: opts.kubeconfig },
      {
        run: runCommand,
        inRoot: (paths) => inRoot(opts.root, paths),
        jsonResult,
        failure,
        readOnly: READ_ONLY,
      },
    );
  return server;
}

export async function runMcp(argv: string[], _out: Out, err: Out): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const root = resolvePath(args.options.get('root')?.[0] ?? '.');
  // Tools take paths relative to the root, and the commands they run show paths relative to the current folder.
  process.chdir(root);
  const server = createMcpServer({
    root,
    online: args.flags.has('online'),
    cluster: args.flags.has('cluster'),
    context: args.options.get('context')?.[0],
    kubeconfig: args.options.get('kubeconfig')?.[0],
  });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  err(`fluxhelm mcp: serving ${root} over stdio\n`);
  // Runs until the client closes stdin.
  await new Promise<void>((done) => {
    server.server.onclose = () => done();
    process.stdin.on('end', () => done());
  });
  await server.close();
  return 0;
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'run the Model Context Protocol server over stdio (tools for coding agents)',
  usage: USAGE,
  options: OPTIONS,
  run: runMcp,
};
