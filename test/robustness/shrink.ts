/**
 * Replaying and shrinking robustness failures. A replay opens one text in
 * a fresh server (an empty workspace, or the fleet the failure came from
 * when it needs one), waits for its diagnostics, sends the failing request
 * and reports whether the same kind of failure happens again. Shrinking
 * deletes chunks of lines (halving the chunk size, never the line the
 * request points at) while the failure keeps happening, within a bounded
 * number of attempts; the result is saved as a regression fixture under
 * test/fixtures/fuzz/ (JSON: what failed, the params, the text), which
 * fuzz.test.ts replays on every `npm test`.
 */
import { mkdirSync, mkdtempSync, existsSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lsp-client.ts';
import { linesFor } from './lines-memo.ts';
import * as inv from '../../engine/protocol/invariants.ts';
import { checkAnswer, allowedError, scaledBudget, type Failure, type FailureKind, type Json } from './session.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'fuzz');

export interface FuzzFixture {
  /** Where it was found (seed, edit). */
  found: string;
  kind: FailureKind;
  method: string;
  problem: string;
  /** Fleet folder name the replay needs as its workspace (under ../shared/fleets or examples), when it needs one. */
  workspace?: string;
  /** The document's path in that workspace (its name alone in an empty one). */
  file?: string;
  params?: Json;
  text: string;
}

/** One server that replays texts, each under a new URI. */
export class Replayer {
  private client!: LspClient;
  private errors: string[] = [];
  private n = 0;
  private root = '';
  constructor(private readonly server: string, private readonly workspace: string | undefined, private readonly budgetMs: number) {}

  async start(): Promise<void> {
    this.root = mkdtempSync(join(tmpdir(), 'fluxhelm-replay-'));
    if (this.workspace) cpSync(this.workspace, this.root, { recursive: true, filter: (src) => !/\/\.git(\/|$)/.test(src) });
    this.client = new LspClient(process.execPath, [this.server, '--stdio']);
    const notifications = this.client.notifications;
    notifications.push = (...items: { method: string; params: Json }[]) => {
      for (const { method, params } of items) {
        if (method === 'window/logMessage' && (params.type === 1 || /\n\s+at /.test(String(params.message)))) this.errors.push(String(params.message));
      }
      return 0;
    };
    this.client.onServerRequest = (method, params) => (method === 'workspace/configuration' ? ((params.items as unknown[]) ?? []).map(() => ({ network: { enable: false } })) : null);
    const indexed = this.client.waitFor('window/logMessage', (p) => /^indexed \d+ files/.test(String(p.message)), 60_000).catch(() => undefined);
    await this.client.initialize(this.root, { trusted: false });
    if (this.workspace) await indexed;
  }

  /** The failure of `kind` this text (and request) still causes, or undefined. */
  async replay(kind: FailureKind, method: string, text: string, params: Json | undefined, file?: string): Promise<string | undefined> {
    // In a fleet the document is opened at its own path (the editor's text overrides the file on disk);
    // alone, under its own name in a folder of its own (kustomization.yaml is read differently).
    const name = file ? basename(file) : 'replay.yaml';
    const path = file && this.workspace ? join(this.root, file) : join(this.root, `replay-${++this.n}`, name);
    if (!(file && this.workspace)) mkdirSync(join(this.root, `replay-${this.n}`), { recursive: true });
    const uri = pathToFileURL(path).href;
    this.errors = [];
    const lines = linesFor(text);
    const diagnostics = this.client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri, 20_000).catch(() => undefined);
    const opened = performance.now();
    this.client.open(uri, text, 1);
    const published = await diagnostics;
    const validationMs = performance.now() - opened;
    let found: string | undefined;
    if (method === 'textDocument/publishDiagnostics' && published) {
      const p = inv.checkDiagnostics(lines, published.diagnostics);
      if (p.length) found = p[0];
    } else if (REQUEST.test(method) && params) {
      const full = { ...params, ...(method.startsWith('fluxhelm/') ? { uri } : { textDocument: { uri } }) };
      const t0 = performance.now();
      try {
        const result = await this.client.request(method, full, 30_000);
        const ms = performance.now() - t0;
        if (kind === 'slow' && ms > scaledBudget(this.budgetMs)) found = `answered after ${Math.round(ms)} ms`;
        if (kind === 'violation') found = checkAnswer(method, full, result, lines, uri, () => lines)[0];
      } catch (err) {
        const message = String(err);
        const code = /"code":(-?\d+)/.exec(message);
        if (kind === 'slow' && /timed out/.test(message)) found = message;
        if (kind === 'exception' && !(code && allowedError(Number(code[1])))) found = message;
      }
    } else if (kind === 'slow') {
      // Validation, then whatever the server does after it (the workspace refresh): a cheap request waits for both.
      await this.client.request('textDocument/documentSymbol', { textDocument: { uri } }, 60_000).catch(() => undefined);
      const ms = performance.now() - opened;
      if (ms > scaledBudget(this.budgetMs)) found = `diagnostics and the next answer after ${Math.round(ms)} ms (validation ${Math.round(validationMs)} ms)`;
    }
    // Exceptions may be logged by the handler or by validation in the background.
    await new Promise((r) => setTimeout(r, 50));
    if (kind === 'exception' && !found && this.errors.length) found = this.errors[0];
    this.client.notify('textDocument/didClose', { textDocument: { uri } });
    return found;
  }

  async stop(): Promise<void> {
    await this.client.shutdown();
    rmSync(this.root, { recursive: true, force: true });
  }
}

