/**
 * Finds suppression comments in a YAML file's text:
 *
 *   # fluxhelm-disable-next-line CODE[,CODE]   the next non-comment line
 *   key: value  # fluxhelm-disable-line CODE    the line it ends
 *   # fluxhelm-disable CODE                     the whole file
 *
 * Without a code a directive covers every code. Anything after ` -- ` is a
 * free-text reason. A `#` counts only where YAML starts a comment: at the
 * start of a line or after whitespace, outside quoted scalars.
 */
export type DirectiveKind = 'next-line' | 'line' | 'file';

export interface SuppressDirective {
  kind: DirectiveKind;
  /** Codes listed; empty means all codes. */
  codes: string[];
  /** 0-based line of the comment. */
  line: number;
  /** 0-based lines the directive covers (`file`: every line). */
  target: number;
  /** Character range of the comment on its line (from `#`). */
  start: number;
  end: number;
  /** Character range of each listed code on the line, same order as `codes`. */
  codeRanges: [number, number][];
}

const DIRECTIVE = /^#\s*fluxhelm-disable(-next-line|-line)?(?=\s|$)/;

/** The character index of the `#` opening a comment on the line, or -1. */
export function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && line[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return i;
    // Quotes open a quoted scalar only where a scalar may start.
    if ((c === '"' || c === "'") && (i === 0 || /[\s:,[{-]/.test(line[i - 1]))) quote = c;
  }
  return -1;
}

export function findDirectives(text: string): SuppressDirective[] {
  if (!text.includes('fluxhelm-disable')) return [];
  const lines = text.split(/\r?\n/);
  const out: SuppressDirective[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (!line.includes('fluxhelm-disable')) continue;
    const hash = commentStart(line);
    if (hash < 0) continue;
    const comment = line.slice(hash);
    const m = DIRECTIVE.exec(comment);
    if (!m) continue;
    const kind: DirectiveKind = m[1] === '-next-line' ? 'next-line' : m[1] === '-line' ? 'line' : 'file';
    // Codes run up to an optional ` -- reason`.
    let rest = comment.slice(m[0].length);
    const reason = rest.search(/\s--(\s|$)/);
    if (reason >= 0) rest = rest.slice(0, reason);
    const codes: string[] = [];
    const codeRanges: [number, number][] = [];
    const re = /[^\s,]+/g;
    for (let c = re.exec(rest); c; c = re.exec(rest)) {
      const at = hash + m[0].length + c.index;
      codes.push(c[0]);
      codeRanges.push([at, at + c[0].length]);
    }
    let target = n;
    if (kind === 'next-line') {
      // Skip blank lines and further comment lines, so several directives can be stacked.
      target = n + 1;
      while (target < lines.length && /^\s*(#.*)?$/.test(lines[target])) target++;
    }
    out.push({ kind, codes, line: n, target: kind === 'file' ? -1 : target, start: hash, end: line.length, codeRanges });
  }
  return out;
}
