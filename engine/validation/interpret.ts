/**
 * A JSON Schema interpreter for the subset of draft-07 that Kubernetes CRD
 * schemas use, producing the same error objects as ajv (allErrors, verbose)
 * in the same order, without generating code. Compiling a big schema with
 * ajv costs hundreds of milliseconds (HelmRelease: ~44 KB of schema), which
 * stood between a server start and its first diagnostics; walking the
 * schema beside the value costs microseconds per document and nothing up
 * front.
 *
 * Supported: type, properties, additionalProperties, required, items (one
 * schema), enum, pattern, min/maxLength, min/maxItems, min/maxProperties,
 * minimum/maximum/exclusive*, $ref (#/definitions/…), allOf, anyOf,
 * propertyNames, plus annotations and x-kubernetes-* extensions. A schema
 * using anything else (format, oneOf, not, const, …) is left to ajv:
 * `supportsSchema` says which, once per schema object.
 */
import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../schemas/crd.ts';

/** Keywords this interpreter evaluates. */
const ASSERTIONS = new Set([
  'type', 'properties', 'additionalProperties', 'required', 'items', 'enum', 'pattern', 'maxLength', 'minLength',
  'maxItems', 'minItems', 'maxProperties', 'minProperties', 'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum',
  '$ref', 'allOf', 'anyOf', 'propertyNames',
]);
/** Keywords that assert nothing (ajv ignores them too). */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'example', '$schema', '$id', '$comment', 'definitions', 'contentEncoding', 'contentMediaType', 'readOnly', 'writeOnly', 'nullable', 'deprecated']);

const supportCache = new WeakMap<object, boolean>();

/** Whether every keyword in `schema` (and its subschemas) is one this interpreter evaluates exactly like ajv. */
export function supportsSchema(schema: JsonSchema): boolean {
  const cached = supportCache.get(schema);
  if (cached !== undefined) return cached;
  const seen = new Set<object>();
  const ok = (node: unknown): boolean => {
    if (typeof node === 'boolean') return true;
    if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
    if (seen.has(node)) return true;
    seen.add(node);
    const s = node as JsonSchema;
    for (const [k, v] of Object.entries(s)) {
      if (k.startsWith('x-') || ANNOTATIONS.has(k)) continue;
      if (!ASSERTIONS.has(k)) return false;
      if (k === 'properties') {
        if (!v || typeof v !== 'object' || !Object.values(v).every(ok)) return false;
      } else if (k === 'additionalProperties' || k === 'items' || k === 'propertyNames') {
        if (!ok(v)) return false;
      } else if (k === 'allOf' || k === 'anyOf') {
        if (!Array.isArray(v) || !v.every(ok)) return false;
      } else if (k === '$ref') {
        if (typeof v !== 'string' || !/^#\/definitions\/[^/~]+$/.test(v)) return false;
      } else if (k === 'pattern') {
        if (typeof v !== 'string' || regex(v) === null) return false;
      } else if (k === 'type') {
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((t) => ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'].includes(t as string))) return false;
      } else if (k === 'required' || k === 'enum') {
        if (!Array.isArray(v)) return false;
      } else if (typeof v !== 'number') {
        return false; // limits
      }
    }
    return true;
  };
  const defs = schema.definitions as Record<string, unknown> | undefined;
  const result = ok(schema) && (!defs || Object.values(defs).every(ok));
  supportCache.set(schema, result);
  return result;
}

const regexes = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let r = regexes.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, 'u');
    } catch {
      r = null;
    }
    regexes.set(pattern, r);
  }
  return r;
}

