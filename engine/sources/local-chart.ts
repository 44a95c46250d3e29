/**
 * Charts from GitRepository and Bucket sources: the HelmRelease's
 * `spec.chart.spec.chart` is a path inside the source, and the chart version
 * is whatever its Chart.yaml says. `spec.chart.spec.version` is ignored for
 * these sources (as Flux does); the result says so when one was written.
 *
 * The caller maps the source to a folder of the workspace (`root`) and
 * passes a file reader; paths are joined with `/` and may not climb above
 * `root`.
 */
import { readPlainValue } from '../yaml/plain-value.ts';

export interface LocalChartRequest {
  /** `spec.chart.spec.chart`, relative to the source root (e.g. `./charts/app`). */
  chartPath: string;
  /** Workspace folder that holds the source's content; default `''` (paths stay relative). */
  root?: string;
  /** Reads a text file; `undefined` when missing. */
  readFile: (path: string) => string | undefined | Promise<string | undefined>;
  /** `spec.chart.spec.version` as written, to report that it is ignored. */
  version?: string;
}

export interface LocalChart {
  ok: true;
  name: string;
  version: string;
  appVersion?: string;
  apiVersion?: string;
  type?: string;
  chartYamlPath: string;
  /** The version constraint that Flux ignores for this source, when one other than `*` was written. */
  ignoredVersion?: string;
}

export interface LocalChartMiss {
  ok: false;
  reason: 'invalid-path' | 'not-found' | 'malformed';
  message: string;
  chartYamlPath?: string;
}

/** Normalises `./a/../b/` to `b`; undefined when the path climbs above its root or is absolute. */
export function normalizeChartPath(path: string): string | undefined {
  const trimmed = path.trim().replace(/\\/g, '/');
  if (trimmed.startsWith('/') || /^[A-Za-z]:\//.test(trimmed)) return undefined;
  const out: string[] = [];
  for (const part of trimmed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Reads `<root>/<chartPath>/Chart.yaml`: name, version, appVersion. */
export async function readLocalChart(req: LocalChartRequest): Promise<LocalChart | LocalChartMiss> {
  const rel = normalizeChartPath(req.chartPath);
  if (rel === undefined) return { ok: false, reason: 'invalid-path', message: `chart path "${req.chartPath}" must be relative to the source root and stay inside it` };
  const root = (req.root ?? '').replace(/[\\/]+$/, '');
  const dir = [root, rel].filter((p) => p !== '').join('/');
  const chartYamlPath = dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`;
  let text: string | undefined;
  try {
    text = await req.readFile(chartYamlPath);
  } catch {
    text = undefined;
  }
  if (text === undefined) return { ok: false, reason: 'not-found', message: `no Chart.yaml at ${chartYamlPath}`, chartYamlPath };
  // Keep `version: 1.0` as written (Helm reads Chart.yaml fields as strings); linear in the size of the text.
  const read = readPlainValue(text, { schema: 'failsafe', maxAliasCount: 100, merge: true });
  if (!read.ok) return { ok: false, reason: 'malformed', message: `Chart.yaml is not valid YAML: ${read.message.split('\n')[0]}`, chartYamlPath };
  const doc = read.value;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'malformed', message: 'Chart.yaml is not a mapping', chartYamlPath };
  const meta = doc as Record<string, unknown>;
  const name = scalarText(meta.name);
  const version = scalarText(meta.version);
  if (!name) return { ok: false, reason: 'malformed', message: 'Chart.yaml has no name', chartYamlPath };
  if (!version) return { ok: false, reason: 'malformed', message: 'Chart.yaml has no version', chartYamlPath };
  const appVersion = scalarText(meta.appVersion);
  const apiVersion = scalarText(meta.apiVersion);
  const type = scalarText(meta.type);
  const constraint = req.version?.trim();
  return {
    ok: true,
    name,
    version,
    chartYamlPath,
    ...(appVersion !== undefined ? { appVersion } : {}),
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(constraint && constraint !== '*' ? { ignoredVersion: constraint } : {}),
  };
}
