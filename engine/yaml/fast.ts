/**
 * A quick reader for the plain block YAML most Kubernetes documents are
 * written in: block mappings and sequences (also `- key: value` items and
 * sequences written at their key's indentation), one-line plain, single- and
 * double-quoted scalars (double-quoted without escapes), literal block
 * scalars (`|`, `|-`), `[]`, `{}` and comments. It gives the document's plain value, the same value the `yaml`
 * library's composed document gives through toJS, without building nodes.
 *
 * Anything else (anchors, aliases, tags, folded and kept block scalars, flow collections,
 * multi-line scalars, merge keys, keys that are not strings, duplicate keys,
 * tabs, CR line breaks, directives, `...`, anything it is not sure is valid)
 * makes it answer `undefined`, and the caller parses the document with the
 * library as before. So an answer from here always means: the library parses
 * this text as one document without errors or duplicate keys, and its value
 * is this one (test/engine/yaml-fast.test.ts checks that on every YAML file
 * of the fixtures, examples and fleets, and on generated documents).
 *
 * Scalars are resolved by the library's own tags for the schema the parse
 * uses (YAML 1.1 as Kubernetes reads it: see YAML_SCALAR_SCHEMA), in the
 * order the library tries them.
 */
import { Document, isScalar, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  collection?: string;
  resolve(value: string, onError: (msg: string) => void, options: unknown): unknown;
}

interface Line {
  indent: number;
  /** The line from its first non-space character. */
  rest: string;
  /** Offset of the line's end (its line break, or the end of the text). */
  end: number;
}

/** Thrown inside the reader when the text is outside what it reads; caught in fastParse. */
const OUT = Symbol('outside the fast subset');

type Options = ParseOptions & DocumentOptions & SchemaOptions;

export interface FastReader {
  /**
   * The document's plain value, or undefined when the library must parse it.
   * With `ranges`, also the source range of every one-line scalar value
   * (keyed by JSON.stringify of its path), the range the library's node has.
   */
  read(text: string, ranges?: Map<string, [number, number]>): { value: unknown } | undefined;
}

/** Characters a plain scalar (key or value) may not start with here (some are legal YAML; those go to the library). */
const BAD_START = new Uint8Array(128);
for (const c of '-?:,[]{}#&*!|>\'"%@`') BAD_START[c.charCodeAt(0)] = 1;
const badStart = (s: string): boolean => {
  const c = s.charCodeAt(0);
  return c < 128 && BAD_START[c] === 1;
};

/** The library refuses implicit keys longer than 1024 characters; stay well below. */
const MAX_KEY = 1000;

function out(): never {
  throw OUT;
}

