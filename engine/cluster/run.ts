/**
 * Carrying out a ReconcilePlan against a ClusterHost: server-side apply of
 * the planned objects group by group (namespaces, sources, values, targets)
 * with bounded concurrency, then reconcile requests wave by wave (sources
 * first when asked), optionally waiting for each verdict. Also the
 * information-only list of objects the cluster has that the workspace no
 * longer does. Nothing here deletes anything.
 */
import { DEFAULT_FIELD_MANAGER } from './apply.ts';
import type { ClusterHost, ObjectRef } from './host.ts';
import { objectKey, type PlannedObject, type PlanRole, type ReconcileTarget } from './plan.ts';
import { requestReconcile, type ReconcileOptions } from './reconcile.ts';
import type { Clock } from '../host.ts';
import { waitWithPickup, type ReconcileOutcome } from './pickup.ts';
import { waitForReconcile, type WaitProgress, type WaitVerdict } from './wait.ts';
import type { ClusterError, ClusterResult, KubeObject } from './types.ts';
import type { IndexedObject } from '../workspace/index.ts';

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export interface ApplyOutcome {
  planned: PlannedObject;
  result: ClusterResult<KubeObject>;
}

export interface ApplyAllOptions {
  concurrency?: number;
  force?: boolean;
  dryRun?: boolean;
  signal?: AbortSignal;
  onResult?: (o: ApplyOutcome) => void;
}

const groups: PlanRole[] = ['namespace', 'source', 'values', 'target'];

/** Applies in plan order: each role group after the previous one finished. Stops early when aborted. */
export async function applyAll(host: ClusterHost, planned: PlannedObject[], opts: ApplyAllOptions = {}): Promise<ApplyOutcome[]> {
  const out: ApplyOutcome[] = [];
  for (const g of groups) {
    const batch = planned.filter((p) => p.role === g);
    const results = await mapLimit(batch, opts.concurrency ?? 8, async (p) => {
      const result: ClusterResult<KubeObject> = opts.signal?.aborted
        ? { ok: false, error: { kind: 'cancelled', message: 'cancelled' } }
        : await host.apply(p.object, { force: opts.force, dryRun: opts.dryRun });
      const o = { planned: p, result };
      opts.onResult?.(o);
      return o;
    });
    out.push(...results);
  }
  return out;
}

/** Hands the objects the apply returned to the targets, so requests need no extra read. */
export function attachApplied(waves: ReconcileTarget[][], applied: ApplyOutcome[]): void {
  const byPlanned = new Map(applied.map((a) => [a.planned, a.result]));
  for (const t of waves.flat()) {
    const r = t.planned ? byPlanned.get(t.planned) : undefined;
    if (r?.ok) t.live = r.value;
  }
}

export interface TargetOutcome {
  ref: ObjectRef;
  /** Source refs reconciled first, with their outcome. */
  sources: { ref: ObjectRef; error?: ClusterError; verdict?: ReconcileOutcome; skipped?: string }[];
  requestedAt?: string;
  /** The controller's verdict, or why no controller handled the request (no-controller, not-picked-up). */
  verdict?: ReconcileOutcome;
  error?: ClusterError;
}

export interface ReconcileRunOptions extends ReconcileOptions {
  withSource?: boolean;
  /** Wait for the controller's verdict (off: request only). */
  wait?: boolean;
  timeoutMs?: number;
  pollMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  now?: () => number;
  /** Timers for waiting (the host's clock). */
  clock?: Clock;
  onProgress?: (ref: ObjectRef, p: WaitProgress) => void;
  onOutcome?: (o: TargetOutcome) => void;
}

async function requestAndWait(
  host: ClusterHost,
  ref: ObjectRef,
  opts: ReconcileRunOptions,
  flags: ReconcileOptions & { current?: KubeObject },
): Promise<{ requestedAt?: string; verdict?: ReconcileOutcome; error?: ClusterError }> {
  const req = await requestReconcile(host, ref, (opts.now ?? opts.clock?.now ?? Date.now)(), flags);
  if (!req.ok) return { error: req.error };
  if (!opts.wait) return { requestedAt: req.value.requestedAt };
  const waitOpts = { timeoutMs: opts.timeoutMs, pollMs: opts.pollMs, signal: opts.signal, onProgress: (p: WaitProgress) => opts.onProgress?.(ref, p) };
  // With a clock: say plainly when no controller runs for the kind, or none picks the request up within 10 s.
  const w = opts.clock
    ? await waitWithPickup(host, ref, req.value.requestedAt, { ...waitOpts, clock: opts.clock })
    : await waitForReconcile(host, ref, req.value.requestedAt, waitOpts);
  return w.ok ? { requestedAt: req.value.requestedAt, verdict: w.value } : { requestedAt: req.value.requestedAt, error: w.error };
}

