/**
 * `index` section of `npm run bench`: picking a chart version out of a very
 * large Helm repository index.
 *
 * A 300-chart × 200-version index (about 53 MB, laid out the way
 * `helm repo index` writes it; test/sources/gen-index.ts) is served over
 * loopback HTTP by a child process (so that sending it costs the measured
 * process nothing). fluxhelm's own engine then
 *   - cold resolve: a fresh offline source reads the index from Helm's
 *     repository cache (as after `helm repo update`), opens it, reads one
 *     chart and runs `selectChartVersion` for a range constraint: the work
 *     of `fluxhelm resolve` after start-up (median of a few runs);
 *   - download + cold resolve: the same with a fresh source and an empty
 *     disk cache that downloads the index first (GET, disk-cache write), with
 *     the steps one by one and the extra memory of the first run (RSS and
 *     heap, before and after GC);
 *   - warm: repeats the same lookup, which the memory cache answers (median
 *     of 20).
 * The peer is the real helm CLI: `helm search repo CHART --version C` in an
 * isolated Helm home after `helm repo add` of the same server (so helm reads
 * its already-downloaded copy; the download is not in its number). Its peak
 * memory and CPU come from `/usr/bin/time -v` when that exists.
 *
 * A third row is what a user runs: a fresh `node dist/cli.js resolve FLEET
 * --offline` process (one HelmRelease of the same chart and constraint,
 * the index in Helm's repository cache, as after `helm repo update`), wall
 * time and peak RSS, beside the same `helm search repo`: once as the first
 * run after the update (fluxhelm's cache empty, so the whole index is read
 * and its layout cached) and once as the runs after it (the cached layout
 * and the entries of the chart the run before read: engine/sources/
 * index-file.ts); and the CLI's `--help` and a bare `node -e 0` for the cost
 * of starting the command, and Node, at all (in the same run: the machine's
 * load shows in them).
 *
 * Options: --index-charts=300 --index-versions=200 --index-cold-runs=3
 * --index-warm=20 --index-cli-runs=5 --peer=none.
 *
 * Also exports a few measuring helpers that the `values` and `workspace`
 * sections share.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadavg } from 'node:os';
import { generateIndex } from '../test/sources/gen-index.ts';
import { helmBinary, isolatedHelmEnv } from '../test/support/tools.ts';
import { createHttpIndexSource } from '../engine/sources/http-index.ts';
import { isFetchFailure } from '../engine/sources/host.ts';
import { parseIndexBytes } from '../engine/sources/index-lazy.ts';
import { createNetHost } from '../server/net-host.ts';
import { selectChartVersion } from '../engine/versions/select.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement } from './report.ts';

// ---------------------------------------------------------------- shared helpers

/** A function that forces a full garbage collection, when V8 lets us have one. */
export function gcFunction(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const MB = 2 ** 20;
export const toMb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;
export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** CPU time (user + system) of this process since `start`, in ms. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/**
 * Runs `fn` `count` times (after `warmup` untimed runs) and returns a
 * Measurement with the median wall time and the median CPU time per run.
 */
export async function sample(count: number, fn: (i: number) => unknown | Promise<unknown>, warmup = 2): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
    cpu.push(cpuSince(c0));
  }
  return { ms: median(samples), samples: samples.map(round2), cpuMs: median(cpu) };
}

/** The load average, rounded, for notes. */
export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** From /usr/bin/time -v when used. */
  maxRssMb?: number;
  cpuMs?: number;
  timedOut: boolean;
}

/** `/usr/bin/time` when it exists (GNU time with -v). */
export function gnuTime(): string | undefined {
  return existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
}

/**
 * Runs a program and measures it. With GNU time available it is wrapped in
 * `/usr/bin/time -v` for peak RSS and CPU time (the wrapper's own cost is a
 * fork+exec, well under a millisecond of the wall time).
 */
