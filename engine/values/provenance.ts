/**
 * Flat, per-leaf views of effective values: which layer set each value, and
 * masking of values that came from Secrets.
 *
 * Paths: keys joined with `.`, list items as `[i]`. A key is written bare
 * unless it is empty or contains `.`, `[`, `]`, `"`, `\` or whitespace; such
 * keys are written as `["key"]` with JSON string escaping, e.g.
 * `podAnnotations["prometheus.io/scrape"]` or `["a.b"].c`. `parseValuePath`
 * reads the same notation back. Empty maps and lists are leaves of their own.
 */
import { Leaf, isMap, sourceOfContainer, setPlainKey, type Node, type PlainValue, type Scalar, type ValueSource } from './tree.ts';

export interface ValueLeaf {
  /** Display path, e.g. `image.tag`, `args[0]`, `annotations["a.b/c"]`. */
  path: string;
  /** The same path as keys and list indexes. */
  segments: (string | number)[];
  value: Scalar | [] | Record<string, never>;
  /** The layer that set the value; undefined for what Helm adds itself (null list slots, empty `global`/subchart maps). */
  source?: ValueSource;
}

export const SECRET_MASK = '••••••••';

function bareKey(k: string): boolean {
  return k.length > 0 && !/[.[\]"\\\s]/.test(k);
}

/** Formats path segments in the notation described above. */
export function formatValuePath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (bareKey(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Parses a path written by `formatValuePath`; undefined when malformed. */
export function parseValuePath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      if (path[i + 1] === '"') {
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') return undefined;
        try {
          out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        } catch {
          return undefined;
        }
        i = j + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(path.slice(i));
        if (!m) return undefined;
        out.push(Number(m[1]));
        i += m[0].length;
      }
    } else {
      if (c === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const m = /^[^.[\]"\\\s]+/.exec(path.slice(i));
      if (!m) return undefined;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

/** Every leaf of a values tree with its source, keys sorted like Helm's output; `prefix` is prepended to paths. */
export function flattenValues(tree: Node, prefix: readonly (string | number)[] = []): ValueLeaf[] {
  const out: ValueLeaf[] = [];
  const walk = (n: Node, segs: (string | number)[]): void => {
    if (Array.isArray(n)) {
      if (n.length === 0) {
        if (segs.length) out.push({ path: formatValuePath(segs), segments: segs, value: [], source: sourceOfContainer(n) });
        return;
      }
      n.forEach((item, i) => walk(item, [...segs, i]));
      return;
    }
    if (isMap(n)) {
      const keys = Object.keys(n).sort();
      if (keys.length === 0) {
        if (segs.length) out.push({ path: formatValuePath(segs), segments: segs, value: {}, source: sourceOfContainer(n) });
        return;
      }
      for (const k of keys) walk(n[k], [...segs, k]);
      return;
    }
    const leaf = n instanceof Leaf ? n : undefined;
    out.push({ path: formatValuePath(segs), segments: segs, value: leaf ? leaf.value : null, source: leaf?.source });
  };
  walk(tree, [...prefix]);
  return out;
}

export function isSecretSource(s: ValueSource | undefined): boolean {
  return !!s && s.kind === 'values-from' && s.secret;
}

/** Replaces values that came from a Secret with a mask, unless `reveal` is set. */
export function maskSecretLeaves(leaves: readonly ValueLeaf[], options: { reveal?: boolean; mask?: string } = {}): ValueLeaf[] {
  if (options.reveal) return leaves.slice();
  const mask = options.mask ?? SECRET_MASK;
  return leaves.map((l) => (isSecretSource(l.source) ? { ...l, value: mask } : l));
}

/** Plain values with Secret-sourced scalars replaced by a mask, unless `reveal` is set. */
export function toPlainMasked(n: Node | undefined, options: { reveal?: boolean; mask?: string } = {}): PlainValue {
  const mask = options.mask ?? SECRET_MASK;
  const walk = (x: Node | undefined): PlainValue => {
    if (x === undefined || x === null) return null;
    if (x instanceof Leaf) return !options.reveal && isSecretSource(x.source) ? mask : x.value;
    if (Array.isArray(x)) return x.map(walk);
    const out: Record<string, PlainValue> = {};
    for (const k of Object.keys(x).sort()) setPlainKey(out, k, walk(x[k]));
    return out;
  };
  return walk(n);
}

/** Short human text for a source, for hovers and CLI tables. */
export function describeSource(s: ValueSource | undefined): string {
  if (!s) return 'added by Helm (a null list slot or an empty global/subchart map)';
  switch (s.kind) {
    case 'chart-default':
      return `chart default (${s.chart})`;
    case 'values-file':
      return `values file ${s.file}`;
    case 'values-from':
      return `valuesFrom[${s.index}] ${s.sourceKind}/${s.name} key ${s.key}`;
    case 'inline':
      return 'spec.values';
  }
}

/**
 * The value at a path of a values tree (for hovers): its plain value and the
 * leaves at or under it with their sources; `found: false` when absent.
 */
export function lookupValue(tree: Node, segments: readonly (string | number)[]): { found: false } | { found: true; value: PlainValue; leaves: ValueLeaf[] } {
  let cur: Node = tree;
  for (const s of segments) {
    if (typeof s === 'number') {
      if (!Array.isArray(cur) || s < 0 || s >= cur.length) return { found: false };
      cur = cur[s];
    } else {
      if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, s)) return { found: false };
      cur = cur[s];
    }
  }
  const leaves = flattenValues(cur, segments);
  return { found: true, value: toPlainMasked(cur, { reveal: true }), leaves };
}
