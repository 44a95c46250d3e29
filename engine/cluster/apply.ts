/**
 * Server-side apply the way fluxhelm does it: PATCH with content type
 * application/apply-patch+yaml, field manager `fluxhelm`, force off, so a
 * field another manager (helm-controller, kubectl, a human) owns comes back
 * as a conflict naming that manager and the fields. Also the dry-run variant
 * used for diffs, a plain GET, and the discovery lookup that maps
 * apiVersion + kind to the resource path.
 */
import { errorFromResponse, parseJson } from './status.ts';
import { fail, ok, type ClusterResult, type ClusterTransport, type KubeObject, type TransportRequest } from './types.ts';

export const DEFAULT_FIELD_MANAGER = 'fluxhelm';

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** apiVersion+kind → resource name, from the API server's discovery documents (cached per group/version). */
export class Discovery {
  private readonly cache = new Map<string, Map<string, ResourceInfo>>();

  constructor(private readonly transport: ClusterTransport) {}

  /** Forgets what was learnt (after CRDs change). */
  reset(): void {
    this.cache.clear();
  }

  async resource(apiVersion: string, kind: string): Promise<ClusterResult<ResourceInfo>> {
    let kinds = this.cache.get(apiVersion);
    if (!kinds) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await this.transport.request({ method: 'GET', path });
      if ('error' in res) return fail({ kind: 'network', message: res.error });
      if (res.status === 404) {
        return fail({ kind: 'unknown-kind', message: `the server does not serve ${apiVersion}`, apiVersion, objectKind: kind });
      }
      if (res.status !== 200) return fail(errorFromResponse(res));
      const list = parseJson(res.body) as { resources?: { name: string; kind: string; namespaced: boolean }[] } | undefined;
      kinds = new Map();
      for (const r of list?.resources ?? []) {
        if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
      }
      this.cache.set(apiVersion, kinds);
    }
    const info = kinds.get(kind);
    if (!info) {
      return fail({ kind: 'unknown-kind', message: `the server has no kind ${kind} in ${apiVersion}`, apiVersion, objectKind: kind });
    }
    return ok(info);
  }
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The object's REST path; `defaultNamespace` fills in a missing namespace for namespaced kinds. */
export async function objectPath(
  discovery: Discovery,
  ref: ObjectRef,
  defaultNamespace = 'default',
): Promise<ClusterResult<{ path: string; namespace?: string }>> {
  if (!ref.apiVersion || !ref.kind || !ref.name) {
    return fail({ kind: 'bad-input', message: 'the object needs apiVersion, kind and metadata.name' });
  }
  const info = await discovery.resource(ref.apiVersion, ref.kind);
  if (!info.ok) return info;
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const name = encodeURIComponent(ref.name);
  if (!info.value.namespaced) return ok({ path: `${base}/${info.value.plural}/${name}` });
  const namespace = ref.namespace || defaultNamespace;
  return ok({ path: `${base}/namespaces/${encodeURIComponent(namespace)}/${info.value.plural}/${name}`, namespace });
}

function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name };
  if (obj.metadata?.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

async function send(transport: ClusterTransport, req: TransportRequest): Promise<ClusterResult<KubeObject>> {
  const res = await transport.request(req);
  if ('error' in res) return fail({ kind: 'network', message: res.error });
  if (res.status < 200 || res.status >= 300) return fail(errorFromResponse(res));
  const body = parseJson(res.body);
  if (!body || typeof body !== 'object') return fail({ kind: 'server', message: 'the API server sent no JSON object', status: res.status });
  return ok(body as KubeObject);
}

/** Reads an object; a missing object is the `not-found` error. */
export async function getObject(
  transport: ClusterTransport,
  discovery: Discovery,
  ref: ObjectRef,
  defaultNamespace?: string,
): Promise<ClusterResult<KubeObject>> {
  const p = await objectPath(discovery, ref, defaultNamespace);
  if (!p.ok) return p;
  return send(transport, { method: 'GET', path: p.value.path });
}

export interface ApplyOptions {
  fieldManager?: string;
  /** Take over fields other managers own. fluxhelm leaves this off unless the user asks. */
  force?: boolean;
  /** Ask the server what it would store, without storing it. */
  dryRun?: boolean;
  defaultNamespace?: string;
}

/** The body sent for an apply: the object without server-owned bookkeeping. */
export function applyBody(obj: KubeObject, namespace: string | undefined): KubeObject {
  const { managedFields: _mf, resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _g, ...meta } = obj.metadata;
  const body: KubeObject = { ...obj, metadata: { ...meta, name: obj.metadata.name } };
  if (namespace) body.metadata.namespace = namespace;
  delete body.status;
  return body;
}

/**
 * Server-side apply. Returns the object as stored (or as it would be, with
 * dryRun), or a ClusterError: `conflict` lists each field with the manager
 * that owns it, `invalid` the schema/CEL causes, `forbidden` for RBAC.
 */
export async function serverSideApply(
  transport: ClusterTransport,
  discovery: Discovery,
  obj: KubeObject,
  opts: ApplyOptions = {},
): Promise<ClusterResult<KubeObject>> {
  if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata !== 'object') {
    return fail({ kind: 'bad-input', message: 'not a Kubernetes object (no metadata)' });
  }
  const p = await objectPath(discovery, refOf(obj), opts.defaultNamespace);
  if (!p.ok) return p;
  const query: Record<string, string> = {
    fieldManager: opts.fieldManager ?? DEFAULT_FIELD_MANAGER,
    force: opts.force ? 'true' : 'false',
  };
  if (opts.dryRun) query.dryRun = 'All';
  return send(transport, {
    method: 'PATCH',
    path: p.value.path,
    query,
    // JSON is YAML, so the apply-patch+yaml content type takes it as is.
    body: JSON.stringify(applyBody(obj, p.value.namespace)),
    contentType: 'application/apply-patch+yaml',
  });
}

/** JSON merge patch (used for annotations and spec.suspend). */
export async function mergePatch(
  transport: ClusterTransport,
  discovery: Discovery,
  ref: ObjectRef,
  patch: unknown,
  opts: { fieldManager?: string; defaultNamespace?: string } = {},
): Promise<ClusterResult<KubeObject>> {
  const p = await objectPath(discovery, ref, opts.defaultNamespace);
  if (!p.ok) return p;
  return send(transport, {
    method: 'PATCH',
    path: p.value.path,
    query: { fieldManager: opts.fieldManager ?? DEFAULT_FIELD_MANAGER },
    body: JSON.stringify(patch),
    contentType: 'application/merge-patch+json',
  });
}
