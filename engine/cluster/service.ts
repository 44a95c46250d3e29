/**
 * The cluster verbs of the façade, for every front end: the connection
 * (kubeconfig context through `host.cluster`), a live informer of the Flux
 * objects the workspace has, and the use cases: plan (what an apply would
 * change), reconcile (apply, request, wait), suspend/resume, diff, status
 * with events, lenses and condition diagnostics. Nothing happens in an
 * untrusted workspace: every verb answers with `UNTRUSTED_MESSAGE`.
 * Answers are data (`{ error }` for a refused request); nothing throws.
 */
import { stringify } from 'yaml';
import type { EngineHost } from '../host.ts';
import type { CodeLens, Diagnostic, Position } from '../types.ts';
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { pathToUri, uriToPath } from '../util/uri.ts';
import { describeError, type ClusterHost } from './host.ts';
import { dryRunDiff } from './diff.ts';
import { isReconcilable, objectKey, planObject, refOf } from './plan.ts';
import { applyAll, attachApplied, mapLimit, reconcileWaves } from './run.ts';
import { resume, suspend } from './reconcile.ts';
import { waitForReconcile } from './wait.ts';
import { startInformer, type Informer } from './informer.ts';
import { ago, causeDiagnostics, conditionDiagnostics, conditionsOf, statusTitle, summarize } from './conditions.ts';
import { label, maskSecret, outcomeLines } from './words.ts';
import type { ClusterConnectOptions } from './connector.ts';
import type { Capabilities } from '../render/release-request.ts';
import type { PlannedObject, ReconcilePlan } from './plan.ts';
import type { TargetOutcome } from './run.ts';
import { applyPlanned, diffReport, orphanLines, planFor, reconcilePlan, statusRows, type DiffReport, type Display, type PathPlan, type StatusRow, type WaveOptions } from './path-flows.ts';
import type { ClusterResult } from './types.ts';
import { renderDiffFlow, type RenderDiffAnswer, type RenderDiffDeps } from './render-diff.ts';
import type { RenderDiffParams, RenderedDiff } from '../diff/types.ts';

export const UNTRUSTED_MESSAGE = 'fluxhelm: the workspace must be trusted before fluxhelm can reach a cluster.';

