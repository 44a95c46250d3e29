/**
 * Starts a CommonJS bundle (dist/server-main.js) with a V8 code cache, so
 * that a fresh language server does not parse and compile its 5 MB of
 * JavaScript again each time an editor starts it (Node 20 has no built-in
 * compile cache; Node 22's `module.enableCompileCache` is used when present).
 *
 * The bundle is compiled through `vm.Script` with the cached data of an
 * earlier start. When there was none, or V8 rejected it (another Node
 * version, other V8 flags, a rebuilt bundle of the same size), the cache is
 * written a few seconds after start (or at exit, or before the first change
 * of a V8 flag, when that comes first), once the start-up code has run and
 * is compiled, so it holds those functions too. The file name carries the
 * bundle's size and modification time and the Node version and
 * architecture; older caches of the same bundle name are removed when a new
 * one is written. Every cache problem only means a start without the cache.
 *
 * Cache folder: `$FLUXHELM_CACHE/v8` (default `~/.cache/fluxhelm/v8`);
 * `FLUXHELM_CODE_CACHE=0` turns it off.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** How long after start the cache is written (start-up, initialize and the first answers are compiled by then). */
const WRITE_AFTER_MS = 4000;

function cacheFolder(): string {
  return join(process.env.FLUXHELM_CACHE ?? join(homedir(), '.cache', 'fluxhelm'), 'v8');
}

/** Runs the CommonJS file `file` as the main module would run, with a code cache when possible. */
export function runWithCodeCache(file: string): void {
  const off = process.env.FLUXHELM_CODE_CACHE === '0';
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (off || typeof enable === 'function') {
    if (!off) enable!(cacheFolder());
    createRequire(file)(file);
    return;
  }
  const source = readFileSync(file, 'utf8');
  let stamp = '';
  try {
    const st = statSync(file);
    stamp = `${st.size}-${Math.floor(st.mtimeMs)}`;
  } catch {
    // no stamp: no cache
  }
  const folder = cacheFolder();
  const prefix = `${basename(file)}-`;
  const cachePath = stamp ? join(folder, `${prefix}${stamp}-${process.version}-${process.arch}.bin`) : '';
  let cachedData: Buffer | undefined;
  try {
    if (cachePath) cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  // The same wrapper Node puts around a CommonJS module (the line numbers of the bundle stay).
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.replace(/^#!.*/, '')}\n});`;
  const script = new Script(wrapped, { filename: file, cachedData });
  const fresh = cachedData === undefined || script.cachedDataRejected === true;
  const mod = { exports: {}, filename: file, id: '.', loaded: false };
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  if (fresh && cachePath) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeCache(script, folder, prefix, cachePath);
    };
    setTimeout(write, WRITE_AFTER_MS).unref();
    process.once('exit', write);
    // V8 keys a cache by its flags: written after a flag change at run time (the Helm render
    // host tunes WebAssembly tiering), it would be rejected by every start. Write it just before.
    const flags = createRequire(file)('node:v8') as { setFlagsFromString: (f: string) => void };
    const set = flags.setFlagsFromString;
    flags.setFlagsFromString = (f: string) => {
      flags.setFlagsFromString = set;
      write();
      set(f);
    };
  }
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
}

function writeCache(script: Script, folder: string, prefix: string, cachePath: string): void {
  const tmp = `${cachePath}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(folder, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, cachePath);
    for (const name of readdirSync(folder)) {
      if (name.startsWith(prefix) && name.endsWith('.bin') && join(folder, name) !== cachePath)
        unlinkSync(join(folder, name));
    }
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
  }
}
