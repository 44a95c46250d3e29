/**
 * Cluster benchmark: server-side apply plus a reconcile request for 500
 * generated HelmReleases (with their Namespace and HelmRepository), through
 * fluxhelm's engine (workspace plan, bounded-concurrency apply, requestedAt
 * patches) versus `kubectl apply --server-side -f` of the same files followed
 * by `kubectl annotate --all` of the requestedAt annotation, in the same run,
 * against the test control plane. Each tool gets its own namespace; the
 * first pass creates, the second re-applies unchanged files and asks again.
 *
 *   node --import tsx bench/cluster.ts [--count=500]
 *   import { clusterBenchRows, clusterSection } from './cluster.ts'
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startControlPlane } from '../test/cluster/control-plane.ts';
import { kubectlBinary } from '../test/support/tools.ts';
import { connectCluster } from '../server/cluster-host.ts';
import { createNodeHost } from '../server/node-host.ts';
import { Workspace } from '../engine/workspace/model.ts';
import { planPath } from '../engine/cluster/plan.ts';
import { applyAll, attachApplied, reconcileWaves } from '../engine/cluster/run.ts';
import type { BenchRow, BenchSection } from './report.ts';

export interface ClusterBenchRow {
  section: 'cluster';
  name: string;
  fluxhelm_ms: number;
  peer: 'kubectl';
  peer_ms: number;
  /** peer_ms / fluxhelm_ms: above 1 means fluxhelm was faster. */
  ratio: number;
  target: '>= 1x';
}

function generate(dir: string, ns: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '00-namespace.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  writeFileSync(join(dir, '01-repository.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: ${ns}\nspec:\n  interval: 1h\n  url: https://charts.example.com\n`);
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `hr-${String(i).padStart(4, '0')}.yaml`), `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app-${i}
  namespace: ${ns}
  labels:
    bench: fluxhelm
spec:
  interval: 10m
  chart:
    spec:
      chart: app-${i % 20}
      version: ">=1.0.0 <2.0.0"
      sourceRef:
        kind: HelmRepository
        name: charts
  install:
    remediation:
      retries: 3
  values:
    replicaCount: ${1 + (i % 3)}
    image:
      tag: "1.${i % 7}.0"
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
`);
  }
}

async function viaFluxhelm(kubeconfig: string, dir: string, ns: string, log: (s: string) => void): Promise<number> {
  const t0 = performance.now();
  const host = connectCluster({ kubeconfig, namespace: ns });
  if (!host.ok) throw new Error(host.error.message);
  const ws = new Workspace(createNodeHost(), { roots: [dir] });
  const plan = planPath(ws, dir, ns);
  const t1 = performance.now();
  const applied = await applyAll(host.value, plan.apply, { concurrency: 16 });
  const t2 = performance.now();
  attachApplied(plan.waves, applied);
  const failed = applied.filter((a) => !a.result.ok);
  if (failed.length) throw new Error(`fluxhelm apply failed: ${JSON.stringify(failed[0]!.result)}`);
  const outcomes = await reconcileWaves(host.value, plan.waves, { concurrency: 16, wait: false });
  const bad = outcomes.filter((o) => o.error);
  if (bad.length) throw new Error(`fluxhelm reconcile request failed: ${JSON.stringify(bad[0]!.error)}`);
  const t3 = performance.now();
  log(`  fluxhelm phases: workspace+plan ${Math.round(t1 - t0)} ms, apply ${Math.round(t2 - t1)} ms, requests ${Math.round(t3 - t2)} ms`);
  return t3 - t0;
}

function viaKubectl(kubeconfig: string, dir: string, ns: string, cacheDir: string): number {
  const kubectl = kubectlBinary();
  const t0 = performance.now();
  const run = (args: string[]) => {
    const r = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  };
  run(['apply', '--server-side', '--field-manager=kubectl-bench', '-f', dir]);
  const at = new Date().toISOString();
  run(['annotate', '--overwrite', '-n', ns, 'helmreleases', '--all', `reconcile.fluxcd.io/requestedAt=${at}`]);
  return performance.now() - t0;
}

/** Runs the comparison; rows as the bench runner's summary expects them. */
export async function clusterBenchRows(opts: { count?: number; log?: (s: string) => void } = {}): Promise<ClusterBenchRow[]> {
  const count = opts.count ?? 500;
  const log = opts.log ?? (() => {});
  const cp = await startControlPlane();
  const work = mkdtempSync(join(tmpdir(), 'fh-bench-cluster-'));
  const suffix = randomBytes(3).toString('hex');
  const nsF = `bench-fh-${suffix}`;
  const nsK = `bench-kc-${suffix}`;
  try {
    generate(join(work, 'fluxhelm'), nsF, count);
    generate(join(work, 'kubectl'), nsK, count);
    // Warm discovery caches for both, outside the timings.
    spawnSync(kubectlBinary(), [`--kubeconfig=${cp.kubeconfig}`, `--cache-dir=${join(work, 'kube-cache')}`, 'api-resources'], { encoding: 'utf8' });
    const rows: ClusterBenchRow[] = [];
    for (const pass of ['create', 'unchanged re-apply'] as const) {
      log(`cluster: ${count} HelmReleases, ${pass}: fluxhelm…`);
      const f = await viaFluxhelm(cp.kubeconfig, join(work, 'fluxhelm'), nsF, log);
      log(`cluster: ${count} HelmReleases, ${pass}: kubectl…`);
      const k = viaKubectl(cp.kubeconfig, join(work, 'kubectl'), nsK, join(work, 'kube-cache'));
      rows.push({
        section: 'cluster',
        name: `${count} HelmReleases · apply + reconcile request (${pass})`,
        fluxhelm_ms: Math.round(f),
        peer: 'kubectl',
        peer_ms: Math.round(k),
        ratio: Math.round((k / f) * 100) / 100,
        target: '>= 1x',
      });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await cp.stop();
  }
}

/** The same as a section of `npm run bench` (bench/run.ts: append to SECTIONS). */
export const clusterSection: BenchSection = {
  name: 'cluster',
  description: 'server-side apply + reconcile request of generated HelmReleases, fluxhelm vs kubectl apply --server-side',
  async run(options) {
    const count = options.args.count ? Number(options.args.count) : 500;
    const rows = await clusterBenchRows({ count, log: options.log });
    return rows.map((r): BenchRow => ({
      section: 'cluster',
      name: r.name,
      fluxhelm: { ms: r.fluxhelm_ms, samples: [r.fluxhelm_ms] },
      peer: 'kubectl',
      peerResult: { ms: r.peer_ms, samples: [r.peer_ms] },
      targets: [{ minRatio: 1 }],
      note: 'kubectl: apply --server-side -f DIR, then annotate --all requestedAt',
    }));
  },
};

async function cli(): Promise<void> {
  const m = /^--count=(\d+)$/.exec(process.argv[2] ?? '');
  const rows = await clusterBenchRows({ count: m ? Number(m[1]) : 500, log: (s) => console.error(s) });
  console.log(`${'tool'.padEnd(10)}${'measurement'.padEnd(62)}${'ms'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${'fluxhelm'.padEnd(10)}${r.name.padEnd(62)}${String(r.fluxhelm_ms).padStart(8)}`);
    console.log(`${'kubectl'.padEnd(10)}${r.name.padEnd(62)}${String(r.peer_ms).padStart(8)}   ratio ${r.ratio}x (target ${r.target})`);
  }
  console.log(JSON.stringify(rows));
}

if (process.argv[1] && /bench[\\/]cluster\.ts$/.test(process.argv[1])) {
  cli().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  });
}
