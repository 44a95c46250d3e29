/**
 * The worker thread that runs Helm's engine (dist/helm.wasm, helm-wasm/) for
 * server/helm-render-host.ts. It reads dist/helm.wasm (path in workerData),
 * caps its memory, compiles it (synchronously: this thread has nothing else
 * to do, and V8 reuses the code of identical bytes compiled before in the
 * process), instantiates it under node:wasi as a reactor, says `{ ready }`
 * (or why not), and answers one render message at a time: the request goes in framed (its JSON, then
 * the chart's files as they are: writeRequest), the result comes back parsed, or as `too-large` when its JSON is
 * longer than the caller's byte limit. Runaway renders are the host's
 * business: it terminates this thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WASI as WASIType } from 'node:wasi';
import type { HelmRenderRequest, HelmRenderResult } from '../engine/index.ts';

/** The little of the WebAssembly global used here (the project's lib has no DOM types). */
export type WasmModule = object;
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What the host gives a new worker. */
export interface WorkerData {
  wasmPath: string;
  /** Cap of the module's memory (capMemory). */
  maxMemoryBytes: number;
  /** The environment Go's runtime reads at start (GOGC, GOMEMLIMIT: see goRuntimeEnv in helm-render-host.ts). */
  env?: Record<string, string>;
}

/** The worker's first message: ready to render, or why the module could not start. */
export type WorkerStartMessage = { ready: true; error?: undefined } | { ready: false; error: string };

export interface WorkerRenderMessage {
  id: number;
  request: HelmRenderRequest;
  maxBytes: number;
}

export interface WorkerReplyMessage {
  id: number;
  result: HelmRenderResult;
  /** Size of the wasm linear memory after the render (it never shrinks). */
  memoryBytes: number;
}

interface HelmExports {
  memory: { buffer: ArrayBuffer };
  alloc(size: number): number;
  free(ptr: number): void;
  render(ptr: number, size: number): bigint;
}

/** node:wasi, loaded without its "experimental feature" warning (it would land in CLI output). */
function loadWasi(): typeof WASIType {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('WASI')) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (process.getBuiltinModule('node:wasi') as typeof import('node:wasi')).WASI;
  } finally {
    process.emitWarning = emit;
  }
}

/**
 * Gives the module's own memory (section 5) a maximum size in 64 KiB pages.
 * Go's wasm linker declares it with a minimum only; memory.grow past the
 * maximum then fails and Go stops with "out of memory". Modules that import
 * their memory or already have a maximum are returned unchanged.
 */
export function capMemory(wasm: Uint8Array, maxBytes: number): Uint8Array {
  const edit = memoryCapEdit(wasm, maxBytes);
  if (!edit) return wasm;
  const out = new Uint8Array(wasm.length - (edit.end - edit.start) + edit.section.length);
  out.set(wasm.subarray(0, edit.start), 0);
  out.set(edit.section, edit.start);
  out.set(wasm.subarray(edit.end), edit.start + edit.section.length);
  return out;
}

/** The memory section to write over bytes start..end, or nothing to change. */
function memoryCapEdit(
  wasm: Uint8Array,
  maxBytes: number,
): { start: number; end: number; section: number[] } | undefined {
  const maxPages = Math.max(1, Math.floor(maxBytes / 65536));
  const readLeb = (at: number): [number, number] => {
    let value = 0;
    let shift = 0;
    let p = at;
    for (;;) {
      const byte = wasm[p++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return [value, p];
    }
  };
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let byte = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return out;
  };
  let p = 8; // magic and version
  while (p < wasm.length) {
    const id = wasm[p];
    const [size, body] = readLeb(p + 1);
    if (id === 5) {
      const [count, q] = readLeb(body);
      if (count !== 1 || wasm[q] !== 0) return undefined;
      const [min] = readLeb(q + 1);
      if (min > maxPages) return undefined;
      const content = [...leb(1), 0x01, ...leb(min), ...leb(maxPages)];
      return { start: p, end: body + size, section: [5, ...leb(content.length), ...content] };
    }
    p = body + size;
  }
  return undefined;
}

/**
 * capMemory of a file without copying it: the file is read behind a few
 * spare bytes, and only the sections before the memory section (types,
 * imports, function types: some 100 KB of 24 MB) move to make room.
 */
