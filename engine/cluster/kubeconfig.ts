/**
 * Loads kubeconfig the way kubectl does: an explicit path, else every file
 * in KUBECONFIG (path-list separated; the first definition of a name wins,
 * the first current-context wins), else ~/.kube/config; then an optional
 * context override. The result is plain data with every referenced file
 * (certificate-authority, client-certificate, client-key, tokenFile) already
 * read through the injected host, so the transport needs no file access.
 * Problems come back as `bad-input` errors, never as exceptions.
 *
 * (Parsed with `yaml` rather than @kubernetes/client-node's KubeConfig:
 * client-node 2.x loads undici 8, which needs Node >= 22.19, and its
 * KubeConfig reads referenced files itself.)
 */
import { parse } from 'yaml';
import { fail, ok, type ClusterResult } from './types.ts';

export interface KubeconfigHost {
  readFile(path: string): string | undefined;
  env(name: string): string | undefined;
  homeDir(): string;
  /** ':' on POSIX (default), ';' on Windows. */
  pathListSeparator?: string;
}

export interface KubeCluster {
  name: string;
  server: string;
  /** PEM text of the CA bundle, when the kubeconfig names one. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
}

export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  /** Directory of the kubeconfig that defined it (relative commands resolve here). */
  baseDir: string;
}

export interface KubeUser {
  name: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
}

export interface LoadedKubeconfig {
  /** The files that were read, in order. */
  files: string[];
  contexts: string[];
  context: string;
  cluster: KubeCluster;
  user: KubeUser;
  /** The context's namespace, `default` when it has none. */
  namespace: string;
}

type Raw = Record<string, unknown>;
interface Named { name: string; body: Raw; dir: string }

function dirOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

