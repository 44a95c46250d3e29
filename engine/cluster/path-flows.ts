/**
 * Cluster use cases over a folder or a named release (what `fluxhelm diff`,
 * `reconcile` and `status` do, and any other front end that works on paths):
 * the objects below a path as they would be applied, their dry-run diffs as
 * printable lines, applying a plan, reconciling it in dependsOn order, and
 * the status rows of the Flux objects below a path. Lines carry the file and
 * line of the object they are about (`display` turns paths into what the
 * user typed). Data in, data out.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { describeError, type ClusterHost, type ObjectRef } from './host.ts';
import { dryRunDiff, type DryRunDiff } from './diff.ts';
import { isReconcilable, planObject, planPath, refOf, type PlannedObject, type ReconcilePlan, type ReconcileTarget } from './plan.ts';
import { applyAll, findOrphans, mapLimit, reconcileWaves, type TargetOutcome } from './run.ts';
import { ago, causeDiagnostics, summarize, type StatusSummary } from './conditions.ts';
import type { ClusterError, ClusterResult } from './types.ts';
import type { Clock } from '../host.ts';
import { changeLines, label } from './words.ts';

export type Display = (path: string) => string;

/** `file:line:col: error: message` lines for an error about a workspace object (validation causes at their field). */
export function errorLines(ws: Workspace, o: IndexedObject, e: ClusterError, context: string, display: Display): string[] {
  const rel = display(o.file);
  if (e.kind === 'invalid') return causeDiagnostics(ws, o, e.causes, e.message).map((d) => `${rel}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
  const line = (ws.lines(o.file)?.positionAt(o.nameOffset ?? o.start).line ?? 0) + 1;
  return [`${rel}:${line}:1: error: ${label(o)}: ${describeError(e, context)}`];
}

/** Everything below `target` that would be applied: the reconcile plan, then the folder's other objects. */
export function objectsBelow(ws: Workspace, target: string, defaultNamespace: string): PlannedObject[] {
  const planned = [...planPath(ws, target, defaultNamespace).apply];
  const inPlan = new Set(planned.map((p) => p.indexed));
  const folder = target.replace(/\/+$/, '');
  for (const o of ws.index.allObjects()) {
    if (inPlan.has(o) || !(o.file === folder || o.file.startsWith(`${folder}/`))) continue;
    const single = planObject(ws, o, defaultNamespace).apply.find((p) => p.indexed === o);
    if (single) planned.push(single);
  }
  return planned;
}

export interface DiffReport {
  /** Lines for stdout: `► Kind/ns/name changed` and the field lines. */
  out: string[];
  /** Lines for stderr: errors at their file and line. */
  err: string[];
  changed: number;
  errors: number;
  /** Some planned object has fields another manager owns. */
  conflicts: boolean;
}

/** Dry-run diffs of the planned objects (eight at a time), as lines. */
export async function diffReport(ws: Workspace, conn: ClusterHost, planned: PlannedObject[], display: Display): Promise<DiffReport> {
  const rows: { planned: PlannedObject; result: ClusterResult<DryRunDiff> }[] = await mapLimit(planned, 8, async (p) => ({ planned: p, result: await dryRunDiff(conn, p.object) }));
  const report: DiffReport = { out: [], err: [], changed: 0, errors: 0, conflicts: false };
  for (const { planned: p, result } of rows) {
    const name = label({ kind: p.object.kind, name: p.object.metadata.name, namespace: p.object.metadata.namespace });
    if (!result.ok) {
      report.errors++;
      report.err.push(...errorLines(ws, p.indexed, result.error, conn.context, display));
      continue;
    }
    const d = result.value;
    if (d.conflicts.length) report.conflicts = true;
    if (!d.live) {
      report.changed++;
      report.out.push(`► ${name} created`);
      continue;
    }
    if (d.changes.length === 0 && d.conflicts.length === 0) continue;
    report.changed++;
    report.out.push(`► ${name} ${d.changes.length ? 'changed' : 'unchanged, with conflicts'}`, ...changeLines(d.changes, p.secret));
    for (const c of d.conflicts) report.out.push(`  ! ${c.field} is owned by field manager "${c.manager}"${c.operation ? ` (${c.operation})` : ''}; applying needs --force-conflicts`);
  }
  return report;
}

/** Objects the cluster has that the workspace no longer does, as lines (nothing is deleted). */
export async function orphanLines(ws: Workspace, conn: ClusterHost, scope: PlannedObject[]): Promise<{ out: string[]; err: string[] }> {
  const orphans = await findOrphans(conn, [...ws.index.allObjects()], scope.map((p) => p.indexed), conn.namespace);
  if (!orphans.ok) return { out: [], err: [`fluxhelm: could not look for objects missing from the workspace: ${describeError(orphans.error, conn.context)}`] };
  return { out: orphans.value.map((o) => `◎ ${label(o.ref)} is in the cluster but not in the workspace (${o.why}); fluxhelm does not delete it`), err: [] };
}

export interface PathPlan {
  plan: ReconcilePlan;
  planned: PlannedObject[];
  /** Said before anything happens (e.g. a release that is not in the workspace). */
  notes: string[];
}

/** The plan for a folder, or for one HelmRelease `NAMESPACE/NAME` (a reconcile request only when the workspace lacks it). */
export async function planFor(ws: Workspace, conn: ClusterHost, target: { path?: string; release?: string }): Promise<PathPlan | { error: string; usage?: boolean }> {
  if (target.release) {
    const m = /^(?:([^/]+)\/)?([^/]+)$/.exec(target.release);
    if (!m) return { error: '--release takes NAMESPACE/NAME', usage: true };
    const namespace = m[1] ?? conn.namespace;
    const found = [...ws.index.allObjects()].find((o) => o.kind === 'HelmRelease' && o.name === m[2] && (o.namespace ?? conn.namespace) === namespace);
    if (found) {
      const plan = planObject(ws, found, conn.namespace);
      return { plan, planned: plan.apply, notes: [] };
    }
    const ref: ObjectRef = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: m[2]!, namespace };
    const live = await conn.get(ref);
    if (!live.ok) return { error: `${label(ref)}: ${describeError(live.error, conn.context)}` };
    const spec = live.value.spec as { chart?: { spec?: { sourceRef?: { kind: string; name: string; namespace?: string } } }; chartRef?: { kind: string; name: string; namespace?: string } } | undefined;
    const sources: ObjectRef[] = [];
    const src = spec?.chart?.spec?.sourceRef ?? spec?.chartRef;
    if (src) sources.push({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: src.kind, name: src.name, namespace: src.namespace || namespace });
    if (spec?.chart) sources.push({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', name: `${namespace}-${m[2]}`, namespace: spec.chart.spec?.sourceRef?.namespace || namespace });
    const t: ReconcileTarget = { ref, sources, dependsOn: [] };
    return { plan: { apply: [], waves: [[t]], notes: [] }, planned: [], notes: [`${label(ref)} is not in the workspace: requesting a reconcile only`] };
  }
  const path = target.path ?? '.';
  return { plan: planPath(ws, path, conn.namespace), planned: objectsBelow(ws, path, conn.namespace), notes: [] };
}

/** Applies planned objects; error lines name the file and line of each object the API server refused. */
export async function applyPlanned(ws: Workspace, conn: ClusterHost, planned: PlannedObject[], opts: { force?: boolean; signal?: AbortSignal }, display: Display): Promise<{ applied: number; err: string[] }> {
  const results = await applyAll(conn, planned, opts);
  const err: string[] = [];
  for (const a of results) if (!a.result.ok) err.push(...errorLines(ws, a.planned.indexed, a.result.error, conn.context, display));
  return { applied: results.filter((a) => a.result.ok).length, err };
}

export interface WaveOptions {
  withSource?: boolean;
  force?: boolean;
  reset?: boolean;
  wait?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  onProgress?: (line: string) => void;
  onOutcome?: (o: TargetOutcome) => void;
}

export function reconcilePlan(conn: ClusterHost, plan: ReconcilePlan, o: WaveOptions): Promise<TargetOutcome[]> {
  return reconcileWaves(conn, plan.waves, {
    withSource: o.withSource, force: o.force, reset: o.reset, wait: o.wait, timeoutMs: o.timeoutMs, signal: o.signal, clock: o.clock,
    onProgress: (ref, p) => o.onProgress?.(`◎ ${label(ref)}: ${p.detail}`),
    onOutcome: o.onOutcome,
  });
}

export interface StatusRow {
  object: string;
  ready: StatusSummary['ready'];
  suspended: boolean;
  reason?: string;
  version?: string;
  since?: string;
  message?: string;
  error?: string;
  events?: string[];
}

/** The cluster's view of every Flux object below a folder. */
export function statusRows(ws: Workspace, conn: ClusterHost, folder: string, opts: { events?: boolean }): Promise<StatusRow[]> {
  const dir = folder.replace(/\/+$/, '');
  const patchFiles = ws.patchFiles();
  const objects = [...ws.index.allObjects()]
    .filter((o) => isReconcilable(o) && !patchFiles.has(o.file) && (o.file === dir || o.file.startsWith(`${dir}/`)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  return mapLimit(objects, 8, async (o): Promise<StatusRow> => {
    const ref = refOf(o, conn.namespace);
    const row: StatusRow = { object: label(ref), ready: 'missing', suspended: false };
    const live = await conn.get(ref);
    if (!live.ok && live.error.kind !== 'not-found') return { ...row, error: describeError(live.error, conn.context) };
    const s = summarize(live.ok ? live.value : undefined);
    Object.assign(row, { ready: s.ready, suspended: s.suspended });
    if (s.stalled?.reason ?? s.reason) row.reason = s.stalled?.reason ?? s.reason;
    if (s.version) row.version = s.version;
    if (s.since) row.since = s.since;
    if (s.stalled?.message ?? s.message) row.message = s.stalled?.message ?? s.message;
    if (opts.events && live.ok && s.ready !== 'True') {
      const ev = await conn.events(ref);
      if (ev.ok) row.events = ev.value.slice(-5).map((e) => `${e.type} ${e.reason}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`);
    }
    return row;
  });
}

/** One text line per status row. */
export function statusLine(r: StatusRow, nowMs: number): string {
  const state = r.ready === 'missing' ? 'not in cluster' : r.suspended ? 'suspended' : r.ready === 'True' ? 'Ready' : r.ready === 'False' ? 'Not ready' : 'Unknown';
  const when = ago(r.since, nowMs);
  return `${r.object}  ${state}${r.reason ? ` ${r.reason}` : ''}${r.version ? `  ${r.version}` : ''}${when ? `  (${when})` : ''}${r.message ? `  ${r.message}` : ''}`;
}
