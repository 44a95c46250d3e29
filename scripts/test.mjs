#!/usr/bin/env node
// The one test command (`npm test`): builds dist/ (the LSP and CLI tests run
// the built artifacts), type-checks, then runs every test/**/*.test.ts file
// with Node's own test runner. Suites that need heavy setup (a control
// plane, code-server) prepare it themselves from their own setup modules.
//
// FLUXHELM_TEST_ONLY=engine,lsp runs a subset (folder names under test/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!process.env.FLUXHELM_SKIP_BUILD) {
  run(process.execPath, ['scripts/build.mjs']);
  run(process.execPath, [join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-p', '.', '--noEmit']);
}

const only = (process.env.FLUXHELM_TEST_ONLY ?? '').split(',').filter(Boolean);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
})(join(root, 'test'));

const selected = only.length ? files.filter((f) => only.some((o) => f.startsWith(`test/${o}/`))) : files;
if (selected.length === 0) {
  console.error('no test files selected');
  process.exit(1);
}
run(process.execPath, [
  '--import', require.resolve('tsx'),
  '--test', '--test-reporter=spec', `--test-concurrency=${process.env.FLUXHELM_TEST_CONCURRENCY ?? 2}`,
  ...selected,
]);
