/**
 * The package as users get it: `npm pack` of this repository (built dist/,
 * scripts skipped so a concurrent build is not raced) installed into an empty
 * folder with `npm install <tarball>`, offline (the package has no runtime
 * dependencies). Used by the install, CI-integration and container tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Packs the repository into `into` (a folder) and returns the tarball's path. */
export function packRepo(into: string): string {
  mkdirSync(into, { recursive: true });
  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: repoRoot, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return join(into, info.filename);
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
