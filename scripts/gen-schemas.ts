/**
 * `npm run schemas`: regenerates schemas/ from ../shared/flux-crds (or
 * FLUXHELM_CRDS) and our docs. `--check` writes nothing and exits 1 when the
 * committed files differ from what the generator would write.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemas } from './schema-gen.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const crdDir = process.env.FLUXHELM_CRDS ?? join(repoRoot, '..', 'shared', 'flux-crds');
const check = process.argv.includes('--check');

if (!existsSync(crdDir)) {
  console.error(`CRD folder not found: ${crdDir} (set FLUXHELM_CRDS)`);
  process.exit(2);
}
const { files, undocumented } = generateSchemas(repoRoot, crdDir);

function listGenerated(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'docs' && name !== 'src') listGenerated(p, out);
    } else if (name.endsWith('.json')) out.push(relative(repoRoot, p));
  }
  return out;
}

const existing = existsSync(join(repoRoot, 'schemas')) ? listGenerated(join(repoRoot, 'schemas')) : [];
const stale = [...files].filter(([p, c]) => !existsSync(join(repoRoot, p)) || readFileSync(join(repoRoot, p), 'utf8') !== c).map(([p]) => p);
const extra = existing.filter((p) => !files.has(p));

if (check) {
  for (const p of stale) console.error(`stale: ${p}`);
  for (const p of extra) console.error(`not generated: ${p}`);
  process.exit(stale.length || extra.length ? 1 : 0);
}
for (const p of extra) rmSync(join(repoRoot, p));
for (const [p, content] of files) {
  mkdirSync(dirname(join(repoRoot, p)), { recursive: true });
  writeFileSync(join(repoRoot, p), content);
}
console.log(`wrote ${files.size} files (${stale.length} changed, ${extra.length} removed)`);
if (undocumented.length) {
  console.log(`${undocumented.length} schema fields have no documentation yet:`);
  for (const u of undocumented.slice(0, 40)) console.log(`  ${u}`);
  if (undocumented.length > 40) console.log(`  ... and ${undocumented.length - 40} more`);
}
