#!/usr/bin/env node
// `npm run prepare` (npm install in a clone, npm pack, installs from git):
// builds dist/ with scripts/build.mjs. When npm prepares this repository as a
// git dependency for a global install (`npm install -g git+…`, which is how
// pre-commit installs node hooks), it runs this script without installing the
// devDependencies first (npm/cli#8440); then they are installed here, from the
// lock file, before building.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let haveBuildTools = true;
try {
  require.resolve('esbuild');
} catch {
  haveBuildTools = false;
}
if (!haveBuildTools) {
  // The global-install settings npm passes down would make this a global install too.
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_config_(global|prefix|location|install_links)$/i.test(k)) delete env[k];
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--ignore-scripts', '--include=dev', '--no-audit', '--no-fund'], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('./build.mjs');
