/**
 * YAML sources of a kustomize build: files and inline strings (patches
 * written in a kustomization's block scalars), parsed into documents whose
 * nodes can be located as offsets in the file that holds them.
 */
import { parseDocument, isScalar, isPair, isCollection, type Scalar, type Document, type ParseOptions, type DocumentOptions, type SchemaOptions, type ScalarTag } from 'yaml';
import { YAML_OPTIONS, MAX_ALIAS_COUNT, duplicateKeyOffsets, sharedParse, parseAllQuietly, aliasesTooCostly } from '../yaml/documents.ts';
import { findAtPath, nodeRange } from '../yaml/nodes.ts';
import { collectionKeysTooCostly } from '../yaml/collection-keys.ts';
import type { FileSpan, KustomizeDiagnostic, PathSegment } from './types.ts';

/** Maps an offset in parsed text to an offset in `file`. */
export type OffsetMap = (offset: number) => number;

export interface SourceDoc {
  file: string;
  index: number;
  /** The parsed document; node ranges are offsets in the parsed text. */
  doc: Document.Parsed;
  value: unknown;
  map: OffsetMap;
  /** The parsed text (the file, or the inline string). */
  text: string;
  /**
   * Known without composing `doc` (fast-piece.ts; `doc` is then composed on
   * first use): the root node's range and the document's, in the parsed text.
   */
  ranges?: { root: [number, number]; doc: [number, number] };
}

export interface ParsedSource {
  docs: SourceDoc[];
  diagnostics: KustomizeDiagnostic[];
  /** How many documents the text holds, empty and broken ones included (indexes of later text follow it). */
  count?: number;
}

function goTimestamp(m: RegExpExecArray): string {
  const [, y, mo, d, h, mi, sec, , zone] = m;
  const p2 = (x: string | undefined) => (x ?? '0').padStart(2, '0');
  let out = `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(sec?.split('.')[0])}`;
  const frac = sec?.includes('.') ? sec.split('.')[1].replace(/0+$/, '') : '';
  if (frac) out += `.${frac}`;
  if (!zone || zone === 'Z') return `${out}Z`;
  const zm = /^([-+])([0-9]{1,2})(?::?([0-9]{2}))?$/.exec(zone);
  if (!zm || (Number(zm[2]) === 0 && Number(zm[3] ?? 0) === 0)) return `${out}Z`;
  return `${out}${zm[1]}${p2(zm[2])}:${p2(zm[3])}`;
}

const TIMESTAMP_RE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/;

const KUSTOMIZE_TAGS: ScalarTag[] = [
  { tag: 'tag:yaml.org,2002:bool', default: true, test: /^(?:true|True|TRUE)$/, resolve: () => true, identify: (v) => v === true },
  { tag: 'tag:yaml.org,2002:bool', default: true, test: /^(?:false|False|FALSE)$/, resolve: () => false, identify: (v) => v === false },
  { tag: 'tag:yaml.org,2002:timestamp', default: true, test: TIMESTAMP_RE, resolve: (s) => goTimestamp(TIMESTAMP_RE.exec(s)!), identify: () => false },
];

/**
 * How kustomize reads resources and patches (kyaml, then a round trip
 * through JSON): booleans are only true/false, so `yes`, `on` and `y` stay
 * strings; `0755` is octal, `0x1F` hex, `1_000` a number; unquoted dates
 * become RFC 3339 timestamps ("2024-01-01T00:00:00Z"); `12:30` stays a
 * string. Checked against kustomize v5.6.
 */
export const KUSTOMIZE_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  ...YAML_OPTIONS,
  customTags: (tags) => [
    ...KUSTOMIZE_TAGS,
    ...tags.filter((t) => {
      if (typeof t === 'string') return t !== 'timestamp' && t !== 'intTime' && t !== 'floatTime';
      return t.tag !== 'tag:yaml.org,2002:bool' && (t as { format?: string }).format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp';
    }),
  ],
};

