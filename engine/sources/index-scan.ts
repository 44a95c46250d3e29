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
import { BAIL, SPACE, TAB, HASH, DASH, closeDouble, closeSingle, checkTrail, lineScalar, keyEnd, keyText, fieldOf, trimYaml, firstNonSpace } from './index-scan-lines.ts';

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
  const scanner = new Scanner(s);
  while (scanner.nextLine()) scanner.line();
  return scanner.finish();
}

/**
 * The scanner's state machine, one step per line: a line is skipped (inside a
 * multi-line quoted scalar or a nested value we do not need), or it is a
 * top-level key, a `urls:` item, a chart name, the first key of an entry
 * (`- key: value`) or a further key of the entry. Anything else bails.
 */
class Scanner {
  private pos = 0;
  private readonly charts = new Map<string, IndexEntry[]>();
  private apiVersion: string | undefined;
  private hasEntries = false;
  private mode: 'top' | 'entries' = 'top';
  /** Skip lines indented more than this (nested values); -1 = off. */
  private skipAbove = -1;
  /** Also skip `- ` lines at exactly skipAbove (an indentless sequence value). */
  private skipDashes = false;
  /** 34/39 while inside a multi-line quoted scalar being skipped. */
  private pendingQuote = 0;
  private chartIndent = -1;
  private seqIndent = -1;
  private keyIndent = -1;
  private chartList: IndexEntry[] | undefined;
  private entry: IndexEntry | undefined;
  /** Collecting a `urls:` block sequence. */
  private urls: string[] | undefined;
  /** Indent of the `urls:` key, and of its items. */
  private urlsIndent = -1;
  private urlsItemIndent = -1;
  /** A needed scalar was just read at this key indent: no continuation allowed. */
  private scalarFieldIndent = -1;

  /** The current line: where its text starts, where it ends (before `\r\n`), its indentation and first character. */
  private li = 0;
  private lend = 0;
  private lindent = 0;
  private lc = -1;

  constructor(private readonly s: string) {}

  /** Moves to the next line; false at the end of the text. */
  nextLine(): boolean {
    const s = this.s;
    if (this.pos >= s.length) return false;
    let end = s.indexOf('\n', this.pos);
    if (end < 0) end = s.length;
    const next = end + 1;
    if (end > this.pos && s.charCodeAt(end - 1) === 13) end--;
    let i = this.pos;
    while (i < end && s.charCodeAt(i) === SPACE) i++;
    this.li = i;
    this.lend = end;
    this.lindent = i - this.pos;
    this.lc = i < end ? s.charCodeAt(i) : -1;
    this.pos = next;
    return true;
  }

  line(): void {
    if (this.pendingQuote) return this.quotedContinuation();
    if (this.li === this.lend) return; // blank line
    if (this.lc === TAB) throw BAIL;
    if (this.skipped()) return;
    if (this.lc === HASH) return; // comment line
    if (this.scalarFieldIndent >= 0) {
      if (this.lindent > this.scalarFieldIndent) throw BAIL; // continuation of a value we read as one line
      this.scalarFieldIndent = -1;
    }
    if (this.lindent === 0) return this.topLevel();
    if (this.mode !== 'entries') throw BAIL; // indented line outside any known block
    if (this.urls && this.urlsItem()) return;
    if (this.chartIndent < 0) this.chartIndent = this.lindent;
    if (this.lindent === this.chartIndent && this.lc !== DASH) return this.chartName();
    if (!this.chartList) throw BAIL;
    if (this.lc === DASH && (this.seqIndent < 0 ? this.lindent >= this.chartIndent : this.lindent === this.seqIndent))
      return this.entryStart();
    if (this.entry && this.lindent === this.keyIndent) return this.entryKey(this.li, this.lend, this.lindent);
    throw BAIL;
  }

  finish(): ScannedIndex {
    if (this.pendingQuote) throw BAIL;
    this.closeEntry();
    return { apiVersion: this.apiVersion, hasEntries: this.hasEntries, charts: this.charts };
  }

  /** Inside a multi-line quoted scalar of a field we do not need. */
  private quotedContinuation(): void {
    if (this.li < this.lend && this.lindent <= this.keyIndent && this.keyIndent >= 0) throw BAIL;
    const close =
      this.pendingQuote === 34 ? closeDouble(this.s, this.li, this.lend) : closeSingle(this.s, this.li, this.lend);
    if (close >= 0) {
      checkTrail(this.s, close + 1, this.lend);
      this.pendingQuote = 0;
    }
  }

  /** Lines of a nested value being skipped; leaving it turns skipping off. */
  private skipped(): boolean {
    const s = this.s;
    if (
      this.skipAbove >= 0 &&
      (this.lindent > this.skipAbove ||
        (this.skipDashes &&
          this.lindent === this.skipAbove &&
          this.lc === DASH &&
          (this.li + 1 === this.lend || s.charCodeAt(this.li + 1) === SPACE)))
    )
      return true;
    this.skipAbove = -1;
    this.skipDashes = false;
    return false;
  }

  private closeEntry(): void {
    if (this.entry && this.chartList && this.entry.version !== undefined) this.chartList.push(this.entry);
    this.entry = undefined;
    this.urls = undefined;
  }

