/**
 * configMapGenerator and secretGenerator: data from `literals`, `files`
 * (`key=path` or a path whose base name is the key) and `envs`/`env`
 * files, with `generatorOptions` merged under each generator's `options`
 * (the generator's own labels and annotations win; either may disable the
 * hash suffix or make the object immutable). Matches kustomize v5: quotes
 * around a literal's value are removed, env file lines are taken as they
 * are after leading blanks, `#` lines and blank lines are skipped, and a
 * name without `=` reads the environment of the host. A file that is not
 * UTF-8 goes to `binaryData` (base64) of a ConfigMap; an `https://` file is
 * fetched by kustomize and reported here as not evaluated.
 */
import type { EngineHost } from '../host.ts';
import { joinPath, basename } from './paths.ts';
import { Res, isPlainMap, type KObject } from './resource.ts';
import type { FileSpan, KustomizeDiagnostic, PathSegment } from './types.ts';

export interface GeneratorContext {
  host: EngineHost;
  dir: string;
  /** Span of a path in the kustomization file. */
  span: (path: PathSegment[]) => FileSpan;
  diagnostics: KustomizeDiagnostic[];
}

interface Options {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainMap(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? '' : String(x);
  return out;
}

function readOptions(v: unknown): Options {
  if (!isPlainMap(v)) return {};
  return { labels: stringMap(v.labels), annotations: stringMap(v.annotations), disableNameSuffixHash: v.disableNameSuffixHash === true, immutable: v.immutable === true };
}

/** kustomize's MergeGlobalOptionsIntoLocal. */
export function mergeOptions(local: Options, global: Options): Options {
  const mergeMap = (l?: Record<string, string>, g?: Record<string, string>) => (g ? { ...g, ...(l ?? {}) } : l);
  return {
    labels: mergeMap(local.labels, global.labels),
    annotations: mergeMap(local.annotations, global.annotations),
    disableNameSuffixHash: local.disableNameSuffixHash || global.disableNameSuffixHash,
    immutable: local.immutable || global.immutable,
  };
}

/** List entries as strings, index for index; entries that are maps or lists (reported separately) are undefined. */
function strings(v: unknown): (string | undefined)[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : x === null ? '' : undefined)) : [];
}

/** kustomize rejects the whole kustomization when a list entry is not a string (e.g. `- key=a: b` reads as a map). */
function nonStringEntries(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap((x, i) => (x !== null && typeof x === 'object' ? [i] : [])) : [];
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s[s.length - 1] === '"') || (s[0] === "'" && s[s.length - 1] === "'"))) return s.slice(1, -1);
  return s;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function parseEnvFile(text: string, host: EngineHost, onError: (msg: string) => void): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!ENV_NAME.test(key)) {
      onError(`line ${i + 1}: ${JSON.stringify(key)} is not a valid environment variable name`);
      return;
    }
    out.push([key, eq < 0 ? host.env(key) ?? '' : line.slice(eq + 1)]);
  });
  return out;
}

/** Whether bytes are valid UTF-8 (kustomize keeps such files as text). */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * True for values kustomize v5.6 cannot generate: several lines, a tab as
 * the first character, and nothing that keeps its YAML writer from using a
 * literal block (control characters, a trailing space, a space before a
 * line break). The block it writes starts with the tab where YAML expects
 * indentation, and reading it back fails. Checked against kustomize v5.6.
 */
function unreadableBlock(v: string): boolean {
  return v.startsWith('\t') && v.includes('\n') && !/[\x00-\x08\x0B-\x1F\x7F-\x9F\uFEFF\uFFFE\uFFFF]/.test(v) && !v.endsWith(' ') && !v.includes(' \n');
}

/** Base64 the way kustomize writes Secret data: encodings longer than 70 characters become 70-character lines, each ending in a newline. */
function base64(s: string): string {
  return wrap(Buffer.from(s, 'utf8').toString('base64'));
}

function wrap(enc: string): string {
  if (enc.length <= 70) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += `${enc.slice(i, i + 70)}\n`;
  return out;
}

