/**
 * Multi-document YAML files with exact source ranges, parsed incrementally.
 *
 * A file is cut into documents at `---` lines (a `---` at column 0 is always a
 * document marker in YAML, so this never splits inside a value). Each piece
 * is parsed on its own with offsets relative to its start. When a file is
 * re-parsed after an edit, pieces whose text is unchanged reuse the previous
 * parse and everything cached on it (diagnostics), so typing in one
 * HelmRelease of a 1,000-document file only re-parses and re-validates that one.
 *
 * Scalars are resolved like Kubernetes does (sigs.k8s.io/yaml, YAML 1.1):
 * `yes`/`on` are booleans and `0755` is octal, but `1:20` and dates stay
 * strings.
 *
 * Most documents are plain block YAML: fast.ts reads their value without the
 * library's node tree, and the composed document (`doc`, with the source
 * ranges diagnostics are placed by) is made only when something asks for it,
 * typically for the few documents that have findings. Documents fast.ts does
 * not read are parsed by the library at once, as before.
 */
import { parseAllDocuments, parseDocument, isScalar, isMap, isCollection, isPair, isAlias, Composer, Lexer, Parser, type Document, type Scalar, type YAMLMap, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import { LineIndex } from './lines.ts';
import { findAtPath, nodeRange, type PathSeg } from './nodes.ts';
import { createFastReader } from './fast.ts';
import { collectionKeysTooCostly } from './collection-keys.ts';
import type { OffsetDiagnostic } from '../types.ts';

export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  // The library's own check compares every key with all earlier ones (quadratic in
  // the size of a map); duplicateKeyOffsets below finds the same keys with a set.
  uniqueKeys: false,
  // Never print to the console (the library warns through process.emitWarning otherwise).
  logLevel: 'error',
  prettyErrors: false,
  customTags: (tags) =>
    tags.filter((t) => {
      if (typeof t === 'string') return t !== 'timestamp' && t !== 'intTime' && t !== 'floatTime';
      return (t as { format?: string }).format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp';
    }),
};

const fastReader = createFastReader(YAML_OPTIONS);
let fastReading = true;
/** Documents made from fast.ts's value: never empty, their `doc` is composed on first use. */
const fastDocuments = new WeakSet<YamlDocument>();

/** Turns the fast reader off or on (tests compare both paths); returns the previous setting. */
export function setFastReading(on: boolean): boolean {
  const was = fastReading;
  fastReading = on;
  return was;
}

/**
 * The library's parses of the large pieces parsed lately, by piece text, for
 * the kustomize build (kustomize/source.ts), which reads the same text again
 * when the file is a resource or kustomization of a build: a 500 KB piece
 * costs the library a few hundred milliseconds, twice per edit without this.
 * Held weakly: a parse lives only as long as a file that uses it.
 */
const SHARE_MIN_CHARS = 32_000;
const SHARE_MAX_ENTRIES = 8;
const shared = new Map<string, WeakRef<Document.Parsed[]> | { threw: string }>();
/**
 * What keeps a shared parse alive: the editor's documents hold the library's documents, not the list the share
 * points to, so without this the list was collected at the first garbage collection after the parse (before the
 * build that asks for it 150 ms later) and a build parsed a 1 MB piece again in one block.
 */
const keepShared = new WeakMap<YamlDocument, Document.Parsed[]>();

function shareParse(text: string, result: Document.Parsed[] | { threw: string }): void {
  if (text.length < SHARE_MIN_CHARS) return;
  shared.delete(text);
  for (const [k, ref] of shared) if (ref instanceof WeakRef && !ref.deref()) shared.delete(k);
  shared.set(text, Array.isArray(result) ? new WeakRef(result) : result);
  if (shared.size > SHARE_MAX_ENTRIES) shared.delete(shared.keys().next().value as string);
}

/**
 * What `parseAllDocuments(text, YAML_OPTIONS)` gave the editor for exactly
 * this text (a whole `---` piece), while that parse is still held: its
 * documents, or the message of what it threw (the library's parser runs out
 * of stack on some broken documents of tens of thousands of lines, after
 * hundreds of milliseconds); undefined otherwise. Callers must not change
 * the documents.
 */
export function sharedParse(text: string): readonly Document.Parsed[] | { threw: string } | undefined {
  if (text.length < SHARE_MIN_CHARS) return undefined;
  const hit = shared.get(text);
  return hit instanceof WeakRef ? hit.deref() : hit;
}

/**
 * `parseAllDocuments` without stack traces on the errors it makes: the
 * library builds one Error per problem, and a broken line in a large block
 * map can cost thousands of them (capturing their stacks was about a third
 * of such a parse). Nothing reads those stacks; the limit is restored at once.
 */
