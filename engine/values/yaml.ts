/**
 * Values YAML read the way Helm and Flux read it (sigs.k8s.io/yaml on top of
 * go-yaml v2): YAML 1.1 scalars, then a detour through JSON.
 *
 * Resolution of plain (unquoted) scalars follows go-yaml v2:
 * - `~`, `null`, `Null`, `NULL` and empty are null;
 * - `y Y yes Yes YES true True TRUE on On ON` are true, the `n/no/false/off`
 *   family false;
 * - integers as Go's `strconv.ParseInt(s, 0, 64)` after removing `_`
 *   (`0x1F`, `0o17`, `017` octal, `0b101`), then floats in YAML style;
 * - timestamps stay strings, `1:20` stays a string;
 * - `.inf`/`.nan` are floats that JSON cannot hold, so the document fails.
 * Map keys go through the same resolution and are then turned into strings
 * (`yes:` becomes the key `"true"`, `0x10:` becomes `"16"`). Only the first
 * document of a multi-document text is read. Duplicate keys: the last wins.
 * Merge keys `<<` are applied in document order (a later key overwrites).
 * Every number becomes a float64, like JSON decoding in Go.
 */
import { parseAllDocuments, isScalar, isMap, isSeq, isAlias, isPair, type Document, type Node as YNode } from 'yaml';
import { Leaf, newMap, newList, type Node, type NodeMap, type ValueSource, isMap as isNodeMap, deepCopyMap } from './tree.ts';

export type YamlValuesResult = { ok: true; value: NodeMap } | { ok: false; error: string };

const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);
const INF_WORDS = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']);
const NAN_WORDS = new Set(['.nan', '.NaN', '.NAN']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const MAX_NODES = 1_000_000;

class YamlValuesError extends Error {}

/** Go `strconv.ParseInt(s, 0, 64)` / `ParseUint`; undefined when it would fail. */
function goParseIntBase0(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  let digits = m[2];
  let big: bigint;
  if (/^0[oO]/.test(digits)) big = BigInt('0o' + digits.slice(2));
  else if (/^0[xX]/.test(digits)) big = BigInt('0x' + digits.slice(2));
  else if (/^0[bB]/.test(digits)) big = BigInt('0b' + digits.slice(2));
  else if (digits.length > 1 && digits[0] === '0') big = BigInt('0o' + digits.slice(1));
  else big = BigInt(digits);
  big *= sign;
  // int64, or uint64 for positive values.
  if (big < -(2n ** 63n) || big > 2n ** 64n - 1n) return undefined;
  if (big > 2n ** 63n - 1n && m[1] !== '') return undefined; // ParseUint rejects a sign
  return Number(big);
}

/** Resolves a plain scalar like go-yaml v2. */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  if (NULL_WORDS.has(text)) return null;
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  if (INF_WORDS.has(text) || NAN_WORDS.has(text)) throw new YamlValuesError(`json: unsupported value: ${text} (infinity and NaN cannot be used in values)`);
  const c = text[0];
  if ((c >= '0' && c <= '9') || c === '+' || c === '-') {
    const plain = text.replace(/_/g, '');
    const asInt = goParseIntBase0(plain);
    if (asInt !== undefined) return asInt;
    if (YAML_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return f;
    }
    if (/^-?0b[01]+$/.test(plain)) return Number.parseInt(plain.replace('0b', ''), 2);
    return text;
  }
  if (c === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
    return text;
  }
  return text;
}

/** Go's FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml spells a float map key. */
function floatKey(f: number): string {
  const x = Math.fround(f);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let p = 1;
  while (p < 9 && Math.fround(Number(x.toPrecision(p))) !== x) p++;
  const [mant, expPart] = x.toExponential(p - 1).split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(Number(x.toPrecision(p)));
}

function keyString(v: string | number | boolean | null, isFloat: boolean): string {
  if (v === null) throw new YamlValuesError('unsupported map key: null');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return isFloat ? floatKey(v) : String(v);
  return v;
}

interface Ctx {
  doc: Document;
  source?: ValueSource;
  count: number;
}

function scalarValue(node: YNode & { value?: unknown; type?: string; tag?: string }): string | number | boolean | null {
  const raw = typeof node.value === 'string' ? node.value : String(node.value ?? '');
  const tag = node.tag;
  if (tag === 'tag:yaml.org,2002:str') return raw;
  if (tag === 'tag:yaml.org,2002:null') return null;
  if (tag === 'tag:yaml.org,2002:bool' || tag === 'tag:yaml.org,2002:int' || tag === 'tag:yaml.org,2002:float') {
    const r = resolvePlainScalar(raw);
    return r;
  }
  if (tag === 'tag:yaml.org,2002:binary') {
    return Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('latin1');
  }
  if (node.type === 'PLAIN') return resolvePlainScalar(raw);
  return raw;
}

