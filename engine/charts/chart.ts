/**
 * A Helm chart loaded from a file map (a chart directory read by the host, or
 * the files of an extracted `.tgz`): Chart.yaml metadata with dependencies,
 * values.yaml, values.schema.json, the other files, and subcharts found in
 * `charts/` (nested `.tgz` archives or folders), loaded recursively.
 *
 * Like Helm's loader, `templates/` are kept as plain files, names starting
 * with `.` or `_` in `charts/` are ignored, and apiVersion v1 charts take
 * their dependencies from requirements.yaml. Problems are returned as
 * `errors` strings on the chart (a broken subchart is left out and reported).
 */
import { extractTgz, type ArchiveLimits } from './archive.ts';
import { readValues } from '../values/yaml.ts';
import { loadValues } from '../values/merge.ts';
import { toPlain, type PlainValue } from '../values/tree.ts';

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags: string[];
  alias?: string;
  /** `import-values` entries as written (strings or `{child, parent}` maps). */
  importValues: PlainValue[];
}

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
  type?: string;
  description?: string;
  dependencies: ChartDependency[];
  /** Chart.yaml (or requirements.yaml) has a `dependencies` list, even an empty one. Helm only processes dependencies then. */
  dependenciesDeclared: boolean;
}

export interface LoadedChart {
  metadata: ChartMetadata;
  /** values.yaml as text ('' when absent). */
  valuesText: string;
  /** values.yaml parsed with Helm's YAML rules (every document, merged in order, as Helm v4 does). */
  values: { [key: string]: PlainValue };
  /** values.schema.json text, when present. */
  schemaText?: string;
  /** Every other file (templates included), by path relative to the chart root. */
  files: Map<string, Uint8Array>;
  /** Subcharts from `charts/`, sorted by their file or folder name. */
  subcharts: LoadedChart[];
  /** Where the chart sits, e.g. `charts/redis-1.2.3.tgz` inside its parent ('' for the root). */
  location: string;
  errors: string[];
  /** Every file exactly as loaded (Chart.yaml, values.yaml and `charts/` included), for handing the chart to Helm itself. */
  sourceFiles?: Map<string, Uint8Array>;
}

export type ChartLoadResult = { ok: true; chart: LoadedChart } | { ok: false; error: string };

const decoder = new TextDecoder('utf-8');
const MAX_DEPTH = 20;

function str(v: PlainValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function parseDependencies(list: PlainValue | undefined): ChartDependency[] {
  if (!Array.isArray(list)) return [];
  const out: ChartDependency[] = [];
  for (const d of list) {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) continue;
    const tags = Array.isArray(d.tags) ? d.tags.map((t) => str(t as PlainValue) ?? '').filter((t) => t !== '') : [];
    const iv = d['import-values'];
    out.push({
      name: str(d.name) ?? '',
      version: str(d.version),
      repository: str(d.repository),
      condition: str(d.condition),
      tags,
      alias: str(d.alias) || undefined,
      importValues: Array.isArray(iv) ? iv : [],
    });
  }
  return out;
}