export function parseAllQuietly(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): Document.Parsed[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const parsed = parseAllDocuments(text, options);
    return Array.isArray(parsed) ? (parsed as Document.Parsed[]) : [];
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Lexical tokens the library reads between the pauses of a stepped parse (a few milliseconds of its work). */
const LEXEMES_PER_STEP = 1500;
/** Pieces at least this long are parsed in steps by parseYamlFileSteps; shorter ones in one go. */
export const STEPPED_PIECE_CHARS = 16_000;

/**
 * parseAllQuietly in steps: the library's lexer, parser and composer driven
 * by hand (as its parseAllDocuments drives them), pausing every
 * LEXEMES_PER_STEP tokens so that a caller can let other work in. Reading
 * the tokens is about three quarters of a parse; composing a document is one
 * step of its own. The stack-trace limit is lowered only while it runs.
 */
export function* parseAllSteps(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): Generator<void, Document.Parsed[], void> {
  const lexer = new Lexer();
  const parser = new Parser();
  const composer = new Composer(options);
  const docs: Document.Parsed[] = [];
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    let n = 0;
    for (const lexeme of lexer.lex(text)) {
      for (const token of parser.next(lexeme)) for (const d of composer.next(token)) docs.push(d as Document.Parsed);
      if (++n % LEXEMES_PER_STEP === 0) {
        Error.stackTraceLimit = limit;
        yield;
        Error.stackTraceLimit = 0;
      }
    }
    for (const token of parser.end()) for (const d of composer.next(token)) docs.push(d as Document.Parsed);
    for (const d of composer.end()) docs.push(d as Document.Parsed);
    return docs;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Bounds alias expansion so a "billion laughs" document cannot exhaust memory. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Expanding aliases costs the library a walk of the whole document for an alias inside an anchored node (it
 * counts the aliases under each anchor without its cache), so aliases times nodes is the work (about 0.3 µs a
 * node, so this is ~60 ms on an idle machine, and several times that under load). Above this, a document's
 * aliases are not expanded and it says so: the fuzz grew a 360 KB kustomization.yaml with a few hundred `<<: *x`
 * under anchors whose expansion blocked the server for over 20 s, and at the earlier limit of 1,000,000 the
 * library's alias counting was still a block of 300-450 ms per edit in fuzz profiles. The most any document of
 * the examples, fixtures and shared fleets needs is 1,452 (4 aliases in 363 nodes, onedr0p-home-ops slskd).
 */
const MAX_ALIAS_WORK = 200_000;

/** Why the aliases of a document (parsed from `text`) are not expanded, or undefined when they can be. */
export function aliasesTooCostly(doc: Document.Parsed, text: string): string | undefined {
  if (!text.includes('*')) return undefined;
  const { aliases, nested, nodes } = aliasWork(doc);
  return (aliases + nested) * nodes > MAX_ALIAS_WORK ? `YAML aliases were not expanded: ${aliases} aliases in a document of ${nodes} nodes would take too long` : undefined;
}

/**
 * Aliases and nodes of a document, and how many times the library walks the whole document for them: once per
 * alias, and once more for every anchored node an alias lies inside (when the library counts the aliases under an
 * anchor it resolves each of them by a walk of its own, so a chain of anchors inside anchors multiplies the work:
 * fuzz profiles showed 600 ms blocks of that walk in documents whose plain alias count was under the limit).
 * Nodes are listed in pre-order with an explicit stack (deep documents cannot overflow the call stack), then
 * summed bottom-up.
 */
function aliasWork(doc: Document.Parsed): { aliases: number; nested: number; nodes: number } {
  const nodes: unknown[] = [];
  const parents: number[] = [];
  const stack: [unknown, number][] = [[doc.contents, -1]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const at = nodes.length;
    nodes.push(node);
    parents.push(parent);
    if (isPair(node)) stack.push([node.key, at], [node.value, at]);
    else if (isCollection(node)) for (const item of node.items as unknown[]) stack.push([item, at]);
  }
  // Aliases under each node; children come after their parent in pre-order, so a reverse pass sees them first.
  const under = new Array<number>(nodes.length).fill(0);
  let aliases = 0;
  let nested = 0;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (isAlias(node)) {
      aliases++;
      under[i]++;
    } else if ((node as { anchor?: string }).anchor) nested += under[i];
    if (parents[i] >= 0) under[parents[i]] += under[i];
  }
  return { aliases, nested, nodes: nodes.length };
}

export interface YamlDocument {
  /** Offset of this document's first character in the file. Offsets inside `doc` are relative to it. */
  start: number;
  end: number;
  /** The document's own text (the slice of the file it was parsed from). */
  text: string;
  doc: Document.Parsed;
  /** Syntax errors and duplicate keys, as offsets relative to `start`. */
  syntax: OffsetDiagnostic[];
  /** True when the YAML could not be parsed cleanly enough to check its content. */
  broken: boolean;
  /** Per-document memo for derived results (diagnostics, symbols), keyed by the feature. */
  memo: Map<string, unknown>;
  /** Position of this document among those parsed from the same `---` piece (almost always 0 of 1). */
  piecePart: { index: number; count: number };
  /** Lazily computed plain value of the document. */
  value(): unknown;
  /**
   * [start, end) of the node at `path` (relative to `start`), as
   * nodeRange(findAtPath(doc.contents, path).node) gives it; for documents
   * fast.ts read, a one-line scalar's range comes without composing `doc`.
   */
  rangeAt(path: PathSeg[]): [number, number] | undefined;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface YamlFile {
  uri: string;
  text: string;
  lines: LineIndex;
  docs: YamlDocument[];
}

/**
 * Start offsets of the pieces of `text`: 0, then every line that starts with
 * `---` (at column 0 it always ends a document). The editor's parse, the
 * builds' parse cache and the server's huge-document check all cut here.
 */
export function pieceStarts(text: string): number[] {
  const starts = [0];
  const re = /^---(?=[ \t\r\n]|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m.index !== 0) starts.push(m.index);
  return starts;
}

function scalarString(map: YAMLMap | undefined, key: string): string | undefined {
  const v = map?.get(key, true);
  return isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.value) : undefined;
}

/**
 * An unclosed quoted string is reported by the parser where the text ends;
 * the fix belongs at the opening quote, which is the last unescaped quote
 * character before that point.
 */
function openingQuote(text: string, pos: number, quote: string): number | undefined {
  for (let i = Math.min(pos, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"' && text[i - 1] === '\\') continue;
    if (quote === "'" && (text[i - 1] === "'" || text[i + 1] === "'")) {
      i--;
      continue;
    }
    return i;
  }
  return undefined;
}

/**
 * Offsets of map keys that repeat an earlier key of the same map, in linear
 * time. Keys are equal when both are scalars with the same resolved value
 * (as the library's own `uniqueKeys` check decides); merge keys (`<<`) may repeat.
 * Walks with an explicit stack, so deep documents cannot overflow the call stack.
 */
export function duplicateKeyOffsets(doc: Document.Parsed): number[] {
  const found: number[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isCollection(node)) continue;
    const seen = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        const key = item.key;
        if (seen && isScalar(key) && typeof key.value !== 'symbol' && !(typeof key.value === 'number' && Number.isNaN(key.value))) {
          if (seen.has(key.value)) {
            if (key.range) found.push(key.range[0]);
          } else seen.add(key.value);
        }
        if (isCollection(key)) stack.push(key);
        stack.push(item.value);
      } else stack.push(item);
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * At most this many YAML errors, and as many duplicate keys, are listed per document; the last one listed says
 * how many more there are. A pasted block can repeat thousands of keys (or break thousands of lines), and every
 * finding was converted, kept and sent to the editor again on each keystroke.
 */
export const MAX_FINDINGS_PER_KIND = 100;

/** Keeps the first MAX_FINDINGS_PER_KIND findings of one code; the last kept one counts the rest. */
function capFindings(list: OffsetDiagnostic[], code: string, what: string): OffsetDiagnostic[] {
  const ofCode = list.filter((d) => d.code === code);
  if (ofCode.length <= MAX_FINDINGS_PER_KIND) return list;
  const dropped = new Set(ofCode.slice(MAX_FINDINGS_PER_KIND));
  const last = ofCode[MAX_FINDINGS_PER_KIND - 1];
  last.message += ` (and ${ofCode.length - MAX_FINDINGS_PER_KIND} more ${what} in this document, not listed)`;
  return list.filter((d) => !dropped.has(d));
}

function syntaxDiagnostics(doc: Document.Parsed, text: string): { list: OffsetDiagnostic[]; broken: boolean } {
  const list: OffsetDiagnostic[] = [];
  let broken = false;
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    const unclosed = e.code === 'MISSING_CHAR' ? /Missing closing (["'])quote/.exec(e.message) : null;
    if (unclosed) {
      const at = openingQuote(text, start, unclosed[1]);
      if (at !== undefined) {
        broken = true;
        const lineEnd = text.slice(at).search(/[\r\n]/);
        list.push({ start: at, end: lineEnd < 0 ? text.length : at + lineEnd, severity: 'error', code: 'yaml-syntax', message: `YAML syntax error: this quoted string is never closed (a closing ${unclosed[1]} is missing)` });
        continue;
      }
    }
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^Map keys must be unique/.test(e.message) ? '' : e.message;
      list.push({ start, end: Math.max(end, start + 1), severity: 'error', code: 'duplicate-key', message: key || 'duplicate key: the API server rejects an object that repeats a key (strict field validation)' });
    } else {
      broken = true;
      const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      list.push({ start, end: Math.max(end, start + 1), severity: 'error', code: 'yaml-syntax', message: `YAML syntax error: ${message}` });
    }
  }
  for (const start of duplicateKeyOffsets(doc)) {
    list.push({ start, end: start + 1, severity: 'error', code: 'duplicate-key', message: 'duplicate key: the API server rejects an object that repeats a key (strict field validation)' });
  }
  return { list, broken };
}

/** The findings of syntaxDiagnostics with their duplicate keys named, at most MAX_FINDINGS_PER_KIND of each code. */
function namedFindings(doc: Document.Parsed, text: string): { list: OffsetDiagnostic[]; broken: boolean } {
  const { list, broken } = syntaxDiagnostics(doc, text);
  // Only the duplicate keys the cap keeps (the first ones) are named; it then counts the rest on the last of them.
  let named = 0;
  for (const d of list) {
    if (d.code !== 'duplicate-key' || named++ >= MAX_FINDINGS_PER_KIND) continue;
    const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]+?)(?=\s*:)/.exec(text.slice(d.start, d.start + 1000));
    const keyText = key ? key[0] : text.slice(d.start, d.end);
    d.end = d.start + keyText.length;
    d.message = `duplicate key \`${keyText.replace(/^["']|["']$/g, '')}\`: the API server rejects an object that repeats a key`;
  }
  return { list: capFindings(capFindings(list, 'yaml-syntax', 'YAML errors'), 'duplicate-key', 'duplicate keys'), broken };
}