/** Builds the resource of one generator entry; undefined (with diagnostics) when it is unusable. */
export function runGenerator(kind: 'ConfigMap' | 'Secret', entry: unknown, entryPath: PathSegment[], globalOptions: unknown, ctx: GeneratorContext): Res | undefined {
  const at = (p: PathSegment[]) => ctx.span([...entryPath, ...p]);
  const err = (p: PathSegment[], message: string, code = 'kustomize-generator') => ctx.diagnostics.push({ ...at(p), path: [...entryPath, ...p], severity: 'error', code, message });
  if (!isPlainMap(entry)) {
    err([], `a ${kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator'} entry must be a map`);
    return undefined;
  }
  const name = typeof entry.name === 'string' ? entry.name : '';
  if (!name) {
    err([], 'generator entry has no `name`');
    return undefined;
  }
  const behaviorRaw = entry.behavior ?? 'create';
  if (behaviorRaw !== 'create' && behaviorRaw !== 'replace' && behaviorRaw !== 'merge') {
    err(['behavior'], `unknown behavior ${JSON.stringify(behaviorRaw)}: use create, replace or merge`);
    return undefined;
  }
  const data: [string, string, PathSegment[]][] = [];
  /** Files that are not UTF-8, base64-encoded: kustomize puts them under binaryData (data for a Secret). */
  const binary: [string, string, PathSegment[]][] = [];
  let failed = false;
  for (const field of ['literals', 'files', 'envs']) {
    for (const i of nonStringEntries(entry[field])) {
      err([field, i], `this ${field} entry is not a string (YAML read \`key: value\` inside it as a map): quote the whole entry`);
      failed = true;
    }
  }
  const envs: [string, PathSegment[]][] = strings(entry.envs).flatMap((p, i): [string, PathSegment[]][] => (p === undefined ? [] : [[p, ['envs', i]]]));
  if (typeof entry.env === 'string' && entry.env) envs.push([entry.env, ['env']]);
  for (const [p, path] of envs) {
    const text = ctx.host.readFile(joinPath(ctx.dir, p));
    if (text === undefined) {
      err(path, `env file ${JSON.stringify(p)} not found`);
      failed = true;
      continue;
    }
    for (const [k, v] of parseEnvFile(text, ctx.host, (m) => {
      err(path, `${p}: ${m}`);
      failed = true;
    }))
      data.push([k, v, path]);
  }
  strings(entry.literals).forEach((lit, i) => {
    if (lit === undefined) return;
    const eq = lit.indexOf('=');
    if (eq < 0) {
      err(['literals', i], `literal ${JSON.stringify(lit)} must be written key=value`);
      failed = true;
      return;
    }
    data.push([lit.slice(0, eq), unquote(lit.slice(eq + 1)), ['literals', i]]);
  });
  strings(entry.files).forEach((f, i) => {
    if (f === undefined) return;
    const eq = f.indexOf('=');
    const key = eq < 0 ? basename(f) : f.slice(0, eq);
    const file = eq < 0 ? f : f.slice(eq + 1);
    if (eq >= 0 && (key === '' || file === '')) {
      err(['files', i], `file source ${JSON.stringify(f)} must be written key=path or path`);
      failed = true;
      return;
    }
    if (/^https?:\/\//i.test(file)) {
      // kustomize downloads it; fluxhelm does not go to the network for a build.
      ctx.diagnostics.push({ ...at(['files', i]), path: [...entryPath, 'files', i], severity: 'info', code: 'kustomize-not-evaluated', message: `not evaluated by fluxhelm: ${file} is fetched by kustomize at build time; key ${JSON.stringify(key)} is left out here` });
      return;
    }
    const full = joinPath(ctx.dir, file);
    const bytes = ctx.host.readBinary?.(full);
    if (bytes !== undefined && !isUtf8(bytes)) {
      binary.push([key, Buffer.from(bytes).toString('base64'), ['files', i]]);
      return;
    }
    const text = bytes !== undefined ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) : ctx.host.readFile(full);
    if (text === undefined) {
      err(['files', i], `file ${JSON.stringify(file)} not found`);
      failed = true;
      return;
    }
    data.push([key, text, ['files', i]]);
  });
  const map: Record<string, string> = {};
  const binaryMap: Record<string, string> = {};
  for (const [k, v, path] of binary) {
    if (!CONFIG_KEY.test(k) || Object.prototype.hasOwnProperty.call(binaryMap, k)) {
      err(path, `${JSON.stringify(k)} is not a valid or unique ${kind} key`);
      failed = true;
      continue;
    }
    binaryMap[k] = v;
  }
  for (const [k, v, path] of data) {
    if (!CONFIG_KEY.test(k)) {
      err(path, `${JSON.stringify(k)} is not a valid ${kind} key (letters, digits, '-', '_' and '.' only)`);
      failed = true;
      continue;
    }
    if (kind === 'ConfigMap' && unreadableBlock(v)) {
      // kustomize v5.6 writes such a value as a YAML block that it cannot read back.
      err(path, `the value of ${JSON.stringify(k)} starts with a tab and has several lines: kustomize fails on it (yaml: found a tab character where an indentation space is expected)`);
      failed = true;
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(map, k) || Object.prototype.hasOwnProperty.call(binaryMap, k)) {
      err(path, `key ${JSON.stringify(k)} is defined twice in ${kind} ${JSON.stringify(name)}`);
      failed = true;
      continue;
    }
    map[k] = v;
  }
  if (failed) return undefined;
  const opts = mergeOptions(readOptions(entry.options), readOptions(globalOptions));
  const metadata: Record<string, unknown> = { name };
  if (typeof entry.namespace === 'string' && entry.namespace) metadata.namespace = entry.namespace;
  if (opts.labels && Object.keys(opts.labels).length > 0) metadata.labels = { ...opts.labels };
  if (opts.annotations && Object.keys(opts.annotations).length > 0) metadata.annotations = { ...opts.annotations };
  const obj: KObject = { apiVersion: 'v1', kind, metadata };
  if (kind === 'Secret') {
    obj.type = typeof entry.type === 'string' && entry.type ? entry.type : 'Opaque';
    // A Secret always has `data`, even empty; a ConfigMap only when it has keys (kustomize v5.6).
    obj.data = Object.fromEntries([...Object.entries(map).map(([k, v]) => [k, base64(v)]), ...Object.entries(binaryMap).map(([k, v]) => [k, wrap(v)])]);
  } else {
    if (Object.keys(map).length > 0) obj.data = map;
    if (Object.keys(binaryMap).length > 0) obj.binaryData = Object.fromEntries(Object.entries(binaryMap).map(([k, v]) => [k, wrap(v)]));
  }
  if (opts.immutable) obj.immutable = true;
  const span = at([]);
  const res = new Res(obj, { ...span, type: 'generator' });
  res.needsHash = !opts.disableNameSuffixHash;
  res.generator = { behavior: behaviorRaw, span };
  return res;
}
