/**
 * `fluxhelm values PATH --release NAMESPACE/NAME`: the effective values a
 * HelmRelease's chart receives as `.Values`, from the engine's use case
 * (the same text the editor's view shows), optionally with the layer that
 * set each value. Secret-sourced values are masked unless asked.
 */
import { resolve as resolvePath } from 'node:path';
import { openWorkspaceAt, display } from './workspace.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { parseTimeout } from './sources.ts';
import type { Command } from './command.ts';

const USAGE = `Usage: fluxhelm values PATH --release NAMESPACE/NAME [--overlay DIR] [--format yaml|json] [--provenance] [--reveal-secrets] [--offline]

Prints the effective values of a HelmRelease: the exact map its chart's
templates receive as .Values. The layers are merged as Flux and Helm do:
chart defaults (or the chart's valuesFiles), then each valuesFrom entry in
order, then inline spec.values, then Helm's coalescing with the chart.

  --release NS/NAME   the HelmRelease (NAME alone when it is unique)
  --format yaml|json  output format (default yaml)
  --provenance        name the layer that set each value (YAML comments; JSON
                      becomes an array of {path, value, source})
  --reveal-secrets    show values that came from Secrets instead of masking them
  --overlay DIR       the values as an overlay builds this base HelmRelease (e.g.
                      apps/production): patches applied, valuesFrom objects from
                      that build, and the patch file and line noted per value
  --offline           use cached indexes and charts only
  --timeout DURATION  per request (default 10s)`;

const OPTIONS = {
  release: { value: true },
  overlay: { value: true },
  format: { value: true },
  provenance: {},
  'reveal-secrets': {},
  offline: {},
  timeout: { value: true },
} as const;

export const valuesCommand: Command = {
  name: 'values',
  summary: 'effective values of a HelmRelease, with the layer that set each value',
  usage: USAGE,
  options: OPTIONS,
  async run(argv, out, err) {
    const args = parseArgs(argv, OPTIONS);
    const release = args.options.get('release')?.[0];
    if (!release) throw new UsageError('--release NAMESPACE/NAME is required');
    const format = oneOf('format', args.options.get('format')?.[0], ['yaml', 'json'] as const, 'yaml');
    const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 10_000);
    const { service } = openWorkspaceAt(args.positional, { network: !args.flags.has('offline'), timeoutMs });
    const overlay = args.options.get('overlay')?.[0];
    const answer = await service.effectiveValues({
      release,
      overlay,
      overlayPath: overlay ? resolvePath(overlay) : undefined,
      reveal: args.flags.has('reveal-secrets'),
      provenance: args.flags.has('provenance'),
      format,
    });
    if (answer.usage) throw new UsageError(answer.error ?? 'invalid query');
    for (const p of answer.problems)
      err(
        `${display(p.file)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${p.message} [${p.code}]\n`,
      );
    if (!answer.ok) {
      err(`fluxhelm: ${answer.release ?? release}: ${answer.error}\n`);
      return 1;
    }
    out(answer.text);
    return answer.problems.some((p) => p.severity === 'error') ? 1 : 0;
  },
};
