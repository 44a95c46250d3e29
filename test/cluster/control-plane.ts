/**
 * A real Kubernetes control plane for fluxhelm's cluster tests: Debian's etcd
 * plus kube-apiserver built from source (build-apiserver.sh), both on free
 * loopback ports, RBAC on, with an admin identity (client certificate in
 * system:masters) and a restricted one (bearer token, read-only on the Flux
 * groups). The Flux CRDs are installed with the real kubectl and waited for.
 *
 * Two ways in, sharing one implementation:
 * - startControlPlane() for tests: reuses the cluster that `npm run
 *   cluster:up` started if it is healthy, otherwise starts a private one in a
 *   temp dir and stops it on stop() or process exit.
 * - upShared()/downShared() for scripts/cluster.ts: a detached cluster under
 *   ${FLUXHELM_CACHE}/cluster-run that outlives the script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot, kubectlBinary } from '../support/tools.ts';
import { fluxRunning, readFluxState, stopFlux } from './flux-controllers.ts';
import { createPki, kubeconfigYaml, RESTRICTED_GROUP, type Pki } from './pki.ts';
import { freePort, httpsRequest, killAndWait, logTail, processAlive, spawnDetached, waitUntil } from './processes.ts';

export { processAlive } from './processes.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;

export interface ClusterState {
  runDir: string;
  server: string;
  etcdPid: number;
  apiserverPid: number;
  apiserverBinary: string;
  apiserverArgs: string[];
  kubeconfig: string;
  restrictedKubeconfig: string;
  pki: Pki;
  /** Test-owned clusters: the pid of the test process; a dead owner marks the cluster stale. */
  ownerPid?: number;
  /** Set once RBAC and the CRDs are installed; only then is the cluster offered for reuse. */
  ready?: boolean;
}

