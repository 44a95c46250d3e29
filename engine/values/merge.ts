/**
 * The user values Flux hands to Helm: `spec.valuesFrom` entries merged in
 * order, then inline `spec.values` on top (fluxcd/pkg chartutil
 * ChartValuesFromReferences and MergeMaps).
 *
 * `mergeMaps(a, b)`: a new top-level map holding `a`'s entries, then `b`'s
 * entries; where both hold a map the two merge recursively, anything else in
 * `b` (scalar, list, null) replaces. Sub-maps that are not merged are shared,
 * not copied, exactly as in Go.
 *
 * That sharing is visible in one corner: before a `targetPath` entry is
 * applied Flux merges the inline values into the result, and the `--set`
 * parser then writes into maps that may be the inline values' own maps. In
 * that case the targetPath value also wins over inline values at the same
 * path; where the maps were freshly merged, inline values win. The engine
 * reproduces this by working on shared objects the same way.
 */
import { newMap, fromPlain, has, isMap, copyMapShallow, type NodeMap, type ValueSource } from './tree.ts';
import { readValues } from './yaml.ts';
import { replacePathValue } from './strvals.ts';

/** One `spec.valuesFrom` entry. */
export interface ValuesReference {
  kind: string;
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
  literal?: boolean;
}

/** The parts of a ConfigMap or Secret the values come from (Secret `data` is base64). */
export interface ValuesObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Finds a ConfigMap or Secret; undefined when it does not exist. */
export type ValuesLookup = (kind: 'ConfigMap' | 'Secret', namespace: string, name: string) => ValuesObject | undefined;

export type ValuesFromErrorReason = 'not-found' | 'key-not-found' | 'unsupported-kind' | 'invalid-data' | 'read-failed' | 'merge-failed';

export interface ValuesFromError {
  /** Index of the valuesFrom entry. */
  index: number;
  kind: string;
  name: string;
  namespace: string;
  key: string;
  optional: boolean;
  reason: ValuesFromErrorReason;
  message: string;
}

export interface UserValuesInput {
  /** Namespace of the HelmRelease (valuesFrom objects live there). */
  namespace: string;
  valuesFrom?: ValuesReference[];
  /** `spec.values` as plain data. */
  values?: unknown;
  lookup: ValuesLookup;
}

export type UserValuesResult =
  | {
      ok: true;
      values: NodeMap;
      /** Optional entries that were skipped because their object or key is missing. */
      skipped: ValuesFromError[];
    }
  | { ok: false; error: ValuesFromError; skipped: ValuesFromError[] };

export const DEFAULT_VALUES_KEY = 'values.yaml';

