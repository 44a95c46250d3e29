/**
 * The CLI's command table, through the built CLI: every command answers
 * `--help` and `-h` with its usage and exit 0 (also `fluxhelm help NAME`);
 * an unknown option or an invalid value prints that command's usage and
 * exits 2 without doing anything; an unknown command lists the commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';

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

/** The bundles of dist/vendor/ the built CLI loads for `args` (Node's module log), and its exit status. */
function vendorLoads(...args: string[]): { vendor: string[]; status: number | null } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', input: '', env: { ...process.env, NODE_DEBUG: 'module' }, timeout: 60_000 });
  const vendor = [...new Set([...r.stderr.matchAll(/load "([^"]*[\\/]dist[\\/]vendor[\\/][^"]+\.js)"/g)].map((m) => basename(m[1]!)))].sort();
  return { vendor, status: r.status };
}

test('help, version and resolve load neither the cluster client, the LSP runtime nor the MCP SDK; lsp and mcp load theirs', () => {
  for (const args of [['--help'], ['--version'], ['help'], ['resolve', 'examples/fleet', '--offline']]) {
    const { vendor, status } = vendorLoads(...args);
    assert.ok(status === 0 || status === 1, `${args.join(' ')} ran (exit ${status})`); // resolve offline without caches: 1
    assert.deepEqual(vendor, [], `${args.join(' ')} loads no bundle of dist/vendor`);
  }
  // With stdin at its end, both servers start and stop at once.
  assert.deepEqual(vendorLoads('lsp').vendor, ['vscode-languageserver-node.js', 'vscode-languageserver-textdocument.js']);
  assert.deepEqual(vendorLoads('mcp').vendor, ['mcp.js']);
});
