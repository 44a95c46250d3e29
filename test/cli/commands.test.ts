/**
 * The CLI's command table, through the built CLI: every command answers
 * `--help` and `-h` with its usage and exit 0 (also `fluxhelm help NAME`);
 * an unknown option or an invalid value prints that command's usage and
 * exits 2 without doing anything; an unknown command lists the commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
const COMMANDS = ['check', 'graph', 'resolve', 'values', 'template', 'build', 'diff', 'reconcile', 'status', 'lsp'];

test('fluxhelm help lists every command, and each answers --help, -h and help NAME with its usage (exit 0)', () => {
  const overview = cli('help');
  assert.equal(overview.status, 0);
  for (const name of COMMANDS) {
    assert.match(overview.stdout, new RegExp(`^  ${name} +\\S`, 'm'), `help lists ${name}`);
    for (const args of [[name, '--help'], [name, '-h'], ['help', name], [name, 'examples/fleet', '--help']]) {
      const r = cli(...args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: fluxhelm ${name}\\b`), args.join(' '));
      assert.equal(r.stderr, '');
    }
  }
});

test('an invalid value or an unknown option prints the command\'s usage and exits 2', () => {
  const cases: [string[], RegExp][] = [
    [['status', '--format', 'yml'], /--format must be one of: text, json/],
    [['check', 'examples/fleet', '--format', 'yml'], /--format must be one of: text, json, sarif, github/],
    [['check', 'examples/fleet', '--verbose'], /unknown option --verbose/],
    [['diff', 'examples/fleet', '-x'], /unknown option -x/],
    [['reconcile', 'examples/fleet', '--force', '--reset'], /--force and --reset cannot be combined/],
    [['values', 'examples/fleet'], /--release NAMESPACE\/NAME is required/],
    [['resolve', '--timeout', 'soon'], /--timeout takes a duration/],
    [['graph', '--format=svg'], /--format must be one of: dot, json, html/],
  ];
  for (const [args, why] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, why, args.join(' '));
    assert.match(r.stderr, new RegExp(`Usage: fluxhelm ${args[0]}\\b`), `${args.join(' ')} prints its usage`);
    assert.equal(r.stdout, '', `${args.join(' ')} does nothing else`);
  }
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.match(unknown.stderr, /^ {2}check +/m);
});

test('every entry of the command table loads the command of its name', async () => {
  const { COMMANDS: table } = await import('../../cli/main.ts');
  assert.deepEqual(
    table.map((c) => c.name),
    [...COMMANDS.slice(0, -1), 'lsp', 'mcp'],
  );
  for (const entry of table) {
    assert.ok(entry.summary.length > 10, `${entry.name} has a summary`);
    assert.equal((await entry.load()).name, entry.name);
  }
});

/** The bundled modules (esbuild's `// path` comments) of every chunk the built CLI loads for `args`. */
function loadedModules(...args: string[]): { files: string[]; modules: Set<string> } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'esm' }, timeout: 60_000 });
  const files = [...new Set([...r.stderr.matchAll(/Storing (file:\/\/\S+\.mjs)/g)].map((m) => fileURLToPath(m[1])))];
  const modules = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/^\/\/ (\S+)$/gm)) modules.add(m[1]);
  return { files, modules };
}

test('help and version load no command code; resolve loads neither the cluster client, the LSP runtime nor the MCP SDK', () => {
  for (const args of [['--help'], ['--version'], ['help']]) {
    const { files, modules } = loadedModules(...args);
    assert.ok(files.length > 0, 'the CLI is built as split ES modules');
    assert.deepEqual([...modules].filter((m) => /^(engine|server|node_modules)\//.test(m)), [], `${args.join(' ')} loads only the CLI entry`);
  }
  const { modules } = loadedModules('resolve', 'examples/fleet', '--offline');
  assert.ok(modules.has('cli/resolve.ts') && modules.has('engine/service.ts'), 'resolve loads its command and the engine');
  const heavy = [...modules].filter((m) => /^node_modules\/(@kubernetes\/client-node|vscode-languageserver\/|@modelcontextprotocol|zod)\/|^server\/(main|cluster-host)\.ts$/.test(m));
  assert.deepEqual(heavy, []);
});
