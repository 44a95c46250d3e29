/**
 * The VS Code extension: starts the fluxhelm language server (dist/server.js
 * over IPC), shows its log in an output channel and a summary in the status
 * bar. In Restricted Mode everything that only reads the workspace works;
 * features that reach the network or a cluster stay off until the workspace
 * is trusted (the server is told through initializationOptions.trusted).
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { StatusNotification, GraphRequest, SETTINGS_SECTION, send, type StatusParams } from '../server/protocol.ts';
import { renderGraphHtml } from '../engine/index.ts';
import { randomBytes } from 'node:crypto';
import { registerValuesView } from './values-view.ts';
import { registerRenderedView } from './rendered-view.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerDiffCommands } from './diff-commands.ts';

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;
let output: vscode.LogOutputChannel | undefined;

function renderStatus(s: StatusParams | undefined): void {
  if (!statusItem) return;
  const trust = vscode.workspace.isTrusted ? '' : ' (restricted)';
  if (!s) {
    statusItem.text = `$(sync~spin) fluxhelm${trust}`;
    statusItem.tooltip = 'fluxhelm language server is starting';
    return;
  }
  const problems = s.errors + s.warnings;
  const icon = s.schemaProblems.length ? '$(warning)' : s.errors ? '$(error)' : '$(check)';
  statusItem.text = `${icon} fluxhelm${problems ? ` ${s.errors}/${s.warnings}` : ''}${trust}`;
  const lines = [
    `fluxhelm: ${s.fluxDocuments} Flux object(s) in open files, ${s.errors} error(s), ${s.warnings} warning(s)`,
    `Schemas: ${s.schemaSource}`,
    ...s.schemaProblems.map((p) => `Schema problem: ${p}`),
    vscode.workspace.isTrusted
      ? ''
      : 'Restricted Mode: validation only; network and cluster features are off until you trust this workspace.',
  ].filter(Boolean);
  statusItem.tooltip = lines.join('\n');
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    synchronize: {
      configurationSection: SETTINGS_SECTION,
      // The workspace index follows YAML files changed outside the editor (git checkout, generators).
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}'),
        vscode.workspace.createFileSystemWatcher('**/Kustomization'),
      ],
    },
    outputChannel: output,
    initializationOptions: {
      trusted: vscode.workspace.isTrusted,
      validate: { enable: config.get<boolean>('validate.enable', true) },
      schemas: { crdPaths: config.get<string[]>('schemas.crdPaths', []) },
      workspace: {
        exclude: config.get<string[]>('workspace.exclude', []),
        roots: config.get<string[]>('workspace.roots', []),
        dotFolders: config.get<boolean>('workspace.dotFolders', false),
      },
    },
  };
  client = new LanguageClient('fluxhelm', 'fluxhelm', serverOptions, clientOptions);
  client.onNotification(StatusNotification.method, (params: StatusParams) => renderStatus(params));
  await client.start();
}

let graphPanel: vscode.WebviewPanel | undefined;

async function showDependencyGraph(): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage('fluxhelm: the language server is not running.');
    return;
  }
  const graph = await send(client, GraphRequest, {});
  if (!graphPanel) {
    graphPanel = vscode.window.createWebviewPanel('fluxhelm.graph', 'Flux dependency graph', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
    });
    graphPanel.onDidDispose(() => {
      graphPanel = undefined;
    });
    graphPanel.webview.onDidReceiveMessage(async (msg: { type?: string; file?: string; line?: number }) => {
      if (msg.type !== 'open' || !msg.file) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(msg.file));
      const line = Math.max(0, msg.line ?? 0);
      await vscode.window.showTextDocument(doc, {
        selection: new vscode.Range(line, 0, line, 0),
        viewColumn: vscode.ViewColumn.Beside,
      });
    });
  }
  const nonce = randomBytes(16).toString('base64');
  graphPanel.webview.html = renderGraphHtml(graph, {
    nonce,
    cspSource: graphPanel.webview.cspSource,
    title: `Flux dependency graph (${graph.nodes.length} objects)`,
  });
  graphPanel.reveal();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('fluxhelm', { log: true });
  statusItem = vscode.window.createStatusBarItem('fluxhelm.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'fluxhelm';
  statusItem.command = 'fluxhelm.showOutput';
  renderStatus(undefined);
  statusItem.show();
  context.subscriptions.push(output, statusItem);

  registerValuesView(context, () => client);

  registerRenderedView(context, () => client);
  registerClusterCommands(context, () => client, output);
  registerDiffCommands(context, () => client, output);
  context.subscriptions.push(
    vscode.commands.registerCommand('fluxhelm.showOutput', () => output?.show(true)),
    vscode.commands.registerCommand('fluxhelm.restartServer', async () => {
      renderStatus(undefined);
      await client?.restart();
    }),
    vscode.commands.registerCommand('fluxhelm.showDependencyGraph', () => showDependencyGraph()),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      // Trust changes which features may run; restart so the server learns it.
      renderStatus(undefined);
      await client?.stop();
      await startClient(context);
    }),
  );

  try {
    await startClient(context);
  } catch (err) {
    output.appendLine(
      `fluxhelm: the language server failed to start: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (statusItem) {
      statusItem.text = '$(error) fluxhelm';
      statusItem.tooltip = 'The fluxhelm language server failed to start; see the fluxhelm output channel.';
    }
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
