/**
 * The real Flux controllers (source-controller, helm-controller,
 * kustomize-controller, built from source by test/cluster/flux/build.sh)
 * running as plain processes against a control plane from control-plane.ts.
 * Everything is on loopback: metrics and health endpoints on free ports,
 * source-controller's artifact storage in the run directory, served by its
 * own artifact server on 127.0.0.1 (the address it writes into artifact
 * URLs, which helm-controller and kustomize-controller download from).
 * Leader election is off. There is no kubelet: Deployments, Pods and Jobs a
 * chart creates never become ready, so Helm's readiness wait only passes for
 * objects such as ConfigMaps, Services, Secrets and RBAC (or with
 * `install.disableWait`).
 *
 * The state (pids, ports, logs) is saved as flux.json in the run directory
 * so `npm run cluster:down` can stop controllers a `cluster:up` started.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, killAndWait, logTail, processAlive, waitUntil } from './processes.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;

export const FLUX_CONTROLLERS = ['source-controller', 'helm-controller', 'kustomize-controller'] as const;
export type FluxControllerName = (typeof FLUX_CONTROLLERS)[number];

export interface FluxProcess {
  name: FluxControllerName;
  pid: number;
  binary: string;
  log: string;
  healthAddr: string;
  metricsAddr: string;
}

export interface FluxState {
  runDir: string;
  kubeconfig: string;
  /** `127.0.0.1:PORT`, source-controller's artifact server. */
  storageAddr: string;
  storagePath: string;
  processes: FluxProcess[];
}

/** Path of the cached controller binary (FLUXHELM_<NAME> overrides), building it once if needed. */
export function fluxBinary(name: FluxControllerName): string {
  const env = process.env[`FLUXHELM_${name.toUpperCase().replace('-', '_')}`];
  if (env) return env;
  const out = execFileSync('bash', [join(repoRoot, 'test', 'cluster', 'flux', 'build.sh'), name], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1]!;
}

function spawnController(bin: string, args: string[], log: string, env: NodeJS.ProcessEnv): number {
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.on('error', () => { /* reported through the readiness wait */ });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${bin}`);
  return child.pid;
}

async function waitHealthy(p: FluxProcess): Promise<void> {
  await waitUntil(
    `${p.name} /readyz`,
    60000,
    async () => {
      if (!processAlive(p.pid, p.binary)) throw new Error(`${p.name} exited`);
      try {
        const r = await fetch(`http://${p.healthAddr}/readyz`, { signal: AbortSignal.timeout(2000) });
        return r.ok;
      } catch {
        return false;
      }
    },
    () => logTail(p.log, 40),
  );
}

/**
 * Starts the controllers against the cluster of `kubeconfig` (admin
 * identity); resolves once each reports ready. On failure the ones already
 * started are stopped again.
 */
export async function startFlux(opts: { runDir: string; kubeconfig: string; controllers?: readonly FluxControllerName[]; concurrent?: number }): Promise<FluxState> {
  const dir = join(opts.runDir, 'flux');
  const storagePath = join(dir, 'storage');
  const home = join(dir, 'home');
  mkdirSync(storagePath, { recursive: true });
  mkdirSync(home, { recursive: true });
  const storagePort = await freePort();
  const state: FluxState = { runDir: opts.runDir, kubeconfig: opts.kubeconfig, storageAddr: `127.0.0.1:${storagePort}`, storagePath, processes: [] };
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: opts.kubeconfig, RUNTIME_NAMESPACE: 'flux-system' };
  const save = () => writeFileSync(join(opts.runDir, 'flux.json'), JSON.stringify(state, null, 2));
  try {
    for (const name of opts.controllers ?? FLUX_CONTROLLERS) {
      const binary = fluxBinary(name);
      const p: FluxProcess = {
        name, binary, pid: 0,
        log: join(dir, `${name}.log`),
        healthAddr: `127.0.0.1:${await freePort()}`,
        metricsAddr: `127.0.0.1:${await freePort()}`,
      };
      const args = [
        `--metrics-addr=${p.metricsAddr}`,
        `--health-addr=${p.healthAddr}`,
        '--enable-leader-election=false',
        '--log-encoding=json',
        '--log-level=info',
        `--concurrent=${opts.concurrent ?? 8}`,
        '--requeue-dependency=2s',
      ];
      if (name === 'source-controller') {
        args.push(`--storage-path=${storagePath}`, `--storage-addr=${state.storageAddr}`, `--storage-adv-addr=${state.storageAddr}`);
      }
      p.pid = spawnController(binary, args, p.log, env);
      state.processes.push(p);
      save();
    }
    await Promise.all(state.processes.map(waitHealthy));
    save();
    return state;
  } catch (e) {
    await stopFlux(state);
    throw e;
  }
}

export async function stopFlux(state: Pick<FluxState, 'processes'>): Promise<void> {
  await Promise.all(state.processes.map((p) => killAndWait(p.pid, p.binary, 20000)));
}

/** Kills at once (process exit handlers cannot wait). */
export function killFluxNow(state: Pick<FluxState, 'processes'>): void {
  for (const p of state.processes) {
    if (processAlive(p.pid, p.binary)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function readFluxState(runDir: string): FluxState | undefined {
  const file = join(runDir, 'flux.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FluxState;
  } catch {
    return undefined;
  }
}

export function fluxRunning(state: FluxState | undefined): boolean {
  return !!state && state.processes.length > 0 && state.processes.every((p) => processAlive(p.pid, p.binary));
}

/** The last lines of every controller's log, for failure messages. */
export function fluxLogs(state: FluxState, lines = 20): string {
  return state.processes.map((p) => `--- ${p.name} (${p.log})\n${logTail(p.log, lines)}`).join('\n');
}
