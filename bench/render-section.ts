/**
 * `render` section of `npm run bench`: Helm's own engine compiled to
 * WebAssembly (server/helm-render-host.ts) against a `helm template` process
 * of the same Helm version (v4.2.4) on the same release.
 *
 * fluxhelm (in a fresh Node process, bench/render-probe.ts, once per V8
 * tier: `optimizing` as the language server runs it, `baseline` as one-shot
 * CLI commands do): the first render after the host is created (compile the
 * module, start the worker, render podinfo; wall and process CPU), then warm
 * renders of podinfo (chart defaults) and of app-template with a typical
 * home-lab value set (median of --render-runs), and the process's RSS with
 * the engine loaded.
 * Peer: native `helm template` of the same chart and values (median of
 * --helm-runs process runs, with peak RSS).
 * Second peer (bench/flate-render-peer.ts): flate v0.6.5 `flate build hr`
 * on a fleet holding just the podinfo HelmRelease (chart served by a
 * loopback Helm repository), beside the same fleet rendered by a fresh
 * `node dist/cli.js template` process, and beside the warm podinfo render
 * (median of --flate-runs; "flate not installed" when it is missing).
 *
 * Targets (issue #12): first render ≤ 600 ms, warm podinfo ≤ 30 ms, warm
 * app-template ≤ 150 ms, RSS ≤ 300 MB (warm and RSS rows: the server tier).
 * Options: --render-runs=20 --helm-runs=5 --flate-runs=3.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement } from './report.ts';
import { runMeasured } from './index-section.ts';
import { helmRenderBinary } from '../test/support/helm-native.ts';
import { isolatedHelmEnv } from '../test/support/tools.ts';
import { defaultHelmWasmPath } from '../server/helm-render-host.ts';
import { FLATE_VERSION, flateRenderBinary, measureFleetRenders } from './flate-render-peer.ts';

const require = createRequire(import.meta.url);

/** A typical app-template release (one controller, service, ingress, volumes, config). */
export const APP_TEMPLATE_VALUES = {
  controllers: {
    radarr: {
      annotations: { 'reloader.stakater.com/auto': 'true' },
      containers: {
        app: {
          image: { repository: 'ghcr.io/home-operations/radarr', tag: '5.26.2.10099' },
          env: { TZ: 'Europe/Berlin', RADARR__APP__INSTANCENAME: 'Radarr', RADARR__SERVER__PORT: 80, RADARR__LOG__LEVEL: 'info' },
          probes: {
            liveness: { enabled: true, custom: true, spec: { httpGet: { path: '/ping', port: 80 }, periodSeconds: 10 } },
            readiness: { enabled: true },
          },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '10m' }, limits: { memory: '1Gi' } },
        },
      },
    },
  },
  defaultPodOptions: { securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } },
  service: { app: { controller: 'radarr', ports: { http: { port: 80 } } } },
  ingress: {
    app: {
      className: 'internal',
      hosts: [{ host: 'radarr.example.com', paths: [{ path: '/', service: { identifier: 'app', port: 'http' } }] }],
    },
  },
  persistence: {
    config: { existingClaim: 'radarr' },
    tmp: { type: 'emptyDir' },
    media: { type: 'nfs', server: 'nas.internal', path: '/volume1/media', globalMounts: [{ path: '/media' }] },
  },
  configMaps: { settings: { data: { 'settings.json': '{"a": 1}' } } },
};

function measurement(samples: number[], details?: Record<string, unknown>): Measurement {
  return { ms: median(samples), samples: samples.map((s) => Math.round(s * 100) / 100), details };
}

