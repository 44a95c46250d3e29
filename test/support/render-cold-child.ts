/**
 * Child process of test/render/cold-start.test.ts: a fresh Node process with
 * nothing but the Helm render host, so that what it measures and how it
 * exits are the host's own. Modes:
 *   first TIER       render podinfo once; print the manifest and the CPU time
 *                    of the whole process (all threads) from host creation to
 *                    the result
 *   prepare-exit     prepare() the engine, then let the process end; says
 *                    whether the engine got ready before the exit
 *   render-only      one render with nothing else keeping the process alive
 * Usage: node --import tsx test/support/render-cold-child.ts MODE [TIER]
 */
import { join } from 'node:path';
import { createHelmRenderHost, type HelmEngineTier } from '../../server/helm-render-host.ts';
import { chartFilesFromDir } from './helm-native.ts';
import type { HelmRenderRequest } from '../../engine/render/host.ts';

const [mode, tierArg] = process.argv.slice(2);
const tier: HelmEngineTier = tierArg === 'baseline' ? 'baseline' : 'optimizing';
const podinfo: HelmRenderRequest = {
  chart: chartFilesFromDir(join(import.meta.dirname, '..', '..', '..', 'shared', 'charts', 'podinfo')),
  releaseName: 'podinfo',
  namespace: 'apps',
  values: {},
  // The chart's test Pods carry random names (randAlphaNum): left out so that two renders compare.
  skipTests: true,
};

if (mode === 'prepare-exit') {
  const host = createHelmRenderHost({ tier, startTimeoutMs: 60_000 });
  // prepare() resolves once the worker is ready (a promise holds no process open).
  let ready = false;
  void host.prepare().then((ok) => (ready = ok));
  process.on('exit', () => console.log(JSON.stringify({ prepared: true, readyBeforeExit: ready })));
} else {
  const cpu0 = process.cpuUsage();
  const host = createHelmRenderHost({ tier });
  void host.render(podinfo).then((r) => {
    const cpu = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, ok: r.ok, manifest: r.ok ? r.manifest : r.error }));
    if (mode === 'first') void host.dispose();
  });
}
