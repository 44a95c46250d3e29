/**
 * The package as users get it: `npm pack` of this repository (built dist/,
 * scripts skipped so a concurrent build is not raced) installed into an empty
 * folder with `npm install <tarball>`, offline (the package has no runtime
 * dependencies). Used by the install, CI-integration and container tests.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readFileSync, readdirSync, statSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { join, basename } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function packInto(into: string): string {
  mkdirSync(into, { recursive: true });
  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: repoRoot, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return join(into, info.filename);
}

/**
 * Packs the repository and copies the tarball into `into`; returns the copy's path.
 * One tarball is made per state of package.json, README and dist/ (several test
 * files need it; packing the wasm takes a while), kept under test/.tmp.
 */
export function packRepo(into: string): string {
  const hash = createHash('sha256');
  for (const f of ['package.json', 'README.md', 'LICENSE', 'schemas/src/fluxhelm-config.schema.json']) hash.update(f).update(existsSync(join(repoRoot, f)) ? readFileSync(join(repoRoot, f)) : '');
  for (const f of readdirSync(join(repoRoot, 'dist')).sort()) {
    const st = statSync(join(repoRoot, 'dist', f));
    hash.update(`${f}:${st.size}:${st.mtimeMs}`);
  }
  const shared = join(repoRoot, 'test', '.tmp', `packed-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(shared)) {
    const staging = mkdtempSync(`${shared}-staging-`);
    packInto(staging);
    try {
      renameSync(staging, shared);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test file packed the same state first
    }
  }
  const tarball = readdirSync(shared).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`no tarball in ${shared}`);
  mkdirSync(into, { recursive: true });
  const copy = join(into, basename(tarball));
  copyFileSync(join(shared, tarball), copy);
  return copy;
}

/** The paths inside the tarball (`npm pack --dry-run` of the same tree). */
export function packedFiles(): string[] {
  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: repoRoot, encoding: 'utf8' });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
}

/** A fresh folder with only the packed fluxhelm installed; returns the folder. */
export function installPacked(tarball: string, parent = join(repoRoot, 'test', '.tmp')): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'install-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"fluxhelm-install-test","private":true}\n');
  execFileSync(npm, ['install', '--no-fund', '--no-audit', '--offline', '--no-package-lock', tarball], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!existsSync(join(dir, 'node_modules', '.bin', 'fluxhelm'))) throw new Error(`npm install ${tarball} left no fluxhelm command in ${dir}`);
  return dir;
}
