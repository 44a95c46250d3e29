/**
 * The `fluxhelm` command: one table of commands over the same engine the
 * editor uses. `fluxhelm help [COMMAND]`, `fluxhelm COMMAND --help` and `-h`
 * print usage and exit 0; an unknown command, unknown option or invalid
 * value prints the command's usage and exits 2. Exit codes: 0 success,
 * 1 findings (errors, differences), 2 usage or internal failure.
 *
 * The table holds each command's name and summary and a loader: a command's
 * code (the engine, the LSP runtime, the MCP SDK, the cluster client) is
 * imported only when that command runs or prints its usage, so the bundle
 * (scripts/build.mjs splits it at these imports) loads no more than the
 * command needs. The summaries shown by `fluxhelm help` are the ones here.
 */
import { UsageError } from './args.ts';
import type { Command } from './command.ts';
import { VERSION } from './version.ts';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const lspCommand: Command = {
  name: 'lsp',
  usage: 'Usage: fluxhelm lsp\n\nRuns the fluxhelm language server over stdio, for any LSP editor.',
  options: {},
  run: async () => {
    process.argv = [process.argv[0]!, process.argv[1]!, '--stdio'];
    (await import('../server/main.ts')).runServer();
    return -1;
  },
};

export const COMMANDS: CommandEntry[] = [
  {
    name: 'check',
    summary: 'validate Flux/kustomize/core YAML, references, builds and HelmRelease values',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  {
    name: 'graph',
    summary: 'print the dependency graph (dot, json or html)',
    load: async () => (await import('./graph.ts')).graphCommand,
  },
  {
    name: 'resolve',
    summary: 'which chart version each HelmRelease resolves to (Helm/Flux rules)',
    load: async () => (await import('./resolve.ts')).resolveCommand,
  },
  {
    name: 'values',
    summary: 'effective values of a HelmRelease, with the layer that set each value',
    load: async () => (await import('./values.ts')).valuesCommand,
  },
  {
    name: 'template',
    summary: "the manifests a HelmRelease renders (Helm's engine, helm-controller's additions)",
    load: async () => (await import('./template.ts')).templateCommand,
  },
  {
    name: 'build',
    summary: 'print what a Flux Kustomization (or kustomization folder) builds, substituted',
    load: async () => (await import('./build.ts')).buildCommand,
  },
  {
    name: 'diff',
    summary: 'compare the workspace with the cluster or a Git revision (exit 0 same, 1 differs, >1 error)',
    load: async () => (await import('./diff.ts')).diffCommand,
  },
  {
    name: 'reconcile',
    summary: 'apply and ask Flux to reconcile, then wait for Ready',
    load: async () => (await import('./reconcile.ts')).reconcileCommand,
  },
  {
    name: 'status',
    summary: 'Ready/Stalled and recent events of the objects in the cluster',
    load: async () => (await import('./status.ts')).statusCommand,
  },
  {
    name: 'lsp',
    summary: 'run the language server over stdio (same as fluxhelm-language-server --stdio)',
    load: async () => lspCommand,
  },
  {
    name: 'mcp',
    summary: 'run the Model Context Protocol server over stdio (tools for coding agents)',
    load: async () => (await import('./mcp.ts')).mcpCommand,
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `fluxhelm ${VERSION}: Flux + Helm checks for your GitOps repository

Usage: fluxhelm <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show help ('fluxhelm help COMMAND' or 'fluxhelm COMMAND --help')`;
}

/** Runs the CLI; 'running' means the command keeps the process alive (the language server). */
export async function main(
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number | 'running'> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const entry = rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (rest[0] && !entry) {
      err(`fluxhelm: unknown command '${rest[0]}'\n\n${overview()}\n`);
      return 2;
    }
    out(`${entry ? (await entry.load()).usage : overview()}\n`);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    out(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    err(`fluxhelm: unknown command '${name}'\n\n${overview()}\n`);
    return 2;
  }
  let command: Command;
  try {
    command = await entry.load();
  } catch (e) {
    err(`fluxhelm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
  const dashDash = rest.indexOf('--');
  const optionPart = dashDash < 0 ? rest : rest.slice(0, dashDash);
  if (optionPart.includes('--help') || optionPart.includes('-h')) {
    out(`${command.usage}\n`);
    return 0;
  }
  try {
    const code = await command.run(rest, out, err);
    return code < 0 ? 'running' : code;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fluxhelm ${command.name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    err(`fluxhelm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}
