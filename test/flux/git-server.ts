/**
 * A Git server over smart HTTP on 127.0.0.1 for GitRepository tests: a small
 * Node HTTP server that hands each request to Debian git's own CGI program,
 * `git http-backend` (the same one Apache or nginx would run), with the bare
 * repositories in a temp dir. Repositories are written through a real git
 * work tree: `commit(repo, files)` replaces the whole tree, commits on
 * `main` and pushes to the served bare repository.
 *
 *   const git = await startGitServer();
 *   const sha = git.commit('fleet', { 'apps/cm.yaml': '...' });
 *   // GitRepository url: `${git.url}/fleet.git`, ref.branch: main
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Replaces the repository's tree with `files` (path → content), commits on main, pushes; returns the commit SHA. */
  commit(repo: string, files: Record<string, string>, message?: string): string;
  /** Paths served so far (`/fleet.git/info/refs`...). */
  requests: string[];
  stop(): Promise<void>;
}

const gitEnv = (home: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'fluxhelm test', GIT_AUTHOR_EMAIL: 'test@fluxhelm.invalid',
  GIT_COMMITTER_NAME: 'fluxhelm test', GIT_COMMITTER_EMAIL: 'test@fluxhelm.invalid',
});

function git(args: string[], cwd: string, home: string): string {
  return execFileSync('git', args, { cwd, env: gitEnv(home), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs http-backend for one request (CGI/1.1: environment in, headers + body out). */
function cgi(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: root,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type'];
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + sep));
  });
  child.on('close', (code) => {
    if (!headersDone) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend failed (${code}): ${stderr}`);
      return;
    }
    res.end();
  });
}

export async function startGitServer(): Promise<GitServer> {
  if (!existsSync(GIT_HTTP_BACKEND)) throw new Error(`${GIT_HTTP_BACKEND} not found (Debian git; run .ci/flux-deps.sh)`);
  const dir = mkdtempSync(join(tmpdir(), 'fh-git-'));
  const root = join(dir, 'served');
  const work = join(dir, 'work');
  mkdirSync(root);
  mkdirSync(work);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://localhost').pathname);
    cgi(root, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    commit(repo, files, message = 'update') {
      const bare = join(root, `${repo}.git`);
      const tree = join(work, repo);
      if (!existsSync(bare)) {
        git(['init', '-q', '--bare', '-b', 'main', bare], dir, dir);
        mkdirSync(tree, { recursive: true });
        git(['init', '-q', '-b', 'main'], tree, dir);
        git(['remote', 'add', 'origin', bare], tree, dir);
      }
      git(['rm', '-rq', '--ignore-unmatch', '.'], tree, dir);
      for (const [path, content] of Object.entries(files)) {
        const full = join(tree, path);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
      git(['add', '-A'], tree, dir);
      git(['commit', '-q', '--allow-empty', '-m', message], tree, dir);
      git(['push', '-q', 'origin', 'main'], tree, dir);
      return git(['rev-parse', 'HEAD'], tree, dir);
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
