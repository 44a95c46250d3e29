/**
 * The language server's cluster features: the requests of
 * cluster-protocol.ts (plan with diff summary, reconcile with progress and
 * cancellation, suspend/resume, diff, status and Events, contexts), a code
 * lens over each Flux object (`Reconcile · Diff · Ready ✓ 6.7.1 (2m ago)`)
 * kept live by an informer, and the cluster's conditions as diagnostics on
 * the object's document, handed to the lead's publishing through
 * diagnosticsFor(). client-node is loaded on first use and nothing at all
 * happens in an untrusted workspace.
 */
import { CodeLensRequest, CodeLensRefreshRequest, ResponseError, ErrorCodes, type CancellationToken, type CodeLens, type Connection } from 'vscode-languageserver/node';
import { stringify } from 'yaml';
import type { LanguageService } from '../engine/service.ts';
import type { Diagnostic } from '../engine/types.ts';
import type { IndexedObject } from '../engine/workspace/index.ts';
import { pathToUri, uriToPath } from '../engine/util/uri.ts';
import { describeError, type ClusterHost } from '../engine/cluster/host.ts';
import { dryRunDiff } from '../engine/cluster/diff.ts';
import { isReconcilable, objectKey, planObject, refOf } from '../engine/cluster/plan.ts';
import { applyAll, attachApplied, mapLimit, reconcileWaves, type TargetOutcome } from '../engine/cluster/run.ts';
import { resume, suspend } from '../engine/cluster/reconcile.ts';
import { waitForReconcile } from '../engine/cluster/wait.ts';
import { startInformer, type Informer } from '../engine/cluster/informer.ts';
import { ago, causeDiagnostics, conditionDiagnostics, conditionsOf, statusTitle, summarize } from '../engine/cluster/conditions.ts';
import type { ClusterResult } from '../engine/cluster/types.ts';
import {
  ClusterStateNotification, ClusterStateRequest, ContextsRequest, DiffRequest, PlanRequest, ProgressNotification, ReconcileRequest,
  SetContextRequest, StatusRequest, SuspendRequest, UNTRUSTED_MESSAGE,
  type ClusterState, type ContextsResult, type DiffResult, type PlannedChange, type PlanParams, type PlanResult,
  type ReconcileParams, type ReconcileResult, type StatusResult, type SuspendParams, type TargetParams,
} from './cluster-protocol.ts';

export interface ClusterFeatureDeps {
  service: LanguageService;
  /** Whether the workspace is trusted (a getter when it can change). */
  trusted: boolean | (() => boolean);
  /**
   * Called when the cluster diagnostics of a document changed; the lead
   * republishes that uri with diagnosticsFor(uri) appended to the others.
   */
  onDiagnosticsChanged: (uri: string) => void;
  log?: (message: string) => void;
  /** Connects to a cluster; defaults to server/cluster-host.ts (tests pass their own). */
  connect?: (opts: { context?: string }) => Promise<ClusterResult<ClusterHost>>;
  /** Lenses of other features for a document (shown whether or not the workspace is trusted). */
  extraLenses?: (uri: string) => CodeLens[];
}

export interface ClusterFeatures {
  /** Cluster-condition and last-apply diagnostics of a document (engine form). */
  diagnosticsFor(uri: string): Diagnostic[];
  /** The current connection state. */
  state(): ClusterState;
  dispose(): void;
}

