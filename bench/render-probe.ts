/**
 * Child process of the `render` bench section (bench/render-section.ts): a
 * fresh Node process that creates the Helm render host, times the first
 * render (module compile, worker start and render), then warm renders of
 * podinfo and app-template, and prints one JSON line with the samples and
 * the process's memory (RSS now and peak; the worker and its wasm memory
 * are part of this process). TIER is how V8 compiles the module
 * (server/helm-render-host.ts): `optimizing` as the language server does,
 * `baseline` as one-shot CLI commands do; the flags are process-wide, so one
 * probe process measures one tier. The first render is also given as CPU
 * time of the whole process (main thread, worker, V8's compile threads).
 * Usage: node --import tsx bench/render-probe.ts CHARTS_DIR APP_VALUES_JSON RUNS [TIER]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHelmRenderHost } from '../server/helm-render-host.ts';
import { chartFilesFromDir } from '../test/support/helm-native.ts';
import type { HelmRenderRequest } from '../engine/render/host.ts';
import type { HelmEngineTier } from '../server/helm-render-host.ts';

async function main(): Promise<void> {
  const [chartsDir, appValuesFile, runsArg, tierArg] = process.argv.slice(2);
  const tier: HelmEngineTier = tierArg === 'baseline' ? 'baseline' : 'optimizing';
  const runs = Number(runsArg ?? 20);
  const podinfo: HelmRenderRequest = { chart: chartFilesFromDir(join(chartsDir, 'podinfo')), releaseName: 'podinfo', namespace: 'apps', values: {} };
  const app: HelmRenderRequest = {
    chart: chartFilesFromDir(join(chartsDir, 'app-template')),
    releaseName: 'radarr',
    namespace: 'media',
    values: JSON.parse(readFileSync(appValuesFile, 'utf8')) as Record<string, unknown>,
    skipSchemaValidation: true,
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // The worker as it ships (bundled JS), not the .ts source through tsx.
  const bundled = join(import.meta.dirname, '..', 'dist', 'helm-worker.js');
  const host = createHelmRenderHost({ tier, ...(existsSync(bundled) ? { workerPath: bundled } : {}) });
  const first = await host.render(podinfo);
  const firstMs = performance.now() - t0;
  const firstCpu = process.cpuUsage(cpu0);
  const firstCpuMs = (firstCpu.user + firstCpu.system) / 1000;
  if (!first.ok) throw new Error(`first render failed: ${first.kind}: ${first.error}`);
  const cpu: Record<string, number> = {};
  const time = async (req: HelmRenderRequest): Promise<number[]> => {
    const out: number[] = [];
    let c0 = process.cpuUsage();
    for (let i = 0; i < runs + 2; i++) {
      if (i === 2) c0 = process.cpuUsage();
      const t = performance.now();
      const r = await host.render(req);
      if (!r.ok) throw new Error(`${req.releaseName}: ${r.kind}: ${r.error}`);
      if (i >= 2) out.push(performance.now() - t);
    }
    const c = process.cpuUsage(c0);
    // CPU time of the whole process (main thread and worker) per render.
    cpu[req.releaseName] = (c.user + c.system) / 1000 / runs;
    return out;
  };
  const podinfoMs = await time(podinfo);
  const appMs = await time(app);
  const rssMb = process.memoryUsage().rss / 1048576;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  await host.dispose();
  console.log(JSON.stringify({ tier, firstMs, firstCpuMs, podinfoMs, appMs, rssMb, maxRssMb, podinfoCpuMs: cpu.podinfo, appCpuMs: cpu.radarr }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
