/**
 * The `fluxhelm` command: one table of commands over the same engine the
 * editor uses. `fluxhelm help [COMMAND]`, `fluxhelm COMMAND --help` and `-h`
 * print usage and exit 0; an unknown command, unknown option or invalid
 * value prints the command's usage and exits 2. Exit codes: 0 success,
 * 1 findings (errors, differences), 2 usage or internal failure.
 */
import { UsageError } from './args.ts';
import type { Command } from './command.ts';
import { checkCommand, VERSION } from './check.ts';
import { graphCommand } from './graph.ts';
import { resolveCommand } from './resolve.ts';
import { valuesCommand } from './values.ts';
import { buildCommand } from './build.ts';
import { diffCommand } from './diff.ts';
import { reconcileCommand } from './reconcile.ts';
import { statusCommand } from './status.ts';
import { templateCommand } from './template.ts';
import { mcpCommand } from './mcp.ts';
import { runServer } from '../server/main.ts';

const lspCommand: Command = {
  name: 'lsp',
  summary: 'run the language server over stdio (same as fluxhelm-language-server --stdio)',
  usage: 'Usage: fluxhelm lsp\n\nRuns the fluxhelm language server over stdio, for any LSP editor.',
  options: {},
  run: () => {
    process.argv = [process.argv[0]!, process.argv[1]!, '--stdio'];
    runServer();
    return -1;
  },
};

export const COMMANDS: Command[] = [
  checkCommand,
  graphCommand,
  resolveCommand,
  valuesCommand,
  templateCommand,
  buildCommand,
  diffCommand,
  reconcileCommand,
  statusCommand,
  lspCommand,
  mcpCommand,
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
    const topic = rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (rest[0] && !topic) {
      err(`fluxhelm: unknown command '${rest[0]}'\n\n${overview()}\n`);
      return 2;
    }
    out(`${topic ? topic.usage : overview()}\n`);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    out(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`fluxhelm: unknown command '${name}'\n\n${overview()}\n`);
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
