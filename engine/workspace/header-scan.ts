/**
 * A fast pass over YAML text that finds each document's identity
 * (apiVersion, kind, metadata.name, metadata.namespace) without a full
 * parse. The workspace index uses it so that thousands of files can be
 * indexed in well under a second; features that need a document's content
 * parse it lazily. Only plain or simply quoted scalars on their own lines
 * are recognised (flow-style headers are left to the full parse). An anchor
 * (`name: &app foo`) or a tag in front of the value is not part of it, and an
 * alias (`name: *app`) takes the value of an anchor defined earlier in the
 * same document.
 */

export interface DocumentHeader {
  /** Offsets of the document piece in the file text. */
  start: number;
  end: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** Offset of the metadata.name value, for navigation. */
  nameOffset?: number;
}

/** Anchor and tag properties before a value: `&app `, `!!str `, `&a !!str `. */
const PROPERTIES = /^(?:(?:&[^\s]+|![^\s]*)[ \t]+)+/;

/** Length of the anchor/tag prefix of a raw value (after its leading spaces). */
function propertiesLength(raw: string): number {
  return PROPERTIES.exec(raw)?.[0].length ?? 0;
}

interface Anchor {
  value: string;
  /** Offset of the anchored value's first character in the file. */
  offset: number;
}

/** Offset of a value's first character within `raw` (after spaces, anchor/tag and an opening quote). */
function valueStart(raw: string): number {
  const lead = raw.length - raw.trimStart().length;
  const at = lead + propertiesLength(raw.slice(lead));
  return raw[at] === '"' || raw[at] === "'" ? at + 1 : at;
}

function scalar(raw: string, anchors?: Map<string, Anchor>): string {
  let v = raw.trim();
  const hash = v.search(/\s#/);
  if (hash >= 0) v = v.slice(0, hash).trim();
  v = v.slice(propertiesLength(v));
  if (anchors && /^\*[^\s]+$/.test(v)) return anchors.get(v.slice(1))?.value ?? v;
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  return v;
}

/** Records `key: &anchor value` definitions of a line (block scalars and nodes are left out). */
function recordAnchor(line: string, lineStart: number, anchors: Map<string, Anchor>): void {
  if (!line.includes('&')) return;
  const m = /(?::|^\s*-)\s+&([^\s]+)[ \t]+(.+)$/.exec(line);
  if (!m) return;
  const value = scalar(m[2]);
  if (!value || /^[|>[{]/.test(value)) return;
  const raw = m[0].slice(m[0].indexOf('&'));
  anchors.set(m[1], { value, offset: lineStart + m.index + m[0].indexOf('&') + valueStart(raw) });
}

export function scanHeaders(text: string): DocumentHeader[] {
  const docs: DocumentHeader[] = [];
  let current: DocumentHeader = { start: 0, end: text.length };
  let inMetadata = false;
  let metaIndent = -1;
  let anchors = new Map<string, Anchor>();
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    const separator = line.startsWith('---') && (line.length === 3 || /^---[ \t\r]/.test(line));
    if (separator) {
      if (pos !== 0) {
        current.end = pos;
        docs.push(current);
        current = { start: pos, end: text.length };
      }
      inMetadata = false;
      anchors = new Map();
    } else recordAnchor(line, pos, anchors);
    if (separator) {
      // a new document starts on the next line
    } else if (line.length && line[0] !== ' ' && line[0] !== '\t' && line[0] !== '#') {
      inMetadata = false;
      const m = /^([A-Za-z]+):(.*)$/.exec(line);
      if (m) {
        if (m[1] === 'apiVersion') current.apiVersion = scalar(m[2]);
        else if (m[1] === 'kind') current.kind = scalar(m[2]);
        else if (m[1] === 'metadata' && scalar(m[2]) === '') {
          inMetadata = true;
          metaIndent = -1;
        }
      }
    } else if (inMetadata && line.trim() && !line.trimStart().startsWith('#')) {
      const indent = line.length - line.trimStart().length;
      if (metaIndent < 0) metaIndent = indent;
      if (indent === metaIndent) {
        const m = /^\s+(name|namespace):(.*)$/.exec(line);
        if (m) {
          const value = scalar(m[2], anchors);
          if (m[1] === 'name' && value) {
            current.name = value;
            const alias = /^\s*\*([^\s]+)/.exec(m[2]);
            // An alias names the anchored value: navigation and rename go there.
            current.nameOffset = alias ? anchors.get(alias[1])?.offset : pos + line.indexOf(m[2]) + valueStart(m[2]);
          } else if (m[1] === 'namespace' && value) current.namespace = value;
        }
      }
    }
    pos = nl + 1;
  }
  current.end = text.length;
  docs.push(current);
  return docs.filter((d) => d.apiVersion !== undefined || d.kind !== undefined || d.start === 0);
}
