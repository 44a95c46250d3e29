/**
 * The flate peer of the `render` bench section (issue #12: fluxhelm's render
 * beside `helm template` and `flate build hr` on the same HelmRelease).
 *
 * Builds a one-release fleet (a HelmRepository, the namespaces and the
 * podinfo HelmRelease with chart defaults) whose HelmRepository is a
 * loopback HTTP chart repository serving ../shared/charts/podinfo packaged by
 * the native helm v4.2.4 (as test/differential/flate-render.test.ts does),
 * then times, as fresh processes on that fleet:
 *   - flate v0.6.5 `flate build hr --path <fleet>` (from .ci/flate-deps.sh);
 *   - fluxhelm's built CLI, `node dist/cli.js template <fleet> --release apps/podinfo`.
 * Each tool runs once unmeasured first (fills its chart cache), then
 * `runs` times; the medians of wall time, CPU and peak RSS are returned.
 * Without flate the flate measurement carries the reason instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { median, type Measurement } from './report.ts';
import { runMeasured } from './index-section.ts';
import { runNativeHelm } from '../test/support/helm-native.ts';
import { cacheRoot } from '../test/support/tools.ts';

export const FLATE_VERSION = 'v0.6.5';

export function flateRenderBinary(): string | undefined {
  const bin = join(cacheRoot(), 'tools', `flate-${FLATE_VERSION}`, 'flate');
  return existsSync(bin) ? bin : undefined;
}

/** Serves the files of `dir` on 127.0.0.1 (a static Helm chart repository). */
async function serveDir(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0].replace(/^\/+/, '');
    const file = join(dir, name);
    if (!name || name.includes('..') || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'application/yaml' : 'application/gzip' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function podinfoFleet(url: string): Record<string, string> {
  return {
    'sources.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${url}\n`,
    'namespaces.yaml': ['apps', 'flux-system'].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`).join('---\n'),
    'release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: "*"\n      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}\n',
  };
}

/** Rendered objects in a multi-document YAML output, leaving out the HelmRelease itself (flate prints it). */
function objectCount(yamlText: string): number {
  let n = 0;
  for (const d of parseAllDocuments(yamlText)) {
    const v = d.toJS() as { kind?: string } | null;
    if (v && v.kind && v.kind !== 'HelmRelease') n++;
  }
  return n;
}

async function series(runs: number, once: () => ReturnType<typeof runMeasured>): Promise<Measurement> {
  const walls: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  let objects = 0;
  for (let i = 0; i <= runs; i++) {
    const r = await once();
    if (r.code !== 0) return { samples: [], error: `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}` };
    if (i === 0) {
      objects = objectCount(r.stdout);
      continue; // warm-up: fills the chart cache
    }
    walls.push(r.wallMs);
    if (r.cpuMs !== undefined) cpu.push(r.cpuMs);
    if (r.maxRssMb !== undefined) rss.push(r.maxRssMb);
  }
  return { ms: median(walls), samples: walls.map((s) => Math.round(s * 100) / 100), cpuMs: median(cpu), details: { maxRssMb: median(rss), objects } };
}

/** Cold processes on the one-release podinfo fleet: fluxhelm's CLI and flate. */
export async function measureFleetRenders(root: string, dir: string, runs: number, log: (line: string) => void): Promise<{ fluxhelm: Measurement; flate: Measurement }> {
  const repo = join(dir, 'chart-repo');
  const fleet = join(dir, 'podinfo-fleet');
  mkdirSync(repo, { recursive: true });
  mkdirSync(fleet, { recursive: true });
  const helmHome = join(dir, 'helm-home');
  const pkg = await runNativeHelm(['package', join(root, '..', 'shared', 'charts', 'podinfo'), '-d', repo], helmHome);
  if (pkg.code !== 0) throw new Error(`helm package podinfo: ${pkg.stderr.trim()}`);
  const { server, url } = await serveDir(repo);
  try {
    const idx = await runNativeHelm(['repo', 'index', repo, '--url', url], helmHome);
    if (idx.code !== 0) throw new Error(`helm repo index: ${idx.stderr.trim()}`);
    for (const [name, text] of Object.entries(podinfoFleet(url))) writeFileSync(join(fleet, name), text);

    log('render: fluxhelm template (fresh process) on the podinfo fleet');
    const cli = join(root, 'dist', 'cli.js');
    const fluxEnv = { ...process.env, FLUXHELM_CACHE: join(dir, 'fluxhelm-cache') };
    const fluxhelm = existsSync(cli)
      ? await series(runs, () => runMeasured(process.execPath, [cli, 'template', fleet, '--release', 'apps/podinfo', '--kube-version', '1.34.4'], fluxEnv, 120_000, root))
      : { samples: [], error: 'dist/cli.js is missing: npm run build' };

    const flateBin = flateRenderBinary();
    let flate: Measurement = { samples: [], error: `flate not installed (bash .ci/flate-deps.sh)` };
    if (flateBin) {
      log(`render: flate ${FLATE_VERSION} build hr on the podinfo fleet`);
      const cache = join(dir, 'flate-cache');
      const env = { PATH: process.env.PATH, HOME: join(dir, 'flate-home'), XDG_CACHE_HOME: cache };
      flate = await series(runs, () => runMeasured(flateBin, ['build', 'hr', '--path', fleet, '--kube-version', '1.34.4', '--cache-dir', cache, '--no-progress'], env, 120_000));
    }
    return { fluxhelm, flate };
  } finally {
    server.close();
  }
}
