/**
 * The VS Code side of fluxhelm's cluster features: the commands Reconcile,
 * Reconcile with Source, Force, Reset, Suspend, Resume, Diff with Cluster,
 * Show Status & Events and Switch Context; a status bar item with the
 * context and namespace; progress notifications that can be cancelled; and
 * a confirmation showing the diff summary before a write. A write that
 * changes objects always asks; a bare reconcile request/suspend/resume asks
 * in contexts matching `fluxhelm.cluster.confirmContexts` (default: any
 * containing "prod"). In Restricted Mode every command only says that the
 * workspace must be trusted.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ClusterStateNotification, ClusterStateRequest, ContextsRequest, DiffRequest, PlanRequest, ProgressNotification, ReconcileRequest,
  SetContextRequest, StatusRequest, SuspendRequest, UNTRUSTED_MESSAGE,
  type ClusterState, type ContextsResult, type DiffResult, type PlanParams, type PlanResult, type ProgressParams,
  type ReconcileParams, type ReconcileResult, type StatusResult, type SuspendParams, type TargetParams,
  type Message, send,
} from '../server/protocol.ts';

export const CLUSTER_SCHEME = 'fluxhelm-cluster';

type ClientRef = LanguageClient | (() => LanguageClient | undefined);

interface Output {
  appendLine(line: string): void;
}

/** True when the context name matches one of the patterns (`*` wildcards; a bare word matches anywhere). */
export function contextNeedsConfirmation(context: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    return p.includes('*') ? re.test(context) : context.toLowerCase().includes(p.toLowerCase());
  });
}

