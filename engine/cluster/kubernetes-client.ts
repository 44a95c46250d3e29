/**
 * The one place engine/cluster does IO: a ClusterTransport over Node's
 * http(s) for a loaded kubeconfig (CA, client certificate, bearer token,
 * basic auth, or an exec credential plugin such as aws/gke/kubelogin, run
 * non-interactively and cached until its credential expires). Front ends
 * create it and hand it to the pure functions in this folder. Every failure,
 * including TLS, DNS and plugin errors, is returned as `{ error }`.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ExecConfig, LoadedKubeconfig } from './kubeconfig.ts';
import type { ClusterTransport, TransportRequest, TransportResponse } from './types.ts';

export interface TransportOptions {
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  /** Sent as the User-Agent. */
  userAgent?: string;
}

interface Credential {
  token?: string;
  cert?: string;
  key?: string;
  expiresAt?: number;
}

function runExecPlugin(exec: ExecConfig): Promise<Credential | { error: string }> {
  const info = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: info };
  for (const e of exec.env) env[e.name] = e.value;
  const command = exec.command.includes('/') && !exec.command.startsWith('/') ? `${exec.baseDir}/${exec.command}` : exec.command;
  return new Promise((resolve) => {
    execFile(command, exec.args, { env, timeout: 60000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) return resolve({ error: `exec plugin ${exec.command}: ${err.message}${stderr ? `\n${stderr.trim()}` : ''}` });
      try {
        const cred = JSON.parse(stdout) as { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } };
        const s = cred.status ?? {};
        if (!s.token && !s.clientCertificateData) return resolve({ error: `exec plugin ${exec.command} returned no credential` });
        const out: Credential = {};
        if (s.token) out.token = s.token;
        if (s.clientCertificateData) out.cert = s.clientCertificateData;
        if (s.clientKeyData) out.key = s.clientKeyData;
        if (s.expirationTimestamp) out.expiresAt = Date.parse(s.expirationTimestamp);
        resolve(out);
      } catch {
        resolve({ error: `exec plugin ${exec.command} printed no ExecCredential JSON` });
      }
    });
  });
}

export function createTransport(config: LoadedKubeconfig, opts: TransportOptions = {}): ClusterTransport {
  let cached: Credential | undefined;

  async function credential(): Promise<Credential | { error: string }> {
    const u = config.user;
    if (!u.exec) {
      const c: Credential = {};
      if (u.token) c.token = u.token;
      if (u.clientCert) c.cert = u.clientCert;
      if (u.clientKey) c.key = u.clientKey;
      return c;
    }
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - 30000 > Date.now())) return cached;
    const fresh = await runExecPlugin(u.exec);
    if (!('error' in fresh)) cached = fresh;
    return fresh;
  }

  return {
    async request(req: TransportRequest): Promise<TransportResponse | { error: string }> {
      let url: URL;
      try {
        url = new URL(config.cluster.server.replace(/\/+$/, '') + req.path);
      } catch {
        return { error: `invalid server URL ${config.cluster.server}` };
      }
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
      const cred = await credential();
      if ('error' in cred) return cred;
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': opts.userAgent ?? 'fluxhelm' };
      if (req.body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json';
      if (cred.token) headers.Authorization = `Bearer ${cred.token}`;
      else if (config.user.username !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${config.user.username}:${config.user.password ?? ''}`).toString('base64')}`;
      }
      const timeout = opts.timeoutMs ?? 30000;
      const options: RequestOptions & Record<string, unknown> = { method: req.method, headers, timeout };
      if (url.protocol === 'https:') {
        if (config.cluster.ca) options.ca = config.cluster.ca;
        if (cred.cert) options.cert = cred.cert;
        if (cred.key) options.key = cred.key;
        if (config.cluster.insecureSkipTlsVerify) options.rejectUnauthorized = false;
        if (config.cluster.tlsServerName) options.servername = config.cluster.tlsServerName;
      }
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      return new Promise((resolve) => {
        let settled = false;
        const done = (v: TransportResponse | { error: string }) => {
          if (!settled) {
            settled = true;
            resolve(v);
          }
        };
        let r: ReturnType<typeof httpsRequest>;
        try {
          r = send(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', (e) => done({ error: e.message }));
          });
        } catch (e) {
          // Bad TLS material (an unparsable key) throws synchronously.
          return done({ error: `${req.method} ${url.origin}${req.path}: ${e instanceof Error ? e.message : String(e)}` });
        }
        r.on('timeout', () => r.destroy(new Error(`request timed out after ${timeout} ms`)));
        r.on('error', (e) => done({ error: `${req.method} ${url.origin}${req.path}: ${e.message}` }));
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
  };
}
