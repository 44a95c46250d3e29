/**
 * Helm's `--set` value language (helm pkg/strvals), as used by `helm --set`,
 * `--set-string`, `--set-literal` and by Flux for `valuesFrom[].targetPath`.
 *
 * A line is `path=value[,path=value...]`. In a path `.` separates keys, `\x`
 * takes `x` literally, and `name[N]` indexes a list (growing it with nulls).
 * A value is split at `,`, `{a,b}` is a list, and in typed mode the text is
 * guessed: true/false/null in any letter case, `0`, and integers that do not
 * start with `0` (a sign is allowed) become booleans/null/numbers; everything
 * else stays a string. String mode keeps every value a string; literal mode
 * (`--set-literal`) takes everything after the first `=` verbatim, with no
 * escapes, commas or lists.
 *
 * The parser writes into an existing tree in place, exactly like Helm (it
 * reuses existing maps and lists, so shared sub-trees see the change).
 * Mistakes come back as `{ ok: false, error }`; nothing throws.
 */
import { Leaf, newMap, newList, has, isMap, isList, isNil, type Node, type NodeMap, type ValueSource, type PlainValue, toPlain } from './tree.ts';

export type StrvalsMode = 'typed' | 'string' | 'literal';
export type StrvalsResult = { ok: true } | { ok: false; error: string };

export const MAX_INDEX = 65536;
export const MAX_NESTED_NAME_LEVEL = 30;

/** An error value; `eof` marks Go's io.EOF (possibly wrapped), which ends parsing quietly. */
class SErr {
  constructor(
    readonly message: string,
    readonly eof = false,
  ) {}
}
const EOF = new SErr('EOF', true);
const NOT_LIST = new SErr('not a list');

/** A Go runtime panic (failed type assertion), recovered by the enclosing key() call. */
class GoPanic {
  constructor(readonly message: string) {}
}

function goTypeName(n: Node | undefined): string {
  if (n === null || n === undefined) return 'nil';
  if (n instanceof Leaf) {
    if (n.value === null) return 'nil';
    if (typeof n.value === 'string') return 'string';
    if (typeof n.value === 'boolean') return 'bool';
    return Number.isInteger(n.value) ? 'int64' : 'float64';
  }
  return Array.isArray(n) ? '[]interface {}' : 'map[string]interface {}';
}

function assertList(n: Node): Node[] {
  if (isList(n)) return n;
  throw new GoPanic(`interface conversion: interface {} is ${goTypeName(n)}, not []interface {}`);
}

