/**
 * A loopback HTTP front for test/support/chart-repo.ts that adds what a real
 * chart repository host does and the plain test repository does not: basic
 * auth, gzip, ETag/Last-Modified with 304s, redirect chains. It also plays
 * hostile servers: one that never answers, one that trickles bytes, one that
 * sends an endless body. Listens on 127.0.0.1 only; `stop()` closes every
 * connection.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

export interface FrontOptions {
  /** Base URL of the repository to forward to. */
  upstream?: string;
  /** Require `Authorization: Basic` with these credentials. */
  auth?: { username: string; password: string };
  /** Gzip bodies when the client accepts it. */
  gzip?: boolean;
  /** Send ETag + Last-Modified and answer conditional requests with 304. */
  etag?: boolean;
  /** Paths under `/hop/<n>/...` redirect n times before reaching the upstream path. */
  redirects?: boolean;
  /** `hang`: accept and never answer; `trickle`: headers then one byte per 200 ms; `endless`: an unbounded body as fast as possible. */
  hostile?: 'hang' | 'trickle' | 'endless';
}

export interface Front {
  url: string;
  /** Requests seen: method, path, status sent, request headers. */
  log: { method: string; path: string; status: number; headers: IncomingMessage['headers'] }[];
  stop(): Promise<void>;
}

function fetchUpstream(upstream: string, path: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, upstream), (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/octet-stream') }, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function startFront(options: FrontOptions): Promise<Front> {
  const log: Front['log'] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const lastModified = new Date(Date.UTC(2024, 0, 2)).toUTCString();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const entry = { method: req.method ?? 'GET', path, status: 0, headers: req.headers };
    log.push(entry);
    const send = (status: number, headers: Record<string, string>, body?: Buffer | string) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (options.hostile === 'hang') return; // never answer
    if (options.hostile === 'trickle') {
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/x-yaml' });
      const t = setInterval(() => res.write('a'), 200);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (options.hostile === 'endless') {
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/x-yaml' });
      const chunk = Buffer.alloc(64 * 1024, 'apiVersion: v1\n');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    const hop = /^\/hop\/(\d+)(\/.*)$/.exec(path);
    if (options.redirects && hop) {
      const n = Number(hop[1]);
      send(302, { location: n > 1 ? `/hop/${n - 1}${hop[2]}` : hop[2] });
      return;
    }
    if (options.auth) {
      const want = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        send(401, { 'www-authenticate': 'Basic realm="charts"', 'content-type': 'text/plain' }, 'unauthorized\n');
        return;
      }
    }
    if (!options.upstream) {
      send(404, { 'content-type': 'text/plain' }, 'no upstream\n');
      return;
    }
    const up = await fetchUpstream(options.upstream, path);
    const headers: Record<string, string> = { ...up.headers };
    if (options.etag && up.status === 200) {
      const etag = `"${createHash('sha256').update(up.body).digest('hex').slice(0, 16)}"`;
      headers.etag = etag;
      headers['last-modified'] = lastModified;
      if (req.headers['if-none-match'] === etag) {
        send(304, { etag });
        return;
      }
    }
    let body = up.body;
    if (options.gzip && /gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    send(up.status, headers, body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e.message));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
