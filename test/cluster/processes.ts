/**
 * Process and HTTP plumbing for the test control plane: free loopback
 * ports, detached processes with logs, liveness checks that also match the
 * command line (so a recycled pid is never signalled), polling, and HTTPS
 * requests as the admin or restricted identity.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { Pki } from './pki.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when pid is a live (non-zombie) process whose command line mentions marker. */
export function processAlive(pid: number, marker: string): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

export async function killAndWait(pid: number, marker: string, timeoutMs = 15000): Promise<void> {
  if (!processAlive(pid, marker)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid, marker)) return;
    await sleep(100);
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  while (processAlive(pid, marker)) await sleep(50);
}

export function spawnDetached(bin: string, args: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  // A minimal environment: no ETCD_* or KUBE* variables leak in from the caller.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.on('error', () => { /* reported through the readiness wait */ });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${bin}`);
  return child.pid;
}

export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function httpsRequest(
  pki: Pki,
  url: string,
  method: string,
  opts: { restricted?: boolean; body?: string; contentType?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.restricted) headers.Authorization = `Bearer ${pki.restrictedToken}`;
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const req = request(
      url,
      {
        method,
        ca: readFileSync(pki.caCert),
        ...(opts.restricted ? {} : { cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) }),
        headers,
        timeout: opts.timeoutMs ?? 10000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, onFail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch { /* not yet */ }
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${onFail()}`);
}
