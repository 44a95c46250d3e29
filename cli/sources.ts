/**
 * Network-facing parts the CLI hands to the engine: the Node source host
 * (HTTP with caches) and the chart sources built on it, plus the shared
 * `--offline` / `--timeout` options.
 */
import { createNetHost } from '../server/net-host.ts';
import { createHttpIndexSource } from '../engine/sources/http-index.ts';
import { createOciSource } from '../engine/sources/oci.ts';
import type { ChartSources } from '../engine/resolve/release-chart.ts';
import type { SourceHost } from '../engine/sources/host.ts';
import { UsageError } from './args.ts';

export interface CliSources {
  host: SourceHost;
  sources: ChartSources;
}

export function createCliSources(): CliSources {
  const host = createNetHost();
  return { host, sources: { http: createHttpIndexSource(host), oci: createOciSource(host) } };
}

/** `10s`, `1m`, `500ms` or a number of seconds. */
export function parseTimeout(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--timeout takes a duration such as 10s or 2m, not '${text}'`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}
