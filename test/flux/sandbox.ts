/**
 * The shared setup of the test/flux files: one private control plane
 * (etcd + kube-apiserver + Flux CRDs) and the real source-, helm- and
 * kustomize-controller per test file, plus the loopback sources they read
 * from (the HTTP chart repository of test/support/chart-repo.ts and the Git
 * server of ./git-server.ts; the OCI registry where a file needs it). Also
 * small helpers for what the tests read back: objects as JSON, waiting for
 * a condition, and the Helm release Secret helm-controller wrote.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startControlPlane, type ControlPlane } from '../cluster/control-plane.ts';
import { FLUX_CONTROLLERS, fluxLogs, killFluxNow, startFlux, stopFlux, type FluxControllerName, type FluxState } from '../cluster/flux-controllers.ts';
import { startChartRepo, type ChartRepo } from '../support/chart-repo.ts';
import { startGitServer, type GitServer } from './git-server.ts';

export interface Sandbox {
  cp: ControlPlane;
  flux: FluxState;
  charts: ChartRepo;
  git: GitServer;
  /** A fresh namespace (created). */
  namespace(prefix: string): string;
  /** kubectl apply --server-side of YAML text; throws with kubectl's message on failure. */
  apply(yaml: string): void;
  /** The object as JSON, or undefined when it does not exist. */
  get(kind: string, ns: string, name: string): Record<string, any> | undefined;
  /** Polls until `check` returns a value (not undefined); throws with the controller logs on timeout. */
  until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms?: number): Promise<T>;
  /** Waits until the object's Ready condition is True or False with the request handled; returns that condition. */
  readyCondition(kind: string, ns: string, name: string, ms?: number): Promise<{ status: string; reason?: string; message?: string }>;
  /** The decoded Helm release record (`sh.helm.release.v1.<name>.v<version>`). */
  helmRelease(ns: string, name: string, version?: number): HelmReleaseRecord | undefined;
  stop(): Promise<void>;
}

export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  /** The values helm-controller passed to Helm (user-supplied, before chart defaults). */
  config: Record<string, unknown> | null;
  manifest: string;
  chart: { metadata: { name: string; version: string }; values: Record<string, unknown> | null };
  info: { status: string };
}

/** Decodes a Helm v3 storage-driver Secret's `release` field: base64 (Secret) → base64 → gzip → JSON. */
export function decodeReleaseSecret(secret: { data?: Record<string, string> }): HelmReleaseRecord {
  const raw = Buffer.from(secret.data?.release ?? '', 'base64').toString('utf8');
  let bytes = Buffer.from(raw, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as HelmReleaseRecord;
}

/** `controllers`: which to run (default all three; a file that needs no kustomize-controller saves a process). */
export async function startSandbox(controllers: readonly FluxControllerName[] = FLUX_CONTROLLERS): Promise<Sandbox> {
  const cp = await startControlPlane({ fresh: true });
  let flux: FluxState;
  try {
    flux = await startFlux({ runDir: cp.runDir, kubeconfig: cp.kubeconfig, controllers });
  } catch (e) {
    await cp.stop();
    throw e;
  }
  const onExit = () => killFluxNow(flux);
  process.on('exit', onExit);
  const charts = await startChartRepo();
  const git = await startGitServer();

  const kubectlJson = (args: string[]) => {
    const r = cp.kubectl([...args, '-o', 'json']);
    return r.status === 0 ? (JSON.parse(r.stdout) as Record<string, any>) : undefined;
  };
  const sb: Sandbox = {
    cp, flux, charts, git,
    namespace(prefix) {
      const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
      const r = cp.kubectl(['create', 'namespace', ns]);
      if (r.status !== 0) throw new Error(r.stderr);
      return ns;
    },
    apply(yaml) {
      const r = cp.kubectl(['apply', '--server-side', '--field-manager=fluxhelm-test', '-f', '-'], { input: yaml });
      if (r.status !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
    get(kind, ns, name) {
      return kubectlJson(['get', kind, name, '-n', ns]);
    },
    async until(what, check, ms = 60000) {
      const end = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${fluxLogs(flux, 15)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    readyCondition(kind, ns, name, ms) {
      return sb.until(`${kind} ${ns}/${name} to settle`, () => {
        const o = sb.get(kind, ns, name);
        const st = o?.status;
        if (!st || st.observedGeneration !== o!.metadata.generation) return undefined;
        const conds = (st.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
        if (conds.some((c) => c.type === 'Reconciling' && c.status === 'True')) return undefined;
        const ready = conds.find((c) => c.type === 'Ready');
        return ready && ready.status !== 'Unknown' ? ready : undefined;
      }, ms);
    },
    helmRelease(ns, name, version) {
      let v = version;
      if (v === undefined) {
        const list = kubectlJson(['get', 'secrets', '-n', ns, '-l', `owner=helm,name=${name}`]);
        const versions = ((list?.items ?? []) as { metadata: { labels: Record<string, string> } }[]).map((s) => Number(s.metadata.labels.version));
        if (!versions.length) return undefined;
        v = Math.max(...versions);
      }
      const secret = sb.get('secret', ns, `sh.helm.release.v1.${name}.v${v}`);
      return secret ? decodeReleaseSecret(secret) : undefined;
    },
    async stop() {
      process.off('exit', onExit);
      await git.stop();
      await charts.stop();
      await stopFlux(flux);
      await cp.stop();
    },
  };
  return sb;
}

/** A HelmRepository pointing at the sandbox's chart repository. */
export function helmRepositoryYaml(ns: string, name: string, url: string): string {
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  interval: 1h
  url: ${url}
`;
}

const repoRoot = new URL('../..', import.meta.url).pathname;

/** Runs the built CLI (dist/cli.js, as `npx fluxhelm` does) without blocking this process's servers. */
export function fluxhelm(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`${repoRoot}dist/cli.js`, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 2) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes files (path relative to dir → content). */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}
