/**
 * Effective values of one HelmRelease: reads `valuesFrom`, `values` and
 * `chart.spec.valuesFiles` from the object, finds the ConfigMaps/Secrets it
 * names (through a lookup the caller builds from the workspace or from an
 * overlay's build), computes the values against a loaded chart, and turns
 * every problem into a diagnostic placed on the HelmRelease field to blame.
 */
import type { LoadedChart } from '../charts/chart.ts';
import { computeEffectiveValues, type EffectiveValuesResult } from './effective.ts';
import type { ValuesLookup, ValuesReference, ValuesObject } from './merge.ts';
import type { PathSeg } from '../yaml/nodes.ts';
import type { Severity } from '../types.ts';
import { parseSet } from './strvals.ts';

export interface ReleaseProblem {
  /** Where in the HelmRelease the problem is (e.g. spec.valuesFrom[1].name). */
  path: PathSeg[];
  severity: Severity;
  code: string;
  message: string;
}

export interface ReleaseValues {
  result: EffectiveValuesResult;
  problems: ReleaseProblem[];
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The valuesFrom entries of a HelmRelease, keeping only well-formed ones (the schema check reports the rest). */
export function valuesReferences(release: Record<string, unknown>): ValuesReference[] {
  const list = rec(release.spec)?.valuesFrom;
  if (!Array.isArray(list)) return [];
  return list.map((e) => {
    const r = rec(e) ?? {};
    return {
      kind: String(r.kind ?? ''),
      name: String(r.name ?? ''),
      valuesKey: typeof r.valuesKey === 'string' ? r.valuesKey : undefined,
      // Flux treats an empty targetPath as none.
      targetPath: typeof r.targetPath === 'string' && r.targetPath !== '' ? r.targetPath : undefined,
      optional: r.optional === true,
      literal: r.literal === true,
    };
  });
}

/** What Helm's `--set` parser makes of a targetPath: an error, a path that sets nothing, or fine. */
export function checkTargetPath(targetPath: string): { error: string } | { noEffect: true } | undefined {
  const r = parseSet(`${targetPath}=x`, 'string');
  if (!r.ok) return { error: r.error };
  return Object.keys(r.value).length === 0 ? { noEffect: true } : undefined;
}

export function computeReleaseValues(release: Record<string, unknown>, namespace: string, chart: LoadedChart, lookup: ValuesLookup): ReleaseValues {
  const problems: ReleaseProblem[] = [];
  const spec = rec(release.spec) ?? {};
  const refs = valuesReferences(release);
  refs.forEach((ref, i) => {
    if (ref.targetPath !== undefined) {
      const check = checkTargetPath(ref.targetPath);
      const at = ['spec', 'valuesFrom', i, 'targetPath'];
      if (check && 'error' in check) problems.push({ path: at, severity: 'error', code: 'invalid-target-path', message: `targetPath \`${ref.targetPath}\` is not valid Helm --set syntax: ${check.error}` });
      else if (check) problems.push({ path: at, severity: 'warning', code: 'target-path-no-effect', message: `targetPath \`${ref.targetPath}\` sets nothing: Helm's --set parser silently ignores it (an index needs digits and a closing \`]\`)` });
    }
  });
  const chartSpec = rec(rec(spec.chart)?.spec);
  const valuesFiles = Array.isArray(chartSpec?.valuesFiles) ? chartSpec.valuesFiles.filter((f): f is string => typeof f === 'string') : undefined;
  const result = computeEffectiveValues({
    chart,
    namespace,
    valuesFrom: refs,
    values: spec.values,
    lookup,
    valuesFiles,
    ignoreMissingValuesFiles: chartSpec?.ignoreMissingValuesFiles === true,
  });
  if (!result.ok) {
    const e = result.valuesFromError;
    if (e) {
      const field = e.reason === 'key-not-found' ? 'valuesKey' : 'name';
      const hasField = field === 'name' || refs[e.index]?.valuesKey !== undefined;
      problems.push({ path: ['spec', 'valuesFrom', e.index, hasField ? field : 'name'], severity: 'error', code: e.reason === 'key-not-found' ? 'values-key-missing' : 'values-source-missing', message: `${e.message}; Flux would fail this release with ValuesError${e.optional ? '' : ' (set `optional: true` to skip it when absent)'}` });
    } else if (result.stage === 'values-files') {
      problems.push({ path: ['spec', 'chart', 'spec', 'valuesFiles'], severity: 'error', code: 'values-file-missing', message: result.error });
    } else {
      problems.push({ path: ['spec', 'values'], severity: 'error', code: 'values-error', message: result.error });
    }
  }
  return { result, problems };
}

/** A lookup over plain objects (ConfigMaps/Secrets), by kind, namespace and name. */
export function lookupFromObjects(objects: Iterable<Record<string, unknown>>): ValuesLookup {
  const byKey = new Map<string, ValuesObject>();
  for (const o of objects) {
    const kind = o.kind;
    if (kind !== 'ConfigMap' && kind !== 'Secret') continue;
    const meta = rec(o.metadata) ?? {};
    const entry: ValuesObject = {
      data: rec(o.data) as Record<string, string> | undefined,
      stringData: rec(o.stringData) as Record<string, string> | undefined,
      binaryData: rec(o.binaryData) as Record<string, string> | undefined,
    };
    // Objects whose namespace is set later (by kustomize or Flux) are stored without one and match any namespace.
    byKey.set(`${kind}/${typeof meta.namespace === 'string' ? meta.namespace : ''}/${String(meta.name ?? '')}`, entry);
  }
  return (kind, namespace, name) => byKey.get(`${kind}/${namespace}/${name}`) ?? byKey.get(`${kind}//${name}`);
}
