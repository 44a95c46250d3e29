/**
 * The reconcile protocol `flux reconcile` follows (shared docs,
 * flux-helm-semantics.md §5): refuse a suspended object, merge-patch the
 * `reconcile.fluxcd.io/requestedAt` annotation (plus forceAt / resetAt),
 * suspend and resume through `spec.suspend`, and read from a status whether
 * the controller has handled the request and settled (wait.ts does the
 * waiting).
 */
import type { ClusterHost, ObjectRef } from './host.ts';
import { fail, ok, type ClusterResult, type KubeObject } from './types.ts';

export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
export const FORCE_AT = 'reconcile.fluxcd.io/forceAt';
export const RESET_AT = 'reconcile.fluxcd.io/resetAt';

export interface ReconcileOptions {
  /** HelmRelease only: run a one-off install/upgrade even if nothing changed. */
  force?: boolean;
  /** HelmRelease only: clear the failure counters. */
  reset?: boolean;
}

/** RFC 3339 with nanoseconds, like Go's time.RFC3339Nano (trailing zeros trimmed). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-21T20:13:21.123Z
  const [base, frac] = iso.slice(0, -1).split('.');
  const trimmed = (frac ?? '').replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

/** The annotations a reconcile request sets, all with the same timestamp. */
export function reconcileAnnotations(requestedAt: string, opts: ReconcileOptions = {}): Record<string, string> {
  const a: Record<string, string> = { [REQUESTED_AT]: requestedAt };
  if (opts.force) a[FORCE_AT] = requestedAt;
  if (opts.reset) a[RESET_AT] = requestedAt;
  return a;
}

export interface ReconcileRequest {
  requestedAt: string;
  object: KubeObject;
}

/** Asks the controller to reconcile now. A suspended object is refused with the `suspended` error. */
export async function requestReconcile(
  host: ClusterHost,
  ref: ObjectRef,
  nowMs: number,
  opts: ReconcileOptions & { current?: KubeObject } = {},
): Promise<ClusterResult<ReconcileRequest>> {
  // A caller that has just applied the object passes it and saves a read.
  const current = opts.current ? ok(opts.current) : await host.get(ref);
  if (!current.ok) return current;
  const spec = current.value.spec as { suspend?: unknown } | undefined;
  if (spec?.suspend === true) {
    return fail({ kind: 'suspended', message: `${ref.kind} ${ref.name} is suspended; resume it first` });
  }
  const requestedAt = rfc3339Nano(nowMs);
  const patched = await host.patch(ref, { metadata: { annotations: reconcileAnnotations(requestedAt, opts) } });
  if (!patched.ok) return patched;
  return ok({ requestedAt, object: patched.value });
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export type ReconcileProgress =
  | { state: 'pending'; detail: string }
  /** Handled, Ready=False for this generation, but the generation is not marked observed: failed unless it changes soon. */
  | { state: 'failing'; detail: string; reason?: string; message?: string }
  | { state: 'ready'; reason?: string; message?: string }
  | { state: 'failed'; reason?: string; message?: string };

/** Where the controller is with the request made at `requestedAt`, from the object's status. */
export function reconcileProgress(obj: KubeObject, requestedAt: string): ReconcileProgress {
  const status = (obj.status ?? {}) as { lastHandledReconcileAt?: string; observedGeneration?: number; conditions?: Condition[] };
  if (status.lastHandledReconcileAt !== requestedAt) return { state: 'pending', detail: 'waiting for the controller to pick up the request' };
  const conds = status.conditions ?? [];
  const find = (t: string) => conds.find((c) => c.type === t);
  if (status.observedGeneration !== obj.metadata.generation) {
    // helm-controller leaves status.observedGeneration behind when a release fails (install/upgrade
    // failed, valuesFrom or chart not resolvable) and keeps retrying with Reconciling=True; the
    // request was handled and Ready=False was written for this generation: that is the verdict.
    // That can also be a passing state (SourceNotReady while the HelmChart is being built), so it is
    // `failing`: waitForReconcile calls it failed once it has held for a few seconds.
    const ready = find('Ready');
    if (ready?.status === 'False' && ready.observedGeneration !== undefined && ready.observedGeneration === obj.metadata.generation) {
      const stalled = find('Stalled');
      if (stalled?.status === 'True') return { state: 'failed', reason: stalled.reason, message: stalled.message };
      return { state: 'failing', reason: ready.reason, message: ready.message, detail: `${ready.reason ?? 'Ready=False'}: ${ready.message ?? ''}`.trim() };
    }
    return { state: 'pending', detail: find('Reconciling')?.status === 'True' ? (find('Reconciling')?.message ?? 'reconciling') : 'waiting for the current generation to be observed' };
  }
  if (find('Reconciling')?.status === 'True') return { state: 'pending', detail: find('Reconciling')?.message ?? 'reconciling' };
  if (find('Stalled')?.status === 'True') {
    const stalled = find('Stalled')!;
    return { state: 'failed', reason: stalled.reason, message: stalled.message };
  }
  const ready = find('Ready');
  if (ready?.status === 'True') return { state: 'ready', reason: ready.reason, message: ready.message };
  return { state: 'failed', reason: ready?.reason, message: ready?.message ?? 'no Ready condition' };
}

/** Sets spec.suspend (the controller then stops reconciling the object). */
export async function suspend(host: ClusterHost, ref: ObjectRef): Promise<ClusterResult<KubeObject>> {
  return host.patch(ref, { spec: { suspend: true } });
}

/**
 * Clears spec.suspend and asks for a reconcile in the same patch, like
 * `flux resume`; wait for the returned requestedAt afterwards.
 */
export async function resume(host: ClusterHost, ref: ObjectRef, nowMs: number): Promise<ClusterResult<ReconcileRequest>> {
  const requestedAt = rfc3339Nano(nowMs);
  const patched = await host.patch(ref, { spec: { suspend: false }, metadata: { annotations: { [REQUESTED_AT]: requestedAt } } });
  if (!patched.ok) return patched;
  return ok({ requestedAt, object: patched.value });
}
