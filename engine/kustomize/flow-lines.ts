/**
 * One-line flow collections written as block YAML, so that the quick reader
 * (yaml/fast.ts, which takes only `[]` and `{}` in flow style) can read a
 * piece such as a HelmRelease with
 *
 *     securityContext:
 *       capabilities: { drop: ["ALL"] }
 *
 * as if it said `capabilities:` / `drop:` / `- "ALL"` on lines of their own.
 * Only simple flow is written out: a `key: ` line whose whole value is one
 * flow mapping or sequence closed on the same line, of quoted scalars
 * (without escapes or quotes inside), plain scalars made of letters, digits
 * and `_./@%+=~-` (and inner spaces), empty `[]`/`{}` and nested collections
 * of the same. Anything else (a comment after it, `: ` or `?` or an anchor
 * in an item, a collection over several lines, a trailing comma, a flow
 * value of a `- ` item) leaves the line as it is, and the reader refuses it
 * (so the library parses the piece as before). Lines inside block scalars
 * are left alone.
 */

type Flow = { seq: Flow[] } | { map: [string, Flow][] } | { scalar: string };

const PLAIN = /^[A-Za-z0-9_./@%+=~][A-Za-z0-9_./@%+=~ -]*$/;
const KEY_LINE = /^( *(?:- +)*)([A-Za-z0-9_./-][A-Za-z0-9_./ -]*|"[^"\\]*"): +([[{].*[\]}]) *$/;
/** A line that may start a block scalar (more lines than that: skipping too many only leaves them to the reader). */
const BLOCK = /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$/;

/** A flow collection or scalar at `s[at]`; the end is where parsing stopped. Undefined outside the simple subset. */
function parse(s: string, at: number): { node: Flow; end: number } | undefined {
  while (s[at] === ' ') at++;
  const c = s[at];
  if (c === '[' || c === '{') {
    const close = c === '[' ? ']' : '}';
    const items: Flow[] = [];
    const pairs: [string, Flow][] = [];
    let i = at + 1;
    while (s[i] === ' ') i++;
    if (s[i] === close) return { node: c === '[' ? { seq: items } : { map: pairs }, end: i + 1 };
    for (;;) {
      if (c === '{') {
        const key = scalarAt(s, i, true);
        if (!key || s[key.end] !== ':' || s[key.end + 1] !== ' ') return undefined;
        const value = parse(s, key.end + 2);
        if (!value) return undefined;
        pairs.push([key.text, value.node]);
        i = value.end;
      } else {
        const item = parse(s, i);
        if (!item) return undefined;
        items.push(item.node);
        i = item.end;
      }
      while (s[i] === ' ') i++;
      if (s[i] === close) return { node: c === '[' ? { seq: items } : { map: pairs }, end: i + 1 };
      if (s[i] !== ',') return undefined;
      i++;
      while (s[i] === ' ') i++;
      if (s[i] === close) return undefined; // a trailing comma
    }
  }
  const scalar = scalarAt(s, at, false);
  return scalar && { node: { scalar: scalar.text }, end: scalar.end };
}

/** A quoted or simple plain scalar at `s[at]` (its text as written), ending before `,`, `]`, `}` or (a key) `:`. */
function scalarAt(s: string, at: number, key: boolean): { text: string; end: number } | undefined {
  const q = s[at];
  if (q === '"' || q === "'") {
    const close = s.indexOf(q, at + 1);
    if (close < 0) return undefined;
    const body = s.slice(at + 1, close);
    if (q === '"' && body.includes('\\')) return undefined;
    if (s[close + 1] === q) return undefined; // '' inside a single-quoted scalar
    return { text: s.slice(at, close + 1), end: close + 1 };
  }
  let end = at;
  while (end < s.length && !',]}[{:#'.includes(s[end]!)) end++;
  const text = s.slice(at, end).trimEnd();
  if (!PLAIN.test(text)) return undefined;
  // A `:` ends only a key; in a value or an item it would make a pair.
  if (s[end] === ':' && !key) return undefined;
  if (s[end] === '#' || s[end] === '[' || s[end] === '{') return undefined;
  return { text, end };
}

function emit(node: Flow, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  if ('seq' in node) {
    for (const item of node.seq) {
      if ('scalar' in item) out.push(`${pad}- ${item.scalar}`);
      else if (isEmpty(item)) out.push(`${pad}- ${'seq' in item ? '[]' : '{}'}`);
      else {
        out.push(`${pad}-`);
        emit(item, indent + 2, out);
      }
    }
  } else if ('map' in node) {
    for (const [key, value] of node.map) {
      if ('scalar' in value) out.push(`${pad}${key}: ${value.scalar}`);
      else if (isEmpty(value)) out.push(`${pad}${key}: ${'seq' in value ? '[]' : '{}'}`);
      else {
        out.push(`${pad}${key}:`);
        emit(value, indent + 2, out);
      }
    }
  }
}

function isEmpty(node: Flow): boolean {
  return ('seq' in node && node.seq.length === 0) || ('map' in node && node.map.length === 0);
}

/** Indentation of the next line that is not blank or a comment (-1 at the end). */
function nextIndent(lines: string[], from: number): number {
  for (let j = from; j < lines.length; j++) {
    const t = lines[j]!.trimStart();
    if (t === '' || t[0] === '#') continue;
    return lines[j]!.length - t.length;
  }
  return -1;
}

/** The text with its simple one-line flow collections written as block YAML (the text itself when there are none). */
export function writeOutFlowLines(text: string): string {
  if (!text.includes('[') && !text.includes('{')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let changed = false;
  let blockAbove = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const trimmed = line.trimStart();
    const indent = line.length - trimmed.length;
    if (blockAbove >= 0) {
      if (trimmed === '' || indent > blockAbove) {
        out.push(line);
        continue;
      }
      blockAbove = -1;
    }
    const m = trimmed[0] === '#' ? null : KEY_LINE.exec(line);
    if (m) {
      const flow = parse(m[3]!, 0);
      const column = m[1]!.length;
      // A more indented line after a flow collection is an error in the text, but would fit under the block form.
      if (flow && flow.end === m[3]!.length && !isEmpty(flow.node) && nextIndent(lines, n + 1) <= column) {
        out.push(`${m[1]}${m[2]}:`);
        emit(flow.node, column + 2, out);
        changed = true;
        continue;
      }
    }
    if (BLOCK.test(trimmed)) blockAbove = indent;
    out.push(line);
  }
  return changed ? out.join('\n') : text;
}
