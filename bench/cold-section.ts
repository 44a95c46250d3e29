/**
 * Cold paths of the language servers (issue #17), side by side with
 * yaml-language-server and yayamlls in one run:
 *   - cold start → first diagnostics: a fresh server process, `initialize`,
 *     then at once (as an editor does) didOpen of one 41-line HelmRelease;
 *     the time from didOpen until diagnostics holding the file's deliberate
 *     mistakes (the complete answer, not an early empty publish). Measured
 *     in a tiny workspace and in a copy of a real fleet (onedr0p-home-ops),
 *     where fluxhelm also has a workspace to index; and the same runs
 *     counted from the spawn of the server process (Node, loading the
 *     server, initialize);
 *   - fleet memory: RSS of each server with the fleet open and indexed;
 *   - fleet editing: in the fleet, open a real HelmRelease, then
 *     edit → diagnostics, completion and hover, with the workspace indexed.
 * The peers get fluxhelm's HelmRelease schema for `bench-hr-*.yaml` and
 * `**∕helmrelease.yaml`; modelines pointing at remote schemas are removed
 * from the text we open so that no server goes to the network.
 *
 * Options: --cold-runs=5 (fresh processes per server and workspace),
 * --fleet=onedr0p-home-ops, --fleet-queries=10, --peer=… as in the LSP section.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LspClient } from '../test/support/lsp-client.ts';
import { generateFile, workspaceSupport } from './gen.ts';
import { fluxhelmSpec, useHelmHome, yamlLsSpec, waitDiagnostics, type ServerSpec, type Diag } from './lsp.ts';
import { yayamllsBinary, yayamllsSpec, placeSchemaFor, YAYAMLLS } from './peers/yayamlls.ts';
import { findChildPid, cpuMs } from './proc.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement, type Target } from './report.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until the process has used no CPU for `quietMs` (indexing done), at most `maxMs`. */
async function untilIdle(pid: number | undefined, quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = cpuMs(pid);
  let quietSince = Date.now();
  while (Date.now() < end) {
    await sleep(50);
    const now = cpuMs(pid);
    if (now === undefined) return;
    if (last !== undefined && now - last > 2) quietSince = Date.now();
    last = now;
    if (Date.now() - quietSince >= quietMs) return;
  }
}

/** Text as an editor would open it, minus `# yaml-language-server: $schema=` modelines (they fetch over the network). */
function withoutModeline(text: string): string {
  return text.replace(/^#\s*yaml-language-server:.*\n/gm, '');
}

const SCHEMA_GLOBS = ['bench-hr-*.yaml', '**/helmrelease.yaml'];

interface Workspace {
  label: string;
  folder: string;
}

/** One fresh process: initialize, open at once, time to complete diagnostics. */
async function coldStart(spec: ServerSpec, ws: Workspace, uri: string, text: string, mistakes: number, timeoutMs: number): Promise<{ ms: number; spawnMs: number; cpu?: number }> {
  const t0 = performance.now();
  const client = new LspClient(spec.command, spec.args);
  try {
    await client.initialize(ws.folder, spec.initOptions ?? {});
    const configured = spec.configure(client, `${ws.folder}/bench-hr-*.yaml`).catch(() => undefined);
    const opened = performance.now();
    const done = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as Diag[]).length >= mistakes, timeoutMs);
    client.open(uri, text, 1);
    await done;
    const end = performance.now();
    const cpu = cpuMs(findChildPid(spec.args[0] ?? spec.command));
    await configured;
    return { ms: end - opened, spawnMs: end - t0, cpu };
  } finally {
    await client.shutdown();
  }
}

interface FleetResult {
  rss?: number;
  edit: number[];
  completion: number[];
  hover: number[];
  counts: { completionItems: number[]; hovers: number };
}

/** Where to edit, complete and hover in a real HelmRelease: its `interval:` value and keys under `spec`. */
function fleetPlan(text: string): { intervalLine: number; intervalCol: number; oldValue: string; keyLine: number; keyCol: number } | undefined {
  const lines = text.split('\n');
  const intervalLine = lines.findIndex((l) => /^ {2}interval: \S+$/.test(l));
  if (intervalLine < 0) return undefined;
  const oldValue = lines[intervalLine].slice('  interval: '.length);
  return { intervalLine, intervalCol: '  interval: '.length, oldValue, keyLine: intervalLine, keyCol: 3 };
}