export function runMeasured(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, cwd?: string): Promise<ProcessRun> {
  const time = gnuTime();
  const [cmd, argv] = time ? [time, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      let maxRssMb: number | undefined;
      let cpuMs: number | undefined;
      if (time) {
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
        const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
        if (rss) maxRssMb = Math.round(Number(rss[1]) / 102.4) / 10;
        if (user && sys) cpuMs = (Number(user[1]) + Number(sys[1])) * 1000;
        // Keep only the program's own messages.
        stderr = stderr.replace(/\n?\tCommand being timed:[\s\S]*$/, '');
      }
      resolve({ code, stdout, stderr, wallMs, maxRssMb, cpuMs, timedOut });
    });
  });
}

/** Runs a program to completion (setup steps, not measured); rejects on failure. */
export function runQuiet(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 64 * MB }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

// ---------------------------------------------------------------- the section

interface Served {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves `file` as /index.yaml on 127.0.0.1 (with an ETag and a length, like a
 * static file server) from a child process, so that sending 52 MB costs the
 * measured process nothing: its wall and CPU time are its own.
 */
async function serveIndex(file: string): Promise<Served> {
  const script = `
    const { createServer } = require('node:http');
    const { createHash } = require('node:crypto');
    const body = require('node:fs').readFileSync(process.argv[1]);
    const etag = '"' + createHash('sha1').update(body).digest('hex') + '"';
    const server = createServer((req, res) => {
      if ((req.url || '').split('?')[0] !== '/index.yaml') return res.writeHead(404).end();
      if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/x-yaml', 'content-length': body.length, etag });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`index server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/**
 * Fresh `fluxhelm resolve` processes against the index in an isolated Helm
 * cache (repositories.yaml names the served URL), and `fluxhelm --help`.
 * Undefined when dist/cli.js is not built.
 */
async function cliRuns(options: BenchOptions, dir: string, body: Buffer, url: string, chart: string, constraint: string, picked: string | undefined): Promise<{ resolve: Measurement; first: Measurement; firstEver: Measurement; help: Measurement; node: Measurement } | undefined> {
  const cli = join(options.root, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    options.log('index: dist/cli.js is missing (npm run build); CLI rows skipped');
    return undefined;
  }
  const runs = Math.max(1, Number(options.args['index-cli-runs'] ?? 5));
  const home = mkdtempSync(join(dir, 'cli-'));
  try {
    mkdirSync(join(home, 'config'), { recursive: true });
    mkdirSync(join(home, 'cache', 'repository'), { recursive: true });
    mkdirSync(join(home, 'fleet'), { recursive: true });
    writeFileSync(join(home, 'cache', 'repository', 'bench-index.yaml'), body);
    writeFileSync(join(home, 'config', 'repositories.yaml'), `apiVersion: ""\nrepositories:\n- name: bench\n  url: ${url}\n`);
    writeFileSync(
      join(home, 'fleet', 'release.yaml'),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bench\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${url}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ${chart}\n      version: "${constraint}"\n      sourceRef:\n        kind: HelmRepository\n        name: bench\n`,
    );
    const fluxhelmCache = join(home, 'fluxhelm-cache');
    const env = { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), FLUXHELM_CACHE: fluxhelmCache };
    // empty: what of fluxhelm's cache each run starts without ('sources': the index's layout; 'all': also the V8 code cache of the CLI bundle).
    const measure = async (args: string[], check: (stdout: string) => boolean, empty: 'none' | 'sources' | 'all' = 'none', script: string[] = [cli]): Promise<Measurement> => {
      const samples: number[] = [];
      const rss: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        if (empty !== 'none') rmSync(empty === 'all' ? fluxhelmCache : join(fluxhelmCache, 'sources'), { recursive: true, force: true });
        const run = await runMeasured(process.execPath, [...script, ...args], env, 60_000, home);
        if (run.code !== 0 || !check(run.stdout)) return { samples, error: `fluxhelm ${args[0]} exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}` };
        samples.push(round2(run.wallMs));
        if (run.maxRssMb !== undefined) rss.push(run.maxRssMb);
        if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
      }
      return { ms: median(samples), samples, cpuMs: median(cpu), details: { peakRssMb: median(rss), rssSamples: rss, runs } };
    };
    const resolved = (out: string) => out.includes(`→ ${picked} `);
    // The first run of a new install: nothing in fluxhelm's cache, not even the CLI's code cache.
    const firstEver = await measure(['resolve', 'fleet', '--offline'], resolved, 'all');
    // The first run after `helm repo update`: the index's layout is not in fluxhelm's cache (each run starts without it).
    const first = await measure(['resolve', 'fleet', '--offline'], resolved, 'sources');
    // The runs after it: the layout the previous run cached (the last first-run sample left it).
    const resolve = await measure(['resolve', 'fleet', '--offline'], resolved);
    const help = await measure(['--help'], (out) => out.startsWith('fluxhelm '));
    const node = await measure(['0'], () => true, 'none', ['-e']);
    options.log(`index: fluxhelm resolve process: first run ${first.ms?.toFixed(0) ?? first.error} ms, peak RSS ${first.details?.peakRssMb} MB; later runs ${resolve.ms?.toFixed(0) ?? resolve.error} ms, peak RSS ${resolve.details?.peakRssMb} MB; --help ${help.ms?.toFixed(0)} ms, ${help.details?.peakRssMb} MB; node -e 0 ${node.ms?.toFixed(0)} ms`);
    return { resolve, first, firstEver, help, node };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function chartName(c: number): string {
  // Same naming as gen-index.ts.
  return `chart-${c.toString(36)}${c % 7 === 0 ? '-operator' : ''}`;
}

export const indexSection: BenchSection = {
  name: 'index',
  description: 'chart version resolution on a ~53 MB Helm repository index (fluxhelm engine vs helm search repo)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { args, log } = options;
    const charts = Number(args['index-charts'] ?? 300);
    const versions = Number(args['index-versions'] ?? 200);
    const coldRuns = Math.max(1, Number(args['index-cold-runs'] ?? 3));
    const warmRuns = Math.max(1, Number(args['index-warm'] ?? 20));
    const chartNo = Math.min(charts - 1, 123);
    const chart = chartName(chartNo);
    const constraint = '>=1.2.0 <2.0.0';
    const dir = join(options.workDir, 'index');
    mkdirSync(dir, { recursive: true });
    const loadBefore = loadText();

    let t0 = performance.now();
    const body = Buffer.from(generateIndex({ charts, versions }), 'utf8');
    const sizeMb = toMb(body.length);
    const sizeDecimalMb = Math.round(body.length / 1e6);
    log(`index: generated ${charts} charts × ${versions} versions = ${sizeMb} MB in ${(performance.now() - t0).toFixed(0)} ms`);
    const indexFile = join(dir, 'served-index.yaml');
    writeFileSync(indexFile, body);
    const served = await serveIndex(indexFile);
    const gc = gcFunction();
    const rows: BenchRow[] = [];
    try {
      // ---- cold from disk: what `fluxhelm resolve --offline` does after start-up, in this process:
      // a fresh source reads the index from Helm's repository cache, opens it, reads one chart, selects.
      const diskSamples: number[] = [];
      const diskCpu: number[] = [];
      const diskPhases: Record<string, number>[] = [];
      {
        const home = mkdtempSync(join(dir, 'disk-'));
        mkdirSync(join(home, 'config'), { recursive: true });
        mkdirSync(join(home, 'cache', 'repository'), { recursive: true });
        writeFileSync(join(home, 'cache', 'repository', 'bench-index.yaml'), body);
        writeFileSync(join(home, 'config', 'repositories.yaml'), `apiVersion: ""\nrepositories:\n- name: bench\n  url: ${served.url}\n`);
        const env = (name: string) => ({ HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HOME: home })[name];
        try {
          for (let run = 0; run < coldRuns; run++) {
            // A fresh cache each run: the whole index is read (no layout cached by the run before).
            const host = createNetHost({ cacheDir: join(home, `fluxhelm-cache-${run}`), env });
            const diskSource = createHttpIndexSource(host);
            gc?.();
            const c0 = process.cpuUsage();
            t0 = performance.now();
            const res = await diskSource.getIndex({ url: served.url, offline: true });
            const opened = performance.now();
            if (!res.ok || res.origin !== 'helm-cache') throw new Error(`index: Helm cache not used: ${res.ok ? res.origin : res.message}`);
            const sel = selectChartVersion(res.index.charts.get(chart) ?? [], constraint);
            const ms = performance.now() - t0;
            diskSamples.push(ms);
            diskCpu.push(cpuSince(c0));
            diskPhases.push({ readAndOpenMs: round2(opened - t0), chartAndSelectMs: round2(ms - (opened - t0)) });
            if (!sel.ok) throw new Error(`index: no version of ${chart} matches ${constraint}: ${sel.message}`);
            log(`index: cold resolve from Helm's cache, run ${run + 1}: ${ms.toFixed(1)} ms (cpu ${diskCpu[run].toFixed(0)} ms) → ${sel.version}`);
          }
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      }
      const coldDisk: Measurement = {
        ms: median(diskSamples),
        samples: diskSamples.map(round2),
        cpuMs: median(diskCpu),
        details: { phases: diskPhases, chart, constraint, runs: coldRuns, what: "read the index from Helm's repository cache + open + one chart + selectChartVersion (offline source, in-process)" },
      };

      // ---- cold: empty caches, fresh source each time
      const coldSamples: number[] = [];
      const coldCpu: number[] = [];
      let firstMemory: Record<string, unknown> | undefined;
      let picked: string | undefined;
      let parser: string | undefined;
      let entryCount = 0;
      let source: ReturnType<typeof createHttpIndexSource> | undefined;
      const cacheDirs: string[] = [];
      for (let run = 0; run < coldRuns; run++) {
        const cacheDir = mkdtempSync(join(dir, 'cache-'));
        cacheDirs.push(cacheDir);
        source = createHttpIndexSource(createNetHost({ cacheDir }));
        gc?.();
        const before = process.memoryUsage();
        const maxRssBefore = process.resourceUsage().maxRSS * 1024;
        const c0 = process.cpuUsage();
        t0 = performance.now();
        const res = await source.getIndex({ url: served.url, useHelmCache: false, maxAgeMs: 3_600_000 });
        if (!res.ok) throw new Error(`index: fetch failed: ${res.message}`);
        const entries = res.index.charts.get(chart) ?? [];
        const sel = selectChartVersion(entries, constraint);
        const ms = performance.now() - t0;
        const cpu = cpuSince(c0);
        coldSamples.push(ms);
        coldCpu.push(cpu);
        if (!sel.ok) throw new Error(`index: no version of ${chart} matches ${constraint}: ${sel.message}`);
        picked = sel.version;
        parser = res.index.parser;
        if (run === 0) {
          const after = process.memoryUsage();
          const maxRssAfter = process.resourceUsage().maxRSS * 1024;
          gc?.();
          const retained = process.memoryUsage();
          firstMemory = {
            rssExtraMb: toMb(after.rss - before.rss),
            // Lifetime peak RSS grew by this much during the run (0: the peak stayed below an earlier one).
            peakRssGrowthMb: toMb(Math.max(0, maxRssAfter - maxRssBefore)),
            peakRssOverBaselineMb: toMb(Math.max(after.rss, maxRssAfter) - before.rss),
            heapUsedExtraMb: toMb(after.heapUsed - before.heapUsed),
            externalExtraMb: toMb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
            retainedHeapAfterGcMb: toMb(retained.heapUsed - before.heapUsed),
            retainedRssAfterGcMb: toMb(retained.rss - before.rss),
            gcAvailable: gc !== undefined,
          };
        }
        log(`index: cold run ${run + 1}: ${ms.toFixed(1)} ms (cpu ${cpu.toFixed(0)} ms) → ${chart} ${picked}`);
      }
      // ---- where the cold time goes: the steps of getIndex + lookup one by one (one extra run)
      gc?.();
      const phases: Record<string, number> = {};
      {
        const phaseCache = mkdtempSync(join(dir, 'cache-'));
        cacheDirs.push(phaseCache);
        const host = createNetHost({ cacheDir: phaseCache });
        let p0 = performance.now();
        const res = await host.fetch(`${served.url}/index.yaml`, {});
        phases.fetchMs = round2(performance.now() - p0);
        if (isFetchFailure(res)) throw new Error(`index: fetch failed: ${res.error}`);
        p0 = performance.now();
        await host.writeCache('bench-phases', res.body, { url: served.url, fetchedAt: Date.now() });
        phases.writeCacheMs = round2(performance.now() - p0);
        p0 = performance.now();
        const parsed = parseIndexBytes(res.body);
        phases.openMs = round2(performance.now() - p0);
        if (!parsed.ok) throw new Error(`index: parse failed: ${parsed.message}`);
        p0 = performance.now();
        const entries = parsed.index.charts.get(chart) ?? [];
        phases.chartMs = round2(performance.now() - p0);
        p0 = performance.now();
        selectChartVersion(entries, constraint);
        phases.selectMs = round2(performance.now() - p0);
      }
      log(`index: cold phases ${JSON.stringify(phases)}`);
      const cold: Measurement = {
        ms: median(coldSamples),
        samples: coldSamples.map(round2),
        cpuMs: median(coldCpu),
        details: {
          indexMiB: sizeMb,
          indexBytes: body.length,
          charts,
          versionsPerChart: versions,
          entries: entryCount,
          parser,
          chart,
          constraint,
          picked,
          memoryFirstRun: firstMemory,
          phasesOneRun: phases,
          runs: coldRuns,
          what: 'HTTP GET over loopback (index served by another process) + write disk cache + open the index + read one chart + selectChartVersion',
        },
      };

      // ---- warm: memory cache of the last source
      let warmOrigin: string | undefined;
      const warmSource = source!;
      const warm = await sample(warmRuns, async () => {
        const res = await warmSource.getIndex({ url: served.url, useHelmCache: false, maxAgeMs: 3_600_000 });
        if (!res.ok) throw new Error(res.message);
        warmOrigin = res.origin;
        const sel = selectChartVersion(res.index.charts.get(chart) ?? [], constraint);
        if (!sel.ok || sel.version !== picked) throw new Error('index: warm lookup picked another version');
      });
      // Split of the warm lookup: the memory-cache hit alone and the selection alone.
      const getOnly = await sample(warmRuns, () => warmSource.getIndex({ url: served.url, useHelmCache: false, maxAgeMs: 3_600_000 }));
      const warmHit = await warmSource.getIndex({ url: served.url, useHelmCache: false, maxAgeMs: 3_600_000 });
      const warmEntries = warmHit.ok ? (warmHit.index.charts.get(chart) ?? []) : [];
      const selectOnly = await sample(warmRuns, () => selectChartVersion(warmEntries, constraint));
      warm.details = { getIndexMedianMs: round2(getOnly.ms ?? NaN), selectMedianMs: round2(selectOnly.ms ?? NaN), versionsOfChart: warmEntries.length, origin: warmOrigin, chart, constraint, picked, heapUsedMb: toMb(process.memoryUsage().heapUsed) };
      log(`index: warm median ${warm.ms?.toFixed(3)} ms (origin ${warmOrigin})`);
      // Every chart read (the full reader, once), as a check of the generated size.
      for (const list of warmHit.ok ? warmHit.index.charts.values() : []) entryCount += list.length;
      if (cold.details) cold.details.entries = entryCount;
      for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });

      // ---- peer: helm search repo
      let peerResult: Measurement | undefined;
      let peer: string | undefined;
      if (args.peer !== 'none') {
        peer = 'helm search repo';
        const helm = helmBinary();
        const home = mkdtempSync(join(dir, 'helm-'));
        const env = isolatedHelmEnv(home);
        try {
          const version = (await runQuiet(helm, ['version', '--short'], env)).trim();
          t0 = performance.now();
          await runQuiet(helm, ['repo', 'add', 'bench', served.url], env, 300_000);
          const addMs = performance.now() - t0;
          log(`index: helm ${version} repo add took ${addMs.toFixed(0)} ms`);
          const run = await runMeasured(helm, ['search', 'repo', `bench/${chart}`, '--version', constraint], env, 300_000);
          const line = run.stdout.split('\n').find((l) => l.startsWith(`bench/${chart} `) || l.startsWith(`bench/${chart}\t`));
          const helmPicked = line?.split(/\s+/)[1];
          peerResult = {
            ms: run.timedOut ? undefined : run.wallMs,
            samples: [round2(run.wallMs)],
            timedOutAfterMs: run.timedOut ? 300_000 : undefined,
            cpuMs: run.cpuMs,
            details: { helm: version, picked: helmPicked, peakRssMb: run.maxRssMb, repoAddMs: round2(addMs), exitCode: run.code, memorySource: gnuTime() ? '/usr/bin/time -v' : 'not measured' },
            error: run.code !== 0 ? run.stderr.trim().slice(0, 500) : undefined,
          };
          log(`index: helm search repo ${run.wallMs.toFixed(0)} ms, peak RSS ${run.maxRssMb ?? '?'} MB → ${helmPicked}`);
        } catch (err) {
          peerResult = { samples: [], error: err instanceof Error ? err.message : String(err) };
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      }

      const cli = await cliRuns(options, dir, body, served.url, chart, constraint, picked);

      const note = `load average ${loadBefore} at start (2 cores, shared machine)`;
      const memNote =
        'fluxhelm cold = GET over loopback from a server process + disk-cache write + open + one chart + select, in-process (phases in results.json); helm search repo reads the copy `helm repo add` already downloaded';
      rows.push({
        section: 'index',
        name: `${sizeDecimalMb} MB index · cold resolve (in-process, index in Helm's cache)`,
        fluxhelm: coldDisk,
        peer,
        peerResult,
        targets: [{ maxMs: 300 }],
        note: `${note}; a fresh index source in this process: read from Helm's cache, open, one chart, select (the fresh CLI process row adds Node and module start-up)`,
      });
      rows.push({
        section: 'index',
        name: `${sizeDecimalMb} MB index · download + cold resolve (in-process)`,
        fluxhelm: cold,
        targets: [],
        note: `${note}; ${memNote}; memory target ≤ 200 MB extra: ${firstMemory && typeof firstMemory.peakRssOverBaselineMb === 'number' ? (firstMemory.peakRssOverBaselineMb <= 200 ? 'PASS' : 'FAIL') : 'n/a'} (peak RSS over baseline ${String(firstMemory?.peakRssOverBaselineMb)} MB)`,
      });
      if (cli) {
        rows.push({
          section: 'index',
          name: `${sizeDecimalMb} MB index · fluxhelm resolve (fresh CLI process, layout cached by an earlier run)`,
          fluxhelm: cli.resolve,
          peer,
          peerResult,
          targets: [{ maxMs: 300, minRatio: 30 }],
          note: `${note}; wall time of node dist/cli.js resolve --offline with the index in Helm's cache and its layout in fluxhelm's cache (written by the run before); peak RSS in details (target ≤ 120 MB): ${cli.resolve.details?.peakRssMb} MB`,
        });
        rows.push({
          section: 'index',
          name: `${sizeDecimalMb} MB index · fluxhelm resolve (fresh CLI process, first run after helm repo update)`,
          fluxhelm: cli.first,
          peer,
          peerResult,
          targets: [],
          note: `${note}; the same without the index's layout in fluxhelm's cache: the whole index is read and its layout cached; peak RSS ${cli.first.details?.peakRssMb} MB`,
        });
        rows.push({
          section: 'index',
          name: `${sizeDecimalMb} MB index · fluxhelm resolve (fresh CLI process, first run of a new install: no layout, no code cache)`,
          fluxhelm: cli.firstEver,
          peer,
          peerResult,
          targets: [],
          note: `${note}; the same with fluxhelm's cache empty, also the V8 code cache of the CLI bundle (compiled and cached by this run); peak RSS ${cli.firstEver.details?.peakRssMb} MB`,
        });
        rows.push({ section: 'index', name: 'fluxhelm --help (fresh CLI process)', fluxhelm: cli.help, targets: [], note: `peak RSS ${cli.help.details?.peakRssMb} MB` });
        rows.push({ section: 'index', name: 'node -e 0 (Node start-up alone, same run)', fluxhelm: cli.node, targets: [], note: `peak RSS ${cli.node.details?.peakRssMb} MB` });
      }
      rows.push({
        section: 'index',
        name: `${sizeDecimalMb} MB index · warm resolve`,
        fluxhelm: warm,
        targets: [{ maxMs: 1 }],
        note,
      });
    } finally {
      await served.stop();
      rmSync(indexFile, { force: true });
    }
    return rows;
  },
};
