/**
 * The text of the rendered-manifests view: a header naming the release,
 * chart, overlay and what was found, then the objects as `helm template`
 * prints them (each after its `# Source:` template line). Failures become a
 * commented explanation with the findings and their lines.
 */
import type { RenderedRelease } from '../../engine/index.ts';
import type { RenderedManifestsResult } from '../protocol.ts';

export function renderedView(r: RenderedRelease): RenderedManifestsResult {
  const where = `HelmRelease ${r.release}${r.overlay ? ` as ${r.overlay} builds it` : r.overlays.length ? ` (base, as written; overlays: ${r.overlays.join(', ')})` : ''}`;
  const header = [
    `# Rendered manifests of ${where}`,
    ...(r.chart
      ? [
          `# chart ${r.chart.name} ${r.chart.version}${r.releaseName ? `, release ${r.releaseName} in namespace ${r.namespace}` : ''}${r.helmVersion ? `, Helm ${r.helmVersion}` : ''}`,
        ]
      : []),
    ...r.diagnostics.map((d) => `# ${d.severity} (line ${d.range.start.line + 1}): ${d.message} [${d.code}]`),
    '# this view follows your edits',
  ];
  const base = { release: r.release, overlays: r.overlays, objects: r.objects.length };
  if (!r.ok)
    return {
      ...base,
      text: `${[...header, `# nothing rendered: ${r.error ?? 'unknown error'}`].join('\n')}\n`,
      error: r.error,
    };
  return { ...base, text: `${header.join('\n')}\n${r.manifest}` };
}