/** Content lines (not blank, not comment-only) of a document's text; undefined outside the subset. */
function contentLines(text: string): Line[] | undefined {
  if (text.includes('\t') || text.includes('\r')) return undefined;
  const lines: Line[] = [];
  let first = true;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let at = start;
    while (at < end && text.charCodeAt(at) === 32) at++;
    const indent = at - start;
    start = end + 1;
    if (at === end) {
      if (end === text.length) break;
      continue;
    }
    const c = text.charCodeAt(at);
    if (c === 35 /* # */) {
      first = false;
      continue;
    }
    const rest = text.slice(at, end);
    if (indent === 0 && (c === 45 /* - */ || c === 46 /* . */ || c === 37) /* % */ && (rest.startsWith('---') || rest.startsWith('...') || c === 37)) {
      // Only a bare `---` (optionally with a comment) starting the document.
      if (!first || !/^---(?: +(?:#.*)?)?$/.test(rest)) return undefined;
      first = false;
      continue;
    }
    first = false;
    lines.push({ indent, rest, end });
    if (end === text.length) break;
  }
  return lines;
}

/** Only spaces count as white space here (JavaScript's trim also removes no-break spaces, which YAML keeps). */
function trimStart(s: string): string {
  let i = 0;
  while (s.charCodeAt(i) === 32) i++;
  return i === 0 ? s : s.slice(i);
}

function trimEnd(s: string): string {
  let i = s.length;
  while (i > 0 && s.charCodeAt(i - 1) === 32) i--;
  return i === s.length ? s : s.slice(0, i);
}

/** Where a trailing comment starts (` #`), or the length. */
function commentStart(s: string, from = 0): number {
  const i = s.indexOf(' #', from);
  return i < 0 ? s.length : i;
}

/** After a quoted scalar: nothing, or spaces and a comment. */
function onlyComment(s: string): boolean {
  const t = trimStart(s);
  return t === '' || (t[0] === '#' && t.length < s.length);
}

export function createFastReader(options: Options): FastReader {
  const schema = new Document(null, options).schema as unknown as { tags: ScalarTag[] };
  const tags = schema.tags;

  // Resolved plain values by their text (the same words repeat in every document); primitives only.
  const resolved = new Map<string, unknown>();

  function resolvePlain(source: string, atKey: boolean): unknown {
    if (!atKey) {
      const hit = resolved.get(source);
      if (hit !== undefined || resolved.has(source)) return hit;
      const value = resolveTagged(source, false);
      if (resolved.size > 20_000) resolved.clear();
      resolved.set(source, value);
      return value;
    }
    return resolveTagged(source, true);
  }

  function resolveTagged(source: string, atKey: boolean): unknown {
    const tag = tags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(source));
    if (atKey) {
      if (tag) out(); // a key that is not a string (a number, a boolean, null, the merge key)
      return source;
    }
    if (!tag) return source;
    let failed = false;
    const res = tag.resolve(source, () => (failed = true), options);
    if (failed) out();
    return isScalar(res) ? res.value : res;
  }

  /** A one-line quoted scalar at the start of `s`: its value and where it ends. */
  function quoted(s: string): { value: string; end: number } {
    const q = s[0];
    if (q === '"') {
      const close = s.indexOf('"', 1);
      if (close < 0) out();
      const value = s.slice(1, close);
      if (value.includes('\\')) out();
      return { value, end: close + 1 };
    }
    let value = '';
    let i = 1;
    for (;;) {
      const close = s.indexOf("'", i);
      if (close < 0) out();
      value += s.slice(i, close);
      if (s[close + 1] === "'") {
        value += "'";
        i = close + 2;
        continue;
      }
      return { value, end: close + 1 };
    }
  }

  /** Length of the scalar token inlineValue read last (-1 after `[]` or `{}`). */
  let tokenLength = -1;

  /** The value written after `key: ` or `- ` on one line. */
  function inlineValue(t: string): unknown {
    const c = t[0];
    if (c === '"' || c === "'") {
      const q = quoted(t);
      if (!onlyComment(t.slice(q.end))) out();
      tokenLength = q.end;
      return q.value;
    }
    tokenLength = -1;
    if (c === '[' || c === '{') {
      const body = trimEnd(t.slice(0, commentStart(t)));
      if (body === '[]') return [];
      if (body === '{}') return {};
      out();
    }
    if (badStart(t) && !(c === '-' && t.length > 1 && t[1] !== ' ')) out();
    const plain = trimEnd(t.slice(0, commentStart(t)));
    if (plain.includes(': ') || plain.endsWith(':') || plain.includes(' #')) out();
    tokenLength = plain.length;
    return resolvePlain(plain, false);
  }

  /** Splits `key: value` / `key:`; undefined when the line is not a mapping entry. */
  function keyOf(rest: string): { key: string; value: string } | undefined {
    const c = rest[0];
    if (c === '"' || c === "'") {
      const q = quoted(rest);
      if (rest[q.end] !== ':') return undefined;
      if (q.end > MAX_KEY) out();
      const after = rest.slice(q.end + 1);
      if (after !== '' && after[0] !== ' ') out();
      return { key: q.value, value: after };
    }
    const stop = commentStart(rest);
    let colon = rest.indexOf(': ');
    if (colon < 0 || colon > stop) {
      const head = trimEnd(rest.slice(0, stop));
      colon = head.endsWith(':') ? head.length - 1 : -1;
    }
    if (colon < 0) return undefined;
    const key = rest.slice(0, colon);
    if (colon > MAX_KEY || key === '' || badStart(key) || key.endsWith(' ') || key.includes(' #')) out();
    return { key: resolvePlain(key, true) as string, value: rest.slice(colon + 1) };
  }

  /**
   * A literal block scalar (`|` or `|-`) whose header ends at `from`: its
   * value and the offset where it ends. Indentation indicators, `|+`, folded
   * scalars, lines of only spaces deeper than the content and a block that
   * ends the text without a line break go to the library.
   */
  function literal(text: string, header: string, from: number, n: number): { value: string; end: number } {
    const m = /^\|(-?)(?: +(?:#.*)?)?$/.exec(header);
    if (!m) out();
    const parts: string[] = [];
    let indent = -1;
    let leadingSpaces = 0;
    let end = from;
    let at = from;
    while (at < text.length) {
      const start = at + 1; // past the line break
      if (start > text.length) break;
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = text.length;
      let c = start;
      while (c < lineEnd && text.charCodeAt(c) === 32) c++;
      const spaces = c - start;
      if (c === lineEnd) {
        // A line of spaces: an empty line of the block (or after it).
        if (indent >= 0 && spaces > indent) out();
        leadingSpaces = Math.max(leadingSpaces, indent < 0 ? spaces : 0);
        parts.push('');
        at = lineEnd;
        if (lineEnd === text.length) break;
        continue;
      }
      if (indent < 0) {
        if (spaces <= n || leadingSpaces > spaces) out(); // an empty block scalar, or leading lines deeper than the content
        indent = spaces;
      } else if (spaces < indent) break;
      parts.push(text.slice(start + indent, lineEnd));
      end = lineEnd;
      at = lineEnd;
      if (lineEnd === text.length) out(); // the text ends inside the block without a line break
    }
    if (indent < 0) out();
    // Trailing empty lines are not part of the value (clip keeps one line break, strip none).
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    return { value: parts.join('\n') + (m[1] === '-' ? '' : '\n'), end };
  }

  const isItem = (l: Line | undefined): boolean => !!l && l.rest[0] === '-' && (l.rest.length === 1 || l.rest[1] === ' ');

  function read(text: string, ranges?: Map<string, [number, number]>): { value: unknown } | undefined {
    const found = contentLines(text);
    if (!found || found.length === 0 || found[0].indent !== 0) return undefined;
    const lines: Line[] = found;
    let i = 0;

    /** A block node whose first line is lines[i], at that line's indentation. */
    const node = (): unknown => (isItem(lines[i]) ? seq(lines[i].indent) : map(lines[i].indent));

    // With `ranges`: the path of the node being read, and the range of each one-line scalar.
    const path: (string | number)[] = [];
    const scalar = (t: string, end: number): unknown => {
      const value = inlineValue(t);
      if (ranges && tokenLength >= 0) ranges.set(JSON.stringify(path), [end - t.length, end - t.length + tokenLength]);
      return value;
    };

    /** The value of an entry whose text after the indicator is empty: a nested block, an indentless sequence, or null. */
    const blockValue = (n: number, allowIndentless: boolean): unknown => {
      const next = lines[i];
      if (next && next.indent > n) return node();
      if (allowIndentless && next && next.indent === n && isItem(next)) return seq(n);
      return null;
    };

    /** A literal block scalar starting after lines[i - 1]; the content lines inside it are skipped. */
    const block = (header: string, from: number, n: number): string => {
      const b = literal(text, header, from, n);
      while (i < lines.length && lines[i].end <= b.end) i++;
      return b.value;
    };

    /** After a one-line value, a deeper line would continue it or be an error. */
    const endOfValue = (n: number): void => {
      if (lines[i] && lines[i].indent > n) out();
    };

    function map(n: number): Record<string, unknown> {
      const obj: Record<string, unknown> = {};
      while (i < lines.length) {
        const line = lines[i];
        if (line.indent < n || (line.indent === n && isItem(line))) break;
        if (line.indent > n) out();
        const entry = keyOf(line.rest);
        if (!entry) out();
        const key = entry.key;
        if (key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key)) out();
        i++;
        const v = entry.value;
        const t = trimStart(v);
        if (ranges) path.push(key);
        if (t === '' || t.charCodeAt(0) === 35 /* # */) {
          if (t !== '' && t.length === v.length) out();
          obj[key] = blockValue(n, true);
        } else {
          if (t.length === v.length) out();
          if (t.charCodeAt(0) === 124 /* | */) obj[key] = block(t, line.end, n);
          else {
            obj[key] = scalar(t, line.end);
            endOfValue(n);
          }
        }
        if (ranges) path.pop();
      }
      return obj;
    }

    function seq(n: number): unknown[] {
      const arr: unknown[] = [];
      while (i < lines.length) {
        const line = lines[i];
        if (line.indent < n) break;
        if (line.indent > n || !isItem(line)) {
          if (line.indent === n) break; // a key after an indentless sequence
          out();
        }
        if (ranges) path.push(arr.length);
        arr.push(item(line, n));
        if (ranges) path.pop();
      }
      return arr;
    }

    /** The value of the `- ` item on `line` (lines[i]) of a sequence at `n`. */
    function item(line: Line, n: number): unknown {
      const after = line.rest.slice(1);
      const content = trimStart(after);
      if (content === '' || content[0] === '#') {
        i++;
        return blockValue(n, false);
      }
      if (isItem({ indent: 0, rest: content, end: 0 })) out(); // `- - x`
      if (keyOf(content)) {
        // `- key: value`: a mapping at the column of its first key.
        lines[i] = { indent: n + 1 + (after.length - content.length), rest: content, end: line.end };
        return map(lines[i].indent);
      }
      i++;
      if (content.charCodeAt(0) === 124 /* | */) return block(content, line.end, n);
      const value = scalar(content, line.end);
      endOfValue(n);
      return value;
    }

    try {
      const value = node();
      if (i !== lines.length) return undefined;
      return { value };
    } catch (e) {
      if (e === OUT) return undefined;
      throw e;
    }
  }

  return { read };
}
