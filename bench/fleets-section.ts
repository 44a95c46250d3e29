/**
 * The fleets benchmark (issue #11, "Speed"): the workspace model on the real
 * repositories of ../shared/fleets, with flate v0.6.5 beside it.
 *
 *   - cold `fluxhelm check <fleet>` (the built CLI, offline): CPU time of the
 *     process (user + system), the steady number on a shared machine; wall
 *     time in the details. flate's `flate get ks --path .` in the same
 *     folder walks and builds the same Kustomization tree (it cannot fetch
 *     chart sources offline, which does not matter for this comparison);
 *   - a generated 1,000-file fleet: three copies of onedr0p-home-ops in one
 *     workspace (three Flux Operator roots, ~1,300 YAML files);
 *   - editor: a one-file change → all workspace findings updated (graph,
 *     the builds that read the file, their validation), in process, warm:
 *     CPU time of this process per edit, wall time in the details.
 *
 * flate comes from .ci/flate-deps.sh (built into the tools cache); without
 * it the peer column says why. Options: --fleets-runs=3, --fleets-edits=10.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Workspace } from '../engine/workspace/model.ts';
import { SchemaRegistry } from '../engine/schemas/registry.ts';
import { createNodeHost } from '../server/node-host.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement } from './report.ts';

const FLEETS = ['flux2-kustomize-helm-example', 'flux2-multi-tenancy', 'flux2-hub-spoke-example', 'onedr0p-home-ops'];

function flateBinary(): string | undefined {
  const bin = join(process.env.FLUXHELM_CACHE ?? join(homedir(), '.cache', 'fluxhelm'), 'tools', 'flate-v0.6.5', 'flate');
  return existsSync(bin) ? bin : undefined;
}

/** Runs a command under /usr/bin/time; CPU and wall milliseconds. */
function timed(cmd: string, args: string[], cwd: string): { cpu: number; wall: number; status: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@cpu %U %S', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = performance.now() - t0;
  const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, wall, status: r.status, stderr: (r.stderr ?? '').replace(/@@cpu.*\n?/, '').slice(-400) };
}

function series(runs: number, fn: () => { cpu: number; wall: number; status: number | null; stderr: string }, accept: (s: number | null) => boolean): Measurement {
  const cpu: number[] = [];
  const wall: number[] = [];
  let error: string | undefined;
  for (let i = 0; i < runs; i++) {
    const r = fn();
    if (!accept(r.status) || Number.isNaN(r.cpu)) {
      error = `exit ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
      break;
    }
    cpu.push(r.cpu);
    wall.push(r.wall);
  }
  if (error && cpu.length === 0) return { samples: [], error };
  return { ms: median(cpu), samples: cpu, cpuMs: median(cpu), details: { wallMs: median(wall) } };
}

/** Three copies of onedr0p-home-ops side by side: one workspace of ~1,300 YAML files and three cluster roots. */
function largeFleet(o: BenchOptions, fleets: string): string {
  const dir = join(o.workDir, 'fleet-1000');
  if (!existsSync(join(dir, 'cluster-c'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const c of ['cluster-a', 'cluster-b', 'cluster-c']) cpSync(join(fleets, 'onedr0p-home-ops'), join(dir, c), { recursive: true });
  }
  return dir;
}

/** Median ms from a one-file edit to every workspace finding recomputed (in process, warm). */
function editLatency(dir: string, edits: number): Measurement {
  const host = createNodeHost();
  const registry = new SchemaRegistry();
  const ws = new Workspace(host, { roots: [dir] });
  ws.check();
  ws.checkBuilds(registry);
  // A HelmRelease applied by one app Kustomization: the edit re-evaluates the tree that reads it.
  const file = ws.index.filePaths().find((f) => f.endsWith('/default/sonarr/app/helmrelease.yaml')) ?? ws.index.filePaths().find((f) => f.endsWith('helmrelease.yaml'));
  if (!file) return { samples: [], error: 'no helmrelease.yaml in the fleet' };
  const original = ws.index.fileText(file)!;
  const samples: number[] = [];
  const wall: number[] = [];
  let evaluated = 0;
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  for (let i = 0; i < edits; i++) {
    const text = `${original}\n# edit ${i}\n`;
    const t0 = performance.now();
    const c0 = cpu();
    ws.index.setFileText(file, text);
    ws.check();
    ws.checkBuilds(registry);
    samples.push(cpu() - c0);
    wall.push(performance.now() - t0);
    evaluated = ws.fleet.lastEvaluated;
  }
  ws.index.setFileText(file, original);
  const fleet = ws.fleet.get();
  return { ms: median(samples), samples, cpuMs: median(samples), details: { wallMs: median(wall), file: file.slice(dir.length + 1), kustomizationsBuiltPerEdit: evaluated, kustomizations: fleet.evaluations.length } };
}

export const fleetsSection: BenchSection = {
  name: 'fleets',
  description: 'workspace model on real fleets: cold fluxhelm check (CPU) beside flate get ks, one-file edit → all workspace findings',
  async run(o) {
    const runs = Math.max(1, Number(o.args['fleets-runs'] ?? 3));
    const edits = Math.max(1, Number(o.args['fleets-edits'] ?? 10));
    const fleets = join(o.root, '..', 'shared', 'fleets');
    const cli = join(o.root, 'dist', 'cli.js');
    const flate = flateBinary();
    const rows: BenchRow[] = [];
    const targets: Record<string, number> = { 'onedr0p-home-ops': 1500, 'fleet-1000 (3 × onedr0p-home-ops)': 4000 };
    const dirs: [string, string][] = [...FLEETS.map((f): [string, string] => [f, join(fleets, f)]), ['fleet-1000 (3 × onedr0p-home-ops)', largeFleet(o, fleets)]];
    for (const [name, dir] of dirs) {
      o.log(`${name}: fluxhelm check`);
      const ours = series(runs, () => timed(process.execPath, [cli, 'check', dir, '--format', 'json'], o.root), (s) => s === 0 || s === 1);
      let peerResult: Measurement = { samples: [], error: 'flate not installed (bash .ci/flate-deps.sh)' };
      if (flate) {
        o.log(`${name}: flate get ks --path .`);
        peerResult = series(runs, () => timed(flate, ['get', 'ks', '--path', '.'], dir), (s) => s !== null);
      }
      rows.push({
        section: 'fleets',
        name: `${name} · cold check (CPU ms)`,
        fluxhelm: ours,
        peer: 'flate v0.6.5 get ks',
        peerResult,
        targets: targets[name] !== undefined ? [{ maxMs: targets[name] }] : [],
      });
    }
    for (const [name, dir] of [['onedr0p-home-ops', join(fleets, 'onedr0p-home-ops')], ['fleet-1000 (3 × onedr0p-home-ops)', largeFleet(o, fleets)]]) {
      o.log(`${name}: one-file edit → workspace findings`);
      rows.push({ section: 'fleets', name: `${name} · one-file edit → all workspace findings (CPU ms)`, fluxhelm: editLatency(dir, edits), targets: [{ maxMs: 200 }] });
    }
    return rows;
  },
};
