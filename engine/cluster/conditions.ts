/**
 * What the cluster says about a workspace object, in editor terms: a short
 * status summary (Ready, the released chart version, how long ago), the
 * code-lens title, and diagnostics placed on the object's document for
 * Ready=False, Stalled and Drifted, plus the API server's validation causes
 * placed on the YAML node of the field they name.
 */
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import { rangeForPath, type PathSeg } from '../yaml/nodes.ts';
import type { Diagnostic, Range } from '../types.ts';
import type { FieldCause, KubeObject } from './types.ts';
import { failureSite } from './failure-site.ts';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface StatusSummary {
  /** `missing`: not in the cluster. */
  ready: 'True' | 'False' | 'Unknown' | 'missing';
  reason?: string;
  message?: string;
  /** Chart version of the newest release (HelmRelease), or the artifact revision (sources). */
  version?: string;
  /** ISO time of the Ready condition's last transition. */
  since?: string;
  suspended: boolean;
  stalled?: Condition;
  drifted?: Condition;
  reconciling: boolean;
}

export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const c = (obj?.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c.filter((x) => x && typeof x === 'object') as Condition[]) : [];
}

export function summarize(obj: KubeObject | undefined): StatusSummary {
  if (!obj) return { ready: 'missing', suspended: false, reconciling: false };
  const conds = conditionsOf(obj);
  const find = (t: string) => conds.find((c) => c.type === t);
  const ready = find('Ready');
  const status = (obj.status ?? {}) as {
    history?: { chartVersion?: string }[];
    artifact?: { revision?: string };
    lastAttemptedRevision?: string;
  };
  const out: StatusSummary = {
    ready: ready?.status === 'True' ? 'True' : ready?.status === 'False' ? 'False' : 'Unknown',
    suspended: (obj.spec as { suspend?: unknown } | undefined)?.suspend === true,
    reconciling: find('Reconciling')?.status === 'True',
  };
  if (ready?.reason) out.reason = ready.reason;
  if (ready?.message) out.message = ready.message;
  if (ready?.lastTransitionTime) out.since = ready.lastTransitionTime;
  const version = status.history?.[0]?.chartVersion ?? status.lastAttemptedRevision ?? status.artifact?.revision;
  if (version) out.version = version.length > 24 ? `${version.slice(0, 21)}…` : version;
  const stalled = find('Stalled');
  if (stalled?.status === 'True') out.stalled = stalled;
  const drifted = find('Drifted');
  if (drifted?.status === 'True') out.drifted = drifted;
  return out;
}

/** "2m ago", "3h ago", "5d ago". */
export function ago(iso: string | undefined, nowMs: number): string | undefined {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return undefined;
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** The status part of the code lens: `Ready ✓ 20.11.4 (2m ago)`, `Not ready ✗ InstallFailed`, `Suspended`, `Not in cluster`. */
export function statusTitle(s: StatusSummary, nowMs: number): string {
  if (s.ready === 'missing') return 'Not in cluster';
  const when = ago(s.since, nowMs);
  const tail = [s.version, when ? `(${when})` : undefined].filter(Boolean).join(' ');
  let head: string;
  if (s.suspended) head = 'Suspended';
  else if (s.reconciling) head = 'Reconciling…';
  else if (s.ready === 'True') head = 'Ready ✓';
  else if (s.ready === 'False') head = `Not ready ✗ ${s.stalled?.reason ?? s.reason ?? ''}`.trimEnd();
  else head = 'Ready ?';
  return tail ? `${head} ${tail}` : head;
}

function nameRange(ws: Workspace, obj: IndexedObject): Range | undefined {
  const lines = ws.lines(obj.file);
  if (!lines) return undefined;
  const start = obj.nameOffset ?? obj.start;
  return lines.rangeOf(start, start + (obj.nameOffset !== undefined ? obj.name.length : 1));
}

/** The range of the field a failure message points at (failure-site.ts), when it is written in the document. */
function siteRange(ws: Workspace, obj: IndexedObject, message: string | undefined): Range | undefined {
  if (!message) return undefined;
  const path = failureSite(obj.kind, ws.index.valueOf(obj), message);
  const doc = path ? ws.index.documentOf(obj) : undefined;
  const lines = ws.lines(obj.file);
  if (!path || !doc || !lines) return undefined;
  const [start, end] = rangeForPath(doc.doc.contents, path, true);
  return lines.rangeOf(doc.start + start, doc.start + end);
}

/** Diagnostics for the cluster conditions of `live`, on the field the failure names (else the object's name). */
export function conditionDiagnostics(ws: Workspace, obj: IndexedObject, live: KubeObject | undefined): Diagnostic[] {
  if (!live) return [];
  const s = summarize(live);
  const range = siteRange(ws, obj, s.stalled?.message ?? s.message) ?? nameRange(ws, obj);
  if (!range) return [];
  const out: Diagnostic[] = [];
  const label = `${obj.kind} ${live.metadata.namespace ? `${live.metadata.namespace}/` : ''}${obj.name}`;
  if (s.stalled) {
    out.push({ range, severity: 'error', code: 'cluster-stalled', message: `In the cluster, ${label} is stalled (${s.stalled.reason ?? 'Stalled'}): ${s.stalled.message ?? ''}`.trim() });
  } else if (s.ready === 'False' && !s.suspended) {
    out.push({ range, severity: 'error', code: 'cluster-not-ready', message: `In the cluster, ${label} is not ready (${s.reason ?? 'Ready=False'}): ${s.message ?? ''}`.trim() });
  }
  if (s.drifted) {
    out.push({ range, severity: 'warning', code: 'cluster-drifted', message: `In the cluster, ${label} has drifted (${s.drifted.reason ?? 'Drifted'}): ${s.drifted.message ?? ''}`.trim() });
  }
  return out;
}

/** `spec.values.a[0].b` (the API server's field syntax) → path segments. */
export function parseFieldPath(field: string): PathSeg[] {
  const out: PathSeg[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/** Places the API server's validation causes on the YAML node they name (the document start when unknown). */
export function causeDiagnostics(ws: Workspace, obj: IndexedObject, causes: FieldCause[], message: string): Diagnostic[] {
  const doc = ws.index.documentOf(obj);
  const lines = ws.lines(obj.file);
  if (!doc || !lines) return [];
  const list = causes.length ? causes : [{ message }];
  return list.map((c) => {
    const [s, e] = c.field ? rangeForPath(doc.doc.contents, parseFieldPath(c.field)) : rangeForPath(doc.doc.contents, ['metadata', 'name']);
    const text = c.field && !c.message.startsWith(c.field) ? `${c.field}: ${c.message}` : c.message;
    return { range: lines.rangeOf(doc.start + s, doc.start + e), severity: 'error' as const, code: 'cluster-invalid', message: `The API server rejected this: ${text}` };
  });
}
