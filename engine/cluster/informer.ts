/**
 * A small informer: keeps the cluster's copies of some kinds up to date
 * (list, then watch from the list's resourceVersion; after a drop, list
 * again with a growing delay) and reports which objects changed. The
 * editor uses it for live code-lens status and condition diagnostics.
 * Watches all namespaces first and, when RBAC forbids that, the namespaces
 * it is given.
 */
import type { ClusterHost, ObjectRef } from './host.ts';
import { objectKey } from './plan.ts';
import type { ClusterError, KubeObject, StopHandle } from './types.ts';
import type { Clock } from '../host.ts';

export interface InformerOptions {
  /** Timers for retries (the host's clock; a manual clock in tests). */
  clock: Clock;
  /** Namespaces to watch one by one when listing across all of them is forbidden. */
  namespaces: () => string[];
  /** First retry delay after a failure; doubles up to 30 s. */
  retryMs?: number;
  onChange: (keys: string[]) => void;
  onError?: (kind: string, e: ClusterError) => void;
}

export interface Informer extends StopHandle {
  get(ref: ObjectRef): KubeObject | undefined;
  /** True once every kind has been listed at least once. */
  readonly synced: boolean;
}

type Kind = Pick<ObjectRef, 'apiVersion' | 'kind'>;

export function startInformer(host: ClusterHost, kinds: Kind[], opts: InformerOptions): Informer {
  const cache = new Map<string, KubeObject>();
  const handles = new Set<StopHandle>();
  const timers = new Set<unknown>();
  let stopped = false;
  let syncedKinds = 0;
  const keyOf = (o: KubeObject) => objectKey({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });

  function later(fn: () => void, ms: number): void {
    const t = opts.clock.setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  }

  function run(kind: Kind, namespace: string, first: { done: boolean }, delay: number): void {
    void host.list({ ...kind, namespace }).then((list) => {
      if (stopped) return;
      if (!list.ok) {
        if (namespace === '*' && list.error.kind === 'forbidden') {
          for (const ns of opts.namespaces()) run(kind, ns, first, opts.retryMs ?? 1000);
          return;
        }
        opts.onError?.(kind.kind, list.error);
        if (list.error.kind === 'unknown-kind' || list.error.kind === 'forbidden') return;
        later(() => run(kind, namespace, first, Math.min(delay * 2, 30000)), delay);
        return;
      }
      const changed: string[] = [];
      const seen = new Set<string>();
      for (const item of list.value.items) {
        const o = { ...item, apiVersion: kind.apiVersion, kind: kind.kind } as KubeObject;
        const k = keyOf(o);
        seen.add(k);
        if (cache.get(k)?.metadata.resourceVersion !== o.metadata.resourceVersion) changed.push(k);
        cache.set(k, o);
      }
      const prefix = objectKey({ ...kind, name: '', namespace: namespace === '*' ? '' : namespace }).slice(0, -1);
      for (const k of [...cache.keys()]) {
        if (!seen.has(k) && k.startsWith(namespace === '*' ? `${kind.apiVersion.split('/')[0]}/${kind.kind}/` : prefix)) {
          cache.delete(k);
          changed.push(k);
        }
      }
      if (!first.done) {
        first.done = true;
        syncedKinds++;
      }
      if (changed.length) opts.onChange(changed);
      const q = { ...kind, namespace, ...(list.value.resourceVersion ? { resourceVersion: list.value.resourceVersion } : {}) };
      let handle: StopHandle | undefined;
      handle = host.watch(
        q,
        (e) => {
          if (e.type === 'BOOKMARK') return;
          const o = e.object;
          const k = keyOf({ ...o, apiVersion: kind.apiVersion, kind: kind.kind });
          if (e.type === 'DELETED') cache.delete(k);
          else cache.set(k, { ...o, apiVersion: kind.apiVersion, kind: kind.kind });
          opts.onChange([k]);
        },
        (error) => {
          if (handle) handles.delete(handle);
          if (stopped) return;
          if (error) opts.onError?.(kind.kind, error);
          // A clean close (server timeout) relists at once; a failure waits.
          later(() => run(kind, namespace, first, error ? Math.min(delay * 2, 30000) : opts.retryMs ?? 1000), error ? delay : 0);
        },
      );
      handles.add(handle);
    });
  }

  for (const k of kinds) run(k, '*', { done: false }, opts.retryMs ?? 1000);

  return {
    get: (ref) => cache.get(objectKey(ref)),
    get synced() {
      return syncedKinds >= kinds.length;
    },
    stop() {
      stopped = true;
      for (const h of handles) h.stop();
      handles.clear();
      for (const t of timers) opts.clock.clearTimeout(t);
      timers.clear();
    },
  };
}
