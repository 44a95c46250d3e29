/**
 * The VS Code side of a cluster connection: which language client to talk
 * to (re-bound after a server restart), the connection state shown in a
 * status bar item, typed requests that report failures once, progress
 * notifications that can be cancelled (fed by the server's progress
 * messages), and the confirmation asked before writes.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ClusterStateNotification,
  ProgressNotification,
  UNTRUSTED_MESSAGE,
  type ClusterState,
  type Message,
  type ProgressParams,
  type TargetParams,
} from '../../server/protocol.ts';

export type ClientRef = LanguageClient | (() => LanguageClient | undefined);

export interface Output {
  appendLine(line: string): void;
}

/** True when the context name matches one of the patterns (`*` wildcards; a bare word matches anywhere). */
export function contextNeedsConfirmation(context: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .split('*')
        .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    );
    return p.includes('*') ? re.test(context) : context.toLowerCase().includes(p.toLowerCase());
  });
}

export class ClusterSession {
  state: ClusterState = {};
  readonly statusItem = vscode.window.createStatusBarItem('fluxhelm.cluster', vscode.StatusBarAlignment.Left, 99);
  private readonly progressSinks = new Map<string, (message: string) => void>();
  private listening: LanguageClient | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly clientRef: ClientRef,
    readonly output: Output,
  ) {
    this.statusItem.name = 'fluxhelm cluster';
    this.statusItem.command = 'fluxhelm.switchContext';
  }

  renderStatus(): void {
    const item = this.statusItem;
    if (!vscode.workspace.isTrusted) {
      item.hide();
      return;
    }
    const s = this.state;
    if (s.context && !s.error) {
      item.text = `$(cloud) ${s.context}${s.namespace ? ` · ${s.namespace}` : ''}`;
      item.tooltip = `fluxhelm cluster: context ${s.context}, namespace ${s.namespace ?? 'default'}. Click to switch context.`;
    } else {
      item.text = '$(cloud) no cluster';
      item.tooltip = `fluxhelm: ${s.error ?? 'no cluster connection'}. Click to pick a kubeconfig context.`;
    }
    item.show();
  }

  /** The current client, with the state and progress notifications hooked on (again after a server restart). */
  client(): LanguageClient | undefined {
    const c = typeof this.clientRef === 'function' ? this.clientRef() : this.clientRef;
    if (c && c !== this.listening) {
      this.listening = c;
      this.context.subscriptions.push(
        c.onNotification(ClusterStateNotification.method, (s: ClusterState) => {
          this.state = s;
          this.renderStatus();
        }),
        c.onNotification(ProgressNotification.method, (p: ProgressParams) =>
          this.progressSinks.get(p.token)?.(p.message),
        ),
      );
    }
    return c;
  }

  /** A typed request; a failure is shown once and answers undefined. */
  async request<P, R>(m: Message<P, R>, params: P, token?: vscode.CancellationToken): Promise<R | undefined> {
    const c = this.client();
    if (!c) {
      void vscode.window.showErrorMessage('fluxhelm: the language server is not running.');
      return undefined;
    }
    try {
      return token ? await c.sendRequest<R>(m.method, params, token) : await c.sendRequest<R>(m.method, params);
    } catch (e) {
      if (token?.isCancellationRequested) return undefined;
      const message = e instanceof Error ? e.message : String(e);
      this.output.appendLine(`${m.method}: ${message}`);
      void vscode.window.showErrorMessage(message.startsWith('fluxhelm') ? message : `fluxhelm: ${message}`);
      return undefined;
    }
  }

  /** Runs work under a cancellable progress notification that shows the server's progress messages. */
  withProgress<R>(
    title: string,
    run: (token: vscode.CancellationToken, progressToken: string) => Thenable<R | undefined>,
  ): Thenable<R | undefined> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
        this.progressSinks.set(id, (message) => {
          progress.report({ message });
          this.output.appendLine(`${title}: ${message}`);
        });
        try {
          return await run(token, id);
        } finally {
          this.progressSinks.delete(id);
        }
      },
    );
  }

  /** Asks before a write; `undefined` when the user said no. */
  async confirm(
    title: string,
    detail: string,
    mustAsk: boolean,
    extraChoices: string[] = [],
  ): Promise<string | undefined> {
    const ctx = this.state.context ?? 'the current context';
    const patterns = vscode.workspace.getConfiguration('fluxhelm').get<string[]>('cluster.confirmContexts', ['prod']);
    const sensitive = contextNeedsConfirmation(ctx, patterns);
    if (!mustAsk && !sensitive && extraChoices.length === 0) return 'OK';
    const choice = await vscode.window.showWarningMessage(
      `${title} in context "${ctx}"${sensitive ? ' (matches fluxhelm.cluster.confirmContexts)' : ''}?`,
      { modal: true, detail },
      'OK',
      ...extraChoices,
    );
    return choice ?? undefined;
  }

  /** In Restricted Mode, says why nothing happens. */
  trustedOrSay(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return false;
  }

  /** The object a command is about: its arguments (from a code lens) or the cursor in the active YAML editor. */
  target(args: unknown[]): TargetParams | undefined {
    const [uri, position] = args as [string | undefined, { line: number; character: number } | undefined];
    if (typeof uri === 'string') return { uri, ...(position ? { position } : {}) };
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'yaml') {
      void vscode.window.showInformationMessage('fluxhelm: open the YAML of a Flux object and put the cursor in it.');
      return undefined;
    }
    const a = editor.selection.active;
    return { uri: editor.document.uri.toString(), position: { line: a.line, character: a.character } };
  }
}