/** Plain scalars that YAML 1.1 (the editor's parse) and kustomize's reading resolve differently, or may. */
const SCHEMA_DEPENDENT = /^(?:[YyNn]|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

/**
 * True when a document composed with YAML_OPTIONS has the nodes and values
 * KUSTOMIZE_YAML_OPTIONS would give: the two differ only in booleans
 * (`yes`, `on`...) and timestamps, so a document without such plain
 * scalars and without explicit tags reads the same.
 */
function readsTheSameAsResource(doc: Document.Parsed): boolean {
  // A plain walk that stops at the first difference.
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (isPair(node)) {
      stack.push(node.key, node.value);
      continue;
    }
    if ((node as { tag?: string }).tag) return false;
    if (isScalar(node)) {
      if (node.type === 'PLAIN' && typeof node.source === 'string' && (SCHEMA_DEPENDENT.test(node.source) || TIMESTAMP_RE.test(node.source))) return false;
    } else if (isCollection(node)) for (const item of node.items) stack.push(item);
  }
  return true;
}

/**
 * Parses YAML text (a file, or an inline string mapped into its file by
 * `map`); empty documents are dropped. `schema: 'kustomization'` reads the
 * kustomization file itself the way kustomize does (YAML 1.1 scalars).
 */
export function parseSource(file: string, text: string, map: OffsetMap = (o) => o, schema: 'resource' | 'kustomization' = 'resource', preParsed?: Document.Parsed[]): ParsedSource {
  const docs: SourceDoc[] = [];
  const diagnostics: KustomizeDiagnostic[] = [];
  let parsed: Document.Parsed[];
  try {
    // `preParsed`: the library's parse of `text` under this schema's options, done in steps by the caller.
    if (preParsed) parsed = preParsed;
    else {
    // The editor's parse of the same text when it reads the same under this schema (a huge piece is parsed once per edit).
    // When the editor's parse threw, this one would too: the library's parser reads the text the same under both schemas.
      const editor = sharedParse(text);
      if (editor && 'threw' in editor) throw new Error(editor.threw);
      parsed = editor && (schema === 'kustomization' || editor.every(readsTheSameAsResource)) ? [...editor] : parseAllQuietly(text, schema === 'resource' ? KUSTOMIZE_YAML_OPTIONS : YAML_OPTIONS);
    }
  } catch (e) {
    diagnostics.push({ file, start: map(0), end: map(0), severity: 'error', code: 'kustomize-yaml', message: `YAML could not be parsed: ${e instanceof Error ? e.message : String(e)}` });
    return { docs, diagnostics };
  }
  parsed.forEach((doc, index) => {
    // kustomize stops at a document's first YAML error: one finding per broken document (the file's own
    // check lists every error; a fuzz-broken 2.5 MB kustomization.yaml gave 59,655 of them here).
    const e = doc.errors[0];
    if (e) {
      diagnostics.push({ file, start: map(e.pos[0]), end: map(Math.max(e.pos[1], e.pos[0] + 1)), severity: 'error', code: 'kustomize-yaml', message: `YAML error: ${e.message.split('\n')[0]}` });
      return;
    }
    const [dup] = duplicateKeyOffsets(doc);
    if (dup !== undefined) {
      diagnostics.push({ file, start: map(dup), end: map(dup + 1), severity: 'error', code: 'kustomize-yaml', message: 'YAML error: Map keys must be unique' });
      return;
    }
    const c = doc.contents;
    if (c === null || (isScalar(c) && (c as Scalar).value === null)) return;
    let value: unknown;
    const tooMany = aliasesTooCostly(doc, text) ?? collectionKeysTooCostly(doc, text);
    if (tooMany) {
      diagnostics.push({ file, start: map(doc.range[0]), end: map(doc.range[0] + 1), severity: 'error', code: 'kustomize-yaml', message: tooMany });
      return;
    }
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      diagnostics.push({ file, start: map(doc.range[0]), end: map(doc.range[1]), severity: 'error', code: 'kustomize-yaml', message: `YAML aliases could not be expanded: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (value === null || value === undefined) return;
    docs.push({ file, index, doc, value, map, text });
  });
  return { docs, diagnostics, count: parsed.length };
}

/** The span of the node at `path` in a document (the closest existing ancestor when it is missing). */
export function spanAt(d: SourceDoc, path: PathSegment[]): FileSpan {
  if (path.length === 0 && d.ranges) {
    const [start, end] = d.ranges.root;
    return { file: d.file, start: d.map(start), end: Math.max(d.map(start), d.map(end)) };
  }
  const found = findAtPath(d.doc.contents, path);
  let node: unknown = found.node;
  if (!node) {
    const parent = findAtPath(d.doc.contents, path.slice(0, found.depth));
    node = parent.pair?.key ?? parent.node ?? d.doc.contents;
  }
  const r = nodeRange(node) ?? [d.doc.range[0], d.doc.range[1]];
  return { file: d.file, start: d.map(r[0]), end: Math.max(d.map(r[0]), d.map(r[1])) };
}

/** The span of the key of the entry at `path` (for "unknown field" style messages), else the value. */
export function keySpanAt(d: SourceDoc, path: PathSegment[]): FileSpan {
  const found = findAtPath(d.doc.contents, path);
  const r = nodeRange(found.pair?.key);
  if (!r) return spanAt(d, path);
  return { file: d.file, start: d.map(r[0]), end: d.map(r[1]) };
}

/** The YAML node at `path` in a document, with its absolute offset in the parsed text. */
export function nodeAt(d: SourceDoc, path: PathSegment[]): { node: unknown; offset: number } | undefined {
  const found = findAtPath(d.doc.contents, path);
  if (!found.node) return undefined;
  const r = nodeRange(found.node);
  return { node: found.node, offset: r ? r[0] : 0 };
}

/**
 * For a string scalar written in `fileText`, a map from offsets in the
 * string's value to offsets in the file. Exact for block scalars (`|`, `>`
 * keeps lines too); other styles map every offset to the scalar's start.
 */
export function scalarOffsetMap(fileText: string, node: unknown, base: OffsetMap): OffsetMap {
  const r = nodeRange(node);
  if (!r || !isScalar(node)) return () => base(r ? r[0] : 0);
  const scalar = node as Scalar;
  const startAbs = r[0];
  if (scalar.type !== 'BLOCK_LITERAL' && scalar.type !== 'BLOCK_FOLDED') {
    const quoted = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
    const raw = fileText.slice(startAbs + quoted, r[1]);
    // Plain and quoted single-line scalars: offsets line up until the first escape or line break.
    return (o) => base(startAbs + quoted + Math.min(o, raw.length));
  }
  const header = fileText.indexOf('\n', startAbs);
  if (header < 0) return () => base(startAbs);
  // Content lines: from the line after the header to the end of the node.
  const lineStarts: number[] = [];
  for (let i = header + 1; i < r[1] && i < fileText.length; ) {
    lineStarts.push(i);
    const nl = fileText.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
  }
  let indent = 0;
  const explicit = /^[|>][+-]?([1-9])/.exec(fileText.slice(startAbs, header));
  if (explicit) indent = Number(explicit[1]);
  else {
    for (const ls of lineStarts) {
      const m = /^( *)(.?)/.exec(fileText.slice(ls, fileText.indexOf('\n', ls) < 0 ? undefined : fileText.indexOf('\n', ls)));
      if (m && m[2] && m[2] !== '\r') {
        indent = m[1].length;
        break;
      }
    }
  }
  const valueLineStarts: number[] = [];
  let acc = 0;
  for (const ls of lineStarts) {
    valueLineStarts.push(acc);
    const nl = fileText.indexOf('\n', ls);
    const len = (nl < 0 ? fileText.length : nl) - ls;
    acc += Math.max(0, len - indent) + 1;
  }
  return (o) => {
    let lo = 0;
    let hi = valueLineStarts.length - 1;
    if (hi < 0) return base(startAbs);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (valueLineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return base(lineStarts[lo] + indent + (o - valueLineStarts[lo]));
  };
}

/** True when `s` cannot be written as a plain YAML scalar and read back as the same string by kustomize. */
export function mustBeQuoted(s: string): boolean {
  if (s === '' || s !== s.trim() || /[\n\r\t]/.test(s)) return true;
  try {
    const d = parseDocument(s, KUSTOMIZE_YAML_OPTIONS);
    if (d.errors.length > 0 || !isScalar(d.contents)) return true;
    const sc = d.contents as Scalar;
    return sc.type !== 'PLAIN' || sc.value !== s;
  } catch {
    return true;
  }
}

/** The source text of the plain scalar at `path` in a document, if it is one. */
export function plainScalarText(d: SourceDoc, path: PathSegment[]): string | undefined {
  const found = findAtPath(d.doc.contents, path);
  const n = found.node;
  if (!isScalar(n) || (n as Scalar).type !== 'PLAIN') return undefined;
  return (n as Scalar).source ?? undefined;
}