function resolvePath(dir: string, p: string): string {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) ? p : `${dir}/${p}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function decodeBase64(data: string): string | undefined {
  try {
    return atob(data.replace(/\s+/g, ''));
  } catch {
    return undefined;
  }
}

function entries(doc: Raw, listKey: string, bodyKey: string, dir: string): Named[] {
  const list = doc[listKey];
  if (!Array.isArray(list)) return [];
  const out: Named[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const name = str((item as Raw).name);
    const body = (item as Raw)[bodyKey];
    if (name) out.push({ name, body: body && typeof body === 'object' ? (body as Raw) : {}, dir });
  }
  return out;
}

/** Inline `<key>-data` (base64) or the file named by `<key>`; an error message when neither can be read. */
function material(host: KubeconfigHost, body: Raw, key: string, dir: string, what: string): { value?: string; error?: string } {
  const data = str(body[`${key}-data`]);
  if (data) {
    const text = decodeBase64(data);
    return text === undefined ? { error: `${what}: ${key}-data is not valid base64` } : { value: text };
  }
  const file = str(body[key]);
  if (!file) return {};
  const path = resolvePath(dir, file);
  const text = host.readFile(path);
  return text === undefined ? { error: `${what}: cannot read ${key} ${path}` } : { value: text };
}

function resolveCluster(host: KubeconfigHost, c: Named): ClusterResult<KubeCluster> {
  const server = str(c.body.server);
  if (!server) return fail({ kind: 'bad-input', message: `cluster "${c.name}" has no server` });
  const cluster: KubeCluster = { name: c.name, server };
  const ca = material(host, c.body, 'certificate-authority', c.dir, `cluster "${c.name}"`);
  if (ca.error) return fail({ kind: 'bad-input', message: ca.error });
  if (ca.value) cluster.ca = ca.value;
  if (c.body['insecure-skip-tls-verify'] === true) cluster.insecureSkipTlsVerify = true;
  const sni = str(c.body['tls-server-name']);
  if (sni) cluster.tlsServerName = sni;
  return ok(cluster);
}

function resolveUser(host: KubeconfigHost, u: Named): ClusterResult<KubeUser> {
  const user: KubeUser = { name: u.name };
  const what = `user "${u.name}"`;
  for (const [key, field] of [['client-certificate', 'clientCert'], ['client-key', 'clientKey']] as const) {
    const m = material(host, u.body, key, u.dir, what);
    if (m.error) return fail({ kind: 'bad-input', message: m.error });
    if (m.value) user[field] = m.value;
  }
  const token = str(u.body.token);
  const tokenFile = str(u.body.tokenFile);
  if (token) user.token = token;
  else if (tokenFile) {
    const text = host.readFile(resolvePath(u.dir, tokenFile));
    if (text === undefined) return fail({ kind: 'bad-input', message: `${what}: cannot read tokenFile ${tokenFile}` });
    user.token = text.trim();
  }
  const username = str(u.body.username);
  if (username) {
    user.username = username;
    user.password = typeof u.body.password === 'string' ? u.body.password : '';
  }
  const exec = u.body.exec;
  if (exec && typeof exec === 'object') {
    const e = exec as Raw;
    const command = str(e.command);
    if (!command) return fail({ kind: 'bad-input', message: `${what}: exec has no command` });
    user.exec = {
      command,
      args: Array.isArray(e.args) ? e.args.filter((a): a is string => typeof a === 'string') : [],
      env: Array.isArray(e.env)
        ? e.env.flatMap((x) => (x && typeof x === 'object' && typeof (x as Raw).name === 'string'
          ? [{ name: (x as Raw).name as string, value: String((x as Raw).value ?? '') }] : []))
        : [],
      apiVersion: str(e.apiVersion) ?? 'client.authentication.k8s.io/v1',
      baseDir: u.dir,
    };
  }
  const provider = u.body['auth-provider'];
  if (provider && typeof provider === 'object' && !user.token && !user.exec) {
    const name = str((provider as Raw).name) ?? 'unknown';
    return fail({ kind: 'bad-input', message: `${what}: auth-provider "${name}" is not supported; use an exec credential plugin` });
  }
  return ok(user);
}

/** Loads and merges the kubeconfig files; `context` picks another context than the current one. */
export function loadKubeconfig(host: KubeconfigHost, opts: { path?: string; context?: string } = {}): ClusterResult<LoadedKubeconfig> {
  const sep = host.pathListSeparator ?? ':';
  const envList = host.env('KUBECONFIG');
  const candidates = opts.path
    ? [opts.path]
    : envList
      ? envList.split(sep).filter((p) => p.length > 0)
      : [`${host.homeDir()}/.kube/config`];

  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  const contexts = new Map<string, Named>();
  const files: string[] = [];
  let current = '';
  for (const file of candidates) {
    const text = host.readFile(file);
    if (text === undefined) {
      if (opts.path) return fail({ kind: 'bad-input', message: `cannot read kubeconfig ${file}` });
      continue; // kubectl skips missing entries of KUBECONFIG
    }
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (e) {
      return fail({ kind: 'bad-input', message: `invalid kubeconfig ${file}: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (doc === null || doc === undefined) doc = {};
    if (typeof doc !== 'object' || Array.isArray(doc)) return fail({ kind: 'bad-input', message: `invalid kubeconfig ${file}: not a mapping` });
    const raw = doc as Raw;
    for (const key of ['clusters', 'users', 'contexts']) {
      if (raw[key] !== undefined && raw[key] !== null && !Array.isArray(raw[key])) {
        return fail({ kind: 'bad-input', message: `invalid kubeconfig ${file}: ${key} is not a list` });
      }
    }
    files.push(file);
    const dir = dirOf(file);
    if (!current) current = str(raw['current-context']) ?? '';
    for (const c of entries(raw, 'clusters', 'cluster', dir)) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of entries(raw, 'users', 'user', dir)) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of entries(raw, 'contexts', 'context', dir)) if (!contexts.has(c.name)) contexts.set(c.name, c);
  }
  if (files.length === 0) return fail({ kind: 'bad-input', message: `no kubeconfig found (looked at ${candidates.join(', ')})` });

  const contextName = opts.context || current;
  if (!contextName) return fail({ kind: 'bad-input', message: 'the kubeconfig has no current-context; pick a context' });
  const ctx = contexts.get(contextName);
  if (!ctx) {
    return fail({ kind: 'bad-input', message: `context "${contextName}" not found; known: ${[...contexts.keys()].join(', ') || 'none'}` });
  }
  const clusterName = str(ctx.body.cluster) ?? '';
  const namedCluster = clusters.get(clusterName);
  if (!namedCluster) return fail({ kind: 'bad-input', message: `context "${contextName}" names cluster "${clusterName}", which is not defined` });
  const cluster = resolveCluster(host, namedCluster);
  if (!cluster.ok) return cluster;
  const userName = str(ctx.body.user);
  let user: KubeUser = { name: userName ?? '' };
  if (userName) {
    const namedUser = users.get(userName);
    if (!namedUser) return fail({ kind: 'bad-input', message: `context "${contextName}" names user "${userName}", which is not defined` });
    const resolved = resolveUser(host, namedUser);
    if (!resolved.ok) return resolved;
    user = resolved.value;
  }
  return ok({
    files,
    contexts: [...contexts.keys()],
    context: contextName,
    cluster: cluster.value,
    user,
    namespace: str(ctx.body.namespace) ?? 'default',
  });
}
