/**
 * ClusterHost: the operations fluxhelm's cluster features need (get,
 * server-side apply, merge patch, list, watch, events), with every answer as
 * data. createRestClusterHost builds one on top of a ClusterTransport by
 * turning refs into REST paths (through discovery) and Status bodies into
 * ClusterErrors; it does no IO of its own, so a fake transport tests it and
 * the Node transport (server/cluster-host.ts) runs it for real.
 */
import { DEFAULT_FIELD_MANAGER, Discovery, applyBody, objectPath, type ObjectRef } from './apply.ts';
import { errorFromResponse, parseJson } from './status.ts';
import { discoverCapabilities } from '../render/capabilities.ts';
import type { Capabilities } from '../render/release-request.ts';
import {
  fail, ok,
  type ClusterError, type ClusterResult, type ClusterTransport, type KubeObject, type StopHandle, type TransportRequest,
} from './types.ts';

export type { ObjectRef } from './apply.ts';

export interface ApplyFlags {
  /** Ask the server what it would store, without storing it. */
  dryRun?: boolean;
  /** Take over fields other managers own; only when the user explicitly asks. */
  force?: boolean;
  fieldManager?: string;
}

export interface ListQuery {
  apiVersion: string;
  kind: string;
  /** Omitted: the host's default namespace for namespaced kinds; `*`: all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion?: string;
}

export interface WatchQuery extends ListQuery {
  /** Watch from this resourceVersion (events after it). */
  resourceVersion?: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

export interface KubeEvent {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** ISO time of the last occurrence. */
  lastSeen: string;
  source?: string;
}

export interface ClusterHost {
  /** Kubeconfig context name and its default namespace. */
  readonly context: string;
  readonly namespace: string;
  get(ref: ObjectRef): Promise<ClusterResult<KubeObject>>;
  apply(obj: KubeObject, flags?: ApplyFlags): Promise<ClusterResult<KubeObject>>;
  /** JSON merge patch. */
  patch(ref: ObjectRef, patch: unknown): Promise<ClusterResult<KubeObject>>;
  list(q: ListQuery): Promise<ClusterResult<ListResult>>;
  /** `onEnd` fires once, with an error when the stream failed or the server said `ERROR` (e.g. 410 Gone). */
  watch(q: WatchQuery, onEvent: (e: WatchEvent) => void, onEnd: (error?: ClusterError) => void): StopHandle;
  /** Recent Events about an object, newest last. */
  events(ref: ObjectRef): Promise<ClusterResult<KubeEvent[]>>;
  /** `.Capabilities` for rendering (kube version, served API versions), from discovery; read once per connection. */
  capabilities?(): Promise<Capabilities>;
}

function collectionBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function createRestClusterHost(
  transport: ClusterTransport,
  info: { context: string; namespace?: string; fieldManager?: string },
): ClusterHost {
  const discovery = new Discovery(transport);
  const defaultNamespace = info.namespace || 'default';
  const manager = info.fieldManager ?? DEFAULT_FIELD_MANAGER;

  async function send(req: TransportRequest): Promise<ClusterResult<KubeObject>> {
    const res = await transport.request(req);
    if ('error' in res) return fail({ kind: 'network', message: res.error });
    if (res.status < 200 || res.status >= 300) return fail(errorFromResponse(res));
    const body = parseJson(res.body);
    if (!body || typeof body !== 'object') return fail({ kind: 'server', message: 'the API server sent no JSON object', status: res.status });
    return ok(body as KubeObject);
  }

  async function collection(q: ListQuery): Promise<ClusterResult<string>> {
    const r = await discovery.resource(q.apiVersion, q.kind);
    if (!r.ok) return r;
    const base = collectionBase(q.apiVersion);
    if (!r.value.namespaced || q.namespace === '*') return ok(`${base}/${r.value.plural}`);
    return ok(`${base}/namespaces/${encodeURIComponent(q.namespace || defaultNamespace)}/${r.value.plural}`);
  }

  function selectors(q: ListQuery): Record<string, string> {
    const query: Record<string, string> = {};
    if (q.labelSelector) query.labelSelector = q.labelSelector;
    if (q.fieldSelector) query.fieldSelector = q.fieldSelector;
    return query;
  }

  let capabilities: Promise<Capabilities> | undefined;
  const host: ClusterHost = {
    context: info.context,
    namespace: defaultNamespace,

    capabilities() {
      return (capabilities ??= discoverCapabilities(transport));
    },

    async get(ref) {
      const p = await objectPath(discovery, ref, defaultNamespace);
      if (!p.ok) return p;
      return send({ method: 'GET', path: p.value.path });
    },

    async apply(obj, flags = {}) {
      if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata !== 'object') {
        return fail({ kind: 'bad-input', message: 'not a Kubernetes object (no metadata)' });
      }
      const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
      if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
      const p = await objectPath(discovery, ref, defaultNamespace);
      if (!p.ok) return p;
      const query: Record<string, string> = { fieldManager: flags.fieldManager ?? manager, force: flags.force ? 'true' : 'false' };
      if (flags.dryRun) query.dryRun = 'All';
      return send({
        method: 'PATCH',
        path: p.value.path,
        query,
        // JSON is YAML, so application/apply-patch+yaml takes it as it is.
        body: JSON.stringify(applyBody(obj, p.value.namespace)),
        contentType: 'application/apply-patch+yaml',
      });
    },

    async patch(ref, patch) {
      const p = await objectPath(discovery, ref, defaultNamespace);
      if (!p.ok) return p;
      return send({
        method: 'PATCH',
        path: p.value.path,
        query: { fieldManager: manager },
        body: JSON.stringify(patch),
        contentType: 'application/merge-patch+json',
      });
    },

    async list(q) {
      const path = await collection(q);
      if (!path.ok) return path;
      const res = await send({ method: 'GET', path: path.value, query: selectors(q) });
      if (!res.ok) return res;
      const body = res.value as unknown as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
      const out: ListResult = { items: body.items ?? [] };
      if (body.metadata?.resourceVersion) out.resourceVersion = body.metadata.resourceVersion;
      return ok(out);
    },

    watch(q, onEvent, onEnd) {
      let stopped = false;
      let inner: StopHandle | undefined;
      let ended = false;
      const end = (e?: ClusterError) => {
        if (ended) return;
        ended = true;
        onEnd(e);
      };
      void collection(q).then((path) => {
        if (stopped) return end();
        if (!path.ok) return end(path.error);
        const query: Record<string, string> = { ...selectors(q), allowWatchBookmarks: 'true' };
        if (q.resourceVersion) query.resourceVersion = q.resourceVersion;
        inner = transport.watch(
          { path: path.value, query },
          (raw) => {
            if (ended) return;
            if (raw.type === 'ERROR') {
              const st = (raw.object ?? {}) as { code?: number; message?: string };
              inner?.stop();
              return end({ kind: 'server', status: st.code ?? 0, message: st.message ?? 'watch error' });
            }
            if (raw.type === 'ADDED' || raw.type === 'MODIFIED' || raw.type === 'DELETED' || raw.type === 'BOOKMARK') {
              onEvent({ type: raw.type, object: raw.object as KubeObject });
            }
          },
          (error) => end(error ? { kind: 'network', message: error } : undefined),
        );
      });
      return {
        stop() {
          stopped = true;
          inner?.stop();
          end();
        },
      };
    },

    async events(ref) {
      const ns = ref.namespace || defaultNamespace;
      const field = [`involvedObject.name=${ref.name}`, `involvedObject.kind=${ref.kind}`].join(',');
      const list = await host.list({ apiVersion: 'v1', kind: 'Event', namespace: ns, fieldSelector: field });
      if (!list.ok) return list;
      const events = list.value.items.map((e): KubeEvent => {
        const ev = e as unknown as {
          type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string; eventTime?: string;
          metadata: { creationTimestamp?: string }; source?: { component?: string }; reportingComponent?: string;
        };
        const out: KubeEvent = {
          type: ev.type ?? 'Normal',
          reason: ev.reason ?? '',
          message: (ev.message ?? '').trim(),
          count: ev.count ?? 1,
          lastSeen: ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '',
        };
        const source = ev.source?.component || ev.reportingComponent;
        if (source) out.source = source;
        return out;
      });
      events.sort((a, b) => a.lastSeen.localeCompare(b.lastSeen));
      return ok(events);
    },
  };
  return host;
}

/** A short human sentence for an error, with advice for the common cases. */
export function describeError(e: ClusterError, context?: string): string {
  const where = context ? ` (context ${context})` : '';
  switch (e.kind) {
    case 'forbidden':
      return `the cluster refused this for your identity${where}: ${e.message}`;
    case 'unauthorized':
      return `the cluster did not accept your credentials${where}: ${e.message}`;
    case 'conflict':
      return `fields owned by another field manager: ${e.conflicts.map((c) => `${c.field} (${c.manager})`).join(', ')}; re-run with force to take them over`;
    case 'network':
      return `cannot reach the cluster${where}: ${e.message}`;
    default:
      return e.message;
  }
}