const REQUEST = /^(textDocument\/(?!publishDiagnostics)|workspace\/symbol|fluxhelm\/)/;

/** Splits text into lines that keep their line breaks. */
function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

interface Pinned {
  lines: string[];
  /** Lines the params point at (position, range), which are never deleted. */
  pinned: number[];
}

function paramsFor(params: Json | undefined, shift: (line: number) => number): Json | undefined {
  if (!params) return params;
  const move = (p: unknown) => (p && typeof p === 'object' && typeof (p as Json).line === 'number' ? { ...(p as Json), line: shift((p as Json).line as number) } : p);
  const out: Json = { ...params };
  if (out.position) out.position = move(out.position);
  if (out.range && typeof out.range === 'object') out.range = { start: move((out.range as Json).start), end: move((out.range as Json).end) };
  return out;
}

function pinnedLines(params: Json | undefined): number[] {
  const lines: number[] = [];
  const add = (p: unknown) => {
    if (p && typeof p === 'object' && typeof (p as Json).line === 'number') lines.push((p as Json).line as number);
  };
  add(params?.position);
  if (params?.range && typeof params.range === 'object') {
    add((params.range as Json).start);
    add((params.range as Json).end);
  }
  return lines;
}

/**
 * Deletes chunks of lines while the failure still happens. Returns the
 * smallest text found and its params, or undefined when the failure does
 * not happen again at all.
 */
export async function shrink(replayer: Replayer, f: Failure, maxAttempts = 120, maxMs = 90_000): Promise<{ text: string; params?: Json; problem: string } | undefined> {
  if (f.text === undefined) return undefined;
  const first = await replayer.replay(f.kind, f.method, f.text, f.params, f.file);
  if (!first) return undefined;
  let best: Pinned = { lines: splitLines(f.text), pinned: pinnedLines(f.params) };
  let params = f.params;
  let problem = first;
  const started = performance.now();
  let attempts = 0;
  for (let chunk = Math.max(1, Math.floor(best.lines.length / 2)); chunk >= 1; chunk = chunk === 1 ? 0 : Math.max(1, Math.floor(chunk / 2))) {
    for (let at = 0; at < best.lines.length && attempts < maxAttempts && performance.now() - started < maxMs; ) {
      const end = Math.min(best.lines.length, at + chunk);
      if (best.pinned.some((l) => l >= at && l < end)) {
        at = end;
        continue;
      }
      const shift = (l: number) => (l >= end ? l - (end - at) : l);
      const candidate = [...best.lines.slice(0, at), ...best.lines.slice(end)];
      const candidateParams = paramsFor(params, shift);
      attempts++;
      const again = await replayer.replay(f.kind, f.method, candidate.join(''), candidateParams, f.file);
      if (again) {
        best = { lines: candidate, pinned: best.pinned.map(shift) };
        params = candidateParams;
        problem = again;
      } else at = end;
    }
  }
  return { text: best.lines.join(''), params, problem };
}

/** Shrinks up to `maxCases` distinct failures and saves each as a fixture; returns the files written. */
export async function shrinkAndSave(failures: Failure[], o: { server: string; fleet: string; seed: number; requestBudgetMs: number; maxCases: number; log?: (l: string) => void }): Promise<string[]> {
  const seen = new Set<string>();
  // Exceptions and wrong answers first: they shrink quickly and reproduce exactly; slow answers last.
  const order: FailureKind[] = ['exception', 'violation', 'exit', 'memory', 'slow'];
  const distinct = [...failures].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)).filter((f) => {
    const key = `${f.kind}:${f.method}:${f.detail.split('\n')[0].replace(/\d+/g, 'N').slice(0, 80)}`;
    if (seen.has(key) || f.text === undefined) return false;
    seen.add(key);
    return true;
  }).slice(0, o.maxCases);
  const written: string[] = [];
  mkdirSync(FIXTURES, { recursive: true });
  // In a fresh copy of the original fleet (not the session's copy, whose files the run changed on disk),
  // so that the fixture reproduces from the repository alone.
  for (const workspace of [undefined, o.fleet]) {
    if (distinct.length === 0) break;
    const replayer = new Replayer(o.server, workspace, o.requestBudgetMs);
    await replayer.start();
    try {
      for (const f of [...distinct]) {
        const result = await shrink(replayer, f);
        if (!result) {
          o.log?.(`${f.kind} ${f.method} does not happen again ${workspace ? 'in the fleet' : 'alone'}`);
          continue;
        }
        distinct.splice(distinct.indexOf(f), 1);
        const fixture: FuzzFixture = { found: `seed ${o.seed}, after ${f.step ?? 'the run'}`, kind: f.kind, method: f.method, problem: result.problem.slice(0, 600), ...(workspace ? { workspace: basename(o.fleet) } : {}), ...(f.file ? { file: f.file } : {}), params: result.params, text: result.text };
        const hash = createHash('sha256').update(`${f.kind}\0${f.method}\0${result.text}`).digest('hex').slice(0, 10);
        const file = join(FIXTURES, `${f.kind}-${f.method.replace(/[^a-zA-Z]+/g, '-')}-${hash}.json`);
        if (!existsSync(file)) writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
        written.push(file);
      }
    } finally {
      await replayer.stop();
    }
  }
  return written;
}
