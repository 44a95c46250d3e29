/**
 * One robustness session: the built server (dist/server.js) over stdio, in
 * a throw-away copy of a real fleet, driven like a busy editor for a fixed
 * time: mutated edits (mutate.ts) of the fleet's own files, completion,
 * hover, symbols, code actions, definition, references, rename, inlay
 * hints, code lenses, workspace symbols and fluxhelm's own requests at
 * random (also out-of-range) positions, files changed on disk with
 * watched-file events, and malformed JSON-RPC messages at the end.
 *
 * Everything is checked as it happens: no exit, no logged exception (an
 * error log message or an InternalError answer), every answer within the
 * protocol's ranges (engine/protocol/invariants.ts against the text the
 * server holds), no request slower than the budget, peak memory under the
 * ceiling. Each failure keeps the input that caused it, for shrinking.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { LspClient } from '../support/lsp-client.ts';
import { yamlFiles } from '../support/yaml-files.ts';
import type { LineIndex } from '../../engine/yaml/lines.ts';
import { linesFor } from './lines-memo.ts';
import { OwnStalls } from './stalls.ts';
import * as inv from '../../engine/protocol/invariants.ts';
import { Random, mutate, applyChanges, type ContentChange } from './mutate.ts';

export interface SessionOptions {
  seed: number;
  /** The built server. */
  server: string;
  /** The fleet folder copied as the workspace. */
  workspace: string;
  durationMs: number;
  /** Allow documents of several hundred kilobytes. */
  huge: boolean;
  /**
   * A request answered later than this is a failure, on an idle machine: the
   * budget is multiplied by the load per core (os.loadavg) when that is above 1,
   * so a machine shared with other work does not count as a hang.
   */
  requestBudgetMs: number;
  /** Peak resident memory of the server allowed, in MB. */
  memoryCeilingMb: number;
  log?: (line: string) => void;
}

export type FailureKind = 'exception' | 'violation' | 'slow' | 'exit' | 'memory';

export interface Failure {
  kind: FailureKind;
  /** The request or notification (`validation`, `watchedFiles`...) that failed. */
  method: string;
  detail: string;
  /** The text of the document the failure is about, and the request's params (uri left out). */
  text?: string;
  params?: Record<string, unknown>;
  /** The edit that led there. */
  step?: string;
  /** The document's path relative to the workspace (some failures depend on the file name or its folder). */
  file?: string;
}

export interface SessionReport {
  seed: number;
  workspace: string;
  edits: number;
  requests: number;
  /** Answers that were errors the protocol allows (InvalidParams for out-of-range positions, cancellations...). */
  refused: number;
  failures: Failure[];
  latencies: Map<string, number[]>;
  /** From a didChange to the diagnostics of that version. */
  diagnosticsLatencies: number[];
  peakRssMb: number;
}

export type Json = Record<string, unknown>;

export const REQUESTS = ['textDocument/completion', 'textDocument/hover', 'textDocument/documentSymbol', 'textDocument/codeAction', 'textDocument/definition', 'textDocument/references', 'textDocument/prepareRename', 'textDocument/rename', 'textDocument/inlayHint', 'textDocument/codeLens', 'workspace/symbol', 'fluxhelm/graph', 'fluxhelm/effectiveValues'] as const;

