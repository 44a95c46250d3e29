/**
 * The VS Code side of fluxhelm's cluster features: the commands Reconcile,
 * Reconcile with Source, Force, Reset, Suspend, Resume, Diff with Cluster,
 * Show Status & Events and Switch Context, over the session
 * (client/cluster/session.ts: connection state, requests, progress,
 * confirmation). A write that changes objects always asks; a bare reconcile
 * request/suspend/resume asks in contexts matching
 * `fluxhelm.cluster.confirmContexts` (default: any containing "prod"). In
 * Restricted Mode every command only says that the workspace must be trusted.
 */
import * as vscode from 'vscode';
import {
  ClusterStateRequest,
  ContextsRequest,
  DiffRequest,
  PlanRequest,
  ReconcileRequest,
  SetContextRequest,
  StatusRequest,
  SuspendRequest,
  send,
  type PlanParams,
  type PlanResult,
  type ReconcileParams,
  type SuspendParams,
} from '../server/protocol.ts';
import { ClusterSession, type ClientRef, type Output } from './cluster/session.ts';

export { contextNeedsConfirmation } from './cluster/session.ts';

export const CLUSTER_SCHEME = 'fluxhelm-cluster';

interface Session {
  session: ClusterSession;
  /** Read-only text views (live and workspace sides of a diff, status pages) by uri. */
  views: Map<string, string>;
  context: vscode.ExtensionContext;
}

