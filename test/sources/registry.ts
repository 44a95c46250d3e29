/**
 * Runs Debian's `docker-registry` (the CNCF distribution registry, installed
 * by .ci/registry-deps.sh) on 127.0.0.1 for OCI tests, with a generated
 * config and storage in a temp dir. Auth modes: none, htpasswd (bcrypt file
 * written by `htpasswd -B` from apache2-utils), or token (the registry trusts
 * a certificate and sends clients to a token realm; see ./token-server.ts).
 * Also pushes charts with the real helm binary.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { helmBinary, isolatedHelmEnv } from '../support/tools.ts';
import { buildChartArchive, type ChartSpec } from '../support/chart-repo.ts';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: Record<string, string> }
  | { kind: 'token'; realm: string; service: string; issuer: string; certPem: string };

export interface Registry {
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function ping(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(true);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startRegistry(auth: RegistryAuth): Promise<Registry> {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing: run \`bash .ci/registry-deps.sh\` (Debian package docker-registry)`);
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-registry-'));
  const port = await freePort();
  mkdirSync(join(dir, 'data'));
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: fluxhelm-test-secret',
  ];
  if (auth.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    const text = Object.entries(auth.users)
      .map(([u, p]) => execFileSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).trim())
      .join('\n');
    writeFileSync(file, `${text}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: fluxhelm-test', `    path: ${file}`);
  } else if (auth.kind === 'token') {
    const bundle = join(dir, 'token-ca.pem');
    writeFileSync(bundle, auth.certPem);
    lines.push('auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${bundle}`);
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const logFd = openSync(join(dir, 'registry.log'), 'a');
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!(await ping(`http://127.0.0.1:${port}/v2/`))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = readFileSync(join(dir, 'registry.log'), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    dir,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a command without blocking the event loop (token servers in this process must keep answering). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * Packages charts (our archive builder) and pushes them with the real
 * `helm push --plain-http`; returns the digest helm reports per version.
 */
export async function helmPush(registryHost: string, repoPath: string, charts: ChartSpec[], login?: { username: string; password: string }): Promise<Map<string, string>> {
  const home = mkdtempSync(join(tmpdir(), 'fluxhelm-helm-push-'));
  const digests = new Map<string, string>();
  try {
    for (const spec of charts) {
      const file = join(home, `${spec.name}-${spec.version}.tgz`);
      writeFileSync(file, buildChartArchive(spec));
      const args = ['push', file, `oci://${registryHost}/${repoPath}`, '--plain-http'];
      if (login) args.push('--username', login.username, '--password', login.password);
      const r = await run(helmBinary(), args, isolatedHelmEnv(home));
      if (r.code !== 0) throw new Error(`helm push ${spec.name} ${spec.version} failed: ${r.out}`);
      const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(r.out)?.[1];
      if (digest) digests.set(spec.version, digest);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return digests;
}

export interface PagingFront {
  host: string;
  /** Tag-list requests seen (path with query). */
  tagRequests: string[];
  stop(): Promise<void>;
}

/**
 * Distribution 2.8 (Debian's registry) ignores `n`/`last` on tag lists; the
 * OCI distribution spec defines them. This loopback front forwards every
 * request to the real registry unchanged, except tag lists with `n`: it
 * fetches the full list from the registry and returns the spec's page (tags
 * in lexical order after `last`, at most `n`) with a `Link: <...>;
 * rel="next"` header while more remain.
 */
export async function startPagingFront(upstreamHost: string): Promise<PagingFront> {
  const { createServer: createHttpServer } = await import('node:http');
  const tagRequests: string[] = [];
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const forward = (path: string, onBody: (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) => void) => {
      const up = request({ host: '127.0.0.1', port: Number(upstreamHost.split(':')[1]), path, method: req.method, headers: { ...req.headers, host: upstreamHost } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => onBody(r.statusCode ?? 502, r.headers, Buffer.concat(chunks)));
      });
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    };
    const n = Number(url.searchParams.get('n'));
    if (/\/tags\/list$/.test(url.pathname)) tagRequests.push(`${url.pathname}${url.search}`);
    if (/\/tags\/list$/.test(url.pathname) && n > 0) {
      forward(url.pathname, (status, headers, body) => {
        if (status !== 200) {
          res.writeHead(status, headers);
          res.end(body);
          return;
        }
        const parsed = JSON.parse(body.toString('utf8')) as { name: string; tags: string[] };
        const last = url.searchParams.get('last');
        const sorted = [...parsed.tags].sort();
        const rest = last ? sorted.filter((t) => t > last) : sorted;
        const page = rest.slice(0, n);
        const out: Record<string, string> = { 'content-type': 'application/json' };
        if (rest.length > n) out.link = `<${url.pathname}?n=${n}&last=${encodeURIComponent(page[page.length - 1])}>; rel="next"`;
        res.writeHead(200, out);
        res.end(JSON.stringify({ name: parsed.name, tags: page }));
      });
      return;
    }
    forward(`${url.pathname}${url.search}`, (status, headers, body) => {
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    tagRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
