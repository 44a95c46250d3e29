/**
 * What the LSP benchmark types and where it asks: a deterministic sequence of
 * one-line edits spread over the documents of a generated file (value
 * toggles, a key typo and its fix, a broken and repaired duration), and the
 * positions of completion and hover requests. Edits are planned by
 * simulating them on a copy of the lines, so every range is exact for the
 * document version it is sent against, and the expected number of
 * diagnostics after each edit is known.
 */
import { spreadDocs, lineInDoc, type GeneratedFile, type Position } from './gen.ts';

export interface PlannedEdit {
  label: string;
  range: { start: Position; end: Position };
  newText: string;
  line: number;
  /** Deliberate mistakes after this edit, relative to the freshly generated file. */
  mistakeDeltaAfter: number;
}

interface Template {
  name: string;
  pattern: RegExp;
  /** Returns the replaced slice (start column, old text) and the new text, and how the mistake count changes. */
  change(line: string): { column: number; oldText: string; newText: string; delta: number };
}

const TEMPLATES: Template[] = [
  {
    name: 'toggle test.enable',
    pattern: /^ {4}enable: (true|false)$/,
    change: (line) => {
      const on = line.endsWith('true');
      return { column: 12, oldText: on ? 'true' : 'false', newText: on ? 'false' : 'true', delta: 0 };
    },
  },
  {
    name: 'typo/fix key install.remediation.retries',
    pattern: /^ {6}(retries|retires): 3$/,
    change: (line) => {
      const typo = line.includes('retires');
      return { column: 6, oldText: typo ? 'retires' : 'retries', newText: typo ? 'retries' : 'retires', delta: typo ? -1 : 1 };
    },
  },
  {
    name: 'bump values.replicaCount',
    pattern: /^ {4}replicaCount: \d+$/,
    change: (line) => {
      const old = line.slice(18);
      return { column: 18, oldText: old, newText: String(Number(old) + 1), delta: 0 };
    },
  },
  {
    name: 'break/repair spec.interval',
    pattern: /^ {2}interval: (10m|10 minutes)$/,
    change: (line) => {
      const bad = line.endsWith('minutes');
      return { column: 12, oldText: bad ? '10 minutes' : '10m', newText: bad ? '10m' : '10 minutes', delta: bad ? -1 : 1 };
    },
  },
  {
    name: 'change values.resources.requests.cpu',
    pattern: /^ {8}cpu: \d+m$/,
    change: (line) => {
      const old = line.slice(13);
      return { column: 13, oldText: old, newText: old === '100m' ? '200m' : '100m', delta: 0 };
    },
  },
];

/** Applies a planned edit to a copy of `lines` (edits never add or remove lines). */
export function applyEdit(lines: string[], e: PlannedEdit): string[] {
  const out = lines.slice();
  const l = out[e.line];
  out[e.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  return out;
}

/** `count` edits, the i-th in document spreadDocs(n, count)[i] using template i mod 5. */
export function planEdits(file: GeneratedFile, count: number): PlannedEdit[] {
  let current: GeneratedFile = { ...file, lines: file.lines.slice() };
  const docs = spreadDocs(file.docStart.length, count);
  const out: PlannedEdit[] = [];
  let delta = 0;
  for (let i = 0; i < count; i++) {
    const t = TEMPLATES[i % TEMPLATES.length];
    const line = lineInDoc(current, docs[i], t.pattern);
    const c = t.change(current.lines[line]);
    if (current.lines[line].slice(c.column, c.column + c.oldText.length) !== c.oldText) throw new Error(`edit plan out of sync at line ${line}`);
    delta += c.delta;
    const e: PlannedEdit = {
      label: `doc ${docs[i]} line ${line}: ${t.name}`,
      range: { start: { line, character: c.column }, end: { line, character: c.column + c.oldText.length } },
      newText: c.newText,
      line,
      mistakeDeltaAfter: delta,
    };
    out.push(e);
    current = { ...current, lines: applyEdit(current.lines, e) };
  }
  return out;
}

/**
 * Completion at the start of the `timeout` key directly under `spec` (the
 * editor asks for the keys `spec` may hold), in documents spread over the file.
 */
export function completionPositions(file: GeneratedFile, count: number): Position[] {
  return spreadDocs(file.docStart.length, count).map((d) => ({ line: lineInDoc(file, d, /^ {2}timeout: /), character: 2 }));
}

/** Hover in the middle of the `chart` key of spec.chart.spec, in documents spread over the file. */
export function hoverPositions(file: GeneratedFile, count: number): Position[] {
  return spreadDocs(file.docStart.length, count).map((d) => ({ line: lineInDoc(file, d, /^ {6}chart: /), character: 8 }));
}
