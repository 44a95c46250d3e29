/**
 * The outline: one symbol per object in the file (`HelmRelease apps/podinfo`,
 * detail = apiVersion), with the object's sections as children: the keys
 * under `spec`, or the top-level keys for objects without one (ConfigMap
 * `data`, kustomization.yaml `resources`). The shape of each document is
 * memoized on it in relative offsets, so only edited documents are walked
 * again.
 */
import { SymbolKind, type DocumentSymbol } from '../types.ts';
import type { YamlDocument, YamlFile } from '../yaml/documents.ts';
import { findAtPath, isMap, isScalar, isSeq, nodeRange } from '../yaml/nodes.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { resolveKind } from '../validation/kind.ts';
import { splitApiVersion } from '../kinds.ts';

interface Outline {
  name: string;
  detail?: string;
  kind: SymbolKind;
  range: [number, number];
  selection: [number, number];
  children?: Outline[];
}

function getSymbolKind(apiVersion: string, kind: string): SymbolKind {
  const { group } = splitApiVersion(apiVersion);
  if (kind === 'HelmRelease') return SymbolKind.Package;
  if (group === 'source.toolkit.fluxcd.io') return SymbolKind.Module;
  if (kind === 'Kustomization') return SymbolKind.Class;
  if (group === 'notification.toolkit.fluxcd.io') return SymbolKind.Event;
  if (group === 'image.toolkit.fluxcd.io') return SymbolKind.Interface;
  if (kind === 'Namespace') return SymbolKind.Namespace;
  if (kind === 'Secret') return SymbolKind.Key;
  return SymbolKind.Object;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = Math.min(end, text.length);
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

function getSections(doc: YamlDocument): Outline[] {
  const contents = doc.doc.contents;
  const spec = findAtPath(contents, ['spec']).node;
  const parent = isMap(spec) ? spec : isMap(contents) ? contents : undefined;
  if (!parent) return [];
  const out: Outline[] = [];
  for (const pair of parent.items) {
    const key = isScalar(pair.key) ? String(pair.key.value ?? '') : '';
    if (!key.trim() || (parent === contents && (key === 'apiVersion' || key === 'kind' || key === 'metadata'))) continue;
    const keyR = nodeRange(pair.key);
    if (!keyR) continue;
    const valR = nodeRange(pair.value);
    const end = trimEnd(doc.text, keyR[0], valR ? Math.max(valR[1], keyR[1]) : keyR[1]);
    const value = pair.value;
    let kind: SymbolKind = SymbolKind.Property;
    let detail: string | undefined;
    if (isMap(value)) kind = SymbolKind.Object;
    else if (isSeq(value)) {
      kind = SymbolKind.Array;
      detail = `${value.items.length} item${value.items.length === 1 ? '' : 's'}`;
    } else if (isScalar(value) && value.value !== null) detail = String(value.value);
    out.push({ name: key, kind, range: [keyR[0], Math.max(end, keyR[1])], selection: keyR, ...(detail !== undefined ? { detail } : {}) });
  }
  return out;
}

function getOutline(doc: YamlDocument, uri: string, registry: SchemaRegistry): Outline | undefined {
  const res = resolveKind(doc, uri, registry);
  const apiVersion = res.status === 'known' ? res.apiVersion : doc.apiVersion;
  const kind = res.status === 'known' ? res.kind : doc.kind;
  if (apiVersion === undefined || kind === undefined) return undefined;
  const contents = doc.doc.contents;
  const cr = nodeRange(contents);
  if (!cr) return undefined;
  const start = cr[0];
  const end = trimEnd(doc.text, start, cr[1]);
  const nameNode = findAtPath(contents, ['metadata', 'name']).node;
  const kindNode = findAtPath(contents, ['kind']).node;
  const selection = nodeRange(nameNode) ?? nodeRange(kindNode) ?? [start, Math.min(end, start + 1)];
  // Editors reject a symbol with a blank name (VS Code drops the whole outline), so `kind: |` gets a placeholder.
  const kindLabel = kind.trim() || '(no kind)';
  const label = doc.name?.trim() ? `${kindLabel} ${doc.namespace?.trim() ? `${doc.namespace}/` : ''}${doc.name}` : kindLabel;
  return { name: label, detail: apiVersion, kind: getSymbolKind(apiVersion, kind), range: [start, Math.max(end, selection[1])], selection, children: getSections(doc) };
}

function toSymbol(file: YamlFile, base: number, o: Outline): DocumentSymbol {
  const symbol: DocumentSymbol = {
    name: o.name,
    kind: o.kind,
    range: file.lines.rangeOf(base + o.range[0], base + o.range[1]),
    selectionRange: file.lines.rangeOf(base + o.selection[0], base + o.selection[1]),
  };
  if (o.detail !== undefined) symbol.detail = o.detail;
  if (o.children) symbol.children = o.children.map((c) => toSymbol(file, base, c));
  return symbol;
}

/** One symbol per object in the file, in file order. */
export function findDocumentSymbols(file: YamlFile, registry: SchemaRegistry): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const key = `symbols:${registry.generation}:${file.uri}`;
  for (const doc of file.docs) {
    let outline = doc.memo.get(key) as Outline | null | undefined;
    if (outline === undefined) {
      outline = getOutline(doc, file.uri, registry) ?? null;
      doc.memo.set(key, outline);
    }
    if (outline) out.push(toSymbol(file, doc.start, outline));
  }
  return out;
}
