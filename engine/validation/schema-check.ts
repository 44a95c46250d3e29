/**
 * Checks one document's value against its JSON Schema (interpret.ts, or
 * ajv for schemas using keywords the interpreter leaves to it) and turns the
 * errors into diagnostics a person understands, each on the exact key or
 * value it is about: "unknown field `verison` in spec.chart.spec — did you
 * mean `version`?".
 *
 * Mirrors what the API server does with the same CRD: null values are
 * dropped rather than rejected, and strings holding a Flux postBuild
 * variable (`${cluster_env}`) are not judged by pattern/enum/type, because
 * their final value is only known after substitution.
 */
import type { ErrorObject } from 'ajv';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlDocument } from '../yaml/documents.ts';
import { rangeForPath, findAtPath, formatPath, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import type { SchemaEntry, SchemaRegistry } from '../schemas/registry.ts';
import { didYouMean } from '../util/suggest.ts';
import { pointerToSegments, describeValueType } from '../util/json-pointer.ts';
import { supportsSchema, interpretSchema } from './interpret.ts';

const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
const SUBSTITUTION = /\$\{[^}]*\}/;

function expected(t: unknown): string {
  const list = (Array.isArray(t) ? t : [t]).filter((x) => x !== 'null').map(String);
  const words = list.map((x) => (x === 'object' ? 'a map' : x === 'array' ? 'a list' : x === 'integer' ? 'an integer' : `a ${x}`));
  return words.join(' or ');
}

function where(path: PathSeg[]): string {
  return path.length ? formatPath(path) : 'the document';
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface Mapped {
  path: PathSeg[];
  preferKey: boolean;
  code: string;
  message: string;
}

export function mapError(e: ErrorObject, path: PathSeg[], sourceText: (path: PathSeg[]) => string | undefined): Mapped | undefined {
  const data = e.data;
  const isSubstituted = typeof data === 'string' && SUBSTITUTION.test(data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      const props = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const inWhere = path.length ? ` in ${formatPath(path)}` : '';
      return { path: [...path, field], preferKey: true, code: 'unknown-field', message: `unknown field \`${field}\`${inWhere}${didYouMean(field, props)}` };
    }
    case 'required': {
      const field = String((e.params as { missingProperty: string }).missingProperty);
      return { path, preferKey: true, code: 'required', message: `missing required field \`${field}\` in ${where(path)}` };
    }
    case 'type': {
      if (data === null || isSubstituted) return undefined;
      const want = expected((e.params as { type: unknown }).type);
      let hint = '';
      const text = sourceText(path);
      if (want.includes('string') && (typeof data === 'number' || typeof data === 'boolean')) {
        hint = text !== undefined && text !== String(data) ? `; YAML reads \`${text}\` as ${show(data)}, quote it: "${text}"` : `; quote it: "${text ?? String(data)}"`;
      }
      return { path, preferKey: false, code: 'type', message: `${where(path)} must be ${want}, not ${describeValueType(data)}${hint}` };
    }
    case 'enum': {
      if (isSubstituted) return undefined;
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      return { path, preferKey: false, code: 'enum', message: `\`${show(data)}\` is not allowed for ${where(path)}; expected one of: ${allowed.join(', ')}${didYouMean(String(data), allowed)}` };
    }
    case 'propertyNames': {
      const key = String((e.params as { propertyName: string }).propertyName);
      const what = path.at(-1) === 'labels' ? 'label key' : path.at(-1) === 'annotations' ? 'annotation key' : 'key';
      return { path: [...path, key], preferKey: true, code: 'name', message: `\`${key}\` is not a valid ${what}: use an optional DNS prefix and \`/\`, then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit` };
    }
    case 'pattern': {
      if (isSubstituted || (e as { propertyName?: string }).propertyName !== undefined) return undefined;
      const pattern = String((e.params as { pattern: string }).pattern);
      if (path[0] === 'metadata' && path[1] === 'labels' && path.length === 3) {
        return { path, preferKey: false, code: 'name', message: `\`${show(data)}\` is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (no spaces)` };
      }
      if (pattern === DURATION_PATTERN) return { path, preferKey: false, code: 'duration', message: `\`${show(data)}\` is not a duration for ${where(path)}; use a Go duration such as 30s, 5m or 1h30m (units ms, s, m, h)` };
      if (path[0] === 'metadata' && (path[1] === 'name' || path[1] === 'namespace')) {
        const dots = !pattern.includes('\\.');
        return { path, preferKey: false, code: 'name', message: `\`${show(data)}\` is not a valid ${String(path[1])}: use lowercase letters, digits and '-'${dots ? ' (no dots)' : " or '.'"}, starting and ending with a letter or digit` };
      }
      return { path, preferKey: false, code: 'pattern', message: `\`${show(data)}\` does not match the format required for ${where(path)} (pattern ${pattern})` };
    }
    case 'format':
      if (isSubstituted) return undefined;
      return { path, preferKey: false, code: 'format', message: `\`${show(data)}\` is not a valid ${String((e.params as { format: string }).format)} for ${where(path)}` };
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      if (isSubstituted) return undefined;
      const limit = (e.params as { limit: number }).limit;
      const what: Record<string, string> = {
        minLength: `must be at least ${limit} characters long`,
        maxLength: `must be at most ${limit} characters long`,
        minimum: `must be at least ${limit}`,
        maximum: `must be at most ${limit}`,
        exclusiveMinimum: `must be greater than ${limit}`,
        exclusiveMaximum: `must be less than ${limit}`,
        minItems: `needs at least ${limit} item${limit === 1 ? '' : 's'}`,
        maxItems: `allows at most ${limit} item${limit === 1 ? '' : 's'}`,
        minProperties: `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}`,
        maxProperties: `allows at most ${limit} entr${limit === 1 ? 'y' : 'ies'}`,
      };
      return { path, preferKey: false, code: 'limit', message: `${where(path)} ${what[e.keyword]}` };
    }
    case 'anyOf': {
      if (data === null || isSubstituted) return undefined;
      const branches = (e.schema as { type?: unknown }[] | undefined)?.map((s) => s.type).filter(Boolean);
      if (branches && branches.length) return { path, preferKey: false, code: 'type', message: `${where(path)} must be ${expected(branches)}, not ${describeValueType(data)}` };
      return { path, preferKey: false, code: 'schema', message: `${where(path)} does not match any allowed form` };
    }
    default:
      return { path, preferKey: false, code: 'schema', message: `${where(path)} ${e.message ?? 'is invalid'}` };
  }
}

