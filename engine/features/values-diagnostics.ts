/**
 * Diagnostics for a HelmRelease's values against its chart:
 * - values.schema.json violations (Helm's check, see values/schema-check.ts)
 *   as errors, placed where the failing value was set: on the key under
 *   `spec.values` when the inline layer set it, otherwise on the
 *   `spec.valuesFrom[i]` entry (its name) that did, otherwise on
 *   `spec.chart.spec.chart` when the chart's own defaults break the schema;
 *   the message names the layer;
 * - for charts without a schema, keys under `spec.values` that the chart's
 *   values.yaml does not know (warning `unknown-value-key`, with a "did you
 *   mean"); maps that are empty or null in values.yaml (`podAnnotations: {}`)
 *   and lists are open, `global` is free-form, subchart sections are checked
 *   against the subchart's values.yaml and dependency condition keys are known;
 * - the problems found while computing the values (missing valuesFrom
 *   objects or keys, invalid targetPath), on the field to blame.
 *
 * Offsets are relative to the document's start (`doc.start`), like every
 * per-document check in the engine.
 */
import { isMap as isYamlMap, isScalar as isYamlScalar, type Pair, type YAMLMap } from 'yaml';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlDocument } from '../yaml/documents.ts';
import type { LoadedChart } from '../charts/chart.ts';
import type { ReleaseValues } from '../values/release.ts';
import type { PlainValue, ValueSource } from '../values/tree.ts';
import { Leaf, isMap, toPlain, nodeAtPath, type Node } from '../values/tree.ts';
import { mergeValuesFiles } from '../values/effective.ts';
import { describeSource, flattenValues, formatValuePath } from '../values/provenance.ts';
import { checkValuesSchema, subchartSections, type SchemaCheckOptions, type ValuesSchemaProblem } from '../values/schema-check.ts';
import { findAtPath, nodeRange, rangeForPath, type PathSeg } from '../yaml/nodes.ts';
import { suggest } from '../util/suggest.ts';
import { chartDefaults } from './values-completion.ts';

export interface ValuesDiagnosticsOptions extends SchemaCheckOptions {
  /** Check values against values.schema.json (default true). */
  schema?: boolean;
  /** Warn about keys the chart does not know when it has no schema (default true). */
  unknownKeys?: boolean;
}

type PlainMap = { [key: string]: PlainValue };

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isPlainMap(v: unknown): v is PlainMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


/** The layer to blame for the value at `path`: inline beats valuesFrom (latest first) beats values files beats chart defaults. */
function blameAt(tree: Node, path: readonly (string | number)[]): ValueSource | undefined {
  const node = nodeAtPath(tree, path);
  if (node === undefined) return undefined;
  if (node instanceof Leaf) return node.source;
  const sources = flattenValues(node, path).map((l) => l.source).filter((s): s is ValueSource => s !== undefined);
  const rank = (s: ValueSource): number => (s.kind === 'inline' ? 1e6 : s.kind === 'values-from' ? 1000 + s.index : s.kind === 'values-file' ? 1 : 0);
  let best: ValueSource | undefined;
  for (const s of sources) if (!best || rank(s) > rank(best)) best = s;
  return best;
}

/** Where the chart of the release is named: the chart name, else chartRef, else `kind`. */
function chartRange(contents: unknown): [number, number] {
  if (findAtPath(contents, ['spec', 'chart', 'spec', 'chart']).node) return rangeForPath(contents, ['spec', 'chart', 'spec', 'chart']);
  if (findAtPath(contents, ['spec', 'chartRef']).node) return rangeForPath(contents, ['spec', 'chartRef'], true);
  return rangeForPath(contents, ['kind'], true);
}