export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ControlPlane {
  /** Kubeconfig whose current context is the admin (contexts: fluxhelm-admin, fluxhelm-restricted). */
  kubeconfig: string;
  /** Same file content, current context fluxhelm-restricted (read-only on Flux objects). */
  restrictedKubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  runDir: string;
  /** True when this handle started the processes (stop() then ends them). */
  owned: boolean;
  /** Runs the real kubectl 1.33 against this cluster (admin unless restricted). */
  kubectl(args: string[], opts?: { restricted?: boolean; input?: string }): KubectlResult;
  /** Raw HTTPS request to the API server as admin or restricted user. */
  request(method: string, path: string, opts?: { restricted?: boolean; body?: string; contentType?: string }): Promise<{ status: number; body: string }>;
  /** Stops kube-apiserver and starts it again on the same port and etcd; resolves when /readyz is ok. */
  restartApiServer(): Promise<void>;
  /** Ends the processes (if owned) and removes the run directory. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------- helpers

/** Directory of the Flux CRD YAML files to install. */
export function fluxCrdDir(): string {
  const candidates = [
    process.env.FLUXHELM_FLUX_CRDS,
    join(repoRoot, '..', 'shared', 'flux-crds'),
    '/work/shared/flux-crds',
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`Flux CRDs not found; looked in ${candidates.join(', ')} (set FLUXHELM_FLUX_CRDS)`);
}

/** Path of the cached kube-apiserver binary, building it once if needed. */
export function ensureApiServerBinary(): string {
  if (process.env.FLUXHELM_KUBE_APISERVER) return process.env.FLUXHELM_KUBE_APISERVER;
  const out = execFileSync('bash', [join(repoRoot, 'test', 'cluster', 'build-apiserver.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1]!;
}

export function etcdBinary(): string {
  for (const p of [process.env.FLUXHELM_ETCD, '/usr/bin/etcd', '/usr/local/bin/etcd']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('etcd not found (run .ci/cluster-deps.sh, which installs Debian etcd-server)');
}

// ---------------------------------------------------------------- start / stop

function apiServerArgs(runDir: string, pki: Pki, apiPort: number, etcdPort: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(runDir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--token-auth-file=${pki.tokenFile}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--profiling=false',
    '--enable-priority-and-fairness=false',
    '--endpoint-reconciler-type=none',
    '--v=1',
  ];
}

async function startApiServer(state: ClusterState): Promise<void> {
  const log = join(state.runDir, 'kube-apiserver.log');
  state.apiserverPid = spawnDetached(state.apiserverBinary, state.apiserverArgs, log);
  await waitUntil(
    'kube-apiserver /readyz',
    120000,
    async () => {
      if (!processAlive(state.apiserverPid, state.runDir)) throw new Error('kube-apiserver exited');
      const r = await httpsRequest(state.pki, `${state.server}/readyz`, 'GET', { timeoutMs: 3000 });
      return r.status === 200;
    },
    () => (processAlive(state.apiserverPid, state.runDir) ? '' : 'kube-apiserver exited\n') + logTail(log),
  );
}

function runKubectl(state: ClusterState, args: string[], opts: { restricted?: boolean; input?: string } = {}): KubectlResult {
  const r = spawnSync(
    kubectlBinary(),
    [`--kubeconfig=${opts.restricted ? state.restrictedKubeconfig : state.kubeconfig}`, `--cache-dir=${join(state.runDir, 'kube-cache')}`, ...args],
    { input: opts.input, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: state.runDir }, maxBuffer: 64 << 20 },
  );
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function mustKubectl(state: ClusterState, args: string[], input?: string): string {
  const r = runKubectl(state, args, { input });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const restrictedRbac = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: fluxhelm-restricted
rules:
- apiGroups: [helm.toolkit.fluxcd.io, source.toolkit.fluxcd.io, kustomize.toolkit.fluxcd.io]
  resources: ['*']
  verbs: [get, list, watch]
- apiGroups: ['']
  resources: [namespaces, configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: fluxhelm-restricted
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: fluxhelm-restricted
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: ${RESTRICTED_GROUP}
`;

/** RBAC for the restricted user, the Flux CRDs, and a wait until every CRD version is served. */
async function installBaseline(state: ClusterState): Promise<void> {
  mustKubectl(state, ['apply', '--server-side', '--field-manager=fluxhelm-test-setup', '-f', '-'], restrictedRbac);
  const crdDir = fluxCrdDir();
  const files = readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0) throw new Error(`no CRD files in ${crdDir}`);
  mustKubectl(state, ['apply', '--server-side', '--force-conflicts', '--field-manager=fluxhelm-test-setup', ...files.flatMap((f) => ['-f', join(crdDir, f)])]);
  mustKubectl(state, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
  const crds = JSON.parse(mustKubectl(state, ['get', 'crd', '-o', 'json'])) as {
    items: { spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] } }[];
  };
  for (const crd of crds.items) {
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      const path = `/apis/${crd.spec.group}/${v.name}`;
      await waitUntil(
        `discovery of ${path} (${crd.spec.names.plural})`,
        60000,
        async () => {
          const r = await httpsRequest(state.pki, `${state.server}${path}`, 'GET');
          return r.status === 200 && r.body.includes(`"${crd.spec.names.plural}"`);
        },
        () => '',
      );
    }
  }
}

/** Starts etcd + kube-apiserver in runDir (which must be empty or absent) and installs the baseline. */
export async function startProcesses(runDir: string, ownerPid?: number): Promise<ClusterState> {
  const apiserverBinary = ensureApiServerBinary();
  const etcd = etcdBinary();
  mkdirSync(runDir, { recursive: true });
  const pki = createPki(runDir);
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const state: ClusterState = {
    runDir,
    server,
    etcdPid: 0,
    apiserverPid: 0,
    apiserverBinary,
    apiserverArgs: apiServerArgs(runDir, pki, apiPort, etcdPort),
    kubeconfig: join(runDir, 'kubeconfig'),
    restrictedKubeconfig: join(runDir, 'kubeconfig-restricted'),
    pki,
  };
  if (ownerPid) state.ownerPid = ownerPid;
  writeFileSync(state.kubeconfig, kubeconfigYaml(pki, server, 'fluxhelm-admin'), { mode: 0o600 });
  writeFileSync(state.restrictedKubeconfig, kubeconfigYaml(pki, server, 'fluxhelm-restricted'), { mode: 0o600 });
  const saveState = () => writeFileSync(join(runDir, 'state.json'), JSON.stringify(state, null, 2));
  try {
    const etcdLog = join(runDir, 'etcd.log');
    const clientUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    state.etcdPid = spawnDetached(etcd, [
      '--name=fluxhelm',
      `--data-dir=${join(runDir, 'etcd-data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=fluxhelm=${peerUrl}`,
      '--initial-cluster-state=new',
      '--log-outputs=stderr',
      '--logger=zap',
      '--quota-backend-bytes=2147483648',
    ], etcdLog);
    saveState();
    await waitUntil(
      'etcd /health',
      30000,
      async () => {
        if (!processAlive(state.etcdPid, runDir)) throw new Error('etcd exited');
        const r = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2000) });
        return r.ok && ((await r.json()) as { health?: string }).health === 'true';
      },
      () => logTail(etcdLog),
    );
    await startApiServer(state);
    saveState();
    await installBaseline(state);
    state.ready = true;
    saveState();
    return state;
  } catch (e) {
    await stopProcesses(state);
    throw e;
  }
}

/** Ends kube-apiserver then etcd (only processes whose command line names runDir). */
export async function stopProcesses(state: Pick<ClusterState, 'runDir' | 'etcdPid' | 'apiserverPid'>): Promise<void> {
  await killAndWait(state.apiserverPid, state.runDir);
  await killAndWait(state.etcdPid, state.runDir);
}

export async function restartApiServerOf(state: ClusterState): Promise<void> {
  await killAndWait(state.apiserverPid, state.runDir);
  await startApiServer(state);
  const statePath = join(state.runDir, 'state.json');
  if (existsSync(statePath)) writeFileSync(statePath, JSON.stringify(state, null, 2));
}

function readState(runDir: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

async function healthy(state: ClusterState): Promise<boolean> {
  if (!state.ready) return false;
  if (!processAlive(state.etcdPid, state.runDir) || !processAlive(state.apiserverPid, state.runDir)) return false;
  try {
    return (await httpsRequest(state.pki, `${state.server}/readyz`, 'GET', { timeoutMs: 5000 })).status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- shared cluster (scripts)

export function sharedRunDir(): string {
  return process.env.FLUXHELM_CLUSTER_DIR ?? join(cacheRoot(), 'cluster-run');
}

/** The running shared cluster's state, or undefined when none is healthy. */
export async function sharedState(): Promise<ClusterState | undefined> {
  const state = readState(sharedRunDir());
  return state && (await healthy(state)) ? state : undefined;
}

/** Starts the shared cluster unless it is already healthy; returns its state. */
export async function upShared(): Promise<{ state: ClusterState; started: boolean }> {
  const dir = sharedRunDir();
  const existing = readState(dir);
  if (existing && (await healthy(existing))) return { state: existing, started: false };
  if (existing) await stopProcesses(existing);
  return { state: await withRetry(() => dir, () => undefined), started: true };
}

/**
 * Starts in a fresh run dir, once more on failure: a port picked as free can
 * be taken by someone else before etcd or kube-apiserver binds it.
 */
async function withRetry(makeDir: () => string, ownerPid: () => number | undefined): Promise<ClusterState> {
  for (let attempt = 1; ; attempt++) {
    const dir = makeDir();
    rmSync(dir, { recursive: true, force: true });
    try {
      return await startProcesses(dir, ownerPid());
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      // Retry only process start failures, not a failed build or missing CRDs.
      const startFailure = e instanceof Error && /exited|timed out/.test(e.message);
      if (attempt >= 2 || !startFailure) throw e;
    }
  }
}

/** Stops the shared cluster and removes its run directory. Returns whether anything was running. */
export async function downShared(): Promise<boolean> {
  const dir = sharedRunDir();
  const existing = readState(dir);
  const wasRunning = !!existing && (processAlive(existing.etcdPid, dir) || processAlive(existing.apiserverPid, dir));
  if (existing) await stopProcesses(existing);
  rmSync(dir, { recursive: true, force: true });
  return wasRunning;
}

// ---------------------------------------------------------------- test API

const TEST_DIR_PREFIX = 'fluxhelm-cp-';

function testBaseDir(): string {
  return process.env.FLUXHELM_CLUSTER_TMP ?? tmpdir();
}

/**
 * Ends private control planes left behind by test processes that died
 * without cleaning up (SIGKILL, a crash): their owner pid is gone.
 */
export async function reapStaleTestClusters(): Promise<number> {
  let reaped = 0;
  let names: string[] = [];
  try {
    names = readdirSync(testBaseDir()).filter((n) => n.startsWith(TEST_DIR_PREFIX));
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = join(testBaseDir(), name);
    const state = readState(dir);
    if (!state?.ownerPid || state.runDir !== dir) continue;
    let ownerAlive = true;
    try { process.kill(state.ownerPid, 0); } catch { ownerAlive = false; }
    if (ownerAlive) continue;
    const flux = readFluxState(dir);
    if (flux) await stopFlux(flux);
    await stopProcesses(state);
    rmSync(dir, { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}

function killNow(state: ClusterState): void {
  for (const pid of [state.apiserverPid, state.etcdPid]) {
    if (processAlive(pid, state.runDir)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  try { rmSync(state.runDir, { recursive: true, force: true }); } catch { /* best effort */ }
}

function handle(state: ClusterState, owned: boolean): ControlPlane {
  let stopped = false;
  const onExit = () => killNow(state);
  const onSignal = (signal: NodeJS.Signals) => {
    killNow(state);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  if (owned) {
    process.on('exit', onExit);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return {
    kubeconfig: state.kubeconfig,
    restrictedKubeconfig: state.restrictedKubeconfig,
    server: state.server,
    runDir: state.runDir,
    owned,
    kubectl: (args, opts) => runKubectl(state, args, opts),
    request: (method, path, opts = {}) => httpsRequest(state.pki, `${state.server}${path}`, method, opts),
    restartApiServer: () => restartApiServerOf(state),
    async stop() {
      if (stopped || !owned) return;
      stopped = true;
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stopProcesses(state);
      rmSync(state.runDir, { recursive: true, force: true });
    },
  };
}

/**
 * A control plane for a test file. Reuses the healthy shared cluster from
 * `npm run cluster:up --no-flux` unless `fresh` is set or FLUXHELM_CLUSTER_REUSE=0
 * (a shared cluster running the Flux controllers is never reused);
 * otherwise starts a private one (first call on a machine also builds
 * kube-apiserver, several minutes). Always call stop() (a no-op when reused).
 */
export async function startControlPlane(opts: { fresh?: boolean } = {}): Promise<ControlPlane> {
  if (!opts.fresh && process.env.FLUXHELM_CLUSTER_REUSE !== '0') {
    const shared = await sharedState();
    // Tests here play the controllers themselves: a cluster with real Flux controllers (cluster:up without --no-flux) is not theirs to share.
    if (shared && !fluxRunning(readFluxState(shared.runDir))) return handle(shared, false);
  }
  await reapStaleTestClusters();
  const state = await withRetry(() => mkdtempSync(join(testBaseDir(), TEST_DIR_PREFIX)), () => process.pid);
  return handle(state, true);
}
