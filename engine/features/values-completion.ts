/**
 * Completion inside a HelmRelease's `spec.values`, from the chart itself:
 * keys come from the chart's values.yaml (subchart sections by alias or
 * name, with the subchart's own defaults, and `global`) and from
 * values.schema.json properties; each item shows the type, the chart
 * default as YAML and the schema description. Keys already present in the
 * map are left out. In a value position the schema's enum values, booleans
 * and the chart default are offered.
 *
 * The path under the cursor comes from the cursor-context helpers, so this
 * works on half-written YAML (a blank line under `values:`, a key being
 * typed). Also exported: the chart model hover and diagnostics share
 * (`chartDefaults`, `valuesModelAt`), cached per loaded chart.
 */
import { InsertTextMode } from 'vscode-languageserver-types';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type Position, type Range } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { LoadedChart } from '../charts/chart.ts';
import type { PlainValue } from '../values/tree.ts';
import { schemaFacts, schemaNodesAt, subchartSections, type JsonSchemaNode, type SchemaFacts } from '../values/schema-check.ts';
import { getTypingContext, keyInsertText, toYamlScalar, type TypingContext } from './context.ts';

type PlainMap = { [key: string]: PlainValue };

function isPlainMap(v: unknown): v is PlainMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// The chart model shared by completion, hover and diagnostics

/** `base` with `over` merged on top (maps merge, anything else in `over` wins). */
function overlay(base: PlainValue, over: PlainValue | undefined): PlainValue {
  if (over === undefined) return base;
  if (!isPlainMap(base) || !isPlainMap(over)) return over;
  const out: PlainMap = Object.create(null) as PlainMap;
  for (const k of Object.keys(base)) out[k] = base[k];
  for (const k of Object.keys(over)) out[k] = k in out ? overlay(out[k], over[k]) : over[k];
  return out;
}

const defaultsCache = new WeakMap<LoadedChart, PlainMap>();

/**
 * The chart defaults as a user sees them from the root: the root's
 * values.yaml with every subchart's defaults under its section (the parent's
 * values for the section win, as in Helm) and the globals of all charts
 * gathered under `global`. Subcharts disabled by default are included, so
 * their keys complete before they are switched on.
 */
export function chartDefaults(chart: LoadedChart, depth = 0): PlainMap {
  const hit = defaultsCache.get(chart);
  if (hit) return hit;
  let out = overlay(Object.create(null) as PlainMap, chart.values) as PlainMap;
  if (depth < 20) {
    for (const [section, sub] of subchartSections(chart)) {
      const subDefaults = chartDefaults(sub, depth + 1);
      const own = out[section];
      if (own === undefined || own === null || isPlainMap(own)) {
        const { global: subGlobal, ...rest } = subDefaults;
        out = overlay(out, { [section]: overlay(rest as PlainMap, own ?? undefined) }) as PlainMap;
        if (isPlainMap(subGlobal)) out = overlay(out, { global: overlay(subGlobal, out.global) }) as PlainMap;
      }
    }
  }
  defaultsCache.set(chart, out);
  return out;
}