function assertMap(n: Node): NodeMap {
  if (isMap(n)) return n;
  throw new GoPanic(`interface conversion: interface {} is ${goTypeName(n)}, not map[string]interface {}`);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go strconv.Atoi. */
function atoi(s: string): number | SErr {
  if (!/^[+-]?[0-9]+$/.test(s)) return new SErr(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) && (BigInt(s) > 2n ** 63n - 1n || BigInt(s) < -(2n ** 63n))) {
    return new SErr(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  }
  return n;
}

/** Helm's type guessing for `--set` values. */
export function guessType(val: string): string | number | boolean | null {
  const folded = foldAscii(val);
  if (folded === 'true') return true;
  if (folded === 'false') return false;
  if (folded === 'null') return null;
  if (val === '0') return 0;
  if (val.length !== 0 && val[0] !== '0' && /^[+-]?[0-9]+$/.test(val)) {
    const big = BigInt(val);
    if (big >= -(2n ** 63n) && big <= 2n ** 63n - 1n) return Number(big);
  }
  return val;
}

/** Case folding as Go's strings.EqualFold sees the letters of true/false/null (ſ folds to s). */
function foldAscii(s: string): string {
  if (s.length > 8) return s;
  return s.replace(/\u017f/g, 's').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

class Parser {
  private pos = 0;
  constructor(
    private readonly runes: string[],
    private readonly mode: StrvalsMode,
    private readonly source: ValueSource | undefined,
  ) {}

  private readRune(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }

  private unreadRune(): void {
    this.pos--;
  }

  /** Reads until one of `stop`; returns the text, the stop rune (undefined at end) and EOF. */
  private runesUntil(stop: string): { text: string; last: string | undefined; eof: boolean } {
    let text = '';
    for (;;) {
      const r = this.readRune();
      if (r === undefined) return { text, last: undefined, eof: true };
      if (stop.includes(r)) return { text, last: r, eof: false };
      if (r === '\\' && this.mode !== 'literal') {
        const next = this.readRune();
        if (next === undefined) return { text, last: undefined, eof: true };
        text += next;
      } else {
        text += r;
      }
    }
  }

  private leaf(text: string): Leaf {
    return new Leaf(this.mode === 'typed' ? guessType(text) : text, this.source);
  }

  parse(data: NodeMap): SErr | undefined {
    for (;;) {
      const err = this.key(data, 0);
      if (err === undefined) continue;
      if (err.eof) return undefined;
      return err;
    }
  }

  private key(data: NodeMap, level: number): SErr | undefined {
    try {
      return this.keyInner(data, level);
    } catch (e) {
      if (e instanceof GoPanic) return new SErr(`unable to parse key: ${e.message}`);
      throw e;
    }
  }

  private keyInner(data: NodeMap, level: number): SErr | undefined {
    const literal = this.mode === 'literal';
    const { text: k, last, eof } = this.runesUntil(literal ? '=[.' : '=[,.');
    if (eof) {
      if (k.length === 0) return EOF;
      return new SErr(`key ${goQuote(k)} has no value`);
    }
    if (last === '[') {
      const i = this.keyIndex();
      if (i instanceof SErr) return new SErr(`error parsing index: ${i.message}`, i.eof);
      let list: Node[] = newList([], this.source);
      if (has(data, k)) list = assertList(data[k]);
      const r = this.listItem(list, i, level);
      set(data, k, r.list);
      return r.err;
    }
    if (last === '=') {
      if (literal) {
        const { text } = this.runesUntil('');
        set(data, k, new Leaf(text, this.source));
        return undefined;
      }
      const vl = this.valList();
      if (vl.err === undefined) {
        set(data, k, vl.list);
        return undefined;
      }
      if (vl.err.eof) {
        set(data, k, new Leaf('', this.source));
        return vl.err;
      }
      if (vl.err === NOT_LIST) {
        // Helm drops the end-of-input from reading the value here; the next key() call sees it.
        const v = this.runesUntil(',');
        set(data, k, this.leaf(v.text));
        return undefined;
      }
      return vl.err;
    }
    if (last === ',') {
      set(data, k, new Leaf('', this.source));
      return new SErr(`key ${goQuote(k)} has no value (cannot end with ,)`);
    }
    // last === '.'
    level++;
    if (level > MAX_NESTED_NAME_LEVEL) {
      return new SErr(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`);
    }
    let inner = newMap(this.source);
    if (has(data, k)) inner = assertMap(data[k]);
    const e = this.key(inner, level);
    const size = Object.keys(inner).length;
    if (e === undefined && size === 0) return new SErr(`key map ${goQuote(k)} has no value`);
    if (size !== 0) set(data, k, inner);
    return e;
  }

  private keyIndex(): number | SErr {
    const { text, eof } = this.runesUntil(']');
    if (eof) return EOF;
    return atoi(text);
  }

  private listItem(list: Node[], i: number, level: number): { list: Node[]; err?: SErr } {
    if (i < 0) return { list, err: new SErr(`negative ${i} index not allowed`) };
    const { text: k, last, eof } = this.runesUntil('[.=');
    if (k.length > 0) return { list, err: new SErr(`unexpected data at end of array index: ${goQuote(k)}`) };
    if (eof) return { list, err: EOF };
    if (last === '=') {
      if (this.mode === 'literal') {
        const { text } = this.runesUntil('');
        return setIndex(list, i, new Leaf(text, this.source));
      }
      const vl = this.valList();
      if (vl.err === undefined) return setIndex(list, i, vl.list);
      if (vl.err.eof) return setIndex(list, i, new Leaf('', this.source));
      if (vl.err === NOT_LIST) {
        const v = this.runesUntil(',');
        return setIndex(list, i, this.leaf(v.text));
      }
      return { list, err: vl.err };
    }
    if (last === '[') {
      const nextI = this.keyIndex();
      if (nextI instanceof SErr) return { list, err: new SErr(`error parsing index: ${nextI.message}`, nextI.eof) };
      let crt: Node[] = newList([], this.source);
      if (list.length > i && !isNil(list[i])) crt = assertList(list[i]);
      const r = this.listItem(crt, nextI, level);
      if (r.err) return { list, err: r.err };
      return setIndex(list, i, r.list);
    }
    // last === '.'
    let inner = newMap(this.source);
    if (list.length > i) {
      const cur = list[i];
      if (isMap(cur)) inner = cur;
      else list[i] = inner; // indices out of order: start an empty map
    }
    const e = this.key(inner, level);
    if (e) return { list, err: e };
    return setIndex(list, i, inner);
  }

  private valList(): { list: Node[]; err?: SErr } {
    const r = this.readRune();
    if (r === undefined) return { list: [], err: EOF };
    if (r !== '{') {
      this.unreadRune();
      return { list: [], err: NOT_LIST };
    }
    const list = newList([], this.source);
    for (;;) {
      const { text, last, eof } = this.runesUntil(',}');
      if (eof) return { list, err: new SErr("list must terminate with '}'") };
      if (last === '}') {
        const next = this.readRune();
        if (next !== undefined && next !== ',') this.unreadRune();
        list.push(this.leaf(text));
        return { list };
      }
      list.push(this.leaf(text));
    }
  }
}

function set(data: NodeMap, key: string, val: Node): void {
  if (key.length === 0) return;
  data[key] = val;
}

/** Go's setIndex: writes in place when the list is long enough, otherwise into a new, longer list. */
function setIndex(list: Node[], index: number, val: Node): { list: Node[]; err?: SErr } {
  if (index < 0) return { list, err: new SErr(`negative ${index} index not allowed`) };
  if (index > MAX_INDEX) return { list, err: new SErr(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`) };
  let out = list;
  if (list.length <= index) {
    out = newList(new Array<Node>(index + 1).fill(null));
    for (let j = 0; j < list.length; j++) out[j] = list[j];
  }
  out[index] = val;
  return { list: out };
}

/** Parses a `--set` line into `dest` (in place). */
export function parseSetInto(line: string, dest: NodeMap, mode: StrvalsMode = 'typed', source?: ValueSource): StrvalsResult {
  const p = new Parser(Array.from(line), mode, source);
  const err = p.parse(dest);
  return err ? { ok: false, error: err.message } : { ok: true };
}

/** Parses a `--set` line into a fresh plain object (what `helm --set line` would contribute). */
export function parseSet(line: string, mode: StrvalsMode = 'typed'): { ok: true; value: { [key: string]: PlainValue } } | { ok: false; error: string } {
  const dest = newMap();
  const r = parseSetInto(line, dest, mode);
  if (!r.ok) return r;
  return { ok: true, value: toPlain(dest) as { [key: string]: PlainValue } };
}

/**
 * Flux's `ReplacePathValue` for a valuesFrom entry with `targetPath`: builds
 * `path=value` and parses it into `dest`. Text wrapped in quotes of the same
 * kind at both ends has every leading and trailing quote character removed
 * and is parsed in string mode; `literal` uses Helm's `--set-literal` parser.
 */
export function replacePathValue(dest: NodeMap, path: string, value: string, options: { literal?: boolean; source?: ValueSource } = {}): StrvalsResult {
  if (options.literal) return parseSetInto(`${path}=${value}`, dest, 'literal', options.source);
  const single = value.startsWith("'") && value.endsWith("'");
  const double = value.startsWith('"') && value.endsWith('"');
  if (single || double) {
    const trimmed = value.replace(/^['"]+/, '').replace(/['"]+$/, '');
    return parseSetInto(`${path}=${trimmed}`, dest, 'string', options.source);
  }
  return parseSetInto(`${path}=${value}`, dest, 'typed', options.source);
}
