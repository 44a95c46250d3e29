/**
 * A minimal LSP client for tests and benchmarks: spawns a language server
 * over stdio, frames JSON-RPC messages, and lets a test send requests and
 * wait for notifications (for example publishDiagnostics for a given
 * document version). Used against the built dist/server.js, and against
 * yaml-language-server in the benchmark.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PENDING_SOURCE } from '../../server/check-budget.ts';

type Json = Record<string, unknown>;
interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}
interface Waiter {
  method: string;
  predicate: (params: Json) => boolean;
  resolve: (params: Json) => void;
}

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private waiters: Waiter[] = [];
  /** Every notification received, newest last. */
  readonly notifications: { method: string; params: Json }[] = [];
  /** Answers for server -> client requests (workspace/configuration and friends). */
  onServerRequest: (method: string, params: Json) => unknown = (method, params) => {
    if (method === 'workspace/configuration') return ((params.items as unknown[]) ?? []).map(() => null);
    return null;
  };
  stderr = '';

  constructor(command: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv) {
    this.proc = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.proc.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error(`server exited; stderr: ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error(`bad header: ${header}`);
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Json);
    }
  }

  private dispatch(msg: Json): void {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id as number);
      if (!p) return;
      this.pending.delete(msg.id as number);
      if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
      else p.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined && typeof msg.method === 'string') {
      const result = this.onServerRequest(msg.method, (msg.params ?? {}) as Json);
      this.write({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (typeof msg.method === 'string') {
      const params = (msg.params ?? {}) as Json;
      this.notifications.push({ method: msg.method, params });
      const keep: Waiter[] = [];
      for (const w of this.waiters) {
        if (w.method === msg.method && w.predicate(params)) w.resolve(params);
        else keep.push(w);
      }
      this.waiters = keep;
    }
  }

  private write(msg: Json): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 30000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification (already received or future) that matches. */
  waitFor(method: string, predicate: (params: Json) => boolean = () => true, timeoutMs = 30000, includePast = false): Promise<Json> {
    if (includePast) {
      const hit = this.notifications.find((n) => n.method === method && predicate(n.params));
      if (hit) return Promise.resolve(hit.params);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${method} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Waits for publishDiagnostics of `uri` (and `version`, when the server reports versions): its findings, not the
   * note a version whose check passed its budget gets first (server/check-budget.ts).
   */
  diagnostics(uri: string, version?: number, timeoutMs = 30000): Promise<Json[]> {
    return this.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (version === undefined || p.version === undefined || p.version === version) && !isPendingNote(p), timeoutMs).then((p) => p.diagnostics as Json[]);
  }

  async initialize(rootPath: string, initializationOptions: unknown = {}, capabilities: Json = {}): Promise<Json> {
    const rootUri = pathToFileURL(rootPath).href;
    const result = await this.request<Json>('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'test' }],
      capabilities: {
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
        workspace: { configuration: true, workspaceFolders: true },
        ...capabilities,
      },
      initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1, languageId = 'yaml'): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: unknown[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  async shutdown(): Promise<void> {
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve();
      }, 3000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.proc.exitCode === null;
  }
}

/** A publish that is only the note that a version's check continues (its findings follow). */
export function isPendingNote(params: Json): boolean {
  const list = params.diagnostics;
  return Array.isArray(list) && list.length === 1 && (list[0] as Json)?.source === PENDING_SOURCE;
}
