/**
 * The robustness run's input generator: a seeded random source and the
 * edits a busy (or careless) editor produces on real Flux YAML. Each
 * mutation turns the current text into a list of LSP content changes
 * (incremental ranges in UTF-16 positions, or the whole text), so the
 * server sees exactly what an editor would send: typing bursts, deleted,
 * duplicated and swapped lines, bad indentation, stray YAML tokens,
 * anchors and merge keys, unicode, tabs, `---`, lone carriage returns,
 * huge and deep documents and alias bombs.
 */
import type { LineIndex } from '../../engine/yaml/lines.ts';
import { linesAfter, linesFor } from './lines-memo.ts';

/** mulberry32: small, fast and the same sequence for the same seed on every machine. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * Math.max(1, n));
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
export type ContentChange = { text: string } | { range: Range; text: string };

export interface Edit {
  /** What the mutation did (for reports and fixture names). */
  name: string;
  /** Changes to send one `didChange` each (a typing burst sends several). */
  steps: ContentChange[][];
  /** The text after all steps. */
  text: string;
}

export interface MutateOptions {
  /** Allow documents of several hundred kilobytes (the long run); the suite keeps them small. */
  huge: boolean;
}

const TOKENS = ['&a ', '*a', '!!str ', '!!binary ', '{', '}', '[', ']', '|', '>-', '? ', '- ', ': ', '#', '%YAML 1.2', '...', '"', "'", '@', '`', ',', '<<: *a', '${var}', '${var:=x}', '\\', '\t', '---'];
const UNICODE = ['é', '日本語', '🚀', '\u0301', '\u200b', '\ufeff', '\u202e', 'ß', '\ud83d', '\u2028', 'Ω', '𝔘'];

/** Moves an offset that falls between the `\r` and `\n` of a line break after it (no position names that point). */
function whole(text: string, o: number): number {
  return text[o - 1] === '\r' && text[o] === '\n' ? o + 1 : o;
}

function replace(text: string, lines: LineIndex, rawStart: number, rawEnd: number, insert: string): { change: ContentChange; text: string } {
  const start = whole(text, rawStart);
  const end = Math.max(start, whole(text, rawEnd));
  const next = text.slice(0, start) + insert + text.slice(end);
  // The next edit (a keystroke of the same word) and the session find the new text's index kept.
  linesAfter(lines, start, end, insert, next);
  return { change: { range: lines.rangeOf(start, end), text: insert }, text: next };
}

function lineBounds(lines: LineIndex, line: number): [number, number] {
  const start = lines.lineStarts[line];
  const next = line + 1 < lines.lineCount ? lines.lineStarts[line + 1] : lines.text.length;
  return [start, next];
}

type Mutation = (text: string, rnd: Random, opts: MutateOptions) => Edit;

/** A single incremental change from one offset range to new text. */
function single(name: string, text: string, start: number, end: number, insert: string): Edit {
  const r = replace(text, linesFor(text), start, end, insert);
  return { name, steps: [[r.change]], text: r.text };
}

