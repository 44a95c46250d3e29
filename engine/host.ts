/**
 * The engine's only window on the outside world. Front ends (the language
 * server, the CLI, tests) implement one `EngineHost`; the engine itself never
 * touches `fs`, the network, a cluster or the global timers directly.
 *
 * - files and the environment: `readFile`, `readBinary`, `readDir`, `env`;
 * - time: `now()` and `clock` (timers), so timing logic runs on a fake clock
 *   in tests (`createManualClock`);
 * - the network for chart sources: `net` (absent: chart features say so);
 * - clusters: `cluster` (absent: cluster features say so);
 * - Helm's engine: `render` (absent: render features say so).
 */
import type { SourceHost } from './sources/host.ts';
import type { ClusterConnector } from './cluster/connector.ts';
import type { HelmRenderHost } from './render/host.ts';

/** Timers as the engine sees them. Handles are opaque. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface EngineHost {
  /** Reads a UTF-8 text file; `undefined` when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** Reads a file's bytes (chart archives); optional, `undefined` when missing or unsupported. */
  readBinary?(path: string): Uint8Array | undefined;
  /** Lists a directory's entries; `undefined` when it is not a directory. */
  readDir(path: string): { name: string; isDirectory: boolean }[] | undefined;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Environment variables (for HELM_CACHE_HOME and friends). */
  env(name: string): string | undefined;
  /** Timers (debounces, waits, informers). Without one, nothing is scheduled: work runs when asked. */
  clock?: Clock;
  /** HTTP, registry and cache access for chart sources. */
  net?: SourceHost;
  /** Kubeconfig contexts and connections. */
  cluster?: ClusterConnector;
  /** Helm's template engine (compiled to WebAssembly, run by the front end). */
  render?: HelmRenderHost;
  /** Git: files of another revision (rendered diffs against a base). Absent: those features say so. */
  git?: GitHost;
}

/** A file of a Git tree: its path relative to the repository root. */
export interface GitTreeFile {
  path: string;
}

/** Read-only Git access. Errors are messages a user can act on ("'main2' is not a commit in /repo"). */
export interface GitHost {
  /** The repository holding `dir` and the commit `ref` names there. */
  resolve(dir: string, ref: string): { root: string; commit: string; label: string } | { error: string };
  /** Every file (blob) of the commit's tree. */
  listFiles(root: string, commit: string): GitTreeFile[] | { error: string };
  /** Files' bytes at the commit, read at once (missing paths are left out). */
  readFiles(root: string, commit: string, paths: string[]): Map<string, Uint8Array>;
  /** Files whose working-tree content differs from the commit: tracked changes (staged or not), deletions, untracked non-ignored files. */
  changedFiles(root: string, commit: string): string[] | { error: string };
  /**
   * `resolve` and `changedFiles` in one question, which a host may answer more
   * cheaply than the two (the Node host: one `git status` for HEAD where the
   * two take three processes).
   */
  changes(dir: string, ref: string): { root: string; commit: string; label: string; changed: string[] } | { error: string };
}

/**
 * A clock whose time only moves when told to: `advance(ms)` runs the timers
 * that fall due, in order. For tests of timing logic (waits, debounces).
 */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Timers still waiting. */
  readonly pending: number;
}

export function createManualClock(start = 0): ManualClock {
  let time = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => time,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: time + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = time + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= until && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
        if (!next) break;
        timers.delete(next[0]);
        time = next[1].at;
        next[1].fn();
      }
      time = until;
    },
    get pending() {
      return timers.size;
    },
  };
}

/** A host with no files, no environment and a real clock reading: enough for single-document work. */
export const emptyHost: EngineHost = {
  readFile: () => undefined,
  readDir: () => undefined,
  now: () => Date.now(),
  env: () => undefined,
};