function placeSchemaProblem(doc: YamlDocument, release: ReleaseValues, p: ValuesSchemaProblem): OffsetDiagnostic {
  const contents = doc.doc.contents;
  const result = release.result;
  let source: ValueSource | undefined;
  if (result.ok) source = blameAt(result.tree, p.path) ?? blameAt(result.tree, p.instancePath);
  let range: [number, number];
  let layer: string;
  if (source?.kind === 'inline') {
    const yamlPath: PathSeg[] = ['spec', 'values', ...p.path];
    const found = findAtPath(contents, yamlPath);
    range = found.depth >= 2 ? rangeForPath(contents, yamlPath.slice(0, Math.max(found.depth, 2)), true) : chartRange(contents);
    layer = 'set in spec.values';
  } else if (source?.kind === 'values-from') {
    const entry: PathSeg[] = ['spec', 'valuesFrom', source.index];
    range = findAtPath(contents, [...entry, 'name']).node ? rangeForPath(contents, [...entry, 'name']) : rangeForPath(contents, entry);
    layer = `set by ${describeSource(source)}`;
  } else if (source?.kind === 'values-file') {
    range = findAtPath(contents, ['spec', 'chart', 'spec', 'valuesFiles']).node ? rangeForPath(contents, ['spec', 'chart', 'spec', 'valuesFiles'], true) : chartRange(contents);
    layer = `set by the chart's ${source.file} (spec.chart.spec.valuesFiles)`;
  } else {
    range = chartRange(contents);
    layer = source?.kind === 'chart-default' ? `the chart default of ${source.chart}` : 'from the chart defaults';
  }
  const schemaOf = p.chart.includes('/') ? `values.schema.json of ${p.chart}` : 'values.schema.json';
  return {
    start: range[0],
    end: range[1],
    severity: 'error',
    code: 'values-schema',
    message: `${p.message} (${layer}; checked against ${schemaOf}, Helm refuses to install or upgrade)`,
    data: { valuesPath: formatValuePath(p.path), chart: p.chart, keyword: p.keyword },
  };
}

function schemaValidationDisabled(release: Record<string, unknown> | undefined): boolean {
  const spec = rec(release?.spec);
  return rec(spec?.install)?.disableSchemaValidation === true && rec(spec?.upgrade)?.disableSchemaValidation === true;
}

// ---------------------------------------------------------------------------
// Unknown keys

/** Paths (as formatted strings) that dependency conditions and tags read, so they count as known. */
function conditionPaths(chart: LoadedChart, prefix: (string | number)[], out: Set<string>, depth = 0): void {
  if (depth > 20) return;
  for (const d of chart.metadata.dependencies) {
    for (const c of (d.condition ?? '').split(',')) {
      const t = c.trim();
      if (t) out.add(formatValuePath([...prefix, ...t.split('.')]));
    }
  }
  for (const [section, sub] of subchartSections(chart)) conditionPaths(sub, [...prefix, section], out, depth + 1);
}

function keyOf(pair: Pair): string | undefined {
  const k = pair.key;
  if (isYamlScalar(k)) return k.value === null ? '' : String(k.value);
  return undefined;
}

/** The chart defaults, with the files of `spec.chart.spec.valuesFiles` merged in (their keys are known too). */
function knownDefaults(doc: YamlDocument, chart: LoadedChart): PlainMap {
  const base = chartDefaults(chart);
  const files = rec(rec(rec(rec(doc.value())?.spec)?.chart)?.spec)?.valuesFiles;
  if (!Array.isArray(files) || files.length === 0) return base;
  const merged = mergeValuesFiles(chart, files.filter((f): f is string => typeof f === 'string'), true);
  if (!merged.ok) return base;
  const extra = toPlain(merged.values);
  const overlay = (a: PlainValue, b: PlainValue): PlainValue => {
    if (!isPlainMap(a) || !isPlainMap(b)) return b;
    const out: PlainMap = { ...a };
    for (const k of Object.keys(b)) out[k] = Object.prototype.hasOwnProperty.call(out, k) ? overlay(out[k], b[k]) : b[k];
    return out;
  };
  return overlay(base, extra) as PlainMap;
}

