/**
 * Gets the chart a resolution points at, as a loaded chart: a folder of
 * this repository (GitRepository sources), or a `.tgz` from an HTTP chart
 * repository, cached on disk by URL (an archive at a given URL and digest
 * never changes). Offline, only the cache is used.
 */
import type { Workspace } from '../workspace/model.ts';
import { isFetchFailure, type SourceHost } from '../sources/host.ts';
import { loadChartArchive, type LoadedChart } from '../charts/chart.ts';
import { loadChartFolder } from '../charts/folder.ts';
import { createHash } from 'node:crypto';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
import type { ResolvedChart } from './release-chart.ts';
import type { OciSource } from '../sources/oci.ts';

/** An OCI chart (`oci://host/repo/name:tag` or `@sha256:...`), cached by reference (tags of charts are immutable in practice). */
async function fetchOciChart(host: SourceHost, resolved: ResolvedChart, url: string, options: { offline?: boolean; timeoutMs?: number; oci?: OciSource }): Promise<ChartFetch> {
  const key = `chart-archive:${url}`;
  const cached = await host.readCache(key);
  if (cached) {
    const r = loadChartArchive(cached.bytes, { location: url });
    if (r.ok) return { ok: true, chart: r.chart, fromCache: true };
  }
  if (options.offline) return { ok: false, message: `chart ${url} is not in the cache and the network is off` };
  if (!options.oci) return { ok: false, message: `no OCI client to pull ${url}` };
  const at = url.lastIndexOf('@') > url.indexOf('//') + 2 ? url.lastIndexOf('@') : url.lastIndexOf(':');
  const ref = url.slice(0, at);
  const reference = url.slice(at + 1);
  const pulled = await options.oci.pullChart({ ref, reference, timeoutMs: options.timeoutMs, insecure: resolved.insecure });
  if (!pulled.ok) return { ok: false, message: `pulling ${url} failed: ${pulled.message}` };
  const r = loadChartArchive(pulled.bytes, { location: url });
  if (!r.ok) return { ok: false, message: `${url}: ${r.error}` };
  await host.writeCache(key, pulled.bytes, { url, fetchedAt: host.now() });
  return { ok: true, chart: r.chart, fromCache: false };
}

export type ChartFetch = { ok: true; chart: LoadedChart; fromCache: boolean } | { ok: false; message: string };

const MAX_ARCHIVE_BYTES = 50 * 1024 * 1024;

export async function fetchChart(ws: Workspace, host: SourceHost, resolved: ResolvedChart, options: { offline?: boolean; timeoutMs?: number; oci?: OciSource } = {}): Promise<ChartFetch> {
  if (resolved.error) return { ok: false, message: resolved.error.message };
  if (resolved.localChartDir) {
    const r = loadChartFolder(ws.host, resolved.localChartDir);
    return r.ok ? { ok: true, chart: r.chart, fromCache: false } : { ok: false, message: r.error };
  }
  const url = resolved.url;
  if (!url) return { ok: false, message: 'the chart version could not be resolved' };
  if (url.startsWith('oci://')) return fetchOciChart(host, resolved, url, options);
  const key = `chart-archive:${url}`;
  const cached = await host.readCache(key);
  // A cached archive counts only when it is the one the index describes (same sha256 digest).
  if (cached && (!resolved.digest || sha256(cached.bytes) === resolved.digest.replace(/^sha256:/, ''))) {
    const r = loadChartArchive(cached.bytes, { location: url });
    if (r.ok) return { ok: true, chart: r.chart, fromCache: true };
  }
  if (options.offline) return { ok: false, message: `chart ${resolved.chart} ${resolved.version ?? ''} is not in the cache and the network is off` };
  const res = await host.fetch(url, { timeoutMs: options.timeoutMs, maxBytes: MAX_ARCHIVE_BYTES });
  if (isFetchFailure(res)) return { ok: false, message: `downloading ${url} failed: ${res.error}` };
  if (res.status !== 200) return { ok: false, message: `downloading ${url} failed: HTTP ${res.status}` };
  if (resolved.digest && sha256(res.body) !== resolved.digest.replace(/^sha256:/, '')) return { ok: false, message: `${url}: the archive's sha256 does not match the digest in the repository index` };
  const r = loadChartArchive(res.body, { location: url });
  if (!r.ok) return { ok: false, message: `${url}: ${r.error}` };
  await host.writeCache(key, res.body, { url, fetchedAt: host.now() });
  return { ok: true, chart: r.chart, fromCache: false };
}
