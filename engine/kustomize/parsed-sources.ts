/**
 * The last parse of each file's text, shared by the read-only lookups that
 * need a document's nodes for spans (a Flux Kustomization's own document,
 * a base object's document index, a built value's source line) and by the
 * kustomize build's resource loading. Without it every object of a file
 * re-parsed the whole file, so a file of 200 objects cost 200 full parses
 * per refresh. The number of files kept is bounded.
 *
 * Incremental, like the editor's parse (yaml/documents.ts): a file is cut
 * at its `---` lines and each piece is parsed on its own, so after an edit
 * only the pieces whose text changed are parsed again (typing in one
 * HelmRelease of a 200-document base no longer re-parses the other 199 for
 * every build and lens). A piece's document keeps offsets relative to the
 * piece; its `map` adds the piece's place in the file and `text` is the
 * piece, so `spanAt` and offset maps give file offsets as before. Document
 * indexes count every document of the file, as one parse of the whole text
 * does (a `---` with nothing under it counts; a comment before the first
 * `---` does not). Files with YAML directives (`%YAML`) are parsed whole.
 *
 * Callers must not change what they get (the kustomize build clones the
 * values it edits).
 *
 * A build that runs in steps first calls warmParsedSource: the new large
 * pieces of a file are parsed in steps between messages (the library's
 * parse of a 1 MB piece was a block of 400-660 ms in a fleet evaluation),
 * and parsedSource then takes them instead of parsing them at once.
 */
import { parseSource, KUSTOMIZE_YAML_OPTIONS, type ParsedSource, type SourceDoc } from './source.ts';
import { readFastPiece } from './fast-piece.ts';
import type { KustomizeDiagnostic } from './types.ts';
import { pieceStarts, parseAllSteps, sharedParse, STEPPED_PIECE_CHARS, YAML_OPTIONS } from '../yaml/documents.ts';

const MAX_FILES = 1024;

/** One piece parsed alone: offsets relative to the piece. */
interface Piece {
  text: string;
  /** How many documents the YAML parser saw in the piece (empty ones included): later indexes follow it. */
  count: number;
  docs: { local: number; readonly doc: SourceDoc['doc']; value: unknown; ranges?: SourceDoc['ranges'] }[];
  diagnostics: KustomizeDiagnostic[];
}

interface Entry {
  text: string;
  parsed: ParsedSource;
  /** The pieces of `text`, for reuse by the next version of the file. */
  pieces: Piece[];
}

const cache = new Map<string, Entry>();

type Schema = 'resource' | 'kustomization';

function parsePiece(file: string, text: string, schema: Schema): Piece {
  return quickPiece(file, text, schema) ?? pieceOf(text, parseSource(file, text, undefined, schema));
}

/** A piece the quick reader reads (plain block YAML), or undefined. */
function quickPiece(file: string, text: string, schema: Schema): Piece | undefined {
  // Plain block YAML: the value without the library; its nodes are composed only when a span inside is asked for.
  const fast = readFastPiece(text, schema);
  if (fast) {
    let composed: SourceDoc['doc'] | undefined;
    const doc = {
      local: 0,
      get doc() {
        return (composed ??= parseSource(file, text, undefined, schema).docs[0]!.doc);
      },
      value: fast.value,
      ranges: { root: fast.root, doc: fast.doc },
    };
    return { text, count: 1, docs: [doc], diagnostics: [] };
  }
  return undefined;
}

function pieceOf(text: string, parsed: ParsedSource): Piece {
  return { text, count: parsed.count ?? 0, docs: parsed.docs.map((d) => ({ local: d.index, doc: d.doc, value: d.value })), diagnostics: parsed.diagnostics };
}

/**
 * Pieces parsed in steps by warmParsedSource, by schema, file and text, until parsedSource takes them: at most
 * MAX_WARMED_CHARS of text (a build dropped after its warm-up leaves its pieces here until newer ones push them out).
 */
const warmed = new Map<string, Piece>();
const MAX_WARMED_CHARS = 2_000_000;
let warmedChars = 0;

/**
 * Parses in steps the pieces of `text` that `parsedSource(file, text, schema)` would parse at once: new pieces of
 * STEPPED_PIECE_CHARS or more that neither the quick reader nor the editor's parse reads. The result is the same.
 */