const WATCHED_KINDS = [
  { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket' },
];

const label = (r: { kind: string; name: string; namespace?: string }) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function maskSecret(view: Record<string, unknown>, secret: boolean): Record<string, unknown> {
  if (!secret) return view;
  const out = { ...view };
  for (const field of ['data', 'stringData']) {
    const d = out[field];
    if (d && typeof d === 'object') out[field] = Object.fromEntries(Object.keys(d).map((k) => [k, '***']));
  }
  return out;
}

export function registerClusterFeatures(connection: Connection, deps: ClusterFeatureDeps): ClusterFeatures {
  const trusted = () => (typeof deps.trusted === 'function' ? deps.trusted() : deps.trusted);
  const log = deps.log ?? ((m: string) => connection.console.log(m));
  let context: string | undefined;
  let host: ClusterHost | undefined;
  let hostError: string | undefined;
  let connecting: Promise<ClusterHost | undefined> | undefined;
  let informer: Informer | undefined;
  /** Diagnostics from the last apply that the API server rejected, by uri. */
  const applyProblems = new Map<string, Diagnostic[]>();
  let lastPublished = new Map<string, string>();
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const connect = deps.connect ?? (async (o: { context?: string }) => (await import('./cluster-host.ts')).connectCluster(o));

  function state(): ClusterState {
    if (host) return { context: host.context, namespace: host.namespace };
    return hostError ? { error: hostError, ...(context ? { context } : {}) } : {};
  }

  function sendState(): void {
    void connection.sendNotification(ClusterStateNotification.method, state());
  }

  function workspaceNamespaces(): string[] {
    const ws = deps.service.workspace;
    const out = new Set<string>();
    for (const o of ws?.index.allObjects() ?? []) if (isReconcilable(o)) out.add(o.namespace || host?.namespace || 'default');
    return [...out];
  }

  /** Which workspace documents hold objects with these keys. */
  function urisOf(keys: string[]): Set<string> {
    const wanted = new Set(keys);
    const uris = new Set<string>();
    for (const o of deps.service.workspace?.index.allObjects() ?? []) {
      if (isReconcilable(o) && wanted.has(objectKey(o, host?.namespace ?? 'default'))) uris.add(pathToUri(o.file));
    }
    return uris;
  }

  function scheduleRefresh(uris: Set<string>): void {
    for (const u of uris) pending.add(u);
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      const now = new Map(lastPublished);
      for (const uri of pending) {
        const text = JSON.stringify(features.diagnosticsFor(uri));
        if ((lastPublished.get(uri) ?? '[]') !== text) {
          now.set(uri, text);
          deps.onDiagnosticsChanged(uri);
        }
      }
      lastPublished = now;
      pending.clear();
      void connection.sendRequest(CodeLensRefreshRequest.method).catch(() => undefined);
    }, 200);
  }
  const pending = new Set<string>();

  async function ensureHost(): Promise<ClusterHost | undefined> {
    if (!trusted() || disposed) return undefined;
    if (host) return host;
    connecting ??= (async () => {
      const r = await connect(context ? { context } : {});
      connecting = undefined;
      if (!r.ok) {
        hostError = r.error.message;
        sendState();
        return undefined;
      }
      host = r.value;
      hostError = undefined;
      sendState();
      informer = startInformer(host, WATCHED_KINDS, {
        namespaces: workspaceNamespaces,
        onChange: (keys) => scheduleRefresh(urisOf(keys)),
        onError: (kind, e) => log(`cluster watch of ${kind}: ${describeError(e, host?.context)}`),
      });
      return host;
    })();
    return connecting;
  }

  async function requireHost(): Promise<ClusterHost> {
    if (!trusted()) throw new ResponseError(ErrorCodes.InvalidRequest, UNTRUSTED_MESSAGE);
    const h = await ensureHost();
    if (!h) throw new ResponseError(ErrorCodes.InvalidRequest, `fluxhelm: no cluster connection: ${hostError ?? 'no kubeconfig'}`);
    return h;
  }

  function targetOf(p: TargetParams): IndexedObject {
    const ws = deps.service.workspace;
    const path = uriToPath(p.uri);
    const objects = path && ws ? ws.index.objectsIn(path) : [];
    if (!ws || objects.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, 'fluxhelm: this document holds no Kubernetes object of the workspace');
    if (!p.position) return objects[0]!;
    const offset = ws.lines(path!)?.offsetAt(p.position) ?? 0;
    return objects.find((o) => o.start <= offset && offset < Math.max(o.end, o.start + 1)) ?? objects.filter((o) => o.start <= offset).pop() ?? objects[0]!;
  }

  function progress(token: string | undefined, message: string): void {
    if (token) void connection.sendNotification(ProgressNotification.method, { token, message });
  }

  /** Replaces the apply diagnostics of every document this apply touched. */
  function rememberApplyProblems(objs: { indexed: IndexedObject; problems: Diagnostic[] }[]): void {
    const byUri = new Map<string, Diagnostic[]>();
    for (const { indexed, problems } of objs) {
      const uri = pathToUri(indexed.file);
      byUri.set(uri, [...(byUri.get(uri) ?? []), ...problems]);
    }
    for (const [uri, list] of byUri) {
      if (list.length) applyProblems.set(uri, list);
      else applyProblems.delete(uri);
    }
    scheduleRefresh(new Set(byUri.keys()));
  }

  function outcomeLine(o: TargetOutcome): string {
    const name = label(o.ref);
    const src = o.sources.map((s) => `${label(s.ref)} ${s.skipped ? `skipped (${s.skipped})` : s.error ? s.error.message : s.verdict?.state === 'ready' ? 'Ready' : s.verdict ? `${s.verdict.reason}: ${s.verdict.message}` : 'requested'}`);
    const main = o.error ? `✗ ${name}: ${describeError(o.error)}` : !o.verdict ? `◎ ${name}: requested` : o.verdict.state === 'ready' ? `✔ ${name}: Ready${o.verdict.message ? ` (${o.verdict.message})` : ''}` : `✗ ${name}: ${o.verdict.reason ?? 'not ready'}${o.verdict.message ? `: ${o.verdict.message}` : ''}`;
    return [...src.map((s) => `  source ${s}`), main].join('\n');
  }

  const guardTrust = <P, R>(fn: (p: P, token: CancellationToken) => Promise<R>) => async (p: P, token: CancellationToken): Promise<R> => {
    if (!trusted()) throw new ResponseError(ErrorCodes.InvalidRequest, UNTRUSTED_MESSAGE);
    try {
      return await fn(p, token);
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      throw new ResponseError(ErrorCodes.InternalError, `fluxhelm: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  connection.onRequest(ClusterStateRequest.method, guardTrust(async () => {
    await ensureHost();
    return state();
  }));

  connection.onRequest(ContextsRequest.method, guardTrust(async (): Promise<ContextsResult> => {
    const r = (await import('./cluster-host.ts')).listContexts();
    if (!r.ok) return { contexts: [], error: r.error.message };
    return { current: host?.context ?? r.value.current, contexts: r.value.contexts.map((c) => ({ name: c.name, cluster: c.cluster, ...(c.namespace ? { namespace: c.namespace } : {}) })) };
  }));

  connection.onRequest(SetContextRequest.method, guardTrust(async (p: { context: string }): Promise<ClusterState> => {
    informer?.stop();
    informer = undefined;
    host = undefined;
    hostError = undefined;
    context = p.context || undefined;
    await ensureHost();
    scheduleRefresh(new Set(lastPublished.keys()));
    return state();
  }));

  connection.onRequest(PlanRequest.method, guardTrust(async (p: PlanParams): Promise<PlanResult> => {
    const h = await requireHost();
    const o = targetOf(p);
    const plan = planObject(deps.service.workspace!, o, h.namespace);
    const objects = await mapLimit(plan.apply, 8, async (pl): Promise<PlannedChange> => {
      const d = await dryRunDiff(h, pl.object);
      const object = label({ kind: pl.object.kind, name: pl.object.metadata.name, namespace: pl.object.metadata.namespace });
      if (!d.ok) return { object, change: 'error', fields: [], secret: pl.secret, conflicts: [], message: describeError(d.error, h.context) };
      const change = !d.value.live ? 'create' : d.value.changes.length ? 'change' : 'unchanged';
      return { object, change, fields: d.value.changes.map((c) => c.path), secret: pl.secret, conflicts: d.value.conflicts.map((c) => `${c.field} (${c.manager})`) };
    });
    const reconcile = plan.waves.flat().flatMap((t) => [...(p.withSource ? t.sources.map(label) : []), label(t.ref)]);
    return { context: h.context, target: label(refOf(o, h.namespace)), objects, reconcile, notes: plan.notes };
  }));

  connection.onRequest(ReconcileRequest.method, guardTrust(async (p: ReconcileParams, token): Promise<ReconcileResult> => {
    const h = await requireHost();
    const ws = deps.service.workspace!;
    const o = targetOf(p);
    const plan = planObject(ws, o, h.namespace);
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    const toApply = plan.apply.filter((x) => !x.secret || p.includeSecrets);
    progress(p.progressToken, `applying ${toApply.length} object(s) to ${h.context}`);
    const applied = await applyAll(h, toApply, { force: p.forceConflicts, signal: ac.signal });
    const lines: string[] = [];
    const problems = applied.map((a) => ({
      indexed: a.planned.indexed,
      problems: !a.result.ok && a.result.error.kind === 'invalid' ? causeDiagnostics(ws, a.planned.indexed, a.result.error.causes, a.result.error.message) : [],
    }));
    rememberApplyProblems(problems);
    for (const a of applied) if (!a.result.ok) lines.push(`✗ ${label(refOf(a.planned.indexed, h.namespace))}: ${describeError(a.result.error, h.context)}`);
    if (lines.length) return { ok: false, lines, summary: `${lines.length} object(s) could not be applied; no reconcile was requested` };
    const skipped = plan.apply.length - toApply.length;
    attachApplied(plan.waves, applied);
    const outcomes = await reconcileWaves(h, plan.waves, {
      withSource: p.withSource, force: p.force, reset: p.reset, wait: true, timeoutMs: p.timeoutMs, signal: ac.signal,
      onProgress: (ref, pr) => progress(p.progressToken, `${label(ref)}: ${pr.detail}`),
    });
    for (const out of outcomes) lines.push(outcomeLine(out));
    const ok = outcomes.every((x) => !x.error && x.verdict?.state === 'ready');
    const summary = `${ok ? 'Reconciled' : 'Reconcile failed:'} ${lines[lines.length - 1]!.replace(/^[✔✗◎] /, '')}${skipped ? ` (${skipped} Secret(s) not applied)` : ''}`;
    return { ok, lines, summary };
  }));

  connection.onRequest(SuspendRequest.method, guardTrust(async (p: SuspendParams, token): Promise<ReconcileResult> => {
    const h = await requireHost();
    const ref = refOf(targetOf(p), h.namespace);
    if (p.suspend) {
      const r = await suspend(h, ref);
      return r.ok ? { ok: true, lines: [`${label(ref)} suspended`], summary: `Suspended ${label(ref)}` } : { ok: false, lines: [describeError(r.error, h.context)], summary: describeError(r.error, h.context) };
    }
    const r = await resume(h, ref, Date.now());
    if (!r.ok) return { ok: false, lines: [describeError(r.error, h.context)], summary: describeError(r.error, h.context) };
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    const w = await waitForReconcile(h, ref, r.value.requestedAt, { signal: ac.signal, onProgress: (pr) => progress(p.progressToken, pr.detail) });
    if (!w.ok) return { ok: false, lines: [describeError(w.error, h.context)], summary: `Resumed ${label(ref)}; ${w.error.message}` };
    const ready = w.value.state === 'ready';
    const text = ready ? `Resumed ${label(ref)}: Ready` : `Resumed ${label(ref)}: ${w.value.reason ?? 'not ready'}: ${w.value.message ?? ''}`;
    return { ok: ready, lines: [text], summary: text };
  }));

  connection.onRequest(DiffRequest.method, guardTrust(async (p: TargetParams): Promise<DiffResult> => {
    const h = await requireHost();
    const o = targetOf(p);
    const planned = planObject(deps.service.workspace!, o, h.namespace).apply.find((x) => x.indexed === o);
    if (!planned) throw new ResponseError(ErrorCodes.InvalidParams, `fluxhelm: ${o.kind} ${o.name} is not applied by fluxhelm (generated or a patch)`);
    const d = await dryRunDiff(h, planned.object);
    if (!d.ok) throw new ResponseError(ErrorCodes.InvalidRequest, `fluxhelm: ${describeError(d.error, h.context)}`);
    const secret = planned.secret;
    return {
      target: label(refOf(o, h.namespace)),
      live: d.value.liveManaged ? stringify(maskSecret(d.value.liveManaged, secret)) : '',
      workspace: stringify(maskSecret(d.value.predictedManaged, secret)),
      changes: d.value.changes.length,
      conflicts: d.value.conflicts.map((c) => `${c.field} (${c.manager})`),
    };
  }));

  connection.onRequest(StatusRequest.method, guardTrust(async (p: TargetParams): Promise<StatusResult> => {
    const h = await requireHost();
    const ref = refOf(targetOf(p), h.namespace);
    const live = await h.get(ref);
    const lines: string[] = [`${label(ref)} in context ${h.context}`, ''];
    if (!live.ok) {
      lines.push(live.error.kind === 'not-found' ? 'Not in the cluster.' : describeError(live.error, h.context));
      return { target: label(ref), text: lines.join('\n') };
    }
    const now = Date.now();
    const s = summarize(live.value);
    lines.push(`Status: ${statusTitle(s, now)}`, '', 'Conditions:');
    for (const c of conditionsOf(live.value)) lines.push(`  ${c.type}=${c.status} ${c.reason ?? ''} (${ago(c.lastTransitionTime, now) ?? '?'}): ${c.message ?? ''}`);
    const st = (live.value.status ?? {}) as Record<string, unknown>;
    for (const k of ['lastAttemptedRevision', 'lastAttemptedConfigDigest', 'lastHandledReconcileAt', 'failures', 'installFailures', 'upgradeFailures']) {
      if (st[k] !== undefined) lines.push(`${k}: ${String(st[k])}`);
    }
    const history = Array.isArray(st.history) ? (st.history as { chartName?: string; chartVersion?: string; appVersion?: string; status?: string; version?: number }[]) : [];
    if (history.length) {
      lines.push('', 'History:');
      for (const hh of history.slice(0, 5)) lines.push(`  #${hh.version ?? '?'} ${hh.chartName ?? ''}@${hh.chartVersion ?? ''}${hh.appVersion ? ` (app ${hh.appVersion})` : ''}: ${hh.status ?? ''}`);
    }
    const ev = await h.events(ref);
    lines.push('', 'Recent events:');
    if (!ev.ok) lines.push(`  (cannot read events: ${describeError(ev.error, h.context)})`);
    else if (ev.value.length === 0) lines.push('  none');
    else for (const e of ev.value.slice(-15)) lines.push(`  ${ago(e.lastSeen, now) ?? '?'} ${e.type} ${e.reason}${e.count > 1 ? ` (x${e.count})` : ''}${e.source ? ` [${e.source}]` : ''}: ${e.message}`);
    return { target: label(ref), text: `${lines.join('\n')}\n` };
  }));

  // The code lens is registered dynamically, so the lead's static capabilities stay as they are.
  void connection.client.register(CodeLensRequest.type, { documentSelector: [{ language: 'yaml' }], resolveProvider: false }).catch(() => undefined);
  connection.onCodeLens((p): CodeLens[] => {
    const extra = deps.extraLenses?.(p.textDocument.uri) ?? [];
    if (!trusted()) return extra;
    void ensureHost();
    const ws = deps.service.workspace;
    const path = uriToPath(p.textDocument.uri);
    if (!ws || !path) return extra;
    const lines = ws.lines(path);
    if (!lines) return extra;
    const lenses: CodeLens[] = [];
    const now = Date.now();
    for (const o of ws.index.objectsIn(path)) {
      if (!isReconcilable(o)) continue;
      const pos = lines.positionAt(o.nameOffset ?? o.start);
      const range = { start: { line: lines.positionAt(o.start).line, character: 0 }, end: { line: lines.positionAt(o.start).line, character: 0 } };
      const args = [p.textDocument.uri, pos];
      lenses.push({ range, command: { title: 'Reconcile', command: 'fluxhelm.reconcile', arguments: args } });
      lenses.push({ range, command: { title: 'Diff', command: 'fluxhelm.diffWithCluster', arguments: args } });
      let title: string;
      if (host && informer?.synced) title = statusTitle(summarize(informer.get(refOf(o, host.namespace))), now);
      else if (hostError) title = 'Cluster: not connected';
      else title = 'Cluster: …';
      lenses.push({ range, command: { title, command: host ? 'fluxhelm.showStatus' : 'fluxhelm.switchContext', arguments: host ? args : [] } });
    }
    return [...extra, ...lenses];
  });

  const features: ClusterFeatures = {
    diagnosticsFor(uri) {
      if (!trusted()) return [];
      const ws = deps.service.workspace;
      const path = uriToPath(uri);
      const out: Diagnostic[] = [...(applyProblems.get(uri) ?? [])];
      if (!ws || !path || !host || !informer) return out;
      for (const o of ws.index.objectsIn(path)) {
        if (!isReconcilable(o)) continue;
        out.push(...conditionDiagnostics(ws, o, informer.get(refOf(o, host.namespace))));
      }
      return out;
    },
    state,
    dispose() {
      disposed = true;
      informer?.stop();
      if (refreshTimer) clearTimeout(refreshTimer);
    },
  };
  log('fluxhelm cluster features registered');
  if (trusted()) void ensureHost();
  return features;
}