async function fleetSession(spec: ServerSpec, folder: string, file: string, queries: number, timeoutMs: number): Promise<FleetResult> {
  const client = new LspClient(spec.command, spec.args);
  const out: FleetResult = { edit: [], completion: [], hover: [], counts: { completionItems: [], hovers: 0 } };
  try {
    await client.initialize(folder, spec.initOptions ?? {});
    const pid = findChildPid(spec.args[0] ?? spec.command);
    await spec.configure(client, `${folder}/**/helmrelease.yaml`);
    const uri = pathToFileURL(file).href;
    const text = withoutModeline(readFileSync(file, 'utf8'));
    const first = waitDiagnostics(client, spec, uri, 1, timeoutMs);
    client.open(uri, text, 1);
    await first;
    // Indexed: the process has gone quiet (fluxhelm indexes the workspace in the background).
    await untilIdle(pid, 1000, 60_000);
    out.rss = rssMb(pid);
    const plan = fleetPlan(text);
    if (!plan) return out;
    let value = plan.oldValue;
    for (let i = 0; i < queries; i++) {
      const next = i % 2 === 0 ? '45m' : plan.oldValue;
      const version = i + 2;
      const t = performance.now();
      const pending = waitDiagnostics(client, spec, uri, version, timeoutMs);
      client.change(uri, version, [{ range: { start: { line: plan.intervalLine, character: plan.intervalCol }, end: { line: plan.intervalLine, character: plan.intervalCol + value.length } }, text: next }]);
      await pending;
      out.edit.push(performance.now() - t);
      value = next;
    }
    await sleep(400);
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      const r = await client.request<{ items?: unknown[] } | unknown[] | null>('textDocument/completion', { textDocument: { uri }, position: { line: plan.keyLine, character: 2 } }, timeoutMs);
      out.completion.push(performance.now() - t);
      out.counts.completionItems.push(Array.isArray(r) ? r.length : (r?.items?.length ?? 0));
    }
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      const r = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: plan.keyLine, character: plan.keyCol } }, timeoutMs);
      out.hover.push(performance.now() - t);
      if (r) out.counts.hovers++;
    }
    return out;
  } finally {
    await client.shutdown();
  }
}

function measurement(samples: number[], details: Record<string, unknown> = {}): Measurement {
  return { ms: median(samples), samples, details };
}

