/**
 * The cluster requests (plan, reconcile with progress and cancellation,
 * suspend/resume, diff, status, contexts) as thin handlers over the façade's
 * cluster sub-service; the state notification and progress messages go to
 * the client. An untrusted workspace gets UNTRUSTED_MESSAGE from the engine.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { LanguageService, Refused } from '../../engine/index.ts';
import {
  ClusterStateNotification,
  ClusterStateRequest,
  ContextsRequest,
  DiffRequest,
  PlanRequest,
  ProgressNotification,
  ReconcileRequest,
  SetContextRequest,
  StatusRequest,
  SuspendRequest,
  UNTRUSTED_MESSAGE,
  notify,
} from '../protocol.ts';
import { anyParams, uriTarget, type Runner } from '../runner.ts';
import type { CancellationToken } from 'vscode-languageserver/node';

/** An AbortSignal that follows an LSP cancellation token, and progress messages for a token. */
function runOptions(connection: Connection, token: CancellationToken, progressToken: unknown) {
  const ac = new AbortController();
  token?.onCancellationRequested(() => ac.abort());
  const id = typeof progressToken === 'string' ? progressToken : undefined;
  return {
    signal: ac.signal,
    onProgress: (message: string) => id && notify(connection, ProgressNotification, { token: id, message }),
  };
}

export function registerClusterRequests(
  connection: Connection,
  service: LanguageService,
  run: Runner,
  ready: () => void = () => undefined,
): void {
  const base = service.cluster;
  // Requests about workspace objects need the index.
  const cluster = {
    ...base,
    plan: (p: Parameters<typeof base.plan>[0]) => (ready(), base.plan(p)),
    reconcile: (p: Parameters<typeof base.reconcile>[0], r?: Parameters<typeof base.reconcile>[1]) => (
      ready(),
      base.reconcile(p, r)
    ),
    suspend: (p: Parameters<typeof base.suspend>[0], r?: Parameters<typeof base.suspend>[1]) => (
      ready(),
      base.suspend(p, r)
    ),
    diff: (p: Parameters<typeof base.diff>[0]) => (ready(), base.diff(p)),
    status: (p: Parameters<typeof base.status>[0]) => (ready(), base.status(p)),
  };
  const refused: Refused = { refused: true, error: UNTRUSTED_MESSAGE };
  run.handle(ClusterStateRequest, {}, anyParams, () =>
    service.settings.trusted ? cluster.ensureConnected() : refused,
  );
  run.handle(ContextsRequest, { contexts: [] }, anyParams, () => cluster.contexts());
  run.handle(SetContextRequest, {}, anyParams, (p) =>
    cluster.setContext(typeof p?.context === 'string' ? p.context : ''),
  );
  run.handle(PlanRequest, null, uriTarget, (p) => cluster.plan(p));
  run.handle(ReconcileRequest, null, uriTarget, (p, token) =>
    cluster.reconcile(p, runOptions(connection, token, p.progressToken)),
  );
  run.handle(SuspendRequest, null, uriTarget, (p, token) =>
    cluster.suspend({ ...p, suspend: p.suspend === true }, runOptions(connection, token, p.progressToken)),
  );
  run.handle(DiffRequest, null, uriTarget, (p) => cluster.diff(p));
  run.handle(StatusRequest, null, uriTarget, (p) => cluster.status(p));
}

/** Tells the client about the connection whenever the engine reports a cluster change. */
export function clusterStateNotifier(connection: Connection, service: LanguageService): () => void {
  let last = '';
  return () => {
    const state = service.cluster.state();
    const text = JSON.stringify(state);
    if (text === last) return;
    last = text;
    notify(connection, ClusterStateNotification, state);
  };
}
