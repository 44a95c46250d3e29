/**
 * Completion while typing. Only the document under the cursor is looked at,
 * and the path to the cursor comes from the lines above it (context.ts), so
 * half-written YAML completes as well as finished YAML and a 1,000-document
 * file costs no more than a single document.
 *
 * Offers: keys from the schema (required first, present keys left out,
 * nested objects and lists inserted as blocks), keys of a new list item after
 * `- `, enum values, booleans and defaults in a value position, `apiVersion`
 * and `kind` values, and starter documents in an empty document. Nothing
 * inside open fields such as `spec.values` and nothing for objects we do
 * not know.
 */
import { InsertTextMode } from 'vscode-languageserver-types';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type Position, type Range } from '../types.ts';
import { isEmptyDocument, type YamlDocument, type YamlFile } from '../yaml/documents.ts';
import { isMap, isScalar, nodeRange } from '../yaml/nodes.ts';
import { resolveRef, schemaAtPath, type SchemaRegistry } from '../schemas/registry.ts';
import type { JsonSchema } from '../schemas/crd.ts';
import { resolveKind, isKustomizationFile } from '../validation/kind.ts';
import { KINDS, apiVersionOf, splitApiVersion, findKind } from '../kinds.ts';
import { describeType, keyInsertText, getFieldMarkdown, getFieldShape, getTypingContext, isOpen, splitDescription, toYamlScalar, type TypingContext } from './context.ts';
import { getSnippetItems } from './snippets.ts';

/** metadata fields the API server fills in: never written by hand. */
const SERVER_MANAGED = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']);
/** metadata fields people write, most used first. */
const METADATA_ORDER = ['name', 'namespace', 'labels', 'annotations'];

const EMPTY: CompletionList = { isIncomplete: false, items: [] };
const TRIGGER_SUGGEST = { title: 'Suggest values', command: 'editor.action.triggerSuggest' };

function markdown(value: string): { kind: 'markdown'; value: string } | undefined {
  return value ? { kind: 'markdown', value } : undefined;
}

/** True when the document holds nothing yet except, perhaps, the word being typed on the cursor line. */
function isBlankDocument(doc: YamlDocument | undefined, lineStart: number, lineEnd: number): boolean {
  if (!doc || isEmptyDocument(doc)) return true;
  const contents = doc.doc.contents;
  const onCursorLine = (node: unknown): boolean => {
    const r = nodeRange(node);
    return !!r && r[0] + doc.start >= lineStart && r[1] + doc.start <= lineEnd + 1;
  };
  if (isScalar(contents)) return onCursorLine(contents);
  if (isMap(contents)) return contents.items.every((p) => onCursorLine(p.key));
  return false;
}

// ---------------------------------------------------------------------------
// apiVersion and kind values

interface ApiVersionChoice {
  apiVersion: string;
  kinds: string[];
  current: boolean;
  removedIn?: string;
  replacement?: string;
}

function listApiVersions(registry: SchemaRegistry): ApiVersionChoice[] {
  const byVersion = new Map<string, ApiVersionChoice>();
  for (const info of KINDS) {
    const versions = new Set([...info.versions.map((v) => v.version), ...registry.versionsOf(info.group, info.kind)]);
    for (const version of versions) {
      const apiVersion = apiVersionOf(info.group, version);
      const entry = registry.get(apiVersion, info.kind);
      if (!entry) continue;
      const vinfo = info.versions.find((v) => v.version === version);
      const removed = entry.source === 'bundled' && vinfo?.status === 'removed';
      let choice = byVersion.get(apiVersion);
      if (!choice) {
        choice = { apiVersion, kinds: [], current: false };
        byVersion.set(apiVersion, choice);
      }
      choice.kinds.push(info.kind);
      if (!removed) choice.current = true;
      else {
        choice.removedIn ??= vinfo?.removedIn;
        choice.replacement ??= apiVersionOf(info.group, info.current);
      }
    }
  }
  return [...byVersion.values()];
}

