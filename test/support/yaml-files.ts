/**
 * Every .yaml/.yml file below a folder, in name order (Git and node_modules
 * skipped, files of `maxBytes` and more left out), for tests that run over
 * real corpora (the examples, the fixtures, ../shared/fleets and charts) and
 * the seeded robustness run (the order keeps a seed's choices the same). A
 * missing folder has none.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pieceStarts } from '../../engine/yaml/documents.ts';

export function yamlFiles(dir: string, maxBytes = 2_000_000, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === '.git' || name === 'node_modules') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yamlFiles(p, maxBytes, out);
    else if (/\.ya?ml$/.test(name) && st.size < maxBytes) out.push(p);
  }
  return out;
}

/** A file's documents as documents.ts cuts it: at every line that starts with `---` (not at the very start). */
export function documentPieces(text: string): string[] {
  const starts = pieceStarts(text);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}