/** Loads a chart from files keyed by path relative to the chart root. */
export function loadChartFromFiles(input: Map<string, Uint8Array | string> | Record<string, Uint8Array | string>, options: { limits?: ArchiveLimits; location?: string; depth?: number } = {}): ChartLoadResult {
  const files = input instanceof Map ? input : new Map(Object.entries(input));
  const text = (p: string): string | undefined => {
    const v = files.get(p);
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : decoder.decode(v);
  };
  const chartYaml = text('Chart.yaml');
  if (chartYaml === undefined) return { ok: false, error: `${options.location || 'chart'}: Chart.yaml file is missing` };
  const meta = readValues(chartYaml);
  if (!meta.ok) return { ok: false, error: `${options.location || 'chart'}: cannot load Chart.yaml: ${meta.error}` };
  const m = toPlain(meta.value) as { [key: string]: PlainValue };
  const errors: string[] = [];
  const name = str(m.name) ?? '';
  if (!name) return { ok: false, error: `${options.location || 'chart'}: Chart.yaml has no name` };
  const apiVersion = str(m.apiVersion) ?? 'v1';
  let dependencies = parseDependencies(m.dependencies);
  let dependenciesDeclared = Array.isArray(m.dependencies);
  if (apiVersion === 'v1') {
    const req = text('requirements.yaml');
    if (req !== undefined) {
      const r = readValues(req);
      if (r.ok) {
        const deps = (toPlain(r.value) as { [k: string]: PlainValue }).dependencies;
        dependencies = parseDependencies(deps);
        dependenciesDeclared = Array.isArray(deps);
      } else errors.push(`cannot load requirements.yaml: ${r.error}`);
    }
  }
  const metadata: ChartMetadata = {
    apiVersion,
    name,
    version: str(m.version) ?? '',
    appVersion: str(m.appVersion),
    type: str(m.type),
    description: str(m.description),
    dependencies,
    dependenciesDeclared,
  };

  const valuesText = text('values.yaml') ?? '';
  let values: { [key: string]: PlainValue } = {};
  if (valuesText !== '') {
    const v = loadValues(valuesText);
    if (v.ok) values = toPlain(v.value) as { [key: string]: PlainValue };
    else errors.push(`cannot load values.yaml: ${v.error}`);
  }

  const rest = new Map<string, Uint8Array>();
  const subFolders = new Map<string, Map<string, Uint8Array | string>>();
  const subArchives = new Map<string, Uint8Array>();
  for (const [path, data] of files) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (path.startsWith('charts/')) {
      const restPath = path.slice('charts/'.length);
      const slash = restPath.indexOf('/');
      const first = slash === -1 ? restPath : restPath.slice(0, slash);
      if (first === '' || first.startsWith('.') || first.startsWith('_')) continue;
      if (slash === -1) {
        if (/\.(tgz|tar\.gz)$/.test(first)) subArchives.set(first, bytes);
        continue;
      }
      let folder = subFolders.get(first);
      if (!folder) subFolders.set(first, (folder = new Map()));
      folder.set(restPath.slice(slash + 1), data);
      continue;
    }
    if (path === 'Chart.yaml' || path === 'values.yaml' || path === 'requirements.yaml') continue;
    rest.set(path, bytes);
  }

  const depth = options.depth ?? 0;
  const subcharts: LoadedChart[] = [];
  const names = [...new Set([...subArchives.keys(), ...subFolders.keys()])].sort();
  for (const n of names) {
    const location = `${options.location ? options.location + '/' : ''}charts/${n}`;
    if (depth >= MAX_DEPTH) {
      errors.push(`${location}: subcharts nested more than ${MAX_DEPTH} levels deep`);
      continue;
    }
    const archive = subArchives.get(n);
    const r = archive
      ? loadChartArchive(archive, { limits: options.limits, location, depth: depth + 1 })
      : loadChartFromFiles(subFolders.get(n)!, { limits: options.limits, location, depth: depth + 1 });
    if (r.ok) subcharts.push(r.chart);
    else errors.push(r.error);
  }

  return {
    ok: true,
    chart: {
      metadata,
      valuesText,
      values,
      schemaText: text('values.schema.json'),
      files: rest,
      subcharts,
      location: options.location ?? '',
      errors,
      sourceFiles: new Map([...files].map(([p, v]) => [p, typeof v === 'string' ? new TextEncoder().encode(v) : v])),
    },
  };
}

/** Loads a chart from `.tgz` bytes (entries sit under one top folder, which is removed). */
export function loadChartArchive(bytes: Uint8Array, options: { limits?: ArchiveLimits; location?: string; depth?: number } = {}): ChartLoadResult {
  const ex = extractTgz(bytes, options.limits);
  if (!ex.ok) return { ok: false, error: `${options.location || 'chart archive'}: ${ex.error}` };
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of ex.files) {
    const slash = path.indexOf('/');
    if (slash === -1) {
      if (path === 'Chart.yaml') return { ok: false, error: `${options.location || 'chart archive'}: Chart.yaml is not inside the chart's base folder` };
      continue;
    }
    files.set(path.slice(slash + 1), data);
  }
  return loadChartFromFiles(files, options);
}
