/**
 * The cluster tools of `fluxhelm mcp`, offered only when it is started with
 * `--cluster`:
 *
 *   status      conditions and events of the Flux objects below a path
 *   diff        what applying a path would change (server-side dry run)
 *   diff_release   a HelmRelease's rendered objects against its live Helm release
 *   reconcile   apply and ask Flux to reconcile, the one tool that writes
 *
 * `reconcile` confirms every write the way the CLI does on a terminal: the
 * plan and its diff are shown to the person through MCP elicitation (the
 * client asks them, not the agent), and Secrets need a second yes. A client
 * that cannot ask its user gets the same refusal the CLI gives without a
 * terminal, and nothing is written; `dryRun` shows the plan only.
 */
import { z, type McpServer } from './vendor-mcp.ts';
import type { Command, Out } from './command.ts';
import { statusCommand } from './status.ts';
import { diffCommand } from './diff.ts';
import { reconcile, type Prompt } from './reconcile.ts';

export interface ClusterToolOptions {
  context?: string;
  kubeconfig?: string;
}

export type ToolResult = {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

export interface ToolKit {
  run(command: Command, argv: string[]): Promise<{ code: number; out: string; err: string }>;
  inRoot(paths: string[] | undefined): string[] | { error: string };
  jsonResult(text: string, key: string, summary: string): ToolResult;
  failure(message: string): ToolResult;
  readOnly: { readOnlyHint: true; destructiveHint: false; idempotentHint: true };
}

/** What the person sees in the confirmation: the tail of the plan, bounded so a client can show it. */
function shown(text: string, limit = 6000): string {
  return text.length <= limit ? text : `…\n${text.slice(text.length - limit)}`;
}

/** A prompt that asks the person at the MCP client (elicitation), or none when the client cannot ask. */
function elicitingPrompt(server: McpServer, planSoFar: () => string): Prompt {
  const canAsk = !!server.server.getClientCapabilities()?.elicitation;
  return {
    isTTY: canAsk,
    async ask(question) {
      try {
        const answer = await server.server.elicitInput({
          mode: 'form',
          message: `${shown(planSoFar().trim())}\n\n${question}`,
          requestedSchema: {
            type: 'object',
            properties: { confirm: { type: 'boolean', title: 'Yes, do it', description: question } },
            required: ['confirm'],
          },
        });
        return answer.action === 'accept' && answer.content?.confirm === true;
      } catch {
        return false;
      }
    },
  };
}

export function registerClusterTools(server: McpServer, opts: ClusterToolOptions, kit: ToolKit): void {
  const conn = [
    ...(opts.context ? ['--context', opts.context] : []),
    ...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []),
  ];
  server.registerTool(
    'status',
    {
      title: 'Cluster status',
      description:
        'Ready/Stalled conditions and recent events, in the cluster, of the Flux objects below a path, like `fluxhelm status --events --format json`. Reads only.',
      inputSchema: { path: z.string().optional().describe('Folder relative to the repository root') },
      annotations: { ...kit.readOnly, openWorldHint: true },
    },
    async ({ path }) => {
      const rel = kit.inRoot(path ? [path] : undefined);
      if ('error' in rel) return kit.failure(rel.error);
      const r = await kit.run(statusCommand, [rel[0]!, '--events', '--format', 'json', ...conn]);
      if (!r.out.trim().startsWith('[')) return kit.failure(r.err || r.out || `status failed (exit ${r.code})`);
      return kit.jsonResult(r.out, 'objects', `status (exit ${r.code})${r.err ? `\n${r.err.trim()}` : ''}`);
    },
  );
  server.registerTool(
    'diff',
    {
      title: 'Diff with the cluster',
      description:
        'What applying the objects below a path would change in the cluster (server-side dry run, only the fields fluxhelm manages, Secrets masked), like `fluxhelm diff`. Changes nothing.',
      inputSchema: { path: z.string().describe('Folder or file relative to the repository root') },
      annotations: { ...kit.readOnly, openWorldHint: true },
    },
    async ({ path }) => {
      const rel = kit.inRoot([path]);
      if ('error' in rel) return kit.failure(rel.error);
      const r = await kit.run(diffCommand, [rel[0]!, ...conn]);
      if (r.code > 1) return kit.failure(r.err || r.out);
      return {
        content: [{ type: 'text', text: `${r.code === 0 ? 'no differences' : 'differences'}\n${r.out}` }],
        structuredContent: { differs: r.code === 1, diff: r.out },
      };
    },
  );
  server.registerTool(
    'diff_release',
    {
      title: 'Rendered diff against the live Helm release',
      description:
        'What the next upgrade will change: the objects each HelmRelease below a path renders (Helm, as helm-controller would upgrade it) against the manifest of its latest Helm release Secret in the cluster, with notes on live objects that drifted. Like `fluxhelm diff --render PATH --format json`. Secrets masked. Changes nothing.',
      inputSchema: {
        path: z.string().optional().describe('File or folder relative to the repository root (default: the root)'),
        release: z.string().optional().describe('NAMESPACE/NAME of one HelmRelease'),
      },
      annotations: { ...kit.readOnly, openWorldHint: true },
    },
    async ({ path, release }) => {
      const rel = kit.inRoot(path ? [path] : undefined);
      if ('error' in rel) return kit.failure(rel.error);
      const argv = ['--render', rel[0]!, '--format', 'json', ...(release ? ['--release', release] : []), ...conn];
      const r = await kit.run(diffCommand, argv);
      if (r.code > 1) return kit.failure(r.err || r.out);
      return kit.jsonResult(
        r.out,
        'diff',
        `${r.code === 0 ? 'no differences' : 'differences'} against the live release${r.err ? `\n${r.err.trim()}` : ''}`,
      );
    },
  );
  server.registerTool(
    'reconcile',
    {
      title: 'Apply and reconcile (asks the user)',
      description:
        'Applies the objects below a path (or one HelmRelease with its sources and valuesFrom objects) to the cluster with server-side apply and asks Flux to reconcile them, like `fluxhelm reconcile`. Before any write the user is shown the plan and diff and must confirm in the client (MCP elicitation); Secrets need a second confirmation. Clients that cannot ask their user get a refusal and nothing changes. dryRun returns the plan and diff only. Nothing is ever deleted.',
      inputSchema: {
        path: z.string().optional().describe('Folder or file relative to the repository root'),
        release: z.string().optional().describe('NAMESPACE/NAME of one HelmRelease instead of a path'),
        withSource: z.boolean().optional().describe('Reconcile the chart source first'),
        dryRun: z.boolean().optional().describe('Show the plan and the diff, change nothing'),
        wait: z.boolean().optional().describe('Wait for Ready (default true)'),
        timeout: z.string().optional().describe('How long to wait per object, e.g. 2m (default 5m)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async ({ path, release, withSource, dryRun, wait, timeout }) => {
      if (!path && !release) return kit.failure('give a path or a release');
      const argv: string[] = [];
      if (path) {
        const rel = kit.inRoot([path]);
        if ('error' in rel) return kit.failure(rel.error);
        argv.push(rel[0]!);
      }
      if (release) argv.push('--release', release);
      if (withSource) argv.push('--with-source');
      if (dryRun) argv.push('--dry-run');
      if (wait === false) argv.push('--no-wait');
      if (timeout) argv.push('--timeout', timeout);
      argv.push(...conn);
      let out = '';
      let err = '';
      const o: Out = (s) => {
        out += s;
      };
      const e: Out = (s) => {
        err += s;
      };
      let code: number;
      try {
        code = await reconcile(
          argv,
          o,
          e,
          elicitingPrompt(server, () => out),
        );
      } catch (x) {
        code = 2;
        err += x instanceof Error ? x.message : String(x);
      }
      const verdict =
        code === 0 ? (dryRun ? 'plan only, nothing changed' : 'done') : code === 1 ? 'not all Ready' : 'not done';
      return {
        content: [{ type: 'text', text: `${verdict} (exit ${code})\n${out}${err ? `\n${err}` : ''}`.trim() }],
        structuredContent: { exitCode: code, output: out, messages: err },
        ...(code === 2 ? { isError: true } : {}),
      };
    },
  );
}
