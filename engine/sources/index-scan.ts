/**
 * Reading a Helm repository `index.yaml` into `{ charts: Map<name, entries> }`.
 *
 * Public indexes reach tens of megabytes (53 MB for 60 000 chart versions);
 * a full YAML parse of that takes half a minute. `scanIndex` is a line scanner
 * for the block layout Helm and YAML libraries write (two-space or any
 * consistent indentation, indented or "indentless" sequences, plain, single-
 * and double-quoted scalars, folded continuation lines, block scalars in
 * fields it does not need). It reads only what chart-version resolution needs:
 * `version`, `created`, `appVersion`, `digest`, `urls`. Whenever it meets
 * something outside that layout (flow collections in a field it needs,
 * anchors/aliases/tags/merge keys, directives, tabs, multi-line values it
 * needs...) it gives up and `parseIndex` falls back to the `yaml` package
 * (alias count limited) or to JSON.parse for JSON-style indexes, so results
 * never depend on which path ran.
 *
 * Scalars are kept as the text written (like Go's YAML-to-JSON conversion
 * into string fields): `version: 1.0` is "1.0", not the number 1.
 */
import { parse as parseYaml } from 'yaml';
import type { IndexEntry } from '../versions/select.ts';

export type { IndexEntry };

export interface ChartIndex {
  apiVersion: string;
  /** Chart name -> entries in index order (entries without a version are dropped). */
  charts: Map<string, IndexEntry[]>;
  /** Which reader produced it. */
  parser: 'scan' | 'yaml' | 'json';
}

export type IndexParseResult = { ok: true; index: ChartIndex } | { ok: false; message: string };

/** What a scan found before validation; `undefined` from `scanIndex` means "layout not understood". */
export interface ScannedIndex {
  apiVersion?: string;
  hasEntries: boolean;
  charts: Map<string, IndexEntry[]>;
}

/** Thrown inside the scanner only; caught in `scanIndex`. */
class Bail {}
const BAIL = new Bail();

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;

type Field = 'version' | 'created' | 'appVersion' | 'digest' | 'urls';
const FIELD_LIST: readonly Field[] = ['version', 'created', 'appVersion', 'digest', 'urls'];
const FIELDS = new Set<string>(FIELD_LIST);

/** Decodes the escapes JSON and YAML share; bails on YAML-only escapes. */
function decodeDouble(body: string): string {
  if (body.indexOf('\\') < 0) return body;
  if (/\\[^"\\/bfnrtu]/.test(body)) throw BAIL;
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    throw BAIL;
  }
}

/** Index of the closing `"` in `s` from `from`, skipping escapes; -1 when the line ends first. */
function closeDouble(s: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i;
  }
  return -1;
}

/** Index of the closing `'` (not a doubled `''`); -1 when the line ends first. */
function closeSingle(s: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (s.charCodeAt(i) === 39) {
      if (i + 1 < end && s.charCodeAt(i + 1) === 39) i++;
      else return i;
    }
  }
  return -1;
}

/** Only spaces or a comment may follow a closed quoted scalar. */
function checkTrail(s: string, from: number, end: number): void {
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === HASH && i > from) return;
    if (c !== SPACE && c !== TAB) throw BAIL;
  }
}

/** Indicator characters that cannot start a plain scalar we accept: - ? : , [ ] { } # & * ! | > ' " % @ ` */
const PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((ch) => ch.charCodeAt(0)));
const NULLISH = new Set(['~', 'null', 'Null', 'NULL']);

/**
 * A one-line scalar from `s[from, end)` (leading spaces already skipped).
 * Bails on anything that is not a complete plain or quoted scalar on this line.
 */
