/**
 * The effective values of a HelmRelease, end to end, with provenance:
 * 1. HelmChart `valuesFiles` (source-controller): the listed chart files are
 *    merged in order and replace the chart's values.yaml as its defaults
 *    (`values.yaml` in the list stands for the chart's own defaults);
 * 2. user values from `valuesFrom` and inline `values` (Flux);
 * 3. Helm's dependency processing and coalescing.
 * This is the entry point for the LSP hover and the `fluxhelm values` CLI.
 */
import type { LoadedChart } from '../charts/chart.ts';
import { fromPlain, toPlain, newMap, type NodeMap, type PlainValue } from './tree.ts';
import { readValues } from './yaml.ts';
import { chartValuesFromReferences, mergeMaps, type ValuesLookup, type ValuesReference, type ValuesFromError } from './merge.ts';
import { coalesceChartValues, valuesPerChart, type CoalesceOptions } from './coalesce.ts';
import { flattenValues, type ValueLeaf } from './provenance.ts';

export interface EffectiveValuesInput extends CoalesceOptions {
  chart: LoadedChart;
  /** Namespace of the HelmRelease. */
  namespace: string;
  valuesFrom?: ValuesReference[];
  /** `spec.values` as plain data. */
  values?: unknown;
  /** Finds the ConfigMaps/Secrets named by valuesFrom; default finds nothing. */
  lookup?: ValuesLookup;
  /** HelmChart `spec.valuesFiles` (or HelmRelease `spec.chart.spec.valuesFiles`). */
  valuesFiles?: string[];
  ignoreMissingValuesFiles?: boolean;
}

export interface ChartValues {
  /** Chart path with aliases, e.g. `app` or `app/db`. */
  chart: string;
  /** Name the parent knows it by (alias or chart name). */
  name: string;
  /** What `.Values` holds in this chart's templates. */
  values: { [key: string]: PlainValue };
}

export type EffectiveValuesResult =
  | {
      ok: true;
      /** The root chart's `.Values`. */
      values: { [key: string]: PlainValue };
      /** The same with provenance (internal tree; use with flattenValues / toPlainMasked). */
      tree: NodeMap;
      /** Every leaf of the root `.Values` with its source. */
      leaves: ValueLeaf[];
      /** `.Values` of the root and of every enabled subchart. */
      charts: ChartValues[];
      /** The user values Flux passes to Helm (before chart defaults). */
      userValues: { [key: string]: PlainValue };
      disabledSubcharts: { chart: string; reason: string }[];
      skippedValuesFrom: ValuesFromError[];
      warnings: string[];
    }
  | { ok: false; stage: 'values-files' | 'values-from' | 'coalesce'; error: string; valuesFromError?: ValuesFromError };

/** Go filepath.Clean for slash paths. */
function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  const s = (abs ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

const NOT_IN_FILES = /^(templates\/|values\.schema\.json$|Chart\.lock$|requirements\.lock$)/;

/** Source-controller's merge of `valuesFiles` into new chart defaults. */
export function mergeValuesFiles(chart: LoadedChart, paths: readonly string[], ignoreMissing = false): { ok: true; values: NodeMap } | { ok: false; error: string } {
  let merged = newMap();
  const decoder = new TextDecoder('utf-8');
  for (const p of paths) {
    const cfn = cleanPath(p);
    if (cfn === 'values.yaml') {
      merged = mergeMaps(merged, fromPlain(chart.values, { kind: 'chart-default', chart: chart.metadata.name }) as NodeMap);
      continue;
    }
    const data = NOT_IN_FILES.test(cfn) ? undefined : chart.files.get(cfn);
    if (data === undefined) {
      if (ignoreMissing) continue;
      return { ok: false, error: `no values file found at path '${p}'` };
    }
    const r = readValues(decoder.decode(data), { kind: 'values-file', file: cfn });
    if (!r.ok) return { ok: false, error: `unmarshaling values from '${p}' failed: ${r.error}` };
    merged = mergeMaps(merged, r.value);
  }
  return { ok: true, values: merged };
}

/** Computes the effective values of a HelmRelease against a loaded chart. Never throws on input. */
export function computeEffectiveValues(input: EffectiveValuesInput): EffectiveValuesResult {
  try {
    return compute(input);
  } catch (e) {
    // Only pathological nesting (thousands of levels) gets here.
    if (e instanceof RangeError) return { ok: false, stage: 'values-from', error: 'values are nested too deeply' };
    throw e;
  }
}

function compute(input: EffectiveValuesInput): EffectiveValuesResult {
  let topValues: NodeMap | undefined;
  if (input.valuesFiles && input.valuesFiles.length > 0) {
    const vf = mergeValuesFiles(input.chart, input.valuesFiles, input.ignoreMissingValuesFiles);
    if (!vf.ok) return { ok: false, stage: 'values-files', error: vf.error };
    topValues = vf.values;
  }
  const user = chartValuesFromReferences({
    namespace: input.namespace,
    valuesFrom: input.valuesFrom,
    values: input.values,
    lookup: input.lookup ?? (() => undefined),
  });
  if (!user.ok) return { ok: false, stage: 'values-from', error: user.error.message, valuesFromError: user.error };
  // Taken before coalescing, which may share and change the user maps.
  const userPlain = toPlain(user.values) as { [key: string]: PlainValue };
  const co = coalesceChartValues(input.chart, user.values, { versionMatches: input.versionMatches, modernNulls: input.modernNulls, cleanSubchartNulls: input.cleanSubchartNulls, topValues });
  if (!co.ok) return { ok: false, stage: 'coalesce', error: co.error };
  // The plain views are derived from the tree on first use: a keystroke that only needs the tree
  // (hover, diagnostics of one key) does not pay for flattening thousands of values.
  let values: { [key: string]: PlainValue } | undefined;
  let leaves: ValueLeaf[] | undefined;
  let charts: ChartValues[] | undefined;
  return {
    ok: true,
    get values() {
      return (values ??= toPlain(co.values) as { [key: string]: PlainValue });
    },
    tree: co.values,
    get leaves() {
      return (leaves ??= flattenValues(co.values));
    },
    get charts() {
      return (charts ??= valuesPerChart(co).map((c) => ({ chart: c.chart, name: c.name, values: toPlain(c.values) as { [key: string]: PlainValue } })));
    },
    userValues: userPlain,
    disabledSubcharts: co.disabled,
    skippedValuesFrom: user.skipped,
    warnings: co.warnings,
  };
}