/** The confirmation text for a plan: what changes, what only gets a reconcile request. */
export function planSummary(plan: PlanResult): { text: string; writesObjects: boolean; secrets: string[]; conflicts: string[] } {
  const lines: string[] = [];
  const changing = plan.objects.filter((o) => o.change === 'create' || o.change === 'change');
  for (const o of changing) lines.push(`${o.change === 'create' ? 'create' : `change ${o.fields.length} field(s) of`} ${o.object}${o.secret ? ' (Secret)' : ''}`);
  const unchanged = plan.objects.filter((o) => o.change === 'unchanged').length;
  if (unchanged) lines.push(`${unchanged} object(s) unchanged`);
  for (const o of plan.objects.filter((x) => x.change === 'error')) lines.push(`cannot apply ${o.object}: ${o.message ?? ''}`);
  lines.push(`then reconcile: ${plan.reconcile.join(' → ') || 'nothing'}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return {
    text: lines.join('\n'),
    writesObjects: changing.length > 0,
    secrets: plan.objects.filter((o) => o.secret && o.change !== 'unchanged').map((o) => o.object),
    conflicts: plan.objects.flatMap((o) => o.conflicts.map((c) => `${o.object} ${c}`)),
  };
}

export function registerClusterCommands(context: vscode.ExtensionContext, clientRef: ClientRef, output: Output): void {
  const getClient = () => (typeof clientRef === 'function' ? clientRef() : clientRef);
  const views = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const progressSinks = new Map<string, (message: string) => void>();
  let listening: LanguageClient | undefined;
  let state: ClusterState = {};

  const statusItem = vscode.window.createStatusBarItem('fluxhelm.cluster', vscode.StatusBarAlignment.Left, 99);
  statusItem.name = 'fluxhelm cluster';
  statusItem.command = 'fluxhelm.switchContext';

  function renderStatus(): void {
    if (!vscode.workspace.isTrusted) {
      statusItem.hide();
      return;
    }
    if (state.context && !state.error) {
      statusItem.text = `$(cloud) ${state.context}${state.namespace ? ` · ${state.namespace}` : ''}`;
      statusItem.tooltip = `fluxhelm cluster: context ${state.context}, namespace ${state.namespace ?? 'default'}. Click to switch context.`;
    } else {
      statusItem.text = '$(cloud) no cluster';
      statusItem.tooltip = `fluxhelm: ${state.error ?? 'no cluster connection'}. Click to pick a kubeconfig context.`;
    }
    statusItem.show();
  }

  /** Hooks notifications onto the current client (again after a server restart). */
  function client(): LanguageClient | undefined {
    const c = getClient();
    if (c && c !== listening) {
      listening = c;
      context.subscriptions.push(
        c.onNotification(ClusterStateNotification.method, (s: ClusterState) => {
          state = s;
          renderStatus();
        }),
        c.onNotification(ProgressNotification.method, (p: ProgressParams) => progressSinks.get(p.token)?.(p.message)),
      );
    }
    return c;
  }

  function target(args: unknown[]): TargetParams | undefined {
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

  async function request<P, R>(m: Message<P, R>, params: P, token?: vscode.CancellationToken): Promise<R | undefined> {
    const c = client();
    if (!c) {
      void vscode.window.showErrorMessage('fluxhelm: the language server is not running.');
      return undefined;
    }
    try {
      return token ? await c.sendRequest<R>(m.method, params, token) : await c.sendRequest<R>(m.method, params);
    } catch (e) {
      if (token?.isCancellationRequested) return undefined;
      const message = e instanceof Error ? e.message : String(e);
      output.appendLine(`${m.method}: ${message}`);
      void vscode.window.showErrorMessage(message.startsWith('fluxhelm') ? message : `fluxhelm: ${message}`);
      return undefined;
    }
  }

  function withProgress<R>(title: string, run: (token: vscode.CancellationToken, progressToken: string) => Thenable<R | undefined>): Thenable<R | undefined> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      progressSinks.set(id, (message) => {
        progress.report({ message });
        output.appendLine(`${title}: ${message}`);
      });
      try {
        return await run(token, id);
      } finally {
        progressSinks.delete(id);
      }
    });
  }

  function confirmPatterns(): string[] {
    return vscode.workspace.getConfiguration('fluxhelm').get<string[]>('cluster.confirmContexts', ['prod']);
  }

  /** Asks before a write; `undefined` when the user said no. */
  async function confirm(title: string, detail: string, mustAsk: boolean, extraChoices: string[] = []): Promise<string | undefined> {
    const ctx = state.context ?? 'the current context';
    const sensitive = contextNeedsConfirmation(ctx, confirmPatterns());
    if (!mustAsk && !sensitive && extraChoices.length === 0) return 'OK';
    const choice = await vscode.window.showWarningMessage(`${title} in context "${ctx}"${sensitive ? ' (matches fluxhelm.cluster.confirmContexts)' : ''}?`, { modal: true, detail }, 'OK', ...extraChoices);
    return choice ?? undefined;
  }

  async function reconcileCommand(args: unknown[], flags: Pick<ReconcileParams, 'withSource' | 'force' | 'reset'>): Promise<void> {
    if (!trustedOrSay()) return;
    const t = target(args);
    if (!t) return;
    const planParams: PlanParams = { ...t, withSource: flags.withSource };
    const plan = await withProgress('fluxhelm: computing the diff', (token) => request(PlanRequest, planParams, token));
    if (!plan) return;
    if (plan.objects.some((o) => o.change === 'error')) {
      void vscode.window.showErrorMessage(`fluxhelm: cannot reconcile ${plan.target}:\n${planSummary(plan).text}`);
      return;
    }
    const s = planSummary(plan);
    const what = flags.force ? 'Force a Helm upgrade of' : flags.reset ? 'Reset the failure counts of and reconcile' : flags.withSource ? 'Reconcile (with source)' : 'Reconcile';
    const extra: string[] = [];
    if (s.secrets.length) extra.push('OK, with Secrets');
    let forceConflicts = false;
    if (s.conflicts.length) {
      const take = await vscode.window.showWarningMessage(
        `Fields of ${plan.target} are owned by other field managers`,
        { modal: true, detail: `${s.conflicts.join('\n')}\n\nTake them over (server-side apply with force)?` },
        'Take over',
      );
      if (take !== 'Take over') return;
      forceConflicts = true;
    }
    const choice = await confirm(`${what} ${plan.target}`, s.text, s.writesObjects || forceConflicts, extra);
    if (!choice) return;
    const params: ReconcileParams = { ...t, ...flags, includeSecrets: choice === 'OK, with Secrets', forceConflicts };
    const result = await withProgress(`fluxhelm: ${what.toLowerCase()} ${plan.target}`, (token, id) => request(ReconcileRequest, { ...params, progressToken: id }, token));
    if (!result) return;
    for (const l of result.lines) output.appendLine(l);
    if (result.ok) void vscode.window.showInformationMessage(`fluxhelm: ${result.summary}`);
    else void vscode.window.showErrorMessage(`fluxhelm: ${result.summary}`, 'Show Output').then((c) => c && vscode.commands.executeCommand('fluxhelm.showOutput'));
  }

  async function suspendCommand(args: unknown[], suspendIt: boolean): Promise<void> {
    if (!trustedOrSay()) return;
    const t = target(args);
    if (!t) return;
    if (!(await confirm(suspendIt ? 'Suspend reconciliation' : 'Resume reconciliation', suspendIt ? 'Flux stops reconciling this object until it is resumed.' : 'Flux reconciles the object again and fluxhelm waits for the result.', false))) return;
    const params: SuspendParams = { ...t, suspend: suspendIt };
    const r = await withProgress(`fluxhelm: ${suspendIt ? 'suspending' : 'resuming'}`, (token, id) => request(SuspendRequest, { ...params, progressToken: id }, token));
    if (!r) return;
    if (r.ok) void vscode.window.showInformationMessage(`fluxhelm: ${r.summary}`);
    else void vscode.window.showErrorMessage(`fluxhelm: ${r.summary}`);
  }

  async function diffCommand(args: unknown[]): Promise<void> {
    if (!trustedOrSay()) return;
    const t = target(args);
    if (!t) return;
    const d = await withProgress('fluxhelm: diff with cluster', (token) => request(DiffRequest, t, token));
    if (!d) return;
    const base = d.target.replace(/\//g, '_');
    const left = vscode.Uri.from({ scheme: CLUSTER_SCHEME, path: `/live/${base}.yaml`, query: String(Date.now()) });
    const right = vscode.Uri.from({ scheme: CLUSTER_SCHEME, path: `/workspace/${base}.yaml`, query: String(Date.now()) });
    views.set(left.toString(), d.live || '# not in the cluster\n');
    views.set(right.toString(), d.workspace);
    const note = d.conflicts.length ? ` · owned by others: ${d.conflicts.join(', ')}` : '';
    await vscode.commands.executeCommand('vscode.diff', left, right, `${d.target}: cluster ↔ workspace (${d.changes} change${d.changes === 1 ? '' : 's'}${note})`);
  }

  async function statusCommand(args: unknown[]): Promise<void> {
    if (!trustedOrSay()) return;
    const t = target(args);
    if (!t) return;
    const s = await request(StatusRequest, t);
    if (!s) return;
    const uri = vscode.Uri.from({ scheme: CLUSTER_SCHEME, path: `/status/${s.target.replace(/\//g, '_')}.txt`, query: String(Date.now()) });
    views.set(uri.toString(), s.text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  async function switchContext(): Promise<void> {
    if (!trustedOrSay()) return;
    const r = await request(ContextsRequest, {});
    if (!r) return;
    if (r.error || r.contexts.length === 0) {
      void vscode.window.showErrorMessage(`fluxhelm: ${r.error ?? 'the kubeconfig has no contexts'}`);
      return;
    }
    const pick = await vscode.window.showQuickPick(
      r.contexts.map((c) => ({ label: c.name, description: `${c.cluster}${c.namespace ? ` · ${c.namespace}` : ''}`, picked: c.name === r.current, detail: c.name === r.current ? 'current' : undefined })),
      { title: 'fluxhelm: kubeconfig context for cluster features' },
    );
    if (!pick) return;
    const s = await request(SetContextRequest, { context: pick.label });
    if (!s) return;
    state = s;
    await context.workspaceState.update('fluxhelm.cluster.context', pick.label);
    renderStatus();
    if (s.error) void vscode.window.showErrorMessage(`fluxhelm: ${s.error}`);
  }

  function trustedOrSay(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return false;
  }

  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => views.get(uri.toString()) ?? '',
  };

  context.subscriptions.push(
    statusItem,
    changed,
    vscode.workspace.registerTextDocumentContentProvider(CLUSTER_SCHEME, provider),
    vscode.commands.registerCommand('fluxhelm.reconcile', (...a: unknown[]) => reconcileCommand(a, {})),
    vscode.commands.registerCommand('fluxhelm.reconcileWithSource', (...a: unknown[]) => reconcileCommand(a, { withSource: true })),
    vscode.commands.registerCommand('fluxhelm.reconcileForce', (...a: unknown[]) => reconcileCommand(a, { force: true })),
    vscode.commands.registerCommand('fluxhelm.reconcileReset', (...a: unknown[]) => reconcileCommand(a, { reset: true })),
    vscode.commands.registerCommand('fluxhelm.suspend', (...a: unknown[]) => suspendCommand(a, true)),
    vscode.commands.registerCommand('fluxhelm.resume', (...a: unknown[]) => suspendCommand(a, false)),
    vscode.commands.registerCommand('fluxhelm.diffWithCluster', (...a: unknown[]) => diffCommand(a)),
    vscode.commands.registerCommand('fluxhelm.showStatus', (...a: unknown[]) => statusCommand(a)),
    vscode.commands.registerCommand('fluxhelm.switchContext', () => switchContext()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => renderStatus()),
  );

  // Initial state, and the context chosen earlier in this workspace.
  if (vscode.workspace.isTrusted) {
    const saved = context.workspaceState.get<string>('fluxhelm.cluster.context');
    const start = async () => {
      const c = client();
      if (!c) return;
      // Wait for the server to be up (the extension may register before starting the client).
      for (let i = 0; i < 60 && !c.isRunning(); i++) await new Promise((r) => setTimeout(r, 500));
      if (!c.isRunning()) return;
      const s = saved ? await send(c, SetContextRequest, { context: saved }) : await send(c, ClusterStateRequest, {});
      state = s;
      renderStatus();
    };
    void start().catch((e: unknown) => output.appendLine(`cluster state: ${e instanceof Error ? e.message : String(e)}`));
  }
  renderStatus();
}
