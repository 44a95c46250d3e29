/**
 * The repository configuration file, `.fluxhelm.yaml`: what it may hold,
 * reading it (the engine's own YAML 1.1 parse plus the bundled JSON Schema,
 * so the CLI reports the same problems the editor shows in the file), and
 * finding it by walking up from a folder through the host.
 *
 * Reading never throws: a field with a problem is left out of the result and
 * the problem is returned as a diagnostic with its range in the file.
 */
import type { EngineHost } from '../host.ts';
import type { Diagnostic, Severity } from '../types.ts';
import { parseYamlFile, isEmptyDocument } from '../yaml/documents.ts';
import { validateFile } from '../validation/validate.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { pathToUri } from '../util/uri.ts';
export { isRepoConfigFile } from './schema.ts';

export const REPO_CONFIG_NAMES = ['.fluxhelm.yaml', '.fluxhelm.yml'] as const;

/** A severity override: `off` drops findings with that code. */
export type SeverityOverride = Severity | 'off';

export interface RepoConfig {
  roots?: string[];
  exclude?: string[];
  crdPaths?: string[];
  kubeVersion?: string;
  apiVersions?: string[];
  network?: boolean;
  severity?: Record<string, SeverityOverride>;
}

export interface LoadedRepoConfig {
  /** Absolute path of the file. */
  path: string;
  /** The folder holding it: relative paths in it are relative to this folder. */
  dir: string;
  config: RepoConfig;
  /** Problems in the file (YAML syntax, schema), with ranges in it. */
  diagnostics: Diagnostic[];
}

const SEVERITIES = new Set(['off', 'info', 'warning', 'error']);

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0) ? (v as string[]) : undefined;
}

/** Keeps the well-formed parts of a parsed value (the schema reports the rest). */
function pick(value: unknown): RepoConfig {
  const out: RepoConfig = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  const v = value as Record<string, unknown>;
  for (const key of ['roots', 'exclude', 'crdPaths', 'apiVersions'] as const) {
    const list = stringList(v[key]);
    if (list) out[key] = list;
  }
  if (typeof v.kubeVersion === 'string' && /^v?[0-9]+\.[0-9]+(\.[0-9]+)?$/.test(v.kubeVersion)) out.kubeVersion = v.kubeVersion;
  if (typeof v.network === 'boolean') out.network = v.network;
  if (v.severity && typeof v.severity === 'object' && !Array.isArray(v.severity)) {
    const severity: Record<string, SeverityOverride> = {};
    for (const [code, level] of Object.entries(v.severity as Record<string, unknown>)) {
      // YAML 1.1 reads a bare `off` as the boolean false; both mean off.
      if (level === false) severity[code] = 'off';
      else if (typeof level === 'string' && SEVERITIES.has(level)) severity[code] = level as SeverityOverride;
    }
    if (Object.keys(severity).length) out.severity = severity;
  }
  return out;
}

let sharedRegistry: SchemaRegistry | undefined;

/**
 * Reads the text of a `.fluxhelm.yaml`. `uri` names the file in diagnostics
 * (it must end in `.fluxhelm.yaml` for the schema to apply).
 */
export function parseRepoConfig(text: string, uri = 'file:///.fluxhelm.yaml'): { config: RepoConfig; diagnostics: Diagnostic[] } {
  const file = parseYamlFile(uri, text);
  sharedRegistry ??= new SchemaRegistry();
  const diagnostics: Diagnostic[] = validateFile(file, sharedRegistry).map((d) => ({ range: file.lines.rangeOf(d.start, d.end), severity: d.severity, code: d.code, message: d.message }));
  const docs = file.docs.filter((d) => !isEmptyDocument(d) || d.syntax.length > 0);
  if (docs.length > 1) {
    const second = docs[1];
    diagnostics.push({ range: file.lines.rangeOf(second.start, second.start + 3), severity: 'error', code: 'config', message: '.fluxhelm.yaml holds one document; fluxhelm reads only the first' });
  }
  const first = docs[0];
  const config = first && !first.broken ? pick(first.value()) : {};
  return { config, diagnostics };
}

function parentOf(dir: string): string | undefined {
  const trimmed = dir.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (i < 0) return undefined;
  const parent = i === 0 ? '/' : trimmed.slice(0, i);
  return parent === dir ? undefined : parent;
}

function joinPath(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Finds the repository configuration for `startDir`: the nearest
 * `.fluxhelm.yaml` in it or a folder above, not looking past the folder that
 * holds `.git` (the repository root). `undefined` when there is none.
 */
export function findRepoConfig(host: EngineHost, startDir: string): LoadedRepoConfig | undefined {
  for (let dir: string | undefined = startDir; dir !== undefined; dir = parentOf(dir)) {
    const entries = host.readDir(dir);
    if (!entries) continue;
    const names = new Set(entries.filter((e) => !e.isDirectory).map((e) => e.name));
    const name = REPO_CONFIG_NAMES.find((n) => names.has(n));
    if (name) {
      const path = joinPath(dir, name);
      const text = host.readFile(path);
      if (text !== undefined) {
        const { config, diagnostics } = parseRepoConfig(text, pathToUri(path));
        return { path, dir, config, diagnostics };
      }
    }
    if (entries.some((e) => e.name === '.git')) return undefined;
  }
  return undefined;
}
