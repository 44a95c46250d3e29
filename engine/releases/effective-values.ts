/**
 * The effective-values use case, for every front end: find the HelmRelease
 * (by position or by `NAMESPACE/NAME`), resolve and load its chart, compute
 * the values (as written, or as an overlay builds it), and render them as
 * YAML with a provenance comment per value, or as JSON. Problems come back
 * as data: an `error` that stops the computation, and `problems` placed on
 * the HelmRelease's lines.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Range, Severity } from '../types.ts';
import type { ChartResolution } from './resolution.ts';
import { findRelease, releaseAt } from './releases.ts';
import { computeReleaseValues, type ReleaseValues } from '../values/release.ts';
import { renderValuesJson, renderValuesYaml } from '../values/render.ts';
import { workspaceValuesLookup } from '../resolve/values-lookup.ts';
import { formatPath, rangeForPath } from '../yaml/nodes.ts';
import { overlaysOfBaseCached } from '../flux/overlays.ts';
import { overlayReleaseValues } from '../values/overlay-values.ts';
import type { ValueLeaf } from '../values/provenance.ts';

export interface EffectiveValuesQuery {
  /** The HelmRelease's file and an offset inside it (editor), or … */
  path?: string;
  offset?: number;
  /** … `NAMESPACE/NAME` (or `NAME` when unique) anywhere in the workspace (CLI). */
  release?: string;
  /** An overlay that builds this base HelmRelease: its label (`apps/production`) or absolute folder. */
  overlay?: string;
  /** The same overlay as an absolute folder (the CLI resolves what the user typed). */
  overlayPath?: string;
  /** Show values that came from Secrets. */
  reveal?: boolean;
  /** A comment (YAML) or a `source` field (JSON) with the layer that set each value; default true. */
  provenance?: boolean;
  format?: 'yaml' | 'json';
}

export interface ValuesProblem {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
}

export interface EffectiveValuesAnswer {
  /** The values were computed (problems may still be listed). */
  ok: boolean;
  /** The rendered values, or a YAML comment explaining why there are none. */
  text: string;
  /** `namespace/name` of the HelmRelease, when one was found. */
  release?: string;
  /** Overlays that build this HelmRelease (labels usable as `overlay`). */
  overlays?: string[];
  /** Why the values could not be computed. */
  error?: string;
  /** The query itself was wrong (no such release or overlay): a usage problem for the CLI. */
  usage?: boolean;
  problems: ValuesProblem[];
}

const comment = (lines: string[]) => `${lines.map((l) => `# ${l}`).join('\n')}\n`;

function problemsAt(ws: Workspace, hr: IndexedObject, list: ReleaseValues['problems']): ValuesProblem[] {
  const lines = ws.lines(hr.file);
  const doc = ws.index.documentOf(hr);
  return list.map((p) => {
    const [s, e] = doc ? rangeForPath(doc.doc.contents, p.path) : [0, 0];
    const range = doc && lines ? lines.rangeOf(doc.start + s, doc.start + e) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { file: hr.file, range, severity: p.severity, code: p.code, message: `${formatPath(p.path)}: ${p.message}` };
  });
}

export async function effectiveValues(ws: Workspace, resolution: ChartResolution, q: EffectiveValuesQuery): Promise<EffectiveValuesAnswer> {
  let hr: IndexedObject | undefined;
  if (q.release) {
    const found = findRelease(ws, q.release);
    if (!found.ok) return { ok: false, usage: true, text: comment([found.error]), error: found.error, problems: [] };
    hr = found.release;
  } else if (q.path) hr = releaseAt(ws, q.path, q.offset ?? 0);
  if (!hr) return { ok: false, text: comment(['This file holds no HelmRelease.']), error: 'no HelmRelease', problems: [] };
  const name = `${hr.namespace ?? 'default'}/${hr.name}`;
  const title = `Effective values of HelmRelease ${name}`;
  const fail = (error: string, extra: Partial<EffectiveValuesAnswer> = {}): EffectiveValuesAnswer =>
    ({ ok: false, release: name, text: comment([title, error]), error, problems: [], ...extra });

  const resolved = await resolution.resolveRelease(hr);
  if (resolved.error) return fail(`the chart could not be resolved: ${resolved.error.message}`);
  const chart = await resolution.loadChart(resolved);
  if (!chart.ok) return fail(`the chart could not be loaded: ${chart.message}`);

  const overlays = overlaysOfBaseCached(ws, ws.host, { file: hr.file, start: hr.start });
  const labels = overlays.map((o) => o.label);
  const wanted = q.overlay?.replace(/\/+$/, '').replace(/^\.\//, '');
  const overlay = wanted ? overlays.find((o) => o.label === wanted || o.overlay === wanted || (q.overlayPath !== undefined && o.overlay === q.overlayPath)) : undefined;
  if (wanted && !overlay) return fail(`no overlay ${wanted} builds HelmRelease ${name}; overlays that do: ${labels.join(', ') || 'none'}`, { overlays: labels, usage: true });

  let computed: ReleaseValues & { noteFor?: (leaf: ValueLeaf) => string | undefined };
  if (overlay) computed = overlayReleaseValues(overlay, chart.chart, ws.repoRoot);
  else computed = computeReleaseValues(ws.index.valueOf(hr) ?? {}, hr.namespace ?? 'default', chart.chart, workspaceValuesLookup(ws));
  const { result } = computed;
  const problems = problemsAt(ws, hr, computed.problems);
  const provenance = q.provenance !== false;
  const header = [
    `${title}${overlay ? ` as ${overlay.label} builds it` : labels.length ? ` (base, as written; overlays: ${labels.join(', ')})` : ''}`,
    ...(overlay ? overlay.changes.map((c) => `  ${c.text}`) : []),
    `chart ${chart.chart.metadata.name} ${chart.chart.metadata.version} from ${resolved.sourceLabel}${resolved.stale ? ' (cached index)' : ''}`,
    'each value is followed by the layer that set it',
    ...(q.reveal ? [] : ['values from Secrets are masked (fluxhelm.values.revealSecrets, --reveal-secrets)']),
    ...computed.problems.map((p) => `${p.severity}: ${formatPath(p.path)}: ${p.message}`),
  ];
  if (!result.ok) return { ok: false, release: name, overlays: labels, text: comment([...header, result.error]), error: result.error, problems };
  const opts = { provenance, reveal: q.reveal, noteFor: computed.noteFor };
  const text = q.format === 'json' ? renderValuesJson(result.tree, opts) : renderValuesYaml(result.tree, { ...opts, header: provenance ? header : undefined });
  return { ok: true, release: name, overlays: labels, text, problems };
}
