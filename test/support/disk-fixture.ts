/**
 * Loads a fixture folder from disk into an in-memory host, mounted at a
 * fixed root (so paths in assertions do not depend on where the repo lives).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { memoryHost } from './memory-host.ts';

export function loadFixture(dir: string, mount = '/ws'): ReturnType<typeof memoryHost> {
  const files: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${name}`);
      else files[`${mount}${rel}/${name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return memoryHost(files);
}

/** Every file below a folder as bytes, keyed by path relative to it (a chart folder for the chart loader). */
export function readTree(root: string): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else m.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return m;
}