/**
 * The schema errors of `value`: interpreted when the schema uses only what
 * the interpreter knows (no compile step, so the first document of a kind is
 * as fast as the rest), otherwise from ajv's compiled validator.
 */
export function schemaErrors(entry: SchemaEntry, registry: SchemaRegistry, value: unknown): ErrorObject[] {
  if (supportsSchema(entry.schema)) return interpretSchema(entry.schema, value);
  const validate = registry.validator(entry);
  validate(value);
  return validate.errors ?? [];
}

/**
 * Schema errors of one kind (unknown fields, wrong types...) placed and described per document. A pasted block
 * can put thousands of keys where the schema has no such field, and each one was placed in the node tree and
 * given a "did you mean" (an edit distance to every field the schema has): a 480 ms block per edit in fuzz
 * profiles. The same cap as the YAML findings (yaml/documents.ts MAX_FINDINGS_PER_KIND).
 */
const MAX_SCHEMA_FINDINGS = 100;

export function checkSchema(doc: YamlDocument, entry: SchemaEntry, registry: SchemaRegistry): OffsetDiagnostic[] {
  const value = doc.value();
  if (value === undefined || value === null || typeof value !== 'object') return [];
  const errors = schemaErrors(entry, registry, value);
  // The node tree is read only when there is a finding to place (yaml/documents.ts composes it on first use).
  const contents = () => doc.doc.contents;

  // Errors reported inside an anyOf belong to the anyOf itself.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  const sourceText = (path: PathSeg[]): string | undefined => {
    const r = nodeRange(findAtPath(contents(), path).node);
    return r ? doc.text.slice(r[0], r[1]) : undefined;
  };

  const out: OffsetDiagnostic[] = [];
  const seen = new Set<string>();
  // At most MAX_SCHEMA_FINDINGS per kind of schema error; the last one listed counts the rest.
  const listed = new Map<string, { count: number; last?: OffsetDiagnostic }>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`))) continue;
    const kind = listed.get(e.keyword) ?? { count: 0 };
    listed.set(e.keyword, kind);
    if (++kind.count > MAX_SCHEMA_FINDINGS) continue;
    const path = pointerToSegments(e.instancePath, value);
    const mapped = mapError(e, path, sourceText);
    if (!mapped) continue;
    let [start, end] = rangeForPath(contents(), mapped.path, mapped.preferKey);
    if (mapped.path.length === 0 || (mapped.code === 'required' && path.length === 0)) {
      const kindRange = rangeForPath(contents(), ['kind'], true);
      [start, end] = kindRange;
    }
    const key = `${start}:${end}:${mapped.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kind.last = { start, end, severity: 'error', code: mapped.code, message: mapped.message };
    out.push(kind.last);
  }
  for (const { count, last } of listed.values()) {
    if (count > MAX_SCHEMA_FINDINGS && last) last.message += ` (and ${count - MAX_SCHEMA_FINDINGS} more like this in this document, not listed)`;
  }
  return out;
}