  /** `apiVersion:`, `entries:` or another top-level key (skipped). */
  private topLevel(): void {
    const s = this.s;
    if (this.mode === 'entries') {
      this.closeEntry();
      this.mode = 'top';
    }
    if (this.lc === DASH || this.lc === 37 /* % */ || s.startsWith('---', this.li) || s.startsWith('...', this.li))
      throw BAIL;
    const colon = keyEnd(s, this.li, this.lend);
    if (colon < 0) throw BAIL;
    const key = keyText(s, this.li, colon);
    const v = firstNonSpace(s, colon + 1, this.lend);
    const hasValue = v < this.lend && s.charCodeAt(v) !== HASH;
    if (key === 'entries') {
      if (this.hasEntries) throw BAIL;
      this.hasEntries = true;
      if (hasValue) {
        if (trimYaml(s.slice(v, this.lend)) !== '{}') throw BAIL;
        return;
      }
      this.mode = 'entries';
      this.chartIndent = -1;
      return;
    }
    if (key === 'apiVersion') {
      if (!hasValue) throw BAIL;
      this.apiVersion = lineScalar(s, v, this.lend);
      this.scalarFieldIndent = 0;
      return;
    }
    if (hasValue) {
      const vc = s.charCodeAt(v);
      if (vc === 38 || vc === 42 || vc === 33 || vc === 91 || vc === 123) throw BAIL;
      if (vc === 34 && closeDouble(s, v + 1, this.lend) < 0) throw BAIL;
      if (vc === 39 && closeSingle(s, v + 1, this.lend) < 0) throw BAIL;
    }
    this.skipAbove = 0;
    this.skipDashes = !hasValue;
  }

  /** An item of a `urls:` block sequence (true), or the end of that sequence (false). */
  private urlsItem(): boolean {
    const s = this.s;
    const urls = this.urls!;
    if (
      this.lc === DASH &&
      this.lindent >= this.urlsIndent &&
      (this.urlsItemIndent < 0 || this.lindent === this.urlsItemIndent) &&
      s.charCodeAt(this.li + 1) === SPACE
    ) {
      // An indentless list sits at the key's own column; only then can a later
      // `- ` at the entry's item column be confused with it, which the checks in line() rule out.
      if (this.urlsItemIndent < 0) this.urlsItemIndent = this.lindent;
      const v = firstNonSpace(s, this.li + 2, this.lend);
      if (v >= this.lend) throw BAIL;
      if (urls.length === 0) this.entry!.urls = urls;
      urls.push(lineScalar(s, v, this.lend));
      this.scalarFieldIndent = this.lindent;
      return true;
    }
    if (this.lindent > this.urlsIndent) throw BAIL;
    this.urls = undefined;
    return false;
  }

  /** `name:` at the chart column: a new chart (an empty `[]` list has no entries). */
  private chartName(): void {
    const s = this.s;
    this.closeEntry();
    const colon = keyEnd(s, this.li, this.lend);
    if (colon < 0) throw BAIL;
    const name = keyText(s, this.li, colon);
    if (this.charts.has(name)) throw BAIL;
    const v = firstNonSpace(s, colon + 1, this.lend);
    this.chartList = [];
    this.charts.set(name, this.chartList);
    this.seqIndent = -1;
    this.keyIndent = -1;
    if (v < this.lend && s.charCodeAt(v) !== HASH) {
      if (trimYaml(s.slice(v, this.lend)) !== '[]') throw BAIL;
      this.chartList = undefined;
    }
  }

  /** `- key: value`: a new entry and its first key. */
  private entryStart(): void {
    const s = this.s;
    if (s.charCodeAt(this.li + 1) !== SPACE) throw BAIL;
    this.closeEntry();
    this.seqIndent = this.lindent;
    const k = firstNonSpace(s, this.li + 2, this.lend);
    if (k >= this.lend || s.charCodeAt(k) === HASH || s.charCodeAt(k) === DASH) throw BAIL;
    this.keyIndent = this.lindent + (k - this.li);
    this.entry = {} as IndexEntry;
    this.entryKey(k, this.lend, this.keyIndent);
  }

  /** Reads `key: value` of an entry at `k`: a field we need, or a key whose value is skipped. */
  private entryKey(k: number, lineEnd: number, col: number): void {
    const s = this.s;
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
        } else if (c === 34 && closeDouble(s, v + 1, lineEnd) < 0) this.pendingQuote = 34;
        else if (c === 39 && closeSingle(s, v + 1, lineEnd) < 0) this.pendingQuote = 39;
      }
      this.skipAbove = col; // nested blocks, folded lines and block scalars of this key
      this.skipDashes = !hasValue;
      return;
    }
    if (field === 'urls') {
      if (!hasValue) {
        this.urls = []; // attached to the entry at its first item (an empty value is null, not a list)
        this.urlsIndent = col;
        this.urlsItemIndent = -1;
        return;
      }
      if (trimYaml(s.slice(v, lineEnd)) !== '[]') throw BAIL;
      this.entry!.urls = [];
      this.scalarFieldIndent = col;
      return;
    }
    if (!hasValue) throw BAIL;
    this.entry![field] = lineScalar(s, v, lineEnd);
    this.scalarFieldIndent = col;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Entries from a plain object tree (full YAML or JSON parse). */
function fromTree(tree: unknown, parser: 'yaml' | 'json'): IndexParseResult {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree))
    return { ok: false, message: 'the index is not a YAML mapping' };
  const root = tree as Record<string, unknown>;
  const charts = new Map<string, IndexEntry[]>();
  const entries = root.entries;
  if (!('entries' in root)) return validate({ apiVersion: str(root.apiVersion), hasEntries: false, charts }, parser);
  if (
    entries !== null &&
    entries !== undefined &&
    entries !== '' &&
    (typeof entries !== 'object' || Array.isArray(entries))
  ) {
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
  if (!scanned.hasEntries)
    return { ok: false, message: 'the index has no `entries` (is this a Helm repository index.yaml?)' };
  if (!scanned.apiVersion)
    return { ok: false, message: 'the index has no `apiVersion` (Helm rejects it: "no API version specified")' };
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
    tree = parseYaml(text, {
      schema: 'failsafe',
      merge: true,
      maxAliasCount: 1000,
      uniqueKeys: false,
      prettyErrors: false,
    });
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