/** Requests (and optionally awaits) a reconcile of every target, wave after wave. */
export async function reconcileWaves(host: ClusterHost, waves: ReconcileTarget[][], opts: ReconcileRunOptions = {}): Promise<TargetOutcome[]> {
  const all: TargetOutcome[] = [];
  for (const wave of waves) {
    const outcomes = await mapLimit(wave, opts.concurrency ?? 4, async (t) => {
      const outcome: TargetOutcome = { ref: t.ref, sources: [] };
      if (opts.signal?.aborted) {
        outcome.error = { kind: 'cancelled', message: 'cancelled' };
        return outcome;
      }
      if (opts.withSource) {
        for (const s of t.sources) {
          const live = await host.get(s);
          if (!live.ok) {
            outcome.sources.push({ ref: s, skipped: live.error.kind === 'not-found' ? 'not in the cluster' : live.error.message });
            continue;
          }
          if ((live.value.spec as { type?: string } | undefined)?.type === 'oci' && s.kind === 'HelmRepository') {
            outcome.sources.push({ ref: s, skipped: 'OCI HelmRepository has nothing to reconcile' });
            continue;
          }
          const r = await requestAndWait(host, s, opts, {});
          outcome.sources.push({ ref: s, ...r });
        }
      }
      Object.assign(outcome, await requestAndWait(host, t.ref, opts, { force: opts.force, reset: opts.reset, ...(t.live ? { current: t.live } : {}) }));
      opts.onOutcome?.(outcome);
      return outcome;
    });
    all.push(...outcomes);
  }
  return all;
}

export interface Orphan {
  ref: ObjectRef;
  why: 'applied by fluxhelm' | 'in a Flux Kustomization inventory';
}

/**
 * Objects in the cluster of the same kinds, in namespaces that hold
 * workspace objects, that were applied by fluxhelm or belong to one of the
 * workspace's Flux Kustomizations, and that the workspace no longer has.
 */
export async function findOrphans(
  host: ClusterHost,
  workspaceObjects: IndexedObject[],
  scope: IndexedObject[],
  defaultNamespace: string,
): Promise<ClusterResult<Orphan[]>> {
  const known = new Set(workspaceObjects.map((o) => objectKey(o, defaultNamespace)));
  const kustomizations = new Set(
    workspaceObjects
      .filter((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'))
      .map((o) => `${o.namespace || defaultNamespace}/${o.name}`),
  );
  const queries = new Map<string, { apiVersion: string; kind: string; namespace: string }>();
  for (const o of scope) {
    if (o.kind === 'Namespace' || o.generated || (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.config.k8s.io'))) continue;
    const ns = o.namespace || defaultNamespace;
    queries.set(`${o.apiVersion}/${o.kind}/${ns}`, { apiVersion: o.apiVersion, kind: o.kind, namespace: ns });
  }
  const out: Orphan[] = [];
  for (const q of queries.values()) {
    const list = await host.list(q);
    if (!list.ok) {
      if (list.error.kind === 'unknown-kind' || list.error.kind === 'forbidden') continue;
      return list;
    }
    for (const item of list.value.items) {
      const m = item.metadata;
      const key = objectKey({ apiVersion: q.apiVersion, kind: q.kind, name: m.name, namespace: m.namespace }, defaultNamespace);
      if (known.has(key)) continue;
      const byUs = (m.managedFields ?? []).some((f) => f.manager === DEFAULT_FIELD_MANAGER && f.operation === 'Apply');
      const ksName = m.labels?.['kustomize.toolkit.fluxcd.io/name'];
      const ksNs = m.labels?.['kustomize.toolkit.fluxcd.io/namespace'];
      const inInventory = ksName !== undefined && kustomizations.has(`${ksNs ?? defaultNamespace}/${ksName}`);
      if (!byUs && !inInventory) continue;
      const ref: ObjectRef = { apiVersion: q.apiVersion, kind: q.kind, name: m.name };
      if (m.namespace) ref.namespace = m.namespace;
      out.push({ ref, why: byUs ? 'applied by fluxhelm' : 'in a Flux Kustomization inventory' });
    }
  }
  return { ok: true, value: out };
}
