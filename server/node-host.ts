/**
 * The one engine host for Node front ends (language server, CLI, MCP): real
 * files, environment, clock and timers, the network for chart sources
 * (server/net-host.ts), clusters through kubeconfig (server/cluster-host.ts,
 * loaded on first use so commands that never reach a cluster do not pay for
 * client-node), Helm's engine (server/helm-render-host.ts) and Git (server/git-host.ts). The only
 * place fs, sockets and timers are touched on the engine's behalf.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { EngineHost, Clock, GitHost } from '../engine/index.ts';
import { createNetHost } from './net-host.ts';
import { createHelmRenderHost, type HelmEngineTier, type NodeHelmRenderHost } from './helm-render-host.ts';
import { createGitHost } from './git-host.ts';

export const nodeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface NodeHostOptions {
  /**
   * How Helm's module is compiled (server/helm-render-host.ts): `baseline` for
   * one-shot CLI commands, `optimizing` (default) for long-lived processes.
   */
  renderTier?: HelmEngineTier;
  /** The Git host (default: a new one, see git-host.ts). */
  git?: GitHost;
}

export function createNodeHost(options: NodeHostOptions = {}): EngineHost {
  let net: EngineHost['net'];
  let helm: NodeHelmRenderHost | undefined;
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    readBinary(path) {
      try {
        return new Uint8Array(readFileSync(path));
      } catch {
        return undefined;
      }
    },
    readDir(path) {
      try {
        return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
      } catch {
        return undefined;
      }
    },
    now: () => Date.now(),
    env: (name) => process.env[name],
    clock: nodeClock,
    get net() {
      return (net ??= createNetHost());
    },
    /** Helm's engine (dist/helm.wasm in a worker thread), when it was built; started on the first render. */
    get render() {
      // Starting the engine compiles a 24 MB module: on a busy machine that can take long, so allow two minutes.
      helm ??= createHelmRenderHost({ startTimeoutMs: 120_000, tier: options.renderTier });
      return helm.available ? helm : undefined;
    },
    git: options.git ?? createGitHost(),
    cluster: {
      connect: async (opts) => (await import('./cluster-host.ts')).connectCluster(opts),
      listContexts: async (opts) => (await import('./cluster-host.ts')).listContexts(opts),
    },
  };
}