function getApiVersionItems(doc: YamlDocument | undefined, range: Range, registry: SchemaRegistry, space: string): CompletionItem[] {
  const kind = doc?.kind;
  return listApiVersions(registry).map((c) => {
    const forKind = kind !== undefined && c.kinds.includes(kind);
    const rank = c.current ? (forKind ? 0 : 1) : forKind ? 2 : 3;
    const item: CompletionItem = {
      label: c.apiVersion,
      kind: CompletionItemKind.Module,
      detail: c.current ? `API version of ${c.kinds.join(', ')}` : `removed in ${c.removedIn ?? 'a newer Flux release'}; use ${c.replacement}`,
      documentation: markdown(
        c.current
          ? `Serves ${c.kinds.map((k) => `\`${k}\``).join(', ')}.`
          : `\`${c.apiVersion}\` was removed in ${c.removedIn ?? 'a newer Flux release'}. Current Flux serves ${c.kinds.map((k) => `\`${k}\``).join(', ')} as \`${c.replacement}\`.`,
      ),
      textEdit: { range, newText: space + c.apiVersion },
      filterText: c.apiVersion,
      sortText: `${rank}${c.apiVersion}`,
    };
    if (!c.current) item.tags = [1];
    return item;
  });
}

function getKindItems(doc: YamlDocument | undefined, uri: string, range: Range, registry: SchemaRegistry, space: string): CompletionItem[] {
  const apiVersion = doc?.apiVersion;
  const items: CompletionItem[] = [];
  if (apiVersion !== undefined) {
    const { group } = splitApiVersion(apiVersion);
    for (const kind of registry.kindsOf(group).sort()) {
      const entry = registry.get(apiVersion, kind);
      if (!entry) continue;
      const vinfo = findKind(group, kind)?.versions.find((v) => v.version === splitApiVersion(apiVersion).version);
      const item: CompletionItem = {
        label: kind,
        kind: CompletionItemKind.Class,
        detail: apiVersion,
        documentation: markdown(splitDescription(entry.schema).text),
        textEdit: { range, newText: space + kind },
        sortText: `0${kind}`,
      };
      if (entry.source === 'bundled' && vinfo?.status === 'removed') item.tags = [1];
      items.push(item);
    }
    return items;
  }
  for (const info of KINDS) {
    const current = apiVersionOf(info.group, info.current);
    const entry = registry.get(current, info.kind);
    if (!entry) continue;
    if (info.group === 'kustomize.config.k8s.io' && !isKustomizationFile(uri)) continue;
    items.push({
      label: info.kind,
      kind: CompletionItemKind.Class,
      detail: current,
      documentation: markdown(splitDescription(entry.schema).text),
      textEdit: { range, newText: space + info.kind },
      sortText: `${info.flux ? 0 : 1}${info.kind}`,
    });
  }
  return items;
}

// ---------------------------------------------------------------------------
// Keys

function getKeyItem(root: JsonSchema, name: string, prop: JsonSchema, required: boolean, ctx: Extract<TypingContext, { mode: 'key' }>, range: Range, rank: string): CompletionItem {
  const node = resolveRef(root, prop);
  const shape = getFieldShape(root, node);
  const type = describeType(root, node);
  const newText = keyInsertText(name, shape, ctx);
  const command: CompletionItem['command'] = !ctx.keyOnly && shape !== 'object' && shape !== 'list' && (Array.isArray(node?.enum) || type === 'boolean') ? TRIGGER_SUGGEST : undefined;
  const description = splitDescription(node).text;
  const item: CompletionItem = {
    label: name,
    kind: shape === 'scalar' ? CompletionItemKind.Property : CompletionItemKind.Module,
    detail: required ? `${type} (required)` : type,
    documentation: markdown(getFieldMarkdown(root, node, { required })),
    insertTextFormat: ctx.keyOnly ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
    insertTextMode: InsertTextMode.asIs,
    textEdit: { range, newText },
    filterText: name,
    sortText: `${rank}${name}`,
  };
  if (command) item.command = command;
  if (/^deprecated\b/i.test(description)) item.tags = [1];
  return item;
}

function getValueItems(root: JsonSchema, node: JsonSchema | undefined, range: Range, space: string, quote = ''): CompletionItem[] {
  const n = resolveRef(root, node);
  if (!n || isOpen(n)) return [];
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const push = (value: unknown, detail: string, isDefault: boolean): void => {
    const text = toYamlScalar(value);
    if (text === undefined || seen.has(text)) return;
    seen.add(text);
    items.push({
      label: text,
      kind: CompletionItemKind.Value,
      detail: isDefault ? `${detail} (default)` : detail,
      textEdit: { range, newText: space + text },
      filterText: quote + String(value),
      sortText: `${isDefault ? 0 : 1}${String(items.length).padStart(3, '0')}`,
      ...(isDefault ? { preselect: true } : {}),
    });
  };
  const type = describeType(root, n);
  if (Array.isArray(n.enum)) for (const v of n.enum) push(v, type, n.default !== undefined && v === n.default);
  if (type === 'boolean') for (const v of [true, false]) push(v, 'boolean', n.default === v);
  if (n.default !== undefined && (typeof n.default !== 'object' || n.default === null)) push(n.default, type, true);
  return items;
}

