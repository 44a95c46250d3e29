/**
 * RFC 6902 JSON patches (add, remove, replace, move, copy, test) on plain
 * objects, with the error cases kustomize's patch library reports: a
 * missing parent or member, an index out of range, a failed test.
 */
import { isPlainMap, deepClone } from './resource.ts';
import type { PathSegment } from './types.ts';

export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
  /** Index of the operation in the patch. */
  index: number;
}

export interface JsonPatchChange {
  path: PathSegment[];
  op: 'set' | 'delete';
  /** Index of the operation that made the change. */
  opIndex: number;
}

/** Parses a JSON pointer into its reference tokens; undefined when malformed. */
export function parsePointer(p: string): string[] | undefined {
  if (p === '') return [];
  if (!p.startsWith('/')) return undefined;
  return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainMap(a) && isPlainMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

class PatchError extends Error {}

function arrayIndex(tok: string, len: number, forAdd: boolean): number {
  if (forAdd && tok === '-') return len;
  if (!/^(0|[1-9][0-9]*)$/.test(tok)) throw new PatchError(`invalid array index ${JSON.stringify(tok)}`);
  const i = Number(tok);
  if (i > len || (!forAdd && i === len)) throw new PatchError(`index ${i} out of range (length ${len})`);
  return i;
}

function resolveParent(doc: unknown, tokens: string[], path: string): { parent: unknown; last: string; at: PathSegment[] } {
  if (tokens.length === 0) throw new PatchError(`path ${JSON.stringify(path)} points at the whole object`);
  let cur = doc;
  const at: PathSegment[] = [];
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      at.push(i);
      cur = cur[i];
    } else if (isPlainMap(cur) && Object.prototype.hasOwnProperty.call(cur, t)) {
      at.push(t);
      cur = cur[t];
    } else throw new PatchError(`path ${JSON.stringify(path)} does not exist in the object`);
  }
  if (!Array.isArray(cur) && !isPlainMap(cur)) throw new PatchError(`path ${JSON.stringify(path)} does not exist in the object`);
  return { parent: cur, last: tokens[tokens.length - 1], at };
}

function getAt(doc: unknown, tokens: string[], path: string): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isPlainMap(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw new PatchError(`path ${JSON.stringify(path)} does not exist in the object`);
  }
  return cur;
}

function removeAt(doc: unknown, tokens: string[], path: string): { value: unknown; at: PathSegment[] } {
  const { parent, last, at } = resolveParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    return { value: parent.splice(i, 1)[0], at: [...at, i] };
  }
  const map = parent as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(map, last)) throw new PatchError(`path ${JSON.stringify(path)} does not exist in the object`);
  const value = map[last];
  delete map[last];
  return { value, at: [...at, last] };
}

function addAt(doc: unknown, tokens: string[], path: string, value: unknown, replace: boolean): PathSegment[] {
  const { parent, last, at } = resolveParent(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, !replace);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
    return [...at, i];
  }
  const map = parent as Record<string, unknown>;
  if (replace && !Object.prototype.hasOwnProperty.call(map, last)) throw new PatchError(`path ${JSON.stringify(path)} does not exist in the object`);
  map[last] = value;
  return [...at, last];
}

/** Reads the operations of a parsed patch; a message when it is not a list of operations. */
export function readJsonPatch(v: unknown): { ops: JsonPatchOp[] } | { error: string } {
  if (!Array.isArray(v)) return { error: 'a JSON 6902 patch must be a list of operations' };
  const ops: JsonPatchOp[] = [];
  for (const [index, e] of v.entries()) {
    if (!isPlainMap(e) || typeof e.op !== 'string') return { error: `operation ${index} has no \`op\`` };
    if (typeof e.path !== 'string') return { error: `operation ${index} has no \`path\`` };
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(e.op)) return { error: `operation ${index}: unknown op ${JSON.stringify(e.op)}` };
    ops.push({ op: e.op, path: e.path, from: typeof e.from === 'string' ? e.from : undefined, value: e.value, hasValue: Object.prototype.hasOwnProperty.call(e, 'value'), index });
  }
  return { ops };
}

/** Applies the operations to a copy of `target`; the first failing operation stops the patch. */
export function applyJsonPatch(target: Record<string, unknown>, ops: JsonPatchOp[]): { result?: Record<string, unknown>; changes: JsonPatchChange[]; error?: { opIndex: number; message: string } } {
  const doc = deepClone(target);
  const changes: JsonPatchChange[] = [];
  for (const op of ops) {
    try {
      const tokens = parsePointer(op.path);
      if (!tokens) throw new PatchError(`invalid JSON pointer ${JSON.stringify(op.path)}`);
      switch (op.op) {
        case 'add':
        case 'replace': {
          if (!op.hasValue) throw new PatchError(`\`${op.op}\` needs a value`);
          const at = addAt(doc, tokens, op.path, deepClone(op.value), op.op === 'replace');
          changes.push({ path: at, op: 'set', opIndex: op.index });
          break;
        }
        case 'remove': {
          const { at } = removeAt(doc, tokens, op.path);
          changes.push({ path: at, op: 'delete', opIndex: op.index });
          break;
        }
        case 'move':
        case 'copy': {
          const from = op.from === undefined ? undefined : parsePointer(op.from);
          if (!from) throw new PatchError(`\`${op.op}\` needs a valid \`from\``);
          let value: unknown;
          if (op.op === 'move') {
            const removed = removeAt(doc, from, op.from!);
            value = removed.value;
            changes.push({ path: removed.at, op: 'delete', opIndex: op.index });
          } else value = deepClone(getAt(doc, from, op.from!));
          const at = addAt(doc, tokens, op.path, value, false);
          changes.push({ path: at, op: 'set', opIndex: op.index });
          break;
        }
        case 'test': {
          const actual = getAt(doc, tokens, op.path);
          if (!deepEqual(actual, op.value)) throw new PatchError(`test failed: ${op.path} is ${JSON.stringify(actual)}, not ${JSON.stringify(op.value)}`);
          break;
        }
      }
    } catch (e) {
      if (e instanceof PatchError) return { changes, error: { opIndex: op.index, message: e.message } };
      throw e;
    }
  }
  return { result: doc, changes };
}
