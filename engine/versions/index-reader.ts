/**
 * Fast reader for Helm repository `index.yaml` files.
 *
 * Public indexes can be tens of megabytes; a full YAML parse of one takes
 * seconds. This reader pulls out only what version selection and hovers need
 * (`version`, `created`, `appVersion`, `urls`, `digest` per chart) with a line
 * scanner tuned to the layout `helm repo index` writes (go-yaml v2: keys at
 * column 0, chart names at two spaces, list items not indented beyond their
 * key, one field per line). Lines that are not needed are skipped without
 * being copied.
 *
 * Anything the scanner does not fully understand falls back to the `yaml`
 * package: one chart's block when only that block is odd (a block scalar or
 * multi-line value in a needed field, a plain scalar YAML would read as a
 * number/bool/null, anchors, flow collections), the whole file when the
 * overall layout is unfamiliar (JSON is read with JSON.parse). So the result
 * always equals what a full YAML parse would give.
 */
import { parse as parseYaml } from 'yaml';
import type { IndexEntry } from './select.ts';

export interface IndexReadResult {
  /** Entries per chart name, in file order. */
  charts: Map<string, IndexEntry[]>;
  /** `undefined` when the text is readable; otherwise why not (invalid YAML, no `entries`). */
  error?: string;
  /** How the file was read: how many charts the scanner handled, how many needed the YAML fallback. */
  stats: { fastCharts: number; fallbackCharts: number; wholeFileFallback: boolean; json: boolean };
}

// Plain scalars the YAML 1.2 core schema reads as something other than a string.
const NON_STRING_PLAIN = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/;
// First characters with which a plain scalar can be a number, bool or null.
const MAYBE_NON_STRING = '0123456789+-.tTfFnN~';
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*):(?: (.*))?$/;

class Unsupported extends Error {}

function scalarString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

/** Turns one parsed index entry (any shape) into an IndexEntry. */
export function entryFromParsed(raw: unknown): IndexEntry | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const e: IndexEntry = { version: scalarString(o.version) ?? '' };
  const created = scalarString(o.created);
  if (created !== undefined) e.created = created;
  const appVersion = scalarString(o.appVersion);
  if (appVersion !== undefined) e.appVersion = appVersion;
  const digest = scalarString(o.digest);
  if (digest !== undefined) e.digest = digest;
  if (Array.isArray(o.urls)) e.urls = o.urls.map((u) => scalarString(u) ?? '');
  return e;
}

function chartsFromParsed(doc: unknown, into: Map<string, IndexEntry[]>): string | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'the index is not a mapping';
  const entries = (doc as Record<string, unknown>).entries;
  if (entries === undefined || entries === null) return 'the index has no entries';
  if (typeof entries !== 'object' || Array.isArray(entries)) return '`entries` is not a mapping';
  for (const [name, list] of Object.entries(entries as Record<string, unknown>)) {
    const out: IndexEntry[] = [];
    if (Array.isArray(list)) {
      for (const item of list) {
        const e = entryFromParsed(item);
        if (e) out.push(e);
      }
    }
    into.set(name, out);
  }
  return undefined;
}

/** Reads the index with a full parse (reference behaviour, and the fallback). */
export function readIndexFull(text: string): IndexReadResult {
  const charts = new Map<string, IndexEntry[]>();
  const json = /^\s*\{/.test(text);
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 10000 });
  } catch (e) {
    if (json) {
      try {
        doc = parseYaml(text, { maxAliasCount: 10000 });
      } catch {
        return { charts, error: `invalid index: ${(e as Error).message}`, stats: { fastCharts: 0, fallbackCharts: 0, wholeFileFallback: true, json } };
      }
    } else {
      return { charts, error: `invalid index: ${(e as Error).message}`, stats: { fastCharts: 0, fallbackCharts: 0, wholeFileFallback: true, json } };
    }
  }
  const error = chartsFromParsed(doc, charts);
  return { charts, error, stats: { fastCharts: 0, fallbackCharts: charts.size, wholeFileFallback: true, json } };
}

function unescapeDouble(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    const simple: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };
    if (n in simple) out += simple[n];
    else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Unsupported();
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else throw new Unsupported();
  }
  return out;
}