function convert(node: YNode | null | undefined, ctx: Ctx, depth: number): Node {
  if (++ctx.count > MAX_NODES) throw new YamlValuesError('document expands to too many nodes (alias bomb?)');
  if (depth > 10_000) throw new YamlValuesError('document nested too deeply');
  if (node === null || node === undefined) return new Leaf(null, ctx.source);
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (!target) throw new YamlValuesError(`unknown anchor '${node.source}' referenced`);
    return convert(target as YNode, ctx, depth + 1);
  }
  if (isScalar(node)) return new Leaf(scalarValue(node as never), ctx.source);
  if (isSeq(node)) return newList(node.items.map((it) => convert(it as YNode, ctx, depth + 1)), ctx.source);
  if (isMap(node)) {
    const out = newMap(ctx.source);
    fillMap(out, node, ctx, depth);
    return out;
  }
  throw new YamlValuesError('unsupported YAML node');
}

function fillMap(out: NodeMap, node: YNode, ctx: Ctx, depth: number): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const k = pair.key as YNode | null;
    if (isScalar(k) && (k as { type?: string }).type === 'PLAIN' && !k.tag && k.value === '<<') {
      applyMerge(out, pair.value as YNode, ctx, depth);
      continue;
    }
    let key: string;
    const kn = isAlias(k) ? (k.resolve(ctx.doc) as YNode | undefined) : k;
    if (kn === null || kn === undefined) key = keyString(null, false);
    else if (isScalar(kn)) {
      const v = scalarValue(kn as never);
      const isFloat = typeof v === 'number' && (kn as { type?: string }).type === 'PLAIN' && /[.eE]/.test(String(kn.value)) && !/^[-+]?0[xX]/.test(String(kn.value));
      key = keyString(v, isFloat);
    } else throw new YamlValuesError('unsupported map key: a map or list cannot be a key');
    out[key] = convert(pair.value as YNode, ctx, depth + 1);
  }
}

function applyMerge(out: NodeMap, value: YNode, ctx: Ctx, depth: number): void {
  const target = isAlias(value) ? (value.resolve(ctx.doc) as YNode) : value;
  if (isMap(target)) {
    fillMap(out, target, ctx, depth + 1);
    return;
  }
  if (isSeq(target)) {
    // go-yaml v2 applies the listed maps from last to first, so earlier ones win.
    for (let i = target.items.length - 1; i >= 0; i--) {
      const it = target.items[i] as YNode;
      const m = isAlias(it) ? (it.resolve(ctx.doc) as YNode) : it;
      if (!isMap(m)) throw new YamlValuesError('map merge requires map or sequence of maps as the value');
      fillMap(out, m, ctx, depth + 1);
    }
    return;
  }
  throw new YamlValuesError('map merge requires map or sequence of maps as the value');
}

/** Parses any YAML value (first document) with Helm's rules. */
export function parseYamlValue(text: string, source?: ValueSource): { ok: true; value: Node } | { ok: false; error: string } {
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, merge: false, prettyErrors: false }) as Document[];
  } catch (e) {
    return { ok: false, error: `yaml: ${(e as Error).message}` };
  }
  if (!Array.isArray(docs) || docs.length === 0) return { ok: true, value: new Leaf(null, source) };
  const doc = docs[0];
  if (doc.errors.length > 0) return { ok: false, error: `yaml: ${doc.errors[0].message.split('\n')[0]}` };
  try {
    return { ok: true, value: convert(doc.contents as YNode | null, { doc, source, count: 0 }, 0) };
  } catch (e) {
    if (e instanceof YamlValuesError) return { ok: false, error: `yaml: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, error: 'yaml: document nested too deeply' };
    throw e;
  }
}

/**
 * Helm's `ReadValues`: a YAML document whose top level must be a map; empty
 * or null documents give an empty map.
 */
/**
 * Parsed values by text and source. Merging shares and mutates maps (as Flux
 * does), so callers always get a fresh copy of the cached tree; copying is
 * far cheaper than parsing the YAML again on every keystroke.
 */
const parsedValues = new Map<string, YamlValuesResult>();

export function readValues(text: string, source?: ValueSource): YamlValuesResult {
  const key = `${JSON.stringify(source ?? null)}\u0000${text}`;
  let r = parsedValues.get(key);
  if (!r) {
    r = readValuesUncached(text, source);
    if (parsedValues.size >= 256) parsedValues.delete(parsedValues.keys().next().value!);
    parsedValues.set(key, r);
  }
  return r.ok ? { ok: true, value: deepCopyMap(r.value) } : r;
}

function readValuesUncached(text: string, source?: ValueSource): YamlValuesResult {
  const r = parseYamlValue(text, source);
  if (!r.ok) return r;
  const v = r.value;
  if (v instanceof Leaf && v.value === null) return { ok: true, value: newMap(source) };
  if (!isNodeMap(v)) {
    const what = Array.isArray(v) ? 'array' : v instanceof Leaf ? typeof v.value : 'value';
    return { ok: false, error: `error unmarshaling JSON: json: cannot unmarshal ${what} into Go value of type map[string]interface {}` };
  }
  return { ok: true, value: v };
}
