/**
 * The value tree the values pipeline works on, and where each value came from.
 *
 * Helm and Flux manipulate `map[string]interface{}` trees in place and share
 * sub-maps between trees; several observable quirks depend on that sharing.
 * To reproduce them the pipeline works on mutable JavaScript objects with the
 * same reference semantics. Maps are null-prototype objects (so a key such as
 * `__proto__` is ordinary data). Every scalar is wrapped in a `Leaf` that
 * carries its provenance; maps and lists remember their origin in a WeakMap.
 * `toPlain` unwraps a tree into ordinary JSON-like data for callers.
 */

/** Which layer set a value. */
export type ValueSource =
  | { kind: 'chart-default'; chart: string }
  | { kind: 'values-file'; file: string }
  | {
      kind: 'values-from';
      index: number;
      sourceKind: 'ConfigMap' | 'Secret';
      name: string;
      key: string;
      secret: boolean;
    }
  | { kind: 'inline' };

export type Scalar = string | number | boolean | null;

/** Plain effective values as Helm sees them (what `toPlain` returns). */
export type PlainValue = Scalar | PlainValue[] | { [key: string]: PlainValue };

/** A scalar together with the layer that set it. */
export class Leaf {
  constructor(
    readonly value: Scalar,
    readonly source?: ValueSource,
  ) {}
}

/** A node of the internal tree. A bare `null` is an untyped nil (for example a list slot grown by `--set`). */
export type Node = Leaf | null | Node[] | NodeMap;
export interface NodeMap {
  [key: string]: Node;
}

const containerSource = new WeakMap<object, ValueSource>();

export function newMap(source?: ValueSource): NodeMap {
  const m = Object.create(null) as NodeMap;
  if (source) containerSource.set(m, source);
  return m;
}

export function newList(items: Node[], source?: ValueSource): Node[] {
  if (source) containerSource.set(items, source);
  return items;
}

/** The layer that created a map or list, when known. */
export function sourceOfContainer(x: object): ValueSource | undefined {
  return containerSource.get(x);
}

export function setContainerSource(x: object, source: ValueSource | undefined): void {
  if (source) containerSource.set(x, source);
}

export function isMap(x: unknown): x is NodeMap {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Leaf);
}

export function isList(x: unknown): x is Node[] {
  return Array.isArray(x);
}

/** Go's `v == nil` for a value read out of a map. */
export function isNil(x: Node | undefined): boolean {
  return x === null || (x instanceof Leaf && x.value === null);
}

export function has(m: NodeMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

/** Shallow copy of a map (Go `maps.Copy` into a fresh map). */
export function copyMapShallow(m: NodeMap): NodeMap {
  const out = newMap(sourceOfContainer(m));
  for (const k of Object.keys(m)) out[k] = m[k];
  return out;
}

/** Deep copy (Go copystructure.Copy): maps and lists are new, leaves are immutable and shared. */
export function deepCopy(n: Node): Node {
  if (Array.isArray(n)) {
    return newList(n.map(deepCopy), sourceOfContainer(n));
  }
  if (isMap(n)) {
    const out = newMap(sourceOfContainer(n));
    for (const k of Object.keys(n)) out[k] = deepCopy(n[k]);
    return out;
  }
  return n;
}

export function deepCopyMap(m: NodeMap): NodeMap {
  return deepCopy(m) as NodeMap;
}

/** Sets a key on a plain object safely (a `__proto__` key becomes an own property). */
export function setPlainKey(o: Record<string, PlainValue>, key: string, value: PlainValue): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

/** Unwraps an internal tree into plain data (ordinary objects with keys sorted like Helm's output, arrays and scalars). */
export function toPlain(n: Node | undefined): PlainValue {
  if (n === undefined || n === null) return null;
  if (n instanceof Leaf) return n.value;
  if (Array.isArray(n)) return n.map(toPlain);
  const out: Record<string, PlainValue> = {};
  for (const k of Object.keys(n).sort()) setPlainKey(out, k, toPlain(n[k]));
  return out;
}

/** Wraps plain data (for example parsed JSON of `spec.values`) into a tree whose leaves carry `source`. */
export function fromPlain(v: unknown, source?: ValueSource): Node {
  if (v === null || v === undefined) return new Leaf(null, source);
  if (Array.isArray(v)) return newList(v.map((x) => fromPlain(x, source)), source);
  if (typeof v === 'object') {
    const m = newMap(source);
    for (const k of Object.keys(v as object)) m[k] = fromPlain((v as Record<string, unknown>)[k], source);
    return m;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return new Leaf(v, source);
  if (typeof v === 'bigint') return new Leaf(Number(v), source);
  return new Leaf(String(v), source);
}

/** The node at a path of a values tree (keys and list indexes); undefined when absent. */
export function nodeAtPath(tree: Node, path: readonly (string | number)[]): Node | undefined {
  let cur: Node | undefined = tree;
  for (const seg of path) {
    if (typeof seg === 'number') cur = Array.isArray(cur) ? cur[seg] : undefined;
    else cur = isMap(cur) && Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}