/** Flux MergeMaps. */
export function mergeMaps(a: NodeMap | undefined, b: NodeMap | undefined): NodeMap {
  const out = a ? copyMapShallow(a) : newMap();
  if (!b) return out;
  for (const k of Object.keys(b)) {
    const v = b[k];
    if (isMap(v) && has(out, k)) {
      const cur = out[k];
      if (isMap(cur)) {
        out[k] = mergeMaps(cur, v);
        continue;
      }
    }
    out[k] = v;
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function reasonText(reason: ValuesFromErrorReason, detail?: string): string {
  switch (reason) {
    case 'not-found':
      return 'resource not found';
    case 'key-not-found':
      return 'key not found';
    case 'unsupported-kind':
      return 'unsupported values reference kind';
    default:
      return detail ?? 'failed to read values data';
  }
}

function makeError(index: number, ref: ValuesReference, namespace: string, reason: ValuesFromErrorReason, detail?: string): ValuesFromError {
  const key = ref.valuesKey || DEFAULT_VALUES_KEY;
  const message =
    `valuesFrom[${index}]: could not resolve${ref.optional ? ' optional' : ''}${ref.kind ? ` ${ref.kind}` : ''} chart values reference ` +
    `'${namespace}/${ref.name}' with key '${key}': ${reasonText(reason, detail)}`;
  return { index, kind: ref.kind, name: ref.name, namespace, key, optional: !!ref.optional, reason, message };
}

/** Reads the text under `key`: Secret `data` is base64, `stringData` (as written in Git) is plain and wins. */
function readKey(kind: 'ConfigMap' | 'Secret', obj: ValuesObject, key: string): { found: false } | { found: true; text: string } | { found: true; invalid: string } {
  if (kind === 'ConfigMap') {
    const d = obj.data;
    if (d && Object.prototype.hasOwnProperty.call(d, key) && typeof d[key] === 'string') return { found: true, text: d[key] };
    return { found: false };
  }
  const sd = obj.stringData;
  if (sd && Object.prototype.hasOwnProperty.call(sd, key) && typeof sd[key] === 'string') return { found: true, text: sd[key] };
  const d = obj.data;
  if (d && Object.prototype.hasOwnProperty.call(d, key) && typeof d[key] === 'string') {
    const b64 = d[key].replace(/\s+/g, '');
    if (!BASE64.test(b64)) return { found: true, invalid: `Secret data under '${key}' is not valid base64` };
    return { found: true, text: Buffer.from(b64, 'base64').toString('utf8') };
  }
  return { found: false };
}

/**
 * Flux ChartValuesFromReferences: the user values of a HelmRelease, with every
 * leaf tagged by the layer that set it.
 */
export function chartValuesFromReferences(input: UserValuesInput): UserValuesResult {
  const namespace = input.namespace;
  const inline = isPlainObject(input.values) ? (fromPlain(input.values, { kind: 'inline' }) as NodeMap) : newMap();
  let result = newMap();
  const skipped: ValuesFromError[] = [];
  const cache = new Map<string, ValuesObject | undefined>();
  const refs = input.valuesFrom ?? [];
  for (let index = 0; index < refs.length; index++) {
    const ref = refs[index];
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') {
      return { ok: false, error: makeError(index, ref, namespace, 'unsupported-kind'), skipped };
    }
    const kind = ref.kind;
    const cacheKey = `${kind}/${ref.name}`;
    let obj: ValuesObject | undefined;
    if (cache.has(cacheKey)) obj = cache.get(cacheKey);
    else {
      obj = input.lookup(kind, namespace, ref.name);
      cache.set(cacheKey, obj);
    }
    if (!obj) {
      const err = makeError(index, ref, namespace, 'not-found');
      if (ref.optional) {
        skipped.push(err);
        continue;
      }
      return { ok: false, error: err, skipped };
    }
    const key = ref.valuesKey || DEFAULT_VALUES_KEY;
    const read = readKey(kind, obj, key);
    if (!read.found) {
      const err = makeError(index, ref, namespace, 'key-not-found');
      if (ref.optional) {
        skipped.push(err);
        continue;
      }
      return { ok: false, error: err, skipped };
    }
    if ('invalid' in read) return { ok: false, error: makeError(index, ref, namespace, 'invalid-data', read.invalid), skipped };
    const source: ValueSource = { kind: 'values-from', index, sourceKind: kind, name: ref.name, key, secret: kind === 'Secret' };
    if (ref.targetPath) {
      result = mergeMaps(result, inline);
      const r = replacePathValue(result, ref.targetPath, read.text, { literal: ref.literal, source });
      if (!r.ok) return { ok: false, error: makeError(index, ref, namespace, 'merge-failed', r.error), skipped };
      continue;
    }
    const parsed = readValues(read.text, source);
    if (!parsed.ok) return { ok: false, error: makeError(index, ref, namespace, 'read-failed', parsed.error), skipped };
    result = mergeMaps(result, parsed.value);
  }
  return { ok: true, values: mergeMaps(result, inline), skipped };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


/**
 * Helm v4's LoadValues (chart values.yaml and `helm --values` files): every
 * YAML document of the text is read and merged on top of the previous ones.
 * Flux's valuesFrom and source-controller's valuesFiles read only the first
 * document (`readValues`).
 */
export function loadValues(text: string, source?: ValueSource): { ok: true; value: NodeMap } | { ok: false; error: string } {
  let out = newMap(source);
  for (const doc of splitYamlDocuments(text)) {
    const r = readValues(doc, source);
    if (!r.ok) return { ok: false, error: `cannot unmarshal yaml document: ${r.error}` };
    out = mergeMaps(out, r.value);
  }
  return { ok: true, value: out };
}

/** Splits at `---` lines like Kubernetes' YAMLReader (only a comment may follow the marker). */
function splitYamlDocuments(text: string): string[] {
  const docs: string[] = [];
  let cur: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest === '' || rest.startsWith('#')) {
        docs.push(cur.join('\n'));
        cur = [];
        continue;
      }
    }
    cur.push(line);
  }
  docs.push(cur.join('\n'));
  return docs.filter((d) => d.trim() !== '');
}
