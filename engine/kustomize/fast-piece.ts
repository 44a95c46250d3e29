/**
 * A piece of a file (parsed-sources.ts cuts files at their `---` lines) read
 * without the YAML library when it is plain block YAML: the value comes from
 * the editor's quick reader (yaml/fast.ts, with the schema the build reads
 * the piece with), and the two ranges a build needs of every resource
 * document, the root node's (spanAt(d, [])) and the document's
 * (documentSpan), are worked out from its lines. The library's nodes are
 * composed only when something asks for a deeper span (a diagnostic, a
 * patch's place). A build of a parent Kustomization that lists a hundred
 * ks.yaml files no longer composes a hundred documents.
 *
 * The ranges are the library's (test/engine/kustomize-fast-piece.test.ts
 * compares them on every YAML file of the fixtures, examples and fleets and
 * on comment and block-scalar edge cases):
 * - the root starts at the first line that is neither blank, a comment, nor
 *   the leading `---` marker, and ends after the line break of its last line
 *   that is neither blank nor a comment (a document with an indented comment
 *   after that line, or whose last value is empty, `key:` or `-`, goes to the
 *   library: there the library's rules are not this simple);
 * - the document starts at its `---` marker (or at the root when there is
 *   none) and ends at the end of the piece.
 * Anchors and aliases of one-line scalars (scalar-aliases.ts) and simple
 * one-line flow collections (flow-lines.ts) are written out for the reader
 * first; the ranges are still the original text's.
 */
import { createFastReader } from '../yaml/fast.ts';
import { YAML_OPTIONS } from '../yaml/documents.ts';
import { KUSTOMIZE_YAML_OPTIONS } from './source.ts';
import { writeOutScalarAliases } from './scalar-aliases.ts';
import { writeOutFlowLines } from './flow-lines.ts';

export interface FastPiece {
  value: Record<string, unknown>;
  /** The root node's range in the piece (the library's contents.range[0..1]). */
  root: [number, number];
  /** The document's range in the piece (the library's range[0] and range[2]). */
  doc: [number, number];
}

const readers = {
  resource: createFastReader(KUSTOMIZE_YAML_OPTIONS),
  kustomization: createFastReader(YAML_OPTIONS),
};

/**
 * The plain value of one YAML document when the quick reader takes it (the
 * library would parse it as one document without errors, and give this
 * value); undefined otherwise.
 */
export function readPlainDocument(text: string, schema: 'resource' | 'kustomization'): { value: unknown } | undefined {
  return readers[schema].read(text);
}

const MARKER = /^---(?:[ \t]|$)/;

/** The piece's value and ranges, or undefined when the library must parse it (anything but one plain block mapping). */
export function readFastPiece(text: string, schema: 'resource' | 'kustomization'): FastPiece | undefined {
  const reader = readers[schema];
  // Anchored scalars and their aliases (`name: &app radarr` … `*app`) written out for the reader; the ranges
  // below are the original text's.
  const plain = writeOutScalarAliases(text, (written) => {
    const v = (reader.read(`v: ${written}\n`)?.value as { v?: unknown } | undefined)?.v;
    return v !== undefined && (v === null || typeof v !== 'object');
  });
  if (plain === undefined) return undefined;
  // One-line flow collections (`capabilities: { drop: ["ALL"] }`) written as block YAML for the reader.
  const read = reader.read(writeOutFlowLines(plain));
  const value = read?.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  let marker = -1;
  let rootStart = -1;
  let lastEnd = -1;
  let lastValueLine = '';
  let indentedCommentAfter = false;
  for (let s = 0; s < text.length;) {
    const nl = text.indexOf('\n', s);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(s, end);
    const trimmed = line.trim();
    if (rootStart < 0 && marker < 0 && MARKER.test(line)) marker = s;
    else if (trimmed.startsWith('#')) {
      // An indented comment after the last value may or may not belong to the root: the library's to say.
      if (rootStart >= 0 && line[0] !== '#') indentedCommentAfter = true;
    } else if (trimmed) {
      if (rootStart < 0) rootStart = s + (line.length - line.trimStart().length);
      lastEnd = nl < 0 ? end : end + 1;
      lastValueLine = trimmed;
      indentedCommentAfter = false;
    }
    s = end + 1;
  }
  if (rootStart < 0 || indentedCommentAfter) return undefined;
  // A document ending in an empty value (`key:`, `-`) ends its root where that value would be: the library's to say.
  const lastValue = lastValueLine.replace(/\s+#.*$/, '');
  if (lastValue.endsWith(':') || lastValue === '-' || lastValue.endsWith(' -')) return undefined;
  return { value: value as Record<string, unknown>, root: [rootStart, lastEnd], doc: [marker < 0 ? rootStart : marker, text.length] };
}
