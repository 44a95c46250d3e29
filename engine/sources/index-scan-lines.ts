/**
 * The line-level pieces of the Helm index scanner (index-scan.ts): finding
 * where a quoted scalar closes, reading a one-line scalar as Go's YAML would
 * give it to a string field, reading keys, and the `Bail` signal that makes
 * the scanner hand the index to the full YAML parser.
 */
/** Thrown inside the scanner only; caught in `scanIndex`. */
export class Bail {}
export const BAIL = new Bail();

export const SPACE = 32;
export const TAB = 9;
export const HASH = 35;
export const DASH = 45;

export type Field = 'version' | 'created' | 'appVersion' | 'digest' | 'urls';
export const FIELD_LIST: readonly Field[] = ['version', 'created', 'appVersion', 'digest', 'urls'];
export const FIELDS = new Set<string>(FIELD_LIST);

/** Decodes the escapes JSON and YAML share; bails on YAML-only escapes. */
export function decodeDouble(body: string): string {
  if (body.indexOf('\\') < 0) return body;
  if (/\\[^"\\/bfnrtu]/.test(body)) throw BAIL;
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    throw BAIL;
  }
}

/** Index of the closing `"` in `s` from `from`, skipping escapes; -1 when the line ends first. */
export function closeDouble(s: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i;
  }
  return -1;
}

/** Index of the closing `'` (not a doubled `''`); -1 when the line ends first. */
export function closeSingle(s: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (s.charCodeAt(i) === 39) {
      if (i + 1 < end && s.charCodeAt(i + 1) === 39) i++;
      else return i;
    }
  }
  return -1;
}

/** Only spaces or a comment may follow a closed quoted scalar. */
export function checkTrail(s: string, from: number, end: number): void {
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === HASH && i > from) return;
    if (c !== SPACE && c !== TAB) throw BAIL;
  }
}

/** Indicator characters that cannot start a plain scalar we accept: - ? : , [ ] { } # & * ! | > ' " % @ ` */
export const PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((ch) => ch.charCodeAt(0)));
export const NULLISH = new Set(['~', 'null', 'Null', 'NULL']);

/**
 * A one-line scalar from `s[from, end)` (leading spaces already skipped).
 * Bails on anything that is not a complete plain or quoted scalar on this line.
 */
export function lineScalar(s: string, from: number, end: number): string {
  const c = s.charCodeAt(from);
  if (c === 34) {
    const close = closeDouble(s, from + 1, end);
    if (close < 0) throw BAIL;
    checkTrail(s, close + 1, end);
    return decodeDouble(s.slice(from + 1, close));
  }
  if (c === 39) {
    const close = closeSingle(s, from + 1, end);
    if (close < 0) throw BAIL;
    checkTrail(s, close + 1, end);
    return s.slice(from + 1, close).replaceAll("''", "'");
  }
  if (PLAIN_START.has(c)) throw BAIL;
  let last = from; // one past the last non-space character
  for (let i = from; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch === SPACE || ch === TAB) continue;
    if (ch === HASH && (s.charCodeAt(i - 1) === SPACE || s.charCodeAt(i - 1) === TAB)) break; // comment
    if (ch === 58 && (i + 1 >= end || s.charCodeAt(i + 1) === SPACE || s.charCodeAt(i + 1) === TAB)) throw BAIL; // `a: b` is a mapping
    last = i + 1;
  }
  const text = s.slice(from, last);
  if (text.length <= 4 && NULLISH.has(text)) throw BAIL;
  return text;
}

/** Where a mapping key ends: index of its `:`; the key is plain or quoted. -1 when the line is not `key:`. */
export function keyEnd(s: string, from: number, end: number): number {
  const c = s.charCodeAt(from);
  if (c === 34 || c === 39) {
    const close = c === 34 ? closeDouble(s, from + 1, end) : closeSingle(s, from + 1, end);
    if (close < 0 || s.charCodeAt(close + 1) !== 58) throw BAIL;
    const after = s.charCodeAt(close + 2);
    if (close + 2 < end && after !== SPACE) throw BAIL;
    return close + 1;
  }
  if (c === 63 /* ? */ || c === 38 || c === 42 || c === 33 || c === 91 || c === 123 || c === 124 || c === 62)
    throw BAIL;
  for (let i = from; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 58) {
      if (i + 1 >= end || s.charCodeAt(i + 1) === SPACE) {
        if (s.charCodeAt(i - 1) === SPACE) throw BAIL; // `key :` - parsers disagree on the trailing space
        return i;
      }
    } else if (ch === HASH && i > from && s.charCodeAt(i - 1) === SPACE) {
      throw BAIL; // a comment starts before any `key:`
    }
  }
  return -1;
}

export function keyText(s: string, from: number, colon: number): string {
  const c = s.charCodeAt(from);
  if (c === 34) return decodeDouble(s.slice(from + 1, colon - 1));
  if (c === 39) return s.slice(from + 1, colon - 1).replaceAll("''", "'");
  const k = trimYaml(s.slice(from, colon));
  if (k === '<<') throw BAIL;
  return k;
}

/** The needed field a key names, without allocating for plain keys; bails on merge keys. */
export function fieldOf(s: string, from: number, colon: number): Field | undefined {
  const c = s.charCodeAt(from);
  if (c === 34 || c === 39) {
    const key = keyText(s, from, colon);
    return FIELDS.has(key) ? (key as Field) : undefined;
  }
  let end = colon;
  while (end > from && s.charCodeAt(end - 1) === SPACE) end--;
  const n = end - from;
  if (n === 2 && c === 60 && s.charCodeAt(from + 1) === 60) throw BAIL; // `<<` merge key
  for (const f of FIELD_LIST) if (f.length === n && s.startsWith(f, from)) return f;
  return undefined;
}

/** Drops trailing YAML white space (space and tab only; other Unicode spaces are content). */
export function trimYaml(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
  return text.slice(0, end);
}

export function firstNonSpace(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && s.charCodeAt(i) === SPACE) i++;
  return i;
}

