/**
 * The repository settings a CLI command runs with: the nearest
 * `.fluxhelm.yaml` (from the first path given, up to the repository root),
 * merged with what the command line says, which wins. Paths given on the
 * command line replace the file's `roots`; without paths the file's roots
 * (or the current folder) are checked.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  findRepoConfig,
  mergeSettings,
  type EffectiveSettings,
  type ExplicitSettings,
  type LoadedRepoConfig,
} from '../engine/index.ts';
import { createNodeHost } from '../server/node-host.ts';

export interface CliSettings {
  settings: EffectiveSettings;
  loaded?: LoadedRepoConfig;
}

function folderOf(path: string): string {
  const abs = resolve(path);
  try {
    return statSync(abs).isDirectory() ? abs : dirname(abs);
  } catch {
    return dirname(abs);
  }
}

export function cliSettings(paths: string[], explicit: Omit<ExplicitSettings, 'roots'> = {}): CliSettings {
  const start = folderOf(paths[0] ?? '.');
  const loaded = findRepoConfig(createNodeHost(), start);
  const cwd = process.cwd();
  const settings = mergeSettings(
    loaded,
    { ...explicit, ...(paths.length ? { roots: paths.map((p) => resolve(p)) } : {}) },
    cwd,
    [cwd],
  );
  return { settings, ...(loaded ? { loaded } : {}) };
}
