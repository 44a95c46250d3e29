/**
 * Checks effective values against a chart's values.schema.json the way Helm
 * does before rendering: the fully merged `.Values` against the root chart's
 * schema, then, for every enabled subchart that has a schema, that
 * subchart's section (`.Values.<alias-or-name>`) against its own schema,
 * recursively. A schema without `$schema` is read as draft 2020-12 (Helm
 * 3.19+/v4 use santhosh-tekuri/jsonschema v6); `$schema` may pick draft-04,
 * -06, -07 or 2019-09. As in that library, `format` is only asserted by
 * draft-07 and older. `urn:` references that nobody resolves are treated as
 * "anything goes", like Helm; remote http(s) references are only followed
 * when the caller supplies them (the engine does no IO).
 *
 * A schema that does not parse or compile is reported as a problem of its
 * own, never thrown. Compiled validators are cached by schema text.
 *
 * Also here: walking a schema along a values path (for completion and
 * hover), through local `$ref`s and `allOf`/`anyOf`/`oneOf` branches.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import type { LoadedChart } from '../charts/chart.ts';
import type { ChartValues } from './effective.ts';
import { formatValuePath } from './provenance.ts';
import { chartSchemaResolver } from './remote-schemas.ts';
import validateMeta2020 from './meta-2020-12.generated.ts';
import validateMeta07 from './meta-draft-07.generated.ts';
import { didYouMean } from '../util/suggest.ts';
import { pointerToSegments, describeValueType } from '../util/json-pointer.ts';

export type SchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';
export type JsonSchemaNode = { [key: string]: unknown };

export type CompiledValuesSchema =
  | { ok: true; draft: SchemaDraft; schema: JsonSchemaNode | boolean; validate: ValidateFunction }
  | { ok: false; error: string; /** Only a remote `$ref` the caller did not supply is missing. */ remote?: string };

export interface ValuesSchemaProblem {
  /** Chart path with aliases (`app`, `app/database`) whose schema failed. */
  chart: string;
  /** Path in the root `.Values` of what to blame (for an unknown key, the key itself). */
  path: (string | number)[];
  /** Where the validator reported the error, in the root `.Values`. */
  instancePath: (string | number)[];
  /** `violation`: the values break the schema; `schema-error`: the schema itself is unusable. */
  kind: 'violation' | 'schema-error';
  keyword: string;
  message: string;
}

export interface SchemaCheckOptions {
  /** Supplies remote schemas (`$ref: https://…`) by URL; without it such charts are reported as not checkable. */
  resolveRemote?: (url: string) => unknown;
}

// ---------------------------------------------------------------------------
// Compiling

const CACHE_LIMIT = 64;
const cache = new Map<string, CompiledValuesSchema>();
/**
 * What the remote resolver answered while a schema that then failed on a
 * missing remote schema was compiled: URL and document, in order. The
 * compile depends on nothing else, so a later caller whose resolver gives the
 * same answers gets the same failure without compiling again (app-template's
 * schema refers to files its package leaves out: offline, every render of it
 * compiled the schema anew to fail the same way).
 */
const remoteAnswers = new WeakMap<CompiledValuesSchema, Array<[string, unknown]>>();

function sameAnswers(asked: Array<[string, unknown]>, resolve: (url: string) => unknown): boolean {
  for (const [url, before] of asked) {
    const now = resolve(url);
    if (now === before) continue;
    if (now === undefined || before === undefined || JSON.stringify(now) !== JSON.stringify(before)) return false;
  }
  return true;
}