export function readCappedModule(path: string, maxBytes: number): Uint8Array {
  const spare = 32;
  const fd = openSync(path, 'r');
  let buf: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    buf = new Uint8Array(spare + size);
    for (let at = 0; at < size;) {
      const n = readSync(fd, buf, spare + at, size - at, at);
      if (n <= 0) throw new Error(`${path}: unexpected end of file`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  const wasm = buf.subarray(spare);
  const edit = memoryCapEdit(wasm, maxBytes);
  if (!edit) return wasm;
  const grow = edit.section.length - (edit.end - edit.start);
  if (grow > spare) return capMemory(wasm, maxBytes);
  const from = spare - grow;
  buf.copyWithin(from, spare, spare + edit.start);
  buf.set(edit.section, from + edit.start);
  return buf.subarray(from);
}

function start(module: WasmModule, env: Record<string, string>): HelmExports {
  const WASI = loadWasi();
  // Helm's own log lines (and Go's fatal errors) go to stderr; stdout goes there
  // too, since it may carry the language server's protocol.
  const wasi = new WASI({ version: 'preview1', args: ['helm'], env, returnOnExit: true, stdout: 2, stderr: 2 });
  // Node 20 runs WASI calls as V8 fast API calls; a garbage collection inside
  // one crashes the process after a few big renders (nodejs/node#46777,
  // #53087). Calling each function through a plain JS wrapper avoids the fast path.
  const raw = (wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, unknown> }).wasi_snapshot_preview1;
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(raw)) {
    wrapped[name] =
      typeof fn === 'function' ? (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args) : fn;
  }
  const instance = new wasmApi.Instance(module, { wasi_snapshot_preview1: wrapped });
  wasi.initialize(instance as object);
  return instance.exports as unknown as HelmExports;
}

/**
 * The request as helm-wasm/main.go reads a framed one: a zero byte, the
 * little-endian uint32 length of the JSON without the chart and that JSON,
 * then per chart file the uint32 length of its name, the name (UTF-8), the
 * uint32 length of its bytes and the bytes. Written straight into the
 * module's memory: no base64 or JSON string for the chart (app-template's
 * 1 MB), which Go's decoder took about 40 ms per render to read in the
 * one-shot tier.
 */
function writeRequest(helm: HelmExports, req: HelmRenderRequest, maxBytes: number): { ptr: number; size: number } {
  const head = Buffer.from(JSON.stringify({ ...req, chart: undefined, maxBytes }), 'utf8');
  const files = Object.entries(req.chart ?? {}).map(([path, bytes]) => [Buffer.from(path, 'utf8'), bytes] as const);
  let size = 1 + 4 + head.length;
  for (const [name, bytes] of files) size += 8 + name.length + bytes.byteLength;
  const ptr = helm.alloc(size);
  // After alloc: the module's memory may have grown, which replaces its buffer.
  const mem = new Uint8Array(helm.memory.buffer, ptr, size);
  const view = new DataView(mem.buffer, mem.byteOffset, size);
  let at = 0;
  mem[at++] = 0;
  const part = (bytes: Uint8Array) => {
    view.setUint32(at, bytes.byteLength, true);
    mem.set(bytes, at + 4);
    at += 4 + bytes.byteLength;
  };
  part(head);
  for (const [name, bytes] of files) {
    part(name);
    part(bytes);
  }
  return { ptr, size };
}

function renderOnce(helm: HelmExports, msg: WorkerRenderMessage): HelmRenderResult {
  const { ptr: inPtr, size } = writeRequest(helm, msg.request, msg.maxBytes);
  const packed = helm.render(inPtr, size);
  helm.free(inPtr);
  const outPtr = Number(packed >> 32n);
  const outLen = Number(packed & 0xffffffffn);
  try {
    if (outLen > msg.maxBytes) {
      return {
        ok: false,
        kind: 'too-large',
        error: `the rendered output is larger than ${msg.maxBytes} bytes (${outLen} bytes)`,
      };
    }
    const text = Buffer.from(helm.memory.buffer, outPtr, outLen).toString('utf8');
    return JSON.parse(text) as HelmRenderResult;
  } finally {
    helm.free(outPtr);
  }
}

/** Reads and compiles the module; a file that is not a usable module is reported, not thrown. */
function compile(data: WorkerData): WasmModule | Error {
  try {
    return new wasmApi.Module(readCappedModule(data.wasmPath, data.maxMemoryBytes));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

const port = parentPort;
const compiled = port ? compile(workerData as WorkerData) : undefined;
if (port && compiled instanceof Error) {
  port.postMessage({ ready: false, error: compiled.message } satisfies WorkerStartMessage);
} else if (port && compiled) {
  const helm = start(compiled, (workerData as WorkerData).env ?? {});
  port.postMessage({ ready: true } satisfies WorkerStartMessage);
  port.on('message', (msg: WorkerRenderMessage) => {
    let result: HelmRenderResult;
    try {
      result = renderOnce(helm, msg);
    } catch (err) {
      // A trap inside Go (out of memory, a fatal runtime error) leaves the
      // instance unusable: report it and let the host replace this thread.
      result = {
        ok: false,
        kind: 'crash',
        error: `Helm's engine stopped: ${err instanceof Error ? err.message : String(err)}`,
      };
      port.postMessage({ id: msg.id, result, memoryBytes: Number.MAX_SAFE_INTEGER } satisfies WorkerReplyMessage);
      return;
    }
    port.postMessage({ id: msg.id, result, memoryBytes: helm.memory.buffer.byteLength } satisfies WorkerReplyMessage);
  });
}
