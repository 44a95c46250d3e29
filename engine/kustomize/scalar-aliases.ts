/**
 * Anchors and aliases of one-line scalars, written out, so that the quick
 * reader (yaml/fast.ts, which takes no anchors or aliases) can read a piece
 * such as a HelmRelease written the common way:
 *
 *     metadata:
 *       name: &app radarr
 *     spec:
 *       values:
 *         fullnameOverride: *app
 *
 * becomes the same text without `&app ` and with `*app` replaced by the
 * anchored scalar as written (`radarr`, quotes kept), so the reader resolves
 * it with the same tag as the library resolves the anchored node, and an
 * alias of a scalar is that node's value. Only the cases where that is plainly
 * true are written out; for anything else (an anchor on a mapping, a list or
 * a key, a scalar that may go on over the next line or has a comment, a
 * block scalar, a tag, an alias used as a key or as a merge key, an alias
 * before its anchor, many aliases) the answer is undefined and the library
 * parses the piece as before.
 *
 * Lines inside block scalars (`|`, `>`) are copied as they are: every line
 * after one that ends in a block indicator (or in `|`/`>` at all) is taken
 * as content while it is blank or indented more than that line (more lines
 * than the content really has, so an anchor there is left for the reader,
 * which refuses it).
 */

/** The library refuses more aliases than its maxAliasCount (yaml/documents.ts); far below it here. */
const MAX_ALIASES = 50;

const ANCHOR = /^&([^\s,[\]{}]+)(?: +(.*))?$/;
const ALIAS = /^\*([^\s,[\]{}]+) *$/;
/** A line that may start a block scalar (more lines than that: skipping too many only leaves them to the reader). */
const BLOCK = /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$/;

interface Line {
  indent: number;
  /** Everything up to the value: indentation, `- ` items and `key: `. */
  head: string;
  key: string | undefined;
  /** Column where the node holding the value is indented (the key's, or the last `- `'s). */
  column: number;
  value: string;
}

function split(line: string): Line {
  let i = 0;
  while (line[i] === ' ') i++;
  const indent = i;
  let column = indent;
  while (line[i] === '-' && line[i + 1] === ' ') {
    column = i;
    i += 2;
    while (line[i] === ' ') i++;
  }
  const rest = line.slice(i);
  const colon = rest.indexOf(': ');
  if (colon > 0 && rest[0] !== '#') {
    let v = colon + 2;
    while (rest[v] === ' ') v++;
    return { indent, head: line.slice(0, i + v), key: rest.slice(0, colon), column: i, value: rest.slice(v) };
  }
  return { indent, head: line.slice(0, i), key: undefined, column, value: rest };
}

/** Indentation of the next line that is not blank or a comment (-1 at the end). */
function nextIndent(lines: string[], from: number): number {
  for (let j = from; j < lines.length; j++) {
    const l = lines[j]!;
    const t = l.trimStart();
    if (t === '' || t[0] === '#') continue;
    return l.length - t.length;
  }
  return -1;
}

/**
 * The text with its scalar anchors and aliases written out, the text itself when it has none, or undefined
 * when it has some this does not write out. `isScalar` says whether a written scalar is one the reader takes
 * as a one-line scalar value.
 */
export function writeOutScalarAliases(text: string, isScalar: (written: string) => boolean): string | undefined {
  if (!text.includes('&') && !text.includes('*')) return text;
  const lines = text.split('\n');
  const anchors = new Map<string, string>();
  let aliases = 0;
  let changed = false;
  let blockAbove = -1;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const trimmed = raw.trimStart();
    if (blockAbove >= 0) {
      if (trimmed === '' || raw.length - trimmed.length > blockAbove) continue;
      blockAbove = -1;
    }
    if (trimmed === '' || trimmed[0] === '#') continue;
    const line = split(raw);
    const v = line.value;
    if (BLOCK.test(trimmed)) {
      blockAbove = line.indent;
      continue;
    }
    if (v[0] === '&') {
      const m = ANCHOR.exec(v);
      const written = m?.[2]?.trim();
      if (!m || !written || written.includes('#') || '|>!&*{['.includes(written[0]!)) return undefined;
      // A plain or quoted scalar may go on over more indented lines: then it is not one line.
      if (nextIndent(lines, n + 1) > line.column) return undefined;
      if (!isScalar(written)) return undefined;
      anchors.set(m[1]!, written);
      lines[n] = line.head + written;
      changed = true;
    } else if (v[0] === '*') {
      const m = ALIAS.exec(v);
      if (!m || line.key === '<<' || ++aliases > MAX_ALIASES) return undefined;
      const written = anchors.get(m[1]!);
      if (written === undefined) return undefined;
      lines[n] = line.head + written;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : text;
}