export const coldSection: BenchSection = {
  name: 'cold',
  description: 'cold paths: start → first diagnostics, fleet memory and editing (fluxhelm vs yaml-language-server and yayamlls)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { root, workDir, args, log } = options;
    if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error('dist/server.js is missing; run `npm run build` first');
    const runs = Number(args['cold-runs'] ?? 5);
    const queries = Number(args['fleet-queries'] ?? 10);
    const timeoutMs = Number(args.timeout ?? 60) * 1000;
    const fleetName = args.fleet ?? 'onedr0p-home-ops';
    const wanted = new Set((args.peer ?? 'yaml-language-server,yayamlls').split(','));
    const specs: ServerSpec[] = [fluxhelmSpec(root, false)];
    if (wanted.has('yaml-language-server')) specs.push(yamlLsSpec(root));
    const bin = wanted.has(YAYAMLLS) ? yayamllsBinary(root, log) : undefined;
    if (bin) specs.push(yayamllsSpec(bin, SCHEMA_GLOBS));
    mkdirSync(workDir, { recursive: true });
    useHelmHome(workDir);

    // Workspaces: a tiny one, and a copy of the fleet (the peers read schemas only inside the workspace).
    const small = generateFile(1);
    const tiny = join(workDir, 'cold-tiny');
    const fleet = join(workDir, `cold-${fleetName}`);
    for (const f of [tiny, fleet]) rmSync(f, { recursive: true, force: true });
    mkdirSync(tiny, { recursive: true });
    writeFileSync(join(tiny, 'sources.yaml'), workspaceSupport(1));
    const fleetSrc = join(root, '..', 'shared', 'fleets', fleetName);
    const workspaces: Workspace[] = [{ label: 'tiny workspace', folder: tiny }];
    if (existsSync(fleetSrc)) {
      cpSync(fleetSrc, fleet, { recursive: true });
      workspaces.push({ label: `${fleetName} workspace`, folder: fleet });
    } else log(`cold: ${fleetSrc} not found; fleet rows skipped`);
    for (const ws of workspaces) placeSchemaFor(root, ws.folder);

    const rows: BenchRow[] = [];
    for (const ws of workspaces) {
      const path = join(ws.folder, 'bench-hr-cold.yaml');
      writeFileSync(path, small.text);
      const uri = pathToFileURL(path).href;
      const results: Record<string, Measurement> = {};
      for (const spec of specs) {
        const samples: number[] = [];
        const spawn: number[] = [];
        const cpu: number[] = [];
        let error: string | undefined;
        for (let r = 0; r < runs; r++) {
          try {
            const m = await coldStart(spec, ws, uri, small.text, small.mistakes, timeoutMs);
            samples.push(m.ms);
            spawn.push(m.spawnMs);
            if (m.cpu !== undefined) cpu.push(m.cpu);
          } catch (err) {
            error = err instanceof Error ? err.message.slice(0, 300) : String(err);
            break;
          }
        }
        results[spec.name] = { ...measurement(samples, { spawnToDiagnosticsMs: median(spawn), spawnSamples: spawn, processCpuMs: median(cpu) }), error };
        log(`cold start (${ws.label}): ${spec.name} ${median(samples)?.toFixed(1) ?? error} ms after didOpen, ${median(spawn)?.toFixed(0)} ms after spawn`);
      }
      const targets: Target[] = [{ maxMs: 100 }];
      for (const peer of specs.slice(1)) {
        rows.push({ section: 'cold', name: `cold start → first diagnostics · ${ws.label}`, fluxhelm: results.fluxhelm, peer: peer.name, peerResult: results[peer.name], targets: peer.name === 'yaml-language-server' ? [...targets, { minRatio: 2.5 }] : targets, note: 'from didOpen sent right after initialize to diagnostics with all the mistakes; spawn → diagnostics in results.json' });
      }
      if (specs.length === 1) rows.push({ section: 'cold', name: `cold start → first diagnostics · ${ws.label}`, fluxhelm: results.fluxhelm, targets });
      // The same runs from the spawn of the process: Node, loading the server, initialize, then the above.
      const fromSpawn = (m?: Measurement): Measurement => {
        const spawnSamples = (m?.details?.spawnSamples as number[] | undefined) ?? [];
        return { ms: median(spawnSamples), samples: spawnSamples.map((v) => Math.round(v * 10) / 10), error: m?.error, details: { processCpuMs: m?.details?.processCpuMs } };
      };
      for (const peer of specs.length > 1 ? specs.slice(1) : [undefined]) {
        rows.push({ section: 'cold', name: `spawn → first diagnostics · ${ws.label}`, fluxhelm: fromSpawn(results.fluxhelm), peer: peer?.name, peerResult: peer ? fromSpawn(results[peer.name]) : undefined, targets: [], note: 'from spawning the server process (fluxhelm: with its V8 code cache written by an earlier start) to diagnostics with all the mistakes' });
      }
    }

    // Fleet memory and editing with the workspace indexed.
    if (workspaces.length > 1) {
      const hr = ['kubernetes/apps/o11y/kube-prometheus-stack/app/helmrelease.yaml', 'kubernetes/apps/default/plex/app/helmrelease.yaml'].map((p) => join(fleet, p)).find((p) => existsSync(p));
      if (!hr) log('cold: no HelmRelease to edit in the fleet; editing rows skipped');
      const fleetResults: Record<string, FleetResult | undefined> = {};
      for (const spec of specs) {
        try {
          fleetResults[spec.name] = hr ? await fleetSession(spec, fleet, hr, queries, timeoutMs) : undefined;
          const r = fleetResults[spec.name];
          log(`fleet: ${spec.name} rss ${r?.rss?.toFixed(0)} MB, edit ${median(r?.edit ?? [])?.toFixed(1)} ms, completion ${median(r?.completion ?? [])?.toFixed(1)} ms, hover ${median(r?.hover ?? [])?.toFixed(1)} ms`);
        } catch (err) {
          log(`fleet: ${spec.name} failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
        }
      }
      const ours = fleetResults.fluxhelm;
      for (const peer of specs.length > 1 ? specs.slice(1) : [undefined]) {
        const theirs = peer ? fleetResults[peer.name] : undefined;
        // RSS goes in the ms column (MB), so the ratio column compares memory.
        const mem = (r?: FleetResult): Measurement => ({ ms: r?.rss, samples: r?.rss !== undefined ? [r.rss] : [], details: { unit: 'MB RSS' } });
        rows.push({ section: 'cold', name: `${fleetName} open + indexed · server RSS (MB, not ms)`, fluxhelm: mem(ours), peer: peer?.name, peerResult: peer ? mem(theirs) : undefined, targets: [{ maxMs: 250 }], note: 'RSS rows show megabytes in the ms columns' });
        for (const [metric, key, max] of [['edit HelmRelease → diagnostics', 'edit', 30], ['completion', 'completion', 10], ['hover', 'hover', 10]] as const) {
          rows.push({ section: 'cold', name: `${fleetName} · ${metric}`, fluxhelm: measurement(ours?.[key] ?? [], { counts: ours?.counts }), peer: peer?.name, peerResult: peer ? measurement(theirs?.[key] ?? [], { counts: theirs?.counts }) : undefined, targets: [{ maxMs: max }], note: peer?.debounceMs && key === 'edit' ? `${peer.name} waits ${peer.debounceMs} ms after a change before validating (included in its number)` : undefined });
        }
      }
    }
    return rows;
  },
};
