/**
 * Hover: what a field means. On a key (or on its value) it shows the field's
 * path, our description, its type, default, allowed values and whether it
 * is required. `apiVersion` adds notes about removed versions, and the
 * `kind` value shows the kind's summary. Only documents whose schema we know
 * get a hover; open fields such as the inside of `spec.values` get none.
 */
import type { Hover, Position } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import { findAtOffset, formatPath, isScalar, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import { schemaAtPath, resolveRef, type SchemaRegistry } from '../schemas/registry.ts';
import { resolveKind, type KindResolution } from '../validation/kind.ts';
import { apiVersionOf } from '../kinds.ts';
import { describeType, findDocumentAt, getFieldMarkdown, isRequiredAt, splitDescription } from './context.ts';

type Known = Extract<KindResolution, { status: 'known' }>;

function getApiVersionNote(res: Known): string {
  const current = res.info ? apiVersionOf(res.group, res.info.current) : undefined;
  if (res.entry.source === 'override') {
    return `\`${res.apiVersion}\` ${res.kind} is checked against your CRD${res.entry.origin ? ` (\`${res.entry.origin}\`)` : ''}.`;
  }
  if (res.versionInfo?.status === 'removed') {
    return `\`${res.apiVersion}\` ${res.kind} was removed in ${res.versionInfo.removedIn ?? 'a newer Flux release'}; the current version is \`${current}\`. This document is still checked against the removed version's schema.`;
  }
  if (current && current !== res.apiVersion) return `\`${res.apiVersion}\` is not the current version of ${res.kind}; the current version is \`${current}\`.`;
  return `\`${res.apiVersion}\` is the current API version of ${res.kind}.`;
}

function getKindSummary(res: Known): string {
  const summary = splitDescription(res.entry.schema).text;
  const head = `**${res.kind}** (\`${res.apiVersion}\`)`;
  return summary ? `${head}\n\n${summary}` : head;
}

/** Hover for the key or value at `position`, or null when there is nothing to say. */
export function doHover(file: YamlFile, position: Position, registry: SchemaRegistry): Hover | null {
  const offset = file.lines.offsetAt(position);
  const doc = findDocumentAt(file, offset);
  if (!doc) return null;
  const res = resolveKind(doc, file.uri, registry);
  if (res.status !== 'known') return null;
  const at = findAtOffset(doc.doc.contents, offset - doc.start);
  let target: [number, number] | undefined;
  let onValue = false;
  if (at.onKey && at.pair) target = nodeRange(at.pair.key);
  else if (isScalar(at.node) && at.path.length > 0) {
    target = nodeRange(at.node);
    onValue = true;
  }
  if (!target || at.path.length === 0) return null;
  // A plain value inside a list describes the list's field.
  let path: PathSeg[] = at.path;
  while (path.length > 0 && typeof path.at(-1) === 'number') path = path.slice(0, -1);
  if (path.length === 0) return null;

  const root = res.entry.schema;
  const node = resolveRef(root, schemaAtPath(root, path));
  if (!node || node['x-fluxhelm-open']) return null;
  const required = isRequiredAt(root, path);
  const header = `**\`${formatPath(path)}\`** · ${describeType(root, node)}${required ? ' · required' : ''}`;
  const parts = [header];
  if (path.length === 1 && path[0] === 'kind' && onValue) parts.push(getKindSummary(res));
  else {
    const body = getFieldMarkdown(root, node);
    if (body) parts.push(body);
  }
  if (path.length === 1 && path[0] === 'apiVersion') parts.push(getApiVersionNote(res));
  if (path.length === 1 && path[0] === 'kind' && !onValue) parts.push(`\`${res.kind}\` of \`${res.apiVersion}\`.`);
  return {
    contents: { kind: 'markdown', value: parts.join('\n\n') },
    range: file.lines.rangeOf(doc.start + target[0], doc.start + target[1]),
  };
}
