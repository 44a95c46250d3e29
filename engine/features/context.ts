/**
 * What the cursor is on while the user types, for completion and hover.
 *
 * Half-written YAML rarely parses into the shape the user means (a blank
 * line under `spec:` has no node at all, `  inter` is a plain scalar, not a
 * key), so the path to the cursor is read from the lines themselves: each
 * line is cut into "frames" (`- ` list items and `key:` entries with their
 * columns) and the parents are the nearest frames above that sit further
 * left. The AST is only consulted to stay out of block scalars.
 *
 * Also here: the small schema helpers both features share (type names,
 * required-ness, markdown for a field, YAML-safe scalar text).
 */
import { isScalar, parseDocument, type Scalar } from 'yaml';
import type { Position } from '../types.ts';
import type { YamlDocument, YamlFile } from '../yaml/documents.ts';
import { YAML_OPTIONS } from '../yaml/documents.ts';
import { findAtOffset, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import { resolveRef, schemaAtPath } from '../schemas/registry.ts';
import type { JsonSchema } from '../schemas/crd.ts';

// ---------------------------------------------------------------------------
// Documents

/** The document that holds `offset` (absolute), found by binary search over `file.docs`. */
export function findDocumentAt(file: YamlFile, offset: number): YamlDocument | undefined {
  const docs = file.docs;
  let lo = 0;
  let hi = docs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const doc = docs[found];
  if (doc.piecePart.count === 1) return doc;
  // A piece cut by `...` markers: pick the part whose own range holds the cursor.
  const rel = offset - doc.start;
  let best = docs[found - doc.piecePart.index];
  for (let i = found - doc.piecePart.index; i <= found; i++) {
    const r = docs[i].doc.range;
    if (r && r[0] <= rel) best = docs[i];
  }
  return best;
}

// ---------------------------------------------------------------------------
// Lines cut into frames

export interface LineFrame {
  /** Column of the `-` or of the key's first character. */
  col: number;
  type: 'key' | 'item';
  /** The key's text without quotes (for `key` frames). */
  key?: string;
  /** True when something other than a comment follows the key's colon on the same line. */
  hasValue?: boolean;
}

export interface LineFrames {
  frames: LineFrame[];
  /** Where reading stopped: the first character that is neither a `- ` marker nor a `key:`. */
  stop: number;
  /** For a trailing key frame: where its value starts (after the colon and spaces). */
  valueStart?: number;
}

const KEY_AT = /("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}[\],&*!|>%@`-][^#]*?|-[^\s#][^#]*?)[ \t]*:(?=[ \t]|$)/y;

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/** Cuts one line into its `- ` and `key:` frames, left to right. Comment lines and document markers have none. */
export function readFrames(line: string): LineFrames {
  const frames: LineFrame[] = [];
  let i = 0;
  while (i < line.length && line[i] === ' ') i++;
  if (line[i] === '#' || /^(---|\.\.\.)(\s|$)/.test(line)) return { frames, stop: i };
  let valueStart: number | undefined;
  for (;;) {
    if (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
      frames.push({ col: i, type: 'item' });
      i++;
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      continue;
    }
    KEY_AT.lastIndex = i;
    const m = KEY_AT.exec(line);
    if (!m) break;
    let j = i + m[0].length;
    while (j < line.length && (line[j] === ' ' || line[j] === '\t')) j++;
    const rest = line.slice(j);
    frames.push({ col: i, type: 'key', key: unquote(m[1]), hasValue: rest !== '' && !rest.startsWith('#') });
    valueStart = j;
    i = j;
    break;
  }
  return { frames, stop: i, valueStart: frames.at(-1)?.type === 'key' ? valueStart : undefined };
}

/**
 * The path of the collection that holds a frame at `target` (a key or a list
 * item at a column), found by walking the lines above. `leftOnLine` are the
 * frames to the left of the target on its own line. Keys met at the target's
 * own level are collected into `siblings`.
 */
export function findParentPath(
  lineAt: (line: number) => string,
  firstLine: number,
  line: number,
  leftOnLine: LineFrame[],
  target: { col: number; type: 'key' | 'item' },
  siblings?: Set<string>,
): PathSeg[] {
  const reversed: PathSeg[] = [];
  let col = target.col;
  let type = target.type;
  let slot = -1;
  let collecting = type === 'key';
  const visit = (f: LineFrame): boolean => {
    if (type === 'key') {
      if (f.col > col) return false;
      if (f.col === col) {
        if (f.type === 'key' && collecting && f.key !== undefined) siblings?.add(f.key);
        return false;
      }
      collecting = false;
      if (f.type === 'key') {
        reversed.push(f.key ?? '');
        col = f.col;
        return col === 0;
      }
      type = 'item';
      col = f.col;
      slot = reversed.length;
      reversed.push(0);
      return false;
    }
    // Looking for the sequence that holds an item at `col`.
    if (f.col > col) return false;
    if (f.type === 'item') {
      if (f.col === col) {
        (reversed[slot] as number)++;
        return false;
      }
      col = f.col;
      slot = reversed.length;
      reversed.push(0);
      return false;
    }
    reversed.push(f.key ?? '');
    type = 'key';
    col = f.col;
    return col === 0;
  };
  for (let i = leftOnLine.length - 1; i >= 0; i--) if (visit(leftOnLine[i])) return reversed.reverse();
  for (let l = line - 1; l >= firstLine; l--) {
    const text = lineAt(l);
    if (/^(---|\.\.\.)(\s|$)/.test(text)) break;
    const { frames } = readFrames(text);
    for (let i = frames.length - 1; i >= 0; i--) if (visit(frames[i])) return reversed.reverse();
  }
  // Ran out of lines: whatever was found is relative to the document root.
  return reversed.reverse();
}

/** Keys at column `col` below `line` that belong to the same map (stops at the first line further left). */
export function collectSiblingsBelow(lineAt: (line: number) => string, line: number, lastLine: number, col: number, out: Set<string>): void {
  for (let l = line + 1; l <= lastLine; l++) {
    const text = lineAt(l);
    if (/^(---|\.\.\.)(\s|$)/.test(text)) return;
    const { frames } = readFrames(text);
    if (frames.length === 0) {
      const indent = text.length - text.trimStart().length;
      if (text.trim() !== '' && !text.trimStart().startsWith('#') && indent < col) return;
      continue;
    }
    const first = frames[0];
    if (first.col < col) return;
    if (first.col === col && first.type === 'key' && first.key !== undefined) out.add(first.key);
  }
}

// ---------------------------------------------------------------------------
// The cursor while typing

export type TypingContext =
  | {
      mode: 'key';
      doc: YamlDocument | undefined;
      /** Path of the map the new key goes into. */
      path: PathSeg[];
      /** Column where the key starts. */
      col: number;
      /** The part of the key typed so far. */
      prefix: string;
      /** Absolute offsets of the text a completion replaces. */
      replace: [number, number];
      /** Keys already present in the same map. */
      siblings: Set<string>;
      /** The key is typed right after a `- ` marker (a new list item). */
      afterDash: boolean;
      /** A colon already follows the cursor: insert the bare key. */
      keyOnly: boolean;
    }
  | {
      mode: 'value';
      doc: YamlDocument | undefined;
      /** Path of the field whose value is typed. */
      path: PathSeg[];
      prefix: string;
      /** The quote the value was opened with, if any. */
      quote: string;
      replace: [number, number];
      /** The cursor sits right after the colon: the value needs a leading space. */
      needsSpace: boolean;
    }
  | { mode: 'none' };

function insideBlockScalar(doc: YamlDocument, rel: number, col: number, lineStartOf: (rel: number) => number): boolean {
  const at = findAtOffset(doc.doc.contents, rel);
  const node = at.node;
  if (!isScalar(node)) return false;
  const type = (node as Scalar).type;
  if (type !== 'BLOCK_LITERAL' && type !== 'BLOCK_FOLDED') return false;
  const r = nodeRange(node);
  if (!r || rel <= r[0] || rel > r[1]) return false;
  const keyR = at.pair ? nodeRange(at.pair.key) : undefined;
  const keyCol = keyR ? keyR[0] - lineStartOf(keyR[0]) : -1;
  return col > keyCol;
}

/** Works out what is being typed at `position`: a key (and into which map) or a value (of which field). */
export function getTypingContext(file: YamlFile, position: Position): TypingContext {
  const offset = file.lines.offsetAt(position);
  const doc = findDocumentAt(file, offset);
  const lineNo = file.lines.positionAt(offset).line;
  const lineText = file.lines.lineText(lineNo);
  const character = offset - file.lines.lineStarts[lineNo];
  const before = lineText.slice(0, character);
  const after = lineText.slice(character);
  if (/^(---|\.\.\.)(\s|$)/.test(lineText)) return { mode: 'none' };
  if (/(^|\s)#/.test(before)) return { mode: 'none' };
  const lineStart = file.lines.lineStarts[lineNo];
  const lineAt = (l: number): string => file.lines.lineText(l);
  const firstLine = doc ? file.lines.positionAt(doc.start).line : 0;
  const lastLine = doc ? file.lines.positionAt(Math.max(doc.start, doc.end - 1)).line : file.lines.lineCount - 1;
  const cut = readFrames(before);
  if (doc) {
    const startOfLine = (rel: number): number => file.lines.lineStarts[file.lines.positionAt(rel + doc.start).line] - doc.start;
    if (insideBlockScalar(doc, offset - doc.start, cut.stop, startOfLine)) return { mode: 'none' };
  }
  const last = cut.frames.at(-1);

  if (last?.type === 'key' && cut.valueStart !== undefined) {
    const typed = before.slice(cut.valueStart);
    if (/^["'{[|>&*!]/.test(typed) && !/^["']/.test(typed)) return { mode: 'none' };
    const path = [...findParentPath(lineAt, firstLine, lineNo, cut.frames.slice(0, -1), last), last.key ?? ''];
    const tail = /^[^#]*?(?=\s+#|\s*$)/.exec(after)?.[0] ?? '';
    return {
      mode: 'value',
      doc,
      path,
      prefix: typed.replace(/^["']/, ''),
      quote: /^["']/.exec(typed)?.[0] ?? '',
      replace: [lineStart + cut.valueStart, lineStart + character + tail.length],
      needsSpace: cut.valueStart === character && !/[ \t]$/.test(before),
    };
  }
  if (last?.type === 'item' && !/[ \t]$/.test(before.slice(0, cut.stop))) return { mode: 'none' };
  const typed = before.slice(cut.stop);
  if (!/^([^\s#:'"{}[\],&*!|>%@`][^:#]*)?$/.test(typed)) return { mode: 'none' };
  const col = cut.stop;
  const siblings = new Set<string>();
  const path = findParentPath(lineAt, firstLine, lineNo, cut.frames, { col, type: 'key' }, siblings);
  collectSiblingsBelow(lineAt, lineNo, lastLine, col, siblings);
  const word = /^[^\s:#]*/.exec(after)?.[0] ?? '';
  const keyOnly = /^[^\s:#]*[ \t]*:(\s|$)/.test(after);
  return {
    mode: 'key',
    doc,
    path,
    col,
    prefix: typed,
    replace: [lineStart + col, offset + word.length],
    siblings,
    afterDash: last?.type === 'item',
    keyOnly,
  };
}

// ---------------------------------------------------------------------------
// Schema helpers shared by completion and hover

export function isOpen(node: JsonSchema | undefined): boolean {
  return !!node && node['x-kubernetes-preserve-unknown-fields'] === true && !node.properties;
}

function typesOf(node: JsonSchema): string[] {
  const t = node.type;
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string' && x !== 'null');
  return typeof t === 'string' ? [t] : [];
}

function isIntOrString(node: JsonSchema): boolean {
  if (node['x-kubernetes-int-or-string'] === true) return true;
  const any = node.anyOf as JsonSchema[] | undefined;
  if (!Array.isArray(any) || any.length !== 2) return false;
  const names = any.map((s) => s.type).sort();
  return names[0] === 'integer' && names[1] === 'string';
}

/** A readable type name: `string`, `int-or-string`, `map of string`, `list of object`, … */
export function describeType(root: JsonSchema, node: JsonSchema | undefined, depth = 0): string {
  const n = resolveRef(root, node);
  if (!n) return 'any';
  if (isIntOrString(n)) return 'int-or-string';
  const types = typesOf(n);
  if (types.includes('array') || (types.length === 0 && n.items)) {
    return depth > 3 ? 'list' : `list of ${describeType(root, n.items as JsonSchema | undefined, depth + 1)}`;
  }
  if (types.includes('object') || n.properties || n.additionalProperties || n['x-kubernetes-preserve-unknown-fields']) {
    if (n.properties) return 'object';
    const extra = n.additionalProperties;
    if (extra && typeof extra === 'object') return depth > 3 ? 'map' : `map of ${describeType(root, extra as JsonSchema, depth + 1)}`;
    if (n['x-kubernetes-preserve-unknown-fields']) return 'object (any fields)';
    return 'object';
  }
  if (types.length) return types.join(' or ');
  return 'any';
}

export type FieldShape = 'object' | 'list' | 'scalar';

/** How a field is written in YAML: a nested block, a `- ` list, or a value on the key's line. */
export function getFieldShape(root: JsonSchema, node: JsonSchema | undefined): FieldShape {
  const n = resolveRef(root, node);
  if (!n) return 'scalar';
  const types = typesOf(n);
  if (types.includes('array') || (types.length === 0 && n.items)) return 'list';
  if (types.includes('object') || n.properties || (n.additionalProperties && typeof n.additionalProperties === 'object') || n['x-kubernetes-preserve-unknown-fields']) return 'object';
  return 'scalar';
}

/** True when the field at `path` is listed in its parent's `required`. */
export function isRequiredAt(root: JsonSchema, path: PathSeg[]): boolean {
  const last = path.at(-1);
  if (typeof last !== 'string') return false;
  const parent = schemaAtPath(root, path.slice(0, -1));
  const req = parent?.required;
  return Array.isArray(req) && req.includes(last);
}

/** The schema's description, with a trailing "Default: `x`." sentence (added by the generator) split off. */
export function splitDescription(node: JsonSchema | undefined): { text: string; defaultNote?: string } {
  const d = typeof node?.description === 'string' ? node.description.trim() : '';
  const m = /\s*(Default: `[^`]*`\.?)\s*$/.exec(d);
  return m ? { text: d.slice(0, m.index).trim(), defaultNote: m[1] } : { text: d };
}

/** Renders a scalar as YAML source text that reads back as the same value (quoting when needed). */
export function toYamlScalar(value: unknown): string | undefined {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  if (value !== '' && !/^\s|\s$|[\n\r\t]/.test(value)) {
    try {
      const d = parseDocument(value, YAML_OPTIONS);
      if (d.errors.length === 0 && d.toJS() === value) return value;
    } catch {
      // fall through to quoting
    }
  }
  return JSON.stringify(value);
}

/** Markdown shown for a field in completion documentation and hover. */
export function getFieldMarkdown(root: JsonSchema, node: JsonSchema | undefined, options: { required?: boolean } = {}): string {
  const n = resolveRef(root, node);
  const parts: string[] = [];
  const { text, defaultNote } = splitDescription(n);
  if (text) parts.push(text);
  const enumValues = Array.isArray(n?.enum) ? (n.enum as unknown[]) : undefined;
  if (enumValues?.length) parts.push(`Allowed values: ${enumValues.map((v) => `\`${String(v)}\``).join(', ')}.`);
  if (n && n.default !== undefined) {
    const shown = typeof n.default === 'object' ? JSON.stringify(n.default) : String(n.default);
    parts.push(`Default: \`${shown}\`.`);
  } else if (defaultNote) parts.push(defaultNote);
  if (options.required) parts.push('Required.');
  return parts.join('\n\n');
}

/** The text a key completion inserts: the key alone on an existing `key:` line, else with a place for its value. */
export function keyInsertText(name: string, shape: 'object' | 'list' | 'scalar' | string, ctx: { keyOnly: boolean; col: number }): string {
  if (ctx.keyOnly) return name;
  const inner = ' '.repeat(ctx.col + 2);
  if (shape === 'object') return `${name}:\n${inner}$0`;
  if (shape === 'list') return `${name}:\n${inner}- $0`;
  return `${name}: $0`;
}
