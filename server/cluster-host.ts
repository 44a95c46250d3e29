/**
 * The Node side of fluxhelm's cluster features, shared by the language
 * server and the CLI: @kubernetes/client-node loads kubeconfig (KUBECONFIG
 * lists, contexts and their namespaces, certificates, tokens, exec
 * credential plugins) and authenticates each HTTPS request
 * (applyToHTTPSOptions), and its Watch streams watch events. Requests go out
 * over a pooled keep-alive agent per TLS identity. Everything is wrapped so
 * that no failure escapes as an exception: the engine's ClusterHost
 * (engine/cluster/host.ts) sees data only.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig, Watch } from './vendor-kube.ts';
import {
  createRestClusterHost,
  clusterFail as fail,
  clusterOk as ok,
  type ClusterHost,
  type ClusterResult,
  type ClusterTransport,
  type StopHandle,
  type TransportResponse,
} from '../engine/index.ts';

import type { ClusterConnectOptions, ContextInfo } from '../engine/index.ts';

export type { ClusterConnectOptions, ContextInfo };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The kubeconfig files kubectl would read: an explicit one, else each
 * existing file of KUBECONFIG, merged with the first definition of a name
 * winning and the first current-context winning (client-node's own merge
 * fails on missing files and duplicate names), else client-node's default.
 */
function readKubeConfig(explicit: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (explicit) {
    kc.loadFromFile(explicit);
    return kc;
  }
  const list = (process.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f && existsSync(f));
  if (list.length === 0) {
    kc.loadFromDefault();
    return kc;
  }
  kc.loadFromFile(list[0]!);
  for (const file of list.slice(1)) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    for (const c of more.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of more.users) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const c of more.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
    if (!kc.currentContext) kc.currentContext = more.currentContext;
  }
  return kc;
}

/** Loads kubeconfig like kubectl; problems are `bad-input` errors. */
export function loadKubeConfig(
  opts: Pick<ClusterConnectOptions, 'kubeconfig' | 'context'> = {},
): ClusterResult<KubeConfig> {
  let kc: KubeConfig;
  try {
    kc = readKubeConfig(opts.kubeconfig);
  } catch (e) {
    return fail({
      kind: 'bad-input',
      message: `cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${message(e)}`,
    });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      return fail({ kind: 'bad-input', message: `no context "${opts.context}" in kubeconfig (contexts: ${names})` });
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    return fail({
      kind: 'bad-input',
      message: `kubeconfig has no cluster for context "${kc.getCurrentContext() || '(none)'}"`,
    });
  }
  return ok(kc);
}

/** The contexts of the kubeconfig and the current one. */
export function listContexts(
  opts: Pick<ClusterConnectOptions, 'kubeconfig'> = {},
): ClusterResult<{ current: string; contexts: ContextInfo[] }> {
  let kc: KubeConfig;
  try {
    kc = readKubeConfig(opts.kubeconfig);
  } catch (e) {
    return fail({ kind: 'bad-input', message: `cannot load kubeconfig: ${message(e)}` });
  }
  return ok({
    current: kc.getCurrentContext(),
    contexts: kc.getContexts().map((c) => ({
      name: c.name,
      cluster: c.cluster,
      user: c.user,
      ...(c.namespace ? { namespace: c.namespace } : {}),
    })),
  });
}

/** A ClusterTransport over client-node's authentication. */
export function createKubeTransport(kc: KubeConfig, timeoutMs = 30000): ClusterTransport {
  const server = (kc.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
  const agents = new Map<string, Agent>();

  function pooledAgent(o: RequestOptions): Agent {
    const h = createHash('sha256');
    for (const part of [o.ca, o.cert, o.key, o.servername, String(o.rejectUnauthorized)])
      h.update(part === undefined ? '-' : String(part)).update('\0');
    const key = h.digest('hex');
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({
        keepAlive: true,
        maxSockets: 16,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        servername: o.servername,
        rejectUnauthorized: o.rejectUnauthorized,
      });
      agents.set(key, agent);
    }
    return agent;
  }

  return {
    async request(req) {
      let url: URL;
      try {
        url = new URL(server + req.path);
      } catch {
        return { error: `invalid server URL ${server}` };
      }
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'fluxhelm' };
      if (req.body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json';
      const options: RequestOptions = { method: req.method, headers, timeout: timeoutMs };
      try {
        await kc.applyToHTTPSOptions(options);
      } catch (e) {
        return { error: `credentials for context ${kc.getCurrentContext()}: ${message(e)}` };
      }
      const https = url.protocol === 'https:';
      if (https) options.agent = pooledAgent(options);
      else delete options.agent;
      return new Promise<TransportResponse | { error: string }>((resolve) => {
        let settled = false;
        const done = (v: TransportResponse | { error: string }) => {
          if (!settled) {
            settled = true;
            resolve(v);
          }
        };
        try {
          const r = (https ? httpsRequest : httpRequest)(url, options, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', (e) => done({ error: e.message }));
          });
          r.on('timeout', () => r.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
          r.on('error', (e) => done({ error: `${req.method} ${url.origin}${req.path}: ${e.message}` }));
          if (req.body !== undefined) r.write(req.body);
          r.end();
        } catch (e) {
          done({ error: `${req.method} ${url.origin}${req.path}: ${message(e)}` });
        }
      });
    },

    watch(req, onEvent, onEnd): StopHandle {
      let controller: AbortController | undefined;
      let stopped = false;
      let ended = false;
      const end = (error?: string) => {
        if (ended) return;
        ended = true;
        onEnd(error);
      };
      const describe = (err: unknown): string | undefined => {
        if (!err) return undefined;
        const code = (err as { statusCode?: number }).statusCode;
        return code ? `HTTP ${code} ${message(err)}` : message(err);
      };
      try {
        new Watch(kc)
          .watch(
            req.path,
            req.query ?? {},
            (type, object) => !ended && onEvent({ type, object }),
            (err) => end(stopped ? undefined : describe(err)),
          )
          .then(
            (c) => {
              controller = c;
              if (stopped) c.abort();
            },
            (e) => end(message(e)),
          );
      } catch (e) {
        queueMicrotask(() => end(message(e)));
      }
      return {
        stop() {
          stopped = true;
          controller?.abort();
          end();
        },
      };
    },
  };
}

/** Connects to the cluster of a kubeconfig context (nothing is sent until the first call). */
export function connectCluster(opts: ClusterConnectOptions = {}): ClusterResult<ClusterHost> {
  const kc = loadKubeConfig(opts);
  if (!kc.ok) return kc;
  const context = kc.value.getCurrentContext();
  const namespace = opts.namespace || kc.value.getContextObject(context)?.namespace || 'default';
  return ok(createRestClusterHost(createKubeTransport(kc.value, opts.timeoutMs), { context, namespace }));
}