/** A one-line scalar value as YAML reads it; throws Unsupported for anything else. */
function readScalar(value: string): string {
  const v = value.charCodeAt(value.length - 1) === 32 ? value.trimEnd() : value;
  if (v === '') throw new Unsupported(); // null or a block on the next lines
  const c = v[0];
  if (c === '"') {
    let i = 1;
    while (i < v.length) {
      if (v[i] === '\\') i += 2;
      else if (v[i] === '"') break;
      else i++;
    }
    if (i !== v.length - 1) throw new Unsupported(); // unterminated or trailing text
    return unescapeDouble(v.slice(1, -1));
  }
  if (c === "'") {
    if (v.length < 2 || v[v.length - 1] !== "'") throw new Unsupported();
    const body = v.slice(1, -1);
    if (body.replaceAll("''", '').includes("'")) throw new Unsupported();
    return body.replaceAll("''", "'");
  }
  if ('&*!|>{[%@`#,?:-'.includes(c) && !(c === '-' && v.length > 1 && v[1] !== ' ')) throw new Unsupported();
  if (v.includes(' #') || v.includes(': ') || v.endsWith(':')) throw new Unsupported();
  if (MAYBE_NON_STRING.includes(c) && NON_STRING_PLAIN.test(v)) throw new Unsupported();
  return v;
}

type NeededKey = 'version' | 'created' | 'appVersion' | 'digest' | 'urls' | '';

/** Which needed field a `key:` at `at` names, without slicing the line. */
function neededKeyAt(text: string, at: number): NeededKey {
  switch (text.charCodeAt(at)) {
    case 118: // v
      return text.startsWith('version:', at) ? 'version' : '';
    case 99: // c
      return text.startsWith('created:', at) ? 'created' : '';
    case 97: // a
      return text.startsWith('appVersion:', at) ? 'appVersion' : '';
    case 100: // d
      return text.startsWith('digest:', at) ? 'digest' : '';
    case 117: // u
      return text.startsWith('urls:', at) ? 'urls' : '';
    default:
      return '';
  }
}

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** Reads a chart block with the `yaml` package. */
function parseChartBlock(text: string, start: number, end: number, into: Map<string, IndexEntry[]>): void {
  const doc = parseYaml(`entries:\n${text.slice(start, end)}`, { maxAliasCount: 10000 });
  const err = chartsFromParsed(doc, into);
  if (err) throw new Error(err);
}

interface ChartState {
  name: string;
  start: number;
  failed: boolean;
  list: IndexEntry[];
}

/**
 * One pass over the lines of the `entries:` block. Each chart is scanned as
 * it goes; a chart the scanner cannot follow is re-read with the YAML parser.
 */