export const renderSection: BenchSection = {
  name: 'render',
  description: "Helm's engine in wasm (first render, warm podinfo and app-template, RSS) beside helm template processes",
  async run({ root, workDir, args, log }: BenchOptions): Promise<BenchRow[]> {
    if (!defaultHelmWasmPath()) throw new Error('dist/helm.wasm is missing: npm run build with Go installed');
    const charts = join(root, '..', 'shared', 'charts');
    const dir = join(workDir, 'render');
    mkdirSync(dir, { recursive: true });
    const appValues = join(dir, 'app-template-values.json');
    writeFileSync(appValues, JSON.stringify(APP_TEMPLATE_VALUES));
    const runs = Number(args['render-runs'] ?? 20);
    const helmRuns = Number(args['helm-runs'] ?? 5);
    const flateRuns = Math.max(1, Number(args['flate-runs'] ?? 3));

    type Probe = { firstMs: number; firstCpuMs: number; podinfoMs: number[]; appMs: number[]; rssMb: number; maxRssMb: number; podinfoCpuMs: number; appCpuMs: number };
    const probeTier = async (tier: 'optimizing' | 'baseline'): Promise<Probe> => {
      log(`render: fresh process with the render host (${tier} tier)`);
      const probe = await runMeasured(process.execPath, ['--import', require.resolve('tsx'), join(root, 'bench', 'render-probe.ts'), charts, appValues, String(runs), tier], process.env, 300_000, root);
      if (probe.code !== 0) throw new Error(`render probe failed: ${probe.stderr.trim().split('\n').slice(-3).join(' ')}`);
      return JSON.parse(probe.stdout.trim().split('\n').pop()!) as Probe;
    };
    const r = await probeTier('optimizing');
    const b = await probeTier('baseline');

    const helm = helmRenderBinary();
    const home = join(dir, 'helm-home');
    const helmTimes = async (argv: string[]): Promise<Measurement> => {
      const walls: number[] = [];
      const rss: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < helmRuns; i++) {
        const run = await runMeasured(helm, argv, isolatedHelmEnv(home), 60_000);
        if (run.code !== 0) return { samples: [], error: run.stderr.trim() };
        walls.push(run.wallMs);
        if (run.maxRssMb !== undefined) rss.push(run.maxRssMb);
        if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
      }
      return { ...measurement(walls), cpuMs: median(cpu), details: { maxRssMb: median(rss) } };
    };
    log('render: helm template processes');
    const helmPodinfo = await helmTimes(['template', 'podinfo', join(charts, 'podinfo'), '-n', 'apps']);
    const helmApp = await helmTimes(['template', 'radarr', join(charts, 'app-template'), '-n', 'media', '-f', appValues, '--skip-schema-validation']);

    const fleetRenders = await measureFleetRenders(root, dir, flateRuns, log);

    const peer = 'helm template v4.2.4 (process)';
    // The table's peer ms column only says 'error'; the label says why when flate is missing.
    const flatePeer = `flate ${FLATE_VERSION} build hr (process)${flateRenderBinary() ? '' : ': not installed (bash .ci/flate-deps.sh)'}`;
    return [
      { section: 'render', name: 'first render after start (compile, worker, podinfo) · server tier', fluxhelm: { ...measurement([r.firstMs]), cpuMs: r.firstCpuMs }, peer, peerResult: helmPodinfo, targets: [{ maxMs: 600 }] },
      { section: 'render', name: 'first render after start (compile, worker, podinfo) · CLI tier (Liftoff only)', fluxhelm: { ...measurement([b.firstMs]), cpuMs: b.firstCpuMs }, peer, peerResult: helmPodinfo, targets: [{ maxMs: 600 }] },
      { section: 'render', name: 'warm render · podinfo', fluxhelm: { ...measurement(r.podinfoMs), cpuMs: r.podinfoCpuMs }, peer, peerResult: helmPodinfo, targets: [{ maxMs: 30 }] },
      {
        section: 'render',
        name: 'podinfo HelmRelease, fleet → manifests · fresh process (fluxhelm template)',
        fluxhelm: fleetRenders.fluxhelm,
        peer: flatePeer,
        peerResult: fleetRenders.flate,
        targets: [],
        note: 'both cold processes on the same one-release fleet (loopback chart repository), after one unmeasured run that fills each chart cache',
      },
      { section: 'render', name: 'warm render · podinfo', fluxhelm: { ...measurement(r.podinfoMs), cpuMs: r.podinfoCpuMs }, peer: flatePeer, peerResult: fleetRenders.flate, targets: [{ maxMs: 30 }] },
      { section: 'render', name: 'warm render · app-template', fluxhelm: { ...measurement(r.appMs), cpuMs: r.appCpuMs }, peer, peerResult: helmApp, targets: [{ maxMs: 150 }] },
      { section: 'render', name: 'warm render · podinfo · CLI tier (Liftoff only)', fluxhelm: { ...measurement(b.podinfoMs), cpuMs: b.podinfoCpuMs }, peer, peerResult: helmPodinfo, targets: [] },
      { section: 'render', name: 'warm render · app-template · CLI tier (Liftoff only)', fluxhelm: { ...measurement(b.appMs), cpuMs: b.appCpuMs }, peer, peerResult: helmApp, targets: [] },
      {
        section: 'render',
        name: 'RSS with the engine loaded (MB, not ms)',
        fluxhelm: { ms: Math.round(r.rssMb), samples: [r.rssMb], details: { maxRssMb: Math.round(r.maxRssMb) } },
        peer: 'helm template peak RSS (MB)',
        peerResult: helmPodinfo.details?.maxRssMb !== undefined ? { ms: helmPodinfo.details.maxRssMb as number, samples: [helmPodinfo.details.maxRssMb as number] } : undefined,
        targets: [{ maxMs: 300 }],
        note: 'node process with the render host after the warm renders; helm: peak RSS of one podinfo run',
      },
    ];
  },
};