const mutations: [number, Mutation][] = [
  // Typing a word character by character somewhere, one didChange per key.
  [6, (text, rnd) => {
    const word = rnd.pick(['replicaCount: 3', 'interval: 5m', 'chart', 'sourceRef:', '  - name: x', 'valuesFrom', 'apiVersion: v1', 'kind: HelmRelease', ' ', ':', '\n  ']);
    let at = rnd.int(text.length + 1);
    const steps: ContentChange[][] = [];
    let t = text;
    for (const ch of word) {
      const r = replace(t, linesFor(t), at, at, ch);
      steps.push([r.change]);
      t = r.text;
      at += ch.length;
    }
    return { name: 'typing', steps, text: t };
  }],
  // Backspacing a few characters.
  [3, (text, rnd) => {
    let at = rnd.int(text.length + 1);
    const steps: ContentChange[][] = [];
    let t = text;
    for (let n = 1 + rnd.int(6); n > 0 && at > 0; n--) {
      const r = replace(t, linesFor(t), at - 1, at, '');
      steps.push([r.change]);
      t = r.text;
      at--;
    }
    return { name: 'backspace', steps, text: t };
  }],
  [3, (text, rnd) => {
    const lines = linesFor(text);
    const l = rnd.int(lines.lineCount);
    const [s, e] = lineBounds(lines, l);
    const count = 1 + rnd.int(3);
    const end = lineBounds(lines, Math.min(lines.lineCount - 1, l + count - 1))[1];
    return single('delete-lines', text, s, rnd.chance(0.5) ? end : e, '');
  }],
  [3, (text, rnd) => {
    const lines = linesFor(text);
    const l = rnd.int(lines.lineCount);
    const end = lineBounds(lines, Math.min(lines.lineCount - 1, l + rnd.int(8)))[1];
    const [s] = lineBounds(lines, l);
    let block = text.slice(s, end);
    if (!block.endsWith('\n')) block += '\n';
    return single('duplicate-lines', text, s, s, block.repeat(1 + (rnd.chance(0.2) ? rnd.int(20) : 0)));
  }],
  [2, (text, rnd) => {
    const lines = linesFor(text);
    if (lines.lineCount < 3) return single('noop', text, 0, 0, '');
    const l = rnd.int(lines.lineCount - 2);
    const [a, b] = lineBounds(lines, l);
    const [, c] = lineBounds(lines, l + 1);
    const first = text.slice(a, b);
    const second = text.slice(b, c);
    return single('swap-lines', text, a, c, (second.endsWith('\n') ? second : `${second}\n`) + first.replace(/\n$/, ''));
  }],
  [3, (text, rnd) => {
    const lines = linesFor(text);
    const l = rnd.int(lines.lineCount);
    const [s] = lineBounds(lines, l);
    return rnd.chance(0.5) ? single('indent', text, s, s, rnd.pick([' ', '  ', '   ', '\t', '    '])) : single('dedent', text, s, Math.min(text.length, s + 1 + rnd.int(3)), '');
  }],
  [4, (text, rnd) => {
    const at = rnd.int(text.length + 1);
    return single('stray-token', text, at, at, rnd.pick(TOKENS));
  }],
  [2, (text, rnd) => {
    const at = rnd.int(text.length + 1);
    return single('unicode', text, at, at, rnd.pick(UNICODE));
  }],
  [2, (text, rnd) => {
    const lines = linesFor(text);
    const [s] = lineBounds(lines, rnd.int(lines.lineCount));
    return single('anchors', text, s, s, rnd.pick(['base: &base\n  a: 1\n  b: [1, 2]\n', 'merged:\n  <<: *base\n  c: 3\n', 'x: &x\n  <<: *x\n', 'values: *base\n', '<<: [*base, *base]\n', '? &k key\n: *k\n']));
  }],
  [2, (text, rnd) => {
    const lines = linesFor(text);
    const [s] = lineBounds(lines, rnd.int(lines.lineCount));
    return single('document-marker', text, s, s, rnd.pick(['---\n', '--- \n', '...\n', '--- |\n', '---\n---\n']));
  }],
  [1, (text, rnd) => {
    const at = rnd.int(text.length + 1);
    return single('line-breaks', text, at, at, rnd.pick(['\r', '\r\n', '\n\r', '\r\r\n']));
  }],
  [1, (text) => ({ name: 'crlf', steps: [[{ text: text.replace(/\n/g, '\r\n') }]], text: text.replace(/\n/g, '\r\n') })],
  [1, (text, rnd) => {
    const depth = 50 + rnd.int(300);
    let deep = 'deep:\n';
    for (let i = 0; i < depth; i++) deep += `${'  '.repeat(i + 1)}k${i}:\n`;
    deep += `${'  '.repeat(depth + 1)}v: 1\n`;
    const flow = `flow: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    return single('deep', text, text.length, text.length, `\n${rnd.chance(0.5) ? deep : flow}`);
  }],
  [1, (text, rnd) => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    const levels = 6 + rnd.int(4);
    for (let i = 1; i < levels; i++) bomb += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]\n`;
    return single('alias-bomb', text, text.length, text.length, `\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${bomb.replace(/^/gm, '  ')}`);
  }],
  [1, (text, rnd, opts) => {
    const keys = opts.huge ? 5_000 + rnd.int(30_000) : 200 + rnd.int(1_500);
    let values = '';
    for (let i = 0; i < keys; i++) values += `    key${i % (rnd.chance(0.3) ? 50 : keys)}: value-${i}\n`;
    const doc = `---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: huge\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: huge\n      sourceRef:\n        kind: HelmRepository\n        name: huge\n  values:\n${values}`;
    return single('huge', text, text.length, text.length, `\n${doc}`);
  }],
  // Paste: a whole document again, or the whole text replaced (full sync).
  [1, (text, rnd) => {
    const lines = linesFor(text);
    const [s] = lineBounds(lines, rnd.int(lines.lineCount));
    const piece = text.slice(0, Math.min(text.length, 400 + rnd.int(2000)));
    return single('paste', text, s, s, piece);
  }],
  [1, (text, rnd) => {
    const cut = text.slice(0, rnd.int(text.length + 1));
    return { name: 'full-replace', steps: [[{ text: cut }]], text: cut };
  }],
  // Several ranges in one didChange (multi-cursor editing), applied in order.
  [1, (text, rnd) => {
    let t = text;
    const changes: ContentChange[] = [];
    for (let n = 2 + rnd.int(3); n > 0; n--) {
      const at = rnd.int(t.length + 1);
      const r = replace(t, linesFor(t), at, Math.min(t.length, at + rnd.int(3)), rnd.pick(['x', '', ': ', '- ', '\n']));
      changes.push(r.change);
      t = r.text;
    }
    return { name: 'multi-cursor', steps: [changes], text: t };
  }],
];

const totalWeight = mutations.reduce((n, [w]) => n + w, 0);

/** One random edit of `text`. */
export function mutate(text: string, rnd: Random, opts: MutateOptions): Edit {
  let pick = rnd.int(totalWeight);
  for (const [w, m] of mutations) {
    if (pick < w) return m(text, rnd, opts);
    pick -= w;
  }
  return mutations[0][1](text, rnd, opts);
}

/** Applies LSP content changes to a text, in order (what the server's document store must arrive at). */
export function applyChanges(text: string, changes: ContentChange[]): string {
  let t = text;
  for (const c of changes) {
    if (!('range' in c)) {
      t = c.text;
      continue;
    }
    const li = linesFor(t);
    t = t.slice(0, li.offsetAt(c.range.start)) + c.text + t.slice(li.offsetAt(c.range.end));
  }
  return t;
}
