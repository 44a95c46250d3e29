/**
 * Waiting for a Flux controller to handle a reconcile request, by watch with
 * a polling fallback. The state machine: read the object, judge it with
 * reconcileProgress (request handled → generation observed → neither
 * Reconciling nor Stalled → Ready or the Ready reason; a Ready=False the
 * controller wrote for this generation without marking it observed, as
 * helm-controller does for failed releases, is the verdict once it has held
 * for `settleMs`), then watch it from
 * that resourceVersion. When the watch drops (API server restart, network,
 * 410 Gone) the object is read again every `pollMs` until that works, and a
 * new watch starts; a periodic re-read covers a watch that goes silent.
 * Ends on a verdict, the timeout, the AbortSignal, or an error that retrying
 * cannot fix (not found, forbidden).
 */
import type { ClusterHost, ObjectRef } from './host.ts';
import { reconcileProgress, type ReconcileProgress } from './reconcile.ts';
import { fail, ok, type ClusterError, type ClusterResult, type KubeObject, type StopHandle } from './types.ts';
import type { Clock } from '../host.ts';

export interface WaitProgress {
  detail: string;
  /** True while a watch stream is open, false while polling. */
  watching: boolean;
  object?: KubeObject;
}

export interface WaitOptions {
  /** Timers for the deadline, retries and re-reads (the host's clock; a manual clock in tests). Without one, no deadline. */
  clock?: Clock;
  /** Default 5 minutes, like `flux reconcile`. */
  timeoutMs?: number;
  /** Retry/poll interval while no watch is open; default 2 s. */
  pollMs?: number;
  /** Re-read the object this often even while watching; default 30 s. */
  resyncMs?: number;
  /** How long a `failing` state (Ready=False, generation not marked observed) must hold to be the verdict; default 5 s. */
  settleMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: WaitProgress) => void;
}

export type WaitVerdict = Exclude<ReconcileProgress, { state: 'pending' } | { state: 'failing' }>;

/** Errors worth retrying: the server may come back. */
function transient(e: ClusterError): boolean {
  return e.kind === 'network' || (e.kind === 'server' && (e.status === 0 || e.status >= 500 || e.status === 429));
}

export function waitForReconcile(
  host: ClusterHost,
  ref: ObjectRef,
  requestedAt: string,
  opts: WaitOptions = {},
): Promise<ClusterResult<WaitVerdict>> {
  const pollMs = opts.pollMs ?? 2000;
  const resyncMs = opts.resyncMs ?? 30000;
  const timeoutMs = opts.timeoutMs ?? 300000;
  return new Promise((resolve) => {
    let done = false;
    let watch: StopHandle | undefined;
    const clock = opts.clock;
    const after = (fn: () => void, ms: number): unknown => clock?.setTimeout(fn, ms);
    const cancel = (h: unknown) => {
      if (h !== undefined) clock?.clearTimeout(h);
    };
    let retry: unknown;
    let lastDetail = 'not read yet';
    let lastObject: KubeObject | undefined;
    let generation = 0;

    const report = (detail: string, object?: KubeObject) => {
      if (object) lastObject = object;
      if (detail === lastDetail) return;
      lastDetail = detail;
      const p: WaitProgress = { detail, watching: watch !== undefined };
      if (lastObject) p.object = lastObject;
      opts.onProgress?.(p);
    };

    const finish = (r: ClusterResult<WaitVerdict>) => {
      if (done) return;
      done = true;
      cancel(timer);
      cancel(resync);
      cancel(retry);
      cancel(settle);
      watch?.stop();
      watch = undefined;
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };

    let settle: unknown;
    let failing: string | undefined;
    const judge = (obj: KubeObject) => {
      const p = reconcileProgress(obj, requestedAt);
      if (p.state === 'failing') {
        report(p.detail, obj);
        if (failing === p.detail) return;
        failing = p.detail;
        cancel(settle);
        const verdict: WaitVerdict = { state: 'failed', reason: p.reason, message: p.message };
        if (!clock) return finish(ok(verdict)); // no timers: no way to let it settle
        settle = after(() => finish(ok(verdict)), opts.settleMs ?? 5000);
        return;
      }
      failing = undefined;
      cancel(settle);
      if (p.state === 'pending') report(p.detail, obj);
      else finish(ok(p));
    };

    const onAbort = () => finish(fail({ kind: 'cancelled', message: `stopped waiting for ${ref.kind} ${ref.name}` }));
    const timer = after(() => {
      finish(fail({ kind: 'timeout', message: `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${ref.kind} ${ref.name}: ${lastDetail}` }));
    }, timeoutMs);
    let resync: unknown;
    const resyncLoop = () => {
      resync = after(() => {
        if (done) return;
        if (watch) void host.get(ref).then((r) => !done && r.ok && judge(r.value));
        resyncLoop();
      }, resyncMs);
    };
    resyncLoop();

    const later = (ms: number) => {
      if (done) return;
      cancel(retry);
      retry = after(() => {
        retry = undefined;
        void cycle();
      }, ms);
    };

    async function cycle(): Promise<void> {
      if (done) return;
      const got = await host.get(ref);
      if (done) return;
      if (!got.ok) {
        if (!transient(got.error)) return finish(fail(got.error));
        report(`cluster unreachable, retrying: ${got.error.message}`);
        return later(pollMs);
      }
      judge(got.value);
      if (done) return;
      const q = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        fieldSelector: `metadata.name=${ref.name}`,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        ...(got.value.metadata.resourceVersion ? { resourceVersion: got.value.metadata.resourceVersion } : {}),
      };
      const mine = ++generation;
      watch = host.watch(
        q,
        (e) => {
          if (done) return;
          if (e.type === 'DELETED') finish(fail({ kind: 'not-found', message: `${ref.kind} ${ref.name} was deleted while waiting` }));
          else if (e.type !== 'BOOKMARK') judge(e.object);
        },
        (error) => {
          if (mine !== generation) return;
          generation++;
          watch = undefined;
          if (done) return;
          // A watch forbidden by RBAC is not going to work next time either: poll.
          report(error ? `watch dropped (${error.message}); polling` : 'watch closed; reopening');
          later(error ? pollMs : 0);
        },
      );
      if (mine !== generation) watch = undefined; // ended at once
    }

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    void cycle();
  });
}
