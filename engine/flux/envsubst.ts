/**
 * Flux postBuild variable substitution on text, with the behaviour of the
 * library kustomize-controller uses (drone/envsubst):
 * - only `${...}` is an expression; a bare `$name` is left alone;
 * - `$$` escapes a dollar: `$${x}` yields the text `${x}`;
 * - `${x:=d}`, `${x:-d}`, `${x=d}` (and, in that library, `:?` and `:+`) all
 *   mean "d when x is empty or undefined";
 * - undefined variables without a default become the empty string;
 * - also `${x^}`, `${x^^}`, `${x,}`, `${x,,}`, `${x:1:2}`, `${#x}`,
 *   `${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}` (glob patterns), and
 *   `${x/a/b}`, `${x//a/b}`, `${x/#a/b}`, `${x/%a/b}`;
 * - variable names may contain letters, digits, `_` and `-` (so `${a-b}` is
 *   the variable `a-b`, not a default).
 * Malformed expressions give an error ("bad substitution"), never a throw.
 */

export interface SubstitutionUse {
  name: string;
  /** Offset of `$` in the input. */
  start: number;
  end: number;
  hasDefault: boolean;
}

export type SubstResult = { ok: true; text: string; uses: SubstitutionUse[] } | { ok: false; error: string; offset: number };

const isIdent = (c: string) => /[\p{L}\p{N}_-]/u.test(c);

/** Go's path.Match for the `#`/`%` operators: `*`, `?`, `[...]` (with `^` negation), `\` escapes. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return /$^/;
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('^')) body = `^${body.slice(1).replace(/\\/g, '\\\\')}`;
      re += `[${body}]`;
      i = close;
    } else re += c.replace(/[.+^$(){}|\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function trim(s: string, pattern: string, fromEnd: boolean, longest: boolean): string {
  const re = globToRegExp(pattern);
  const n = s.length;
  const lengths = longest ? Array.from({ length: n + 1 }, (_, i) => n - i) : Array.from({ length: n + 1 }, (_, i) => i);
  for (const len of lengths) {
    if (len === 0) continue;
    const part = fromEnd ? s.slice(n - len) : s.slice(0, len);
    if (re.test(part)) return fromEnd ? s.slice(0, n - len) : s.slice(len);
  }
  return s;
}

class Parser {
  pos = 0;
  uses: SubstitutionUse[] = [];
  constructor(readonly src: string, readonly lookup: (name: string) => string | undefined) {}

  fail(msg = 'bad substitution'): never {
    throw Object.assign(new Error(msg), { offset: this.pos });
  }

  /** Text until `stop` (a set of characters) at top level, expanding nested expressions. */
  text(stop: string): string {
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (stop.includes(c)) break;
      if (c === '$' && this.src[this.pos + 1] === '$') {
        // An escaped dollar: drop one and keep the rest literal up to the next expression.
        out += '$';
        this.pos += 2;
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        out += this.expression();
        continue;
      }
      out += c;
      this.pos++;
    }
    return out;
  }

  name(): string {
    const start = this.pos;
    while (this.pos < this.src.length && isIdent(this.src[this.pos])) this.pos++;
    if (this.pos === start) this.fail();
    return this.src.slice(start, this.pos);
  }

  expect(c: string): void {
    if (this.src[this.pos] !== c) this.fail();
    this.pos++;
  }

  expression(): string {
    const start = this.pos;
    this.pos += 2; // ${
    if (this.src[this.pos] === '#') {
      this.pos++;
      const name = this.name();
      this.expect('}');
      this.uses.push({ name, start, end: this.pos, hasDefault: false });
      return String(new TextEncoder().encode(this.lookup(name) ?? '').length);
    }
    const name = this.name();
    const value = this.lookup(name) ?? '';
    const use: SubstitutionUse = { name, start, end: start, hasDefault: false };
    this.uses.push(use);
    const c = this.src[this.pos];
    let result: string;
    if (c === '}') {
      this.pos++;
      result = value;
    } else if ((c === ':' && '=-?+'.includes(this.src[this.pos + 1] ?? '')) || c === '=') {
      this.pos += c === '=' ? 1 : 2;
      use.hasDefault = true;
      const fallback = this.text('}');
      this.expect('}');
      result = value.length ? value : fallback;
    } else if (c === ':') {
      this.pos++;
      const first = this.text(':}');
      let second: string | undefined;
      if (this.src[this.pos] === ':') {
        this.pos++;
        second = this.text('}');
      }
      this.expect('}');
      result = substr(value, first, second);
    } else if (c === '^' || c === ',') {
      const op = this.src[this.pos + 1] === c ? c + c : c;
      this.pos += op.length;
      this.expect('}');
      const first = value.slice(0, 1);
      if (op === '^') result = first.toUpperCase() + value.slice(1);
      else if (op === '^^') result = value.toUpperCase();
      else if (op === ',') result = first.toLowerCase() + value.slice(1);
      else result = value.toLowerCase();
    } else if (c === '#' || c === '%') {
      const longest = this.src[this.pos + 1] === c;
      this.pos += longest ? 2 : 1;
      const pattern = this.text('}');
      this.expect('}');
      result = trim(value, pattern, c === '%', longest);
    } else if (c === '/') {
      this.pos++;
      let mode = '/';
      const m = this.src[this.pos];
      if (m === '/' || m === '#' || m === '%') {
        mode += m;
        this.pos++;
      }
      const from = this.text('/}');
      let to = '';
      if (this.src[this.pos] === '/') {
        this.pos++;
        to = this.text('}');
      }
      this.expect('}');
      if (mode === '//') result = from ? value.split(from).join(to) : value;
      else if (mode === '/#') result = value.startsWith(from) ? to + value.slice(from.length) : value;
      else if (mode === '/%') result = value.endsWith(from) ? value.slice(0, value.length - from.length) + to : value;
      else result = from ? value.replace(from, () => to) : value;
    } else {
      this.fail();
    }
    use.end = this.pos;
    return result;
  }
}

function substr(value: string, posText: string, lenText: string | undefined): string {
  let pos = Number.parseInt(posText, 10);
  if (!/^-?\d+$/.test(posText.trim())) return value;
  if (pos < 0) pos = Math.max(0, value.length + pos);
  if (lenText === undefined) return pos < value.length ? value.slice(pos) : '';
  if (!/^-?\d+$/.test(lenText.trim())) return value;
  const len = Number.parseInt(lenText, 10);
  if (pos + len >= value.length) return value.slice(pos);
  return value.slice(pos, pos + len);
}

/** Substitutes variables in `text`. `vars` maps names to values. */
export function substitute(text: string, vars: ReadonlyMap<string, string> | Record<string, string>): SubstResult {
  const lookup = vars instanceof Map ? (n: string) => vars.get(n) : (n: string) => (Object.hasOwn(vars, n) ? (vars as Record<string, string>)[n] : undefined);
  const p = new Parser(text, lookup);
  try {
    const out = p.text('');
    return { ok: true, text: out, uses: p.uses };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), offset: (e as { offset?: number }).offset ?? 0 };
  }
}

/** Names Flux accepts as variable keys in `substitute` and in ConfigMap/Secret data. */
export const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/; // POSIX [[:alpha:]] in Go is ASCII-only
