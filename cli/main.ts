/**
 * The `fluxhelm` command: dispatches to subcommands over the same engine the
 * editor uses. Exit codes: 0 success, 1 findings (errors, differences), 2
 * usage or internal failure.
 */
import { check, CHECK_HELP } from './check.ts';
import { graph, GRAPH_HELP } from './graph.ts';
import { resolve, RESOLVE_HELP } from './resolve.ts';
import { values, VALUES_HELP } from './values.ts';
import { build, BUILD_HELP } from './build.ts';
import { diff, DIFF_HELP } from './diff.ts';
import { reconcile, RECONCILE_HELP } from './reconcile.ts';
import { status, STATUS_HELP } from './status.ts';
import { UsageError } from './args.ts';
import { runServer } from '../server/main.ts';

const VERSION = '0.1.0';

const HELP = `fluxhelm ${VERSION}: Flux + Helm checks for your GitOps repository

Usage: fluxhelm <command> [options]

Commands:
  check [PATH...]   validate Flux/kustomize/core YAML against schemas, CEL rules and references
  graph [PATH...]   print the dependency graph (dot, json or html)
  resolve [PATH...] which chart version each HelmRelease resolves to (Helm/Flux rules)
  values PATH --release NS/NAME   effective values of a HelmRelease, with provenance
  build PATH        print what a Flux Kustomization (or kustomization folder) builds, substituted
  diff PATH         compare the workspace with the cluster (exit 0 same, 1 differs, >1 error)
  reconcile (PATH | --release NS/NAME)   apply and ask Flux to reconcile, then wait for Ready
  status [PATH]     Ready/Stalled and recent events of the objects in the cluster
  lsp               run the language server over stdio (same as fluxhelm-language-server --stdio)
  help [COMMAND]    show help

Run 'fluxhelm help check' for the options of a command.`;

const COMMAND_HELP: Record<string, string> = { check: CHECK_HELP, graph: GRAPH_HELP, resolve: RESOLVE_HELP, values: VALUES_HELP, build: BUILD_HELP, diff: DIFF_HELP, reconcile: RECONCILE_HELP, status: STATUS_HELP };

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number | 'running'> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h': {
        const topic = rest[0];
        out(`${topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : HELP}\n`);
        return 0;
      }
      case '--version':
      case 'version':
        out(`${VERSION}\n`);
        return 0;
      case 'check':
        return check(rest, VERSION, out, err);
      case 'graph':
        return graph(rest, out);
      case 'resolve':
        return await resolve(rest, out);
      case 'values':
        return await values(rest, out, err);
      case 'build':
        return build(rest, out, err);
      case 'diff':
        return await diff(rest, out, err);
      case 'reconcile':
        return await reconcile(rest, out, err);
      case 'status':
        return await status(rest, out, err);
      case 'lsp':
        process.argv = [process.argv[0], process.argv[1], '--stdio'];
        runServer();
        return 'running';
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fluxhelm: ${e.message}\nRun 'fluxhelm help' for usage.\n`);
      return 2;
    }
    err(`fluxhelm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}
