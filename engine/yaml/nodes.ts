/**
 * Navigation inside a parsed YAML document: from a JSON path to the node (and
 * the key that holds it), and from a cursor offset to the path under it.
 * Offsets are relative to the document's piece (see documents.ts).
 */
import { isMap, isSeq, isScalar, isPair, isAlias, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

export type PathSeg = string | number;

export interface Located {
  /** The value node at the path, when present. */
  node?: Node;
  /** The map entry whose value is `node` (its key gives the best range for "unknown field" and friends). */
  pair?: Pair;
  /** How many leading segments of the path exist in the document. */
  depth: number;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  if (k === null || k === undefined) return undefined;
  return typeof k === 'object' ? undefined : String(k);
}

/** Large maps get an index of their keys on first lookup (first pair per key), so finding every key of a 20,000-key map is not quadratic. */
const LARGE_MAP = 32;
const keyIndexes = new WeakMap<YAMLMap, { length: number; byKey: Map<string, number> }>();

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  const items = map.items as Pair[];
  if (items.length <= LARGE_MAP) {
    for (const item of items) if (keyText(item) === key) return item;
    return undefined;
  }
  let index = keyIndexes.get(map);
  if (!index || index.length !== items.length) {
    index = { length: items.length, byKey: new Map() };
    items.forEach((item, i) => {
      const k = keyText(item);
      if (k !== undefined && !index!.byKey.has(k)) index!.byKey.set(k, i);
    });
    keyIndexes.set(map, index);
  }
  const i = index.byKey.get(key);
  if (i === undefined) return undefined;
  const hit = items[i];
  if (hit && keyText(hit) === key) return hit;
  // The map was edited in place since the index was made: look the slow way and start over next time.
  keyIndexes.delete(map);
  for (const item of items) if (keyText(item) === key) return item;
  return undefined;
}

export function findAtPath(contents: unknown, path: PathSeg[]): Located {
  let current: unknown = contents;
  let pair: Pair | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isAlias(current)) break;
    if (typeof seg === 'string' && isMap(current)) {
      const p = findPair(current as YAMLMap, seg);
      if (!p) break;
      pair = p;
      current = p.value;
    } else if (typeof seg === 'number' && isSeq(current)) {
      const item = (current as YAMLSeq).items[seg];
      if (item === undefined) break;
      pair = undefined;
      current = item;
    } else break;
    depth++;
  }
  return { node: depth === path.length ? (current as Node | undefined) ?? undefined : undefined, pair: depth === path.length ? pair : undefined, depth };
}

/** [start, end) of a node's own text, or undefined for nodes without a source position. */
export function nodeRange(node: unknown): [number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/**
 * The best range to underline for a problem at `path`:
 * the key when `preferKey` (unknown or misplaced fields), otherwise the value;
 * falls back to the deepest existing ancestor's key.
 */
export function rangeForPath(contents: unknown, path: PathSeg[], preferKey = false): [number, number] {
  for (let n = path.length; n >= 0; n--) {
    const loc = findAtPath(contents, path.slice(0, n));
    if (n > 0 && loc.depth < n) continue;
    const keyR = loc.pair ? nodeRange(loc.pair.key) : undefined;
    const valR = nodeRange(loc.node);
    const useKey = keyR && (preferKey || n < path.length || !valR || isMap(loc.node) || isSeq(loc.node));
    const r = useKey ? keyR : valR;
    if (r) return r;
    if (n === 0) break;
  }
  return [0, 1];
}

export interface CursorContext {
  path: PathSeg[];
  node?: Node;
  pair?: Pair;
  /** The cursor is on a map key (or on a line where a key is being typed). */
  onKey: boolean;
}

/** Finds the innermost node under `offset`. */
export function findAtOffset(contents: unknown, offset: number): CursorContext {
  const path: PathSeg[] = [];
  let node: unknown = contents;
  let pair: Pair | undefined;
  for (;;) {
    if (isMap(node)) {
      let next: { seg: string; pair: Pair } | undefined;
      for (const item of (node as YAMLMap).items) {
        const kr = nodeRange(item.key);
        if (kr && offset >= kr[0] && offset <= kr[1]) return { path: [...path, keyText(item) ?? ''], node: (item.value as Node) ?? undefined, pair: item, onKey: true };
        const vr = nodeRange(item.value);
        if (vr && offset >= vr[0] && offset <= vr[1]) {
          next = { seg: keyText(item) ?? '', pair: item };
          break;
        }
      }
      if (!next) return { path, node: node as Node, pair, onKey: false };
      path.push(next.seg);
      pair = next.pair;
      node = next.pair.value;
      continue;
    }
    if (isSeq(node)) {
      const items = (node as YAMLSeq).items;
      let found = -1;
      for (let i = 0; i < items.length; i++) {
        const r = nodeRange(items[i]);
        if (r && offset >= r[0] && offset <= r[1]) {
          found = i;
          break;
        }
      }
      if (found < 0) return { path, node: node as Node, pair, onKey: false };
      path.push(found);
      pair = undefined;
      node = items[found];
      continue;
    }
    return { path, node: node as Node | undefined, pair, onKey: false };
  }
}

export { isMap, isSeq, isScalar, isPair };

/** Renders a path the way users read it: `spec.valuesFrom[0].name`. */
export function formatPath(path: PathSeg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
