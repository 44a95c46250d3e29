/**
 * Navigation across files: go to definition (from a reference to the
 * object or file it names), find references (every place that names an
 * object), rename of `metadata.name` together with its references, and
 * workspace symbols. Works on the workspace index and the reference cache.
 */
import type { Location, Position, WorkspaceEdit, TextEdit, Range } from '../types.ts';
import { SymbolKind } from '../types.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';
import { resolveObjectReference, referenceAt, type ObjectReference } from '../workspace/references.ts';
import { pathToUri } from '../util/uri.ts';

function rangeIn(ws: Workspace, file: string, start: number, end: number): Range | undefined {
  return ws.lines(file)?.rangeOf(start, end);
}

function objectLocation(ws: Workspace, o: IndexedObject): Location | undefined {
  const start = o.nameOffset ?? o.start;
  const end = o.nameOffset !== undefined ? o.nameOffset + o.name.length : o.start;
  const range = rangeIn(ws, o.file, start, end);
  return range ? { uri: pathToUri(o.file), range } : undefined;
}

function offsetIn(ws: Workspace, file: string, position: Position): number | undefined {
  return ws.lines(file)?.offsetAt(position);
}

/** The object whose metadata.name is under the cursor. */
function declarationAt(ws: Workspace, file: string, offset: number): IndexedObject | undefined {
  return ws.index.objectsIn(file).find((o) => o.nameOffset !== undefined && offset >= o.nameOffset && offset <= o.nameOffset + o.name.length);
}

/** The object the cursor designates: a declaration, or the target of a reference. */
function targetAt(ws: Workspace, file: string, position: Position): IndexedObject | undefined {
  const offset = offsetIn(ws, file, position);
  if (offset === undefined) return undefined;
  const decl = declarationAt(ws, file, offset);
  if (decl) return decl;
  const ref = referenceAt(ws.refs.refsOfFile(file), offset);
  return ref?.type === 'object' ? resolveObjectReference(ws.index, ref)[0] : undefined;
}

export function findDefinition(ws: Workspace, file: string, position: Position): Location[] {
  const offset = offsetIn(ws, file, position);
  if (offset === undefined) return [];
  const ref = referenceAt(ws.refs.refsOfFile(file), offset);
  if (!ref) return [];
  if (ref.type === 'path') {
    const isDir = ws.index.fileText(ref.target) === undefined;
    const target = isDir ? ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => `${ref.target}/${n}`).find((p) => ws.index.fileText(p) !== undefined) : ref.target;
    return target ? [{ uri: pathToUri(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
  }
  return resolveObjectReference(ws.index, ref).map((o) => objectLocation(ws, o)).filter((l): l is Location => l !== undefined);
}

function referencesTo(ws: Workspace, target: IndexedObject): ObjectReference[] {
  return ws.refs.all().filter((r): r is ObjectReference => r.type === 'object' && resolveObjectReference(ws.index, r).includes(target));
}

export function findReferences(ws: Workspace, file: string, position: Position, includeDeclaration: boolean): Location[] {
  const target = targetAt(ws, file, position);
  if (!target) return [];
  const out: Location[] = [];
  if (includeDeclaration) {
    const decl = objectLocation(ws, target);
    if (decl) out.push(decl);
  }
  for (const r of referencesTo(ws, target)) {
    const range = rangeIn(ws, r.from.file, r.start, r.end);
    if (range) out.push({ uri: pathToUri(r.from.file), range });
  }
  return out;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export type RenameResult = { edit: WorkspaceEdit } | { error: string };

export function prepareRename(ws: Workspace, file: string, position: Position): { range: Range; placeholder: string } | undefined {
  const offset = offsetIn(ws, file, position);
  if (offset === undefined) return undefined;
  const decl = declarationAt(ws, file, offset);
  if (decl?.nameOffset !== undefined) {
    const range = rangeIn(ws, file, decl.nameOffset, decl.nameOffset + decl.name.length);
    return range ? { range, placeholder: decl.name } : undefined;
  }
  const ref = referenceAt(ws.refs.refsOfFile(file), offset);
  if (ref?.type !== 'object' || ref.role === 'imagePolicyMarker' || resolveObjectReference(ws.index, ref).length === 0) return undefined;
  const range = rangeIn(ws, file, ref.start, ref.end);
  return range ? { range, placeholder: ref.name } : undefined;
}

export function doRename(ws: Workspace, file: string, position: Position, newName: string): RenameResult {
  const target = targetAt(ws, file, position);
  if (!target || target.nameOffset === undefined) return { error: 'Put the cursor on an object name (metadata.name) or on a reference to one.' };
  if (!DNS_SUBDOMAIN.test(newName) || newName.length > 253) return { error: `\`${newName}\` is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.'` };
  const changes: Record<string, TextEdit[]> = {};
  const add = (f: string, start: number, end: number) => {
    const range = rangeIn(ws, f, start, end);
    if (!range) return;
    (changes[pathToUri(f)] ??= []).push({ range, newText: newName });
  };
  add(target.file, target.nameOffset, target.nameOffset + target.name.length);
  for (const r of referencesTo(ws, target)) {
    if (r.role === 'imagePolicyMarker') {
      // Keep the "namespace:" prefix and any ":tag" suffix of the marker.
      const text = ws.index.fileText(r.from.file) ?? '';
      const marker = text.slice(r.start, r.end);
      const colon = marker.indexOf(':');
      const nameEnd = marker.indexOf(':', colon + 1);
      add(r.from.file, r.start + colon + 1, nameEnd < 0 ? r.end : r.start + nameEnd);
    } else add(r.from.file, r.start, r.end);
  }
  return { edit: { changes } };
}

const SYMBOL_KIND: Record<string, SymbolKind> = {
  HelmRelease: SymbolKind.Class,
  Kustomization: SymbolKind.Module,
  HelmRepository: SymbolKind.Package,
  OCIRepository: SymbolKind.Package,
  GitRepository: SymbolKind.Package,
  Bucket: SymbolKind.Package,
  HelmChart: SymbolKind.Package,
  ConfigMap: SymbolKind.Object,
  Secret: SymbolKind.Key,
  Namespace: SymbolKind.Namespace,
};

export interface WorkspaceSymbol {
  name: string;
  kind: SymbolKind;
  containerName?: string;
  location: Location;
}

export function findWorkspaceSymbols(ws: Workspace, query: string, limit = 500): WorkspaceSymbol[] {
  const q = query.toLowerCase();
  const out: WorkspaceSymbol[] = [];
  for (const o of ws.index.allObjects()) {
    if (!o.name) continue;
    const label = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    if (q && !label.toLowerCase().includes(q)) continue;
    const location = objectLocation(ws, o);
    if (!location) continue;
    out.push({ name: label, kind: SYMBOL_KIND[o.kind] ?? SymbolKind.Object, containerName: o.apiVersion, location });
    if (out.length >= limit) break;
  }
  return out;
}