// ---------------------------------------------------------------------------

/** Completion items at `position` (see the file header for what is offered). */
export function doComplete(file: YamlFile, position: Position, registry: SchemaRegistry): CompletionList {
  const ctx = getTypingContext(file, position);
  if (ctx.mode === 'none') return EMPTY;
  const range = file.lines.rangeOf(ctx.replace[0], ctx.replace[1]);
  const doc = ctx.doc;

  if (ctx.mode === 'value') {
    const space = ctx.needsSpace ? ' ' : '';
    if (ctx.path.length === 1 && ctx.path[0] === 'apiVersion') {
      if (doc?.kind !== undefined && !KINDS.some((k) => k.kind === doc.kind)) return EMPTY;
      return { isIncomplete: false, items: getApiVersionItems(doc, range, registry, space) };
    }
    if (ctx.path.length === 1 && ctx.path[0] === 'kind') return { isIncomplete: false, items: getKindItems(doc, file.uri, range, registry, space) };
    if (!doc) return EMPTY;
    const res = resolveKind(doc, file.uri, registry);
    if (res.status !== 'known') return EMPTY;
    const root = res.entry.schema;
    return { isIncomplete: false, items: getValueItems(root, schemaAtPath(root, ctx.path), range, space, ctx.quote) };
  }

  // A key (or a list item) is being typed.
  const lineStart = file.lines.lineStarts[position.line] ?? file.text.length;
  const lineEnd = lineStart + file.lines.lineText(position.line).length;
  if (ctx.path.length === 0 && ctx.col === 0 && !ctx.afterDash && isBlankDocument(doc, lineStart, lineEnd)) {
    return { isIncomplete: false, items: getSnippetItems(range) };
  }
  if (!doc) return EMPTY;
  const res = resolveKind(doc, file.uri, registry);
  if (res.status !== 'known') {
    if (ctx.path.length !== 0 || ctx.afterDash) return EMPTY;
    if (doc.apiVersion !== undefined && doc.kind !== undefined) return EMPTY;
    const items: CompletionItem[] = [];
    for (const name of ['apiVersion', 'kind']) {
      if (ctx.siblings.has(name)) continue;
      items.push({
        label: name,
        kind: CompletionItemKind.Property,
        detail: 'string (required)',
        insertTextFormat: ctx.keyOnly ? InsertTextFormat.PlainText : InsertTextFormat.Snippet,
        textEdit: { range, newText: ctx.keyOnly ? name : `${name}: $0` },
        ...(ctx.keyOnly ? {} : { command: TRIGGER_SUGGEST }),
        sortText: `0${name}`,
      });
    }
    return { isIncomplete: false, items };
  }
  const root = res.entry.schema;
  const node = resolveRef(root, schemaAtPath(root, ctx.path));
  if (!node || isOpen(node) || (node as { 'x-fluxhelm-open'?: boolean })['x-fluxhelm-open']) return EMPTY;
  const props = node.properties as Record<string, JsonSchema> | undefined;
  if (!props) {
    // A new item in a list of plain values: offer the item's values.
    if (ctx.afterDash && typeof ctx.path.at(-1) === 'number') return { isIncomplete: false, items: getValueItems(root, node, range, '') };
    return EMPTY;
  }
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const inMetadata = ctx.path.length === 1 && ctx.path[0] === 'metadata';
  const items: CompletionItem[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (ctx.siblings.has(name)) continue;
    if (inMetadata && SERVER_MANAGED.has(name)) continue;
    let rank = required.has(name) ? '0' : '1';
    if (inMetadata) rank = METADATA_ORDER.includes(name) ? `0${METADATA_ORDER.indexOf(name)}` : '1';
    items.push(getKeyItem(root, name, prop, required.has(name), ctx, range, rank));
  }
  return { isIncomplete: false, items };
}