function escapePointer(key: string): string {
  return key.indexOf('~') < 0 && key.indexOf('/') < 0 ? key : key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Length in Unicode code points, as ajv counts it. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    n++;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function hasType(data: unknown, t: string): boolean {
  switch (t) {
    case 'string':
      return typeof data === 'string';
    case 'number':
      return typeof data === 'number';
    case 'integer':
      return typeof data === 'number' && !(data % 1) && !Number.isNaN(data);
    case 'boolean':
      return typeof data === 'boolean';
    case 'null':
      return data === null;
    case 'array':
      return Array.isArray(data);
    case 'object':
      return isObject(data);
    default:
      return false;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Which keywords belong to each of ajv's type-guarded groups, in ajv's order. */
const GROUPS: { type: 'number' | 'string' | 'array' | 'object'; keywords: string[] }[] = [
  { type: 'number', keywords: ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum'] },
  { type: 'string', keywords: ['maxLength', 'minLength', 'pattern'] },
  { type: 'array', keywords: ['maxItems', 'minItems', 'items'] },
  { type: 'object', keywords: ['maxProperties', 'minProperties', 'required', 'propertyNames', 'additionalProperties', 'properties'] },
];
const COMPARISON: Record<string, string> = { maximum: '<=', minimum: '>=', exclusiveMaximum: '<', exclusiveMinimum: '>' };

interface Ctx {
  root: JsonSchema;
  errors: ErrorObject[];
  /** Set while validating a key under propertyNames (ajv adds it to the errors). */
  propertyName?: string;
}

function fail(ctx: Ctx, keyword: string, instancePath: string, schemaPath: string, params: Record<string, unknown>, message: string, schema: unknown, parentSchema: JsonSchema, data: unknown): void {
  const e = { instancePath, schemaPath: `${schemaPath}/${keyword}`, keyword, params, message, schema, parentSchema, data } as ErrorObject & { propertyName?: string };
  if (ctx.propertyName !== undefined) e.propertyName = ctx.propertyName;
  ctx.errors.push(e);
}

/** What `check` needs to know about a schema node, worked out once per node. */
interface Plan {
  types: string[];
  /** ajv checks the single type inside its keyword group. */
  deferType: boolean;
  /** Which type-guarded groups have keywords here, in GROUPS order. */
  groups: ('number' | 'string' | 'array' | 'object')[];
  /** `$ref` target (undefined when absent or dangling). */
  ref?: { schema: JsonSchema; path: string };
  enumList?: unknown[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  propKeys?: string[];
  /** The root the `$ref` was resolved against. */
  root: JsonSchema;
}
const plans = new WeakMap<object, Plan>();

function planOf(schema: JsonSchema, root: JsonSchema): Plan {
  let plan = plans.get(schema);
  if (!plan || plan.root !== root) {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const groups = GROUPS.filter((g) => g.keywords.some((k) => schema[k] !== undefined)).map((g) => g.type);
    const props = schema.properties as Record<string, unknown> | undefined;
    const propKeys = props ? Object.keys(props) : undefined;
    plan = { types, deferType: types.length === 1 && (groups as string[]).includes(types[0]), groups, propKeys, root };
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.slice('#/definitions/'.length);
      const target = (root.definitions as Record<string, JsonSchema> | undefined)?.[name];
      if (target !== undefined) plan.ref = { schema: target, path: `#/definitions/${name}` };
    }
    if (Array.isArray(schema.enum)) plan.enumList = schema.enum;
    if (Array.isArray(schema.anyOf)) plan.anyOf = schema.anyOf as JsonSchema[];
    if (Array.isArray(schema.allOf)) plan.allOf = schema.allOf as JsonSchema[];
    plans.set(schema, plan);
  }
  return plan;
}

function hasAnyType(data: unknown, types: string[]): boolean {
  for (const t of types) if (hasType(data, t)) return true;
  return false;
}

/** Validates `data` against `schema`; returns whether it is valid. Errors go to ctx.errors. */
function check(ctx: Ctx, schema: JsonSchema | boolean, data: unknown, path: string, sp: string): boolean {
  if (schema === true) return true;
  if (schema === false) {
    ctx.errors.push({ instancePath: path, schemaPath: sp, keyword: 'false schema', params: {}, message: 'boolean schema is false', schema: false, parentSchema: false, data } as unknown as ErrorObject);
    return false;
  }
  const before = ctx.errors.length;
  const plan = planOf(schema, ctx.root);
  const { types, deferType, groups } = plan;
  // ajv checks a single type inside its keyword group when the schema has keywords of that group.
  if (types.length && !deferType && !hasAnyType(data, types)) {
    fail(ctx, 'type', path, sp, { type: schema.type }, `must be ${types.join(',')}`, schema.type, schema, data);
  }

  // Keywords for any type: $ref, enum, anyOf, allOf.
  if (plan.ref) check(ctx, plan.ref.schema, data, path, plan.ref.path);
  if (plan.enumList && !plan.enumList.some((v) => deepEqual(v, data))) {
    fail(ctx, 'enum', path, sp, { allowedValues: plan.enumList }, 'must be equal to one of the allowed values', plan.enumList, schema, data);
  }
  if (plan.anyOf) {
    const mark = ctx.errors.length;
    let any = false;
    plan.anyOf.forEach((sub, i) => {
      if (check(ctx, sub, data, path, `${sp}/anyOf/${i}`)) any = true;
    });
    if (any) ctx.errors.length = mark;
    else fail(ctx, 'anyOf', path, sp, {}, 'must match a schema in anyOf', plan.anyOf, schema, data);
  }
  if (plan.allOf) plan.allOf.forEach((sub, i) => check(ctx, sub, data, path, `${sp}/allOf/${i}`));

  for (const group of groups) {
    if (!hasType(data, group)) {
      if (deferType && types[0] === group) fail(ctx, 'type', path, sp, { type: schema.type }, `must be ${types[0]}`, schema.type, schema, data);
      continue;
    }
    if (group === 'number') checkNumber(ctx, schema, data as number, path, sp);
    else if (group === 'string') checkString(ctx, schema, data as string, path, sp);
    else if (group === 'array') checkArray(ctx, schema, data as unknown[], path, sp);
    else checkObject(ctx, schema, data as Record<string, unknown>, path, sp);
  }
  return ctx.errors.length === before;
}

function checkNumber(ctx: Ctx, schema: JsonSchema, data: number, path: string, sp: string): void {
  for (const k of ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum']) {
    const limit = schema[k];
    if (typeof limit !== 'number') continue;
    const ok = k === 'maximum' ? data <= limit : k === 'minimum' ? data >= limit : k === 'exclusiveMaximum' ? data < limit : data > limit;
    if (!ok || Number.isNaN(data)) fail(ctx, k, path, sp, { comparison: COMPARISON[k], limit }, `must be ${COMPARISON[k]} ${limit}`, limit, schema, data);
  }
}

function checkString(ctx: Ctx, schema: JsonSchema, data: string, path: string, sp: string): void {
  const max = schema.maxLength;
  const min = schema.minLength;
  if (typeof max === 'number' && codePoints(data) > max) fail(ctx, 'maxLength', path, sp, { limit: max }, `must NOT have more than ${max} characters`, max, schema, data);
  if (typeof min === 'number' && codePoints(data) < min) fail(ctx, 'minLength', path, sp, { limit: min }, `must NOT have fewer than ${min} characters`, min, schema, data);
  if (typeof schema.pattern === 'string' && !regex(schema.pattern)!.test(data)) {
    fail(ctx, 'pattern', path, sp, { pattern: schema.pattern }, `must match pattern "${schema.pattern}"`, schema.pattern, schema, data);
  }
}

function checkArray(ctx: Ctx, schema: JsonSchema, data: unknown[], path: string, sp: string): void {
  const max = schema.maxItems;
  const min = schema.minItems;
  if (typeof max === 'number' && data.length > max) fail(ctx, 'maxItems', path, sp, { limit: max }, `must NOT have more than ${max} items`, max, schema, data);
  if (typeof min === 'number' && data.length < min) fail(ctx, 'minItems', path, sp, { limit: min }, `must NOT have fewer than ${min} items`, min, schema, data);
  const items = schema.items as JsonSchema | boolean | undefined;
  if (items !== undefined && items !== true) data.forEach((v, i) => check(ctx, items, v, `${path}/${i}`, `${sp}/items`));
}

function checkObject(ctx: Ctx, schema: JsonSchema, data: Record<string, unknown>, path: string, sp: string): void {
  const max = schema.maxProperties;
  const min = schema.minProperties;
  if (typeof max === 'number' && Object.keys(data).length > max) fail(ctx, 'maxProperties', path, sp, { limit: max }, `must NOT have more than ${max} properties`, max, schema, data);
  if (typeof min === 'number' && Object.keys(data).length < min) fail(ctx, 'minProperties', path, sp, { limit: min }, `must NOT have fewer than ${min} properties`, min, schema, data);
  if (Array.isArray(schema.required)) {
    for (const p of schema.required as string[]) {
      if (data[p] === undefined) fail(ctx, 'required', path, sp, { missingProperty: p }, `must have required property '${p}'`, schema.required, schema, data);
    }
  }
  const names = schema.propertyNames as JsonSchema | boolean | undefined;
  if (names !== undefined && names !== true) {
    for (const key in data) {
      const outer = ctx.propertyName;
      ctx.propertyName = key;
      const ok = check(ctx, names, key, path, `${sp}/propertyNames`);
      ctx.propertyName = outer;
      if (!ok) fail(ctx, 'propertyNames', path, sp, { propertyName: key }, 'property name must be valid', names, schema, data);
    }
  }
  const props = schema.properties as Record<string, JsonSchema | boolean> | undefined;
  const extra = schema.additionalProperties as JsonSchema | boolean | undefined;
  if (extra !== undefined && extra !== true) {
    for (const key in data) {
      if (props && Object.prototype.hasOwnProperty.call(props, key)) continue;
      if (extra === false) fail(ctx, 'additionalProperties', path, sp, { additionalProperty: key }, 'must NOT have additional properties', false, schema, data);
      else check(ctx, extra, data[key], `${path}/${escapePointer(key)}`, `${sp}/additionalProperties`);
    }
  }
  if (props) {
    const order = planOf(schema, ctx.root).propKeys!;
    for (const key of order) {
      if (data[key] !== undefined) check(ctx, props[key], data[key], `${path}/${escapePointer(key)}`, `${sp}/properties/${escapePointer(key)}`);
    }
  }
}

/**
 * Validates `value` against `schema` (one `supportsSchema` accepts) and
 * returns ajv-shaped errors (empty when valid).
 */
export function interpretSchema(schema: JsonSchema, value: unknown): ErrorObject[] {
  const ctx: Ctx = { root: schema, errors: [] };
  check(ctx, schema, value, '', '#');
  return ctx.errors;
}
