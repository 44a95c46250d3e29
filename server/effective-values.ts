/**
 * Answers the effective-values request: finds the HelmRelease at the
 * cursor, resolves and loads its chart (through the server's resolution
 * cache), computes the values with the workspace's ConfigMaps/Secrets and
 * renders YAML with a provenance comment on every value. Problems come back
 * as readable text in the view, never as a failed request.
 */
import type { LanguageService, YamlFile } from '../engine/index.ts';
import { uriToPath } from '../engine/index.ts';
import type { ChartResolution } from './resolution.ts';
import { computeReleaseValues } from '../engine/values/release.ts';
import { renderValuesYaml } from '../engine/values/render.ts';
import { workspaceValuesLookup } from '../engine/resolve/values-lookup.ts';
import { formatPath } from '../engine/yaml/nodes.ts';
import type { EffectiveValuesParams, EffectiveValuesResult } from './protocol.ts';
import { overlaysOfBaseCached } from '../engine/flux/overlays.ts';
import { overlayReleaseValues } from '../engine/values/overlay-values.ts';

export async function effectiveValues(service: LanguageService, resolution: ChartResolution, file: YamlFile | undefined, params: EffectiveValuesParams): Promise<EffectiveValuesResult> {
  const ws = service.workspace;
  const path = uriToPath(params.uri);
  if (!ws || !path || !file) return { text: '# Open a HelmRelease in a workspace folder to see its effective values.\n', error: 'no workspace' };
  const offset = params.position ? file.lines.offsetAt(params.position) : 0;
  const releases = ws.index.objectsIn(path).filter((o) => o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/'));
  const hr = releases.find((o) => offset >= o.start && offset < o.end) ?? releases[0];
  if (!hr) return { text: '# This file holds no HelmRelease.\n', error: 'no HelmRelease' };
  const name = `${hr.namespace ?? 'default'}/${hr.name}`;
  const results = await resolution.resolveNow(params.uri);
  const resolved = results.find((r) => r.docStart === hr.start);
  if (!resolved || resolved.error) return { release: name, text: `# Effective values of HelmRelease ${name}\n# The chart could not be resolved: ${resolved?.error?.message ?? 'unknown source'}\n`, error: resolved?.error?.message };
  const chart = await resolution.loadChart(resolved);
  if (!chart.ok) return { release: name, text: `# Effective values of HelmRelease ${name}\n# The chart could not be loaded: ${chart.message}\n`, error: chart.message };
  const overlays = overlaysOfBaseCached(ws, ws.host, { file: path, start: hr.start });
  const overlay = params.overlay ? overlays.find((o) => o.label === params.overlay) : undefined;
  if (params.overlay && !overlay) return { release: name, overlays: overlays.map((o) => o.label), text: `# No overlay ${params.overlay} builds HelmRelease ${name}.\n`, error: 'unknown overlay' };
  const computed = overlay ? overlayReleaseValues(overlay, chart.chart, ws.repoRoot) : { ...computeReleaseValues(ws.index.valueOf(hr) ?? {}, hr.namespace ?? 'default', chart.chart, workspaceValuesLookup(ws)), noteFor: undefined };
  const { result, problems } = computed;
  const header = [
    `Effective values of HelmRelease ${name}${overlay ? ` as ${overlay.label} builds it` : overlays.length ? ` (base, as written; overlays: ${overlays.map((o) => o.label).join(', ')})` : ''}`,
    ...(overlay ? overlay.changes.map((c) => `  ${c.text}`) : []),
    `chart ${chart.chart.metadata.name} ${chart.chart.metadata.version} from ${resolved.sourceLabel}${resolved.stale ? ' (cached index)' : ''}`,
    'each value is followed by the layer that set it; this view follows your edits',
    ...(params.reveal ? [] : ['values from Secrets are masked (setting fluxhelm.values.revealSecrets)']),
    ...problems.map((p) => `${p.severity}: ${formatPath(p.path)}: ${p.message}`),
  ];
  const overlayLabels = overlays.map((o) => o.label);
  if (!result.ok) return { release: name, overlays: overlayLabels, text: `${header.map((l) => `# ${l}`).join('\n')}\n# ${result.error}\n`, error: result.error };
  return { release: name, overlays: overlayLabels, text: renderValuesYaml(result.tree, { provenance: true, reveal: params.reveal, header, noteFor: computed.noteFor }) };
}
