/**
 * The engine host for Node front ends (language server and CLI): real files,
 * real environment, real clock. The only place fs is touched on the engine's behalf.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { EngineHost } from '../engine/host.ts';

export function createNodeHost(): EngineHost {
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    readBinary(path) {
      try {
        return new Uint8Array(readFileSync(path));
      } catch {
        return undefined;
      }
    },
    readDir(path) {
      try {
        return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
      } catch {
        return undefined;
      }
    },
    now: () => Date.now(),
    env: (name) => process.env[name],
  };
}
