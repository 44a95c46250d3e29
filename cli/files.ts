/**
 * Finds the YAML files a CLI command works on: files given directly, and
 * every .yaml/.yml below the folders given, skipping .git, node_modules and
 * other dot-folders. Sorted, so output is stable.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['.git', 'node_modules']);

export interface FileList {
  files: string[];
  missing: string[];
}

export function collectYamlFiles(paths: string[]): FileList {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (SKIP.has(e.name) || (e.name.startsWith('.') && e.isDirectory())) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], missing };
}
