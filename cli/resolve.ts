/**
 * `fluxhelm resolve [PATH...]`: for every HelmRelease below PATH, which
 * chart version its constraint picks under Flux's rules, from which source,
 * with appVersion and the chart URL or digest.
 */
import { openWorkspaceAt } from './workspace.ts';
import { parseArgs, oneOf } from './args.ts';
import { createCliSources, parseTimeout } from './sources.ts';
import { resolveReleaseChart, type ResolvedChart } from '../engine/resolve/release-chart.ts';

export const RESOLVE_HELP = `Usage: fluxhelm resolve [PATH...] [--format text|json] [--offline] [--timeout 10s]

For every HelmRelease below PATH, prints the chart version its constraint
resolves to under Flux's rules (Masterminds semver, exact match first,
newest created on ties), with the source, appVersion and chart URL or digest.
Indexes are cached; Helm's own repository cache is used when it has the
repository (after 'helm repo update' this works offline).

  --format text|json   output format (default text)
  --offline            use cached indexes only
  --timeout DURATION   per request (default 10s)

Exit status: 0 all resolved, 1 some could not be resolved, 2 usage.`;

export interface ResolveRow {
  release: string;
  source: string;
  chart: string;
  constraint: string;
  version: string | null;
  appVersion: string | null;
  url: string | null;
  error?: string;
  stale?: boolean;
}

export function toRow(r: ResolvedChart): ResolveRow {
  return {
    release: r.release,
    source: r.sourceLabel,
    chart: r.chart,
    constraint: r.constraint,
    version: r.error ? null : (r.version ?? null),
    appVersion: r.error ? null : (r.appVersion ?? null),
    url: r.error ? null : (r.url ?? (r.digest ? `digest ${r.digest}` : null)),
    ...(r.error ? { error: r.error.message } : {}),
    ...(r.stale ? { stale: true } : {}),
  };
}

export async function resolve(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { format: { value: true }, offline: {}, timeout: { value: true }, help: {} });
  if (args.flags.has('help')) {
    out(`${RESOLVE_HELP}\n`);
    return 0;
  }
  const format = oneOf('format', args.options.get('format')?.[0], ['text', 'json'] as const, 'text');
  const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 10_000);
  const { service } = openWorkspaceAt(args.positional);
  const ws = service.workspace!;
  const { sources } = createCliSources();
  const patchFiles = ws.check().patchFiles;
  const releases = [...ws.index.allObjects()]
    .filter((o) => o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/') && !patchFiles.has(o.file))
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
  const rows: ResolveRow[] = [];
  for (const hr of releases) rows.push(toRow(await resolveReleaseChart(ws, hr, sources, { offline: args.flags.has('offline'), timeoutMs })));
  if (format === 'json') out(`${JSON.stringify(rows, null, 2)}\n`);
  else {
    for (const r of rows) {
      const what = r.error ? `error: ${r.error}` : `${r.version}${r.appVersion ? ` (app ${r.appVersion})` : ''}${r.stale ? ' [stale cache]' : ''}${r.url ? `  ${r.url}` : ''}`;
      out(`${r.release}  ${r.source}  ${r.chart} ${r.constraint || '*'} → ${what}\n`);
    }
    const failed = rows.filter((r) => r.error).length;
    out(`${rows.length} release${rows.length === 1 ? '' : 's'}: ${rows.length - failed} resolved, ${failed} unresolved\n`);
  }
  return rows.some((r) => r.error) ? 1 : 0;
}
