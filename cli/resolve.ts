/**
 * `fluxhelm resolve [PATH...]`: for every HelmRelease below PATH, which
 * chart version its constraint picks under Flux's rules, from which source,
 * with appVersion and the chart URL or digest (the engine's rows).
 */
import { openWorkspaceAt } from './workspace.ts';
import { parseArgs, oneOf } from './args.ts';
import { parseTimeout } from './sources.ts';
import type { Command } from './command.ts';

const USAGE = `Usage: fluxhelm resolve [PATH...] [--format text|json] [--offline] [--timeout 10s]

For every HelmRelease below PATH, prints the chart version its constraint
resolves to under Flux's rules (Masterminds semver, exact match first,
newest created on ties), with the source, appVersion and chart URL or digest.
Indexes are cached; Helm's own repository cache is used when it has the
repository (after 'helm repo update' this works offline).

  --format text|json   output format (default text)
  --offline            use cached indexes only
  --timeout DURATION   per request (default 10s)

Exit status: 0 all resolved, 1 some could not be resolved, 2 usage.`;

const OPTIONS = { format: { value: true }, offline: {}, timeout: { value: true } } as const;

export const resolveCommand: Command = {
  name: 'resolve',
  summary: 'which chart version each HelmRelease resolves to (Helm/Flux rules)',
  usage: USAGE,
  options: OPTIONS,
  async run(argv, out) {
    const args = parseArgs(argv, OPTIONS);
    const format = oneOf('format', args.options.get('format')?.[0], ['text', 'json'] as const, 'text');
    const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 10_000);
    const { service } = openWorkspaceAt(args.positional, { network: !args.flags.has('offline'), timeoutMs });
    const rows = (await service.resolveReleases()).map(({ file: _file, code: _code, ...row }) => row);
    if (format === 'json') out(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      for (const r of rows) {
        const what = r.error
          ? `error: ${r.error}`
          : `${r.version}${r.appVersion ? ` (app ${r.appVersion})` : ''}${r.stale ? ' [stale cache]' : ''}${r.url ? `  ${r.url}` : ''}`;
        out(`${r.release}  ${r.source}  ${r.chart} ${r.constraint || '*'} → ${what}\n`);
      }
      const failed = rows.filter((r) => r.error).length;
      out(
        `${rows.length} release${rows.length === 1 ? '' : 's'}: ${rows.length - failed} resolved, ${failed} unresolved\n`,
      );
    }
    return rows.some((r) => r.error) ? 1 : 0;
  },
};