function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export class Session {
  readonly report: SessionReport;
  private client!: LspClient;
  private root = '';
  private readonly rnd: Random;
  private readonly texts = new Map<string, { text: string; version: number; sent: Map<number, { at: number; text: string; step?: string }>; diagnostics: Json[] }>();
  /** Texts of documents closed here: a publish the server sent before it saw the close carries one of their versions. */
  private readonly closed = new Map<string, Map<number, { at: number; text: string; step?: string }>>();
  /** Disk texts a file had before this session wrote it: a publish sent before the server saw the change is of one of them. */
  private readonly diskBefore = new Map<string, string[]>();
  private current = '';
  private lastStep = 'open';
  private exited = false;
  private shuttingDown = false;
  private readonly stalls = new OwnStalls();

  constructor(private readonly opts: SessionOptions) {
    this.rnd = new Random(opts.seed);
    this.report = { seed: opts.seed, workspace: opts.workspace, edits: 0, requests: 0, refused: 0, failures: [], latencies: new Map(), diagnosticsLatencies: [], peakRssMb: 0 };
  }

  /** For a late answer's report: how long this run was itself too busy to read answers during the wait. */
  private ownBusy(since: number): string {
    const ms = this.stalls.busySince(since);
    return ms > 0 ? `; this run itself was busy ${Math.round(ms)} ms of the wait` : '';
  }

  private fail(f: Failure): void {
    if (f.text !== undefined && f.file === undefined && this.current) f.file = relative(this.root, fileURLToPath(this.current));
    this.report.failures.push(f);
    const where = f.file ? ` [${f.file}${f.text !== undefined ? `, ${Math.round(f.text.length / 1024)} KB` : ''}; load ${loadavg()[0].toFixed(1)}; after ${f.step ?? '?'}]` : '';
    this.opts.log?.(`FAIL ${f.kind} ${f.method}: ${f.detail.split('\n')[0].slice(0, 200)}${where}`);
  }

  private diskText(uri: string): string | undefined {
    try {
      return readFileSync(fileURLToPath(uri), 'utf8');
    } catch {
      return undefined;
    }
  }

  private linesOf = (uri: string): LineIndex | undefined => {
    const open = this.texts.get(uri);
    if (open) return linesFor(open.text);
    try {
      const path = fileURLToPath(uri);
      return linesFor(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
  };

  /** Every notification from the server goes through here as it arrives. */
  private onNotification(method: string, params: Json): void {
    if (method === 'window/logMessage' || method === 'window/showMessage') {
      const message = String(params.message ?? '');
      // The JSON-RPC library's own note about a malformed message is the expected answer to one, not an exception.
      if (/^Received message which is neither a response nor a notification message/.test(message)) return;
      if (params.type === 1 || /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|\n\s+at /.test(message)) {
        const name = /^(\S+) failed:/.exec(message)?.[1] ?? 'log';
        const doc = this.texts.get(this.current);
        this.fail({ kind: 'exception', method: name, detail: message.slice(0, 2000), text: doc?.text, step: this.lastStep });
      }
      return;
    }
    if (method !== 'textDocument/publishDiagnostics') return;
    const uri = String(params.uri);
    const doc = this.texts.get(uri);
    let text: string | undefined;
    if (typeof params.version !== 'number' || !doc) {
      // A publish for a file that is not open on the server's side: with a version, of a document closed here whose
      // close the server had not seen yet; without one, of the disk text the server had (maybe before a change it was
      // not told about yet, or before it saw this document open). The answer must fit one of those texts.
      const candidates = typeof params.version === 'number'
        ? [this.closed.get(uri)?.get(params.version)?.text]
        : [this.diskText(uri), ...(this.diskBefore.get(uri) ?? [])];
      const known = candidates.filter((t): t is string => t !== undefined);
      if (!known.length) return;
      const results = known.map((t) => inv.checkDiagnostics(linesFor(t), params.diagnostics));
      if (results.some((p) => p.length === 0)) return;
      this.fail({ kind: 'violation', method: 'textDocument/publishDiagnostics', detail: results[0].slice(0, 5).join('\n'), text: known[0], step: this.lastStep, file: relative(this.root, fileURLToPath(uri)) });
      return;
    }
    {
      const version = params.version;
      const sent = doc.sent.get(version);
      if (sent) {
        if (sent.at > 0) {
          const ms = performance.now() - sent.at;
          this.report.diagnosticsLatencies.push(ms);
          // The text whose validation (or the workspace work after it) held everything up, for replaying.
          const budget = scaledBudget(this.opts.requestBudgetMs);
          if (ms > budget) this.fail({ kind: 'slow', method: 'validation', detail: `diagnostics of version ${version} after ${Math.round(ms)} ms (budget ${Math.round(budget)} ms at this load${this.ownBusy(sent.at)})`, text: sent.text, step: sent.step, file: relative(this.root, fileURLToPath(uri)) });
        }
        sent.at = 0;
        text = sent.text;
      } else if (version === doc.version) text = doc.text;
      if (version === doc.version) doc.diagnostics = Array.isArray(params.diagnostics) ? (params.diagnostics as Json[]) : [];
    }
    if (text === undefined) return;
    const problems = inv.checkDiagnostics(linesFor(text), params.diagnostics);
    if (problems.length) this.fail({ kind: 'violation', method: 'textDocument/publishDiagnostics', detail: problems.slice(0, 5).join('\n'), text, step: this.lastStep });
  }

  async start(): Promise<void> {
    this.root = mkdtempSync(join(tmpdir(), 'fluxhelm-fuzz-'));
    cpSync(this.opts.workspace, this.root, { recursive: true, filter: (src) => !/\/\.git(\/|$)/.test(src) });
    this.client = new LspClient(process.execPath, [this.opts.server, '--stdio']);
    const notifications = this.client.notifications;
    notifications.push = (...items: { method: string; params: Json }[]) => {
      for (const n of items) this.onNotification(n.method, n.params);
      return notifications.length; // not kept: a long run would hold every diagnostic ever published
    };
    // Network off (and an untrusted workspace): the run must not depend on, or reach, anything outside.
    this.client.onServerRequest = (method, params) => {
      if (method === 'workspace/configuration') return ((params.items as unknown[]) ?? []).map(() => ({ network: { enable: false } }));
      return null;
    };
    this.proc().on('exit', (code, signal) => {
      this.exited = true;
      if (!this.shuttingDown) this.fail({ kind: 'exit', method: 'process', detail: `server exited (code ${code}, signal ${signal}); stderr: ${this.client.stderr.slice(-1500)}`, text: this.texts.get(this.current)?.text, step: this.lastStep });
    });
    const indexed = this.client.waitFor('window/logMessage', (p) => /^indexed \d+ files/.test(String(p.message)), 60_000).catch(() => undefined);
    await this.client.initialize(this.root, { trusted: false });
    await indexed;
  }

  private proc(): ChildProcess {
    return (this.client as unknown as { proc: ChildProcess }).proc;
  }

  private open(path: string): void {
    const uri = pathToFileURL(path).href;
    if (this.texts.has(uri)) {
      this.current = uri;
      return;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // deleted by a disk change
    }
    this.closed.delete(uri);
    this.texts.set(uri, { text, version: 1, sent: new Map([[1, { at: performance.now(), text }]]), diagnostics: [] });
    this.client.open(uri, text, 1);
    this.current = uri;
  }

  private close(uri: string): void {
    const doc = this.texts.get(uri);
    if (doc) this.closed.set(uri, doc.sent);
    this.texts.delete(uri);
    this.client.notify('textDocument/didClose', { textDocument: { uri } });
  }

  private edit(): void {
    const doc = this.texts.get(this.current)!;
    // Keep the document from growing without bound over a long run (an editor user would undo).
    const limit = this.opts.huge ? 3_000_000 : 300_000;
    const e = doc.text.length > limit ? { name: 'full-replace', steps: [[{ text: doc.text.slice(0, 5_000) }]] as ContentChange[][], text: doc.text.slice(0, 5_000) } : mutate(doc.text, this.rnd, { huge: this.opts.huge });
    this.lastStep = `${e.name} of ${relative(this.root, fileURLToPath(this.current))}`;
    for (const changes of e.steps) {
      doc.version++;
      doc.text = applyChanges(doc.text, changes);
      doc.sent.set(doc.version, { at: performance.now(), text: doc.text, step: this.lastStep });
      doc.diagnostics = []; // what the editor shows is for an older text until the next publish
      if (doc.sent.size > 50) doc.sent.delete(doc.sent.keys().next().value as number);
      this.client.change(this.current, doc.version, changes);
      this.report.edits++;
    }
  }

  private position(lines: LineIndex): { line: number; character: number } {
    if (this.rnd.chance(0.1)) return { line: lines.lineCount + this.rnd.int(5), character: this.rnd.int(10) };
    const line = this.rnd.int(lines.lineCount);
    const len = lines.lineText(line).length;
    return { line, character: this.rnd.chance(0.1) ? len + 1 + this.rnd.int(20) : this.rnd.int(len + 1) };
  }

  private params(method: string, uri: string, lines: LineIndex, diagnostics: Json[]): Json {
    const textDocument = { uri };
    const position = this.position(lines);
    const range = () => {
      const a = this.position(lines);
      const b = this.position(lines);
      return a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a };
    };
    switch (method) {
      case 'textDocument/documentSymbol':
      case 'textDocument/codeLens':
        return { textDocument };
      case 'textDocument/codeAction': {
        const some = diagnostics.length && this.rnd.chance(0.7) ? [this.rnd.pick(diagnostics)] : [];
        return { textDocument, range: some.length ? (some[0].range as Json) : range(), context: { diagnostics: some } };
      }
      case 'textDocument/references':
        return { textDocument, position, context: { includeDeclaration: this.rnd.chance(0.5) } };
      case 'textDocument/rename':
        return { textDocument, position, newName: this.rnd.pick(['renamed', 'x', '', 'a b', '日本']) };
      case 'textDocument/inlayHint':
        return { textDocument, range: range() };
      case 'workspace/symbol':
        return { query: this.rnd.pick(['', 'pod', 'flux', 'x', 'HelmRelease', '*']) };
      case 'fluxhelm/graph':
        return {};
      case 'fluxhelm/effectiveValues':
        return { uri, position };
      default:
        return { textDocument, position };
    }
  }

  private async request(method: string): Promise<void> {
    const uri = this.current;
    const doc = this.texts.get(uri)!;
    const text = doc.text;
    const lines = linesFor(text);
    const params = this.params(method, uri, lines, doc.diagnostics);
    const started = performance.now();
    this.report.requests++;
    let result: unknown;
    try {
      result = await this.client.request(method, params, 60_000);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = /"code":(-?\d+)/.exec(message);
      if (code && allowedError(Number(code[1]))) this.report.refused++;
      else this.fail({ kind: /timed out/.test(message) ? 'slow' : 'exception', method, detail: message.slice(0, 2000), text, params: { ...params, textDocument: undefined, uri: undefined }, step: this.lastStep });
      return;
    } finally {
      const ms = performance.now() - started;
      const list = this.report.latencies.get(method) ?? [];
      list.push(ms);
      this.report.latencies.set(method, list);
      const budget = scaledBudget(this.opts.requestBudgetMs);
      if (ms > budget) this.fail({ kind: 'slow', method, detail: `answered after ${Math.round(ms)} ms (budget ${Math.round(budget)} ms at this load${this.ownBusy(started)})`, text, params: { ...params, textDocument: undefined, uri: undefined }, step: this.lastStep });
    }
    const problems = checkAnswer(method, params, result, lines, uri, this.linesOf);
    if (problems.length) this.fail({ kind: 'violation', method, detail: problems.slice(0, 5).join('\n'), text, params: { ...params, textDocument: undefined, uri: undefined }, step: this.lastStep });
  }

  /** Changes a file on disk that is not open and tells the server, as a file watcher would (sometimes with junk entries). */
  private diskChange(files: string[]): void {
    const path = this.rnd.pick(files);
    const uri = pathToFileURL(path).href;
    if (this.texts.has(uri)) return;
    let type = 2;
    const before = this.diskText(uri);
    if (before !== undefined) this.diskBefore.set(uri, [before, ...(this.diskBefore.get(uri) ?? [])].slice(0, 4));
    try {
      const text = readFileSync(path, 'utf8');
      const e = mutate(text, this.rnd, { huge: false });
      if (this.rnd.chance(0.1) && files.length > 1) {
        rmSync(path);
        files.splice(files.indexOf(path), 1);
        type = 3;
      } else writeFileSync(path, e.text);
    } catch {
      type = 1;
      writeFileSync(path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: back\n');
    }
    this.lastStep = `disk change of ${relative(this.root, path)}`;
    const changes: unknown[] = [{ uri, type }];
    if (this.rnd.chance(0.2)) changes.unshift({ uri: null, type: 2 }, { type: 1 }, 'junk');
    this.client.notify('workspace/didChangeWatchedFiles', { changes });
  }

  /** Malformed messages an unlucky client may send; afterwards the server must still answer. */
  private async malformed(): Promise<void> {
    this.lastStep = 'malformed messages';
    const stdin = this.proc().stdin!;
    const raw = (body: string) => stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    raw('{"jsonrpc":"2.0","id":900001,"method":"textDocument/hover","params":');
    raw('{"jsonrpc":"2.0","id":900002}');
    raw('[1,2,3]');
    const uri = this.current;
    const bad: [string, unknown][] = [
      ['textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 'x' } }],
      ['textDocument/completion', { textDocument: 5 }],
      ['textDocument/documentSymbol', null],
      ['textDocument/codeAction', { textDocument: { uri }, range: null, context: null }],
      ['textDocument/references', { textDocument: { uri }, position: { line: 0, character: 0 } }],
      ['textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 0 }, newName: 7 }],
      ['workspace/symbol', { query: 42 }],
      ['fluxhelm/effectiveValues', { uri: null }],
      ['textDocument/inlayHint', { textDocument: { uri } }],
    ];
    for (const [method, params] of bad) {
      try {
        await this.client.request(method, params, 10_000);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const code = /"code":(-?\d+)/.exec(message);
        if (!code || !allowedError(Number(code[1]))) this.fail({ kind: 'exception', method, detail: `malformed params ${JSON.stringify(params)}: ${message.slice(0, 500)}`, step: this.lastStep });
      }
    }
    this.client.notify('textDocument/didOpen', { textDocument: { uri: `${uri}.bad`, languageId: 'yaml', version: 1, text: 42 } });
    this.client.notify('textDocument/didChange', { textDocument: { uri, version: 'x' }, contentChanges: null });
    this.client.notify('workspace/didChangeWatchedFiles', { changes: [null, { uri: null }] });
    this.client.notify('workspace/didChangeConfiguration', { settings: 'x' });
    this.client.notify('$/cancelRequest', { id: 'nope' });
    // Still alive and still answering (the document's text may differ from ours after the bad didChange).
    await this.client.request('textDocument/documentSymbol', { textDocument: { uri } }, 10_000).catch((err) => {
      this.fail({ kind: 'exception', method: 'after malformed messages', detail: String(err).slice(0, 500) });
    });
  }

  /** Runs until the duration has passed (or the server died). */
  async run(): Promise<SessionReport> {
    await this.start();
    const files = yamlFiles(this.root, 200_000);
    if (files.length === 0) throw new Error(`no YAML files in ${this.opts.workspace}`);
    this.open(this.rnd.pick(files));
    const deadline = performance.now() + this.opts.durationMs;
    let nextRss = 0;
    while (performance.now() < deadline && !this.exited) {
      const roll = this.rnd.next();
      if (roll < 0.6) this.edit();
      else if (roll < 0.64) {
        const open = [...this.texts.keys()];
        if (open.length > 3 || (open.length > 1 && this.rnd.chance(0.3))) this.close(this.rnd.pick(open.filter((u) => u !== this.current)));
        this.open(this.rnd.pick(files));
      } else if (roll < 0.66) this.diskChange(files);
      else if (roll < 0.67) this.client.notify('textDocument/didSave', { textDocument: { uri: this.current } });
      // Requests after most steps, several at once as an editor sends them (hover while completion is open...).
      if (this.rnd.chance(0.6)) {
        const n = 1 + this.rnd.int(3);
        await Promise.all(Array.from({ length: n }, () => this.request(this.rnd.pick(REQUESTS))));
      }
      if (performance.now() > nextRss) {
        this.report.peakRssMb = Math.max(this.report.peakRssMb, peakRssMb(this.proc().pid));
        nextRss = performance.now() + 1000;
      }
    }
    if (!this.exited) {
      // Let the last validation finish: its diagnostics are part of what is checked.
      const doc = this.texts.get(this.current)!;
      await this.client.diagnostics(this.current, doc.version, 5_000).catch(() => undefined);
      await this.malformed();
      this.report.peakRssMb = Math.max(this.report.peakRssMb, peakRssMb(this.proc().pid));
    }
    if (this.report.peakRssMb > this.opts.memoryCeilingMb) this.fail({ kind: 'memory', method: 'process', detail: `peak RSS ${this.report.peakRssMb} MB over the ceiling of ${this.opts.memoryCeilingMb} MB` });
    return this.report;
  }

  /** The workspace copy, for shrinking while the session's files still exist. */
  get workspaceRoot(): string {
    return this.root;
  }

  async stop(removeCopy = true): Promise<void> {
    this.shuttingDown = true;
    this.stalls.stop();
    if (!this.exited) await this.client.shutdown();
    if (removeCopy) rmSync(this.root, { recursive: true, force: true });
  }
}

/** The request budget scaled by the machine's load per core (never below the budget itself). */
const CORES = Math.max(1, cpus().length);
export function scaledBudget(budgetMs: number): number {
  return budgetMs * Math.max(1, loadavg()[0] / CORES);
}

/** The protocol problems of an answer to `method`, against the text the server holds. */
export function checkAnswer(method: string, params: Json, result: unknown, lines: LineIndex, uri: string, linesOf: inv.LinesOf): string[] {
  const cursor = inv.clampPosition(lines, params.position);
  switch (method) {
    case 'textDocument/completion': return inv.checkCompletion(lines, cursor, result);
    case 'textDocument/hover': return inv.checkHover(lines, result);
    case 'textDocument/documentSymbol': return inv.checkSymbols(lines, result ?? []);
    case 'textDocument/codeAction': return inv.checkCodeActions(linesOf, uri, result);
    case 'textDocument/definition':
    case 'textDocument/references': return inv.checkLocations(linesOf, result);
    case 'textDocument/prepareRename': {
      if (result === null || result === undefined) return [];
      const r = (result as Json).range ?? result;
      const p = inv.rangeProblem(lines, r);
      return p ? [`prepareRename range ${p}`] : [];
    }
    case 'textDocument/rename': return inv.checkWorkspaceEdit(linesOf, result);
    case 'textDocument/inlayHint': return inv.checkInlayHints(lines, result);
    case 'textDocument/codeLens': return inv.checkCodeLenses(lines, result);
    case 'workspace/symbol':
      if (result === null) return [];
      if (!Array.isArray(result)) return ['workspace/symbol: not an array'];
      return inv.checkLocations(linesOf, result.map((s: Json) => s?.location).filter((l: unknown) => l && (l as Json).range));
    default: return [];
  }
}

/** Which error answers the protocol allows: bad params, cancellation, refusal (e.g. Restricted Mode), unknown method. */
export function allowedError(code: number): boolean {
  return code === -32602 || code === -32800 || code === -32600 || code === -32601 || code === -32803 || code === -32801;
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(list: number[], p: number): number {
  if (list.length === 0) return 0;
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