function makeDocument(text: string, start: number, doc: Document.Parsed, piecePart = { index: 0, count: 1 }): YamlDocument {
  const { list, broken } = namedFindings(doc, text);
  const root = isMap(doc.contents) ? (doc.contents as YAMLMap) : undefined;
  const meta = root?.get('metadata', true);
  const metaMap = isMap(meta) ? (meta as YAMLMap) : undefined;
  let cached: { v: unknown } | undefined;
  const result: YamlDocument = {
    start,
    end: start + text.length,
    text,
    doc,
    syntax: list,
    broken,
    memo: new Map(),
    piecePart,
    value() {
      const tooMany = cached ? undefined : aliasesTooCostly(doc, text);
      if (tooMany) {
        cached = { v: undefined };
        result.syntax.push({ start: 0, end: Math.min(text.length, 1), severity: 'error', code: 'yaml-alias', message: `${tooMany}, so its content is not checked` });
        result.broken = true;
      }
      const keys = cached ? undefined : collectionKeysTooCostly(doc, text);
      if (keys) {
        cached = { v: undefined };
        result.syntax.push({ start: 0, end: Math.min(text.length, 1), severity: 'error', code: 'yaml-syntax', message: `${keys}, so its content is not checked` });
        result.broken = true;
      }
      if (!cached) {
        try {
          cached = { v: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
        } catch (err) {
          cached = { v: undefined };
          const msg = err instanceof Error ? err.message : String(err);
          result.syntax.push({ start: 0, end: Math.min(text.length, 1), severity: 'error', code: 'yaml-alias', message: `YAML aliases could not be expanded: ${msg}` });
          result.broken = true;
        }
      }
      return cached.v;
    },
    rangeAt: (path) => nodeRange(findAtPath(doc.contents, path).node),
    apiVersion: scalarString(root, 'apiVersion'),
    kind: scalarString(root, 'kind'),
    name: scalarString(metaMap, 'name'),
    namespace: scalarString(metaMap, 'namespace'),
  };
  return result;
}

function headerString(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The library's parse of a piece fast.ts read (one document without errors, so the same as makeDocument's). */
function composeOne(text: string): Document.Parsed {
  return parseAllQuietly(text, YAML_OPTIONS)[0];
}

/**
 * A piece the library threw on (its parser runs out of stack on some broken
 * documents of tens of thousands of lines): an empty document with one YAML
 * error on its first line, so the editor says why nothing else is checked.
 */
function unparsableDocument(text: string, start: number, message: string): YamlDocument {
  const d = makeDocument(text, start, parseDocument('', YAML_OPTIONS) as Document.Parsed);
  const firstLine = /^[^\r\n]*/.exec(text)?.[0].length ?? 0;
  d.syntax.push({ start: 0, end: Math.max(1, Math.min(text.length, firstLine)), severity: 'error', code: 'yaml-syntax', message: `The YAML library could not parse this document (${message}), so nothing in it is checked; look for a line indented unlike its neighbours or a stray character` });
  d.broken = true;
  return d;
}

/** A document from fast.ts's value: no syntax findings, header from the value, `doc` composed on first use. */
function makeFastDocument(text: string, start: number, value: unknown): YamlDocument {
  let composed: Document.Parsed | undefined;
  let ranges: Map<string, [number, number]> | undefined;
  const root = isRecord(value) ? value : undefined;
  const meta = root && isRecord(root.metadata) ? root.metadata : undefined;
  const result: YamlDocument = {
    start,
    end: start + text.length,
    text,
    get doc() {
      return (composed ??= composeOne(text));
    },
    syntax: [],
    broken: false,
    memo: new Map(),
    piecePart: { index: 0, count: 1 },
    value: () => value,
    rangeAt(path) {
      if (!ranges) {
        ranges = new Map();
        fastReader.read(text, ranges);
      }
      return ranges.get(JSON.stringify(path)) ?? nodeRange(findAtPath(result.doc.contents, path).node);
    },
    apiVersion: headerString(root?.apiVersion),
    kind: headerString(root?.kind),
    name: headerString(meta?.name),
    namespace: headerString(meta?.namespace),
  };
  fastDocuments.add(result);
  return result;
}

/**
 * Parses a file into documents. `previous`, when given, is the last parse of
 * the same file: unchanged pieces are reused with their memoized results.
 * Never throws.
 */
export function parseYamlFile(uri: string, text: string, previous?: YamlFile): YamlFile {
  const steps = parseYamlFileSteps(uri, text, previous);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * parseYamlFile in steps: it pauses after every piece the library parses and
 * inside large pieces (parseAllSteps), so that a front end can run it a few
 * milliseconds at a time between messages. The result is the same file.
 */
export function* parseYamlFileSteps(uri: string, text: string, previous?: YamlFile): Generator<void, YamlFile, void> {
  const reuse = new Map<string, YamlDocument[]>();
  if (previous) {
    for (const d of previous.docs) {
      const list = reuse.get(d.text);
      if (list) list.push(d);
      else reuse.set(d.text, [d]);
    }
  }
  const starts = pieceStarts(text);
  const docs: YamlDocument[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const end = i + 1 < starts.length ? starts[i + 1] : text.length;
    const piece = text.slice(start, end);
    const old = reuse.get(piece)?.shift();
    if (old) {
      // A piece may have produced several documents (a `...` marker inside it); reuse them all.
      const group = [old, ...(reuse.get(piece)?.splice(0, old.piecePart.count - 1) ?? [])];
      for (const d of group) {
        d.start = start;
        d.end = end;
        docs.push(d);
      }
      continue;
    }
    const fast = fastReading ? fastReader.read(piece) : undefined;
    if (fast) {
      docs.push(makeFastDocument(piece, start, fast.value));
      yield;
      continue;
    }
    let parsed: Document.Parsed[];
    try {
      parsed = piece.length >= STEPPED_PIECE_CHARS ? yield* parseAllSteps(piece, YAML_OPTIONS) : parseAllQuietly(piece, YAML_OPTIONS);
      shareParse(piece, parsed);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      shareParse(piece, { threw: message });
      docs.push(unparsableDocument(piece, start, message));
      continue;
    }
    if (parsed.length === 1 || parsed.length === 0) {
      if (parsed.length === 1) docs.push(makeDocument(piece, start, parsed[0]));
    } else {
      // A `...` end marker inside the piece produced several documents; ranges stay relative to the piece.
      parsed.forEach((d, index) => docs.push(makeDocument(piece, start, d, { index, count: parsed.length })));
    }
    if (piece.length >= SHARE_MIN_CHARS) for (const d of docs.slice(docs.length - parsed.length)) keepShared.set(d, parsed);
    yield;
  }
  return { uri, text, lines: new LineIndex(text), docs };
}

/** True for documents that contain nothing but comments or whitespace. */
export function isEmptyDocument(d: YamlDocument): boolean {
  if (fastDocuments.has(d)) return false;
  return d.doc.contents === null || (isScalar(d.doc.contents) && (d.doc.contents as Scalar).value === null);
}
