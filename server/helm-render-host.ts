/**
 * The Node host's HelmRenderHost (engine/render/host.ts): Helm's own
 * `helm template` compiled to WebAssembly (dist/helm.wasm, see helm-wasm/)
 * running in one worker thread (server/helm-render-worker.ts, bundled as
 * dist/helm-worker.js). The worker reads and compiles the module itself
 * (V8 shares the compiled code of identical bytes within the process, so a
 * restarted worker compiles nothing again); renders are queued and run one
 * at a time. A render that runs past its time limit is
 * stopped by terminating the worker (a fresh one starts for the next call);
 * output past the byte limit is dropped and the worker replaced too (wasm
 * memory never shrinks). A crash of the worker is reported and recovered the
 * same way, so no chart can hang or take down the process that asked.
 *
 * Cold start (issue 17): `prepare()` compiles the module and starts the
 * worker in the background, so that the engine's start (compile, worker
 * thread, Go's runtime init) overlaps chart resolution instead of following
 * it; a prepared engine holds no process open. The `tier` option picks how
 * V8 compiles the module: `baseline` (Liftoff only, for one-shot commands:
 * about a third of the CPU to the first render, warm renders about 1.8x
 * slower) or `optimizing` (Liftoff, then TurboFan for hot functions in the
 * background: the long-lived language server's choice).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import type { HelmRenderHost, HelmRenderRequest, HelmRenderResult } from '../engine/index.ts';
import type { WorkerData, WorkerRenderMessage, WorkerReplyMessage, WorkerStartMessage } from './helm-render-worker.ts';

/**
 * How V8 compiles Helm's module. `baseline`: Liftoff only (fast start, no
 * background TurboFan work; for commands that render a few releases and
 * exit). `optimizing`: V8's default dynamic tiering (hot functions are
 * recompiled by TurboFan in the background; for long-lived processes).
 */
export type HelmEngineTier = 'baseline' | 'optimizing';

export interface HelmRenderHostOptions {
  /** Default `optimizing`. V8's flags are process-wide: the first compile in a process decides. */
  tier?: HelmEngineTier;
  /** Default: dist/helm.wasm next to the bundle (or ../dist from the sources). */
  wasmPath?: string;
  /** Default: dist/helm-worker.js next to the bundle, or the .ts source beside this file. */
  workerPath?: string;
  /** Per-render time limit when the caller gives none (default 10 s). */
  timeoutMs?: number;
  /** Per-render output limit when the caller gives none (default 32 MiB). */
  maxBytes?: number;
  /** Replace the worker after a render leaves its wasm memory above this (default 1 GiB). */
  recycleMemoryBytes?: number;
  /** Time allowed for a new worker to instantiate the module (default 30 s). */
  startTimeoutMs?: number;
  /**
   * Hard cap on the wasm memory (default 1 GiB): the module's memory gets
   * this maximum, so a template that allocates without end fails inside Go
   * (reported as `crash`) instead of growing the process to 4 GiB.
   */
  maxMemoryBytes?: number;
  /** Go's runtime environment inside the module (default goRuntimeEnv(tier, maxMemoryBytes)). */
  goEnv?: Record<string, string>;
}

export interface HelmRenderLimits {
  timeoutMs?: number;
  maxBytes?: number;
}

interface Job {
  req: HelmRenderRequest;
  limits: HelmRenderLimits;
  resolve(result: HelmRenderResult): void;
}

// Sources loaded as ESM have import.meta.dirname (tsx may give them a bogus __dirname); the CJS bundle maps it to __dirname (scripts/build.mjs).
const here = resolve(import.meta.dirname ?? (typeof __dirname === 'string' ? __dirname : '.'));

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

export function defaultHelmWasmPath(): string | undefined {
  return firstExisting([join(here, 'helm.wasm'), join(here, '..', 'dist', 'helm.wasm')]);
}

function defaultWorkerPath(): string | undefined {
  // From the sources (tests, tsx) the .ts worker beside this file; bundled, dist/helm-worker.js.
  return firstExisting([join(here, 'helm-render-worker.ts'), join(here, 'helm-worker.js')]);
}

/**
 * Starts the worker. The bundle's worker is plain JS; the .ts source (tests)
 * is loaded through tsx's require hook, since Node 20 workers do not inherit
 * the parent's --import loaders.
 */
