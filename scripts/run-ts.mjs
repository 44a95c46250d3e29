#!/usr/bin/env node
// Runs a TypeScript entry point through tsx, so project scripts (schema
// generation, benchmarks) need no separate compile step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: run-ts.mjs FILE.ts [args...]');
  process.exit(2);
}
const tsxLoader = require.resolve('tsx');
const r = spawnSync(process.execPath, ['--import', tsxLoader, entry, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
