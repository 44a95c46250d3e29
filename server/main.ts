/**
 * Entry point of the language server binary (`fluxhelm-language-server
 * --stdio`, or `--node-ipc` when started by VS Code). Builds the Node host
 * and hands the connection to startServer.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.ts';
import { createNodeHost } from './node-host.ts';

export function runServer(): void {
  if (
    !process.argv.some(
      (a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'),
    )
  ) {
    process.argv.push('--stdio');
  }
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection, createNodeHost());
}
