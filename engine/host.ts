/**
 * The engine's only window on the outside world. Front ends (the language
 * server, the CLI, tests) implement this; the engine itself never touches
 * `fs`, the network or the clock directly.
 */
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
}

/** A host with no files, no environment and a real clock: enough for single-document work. */
export const emptyHost: EngineHost = {
  readFile: () => undefined,
  readDir: () => undefined,
  now: () => Date.now(),
  env: () => undefined,
};