export function* warmParsedSource(file: string, text: string, schema: Schema = 'resource'): Generator<void, void, void> {
  const hit = cache.get(schema === 'resource' ? file : `${schema}:${file}`);
  if ((hit && hit.text === text) || /^%/m.test(text)) return;
  const known = new Set(hit?.pieces.map((p) => p.text));
  const starts = pieceStarts(text);
  for (let i = 0; i < starts.length; i++) {
    const slice = text.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : text.length);
    const key = warmedKey(schema, file, slice);
    if (slice.length < STEPPED_PIECE_CHARS || known.has(slice) || warmed.has(key) || sharedParse(slice)) continue;
    let piece = quickPiece(file, slice, schema);
    if (!piece) {
      try {
        piece = pieceOf(slice, parseSource(file, slice, undefined, schema, yield* parseAllSteps(slice, schema === 'resource' ? KUSTOMIZE_YAML_OPTIONS : YAML_OPTIONS)));
      } catch {
        continue; // the library threw: parsedSource reports why
      }
    }
    warmed.set(key, piece);
    warmedChars += slice.length;
    for (const [k, p] of warmed) {
      if (warmedChars <= MAX_WARMED_CHARS || k === key) break;
      warmed.delete(k);
      warmedChars -= p.text.length;
    }
    yield;
  }
}

const warmedKey = (schema: Schema, file: string, text: string) => `${schema}\0${file}\0${text}`;

function takeWarmed(schema: Schema, file: string, text: string): Piece | undefined {
  const key = warmedKey(schema, file, text);
  const piece = warmed.get(key);
  if (piece) {
    warmed.delete(key);
    warmedChars -= piece.text.length;
  }
  return piece;
}

/**
 * `parseSource(file, text, undefined, schema)` (offsets in the file), reusing unchanged pieces of the file's last
 * parse; the kustomization schema is how a build reads its kustomization file.
 */
export function parsedSource(file: string, text: string, schema: Schema = 'resource'): ParsedSource {
  const key = schema === 'resource' ? file : `${schema}:${file}`;
  const hit = cache.get(key);
  if (hit && hit.text === text) {
    // Refresh the entry's position so the least recently used file is dropped first.
    cache.delete(key);
    cache.set(key, hit);
    return hit.parsed;
  }
  const entry = /^%/m.test(text) ? { text, parsed: parseSource(file, text, undefined, schema), pieces: [] } : assemble(file, text, hit?.pieces ?? [], schema);
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > MAX_FILES) cache.delete(cache.keys().next().value as string);
  return entry.parsed;
}

function assemble(file: string, text: string, previous: Piece[], schema: Schema): Entry {
  const reuse = new Map<string, Piece>();
  for (const p of previous) reuse.set(p.text, p);
  const starts = pieceStarts(text);
  const pieces: Piece[] = [];
  const docs: SourceDoc[] = [];
  const diagnostics: KustomizeDiagnostic[] = [];
  let index = 0;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const slice = text.slice(start, i + 1 < starts.length ? starts[i + 1] : text.length);
    const piece = reuse.get(slice) ?? takeWarmed(schema, file, slice) ?? parsePiece(file, slice, schema);
    pieces.push(piece);
    const map = (o: number) => o + start;
    for (const d of piece.docs) {
      // `doc` is read through, so a piece read quickly is composed only when asked.
      docs.push({ file, index: index + d.local, get doc() { return d.doc; }, value: d.value, map, text: slice, ...(d.ranges ? { ranges: d.ranges } : {}) });
    }
    for (const d of piece.diagnostics) diagnostics.push({ ...d, start: d.start + start, end: d.end + start });
    index += piece.count;
  }
  return { text, parsed: { docs, diagnostics }, pieces };
}

/** A document's span in its file: from its start to the end of its last node or comment. */
export function documentSpan(d: SourceDoc): [number, number] {
  if (d.ranges) return [d.map(d.ranges.doc[0]), d.map(d.ranges.doc[1])];
  return [d.map(d.doc.range[0]), d.map(d.doc.range[2])];
}

/** Spans of a list of documents, made once per list (lists are shared and never changed). */
const spansOf = new WeakMap<SourceDoc[], [number, number][]>();

/** The document holding file offset `at` (else the first one ending at or after it). */
export function documentAt(docs: SourceDoc[], at: number): SourceDoc | undefined {
  let spans = spansOf.get(docs);
  if (!spans) spansOf.set(docs, (spans = docs.map(documentSpan)));
  const i = spans.findIndex(([s, e]) => s <= at && at < Math.max(e, s + 1));
  return i >= 0 ? docs[i] : docs[spans.findIndex(([, e]) => e >= at)];
}
