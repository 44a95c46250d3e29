/**
 * The part of the Flux Operator's ResourceSet templating that can be
 * evaluated without running Go: actions `<< inputs.a.b >>` (also with the
 * `<<-` / `->>` trim markers) followed by a pipeline of common functions
 * (quote, squote, int, float64, bool, toString, lower, upper, title, trim,
 * trimPrefix, trimSuffix, replace, trunc, default, slugify, toYaml, toJson,
 * indent, nindent, b64enc). Anything else (if/range/with, variables, other
 * functions) makes the text "not evaluated": the caller says so instead of
 * guessing.
 */
import { stringify } from 'yaml';

export type TemplateResult =
  | { ok: true; text: string; missing: string[] }
  | { ok: false; reason: string };

const ACTION = /<<(-?)([\s\S]*?)(-?)>>/g;

/** Splits a pipeline on `|` outside quotes, and a command into words (quoted strings kept whole). */
function split(text: string, sep: '|' | ' '): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of text) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === '`') {
      quote = ch;
      cur += ch;
    } else if (sep === '|' ? ch === '|' : /\s/.test(ch)) {
      if (sep === '|' || cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (sep === '|' || cur) out.push(cur);
  return out.map((s) => s.trim());
}

/** Go's fmt %v of a value, as templates print it. */
function print(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') return Array.isArray(v) ? `[${v.map(print).join(' ')}]` : `map[${Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => `${k}:${print(x)}`).join(' ')}]`;
  return String(v);
}

function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

const UNKNOWN = Symbol('unknown');

interface Ctx {
  inputs: Record<string, unknown>;
  missing: string[];
}

function term(word: string, ctx: Ctx): unknown {
  if (/^".*"$/.test(word)) {
    try {
      return JSON.parse(word) as string;
    } catch {
      return UNKNOWN;
    }
  }
  if (/^`.*`$/.test(word)) return word.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  if (word === 'true' || word === 'false') return word === 'true';
  if (word === 'inputs') return ctx.inputs;
  if (word.startsWith('inputs.')) {
    let v: unknown = ctx.inputs;
    for (const part of word.slice(7).split('.')) {
      if (v && typeof v === 'object' && !Array.isArray(v) && part in v) v = (v as Record<string, unknown>)[part];
      else {
        ctx.missing.push(word.slice(7));
        return undefined;
      }
    }
    return v;
  }
  return UNKNOWN;
}

type Fn = (args: unknown[], piped: unknown) => unknown;

const str = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? print(v) : String(v));
const indentText = (n: unknown, s: unknown) => str(s).split('\n').map((l) => ' '.repeat(Number(n) || 0) + l).join('\n');
const toYaml = (v: unknown) => (v === undefined || v === null ? 'null' : stringify(v, { lineWidth: 0 }).replace(/\n$/, ''));

const FUNCS = new Map<string, Fn>(Object.entries({
  quote: (_a, p) => JSON.stringify(str(p)),
  squote: (_a, p) => `'${str(p)}'`,
  int: (_a, p) => Math.trunc(Number(p) || 0),
  int64: (_a, p) => Math.trunc(Number(p) || 0),
  float64: (_a, p) => Number(p) || 0,
  bool: (_a, p) => p === true || p === 'true',
  ['toString']: (_a: unknown[], p: unknown) => str(p),
  lower: (_a, p) => str(p).toLowerCase(),
  upper: (_a, p) => str(p).toUpperCase(),
  title: (_a, p) => str(p).replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (_a, p) => str(p).trim(),
  trimPrefix: ([pre], p) => (str(p).startsWith(str(pre)) ? str(p).slice(str(pre).length) : str(p)),
  trimSuffix: ([suf], p) => (str(suf) && str(p).endsWith(str(suf)) ? str(p).slice(0, -str(suf).length) : str(p)),
  replace: ([a, b], p) => str(p).split(str(a)).join(str(b)),
  trunc: ([n], p) => str(p).slice(0, Number(n)),
  default: ([d], p) => (p === undefined || p === null || p === '' || p === false || p === 0 ? d : p),
  slugify: (_a, p) => slugify(str(p)),
  toYaml: (_a, p) => toYaml(p),
  toJson: (_a, p) => JSON.stringify(p ?? null),
  indent: ([n], p) => indentText(n, p),
  nindent: ([n], p) => `\n${indentText(n, p)}`,
  b64enc: (_a, p) => Buffer.from(str(p), 'utf8').toString('base64'),
} satisfies Record<string, Fn>));

function pipeline(text: string, ctx: Ctx): unknown {
  let value: unknown = UNKNOWN;
  const stages = split(text, '|');
  const missingBefore = ctx.missing.length;
  stages.forEach((stage, i) => {
    if (value === UNKNOWN && i > 0) return;
    const words = split(stage, ' ');
    if (words.length === 0) {
      value = UNKNOWN;
      return;
    }
    const fn = FUNCS.get(words[0]);
    if (!fn) {
      value = i === 0 && words.length === 1 ? term(words[0], ctx) : UNKNOWN;
      return;
    }
    const args = words.slice(1).map((w) => term(w, ctx));
    if (args.includes(UNKNOWN)) {
      value = UNKNOWN;
      return;
    }
    // A function written first takes its last argument as the piped value (`default "x" inputs.a`).
    value = i === 0 ? fn(args.slice(0, -1), args[args.length - 1]) : fn(args, value);
  });
  // An input that `default` stands in for is not missing.
  if (stages.some((st) => split(st, ' ')[0] === 'default')) ctx.missing.length = missingBefore;
  return value;
}

/** Renders the `<< >>` actions of `text` with `inputs`. */
export function renderTemplate(text: string, inputs: Record<string, unknown>): TemplateResult {
  const ctx: Ctx = { inputs, missing: [] };
  let out = '';
  let last = 0;
  for (const m of text.matchAll(ACTION)) {
    const body = m[2].trim();
    if (/^(if|else|end|range|with|define|template|block|break|continue)\b/.test(body) || body.includes('$') || body.startsWith('/*')) {
      return { ok: false, reason: `\`<< ${body.split(/\s/)[0]} … >>\`` };
    }
    let before = text.slice(last, m.index);
    if (m[1] === '-') before = before.replace(/\s+$/, '');
    const value = pipeline(body, ctx);
    if (value === UNKNOWN) return { ok: false, reason: `\`<< ${body} >>\`` };
    out += before + print(value);
    last = m.index + m[0].length;
    if (m[3] === '-') {
      const rest = text.slice(last);
      last += rest.length - rest.replace(/^\s+/, '').length;
    }
  }
  return { ok: true, text: out + text.slice(last), missing: ctx.missing };
}

/** Whether a string holds a template action. */
export const hasTemplate = (s: string): boolean => s.includes('<<') && s.includes('>>');

/** The key under which Permute scopes a provider's inputs: lowercase, `-` to `_`, other characters dropped. */
export function permuteKey(name: string): string {
  return name.toLowerCase().replace(/-/g, '_').replace(/[^a-z0-9_]/g, '').split('_').filter(Boolean).join('_');
}
