/**
 * A tiny loopback token service for the distribution registry's `token` auth
 * (the Docker registry token protocol): `GET /token?service=..&scope=..` with
 * Basic credentials returns `{ token, expires_in }`, a JWT signed RS256 whose
 * header carries the signing certificate (`x5c`), which the registry checks
 * against its `rootcertbundle`. The key and self-signed certificate are made
 * with openssl. Listens on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  /** Requests seen: scope and the user that asked (or `anonymous`). */
  log: { scope: string; user: string; status: number }[];
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export async function startTokenServer(users: Record<string, string>): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-token-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=fluxhelm-token-issuer'], { stdio: 'ignore' });
  const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const certDer = new X509Certificate(certPem).raw;
  const service = 'fluxhelm-test-registry';
  const issuer = 'fluxhelm-test-issuer';
  const log: TokenServer['log'] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scope = url.searchParams.get('scope') ?? '';
    const auth = req.headers.authorization ?? '';
    let user = 'anonymous';
    if (auth.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (users[u] === undefined || users[u] !== rest.join(':')) {
        log.push({ scope, user: u, status: 401 });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"details":"invalid username or password"}');
        return;
      }
      user = u;
    }
    if (user === 'anonymous' || url.pathname !== '/token' || url.searchParams.get('service') !== service) {
      log.push({ scope, user, status: 401 });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      res.end('{"details":"authentication required"}');
      return;
    }
    // Grant what was asked: `repository:<name>:pull,push`, possibly several scopes.
    const access = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
      .map((s) => {
        const [type, ...restParts] = s.split(':');
        const actions = restParts.pop() ?? '';
        return { type, name: restParts.join(':'), actions: actions.split(',').filter(Boolean) };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(keyPem);
    const token = `${signingInput}.${b64url(signature)}`;
    log.push({ scope, user, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPem,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