/** The default value at a values path (`undefined` when the chart has none); list paths use the item at that index, or the first. */
export function defaultAt(defaults: PlainMap, path: readonly (string | number)[]): PlainValue | undefined {
  let cur: PlainValue | undefined = defaults;
  for (const seg of path) {
    if (typeof seg === 'number') cur = Array.isArray(cur) ? (cur[seg] ?? cur[0]) : undefined;
    else cur = isPlainMap(cur) && Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The chart that owns a values path: the deepest subchart whose section the path goes through. */
export function chartOwnerAt(root: LoadedChart, path: readonly (string | number)[]): { chart: LoadedChart; chartPath: string; prefix: (string | number)[]; chain: { chart: LoadedChart; prefix: (string | number)[] }[] } {
  let chart = root;
  let chartPath = root.metadata.name;
  let i = 0;
  const chain = [{ chart: root, prefix: [] as (string | number)[] }];
  while (i < path.length && typeof path[i] === 'string') {
    const sub = subchartSections(chart).get(path[i] as string);
    if (!sub) break;
    chartPath += `/${String(path[i])}`;
    chart = sub;
    i++;
    chain.push({ chart, prefix: path.slice(0, i) });
  }
  return { chart, chartPath, prefix: path.slice(0, i), chain };
}

const schemaCache = new WeakMap<LoadedChart, { schema: JsonSchemaNode | boolean | undefined }>();

/** The parsed values.schema.json of a chart (parsed only, never compiled), or undefined. */
export function chartSchema(chart: LoadedChart): JsonSchemaNode | boolean | undefined {
  if (!chart.schemaText) return undefined;
  const hit = schemaCache.get(chart);
  if (hit) return hit.schema;
  let schema: JsonSchemaNode | boolean | undefined;
  try {
    const s = JSON.parse(chart.schemaText) as unknown;
    schema = typeof s === 'boolean' || isPlainMap(s) ? (s as JsonSchemaNode | boolean) : undefined;
  } catch {
    schema = undefined;
  }
  schemaCache.set(chart, { schema });
  return schema;
}

export interface ValuesModel {
  /** The chart default at the path (undefined when values.yaml has nothing there). */
  defaultValue: PlainValue | undefined;
  /** What every applicable schema says (root schema at the full path, subchart schemas at their part). */
  facts: SchemaFacts;
  /** The chart that owns the path and its name as Helm knows it. */
  owner: { chart: LoadedChart; chartPath: string; prefix: (string | number)[] };
  /** The path is a subchart section itself. */
  section?: LoadedChart;
}

function mergeFacts(list: SchemaFacts[]): SchemaFacts {
  if (list.length === 1) return list[0];
  const out = schemaFacts(true, []);
  for (const f of list) {
    for (const t of f.types) if (!out.types.includes(t)) out.types.push(t);
    out.description ??= f.description;
    if (f.enumValues) out.enumValues = [...(out.enumValues ?? []), ...f.enumValues];
    if (!out.hasDefault && f.hasDefault) {
      out.default = f.default;
      out.hasDefault = true;
    }
    for (const [k, v] of f.properties) out.properties.set(k, [...(out.properties.get(k) ?? []), ...v]);
    for (const r of f.required) out.required.add(r);
    out.closed ||= f.closed;
  }
  return out;
}

const MODEL_CACHE_LIMIT = 20000;
const modelCache = new WeakMap<LoadedChart, Map<string, ValuesModel>>();

/** Everything the chart says about one values path (memoized per chart). */
export function valuesModelAt(chart: LoadedChart, path: readonly (string | number)[]): ValuesModel {
  let memo = modelCache.get(chart);
  if (!memo) modelCache.set(chart, (memo = new Map()));
  const key = path.map((s) => (typeof s === 'number' ? `#${s}` : `.${s}`)).join('\u0000');
  const hit = memo.get(key);
  if (hit) return hit;
  const defaults = chartDefaults(chart);
  const owner = chartOwnerAt(chart, path);
  const parts: SchemaFacts[] = [];
  for (const link of owner.chain) {
    const schema = chartSchema(link.chart);
    if (schema === undefined) continue;
    // Each chart's schema is walked (and its $refs resolved) on its own.
    parts.push(schemaFacts(schema, schemaNodesAt(schema, path.slice(link.prefix.length))));
  }
  const facts = parts.length ? mergeFacts(parts) : schemaFacts(true, []);
  const last = owner.chain.at(-1)!;
  const section = last.prefix.length === path.length && path.length > 0 ? last.chart : undefined;
  const model: ValuesModel = { defaultValue: defaultAt(defaults, path), facts, owner: { chart: owner.chart, chartPath: owner.chartPath, prefix: owner.prefix }, section };
  if (memo.size >= MODEL_CACHE_LIMIT) memo.clear();
  memo.set(key, model);
  return model;
}

/** A short type name from the schema or, failing that, from the default value. */
export function typeLabel(model: ValuesModel): string {
  const t = model.facts.types;
  if (t.length) return t.map((x) => (x === 'object' ? 'map' : x === 'array' ? 'list' : x)).join(' or ');
  if (model.facts.enumValues?.length) return 'enum';
  const d = model.defaultValue;
  if (d === undefined) return 'any';
  if (d === null) return 'null';
  if (Array.isArray(d)) return 'list';
  if (isPlainMap(d)) return 'map';
  if (typeof d === 'number') return Number.isInteger(d) ? 'integer' : 'number';
  return typeof d;
}

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const PLAIN_STRING = /^[A-Za-z_/•][A-Za-z0-9_ ./:@+•-]*$/;
const YAML11_WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

function scalarText(v: PlainValue): string {
  if (typeof v === 'string') return PLAIN_STRING.test(v) && !YAML11_WORDS.test(v) && !/[ :]$|: | #/.test(v) ? v : JSON.stringify(v);
  return v === null ? 'null' : String(v);
}

/**
 * A value rendered as YAML for markdown, cut after `maxLines`. A small
 * emitter of its own: previews are built for hundreds of completion items,
 * and a full YAML library round trip per item is too slow for that.
 */
export function yamlBlock(value: PlainValue, maxLines = 15): string {
  const lines: string[] = [];
  let more = false;
  const emit = (v: PlainValue, indent: string, lead: string): void => {
    if (lines.length >= maxLines) {
      more = true;
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) {
        lines.push(`${lead}[]`);
        return;
      }
      if (lead !== '') lines.push(lead.trimEnd());
      for (const item of v) emit(item, `${indent}  `, `${indent}- `);
      return;
    }
    if (isPlainMap(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) {
        lines.push(`${lead}{}`);
        return;
      }
      let first = lead.endsWith('- ');
      if (lead !== '' && !first) lines.push(lead.trimEnd());
      for (const k of keys) {
        if (lines.length >= maxLines) {
          more = true;
          return;
        }
        const key = PLAIN_KEY.test(k) && !YAML11_WORDS.test(k) ? k : JSON.stringify(k);
        const prefix = first ? `${lead}${key}: ` : `${indent}${key}: `;
        first = false;
        const child = v[k];
        if ((Array.isArray(child) && child.length) || (isPlainMap(child) && Object.keys(child).length)) {
          lines.push(prefix.trimEnd());
          emit(child, Array.isArray(child) ? indent : `${indent}  `, '');
        } else emit(child, `${indent}  `, prefix);
      }
      return;
    }
    lines.push(`${lead}${scalarText(v)}`);
  };
  emit(value, '', '');
  if (more) lines.push('# …');
  return `\`\`\`yaml\n${lines.join('\n')}\n\`\`\``;
}

/** A scalar (or empty container) written inline for markdown, e.g. `1`, `"1.0"`, `{}`. */
export function inlineValue(value: PlainValue): string | undefined {
  if (value === null) return '`null`';
  if (Array.isArray(value)) return value.length === 0 ? '`[]`' : undefined;
  if (isPlainMap(value)) return Object.keys(value).length === 0 ? '`{}`' : undefined;
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 80 ? `\`${s.slice(0, 77)}...\`` : `\`${s}\``;
}

const docCache = new WeakMap<ValuesModel, string>();

/** Markdown documentation for one values key: description, section note and chart default. */
export function valuesDocumentation(model: ValuesModel): string {
  const hit = docCache.get(model);
  if (hit !== undefined) return hit;
  const text = buildDocumentation(model);
  docCache.set(model, text);
  return text;
}

function buildDocumentation(model: ValuesModel): string {
  const parts: string[] = [];
  if (model.facts.description) parts.push(model.facts.description);
  if (model.section) parts.push(`Values of the subchart \`${model.section.metadata.name}\` ${model.section.metadata.version}.`);
  if (model.facts.enumValues?.length) parts.push(`Allowed values: ${model.facts.enumValues.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}.`);
  const d = model.defaultValue;
  if (d !== undefined) {
    const inline = inlineValue(d);
    parts.push(inline ? `Chart default: ${inline}` : `Chart default:\n${yamlBlock(d)}`);
  } else if (model.facts.hasDefault) parts.push(`Schema default: \`${JSON.stringify(model.facts.default)}\``);
  return parts.join('\n\n');
}

// ---------------------------------------------------------------------------
// Completion

const TRIGGER_SUGGEST = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };

function shapeOf(model: ValuesModel): 'object' | 'list' | 'scalar' {
  const t = model.facts.types;
  if (t.length === 1 && t[0] === 'array') return 'list';
  if (t.length === 1 && t[0] === 'object') return 'object';
  if (model.facts.properties.size > 0) return 'object';
  const d = model.defaultValue;
  if (Array.isArray(d)) return 'list';
  if (isPlainMap(d)) return 'object';
  return 'scalar';
}

function keyItem(chart: LoadedChart, valuesPath: (string | number)[], name: string, rank: string, ctx: Extract<TypingContext, { mode: 'key' }>, range: Range): CompletionItem {
  const model = valuesModelAt(chart, [...valuesPath, name]);
  const shape = shapeOf(model);
  const newText = keyInsertText(name, shape, ctx);
  const command: CompletionItem['command'] = !ctx.keyOnly && shape !== 'object' && shape !== 'list' && (model.facts.enumValues?.length || model.facts.types.includes('boolean') || typeof model.defaultValue === 'boolean') ? TRIGGER_SUGGEST : undefined;
  const type = typeLabel(model);
  const inline = model.defaultValue !== undefined ? inlineValue(model.defaultValue) : undefined;
  const doc = valuesDocumentation(model);
  const item: CompletionItem = {
    label: name,
    kind: model.section ? CompletionItemKind.Module : shape === 'scalar' ? CompletionItemKind.Property : CompletionItemKind.Module,
    detail: model.section ? `subchart ${model.section.metadata.name}` : inline ? `${type} = ${inline.replace(/`/g, '')}` : type,
    insertTextFormat: ctx.keyOnly ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
    insertTextMode: InsertTextMode.asIs,
    textEdit: { range, newText },
    filterText: name,
    sortText: `${rank}${name}`,
  };
  if (doc) item.documentation = { kind: 'markdown', value: doc };
  if (command) item.command = command;
  return item;
}

function valueItems(model: ValuesModel, range: Range, space: string, quote: string): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const d = model.defaultValue;
  const type = typeLabel(model);
  const push = (value: unknown, isDefault: boolean): void => {
    const text = toYamlScalar(value) ?? (value === null ? 'null' : undefined);
    if (text === undefined || seen.has(text)) return;
    seen.add(text);
    items.push({
      label: text,
      kind: CompletionItemKind.Value,
      detail: isDefault ? `${type} (chart default)` : type,
      textEdit: { range, newText: space + text },
      filterText: quote + String(value),
      sortText: `${isDefault ? 0 : 1}${String(items.length).padStart(3, '0')}`,
      ...(isDefault ? { preselect: true } : {}),
    });
  };
  const scalarDefault = d !== undefined && (d === null || typeof d !== 'object');
  if (scalarDefault) push(d, true);
  for (const v of model.facts.enumValues ?? []) if (v === null || typeof v !== 'object') push(v, false);
  if (model.facts.types.includes('boolean') || typeof d === 'boolean') for (const v of [true, false]) push(v, false);
  if (model.facts.hasDefault && (model.facts.default === null || typeof model.facts.default !== 'object')) push(model.facts.default, !scalarDefault);
  return items;
}

function inValues(path: readonly (string | number)[]): boolean {
  return path.length >= 2 && path[0] === 'spec' && path[1] === 'values';
}

/**
 * Completion at `position` when it is inside `spec.values` of a HelmRelease;
 * undefined elsewhere (the caller then offers its usual items).
 */
export function getValuesCompletion(file: YamlFile, position: Position, chart: LoadedChart): CompletionList | undefined {
  const ctx = getTypingContext(file, position);
  if (ctx.mode === 'none' || (ctx.doc && ctx.doc.kind !== undefined && ctx.doc.kind !== 'HelmRelease')) return undefined;
  const range = file.lines.rangeOf(ctx.replace[0], ctx.replace[1]);
  if (ctx.mode === 'value') {
    if (!inValues(ctx.path) || ctx.path.length < 3) return undefined;
    const model = valuesModelAt(chart, ctx.path.slice(2));
    return { isIncomplete: false, items: valueItems(model, range, ctx.needsSpace ? ' ' : '', ctx.quote) };
  }
  if (!inValues(ctx.path)) return undefined;
  const valuesPath = ctx.path.slice(2);
  const here = valuesModelAt(chart, valuesPath);
  // A new item of a list of plain values: offer the item's values.
  if (ctx.afterDash && typeof valuesPath.at(-1) === 'number' && !isPlainMap(here.defaultValue) && here.facts.properties.size === 0) {
    return { isIncomplete: false, items: valueItems(here, range, '', '') };
  }
  const names: { name: string; rank: string }[] = [];
  const seen = new Set<string>(ctx.siblings);
  const add = (name: string, rank: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    names.push({ name, rank });
  };
  let i = 0;
  for (const name of here.facts.required) add(name, '0');
  const d = here.defaultValue;
  if (isPlainMap(d)) for (const name of Object.keys(d)) add(name, `1${String(i++).padStart(5, '0')}`);
  for (const name of here.facts.properties.keys()) add(name, '2');
  if (valuesPath.length === 0) add('global', '3');
  return { isIncomplete: false, items: names.map((n) => keyItem(chart, valuesPath, n.name, n.rank, ctx, range)) };
}
