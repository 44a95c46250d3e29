/**
 * `.Capabilities` for rendering, from a connected cluster's discovery: the
 * server's version (`/version`) and every served `group/version` plus
 * `group/version/Kind` (from `/api`, `/apis` and each group-version's
 * resource list), as Helm builds them when it talks to a cluster. Without
 * a cluster the caller passes a setting or `--kube-version` /
 * `--api-versions` instead. Never throws: a failed request gives less.
 */
import type { ClusterTransport } from '../cluster/types.ts';
import type { Capabilities } from './release-request.ts';

function json(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

async function get(transport: ClusterTransport, path: string): Promise<unknown> {
  const res = await transport.request({ method: 'GET', path });
  return 'error' in res || res.status !== 200 ? undefined : json(res.body);
}

export async function discoverCapabilities(transport: ClusterTransport): Promise<Capabilities> {
  const version = (await get(transport, '/version')) as { gitVersion?: unknown } | undefined;
  const groupVersions: string[] = [];
  const core = (await get(transport, '/api')) as { versions?: unknown[] } | undefined;
  for (const v of core?.versions ?? []) if (typeof v === 'string') groupVersions.push(v);
  const groups = (await get(transport, '/apis')) as { groups?: { versions?: { groupVersion?: unknown }[] }[] } | undefined;
  for (const g of groups?.groups ?? []) for (const v of g.versions ?? []) if (typeof v.groupVersion === 'string') groupVersions.push(v.groupVersion);
  const apiVersions = new Set<string>(groupVersions);
  for (const gv of groupVersions) {
    const list = (await get(transport, gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`)) as { resources?: { name?: unknown; kind?: unknown }[] } | undefined;
    for (const r of list?.resources ?? []) if (typeof r.kind === 'string' && typeof r.name === 'string' && !r.name.includes('/')) apiVersions.add(`${gv}/${r.kind}`);
  }
  return {
    ...(typeof version?.gitVersion === 'string' ? { kubeVersion: version.gitVersion } : {}),
    ...(apiVersions.size ? { apiVersions: [...apiVersions].sort() } : {}),
  };
}
