/**
 * `fluxhelm values PATH --release NAMESPACE/NAME`: the effective values a
 * HelmRelease's chart receives as `.Values` (chart defaults, valuesFrom in
 * order, inline values on top, Helm's coalescing), optionally with the layer
 * that set each value. Secret-sourced values are masked unless asked.
 */
import { openWorkspaceAt } from './workspace.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { createCliSources, parseTimeout } from './sources.ts';
import { resolveReleaseChart } from '../engine/resolve/release-chart.ts';
import { fetchChart } from '../engine/resolve/fetch-chart.ts';
import { workspaceValuesLookup } from '../engine/resolve/values-lookup.ts';
import { computeReleaseValues, type ReleaseValues } from '../engine/values/release.ts';
import { overlaysOfBaseCached } from '../engine/flux/overlays.ts';
import { overlayReleaseValues } from '../engine/values/overlay-values.ts';
import type { ValueLeaf } from '../engine/values/provenance.ts';
import { resolve as resolvePath } from 'node:path';
import { renderValuesJson, renderValuesYaml } from '../engine/values/render.ts';
import { formatPath, rangeForPath } from '../engine/yaml/nodes.ts';
import type { Workspace } from '../engine/index.ts';

export const VALUES_HELP = `Usage: fluxhelm values PATH --release NAMESPACE/NAME [--overlay DIR] [--format yaml|json] [--provenance] [--reveal-secrets] [--offline]

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

function findRelease(ws: Workspace, wanted: string) {
  const [ns, name] = wanted.includes('/') ? wanted.split('/', 2) : [undefined, wanted];
  const patchFiles = ws.check().patchFiles;
  const all = [...ws.index.allObjects()].filter((o) => o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/') && !patchFiles.has(o.file) && o.name === name);
  const matches = ns === undefined ? all : all.filter((o) => o.namespace === ns || o.namespace === undefined);
  if (matches.length === 0) throw new UsageError(`no HelmRelease ${wanted} below the given path`);
  if (matches.length > 1) throw new UsageError(`HelmRelease ${wanted} is ambiguous: ${matches.map((m) => m.file).join(', ')}`);
  return matches[0];
}

export async function values(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { release: { value: true }, overlay: { value: true }, format: { value: true }, provenance: {}, 'reveal-secrets': {}, offline: {}, timeout: { value: true }, help: {} });
  if (args.flags.has('help')) {
    out(`${VALUES_HELP}\n`);
    return 0;
  }
  const wanted = args.options.get('release')?.[0];
  if (!wanted) throw new UsageError('--release NAMESPACE/NAME is required');
  const format = oneOf('format', args.options.get('format')?.[0], ['yaml', 'json'] as const, 'yaml');
  const offline = args.flags.has('offline');
  const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 10_000);
  const { service } = openWorkspaceAt(args.positional);
  const ws = service.workspace!;
  const hr = findRelease(ws, wanted);
  const { host, sources } = createCliSources();
  const resolved = await resolveReleaseChart(ws, hr, sources, { offline, timeoutMs });
  if (resolved.error) {
    err(`fluxhelm: ${hr.file}: cannot resolve the chart: ${resolved.error.message}\n`);
    return 1;
  }
  const fetched = await fetchChart(ws, host, resolved, { offline, timeoutMs, oci: sources.oci });
  if (!fetched.ok) {
    err(`fluxhelm: ${hr.file}: cannot load the chart: ${fetched.message}\n`);
    return 1;
  }
  const overlayWanted = args.options.get('overlay')?.[0]?.replace(/\/+$/, '').replace(/^\.\//, '');
  let namespace = hr.namespace ?? 'default';
  let computed: ReleaseValues & { noteFor?: (leaf: ValueLeaf) => string | undefined };
  if (overlayWanted) {
    const overlays = overlaysOfBaseCached(ws, ws.host, { file: hr.file, start: hr.start });
    const overlay = overlays.find((o) => o.label === overlayWanted || o.overlay === resolvePath(overlayWanted));
    if (!overlay) throw new UsageError(`no overlay ${overlayWanted} builds ${hr.name}; overlays that do: ${overlays.map((o) => o.label).join(', ') || 'none'}`);
    computed = overlayReleaseValues(overlay, fetched.chart, ws.repoRoot);
    const meta = (overlay.builtObject.metadata ?? {}) as { namespace?: string };
    namespace = meta.namespace ?? namespace;
  } else computed = computeReleaseValues(ws.index.valueOf(hr) ?? {}, namespace, fetched.chart, workspaceValuesLookup(ws));
  const { result, problems } = computed;
  const lines = ws.lines(hr.file);
  const doc = ws.index.documentOf(hr);
  for (const p of problems) {
    const at = doc && lines ? lines.positionAt(doc.start + rangeForPath(doc.doc.contents, p.path)[0]) : { line: 0, character: 0 };
    err(`${hr.file}:${at.line + 1}:${at.character + 1}: ${p.severity}: ${formatPath(p.path)}: ${p.message} [${p.code}]\n`);
  }
  if (!result.ok) return 1;
  const reveal = args.flags.has('reveal-secrets');
  const provenance = args.flags.has('provenance');
  const noteFor = computed.noteFor;
  if (format === 'json') out(renderValuesJson(result.tree, { reveal, provenance, noteFor }));
  else {
    const header = provenance ? [`Effective values of HelmRelease ${namespace}/${hr.name}${overlayWanted ? ` as ${overlayWanted} builds it` : ''}`, `chart ${fetched.chart.metadata.name} ${fetched.chart.metadata.version} from ${resolved.sourceLabel}`, 'each value is followed by the layer that set it'] : undefined;
    out(renderValuesYaml(result.tree, { reveal, provenance, header, noteFor }));
  }
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}
