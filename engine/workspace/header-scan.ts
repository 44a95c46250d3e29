/**
 * A fast pass over YAML text that finds each document's identity
 * (apiVersion, kind, metadata.name, metadata.namespace) without a full
 * parse. The workspace index uses it so that thousands of files can be
 * indexed in well under a second; features that need a document's content
 * parse it lazily. Only plain or simply quoted scalars on their own lines
 * are recognised (flow-style headers are left to the full parse).
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

function scalar(raw: string): string {
  let v = raw.trim();
  const hash = v.search(/\s#/);
  if (hash >= 0) v = v.slice(0, hash).trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  return v;
}

export function scanHeaders(text: string): DocumentHeader[] {
  const docs: DocumentHeader[] = [];
  let current: DocumentHeader = { start: 0, end: text.length };
  let inMetadata = false;
  let metaIndent = -1;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    if (line.startsWith('---') && (line.length === 3 || /^---[ \t\r]/.test(line))) {
      if (pos !== 0) {
        current.end = pos;
        docs.push(current);
        current = { start: pos, end: text.length };
      }
      inMetadata = false;
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
          const value = scalar(m[2]);
          if (m[1] === 'name' && value) {
            current.name = value;
            current.nameOffset = pos + line.indexOf(m[2]) + (m[2].length - m[2].trimStart().length);
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
