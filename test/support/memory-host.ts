/**
 * An in-memory EngineHost for engine tests: a map of absolute paths to file
 * contents, with folders implied by the paths.
 */
import type { EngineHost } from '../../engine/host.ts';

export function memoryHost(files: Record<string, string>, env: Record<string, string> = {}, now = () => Date.now()): EngineHost & { files: Record<string, string> } {
  return {
    files,
    readFile: (p) => files[p],
    readDir(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const seen = new Map<string, boolean>();
      for (const p of Object.keys(files)) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        seen.set(slash < 0 ? rest : rest.slice(0, slash), slash >= 0);
      }
      if (seen.size === 0) return undefined;
      return [...seen].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
    now,
    env: (n) => env[n],
  };
}