function scanEntries(text: string, from: number, charts: Map<string, IndexEntry[]>): { fast: number; fallback: number } {
  let fast = 0;
  let fallback = 0;
  let nameIndent = -1;
  let chart: ChartState | undefined;
  // Per-chart scanner state.
  let itemIndent = -1;
  let fieldIndent = -1;
  let cur: IndexEntry | undefined;
  let key: NeededKey | 'other' = '';
  let urlIndent = -1;
  let neededScalar = false;
  let deepPrefix = '\n'; // spaces deeper than the field column, once known; never matches before

  const finish = (end: number) => {
    if (!chart) return;
    if (charts.has(chart.name)) throw new Unsupported(); // a repeated key: let the full parse report it
    if (chart.failed) {
      parseChartBlock(text, chart.start, end, charts);
      fallback++;
    } else {
      charts.set(chart.name, chart.list);
      fast++;
    }
    chart = undefined;
  };

  let pos = from;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    const lineStart = pos;
    pos = nl + 1;
    if (key === 'other' && !neededScalar && text.startsWith(deepPrefix, lineStart)) {
      continue; // nested under a field nobody needs
    }
    let p = lineStart;
    while (p < nl && text.charCodeAt(p) === 32) p++;
    if (p >= nl) continue; // blank
    const first = text.charCodeAt(p);
    if (first === 35 /* # */) continue;
    const ind = p - lineStart;
    if (ind === 0) {
      finish(lineStart);
      return { fast, fallback };
    }
    if (nameIndent < 0) nameIndent = ind;
    if (ind < nameIndent) throw new Unsupported();
    if (ind === nameIndent && first !== 45 /* - */) {
      finish(lineStart);
      const header = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):$/.exec(text.slice(p, nl));
      chart = { name: header ? header[1] : '', start: lineStart, failed: !header, list: [] };
      itemIndent = fieldIndent = urlIndent = -1;
      deepPrefix = '\n';
      cur = undefined;
      key = '';
      neededScalar = false;
      continue;
    }
    if (!chart) throw new Unsupported();
    if (chart.failed) continue;
    try {
      if (itemIndent < 0) {
        if (first !== 45 || text.charCodeAt(p + 1) !== 32) throw new Unsupported();
        itemIndent = ind;
        fieldIndent = ind + 2;
        deepPrefix = ' '.repeat(fieldIndent + 1);
      }
      if (ind > fieldIndent) {
        // Nested content of the current field, or a continuation line.
        if (neededScalar) throw new Unsupported();
        if (key === 'urls') {
          if (urlIndent < 0) urlIndent = ind;
          if (ind !== urlIndent || first !== 45 || text.charCodeAt(p + 1) !== 32) throw new Unsupported();
          cur!.urls!.push(readScalar(text.slice(p + 2, nl)));
        } else if (key !== 'other') {
          throw new Unsupported();
        }
        continue;
      }
      let fieldStart: number;
      if (ind === itemIndent && first === 45) {
        if (text.charCodeAt(p + 1) !== 32) throw new Unsupported();
        cur = { version: '' };
        chart.list.push(cur);
        fieldStart = p + 2;
        if (fieldStart - lineStart !== fieldIndent || text.charCodeAt(fieldStart) === 32) throw new Unsupported();
      } else if (ind === fieldIndent && cur) {
        if (first === 45 && text.charCodeAt(p + 1) === 32) {
          // A list item of the current field at the key's own column (go-yaml v2 style).
          neededScalar = false;
          if (key === 'urls') {
            if (urlIndent < 0) urlIndent = ind;
            if (urlIndent !== ind) throw new Unsupported();
            cur.urls!.push(readScalar(text.slice(p + 2, nl)));
          } else if (key !== 'other') throw new Unsupported();
          continue;
        }
        fieldStart = p;
      } else {
        throw new Unsupported();
      }
      neededScalar = false;
      const k = neededKeyAt(text, fieldStart);
      if (k === '') {
        // Some other field: it only has to look like a plain `key:`.
        const colon = text.indexOf(':', fieldStart);
        if (colon < 0 || colon >= nl || !isKeyStart(text.charCodeAt(fieldStart))) throw new Unsupported();
        const after = text.charCodeAt(colon + 1);
        if (colon + 1 < nl && after !== 32) throw new Unsupported();
        key = 'other';
        continue;
      }
      key = k;
      const valueStart = fieldStart + k.length + 1;
      if (valueStart < nl && text.charCodeAt(valueStart) !== 32) throw new Unsupported();
      const value = valueStart < nl ? text.slice(valueStart + 1, nl) : '';
      if (k === 'urls') {
        urlIndent = -1;
        cur!.urls = [];
        const v = value.trim();
        if (v === '[]') key = 'other';
        else if (v !== '') throw new Unsupported();
        continue;
      }
      const s = readScalar(value);
      neededScalar = true;
      if (k === 'version') cur!.version = s;
      else if (k === 'created') cur!.created = s;
      else if (k === 'appVersion') cur!.appVersion = s;
      else cur!.digest = s;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      chart.failed = true;
    }
  }
  finish(len);
  return { fast, fallback };
}

/** Reads an index.yaml (or JSON index) and returns the entries per chart. */
export function readIndex(text: string): IndexReadResult {
  if (/^\s*\{/.test(text) || text.includes('\r') || text.includes('\t')) return readIndexFull(text);
  const charts = new Map<string, IndexEntry[]>();
  try {
    // Find `entries:` at column 0; every other top-level key is skipped.
    let pos = 0;
    let entriesAt = -1;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const c = text.charCodeAt(pos);
      if (c !== 32 && c !== 35 && pos !== nl) {
        if (text.startsWith('entries:', pos)) {
          if (text.slice(pos + 8, nl).trim() !== '') throw new Unsupported();
          entriesAt = nl + 1;
          break;
        }
        if (!(pos === 0 && text.startsWith('---', pos)) && !KEY_LINE.test(text.slice(pos, nl))) throw new Unsupported();
      }
      pos = nl + 1;
    }
    if (entriesAt < 0) throw new Unsupported();
    const { fast, fallback } = scanEntries(text, entriesAt, charts);
    return { charts, stats: { fastCharts: fast, fallbackCharts: fallback, wholeFileFallback: false, json: false } };
  } catch {
    // Unfamiliar layout, or YAML the parser rejects: a full parse gives the exact answer or error.
    return readIndexFull(text);
  }
}
