/**
 * The REST side of server-side apply: the discovery lookup that maps
 * apiVersion + kind to a resource path, object paths, and the apply body
 * (the object without server-owned bookkeeping). host.ts sends it as
 * application/apply-patch+yaml with field manager `fluxhelm`, force off, so a
 * field another manager owns comes back as a conflict naming that manager.
 */
import { errorFromResponse, parseJson } from './status.ts';
import { fail, ok, type ClusterResult, type ClusterTransport, type KubeObject } from './types.ts';

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

/** The body sent for an apply: the object without server-owned bookkeeping. */
export function applyBody(obj: KubeObject, namespace: string | undefined): KubeObject {
  const { managedFields: _mf, resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _g, ...meta } = obj.metadata;
  const body: KubeObject = { ...obj, metadata: { ...meta, name: obj.metadata.name } };
  if (namespace) body.metadata.namespace = namespace;
  delete body.status;
  return body;
}
