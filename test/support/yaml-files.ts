/**
 * Every .yaml/.yml file below a folder (Git and node_modules skipped, files
 * of 2 MB and more left out), for tests that run over real corpora (the
 * examples, the fixtures, ../shared/fleets and charts). A missing folder has
 * none.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function yamlFiles(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === '.git' || name === 'node_modules') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name) && st.size < 2_000_000) out.push(p);
  }
  return out;
}