function startWorker(path: string, workerData: WorkerData): Worker {
  if (!path.endsWith('.ts')) return new Worker(path, { workerData });
  const tsx = createRequire(join(here, 'index.js')).resolve('tsx/cjs/api');
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(path)});`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * V8 flags for the module, set before it is compiled (they are process-wide).
 * Lazy validation: a function is validated when it is first compiled, not
 * all 24 MB up front (about 100 ms of CPU less per start; the module is our
 * own build). Liftoff only for the baseline tier. The optimizing tier
 * raises the tiering budget (default 1.8M) so that TurboFan recompiles only
 * functions that stay hot, not every function Go's runtime init and the
 * first render pass through: about 0.5 s less CPU to the first render on
 * this 2-core machine, warm renders as fast or faster (less background work).
 */
function setEngineFlags(tier: HelmEngineTier): void {
  setFlagsFromString('--wasm-lazy-validation');
  if (tier === 'baseline') setFlagsFromString('--liftoff-only');
  else setFlagsFromString('--no-liftoff-only --wasm-tiering-budget=50000000');
}

/**
 * How Go's garbage collector runs inside the module (GOGC and GOMEMLIMIT, read
 * by Go's runtime from WASI's environment). Go's wasm port collects on the
 * rendering thread itself, with write barriers on while it marks, and a render
 * of app-template allocates some 15 MB: with the default GOGC=100 about a
 * third of a one-shot render was the collector (gcAssistAlloc, span scans,
 * write barriers). The baseline tier (one-shot commands) turns the collector
 * off up to a memory limit: it collects only when the heap reaches
 * GOMEMLIMIT (384 MiB, or half the memory cap when that is smaller), so a
 * command rendering hundreds of releases stays bounded. Compile, Go's init
 * and two app-template renders: 1.14 -> 0.75 s CPU (median of 4, load ~3),
 * RSS +20 MB. The optimizing tier (the long-lived language server) keeps Go's
 * default: wasm memory never shrinks, so a collector held off would leave an
 * idle server holding hundreds of MB, and the warm editor verb measured no
 * clear gain with GOGC=200, 400 or off (medians 400-840 ms either way at
 * load 3-5: noise).
 */
export function goRuntimeEnv(tier: HelmEngineTier, maxMemoryBytes: number): Record<string, string> {
  const mib = 1024 * 1024;
  if (tier === 'baseline')
    return { GOGC: 'off', GOMEMLIMIT: `${Math.max(32, Math.floor(Math.min(384 * mib, maxMemoryBytes / 2) / mib))}MiB` };
  return {};
}

export const HELM_UNAVAILABLE_MESSAGE =
  'Rendering with Helm is not available: dist/helm.wasm was not built. It is built by `npm run build` when Go (1.26 or newer) is installed; everything else works without it.';

export class NodeHelmRenderHost implements HelmRenderHost {
  private readonly opts: Required<Omit<HelmRenderHostOptions, 'wasmPath' | 'workerPath' | 'goEnv'>> & {
    goEnv: Record<string, string>;
    wasmPath?: string;
    workerPath?: string;
  };
  /** Set once the module failed to compile: every render answers `unavailable` with it. */
  private unusable?: string;
  private flagsSet = false;
  private worker?: Worker;
  private ready?: Promise<boolean>;
  private readonly queue: Job[] = [];
  private running = false;
  private disposed = false;
  /** Workers started so far (the first, plus one per timeout, overflow or crash). */
  workersStarted = 0;

  constructor(options: HelmRenderHostOptions = {}) {
    const tier = options.tier ?? 'optimizing';
    const maxMemoryBytes = options.maxMemoryBytes ?? 1024 * 1024 * 1024;
    this.opts = {
      tier,
      goEnv: options.goEnv ?? goRuntimeEnv(tier, maxMemoryBytes),
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBytes: options.maxBytes ?? 32 * 1024 * 1024,
      recycleMemoryBytes: options.recycleMemoryBytes ?? 1024 * 1024 * 1024,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      maxMemoryBytes,
      wasmPath: options.wasmPath ?? defaultHelmWasmPath(),
      workerPath: options.workerPath ?? defaultWorkerPath(),
    };
  }

  /** Whether a wasm file is there to load (no compile yet). */
  get available(): boolean {
    return !!this.opts.wasmPath && existsSync(this.opts.wasmPath) && !!this.opts.workerPath;
  }

  render(req: HelmRenderRequest, limits: HelmRenderLimits = {}): Promise<HelmRenderResult> {
    if (this.disposed)
      return Promise.resolve({ ok: false, kind: 'unavailable', error: 'the Helm render host was shut down' });
    return new Promise((resolve) => {
      this.queue.push({ req, limits, resolve });
      void this.pump();
    });
  }

  /**
   * Starts the engine in the background (compile, worker, Go's init) when a
   * render is likely to follow; idempotent, never throws, holds no process
   * open. Resolves to whether the engine is ready (nobody needs to wait).
   */
  prepare(): Promise<boolean> {
    if (this.disposed || this.unavailableReason()) return Promise.resolve(false);
    return this.ensureWorker();
  }

  /**
   * Starts the worker (it compiles the module and runs Go's init) ahead of
   * the first render and waits for it, keeping the process alive meanwhile.
   */
  async warmUp(): Promise<boolean> {
    if (this.unavailableReason()) return false;
    const hold = setInterval(() => undefined, 1 << 30);
    try {
      return await this.ensureWorker();
    } finally {
      clearInterval(hold);
    }
  }

  /** Stops the worker; pending and later renders answer `unavailable`. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.queue.splice(0))
      job.resolve({ ok: false, kind: 'unavailable', error: 'the Helm render host was shut down' });
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) await w.terminate();
  }

  /** Why rendering cannot work here at all (no wasm file, no worker, a module that does not compile). */
  private unavailableReason(): string | undefined {
    const path = this.opts.wasmPath;
    if (!path || !existsSync(path) || !this.opts.workerPath) return HELM_UNAVAILABLE_MESSAGE;
    return this.unusable;
  }

  /**
   * The worker, started when there is none: it reads and compiles the module
   * (no handle of its own: a start nobody waits for holds no process open)
   * and answers `{ ready }` once Go's runtime is initialized.
   */
  private ensureWorker(): Promise<boolean> {
    if (this.worker && this.ready) return this.ready;
    if (!this.flagsSet) {
      setEngineFlags(this.opts.tier);
      this.flagsSet = true;
    }
    const path = this.opts.wasmPath!;
    const worker = startWorker(this.opts.workerPath!, {
      wasmPath: path,
      maxMemoryBytes: this.opts.maxMemoryBytes,
      env: this.opts.goEnv,
    });
    this.worker = worker;
    this.workersStarted++;
    this.ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        this.replaceWorker(worker);
        resolve(false);
      }, this.opts.startTimeoutMs);
      // A start nobody waits for yet (prepare) must not keep the process alive; a render holds it (runJob).
      timer.unref();
      const onMessage = (m: WorkerStartMessage) => {
        if (!m || m.ready === undefined) return;
        cleanup();
        if (!m.ready) {
          this.unusable = `Rendering with Helm is not available: ${path} is not a usable WebAssembly module (${m.error})`;
          this.replaceWorker(worker);
        }
        resolve(m.ready);
      };
      const onExit = () => {
        cleanup();
        this.replaceWorker(worker);
        resolve(false);
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.on('error', onExit);
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return this.ready;
  }

  /** Forgets a worker and terminates it; the next render starts a new one. */
  private replaceWorker(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
    void worker.terminate().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        job.resolve(await this.runJob(job));
      }
    } finally {
      this.running = false;
    }
  }

  private async runJob(job: Job): Promise<HelmRenderResult> {
    const reason = this.unavailableReason();
    if (reason) return { ok: false, kind: 'unavailable', error: reason };
    // Keeps the process alive while the worker compiles the module and starts (it holds no handle of its own).
    const hold = setInterval(() => undefined, 1 << 30);
    let started: boolean;
    try {
      started = await this.ensureWorker();
    } finally {
      clearInterval(hold);
    }
    if (this.unusable) return { ok: false, kind: 'unavailable', error: this.unusable };
    if (!started || !this.worker) {
      return { ok: false, kind: 'crash', error: "Helm's engine could not be started in a worker thread" };
    }
    const worker = this.worker;
    const timeoutMs = job.limits.timeoutMs ?? this.opts.timeoutMs;
    const maxBytes = job.limits.maxBytes ?? this.opts.maxBytes;
    const id = Math.floor(Math.random() * 2 ** 31);
    worker.ref();
    try {
      return await new Promise<HelmRenderResult>((resolve) => {
        const finish = (result: HelmRenderResult, replace: boolean) => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          worker.off('error', onError);
          if (replace) this.replaceWorker(worker);
          resolve(result);
        };
        const timer = setTimeout(() => {
          finish(
            {
              ok: false,
              kind: 'timeout',
              error: `Helm did not finish rendering within ${timeoutMs} ms (an endless loop or a very large chart); the render was stopped`,
            },
            true,
          );
        }, timeoutMs);
        const onMessage = (m: WorkerReplyMessage) => {
          if (!m || m.id !== id) return;
          const result = m.result;
          const replace =
            (!result.ok && (result.kind === 'too-large' || result.kind === 'crash')) ||
            m.memoryBytes > this.opts.recycleMemoryBytes;
          finish(result, replace);
        };
        let lastError: unknown;
        const onError = (err: unknown) => {
          lastError = err;
        };
        const onExit = (code: number) => {
          const why =
            lastError instanceof Error ? lastError.message : lastError ? String(lastError) : `exit code ${code}`;
          finish(
            { ok: false, kind: 'crash', error: `Helm's engine crashed while rendering (${why}); it was restarted` },
            true,
          );
        };
        worker.on('message', onMessage);
        worker.on('exit', onExit);
        worker.on('error', onError);
        worker.postMessage({ id, request: job.req, maxBytes } satisfies WorkerRenderMessage);
      });
    } finally {
      worker.unref();
    }
  }
}

/** The Node front ends' render host. */
export function createHelmRenderHost(options: HelmRenderHostOptions = {}): NodeHelmRenderHost {
  return new NodeHelmRenderHost(options);
}