/** Which workspace object: the document and a position inside the object (default: the first object). */
export interface TargetParams {
  uri: string;
  position?: Position;
}
export interface ClusterState {
  context?: string;
  namespace?: string;
  /** Why there is no cluster connection (no kubeconfig, unknown context…). */
  error?: string;
}
export interface ContextsResult {
  current?: string;
  contexts: { name: string; cluster: string; namespace?: string }[];
  error?: string;
}
export interface PlannedChange {
  /** `Kind/namespace/name`. */
  object: string;
  change: 'create' | 'change' | 'unchanged' | 'error';
  fields: string[];
  secret: boolean;
  /** Fields another field manager owns: `.spec.x (kubectl-edit)`. */
  conflicts: string[];
  message?: string;
}
export interface PlanParams extends TargetParams {
  withSource?: boolean;
}
export interface PlanResult {
  context: string;
  target: string;
  objects: PlannedChange[];
  /** Objects reconciled after the apply, in order. */
  reconcile: string[];
  notes: string[];
}
export interface ReconcileParams extends TargetParams {
  withSource?: boolean;
  force?: boolean;
  reset?: boolean;
  /** Apply the Secrets of the plan too (the user agreed). */
  includeSecrets?: boolean;
  /** Take over fields other field managers own (the user agreed). */
  forceConflicts?: boolean;
  /** Id for progress messages about this request. */
  progressToken?: string;
  timeoutMs?: number;
}
export interface ReconcileResult {
  ok: boolean;
  /** One line per object: `✔ HelmRelease/ns/name: Ready (…)`. */
  lines: string[];
  summary: string;
}
export interface SuspendParams extends TargetParams {
  suspend: boolean;
  progressToken?: string;
}
export interface DiffResult {
  target: string;
  /** YAML of the live object's fields fluxhelm manages ('' when it does not exist). */
  live: string;
  /** YAML of the same fields as applying the workspace would store them. */
  workspace: string;
  changes: number;
  conflicts: string[];
}
export interface StatusResult {
  target: string;
  text: string;
}
/** A request the cluster service refused or could not answer. */
export interface Refused {
  refused: true;
  error: string;
  /** The request named something that is not there (invalid params), rather than a cluster/trust problem. */
  invalid?: boolean;
}
export type Answer<T> = T | Refused;
export const isRefused = <T>(a: Answer<T>): a is Refused => typeof a === 'object' && a !== null && (a as Refused).refused === true;
const refuse = (error: string, invalid = false): Refused => ({ refused: true, error, ...(invalid ? { invalid } : {}) });

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface ClusterService {
  state(): ClusterState;
  /** Connects (once) and returns the state. */
  ensureConnected(): Promise<ClusterState>;
  contexts(): Promise<Answer<ContextsResult>>;
  setContext(context: string): Promise<Answer<ClusterState>>;
  plan(p: PlanParams): Promise<Answer<PlanResult>>;
  reconcile(p: ReconcileParams, run?: RunOptions): Promise<Answer<ReconcileResult>>;
  suspend(p: SuspendParams, run?: RunOptions): Promise<Answer<ReconcileResult>>;
  diff(p: TargetParams): Promise<Answer<DiffResult>>;
  status(p: TargetParams): Promise<Answer<StatusResult>>;
  /** A HelmRelease's rendered objects against its live Helm release (the release Secret's manifest and hooks). */
  renderDiff(p: RenderDiffParams): Promise<Answer<RenderedDiff>>;
  lenses(uri: string): CodeLens[];
  diagnosticsFor(uri: string): Diagnostic[];
  /** A connection for the CLI's own flows (explicit kubeconfig/context/namespace). */
  connectWith(opts: ClusterConnectOptions): Promise<ClusterResult<ClusterHost>>;
  /** `.Capabilities` of the connected cluster (trusted workspace), for rendering; undefined without a connection. */
  capabilities(): Promise<Capabilities | undefined>;
  /** Use cases over a folder or a named release, on a connection the caller made with connectWith. */
  readonly paths: PathFlows;
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

export interface PathFlows {
  plan(conn: ClusterHost, target: { path?: string; release?: string }): Promise<PathPlan | { error: string; usage?: boolean }>;
  diff(conn: ClusterHost, planned: PlannedObject[], display: Display): Promise<DiffReport>;
  orphans(conn: ClusterHost, planned: PlannedObject[]): Promise<{ out: string[]; err: string[] }>;
  apply(conn: ClusterHost, planned: PlannedObject[], opts: { force?: boolean; signal?: AbortSignal }, display: Display): Promise<{ applied: number; err: string[] }>;
  reconcile(conn: ClusterHost, plan: ReconcilePlan, opts: WaveOptions): Promise<TargetOutcome[]>;
  status(conn: ClusterHost, folder: string, opts: { events?: boolean }): Promise<StatusRow[]>;
  /** The rendered diff against the live Helm releases of the HelmReleases below a path (or one named release). */
  renderDiff(conn: ClusterHost, p: RenderDiffParams): Promise<RenderDiffAnswer>;
}

interface ClusterSettings {
  trusted: boolean;
}

export function createClusterService(host: EngineHost, workspace: () => Workspace | undefined, settings: ClusterSettings, emit: (e: { uris: string[]; lenses?: boolean }) => void, deps?: RenderDiffDeps): ClusterService {
  let context: string | undefined;
  let conn: ClusterHost | undefined;
  let connError: string | undefined;
  let connecting: Promise<ClusterHost | undefined> | undefined;
  let informer: Informer | undefined;
  const applyProblems = new Map<string, Diagnostic[]>();
  let lastPublished = new Map<string, string>();
  let refreshTimer: unknown;
  const pending = new Set<string>();
  let disposed = false;
  const trusted = () => settings.trusted;

  const state = (): ClusterState => {
    if (conn) return { context: conn.context, namespace: conn.namespace };
    return connError ? { error: connError, ...(context ? { context } : {}) } : {};
  };

  function workspaceNamespaces(): string[] {
    const out = new Set<string>();
    for (const o of workspace()?.index.allObjects() ?? []) if (isReconcilable(o)) out.add(o.namespace || conn?.namespace || 'default');
    return [...out];
  }

  function urisOf(keys: string[]): Set<string> {
    const wanted = new Set(keys);
    const uris = new Set<string>();
    for (const o of workspace()?.index.allObjects() ?? []) if (isReconcilable(o) && wanted.has(objectKey(o, conn?.namespace ?? 'default'))) uris.add(pathToUri(o.file));
    return uris;
  }

  function flush(): void {
    refreshTimer = undefined;
    const now = new Map(lastPublished);
    const changed: string[] = [];
    for (const uri of pending) {
      const text = JSON.stringify(service.diagnosticsFor(uri));
      if ((lastPublished.get(uri) ?? '[]') !== text) {
        now.set(uri, text);
        changed.push(uri);
      }
    }
    lastPublished = now;
    pending.clear();
    emit({ uris: changed, lenses: true });
  }

  function scheduleRefresh(uris: Iterable<string>): void {
    for (const u of uris) pending.add(u);
    if (refreshTimer !== undefined) return;
    if (host.clock) refreshTimer = host.clock.setTimeout(flush, 200);
    else flush();
  }

  async function ensureHost(): Promise<ClusterHost | undefined> {
    if (!trusted() || disposed) return undefined;
    if (conn) return conn;
    if (!host.cluster) {
      connError = 'this front end cannot reach clusters';
      return undefined;
    }
    const connector = host.cluster;
    connecting ??= (async () => {
      const r = await connector.connect(context ? { context } : {});
      connecting = undefined;
      if (!r.ok) {
        connError = r.error.message;
        emit({ uris: [], lenses: true });
        return undefined;
      }
      conn = r.value;
      connError = undefined;
      if (host.clock) {
        informer = startInformer(conn, WATCHED_KINDS, {
          clock: host.clock,
          namespaces: workspaceNamespaces,
          onChange: (keys) => scheduleRefresh(urisOf(keys)),
          onError: () => undefined,
        });
      }
      emit({ uris: [], lenses: true });
      return conn;
    })();
    return connecting;
  }

  async function requireHost(): Promise<ClusterHost | Refused> {
    if (!trusted()) return refuse(UNTRUSTED_MESSAGE);
    const h = await ensureHost();
    return h ?? refuse(`fluxhelm: no cluster connection: ${connError ?? 'no kubeconfig'}`);
  }

  function targetOf(p: TargetParams): IndexedObject | Refused {
    const ws = workspace();
    const path = typeof p?.uri === 'string' ? uriToPath(p.uri) : undefined;
    const objects = path && ws ? ws.index.objectsIn(path) : [];
    if (!ws || objects.length === 0) return refuse('fluxhelm: this document holds no Kubernetes object of the workspace', true);
    if (!p.position) return objects[0]!;
    const offset = ws.lines(path!)?.offsetAt(p.position) ?? 0;
    return objects.find((o) => o.start <= offset && offset < Math.max(o.end, o.start + 1)) ?? objects.filter((o) => o.start <= offset).pop() ?? objects[0]!;
  }

  /** Runs a verb with a connection and its target object, or answers why not. */
  async function withTarget<T>(p: TargetParams, fn: (h: ClusterHost, o: IndexedObject, ws: Workspace) => Promise<Answer<T>>): Promise<Answer<T>> {
    const h = await requireHost();
    if (isRefused(h)) return h;
    const o = targetOf(p);
    if (isRefused(o)) return o;
    return fn(h, o, workspace()!);
  }

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
    scheduleRefresh(byUri.keys());
  }

  const service: ClusterService = {
    state,
    async ensureConnected() {
      await ensureHost();
      return state();
    },
    async contexts() {
      if (!trusted()) return refuse(UNTRUSTED_MESSAGE);
      if (!host.cluster) return { contexts: [], error: 'this front end cannot reach clusters' };
      const r = await host.cluster.listContexts();
      if (!r.ok) return { contexts: [], error: r.error.message };
      return { current: conn?.context ?? r.value.current, contexts: r.value.contexts.map((c) => ({ name: c.name, cluster: c.cluster, ...(c.namespace ? { namespace: c.namespace } : {}) })) };
    },
    async setContext(next) {
      if (!trusted()) return refuse(UNTRUSTED_MESSAGE);
      informer?.stop();
      informer = undefined;
      conn = undefined;
      connError = undefined;
      context = typeof next === 'string' && next ? next : undefined;
      await ensureHost();
      scheduleRefresh(lastPublished.keys());
      return state();
    },
    plan: (p) => withTarget(p, async (h, o, ws): Promise<PlanResult> => {
      const plan = planObject(ws, o, h.namespace);
      const objects = await mapLimit(plan.apply, 8, async (pl): Promise<PlannedChange> => {
        const d = await dryRunDiff(h, pl.object);
        const object = label({ kind: pl.object.kind, name: pl.object.metadata.name, namespace: pl.object.metadata.namespace });
        if (!d.ok) return { object, change: 'error', fields: [], secret: pl.secret, conflicts: [], message: describeError(d.error, h.context) };
        const change = !d.value.live ? 'create' : d.value.changes.length ? 'change' : 'unchanged';
        return { object, change, fields: d.value.changes.map((c) => c.path), secret: pl.secret, conflicts: d.value.conflicts.map((c) => `${c.field} (${c.manager})`) };
      });
      const reconcile = plan.waves.flat().flatMap((t) => [...(p.withSource ? t.sources.map(label) : []), label(t.ref)]);
      return { context: h.context, target: label(refOf(o, h.namespace)), objects, reconcile, notes: plan.notes };
    }),
    reconcile: (p, run = {}) => withTarget(p, async (h, o, ws): Promise<ReconcileResult> => {
      const plan = planObject(ws, o, h.namespace);
      const toApply = plan.apply.filter((x) => !x.secret || p.includeSecrets);
      run.onProgress?.(`applying ${toApply.length} object(s) to ${h.context}`);
      const applied = await applyAll(h, toApply, { force: p.forceConflicts, signal: run.signal });
      rememberApplyProblems(applied.map((a) => ({
        indexed: a.planned.indexed,
        problems: !a.result.ok && a.result.error.kind === 'invalid' ? causeDiagnostics(ws, a.planned.indexed, a.result.error.causes, a.result.error.message) : [],
      })));
      const lines: string[] = [];
      for (const a of applied) if (!a.result.ok) lines.push(`✗ ${label(refOf(a.planned.indexed, h.namespace))}: ${describeError(a.result.error, h.context)}`);
      if (lines.length) return { ok: false, lines, summary: `${lines.length} object(s) could not be applied; no reconcile was requested` };
      const skipped = plan.apply.length - toApply.length;
      attachApplied(plan.waves, applied);
      const outcomes = await reconcileWaves(h, plan.waves, {
        withSource: p.withSource, force: p.force, reset: p.reset, wait: true, timeoutMs: p.timeoutMs, signal: run.signal, clock: host.clock,
        onProgress: (ref, pr) => run.onProgress?.(`${label(ref)}: ${pr.detail}`),
      });
      for (const out of outcomes) lines.push(...outcomeLines(out));
      const ok = outcomes.every((x) => !x.error && x.verdict?.state === 'ready');
      const summary = `${ok ? 'Reconciled' : 'Reconcile failed:'} ${lines[lines.length - 1]!.replace(/^[✔✗◎] /, '')}${skipped ? ` (${skipped} Secret(s) not applied)` : ''}`;
      return { ok, lines, summary };
    }),
    suspend: (p, run = {}) => withTarget(p, async (h, o): Promise<ReconcileResult> => {
      const ref = refOf(o, h.namespace);
      const failed = (e: Parameters<typeof describeError>[0]) => ({ ok: false, lines: [describeError(e, h.context)], summary: describeError(e, h.context) });
      if (p.suspend) {
        const r = await suspend(h, ref);
        return r.ok ? { ok: true, lines: [`${label(ref)} suspended`], summary: `Suspended ${label(ref)}` } : failed(r.error);
      }
      const r = await resume(h, ref, host.now());
      if (!r.ok) return failed(r.error);
      const w = await waitForReconcile(h, ref, r.value.requestedAt, { clock: host.clock, signal: run.signal, onProgress: (pr) => run.onProgress?.(pr.detail) });
      if (!w.ok) return { ok: false, lines: [describeError(w.error, h.context)], summary: `Resumed ${label(ref)}; ${w.error.message}` };
      const ready = w.value.state === 'ready';
      const text = ready ? `Resumed ${label(ref)}: Ready` : `Resumed ${label(ref)}: ${w.value.reason ?? 'not ready'}: ${w.value.message ?? ''}`;
      return { ok: ready, lines: [text], summary: text };
    }),
    diff: (p) => withTarget(p, async (h, o, ws): Promise<Answer<DiffResult>> => {
      const planned = planObject(ws, o, h.namespace).apply.find((x) => x.indexed === o);
      if (!planned) return refuse(`fluxhelm: ${o.kind} ${o.name} is not applied by fluxhelm (generated or a patch)`, true);
      const d = await dryRunDiff(h, planned.object);
      if (!d.ok) return refuse(`fluxhelm: ${describeError(d.error, h.context)}`);
      return {
        target: label(refOf(o, h.namespace)),
        live: d.value.liveManaged ? stringify(maskSecret(d.value.liveManaged, planned.secret)) : '',
        workspace: stringify(maskSecret(d.value.predictedManaged, planned.secret)),
        changes: d.value.changes.length,
        conflicts: d.value.conflicts.map((c) => `${c.field} (${c.manager})`),
      };
    }),
    status: (p) => withTarget(p, async (h, o): Promise<StatusResult> => {
      const ref = refOf(o, h.namespace);
      const live = await h.get(ref);
      const lines: string[] = [`${label(ref)} in context ${h.context}`, ''];
      if (!live.ok) {
        lines.push(live.error.kind === 'not-found' ? 'Not in the cluster.' : describeError(live.error, h.context));
        return { target: label(ref), text: lines.join('\n') };
      }
      const now = host.now();
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
    }),
    async renderDiff(p) {
      const h = await requireHost();
      if (isRefused(h)) return h;
      const ws = workspace();
      if (!ws || !deps) return refuse('fluxhelm: rendering is not available in this front end');
      const r = await renderDiffFlow(ws, h, p ?? {}, deps);
      return 'error' in r ? refuse(`fluxhelm: ${r.error}`, r.usage) : r;
    },
    lenses(uri) {
      if (!trusted()) return [];
      void ensureHost();
      const ws = workspace();
      const path = uriToPath(uri);
      const lines = ws && path ? ws.lines(path) : undefined;
      if (!ws || !path || !lines) return [];
      const lenses: CodeLens[] = [];
      const now = host.now();
      for (const o of ws.index.objectsIn(path)) {
        if (!isReconcilable(o)) continue;
        const pos = lines.positionAt(o.nameOffset ?? o.start);
        const line = lines.positionAt(o.start).line;
        const range = { start: { line, character: 0 }, end: { line, character: 0 } };
        const args = [uri, pos];
        lenses.push({ range, command: { title: 'Reconcile', command: 'fluxhelm.reconcile', arguments: args } });
        lenses.push({ range, command: { title: 'Diff', command: 'fluxhelm.diffWithCluster', arguments: args } });
        let title: string;
        if (conn && informer?.synced) title = statusTitle(summarize(informer.get(refOf(o, conn.namespace))), now);
        else if (connError) title = 'Cluster: not connected';
        else title = 'Cluster: …';
        lenses.push({ range, command: { title, command: conn ? 'fluxhelm.showStatus' : 'fluxhelm.switchContext', arguments: conn ? args : [] } });
      }
      return lenses;
    },
    diagnosticsFor(uri) {
      if (!trusted()) return [];
      const ws = workspace();
      const path = uriToPath(uri);
      const out: Diagnostic[] = [...(applyProblems.get(uri) ?? [])];
      if (!ws || !path || !conn || !informer) return out;
      for (const o of ws.index.objectsIn(path)) if (isReconcilable(o)) out.push(...conditionDiagnostics(ws, o, informer.get(refOf(o, conn.namespace))));
      return out;
    },
    async connectWith(opts) {
      if (!host.cluster) return { ok: false, error: { kind: 'bad-input', message: 'this front end cannot reach clusters' } };
      return host.cluster.connect(opts);
    },
    async capabilities() {
      if (!trusted() || !conn?.capabilities) return undefined;
      return conn.capabilities();
    },
    paths: {
      plan: (c, target) => (workspace() ? planFor(workspace()!, c, target) : Promise.resolve({ error: 'no workspace', usage: true })),
      diff: (c, planned, display) => diffReport(workspace()!, c, planned, display),
      orphans: (c, planned) => orphanLines(workspace()!, c, planned),
      apply: (c, planned, opts, display) => applyPlanned(workspace()!, c, planned, opts, display),
      reconcile: (c, plan, opts) => reconcilePlan(c, plan, { clock: host.clock, ...opts }),
      status: (c, folder, opts) => statusRows(workspace()!, c, folder, opts),
      renderDiff: (c, p) => {
        const ws = workspace();
        if (!ws || !deps) return Promise.resolve({ error: ws ? 'rendering is not available in this front end' : 'no workspace', usage: !ws });
        return renderDiffFlow(ws, c, p, deps);
      },
    },
    dispose() {
      disposed = true;
      informer?.stop();
      if (refreshTimer !== undefined) host.clock?.clearTimeout(refreshTimer);
    },
  };
  return service;
}