function unknownKeys(doc: YamlDocument, chart: LoadedChart): OffsetDiagnostic[] {
  const valuesNode = findAtPath(doc.doc.contents, ['spec', 'values']).node;
  if (!isYamlMap(valuesNode)) return [];
  const known = new Set<string>();
  conditionPaths(chart, [], known);
  const hasTags = (c: LoadedChart): boolean => c.metadata.dependencies.some((d) => d.tags.length > 0) || c.subcharts.some(hasTags);
  const rootTags = hasTags(chart);
  const out: OffsetDiagnostic[] = [];
  const walk = (map: YAMLMap, path: string[], defaults: PlainValue | undefined, owner: LoadedChart, ownerPath: string, regionRoot: boolean): void => {
    const sections = regionRoot ? subchartSections(owner) : undefined;
    const checkHere = !owner.schemaText && isPlainMap(defaults) && Object.keys(defaults).length > 0;
    for (const pair of map.items as Pair[]) {
      const key = keyOf(pair);
      if (key === undefined) continue;
      const childPath = [...path, key];
      const value = pair.value;
      const sub = sections?.get(key);
      if (sub) {
        if (isYamlMap(value)) walk(value, childPath, isPlainMap(defaults) ? defaults[key] : undefined, sub, `${ownerPath}/${key}`, true);
        continue;
      }
      if (path.length === 0 && (key === 'global' || (key === 'tags' && rootTags))) continue;
      if (known.has(formatValuePath(childPath))) continue;
      if (!isPlainMap(defaults)) continue;
      const inDefaults = Object.prototype.hasOwnProperty.call(defaults, key);
      if (!inDefaults) {
        if (!checkHere) continue;
        const r = nodeRange(pair.key);
        if (!r) continue;
        const candidates = Object.keys(defaults);
        const [best] = suggest(key, candidates);
        const where = path.length ? ` under \`${formatValuePath(path)}\`` : '';
        out.push({
          start: r[0],
          end: r[1],
          severity: 'warning',
          code: 'unknown-value-key',
          message: `\`${key}\`${where} is not a value of chart ${ownerPath}: its values.yaml has no such key, so the chart's templates probably ignore it${best !== undefined ? ` — did you mean \`${best}\`?` : ''}`,
          data: { valuesPath: formatValuePath(childPath), chart: ownerPath, ...(best !== undefined ? { suggestion: best } : {}) },
        });
        continue;
      }
      const child = defaults[key];
      if (isYamlMap(value) && isPlainMap(child) && Object.keys(child).length > 0) walk(value, childPath, child, owner, ownerPath, false);
    }
  };
  walk(valuesNode, [], knownDefaults(doc, chart), chart, chart.metadata.name, true);
  return out;
}

// ---------------------------------------------------------------------------

/**
 * Values diagnostics of one HelmRelease document. `release` is
 * computeReleaseValues(doc.value(), namespace, chart, lookup).
 */
export function getValuesDiagnostics(doc: YamlDocument, chart: LoadedChart, release: ReleaseValues, options: ValuesDiagnosticsOptions = {}): OffsetDiagnostic[] {
  const contents = doc.doc.contents;
  const out: OffsetDiagnostic[] = [];
  for (const p of release.problems) {
    const [start, end] = rangeForPath(contents, p.path);
    out.push({ start, end, severity: p.severity, code: p.code, message: p.message });
  }
  const result = release.result;
  if (options.schema !== false && result.ok && !schemaValidationDisabled(rec(doc.value()))) {
    for (const p of checkValuesSchema(chart, result.charts, options)) {
      if (p.kind === 'schema-error') {
        const [start, end] = chartRange(contents);
        const remote = p.keyword === 'remote-ref';
        out.push({ start, end, severity: remote ? 'warning' : 'error', code: remote ? 'values-schema-remote' : 'values-schema-invalid', message: p.message, data: { chart: p.chart } });
      } else out.push(placeSchemaProblem(doc, release, p));
    }
  }
  if (options.unknownKeys !== false) out.push(...unknownKeys(doc, chart));
  return out;
}