/** The confirmation text for a plan: what changes, what only gets a reconcile request. */
export function planSummary(plan: PlanResult): {
  text: string;
  writesObjects: boolean;
  secrets: string[];
  conflicts: string[];
} {
  const lines: string[] = [];
  const changing = plan.objects.filter((o) => o.change === 'create' || o.change === 'change');
  for (const o of changing)
    lines.push(
      `${o.change === 'create' ? 'create' : `change ${o.fields.length} field(s) of`} ${o.object}${o.secret ? ' (Secret)' : ''}`,
    );
  const unchanged = plan.objects.filter((o) => o.change === 'unchanged').length;
  if (unchanged) lines.push(`${unchanged} object(s) unchanged`);
  for (const o of plan.objects.filter((x) => x.change === 'error'))
    lines.push(`cannot apply ${o.object}: ${o.message ?? ''}`);
  lines.push(`then reconcile: ${plan.reconcile.join(' → ') || 'nothing'}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return {
    text: lines.join('\n'),
    writesObjects: changing.length > 0,
    secrets: plan.objects.filter((o) => o.secret && o.change !== 'unchanged').map((o) => o.object),
    conflicts: plan.objects.flatMap((o) => o.conflicts.map((c) => `${o.object} ${c}`)),
  };
}

async function reconcileCommand(
  x: Session,
  args: unknown[],
  flags: Pick<ReconcileParams, 'withSource' | 'force' | 'reset'>,
): Promise<void> {
  if (!x.session.trustedOrSay()) return;
  const t = x.session.target(args);
  if (!t) return;
  const planParams: PlanParams = { ...t, withSource: flags.withSource };
  const plan = await x.session.withProgress('fluxhelm: computing the diff', (token) =>
    x.session.request(PlanRequest, planParams, token),
  );
  if (!plan) return;
  if (plan.objects.some((o) => o.change === 'error')) {
    void vscode.window.showErrorMessage(`fluxhelm: cannot reconcile ${plan.target}:\n${planSummary(plan).text}`);
    return;
  }
  const s = planSummary(plan);
  const what = flags.force
    ? 'Force a Helm upgrade of'
    : flags.reset
      ? 'Reset the failure counts of and reconcile'
      : flags.withSource
        ? 'Reconcile (with source)'
        : 'Reconcile';
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
  const choice = await x.session.confirm(`${what} ${plan.target}`, s.text, s.writesObjects || forceConflicts, extra);
  if (!choice) return;
  const params: ReconcileParams = { ...t, ...flags, includeSecrets: choice === 'OK, with Secrets', forceConflicts };
  const result = await x.session.withProgress(`fluxhelm: ${what.toLowerCase()} ${plan.target}`, (token, id) =>
    x.session.request(ReconcileRequest, { ...params, progressToken: id }, token),
  );
  if (!result) return;
  for (const l of result.lines) x.session.output.appendLine(l);
  if (result.ok) void vscode.window.showInformationMessage(`fluxhelm: ${result.summary}`);
  else
    void vscode.window
      .showErrorMessage(`fluxhelm: ${result.summary}`, 'Show Output')
      .then((c) => c && vscode.commands.executeCommand('fluxhelm.showOutput'));
}
async function suspendCommand(x: Session, args: unknown[], suspendIt: boolean): Promise<void> {
  if (!x.session.trustedOrSay()) return;
  const t = x.session.target(args);
  if (!t) return;
  if (
    !(await x.session.confirm(
      suspendIt ? 'Suspend reconciliation' : 'Resume reconciliation',
      suspendIt
        ? 'Flux stops reconciling this object until it is resumed.'
        : 'Flux reconciles the object again and fluxhelm waits for the result.',
      false,
    ))
  )
    return;
  const params: SuspendParams = { ...t, suspend: suspendIt };
  const r = await x.session.withProgress(`fluxhelm: ${suspendIt ? 'suspending' : 'resuming'}`, (token, id) =>
    x.session.request(SuspendRequest, { ...params, progressToken: id }, token),
  );
  if (!r) return;
  if (r.ok) void vscode.window.showInformationMessage(`fluxhelm: ${r.summary}`);
  else void vscode.window.showErrorMessage(`fluxhelm: ${r.summary}`);
}
async function diffCommand(x: Session, args: unknown[]): Promise<void> {
  if (!x.session.trustedOrSay()) return;
  const t = x.session.target(args);
  if (!t) return;
  const d = await x.session.withProgress('fluxhelm: diff with cluster', (token) =>
    x.session.request(DiffRequest, t, token),
  );
  if (!d) return;
  const base = d.target.replace(/\//g, '_');
  const left = vscode.Uri.from({ scheme: CLUSTER_SCHEME, path: `/live/${base}.yaml`, query: String(Date.now()) });
  const right = vscode.Uri.from({ scheme: CLUSTER_SCHEME, path: `/workspace/${base}.yaml`, query: String(Date.now()) });
  x.views.set(left.toString(), d.live || '# not in the cluster\n');
  x.views.set(right.toString(), d.workspace);
  const note = d.conflicts.length ? ` · owned by others: ${d.conflicts.join(', ')}` : '';
  await vscode.commands.executeCommand(
    'vscode.diff',
    left,
    right,
    `${d.target}: cluster ↔ workspace (${d.changes} change${d.changes === 1 ? '' : 's'}${note})`,
  );
}
async function statusCommand(x: Session, args: unknown[]): Promise<void> {
  if (!x.session.trustedOrSay()) return;
  const t = x.session.target(args);
  if (!t) return;
  const s = await x.session.request(StatusRequest, t);
  if (!s) return;
  const uri = vscode.Uri.from({
    scheme: CLUSTER_SCHEME,
    path: `/status/${s.target.replace(/\//g, '_')}.txt`,
    query: String(Date.now()),
  });
  x.views.set(uri.toString(), s.text);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
async function switchContext(x: Session): Promise<void> {
  if (!x.session.trustedOrSay()) return;
  const r = await x.session.request(ContextsRequest, {});
  if (!r) return;
  if (r.error || r.contexts.length === 0) {
    void vscode.window.showErrorMessage(`fluxhelm: ${r.error ?? 'the kubeconfig has no contexts'}`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    r.contexts.map((c) => ({
      label: c.name,
      description: `${c.cluster}${c.namespace ? ` · ${c.namespace}` : ''}`,
      picked: c.name === r.current,
      detail: c.name === r.current ? 'current' : undefined,
    })),
    { title: 'fluxhelm: kubeconfig context for cluster features' },
  );
  if (!pick) return;
  const s = await x.session.request(SetContextRequest, { context: pick.label });
  if (!s) return;
  x.session.state = s;
  await x.context.workspaceState.update('fluxhelm.cluster.context', pick.label);
  x.session.renderStatus();
  if (s.error) void vscode.window.showErrorMessage(`fluxhelm: ${s.error}`);
}
export function registerClusterCommands(context: vscode.ExtensionContext, clientRef: ClientRef, output: Output): void {
  const session = new ClusterSession(context, clientRef, output);
  const x: Session = { session, views: new Map(), context };
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => x.views.get(uri.toString()) ?? '',
  };
  context.subscriptions.push(
    session.statusItem,
    changed,
    vscode.workspace.registerTextDocumentContentProvider(CLUSTER_SCHEME, provider),
    vscode.commands.registerCommand('fluxhelm.reconcile', (...a: unknown[]) => reconcileCommand(x, a, {})),
    vscode.commands.registerCommand('fluxhelm.reconcileWithSource', (...a: unknown[]) =>
      reconcileCommand(x, a, { withSource: true }),
    ),
    vscode.commands.registerCommand('fluxhelm.reconcileForce', (...a: unknown[]) =>
      reconcileCommand(x, a, { force: true }),
    ),
    vscode.commands.registerCommand('fluxhelm.reconcileReset', (...a: unknown[]) =>
      reconcileCommand(x, a, { reset: true }),
    ),
    vscode.commands.registerCommand('fluxhelm.suspend', (...a: unknown[]) => suspendCommand(x, a, true)),
    vscode.commands.registerCommand('fluxhelm.resume', (...a: unknown[]) => suspendCommand(x, a, false)),
    vscode.commands.registerCommand('fluxhelm.diffWithCluster', (...a: unknown[]) => diffCommand(x, a)),
    vscode.commands.registerCommand('fluxhelm.showStatus', (...a: unknown[]) => statusCommand(x, a)),
    vscode.commands.registerCommand('fluxhelm.switchContext', () => switchContext(x)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => session.renderStatus()),
  );

  // Initial state, and the context chosen earlier in this workspace.
  if (vscode.workspace.isTrusted) {
    const saved = context.workspaceState.get<string>('fluxhelm.cluster.context');
    const start = async () => {
      const c = session.client();
      if (!c) return;
      // Wait for the server to be up (the extension may register before starting the client).
      for (let i = 0; i < 60 && !c.isRunning(); i++) await new Promise((r) => setTimeout(r, 500));
      if (!c.isRunning()) return;
      session.state = saved
        ? await send(c, SetContextRequest, { context: saved })
        : await send(c, ClusterStateRequest, {});
      session.renderStatus();
    };
    void start().catch((e: unknown) =>
      output.appendLine(`cluster state: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  session.renderStatus();
}
