/**
 * Installs that work from the package: `npm pack` → `npm install <tarball>`
 * in an empty folder → `npx fluxhelm check` reports exactly what the
 * repository's own build reports, and `fluxhelm lsp` (the installed command)
 * answers an editor with diagnostics. The tarball holds every runtime file of
 * dist/ (the bundles, and the Helm wasm when there is one) and the
 * `.fluxhelm.yaml` JSON Schema, and nothing from the sources or tests.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync, rmSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packRepo, packedFiles, installPacked, repoRoot } from '../support/pack.ts';
import { LspClient } from '../support/lsp-client.ts';

const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'pack-'));
after(() => rmSync(work, { recursive: true, force: true }));
mkdirSync(work, { recursive: true });
const tarball = packRepo(work);
const installed = installPacked(tarball, work);

test('the tarball holds the runtime files and nothing of the sources', () => {
  const files = packedFiles();
  const runtime = (readdirSync(join(repoRoot, 'dist'), { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile() && !e.name.endsWith('.map'))
    .map((e) => relative(repoRoot, join(e.parentPath ?? e.path, e.name)).split(sep).join('/'));
  assert.ok(runtime.includes('dist/vendor/mcp.js'), 'the runtime files include the bundles of dist/vendor');
  for (const f of runtime) assert.ok(files.includes(f), `${f} is missing from the package`);
  assert.ok(files.includes('schemas/src/fluxhelm-config.schema.json'));
  assert.deepEqual(files.filter((f) => /^(engine|server|cli|client|test)\//.test(f) || f.endsWith('.map')), []);
});

test('npx fluxhelm check from the installed package reports what the repository build reports', () => {
  for (const folder of ['examples/mistakes', 'examples/fleet']) {
    const target = join(repoRoot, folder);
    const packaged = spawnSync('npx', ['--no-install', 'fluxhelm', 'check', target, '--format', 'json'], { cwd: installed, encoding: 'utf8' });
    const local = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'check', target, '--format', 'json'], { cwd: installed, encoding: 'utf8' });
    assert.equal(packaged.status, local.status, packaged.stderr);
    assert.equal(packaged.status, folder === 'examples/fleet' ? 0 : 1);
    assert.deepEqual(JSON.parse(packaged.stdout), JSON.parse(local.stdout));
  }
  const version = spawnSync('npx', ['--no-install', 'fluxhelm', '--version'], { cwd: installed, encoding: 'utf8' });
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('the installed `fluxhelm lsp` publishes diagnostics for an opened file', async () => {
  const ws = join(work, 'ws');
  mkdirSync(ws);
  const text = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 5 minutes\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n';
  writeFileSync(join(ws, 'release.yaml'), text);
  const bin = join(installed, 'node_modules', '.bin', 'fluxhelm');
  assert.ok(existsSync(bin));
  const client = new LspClient(bin, ['lsp'], ws);
  try {
    await client.initialize(ws);
    const uri = pathToFileURL(join(ws, 'release.yaml')).href;
    client.open(uri, text);
    // File checks and workspace checks may arrive in separate notifications; wait for the file's own.
    const hasDuration = (p: Record<string, unknown>) => p.uri === uri && (p.diagnostics as { code?: string }[]).some((d) => d.code === 'duration');
    const diags = (await client.waitFor('textDocument/publishDiagnostics', hasDuration, 30000, true)).diagnostics as { code?: string }[];
    const duration = diags.find((d) => d.code === 'duration') as { range: { start: { line: number } } } | undefined;
    assert.ok(duration, JSON.stringify(diags));
    assert.equal(duration.range.start.line, 6);
  } finally {
    await client.shutdown();
  }
});