function draftOf(schema: unknown): SchemaDraft | { unknown: string } {
  const id = schema && typeof schema === 'object' ? (schema as JsonSchemaNode).$schema : undefined;
  if (typeof id !== 'string' || id === '') return '2020-12';
  // `…/schema` without a draft is the latest draft, as in santhosh-tekuri/jsonschema.
  if (/json-schema\.org\/(draft\/2020-12\/)?schema(#|$)/.test(id)) return '2020-12';
  if (/json-schema\.org\/draft\/2019-09\/schema/.test(id)) return '2019-09';
  if (/json-schema\.org\/draft-07\/schema/.test(id)) return 'draft-07';
  if (/json-schema\.org\/draft-06\/schema/.test(id)) return 'draft-06';
  if (/json-schema\.org\/draft-04\/schema/.test(id)) return 'draft-04';
  return { unknown: id };
}

const metaValidators = new Map<SchemaDraft, Ajv>();

/** One instance per draft that only checks schemas against the meta-schema (compiling a meta-schema is slow). */
function metaAjv(draft: SchemaDraft): Ajv {
  let ajv = metaValidators.get(draft);
  if (!ajv) {
    ajv = newAjv(draft);
    metaValidators.set(draft, ajv);
  }
  return ajv;
}

function newAjv(draft: SchemaDraft): Ajv {
  // Formats are assertions up to draft-07 and annotations from 2019-09 on (as in santhosh-tekuri/jsonschema).
  // No `verbose` and no code optimisation: both make compiling a big chart schema several times slower.
  const opts = { allErrors: true, strict: false, logger: false, validateSchema: false, code: { optimize: false }, validateFormats: draft !== '2019-09' && draft !== '2020-12' } as const;
  let ajv: Ajv;
  if (draft === '2020-12') ajv = new Ajv2020(opts) as unknown as Ajv;
  else if (draft === '2019-09') ajv = new Ajv2019(opts) as unknown as Ajv;
  else if (draft === 'draft-04') ajv = new AjvDraft04(opts) as unknown as Ajv;
  else {
    ajv = new Ajv(opts);
    if (draft === 'draft-06') ajv.addMetaSchema(draft06);
  }
  addFormats(ajv);
  return ajv;
}

/**
 * The meta-schema's errors for a schema (without `$schema`), or null when it is valid. 2020-12 (every schema
 * without `$schema`) and draft-07 use ajv's validators generated ahead of time (meta-2020-12.generated.ts,
 * meta-draft-07.generated.ts: the same code ajv compiles at run time, which took 50-70 ms and ~30 ms per
 * process); the other drafts compile theirs once.
 */
function metaSchemaErrors(draft: SchemaDraft, body: JsonSchemaNode | boolean): ErrorObject[] | null {
  if (typeof body === 'boolean') return null; // as ajv's validateSchema
  if (draft === '2020-12' || draft === 'draft-07') {
    const validate = (draft === '2020-12' ? validateMeta2020 : validateMeta07) as unknown as ValidateFunction;
    return validate(body) ? null : (validate.errors ?? []);
  }
  const meta = metaAjv(draft);
  return meta.validateSchema(body) ? null : (meta.errors ?? []);
}

function metaErrorText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

function compile(text: string, options: SchemaCheckOptions, asked: Array<[string, unknown]>): CompiledValuesSchema {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `values.schema.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    return { ok: false, error: 'values.schema.json must hold a JSON object (or a boolean)' };
  }
  const draft = draftOf(schema);
  if (typeof draft === 'object') return { ok: false, error: `values.schema.json names an unknown \`$schema\` (${draft.unknown}); Helm can only use JSON Schema draft-04, -06, -07, 2019-09 or 2020-12` };
  const ajv = newAjv(draft);
  // Validate against the draft's meta-schema ourselves (Helm rejects schemas that break it).
  let body: JsonSchemaNode | boolean = schema as JsonSchemaNode | boolean;
  if (typeof body === 'object' && '$schema' in body) {
    body = { ...body };
    delete body.$schema;
  }
  try {
    const broken = metaSchemaErrors(draft, body);
    if (broken) return { ok: false, error: `values.schema.json is not a valid ${draft} JSON Schema: ${metaErrorText(broken)}` };
  } catch (e) {
    return { ok: false, error: `values.schema.json cannot be read as a JSON Schema: ${e instanceof Error ? e.message : String(e)}` };
  }
  const added = new Set<string>();
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const validate = ajv.compile(body);
      return { ok: true, draft, schema: body, validate };
    } catch (e) {
      const missing = (e as { missingSchema?: string }).missingSchema;
      const missingRef = (e as { missingRef?: string }).missingRef;
      if (typeof missing === 'string' && missing !== '' && !added.has(missing)) {
        added.add(missing);
        if (missing.startsWith('urn:')) {
          // Helm resolves unknown URNs to a schema that accepts anything.
          ajv.addSchema(true, missing);
          continue;
        }
        if (/^https?:/.test(missing)) {
          const remote = options.resolveRemote?.(missing);
          asked.push([missing, remote]);
          if (remote !== undefined && remote !== null && (typeof remote === 'object' || typeof remote === 'boolean')) {
            try {
              ajv.addSchema(remote as JsonSchemaNode, missing);
              continue;
            } catch (e2) {
              return { ok: false, error: `the remote schema ${missing} cannot be used: ${e2 instanceof Error ? e2.message : String(e2)}` };
            }
          }
          return { ok: false, error: `values.schema.json refers to the remote schema ${missing}; fluxhelm does not download it, so these values were not checked against the schema`, remote: missing };
        }
      }
      if (missingRef) return { ok: false, error: `values.schema.json: \`$ref\` ${missingRef} cannot be resolved` };
      return { ok: false, error: `values.schema.json cannot be compiled: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { ok: false, error: 'values.schema.json refers to too many external schemas' };
}

/** Parses and compiles a values.schema.json text (cached by text). Never throws. */
export function compileValuesSchema(text: string, options: SchemaCheckOptions = {}): CompiledValuesSchema {
  const hit = cache.get(text);
  // A failure for want of a remote schema stands while the resolver answers as it did then.
  const stands = (h: CompiledValuesSchema) => {
    const asked = remoteAnswers.get(h);
    return !!asked && !!options.resolveRemote && sameAnswers(asked, options.resolveRemote);
  };
  if (hit && (!(hit.ok === false && hit.remote && options.resolveRemote) || stands(hit))) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  let result: CompiledValuesSchema;
  const asked: Array<[string, unknown]> = [];
  try {
    result = compile(text, options, asked);
  } catch (e) {
    result = { ok: false, error: `values.schema.json cannot be compiled: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!result.ok && result.remote) remoteAnswers.set(result, asked);
  cache.set(text, result);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return result;
}

// ---------------------------------------------------------------------------
// Readable errors

function expectedType(t: unknown): string {
  const list = (Array.isArray(t) ? t : String(t).split(',')).map(String);
  return list.map((x) => (x === 'object' ? 'a map' : x === 'array' ? 'a list' : x === 'integer' ? 'an integer' : x === 'null' ? 'null' : `a ${x}`)).join(' or ');
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function where(path: (string | number)[]): string {
  return path.length ? `\`${formatValuePath(path)}\`` : 'the values';
}

function valueAt(values: unknown, rel: readonly (string | number)[]): unknown {
  let cur = values;
  for (const seg of rel) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

function describeError(e: ErrorObject, path: (string | number)[], data: unknown, knownKeys: () => string[]): { path: (string | number)[]; message: string } {
  const p = e.params as Record<string, unknown>;
  const at = where(path);
  switch (e.keyword) {
    case 'type':
      return { path, message: `${at} must be ${expectedType(p.type)}, not ${describeValueType(data)}` };
    case 'required':
      return { path, message: `${at} is missing the required key \`${String(p.missingProperty)}\`` };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(p.additionalProperty ?? p.unevaluatedProperty);
      return { path: [...path, key], message: `unknown key \`${key}\` in ${at}: the schema allows no other keys here${didYouMean(key, knownKeys())}` };
    }
    case 'dependentRequired':
    case 'dependencies':
      return { path, message: `${at} sets \`${String(p.property)}\`, so it must also set \`${String(p.missingProperty)}\`` };
    case 'enum': {
      const allowed = ((p.allowedValues as unknown[]) ?? []).map(show);
      return { path, message: `${at} must be one of ${allowed.join(', ')}, not \`${show(data)}\`${didYouMean(String(data), allowed)}` };
    }
    case 'const':
      return { path, message: `${at} must be \`${show(p.allowedValue)}\`, not \`${show(data)}\`` };
    case 'pattern':
      return { path, message: `${at} \`${show(data)}\` does not match the pattern ${String(p.pattern)}` };
    case 'format':
      return { path, message: `${at} \`${show(data)}\` is not a valid ${String(p.format)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than', exclusiveMaximum: 'less than', '>': 'greater than', '<': 'less than', '>=': 'at least', '<=': 'at most' };
      const word = typeof p.comparison === 'string' && words[p.comparison] ? words[p.comparison] : words[e.keyword];
      return { path, message: `${at} must be ${word} ${String(p.limit)}, not ${show(data)}` };
    }
    case 'minLength':
      return { path, message: `${at} must be at least ${String(p.limit)} characters long` };
    case 'maxLength':
      return { path, message: `${at} must be at most ${String(p.limit)} characters long` };
    case 'minItems':
      return { path, message: `${at} needs at least ${String(p.limit)} item(s)` };
    case 'maxItems':
    case 'items':
    case 'additionalItems':
    case 'unevaluatedItems':
      return { path, message: `${at} allows at most ${String(p.limit ?? 'the listed')} item(s)` };
    case 'minProperties':
      return { path, message: `${at} needs at least ${String(p.limit)} key(s)` };
    case 'maxProperties':
      return { path, message: `${at} allows at most ${String(p.limit)} key(s)` };
    case 'multipleOf':
      return { path, message: `${at} must be a multiple of ${String(p.multipleOf)}` };
    case 'uniqueItems':
      return { path, message: `${at} must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)` };
    case 'contains':
    case 'minContains':
    case 'maxContains':
      return { path, message: `${at} ${e.message ?? 'does not contain the required items'}` };
    case 'propertyNames':
      return { path: [...path, String(p.propertyName)], message: `key \`${String(p.propertyName)}\` in ${at} is not an allowed name` };
    case 'false schema':
      return { path, message: `${at} is not allowed by the schema` };
    case 'not':
      return { path, message: `${at} must not match the schema under \`not\`` };
    case 'oneOf':
      return { path, message: Array.isArray(p.passingSchemas) ? `${at} matches more than one of the allowed forms (oneOf)` : `${at} does not match any of the allowed forms (oneOf)` };
    case 'anyOf':
      return { path, message: `${at} does not match any of the allowed forms (anyOf)` };
    default:
      return { path, message: `${at} ${e.message ?? 'is invalid'}` };
  }
}

/**
 * Turns ajv's errors into problems: errors inside a failing `anyOf`/`oneOf`
 * are folded into it, and `if` errors (whose `then`/`else` failures are
 * reported on their own) are dropped.
 */
function toProblems(errors: readonly ErrorObject[], data: unknown, schema: JsonSchemaNode | boolean, chart: string, prefix: (string | number)[]): ValuesSchemaProblem[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath);
  const out: ValuesSchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (combinators.some((c) => e.schemaPath !== c && e.schemaPath.startsWith(`${c}/`))) continue;
    const rel = pointerToSegments(e.instancePath, data);
    const instancePath = [...prefix, ...rel];
    const d = describeError(e, instancePath, valueAt(data, rel), () => [...schemaFacts(schema, schemaNodesAt(schema, rel)).properties.keys()]);
    const key = `${d.path.join('\u0000')}\u0001${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ chart, path: d.path, instancePath, kind: 'violation', keyword: e.keyword, message: d.message });
  }
  return out;
}

/** Validates one values map against one schema text; chart and prefix only label the problems. */
export function validateAgainstSchemaText(schemaText: string, values: unknown, chart = '', prefix: (string | number)[] = [], options: SchemaCheckOptions = {}): ValuesSchemaProblem[] {
  const compiled = compileValuesSchema(schemaText, options);
  if (!compiled.ok) return [{ chart, path: prefix, instancePath: prefix, kind: 'schema-error', keyword: compiled.remote ? 'remote-ref' : 'schema', message: `${chart ? `chart ${chart}: ` : ''}${compiled.error}` }];
  let valid: boolean;
  try {
    valid = compiled.validate(values ?? {}) as boolean;
  } catch (e) {
    return [{ chart, path: prefix, instancePath: prefix, kind: 'schema-error', keyword: 'schema', message: `${chart ? `chart ${chart}: ` : ''}unable to validate against values.schema.json: ${e instanceof Error ? e.message : String(e)}` }];
  }
  if (valid) return [];
  return toProblems(compiled.validate.errors ?? [], values, compiled.schema, chart, prefix);
}

// ---------------------------------------------------------------------------
// Charts

/** The sections a chart's enabled-by-name subcharts live under: alias or name, as Helm names them. */
export function subchartSections(chart: LoadedChart): Map<string, LoadedChart> {
  const out = new Map<string, LoadedChart>();
  const subs = chart.subcharts;
  if (!chart.metadata.dependenciesDeclared) {
    for (const s of subs) if (!out.has(s.metadata.name)) out.set(s.metadata.name, s);
    return out;
  }
  const listed = new Set<string>();
  for (const d of chart.metadata.dependencies) {
    const sub = subs.find((s) => s.metadata.name === d.name);
    if (!sub) continue;
    listed.add(d.name);
    out.set(d.alias || d.name, sub);
  }
  for (const s of subs) if (!listed.has(s.metadata.name) && !out.has(s.metadata.name)) out.set(s.metadata.name, s);
  return out;
}

/** The loaded chart behind a chart path of the effective values (`app/database/…`). */
export function findChartAt(root: LoadedChart, chartPath: string): LoadedChart | undefined {
  const parts = chartPath.split('/').slice(1);
  let cur: LoadedChart | undefined = root;
  for (const p of parts) {
    cur = cur ? subchartSections(cur).get(p) : undefined;
    if (!cur) return undefined;
  }
  return cur;
}

/**
 * Helm's schema check over the effective values: `charts` is the list of
 * enabled charts with their `.Values` (EffectiveValuesResult.charts).
 */
export function checkValuesSchema(root: LoadedChart, charts: readonly ChartValues[], options: SchemaCheckOptions = {}): ValuesSchemaProblem[] {
  const out: ValuesSchemaProblem[] = [];
  // Remote refs the caller did not supply may be files of the chart itself (issue #5).
  const local = chartSchemaResolver(root);
  const given = options.resolveRemote;
  options = { ...options, resolveRemote: (url) => given?.(url) ?? local(url) };
  for (const c of charts) {
    const loaded = findChartAt(root, c.chart);
    if (!loaded?.schemaText) continue;
    const prefix = c.chart.split('/').slice(1);
    out.push(...validateAgainstSchemaText(loaded.schemaText, c.values, c.chart, prefix, options));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Walking a schema along a values path

function resolveLocalRef(root: JsonSchemaNode | boolean, ref: string): JsonSchemaNode | undefined {
  if (typeof root !== 'object' || !ref.startsWith('#')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(1).split('/').filter((s) => s !== '')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as JsonSchemaNode) : undefined;
}

/** The schema node with its local `$ref` and its `allOf`/`anyOf`/`oneOf`/`then`/`else` branches, flattened. */
export function expandSchema(root: JsonSchemaNode | boolean, node: unknown, depth = 0): JsonSchemaNode[] {
  if (!node || typeof node !== 'object' || Array.isArray(node) || depth > 12) return [];
  const n = node as JsonSchemaNode;
  const out: JsonSchemaNode[] = [n];
  if (typeof n.$ref === 'string') out.push(...expandSchema(root, resolveLocalRef(root, n.$ref), depth + 1));
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = n[k];
    if (Array.isArray(list)) for (const b of list) out.push(...expandSchema(root, b, depth + 1));
  }
  for (const k of ['then', 'else']) if (n[k]) out.push(...expandSchema(root, n[k], depth + 1));
  return out;
}

/** Every schema node that applies to the value at `path` (empty when the schema says nothing about it). */
export function schemaNodesAt(root: JsonSchemaNode | boolean, path: readonly (string | number)[]): JsonSchemaNode[] {
  let nodes = expandSchema(root, root);
  for (const seg of path) {
    const next: unknown[] = [];
    for (const n of nodes) {
      if (typeof seg === 'number') {
        const prefixItems = Array.isArray(n.prefixItems) ? n.prefixItems : Array.isArray(n.items) ? n.items : undefined;
        if (prefixItems && seg < prefixItems.length) next.push(prefixItems[seg]);
        else if (n.items && !Array.isArray(n.items)) next.push(n.items);
        else if (n.additionalItems) next.push(n.additionalItems);
        continue;
      }
      const props = n.properties as Record<string, unknown> | undefined;
      if (props && Object.prototype.hasOwnProperty.call(props, seg)) {
        next.push(props[seg]);
        continue;
      }
      const patterns = n.patternProperties as Record<string, unknown> | undefined;
      let matched = false;
      if (patterns) {
        for (const [re, s] of Object.entries(patterns)) {
          try {
            if (new RegExp(re, 'u').test(seg)) {
              next.push(s);
              matched = true;
            }
          } catch {
            // an invalid pattern says nothing
          }
        }
      }
      if (!matched && n.additionalProperties && typeof n.additionalProperties === 'object') next.push(n.additionalProperties);
    }
    nodes = next.flatMap((x) => expandSchema(root, x));
    if (nodes.length === 0) return [];
  }
  return nodes;
}

/** What the schema nodes for one value say, merged: type names, description, enum, default, property names. */
export interface SchemaFacts {
  types: string[];
  description?: string;
  enumValues?: unknown[];
  default?: unknown;
  hasDefault: boolean;
  properties: Map<string, JsonSchemaNode[]>;
  required: Set<string>;
  /** `additionalProperties: false` (or unevaluatedProperties: false) somewhere: only listed keys are allowed. */
  closed: boolean;
}

export function schemaFacts(root: JsonSchemaNode | boolean, nodes: readonly JsonSchemaNode[]): SchemaFacts {
  const facts: SchemaFacts = { types: [], hasDefault: false, properties: new Map(), required: new Set(), closed: false };
  for (const n of nodes) {
    const t = n.type;
    for (const x of Array.isArray(t) ? t : t !== undefined ? [t] : []) if (typeof x === 'string' && !facts.types.includes(x)) facts.types.push(x);
    if (facts.description === undefined && typeof n.description === 'string' && n.description.trim() !== '') facts.description = n.description.trim();
    if (Array.isArray(n.enum)) facts.enumValues = [...(facts.enumValues ?? []), ...n.enum];
    if (n.const !== undefined) facts.enumValues = [...(facts.enumValues ?? []), n.const];
    if (!facts.hasDefault && n.default !== undefined) {
      facts.default = n.default;
      facts.hasDefault = true;
    }
    if (n.properties && typeof n.properties === 'object') {
      for (const [k, v] of Object.entries(n.properties as Record<string, unknown>)) {
        const list = facts.properties.get(k) ?? [];
        list.push(...expandSchema(root, v));
        facts.properties.set(k, list);
      }
    }
    if (Array.isArray(n.required)) for (const r of n.required) if (typeof r === 'string') facts.required.add(r);
    if (n.additionalProperties === false || n.unevaluatedProperties === false) facts.closed = true;
  }
  return facts;
}