function lineScalar(s: string, from: number, end: number): string {
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
function keyEnd(s: string, from: number, end: number): number {
  const c = s.charCodeAt(from);
  if (c === 34 || c === 39) {
    const close = c === 34 ? closeDouble(s, from + 1, end) : closeSingle(s, from + 1, end);
    if (close < 0 || s.charCodeAt(close + 1) !== 58) throw BAIL;
    const after = s.charCodeAt(close + 2);
    if (close + 2 < end && after !== SPACE) throw BAIL;
    return close + 1;
  }
  if (c === 63 /* ? */ || c === 38 || c === 42 || c === 33 || c === 91 || c === 123 || c === 124 || c === 62) throw BAIL;
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

function keyText(s: string, from: number, colon: number): string {
  const c = s.charCodeAt(from);
  if (c === 34) return decodeDouble(s.slice(from + 1, colon - 1));
  if (c === 39) return s.slice(from + 1, colon - 1).replaceAll("''", "'");
  const k = trimYaml(s.slice(from, colon));
  if (k === '<<') throw BAIL;
  return k;
}

/** The needed field a key names, without allocating for plain keys; bails on merge keys. */
function fieldOf(s: string, from: number, colon: number): Field | undefined {
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
function trimYaml(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
  return text.slice(0, end);
}

function firstNonSpace(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && s.charCodeAt(i) === SPACE) i++;
  return i;
}

/**
 * Scans index text. `undefined` when the text is not in the block layout the
 * scanner understands (use the full parser then).
 */
export function scanIndex(text: string): ScannedIndex | undefined {
  try {
    return scan(text);
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

function scan(s: string): ScannedIndex {
  const len = s.length;
  const charts = new Map<string, IndexEntry[]>();
  let apiVersion: string | undefined;
  let hasEntries = false;

  // Parse state.
  let mode: 'top' | 'entries' = 'top';
  let skipAbove = -1; // skip lines indented more than this (nested values); -1 = off
  let skipDashes = false; // also skip `- ` lines at exactly skipAbove (an indentless sequence value)
  let pendingQuote = 0; // 34/39 while inside a multi-line quoted scalar being skipped
  let chartIndent = -1;
  let seqIndent = -1;
  let keyIndent = -1;
  let chartList: IndexEntry[] | undefined;
  let entry: IndexEntry | undefined;
  let urls: string[] | undefined; // collecting a `urls:` block sequence
  let urlsIndent = -1; // indent of the `urls:` key
  let urlsItemIndent = -1;
  let scalarFieldIndent = -1; // a needed scalar was just read at this key indent: no continuation allowed

  const closeEntry = () => {
    if (entry && chartList && entry.version !== undefined) chartList.push(entry);
    entry = undefined;
    urls = undefined;
  };

  /** Reads `key: value` of an entry at `k`; `lineEnd` is the line's end. */
  const entryKey = (k: number, lineEnd: number, col: number) => {
    const colon = keyEnd(s, k, lineEnd);
    if (colon < 0) throw BAIL;
    const field = fieldOf(s, k, colon);
    const v = firstNonSpace(s, colon + 1, lineEnd);
    const hasValue = v < lineEnd && s.charCodeAt(v) !== HASH;
    if (field === undefined) {
      if (hasValue) {
        const c = s.charCodeAt(v);
        if (c === 38 || c === 42 || c === 33) throw BAIL; // anchors, aliases, tags
        if (c === 91 || c === 123) {
          const rest = trimYaml(s.slice(v, lineEnd));
          if (rest !== '[]' && rest !== '{}') throw BAIL;
        } else if (c === 34 && closeDouble(s, v + 1, lineEnd) < 0) pendingQuote = 34;
        else if (c === 39 && closeSingle(s, v + 1, lineEnd) < 0) pendingQuote = 39;
      }
      skipAbove = col; // nested blocks, folded lines and block scalars of this key
      skipDashes = !hasValue;
      return;
    }
    if (field === 'urls') {
      if (!hasValue) {
        urls = []; // attached to the entry at its first item (an empty value is null, not a list)
        urlsIndent = col;
        urlsItemIndent = -1;
        return;
      }
      if (trimYaml(s.slice(v, lineEnd)) !== '[]') throw BAIL;
      entry!.urls = [];
      scalarFieldIndent = col;
      return;
    }
    if (!hasValue) throw BAIL;
    entry![field] = lineScalar(s, v, lineEnd);
    scalarFieldIndent = col;
  };

  let pos = 0;
  while (pos < len) {
    let lineEnd = s.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = len;
    const next = lineEnd + 1;
    if (lineEnd > pos && s.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    let i = pos;
    while (i < lineEnd && s.charCodeAt(i) === SPACE) i++;
    const indent = i - pos;
    pos = next;

    if (pendingQuote) {
      // Inside a multi-line quoted scalar of a field we do not need.
      if (i < lineEnd && indent <= keyIndent && keyIndent >= 0) throw BAIL;
      const close = pendingQuote === 34 ? closeDouble(s, i, lineEnd) : closeSingle(s, i, lineEnd);
      if (close >= 0) {
        checkTrail(s, close + 1, lineEnd);
        pendingQuote = 0;
      }
      continue;
    }
    if (i === lineEnd) continue; // blank line
    const c = s.charCodeAt(i);
    if (c === TAB) throw BAIL;
    if (skipAbove >= 0 && (indent > skipAbove || (skipDashes && indent === skipAbove && c === DASH && (i + 1 === lineEnd || s.charCodeAt(i + 1) === SPACE)))) continue;
    skipAbove = -1;
    skipDashes = false;
    if (c === HASH) continue; // comment line
    if (scalarFieldIndent >= 0) {
      if (indent > scalarFieldIndent) throw BAIL; // continuation of a value we read as one line
      scalarFieldIndent = -1;
    }

    if (indent === 0) {
      if (mode === 'entries') {
        closeEntry();
        mode = 'top';
      }
      if (c === DASH || c === 37 /* % */ || s.startsWith('---', i) || s.startsWith('...', i)) throw BAIL;
      const colon = keyEnd(s, i, lineEnd);
      if (colon < 0) throw BAIL;
      const key = keyText(s, i, colon);
      const v = firstNonSpace(s, colon + 1, lineEnd);
      const hasValue = v < lineEnd && s.charCodeAt(v) !== HASH;
      if (key === 'entries') {
        if (hasEntries) throw BAIL;
        hasEntries = true;
        if (hasValue) {
          if (trimYaml(s.slice(v, lineEnd)) !== '{}') throw BAIL;
          continue;
        }
        mode = 'entries';
        chartIndent = -1;
        continue;
      }
      if (key === 'apiVersion') {
        if (!hasValue) throw BAIL;
        apiVersion = lineScalar(s, v, lineEnd);
        scalarFieldIndent = 0;
        continue;
      }
      if (hasValue) {
        const vc = s.charCodeAt(v);
        if (vc === 38 || vc === 42 || vc === 33 || vc === 91 || vc === 123) throw BAIL;
        if (vc === 34 && closeDouble(s, v + 1, lineEnd) < 0) throw BAIL;
        if (vc === 39 && closeSingle(s, v + 1, lineEnd) < 0) throw BAIL;
      }
      skipAbove = 0;
      skipDashes = !hasValue;
      continue;
    }

    if (mode !== 'entries') throw BAIL; // indented line outside any known block

    // Collecting urls: items at urlsItemIndent (>= urlsIndent).
    if (urls) {
      if (c === DASH && indent >= urlsIndent && (urlsItemIndent < 0 || indent === urlsItemIndent) && s.charCodeAt(i + 1) === SPACE) {
        if (urlsItemIndent < 0) {
          // An indentless list sits at the key's own column; only then can a later
          // `- ` at the entry's item column be confused with it, which the checks below rule out.
          urlsItemIndent = indent;
        }
        const v = firstNonSpace(s, i + 2, lineEnd);
        if (v >= lineEnd) throw BAIL;
        if (urls.length === 0) entry!.urls = urls;
        urls.push(lineScalar(s, v, lineEnd));
        scalarFieldIndent = indent;
        continue;
      }
      if (indent > urlsIndent) throw BAIL;
      urls = undefined;
    }

    if (chartIndent < 0) chartIndent = indent;
    if (indent === chartIndent && c !== DASH) {
      // A chart name.
      closeEntry();
      const colon = keyEnd(s, i, lineEnd);
      if (colon < 0) throw BAIL;
      const name = keyText(s, i, colon);
      if (charts.has(name)) throw BAIL;
      const v = firstNonSpace(s, colon + 1, lineEnd);
      chartList = [];
      charts.set(name, chartList);
      seqIndent = -1;
      keyIndent = -1;
      if (v < lineEnd && s.charCodeAt(v) !== HASH) {
        if (trimYaml(s.slice(v, lineEnd)) !== '[]') throw BAIL;
        chartList = undefined;
      }
      continue;
    }
    if (!chartList) throw BAIL;
    if (c === DASH && (seqIndent < 0 ? indent >= chartIndent : indent === seqIndent)) {
      // A new entry: `- key: value`.
      if (s.charCodeAt(i + 1) !== SPACE) throw BAIL;
      closeEntry();
      seqIndent = indent;
      const k = firstNonSpace(s, i + 2, lineEnd);
      if (k >= lineEnd || s.charCodeAt(k) === HASH || s.charCodeAt(k) === DASH) throw BAIL;
      keyIndent = indent + (k - i);
      entry = {} as IndexEntry;
      entryKey(k, lineEnd, keyIndent);
      continue;
    }
    if (entry && indent === keyIndent) {
      entryKey(i, lineEnd, indent);
      continue;
    }
    throw BAIL;
  }
  if (pendingQuote) throw BAIL;
  closeEntry();
  return { apiVersion, hasEntries, charts };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Entries from a plain object tree (full YAML or JSON parse). */
function fromTree(tree: unknown, parser: 'yaml' | 'json'): IndexParseResult {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return { ok: false, message: 'the index is not a YAML mapping' };
  const root = tree as Record<string, unknown>;
  const charts = new Map<string, IndexEntry[]>();
  const entries = root.entries;
  if (!('entries' in root)) return validate({ apiVersion: str(root.apiVersion), hasEntries: false, charts }, parser);
  if (entries !== null && entries !== undefined && entries !== '' && (typeof entries !== 'object' || Array.isArray(entries))) {
    return { ok: false, message: '`entries` is not a mapping of chart names to version lists' };
  }
  for (const [name, list] of Object.entries((entries ?? {}) as Record<string, unknown>)) {
    const out: IndexEntry[] = [];
    charts.set(name, out);
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      const e = item as Record<string, unknown>;
      const version = str(e.version);
      if (version === undefined) continue;
      const entry: IndexEntry = { version };
      const created = str(e.created);
      const appVersion = str(e.appVersion);
      const digest = str(e.digest);
      if (created !== undefined) entry.created = created;
      if (appVersion !== undefined) entry.appVersion = appVersion;
      if (digest !== undefined) entry.digest = digest;
      if (Array.isArray(e.urls)) entry.urls = e.urls.map(str).filter((u): u is string => u !== undefined);
      out.push(entry);
    }
  }
  return validate({ apiVersion: str(root.apiVersion), hasEntries: true, charts }, parser);
}

function validate(scanned: ScannedIndex, parser: ChartIndex['parser']): IndexParseResult {
  if (!scanned.hasEntries) return { ok: false, message: 'the index has no `entries` (is this a Helm repository index.yaml?)' };
  if (!scanned.apiVersion) return { ok: false, message: 'the index has no `apiVersion` (Helm rejects it: "no API version specified")' };
  return { ok: true, index: { apiVersion: scanned.apiVersion, charts: scanned.charts, parser } };
}

/** The full (slow) reader: JSON.parse for JSON text, else the `yaml` package with an alias limit. */
export function parseIndexFull(text: string): IndexParseResult {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return fromTree(JSON.parse(trimmed), 'json');
    } catch {
      // Not strict JSON: YAML flow style, handled below.
    }
  }
  let tree: unknown;
  try {
    tree = parseYaml(text, { schema: 'failsafe', merge: true, maxAliasCount: 1000, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return { ok: false, message: `the index is not valid YAML: ${msg}` };
  }
  return fromTree(tree, 'yaml');
}

/** Reads an index: the fast scanner when the layout allows, the full reader otherwise. */
export function parseIndex(text: string): IndexParseResult {
  if (text.trim() === '') return { ok: false, message: 'the index is empty' };
  const scanned = scanIndex(text);
  if (scanned) return validate(scanned, 'scan');
  return parseIndexFull(text);
}
