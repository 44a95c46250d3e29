/**
 * LSP latency section of `npm run bench`. Drives the built fluxhelm server
 * (dist/server.js) and, on the same generated files in the same run,
 * yaml-language-server 2.0 configured with fluxhelm's own HelmRelease JSON
 * Schema, over stdio with the test client. Per server and file size (1, 100
 * and 1,000 HelmReleases) a fresh server process is warmed up, then it
 * measures
 *   - open → diagnostics: didOpen until the matching publishDiagnostics,
 *   - edit → diagnostics: one-line incremental edits at spread-out documents,
 *     until publishDiagnostics for that version,
 *   - completion and hover latency at keys inside `spec`.
 * It also checks that both servers report the same deliberate mistakes, so
 * the comparison is between two validators doing the same job.
 */
import { join } from 'node:path';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LspClient } from '../test/support/lsp-client.ts';
import { generateFile, helmHome, workspaceSupport, type GeneratedFile } from './gen.ts';
import { planEdits, completionPositions, hoverPositions, type PlannedEdit } from './lsp-plan.ts';
import { findChildPid, cpuMs } from './proc.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement, type Target } from './report.ts';
import { yayamllsBinary, yayamllsSpec, placeSchemaFor, YAYAMLLS } from './peers/yayamlls.ts';

type Json = Record<string, unknown>;
export interface Diag {
  range: { start: { line: number; character: number } };
  message: string;
  code?: string | number;
}

/** How to start and configure one language server. */
export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  /** Sent as initializationOptions. */
  initOptions?: Record<string, unknown>;
  /** Called after `initialize`; configures the server and waits until it has taken the settings. */
  configure(client: LspClient, schemaGlob: string): Promise<void>;
  /** The server debounces validation by this many ms (included in its numbers). */
  debounceMs: number;
  /** publishDiagnostics carries the document version (then only that version counts). */
  reportsVersions: boolean;
}

/**
 * Diagnostics of `uri` for `version`. With a server that reports versions, a
 * publish without one (fluxhelm's workspace index reports files on disk) or
 * for another version does not count.
 */
export function waitDiagnostics(client: LspClient, spec: ServerSpec, uri: string, version: number, timeoutMs: number): Promise<Diag[]> {
  return client
    .waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (!spec.reportsVersions || p.version === version), timeoutMs)
    .then((p) => p.diagnostics as Diag[]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `fn` returns true, polling; false after `timeoutMs`. */
async function until(fn: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return true;
    await sleep(10);
  }
  return fn();
}

export function fluxhelmSpec(root: string, online = false): ServerSpec {
  return {
    name: 'fluxhelm',
    // Untrusted = no network: chart indexes come from the local cache only, so the numbers do not
    // depend on the network (the HelmRepository in sources.yaml points at a real URL).
    initOptions: { trusted: online },
    command: process.execPath,
    args: [join(root, 'dist', 'server.js'), '--stdio'],
    debounceMs: 0,
    reportsVersions: true,
    async configure(client) {
      // The server pulls its `fluxhelm` settings once after `initialized`; wait for that so
      // the re-validation it triggers cannot fall into a measurement.
      let asked = false;
      client.onServerRequest = (method, params) => {
        if (method === 'workspace/configuration') {
          asked = true;
          return ((params.items as unknown[]) ?? []).map(() => null);
        }
        return null;
      };
      await until(() => asked, 3000);
      await sleep(100);
    },
  };
}

export function yamlLsSpec(root: string): ServerSpec {
  const schemaUrl = pathToFileURL(join(root, 'schemas', 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease.json')).href;
  return {
    name: 'yaml-language-server',
    command: process.execPath,
    args: [join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'],
    debounceMs: 200, // yamlSettings.validationDelayMs in yaml-language-server 2.0
    reportsVersions: false,
    async configure(client, schemaGlob) {
      const yaml = {
        schemas: { [schemaUrl]: schemaGlob },
        validate: true,
        completion: true,
        hover: true,
        // Keep it offline and on our schema only.
        schemaStore: { enable: false },
        kubernetesCRDStore: { enable: false },
      };
      let pulls = 0;
      client.onServerRequest = (method, params) => {
        if (method !== 'workspace/configuration') return null;
        const items = (params.items as { section?: string }[]) ?? [];
        return items.map((item) => {
          if (item.section === 'yaml') {
            pulls++;
            return yaml;
          }
          return item.section === 'http' ? { proxy: '', proxyStrictSSL: false } : {};
        });
      };
      await until(() => pulls > 0, 3000); // the pull after `initialized`
      const before = pulls;
      client.notify('workspace/didChangeConfiguration', { settings: { yaml } });
      await until(() => pulls > before, 3000);
      await sleep(200);
    },
  };
}

interface SessionResult {
  open: Measurement;
  edit: Measurement;
  completion: Measurement;
  hover: Measurement;
  /** Diagnostics of the first open of the measured file. */
  openDiagnostics: Diag[];
  stderrTail: string;
}

class Timeout extends Error {}

async function timed<T>(start: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await start();
  return { ms: performance.now() - t0, value };
}

/** Opens `text` at `uri` and waits for its diagnostics; rejects with Timeout. */
async function openAndWait(client: LspClient, spec: ServerSpec, uri: string, text: string, timeoutMs: number): Promise<{ ms: number; diags: Diag[] }> {
  const r = await timed(async () => {
    const pending = waitDiagnostics(client, spec, uri, 1, timeoutMs).catch(() => {
      throw new Timeout();
    });
    client.open(uri, text, 1);
    return await pending;
  });
  return { ms: r.ms, diags: r.value };
}

async function closeAndWait(client: LspClient, uri: string): Promise<void> {
  const pending = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as unknown[]).length === 0, 5000).catch(() => undefined);
  client.notify('textDocument/didClose', { textDocument: { uri } });
  await pending;
}

/**
 * Lets deferred work finish before the next phase (fluxhelm re-checks the
 * workspace 150 ms after a change, yaml-language-server validates 200 ms
 * after one): waits, then sends a cheap request, which a single-threaded
 * server can only answer once that work is done.
 */
async function settle(client: LspClient, uri: string, timeoutMs: number): Promise<void> {
  await sleep(400);
  await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }, timeoutMs).catch(() => undefined);
}

function emptyMeasurement(reason: string): Measurement {
  return { samples: [], error: reason };
}

/** One server process, one file size: warm-up, then every metric. */
async function runSession(spec: ServerSpec, file: GeneratedFile, uriBase: string, options: { rootPath: string; warmup: GeneratedFile; repeats: number; edits: number; queries: number; timeoutMs: number; schemaGlob: string }): Promise<SessionResult> {
  const client = new LspClient(spec.command, spec.args);
  const result: SessionResult = {
    open: emptyMeasurement('not run'),
    edit: emptyMeasurement('not run'),
    completion: emptyMeasurement('not run'),
    hover: emptyMeasurement('not run'),
    openDiagnostics: [],
    stderrTail: '',
  };
  try {
    await client.initialize(options.rootPath, spec.initOptions ?? {});
    const pid = findChildPid(spec.args[0] ?? spec.command);
    const cpuSince = (before: number | undefined): number | undefined => {
      const now = cpuMs(pid);
      return now === undefined || before === undefined ? undefined : now - before;
    };
    await spec.configure(client, options.schemaGlob);

    // Warm-up on a small file: loads the schema, JIT-compiles the hot paths.
    const warmUri = `${uriBase}-warmup.yaml`;
    await openAndWait(client, spec, warmUri, options.warmup.text, options.timeoutMs);
    const warmEdits = planEdits(options.warmup, 5);
    for (const [i, e] of warmEdits.entries()) {
      const pending = waitDiagnostics(client, spec, warmUri, i + 2, options.timeoutMs);
      client.change(warmUri, i + 2, [{ range: e.range, text: e.newText }]);
      await pending;
    }
    for (const p of completionPositions(options.warmup, 3)) await client.request('textDocument/completion', { textDocument: { uri: warmUri }, position: p }, options.timeoutMs);
    for (const p of hoverPositions(options.warmup, 3)) await client.request('textDocument/hover', { textDocument: { uri: warmUri }, position: p }, options.timeoutMs);
    await closeAndWait(client, warmUri);
    await settle(client, warmUri, options.timeoutMs);

    // open → diagnostics, `repeats` times under fresh URIs; the last one stays open.
    const mainUri = `${uriBase}.yaml`;
    const openSamples: number[] = [];
    const openCounts: number[] = [];
    const openCpu: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const last = r === options.repeats - 1;
      const uri = last ? mainUri : `${uriBase}-open${r}.yaml`;
      try {
        const cpu0 = cpuMs(pid);
        const { ms, diags } = await openAndWait(client, spec, uri, file.text, options.timeoutMs);
        openSamples.push(ms);
        const cpu = cpuSince(cpu0);
        if (cpu !== undefined) openCpu.push(cpu);
        openCounts.push(diags.length);
        if (r === 0) result.openDiagnostics = diags;
      } catch (err) {
        if (!(err instanceof Timeout)) throw err;
        result.open = { samples: openSamples, timedOutAfterMs: options.timeoutMs, details: { diagnosticCounts: openCounts } };
        for (const k of ['edit', 'completion', 'hover'] as const) result[k] = emptyMeasurement('skipped: open timed out');
        return result;
      }
      if (!last) await closeAndWait(client, uri);
    }
    result.open = { ms: median(openSamples), cpuMs: median(openCpu), samples: openSamples, details: { diagnosticCounts: openCounts, expectedMistakes: file.mistakes, serverCpuMs: median(openCpu) ?? null, serverCpuSamples: openCpu } };

    await settle(client, mainUri, options.timeoutMs);

    // edit → diagnostics
    const edits: PlannedEdit[] = planEdits(file, options.edits);
    const editSamples: number[] = [];
    const counts: number[] = [];
    let timedOut = false;
    const editCpu0 = cpuMs(pid);
    for (const [i, e] of edits.entries()) {
      const version = i + 2;
      try {
        const { ms, value } = await timed(async () => {
          const pending = waitDiagnostics(client, spec, mainUri, version, options.timeoutMs).catch(() => {
            throw new Timeout();
          });
          client.change(mainUri, version, [{ range: e.range, text: e.newText }]);
          return pending;
        });
        editSamples.push(ms);
        counts.push(value.length);
      } catch (err) {
        if (!(err instanceof Timeout)) throw err;
        timedOut = true;
        break;
      }
    }
    const expected = edits.map((e) => file.mistakes + e.mistakeDeltaAfter);
    const editCpu = cpuSince(editCpu0);
    result.edit = timedOut
      ? { samples: editSamples, timedOutAfterMs: options.timeoutMs, details: { diagnosticCounts: counts, expectedCounts: expected } }
      : { ms: median(editSamples), cpuMs: editCpu === undefined ? undefined : editCpu / edits.length, samples: editSamples, details: { diagnosticCounts: counts, expectedCounts: expected, edits: edits.map((e) => e.label), serverCpuMsPerEdit: editCpu === undefined ? null : editCpu / edits.length } };
    if (timedOut) {
      result.completion = emptyMeasurement('skipped: edit timed out');
      result.hover = emptyMeasurement('skipped: edit timed out');
      return result;
    }

    // completion and hover: one request at a time, documents spread over the file.
    for (const kind of ['completion', 'hover'] as const) {
      await settle(client, mainUri, options.timeoutMs);
      const positions = kind === 'completion' ? completionPositions(file, options.queries) : hoverPositions(file, options.queries);
      const samples: number[] = [];
      const sizes: number[] = [];
      let hit = false;
      const cpu0 = cpuMs(pid);
      for (const position of positions) {
        try {
          const { ms, value } = await timed(() => client.request<Json | Json[] | null>(`textDocument/${kind}`, { textDocument: { uri: mainUri }, position }, options.timeoutMs));
          samples.push(ms);
          if (kind === 'completion') sizes.push(Array.isArray(value) ? value.length : ((value?.items as unknown[]) ?? []).length);
          else sizes.push(value ? 1 : 0);
        } catch (err) {
          if (!/timed out/.test(String(err))) throw err;
          hit = true;
          break;
        }
      }
      const cpu = cpuSince(cpu0);
      const perRequest = cpu === undefined || samples.length === 0 ? null : cpu / samples.length;
      const details = kind === 'completion' ? { itemCounts: sizes, positions, serverCpuMsPerRequest: perRequest } : { nonEmpty: sizes.reduce((a, b) => a + b, 0), positions, serverCpuMsPerRequest: perRequest };
      result[kind] = hit ? { samples, timedOutAfterMs: options.timeoutMs, details } : { ms: median(samples), cpuMs: perRequest ?? undefined, samples, details };
    }
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    for (const k of ['open', 'edit', 'completion', 'hover'] as const) if (result[k].error === 'not run') result[k] = emptyMeasurement(message.slice(0, 500));
    return result;
  } finally {
    result.stderrTail = client.stderr.slice(-2000);
    await client.shutdown();
  }
}

/** Compares the lines both servers flag on open: the deliberate mistakes must coincide. */
function compareDiagnostics(ours: Diag[], peer: Diag[]): { same: boolean; onlyOurs: number[]; onlyPeer: number[]; ourCount: number; peerCount: number; peerSamples: string[] } {
  const lines = (ds: Diag[]) => [...new Set(ds.map((d) => d.range.start.line))].sort((a, b) => a - b);
  const a = lines(ours);
  const b = lines(peer);
  const onlyOurs = a.filter((l) => !b.includes(l));
  const onlyPeer = b.filter((l) => !a.includes(l));
  const peerSamples = [...new Set(peer.map((d) => d.message))].slice(0, 5);
  return { same: onlyOurs.length === 0 && onlyPeer.length === 0, onlyOurs, onlyPeer, ourCount: ours.length, peerCount: peer.length, peerSamples };
}

/** Source files of the server changed after it was built (the benchmark measures dist/, not the sources). */
function newerSources(root: string, builtAt: number): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && statSync(join(root, rel)).mtimeMs > builtAt) out.push(rel);
    }
  };
  for (const dir of ['engine', 'server']) if (existsSync(join(root, dir))) walk(dir);
  return out;
}

/**
 * Points the servers (which inherit this process's environment) at a Helm
 * home of our own with a cached podinfo index, so chart resolution works
 * offline and the same way on every machine.
 */
export function useHelmHome(workDir: string): void {
  const home = join(workDir, 'helm');
  const { repositoriesYaml, indexYaml } = helmHome();
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(join(home, 'cache', 'repository'), { recursive: true });
  writeFileSync(join(home, 'config', 'repositories.yaml'), repositoriesYaml);
  writeFileSync(join(home, 'cache', 'repository', 'podinfo-index.yaml'), indexYaml);
  process.env.HELM_CONFIG_HOME = join(home, 'config');
  process.env.HELM_CACHE_HOME = join(home, 'cache');
  process.env.HELM_DATA_HOME = join(home, 'data');
}

function countLabel(n: number): string {
  return n.toLocaleString('en-US');
}

function targetsFor(metric: string, docs: number, maxDocs: number, peer?: string): Target[] {
  const t: Target[] = [];
  // Issue #17: open a 1,000-document file → complete diagnostics ≤ 300 ms, ≥ 5× yaml-language-server, on par with yayamlls.
  if (peer === YAYAMLLS) return metric === 'open → diagnostics' && docs >= 1000 ? [{ maxMs: 300, minRatio: 1 }] : [];
  if (metric === 'open → diagnostics' && docs >= 1000) t.push({ maxMs: 300, minRatio: 5 });
  if (metric === 'edit → diagnostics' && docs === 1) t.push({ maxMs: 20 });
  if (metric === 'edit → diagnostics' && docs === 1000) t.push({ maxMs: 100 });
  if (metric === 'completion') t.push({ maxMs: 5 });
  if (docs === maxDocs && docs >= 1000 && metric !== 'open → diagnostics') t.push({ minRatio: 10 });
  return t;
}

export const lspSection: BenchSection = {
  name: 'lsp',
  description: 'language server latency: fluxhelm (dist/server.js) vs yaml-language-server 2.0 with the same schema',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { root, workDir, args, log } = options;
    const serverJs = join(root, 'dist', 'server.js');
    if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing; run \`npm run build\` first`);
    const builtAt = statSync(serverJs).mtimeMs;
    const stale = newerSources(root, builtAt);
    if (stale.length) log(`warning: dist/server.js is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}; run \`npm run build\` to measure the current code`);
    const sizes = (args.sizes ?? '1,100,1000').split(',').map(Number).filter((n) => n > 0);
    const settings = {
      repeats: Number(args.repeats ?? 3),
      edits: Number(args.edits ?? 10),
      queries: Number(args.queries ?? 10),
      timeoutMs: Number(args.timeout ?? 60) * 1000,
      // An absolute glob: yaml-language-server prefixes patterns with `**/`, and picomatch's
      // `**` does not enter dot folders such as bench/.work, so `bench-hr-*.yaml` alone never matches.
      schemaGlob: `${workDir}/lsp-*/bench-hr-*.yaml`,
      warmup: generateFile(3),
    };
    // --peer=none, or a comma-separated choice of yaml-language-server,yayamlls (default: both).
    const wanted = new Set((args.peer ?? 'yaml-language-server,yayamlls').split(','));
    const specs = [fluxhelmSpec(root, args.online === 'true')];
    if (wanted.has('yaml-language-server')) specs.push(yamlLsSpec(root));
    const yayamlls = wanted.has(YAYAMLLS) ? yayamllsBinary(root, log) : undefined;
    if (yayamlls) specs.push(yayamllsSpec(yayamlls, ['bench-hr-*.yaml']));
    mkdirSync(workDir, { recursive: true });
    useHelmHome(workDir);
    const rows: BenchRow[] = [];
    const maxDocs = Math.max(...sizes);
    for (const n of sizes) {
      const file = generateFile(n);
      // Each size gets its own workspace folder holding just its file: fluxhelm indexes the
      // workspace folder on initialize, so other sizes' files must not be in it.
      const folder = join(workDir, `lsp-${n}`);
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      const path = join(folder, `bench-hr-${n}.yaml`);
      writeFileSync(path, file.text);
      writeFileSync(join(folder, 'sources.yaml'), workspaceSupport(n));
      if (yayamlls) placeSchemaFor(root, folder);
      const uriBase = pathToFileURL(path).href.replace(/\.yaml$/, '');
      const results: Record<string, SessionResult> = {};
      for (const spec of specs) {
        log(`lsp: ${spec.name}, ${countLabel(n)} document(s) (${file.lines.length} lines)…`);
        const t0 = performance.now();
        results[spec.name] = await runSession(spec, file, uriBase, { ...settings, rootPath: folder });
        const r = results[spec.name];
        const show = (m: Measurement) => (m.ms !== undefined ? `${m.ms.toFixed(1)} ms` : m.timedOutAfterMs ? `> ${m.timedOutAfterMs / 1000} s` : (m.error ?? '—'));
        const cpu = (m: Measurement, key: string) => {
          const v = m.details?.[key];
          return typeof v === 'number' ? ` [cpu ${v.toFixed(1)}]` : '';
        };
        log(`  open ${show(r.open)}${cpu(r.open, 'serverCpuMs')}, edit ${show(r.edit)}${cpu(r.edit, 'serverCpuMsPerEdit')}, completion ${show(r.completion)}, hover ${show(r.hover)}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
      const ours = results.fluxhelm;
      // One row per metric and peer (yaml-language-server, yayamlls), or one without a peer.
      const peers: (ServerSpec | undefined)[] = specs.length > 1 ? specs.slice(1) : [undefined];
      for (const peerSpec of peers) {
        const peer = peerSpec ? results[peerSpec.name] : undefined;
        const peerName = peerSpec?.name ?? 'peer';
        const check = peer && ours.openDiagnostics.length + peer.openDiagnostics.length > 0 ? compareDiagnostics(ours.openDiagnostics, peer.openDiagnostics) : undefined;
        if (check) log(`  same mistakes reported: ${check.same ? 'yes' : 'NO'} (fluxhelm ${check.ourCount}, ${peerName} ${check.peerCount}, expected ${file.mistakes})${check.same ? '' : ` only fluxhelm lines ${check.onlyOurs.slice(0, 10).join(',')}; only ${peerName} lines ${check.onlyPeer.slice(0, 10).join(',')}; ${peerName} says ${JSON.stringify(check.peerSamples)}`}`);
        for (const metric of ['open → diagnostics', 'edit → diagnostics', 'completion', 'hover'] as const) {
          const key = metric === 'open → diagnostics' ? 'open' : metric === 'edit → diagnostics' ? 'edit' : metric;
          const fluxhelm = { ...ours[key], details: { ...ours[key].details } };
          const peerResult = peer ? { ...peer[key], details: { ...peer[key].details } } : undefined;
          const notes: string[] = [];
          if (key === 'open' && check) {
            fluxhelm.details[`sameMistakesAs:${peerName}`] = check.same;
            if (!check.same) notes.push(`fluxhelm and ${peerName} disagree on the flagged lines (see results.json)`);
            if (peerResult) peerResult.details.comparison = check;
          }
          if (key === 'edit' && peerSpec?.debounceMs) notes.push(`${peerName} waits ${peerSpec.debounceMs} ms after a change before validating (included in its number)`);
          if (key === 'open' && peerSpec?.name === 'yaml-language-server') notes.push(`yaml-language-server waits ${peerSpec.debounceMs} ms (validationDelayMs) before validating an opened file too (included in its number)`);
          if (key === 'edit') {
            for (const [name, r] of [['fluxhelm', ours], [peerName, peer]] as const) {
              const d = r?.edit.details as { diagnosticCounts?: number[]; expectedCounts?: number[] } | undefined;
              if (d?.diagnosticCounts && d.expectedCounts && d.diagnosticCounts.some((c, i) => c !== d.expectedCounts![i])) notes.push(`${name} diagnostic counts after edits ${JSON.stringify(d.diagnosticCounts)} ≠ expected ${JSON.stringify(d.expectedCounts)}`);
            }
          }
          if (key === 'completion') {
            for (const [name, r] of [['fluxhelm', ours], [peerName, peer]] as const) {
              const counts = (r?.completion.details as { itemCounts?: number[] } | undefined)?.itemCounts;
              if (counts?.some((c) => c === 0)) notes.push(`${name} returned no items at some positions`);
            }
          }
          rows.push({
            section: 'lsp',
            name: `${countLabel(n)} doc${n === 1 ? '' : 's'} · ${metric}`,
            fluxhelm,
            peer: peerSpec?.name,
            peerResult,
            targets: targetsFor(metric, n, maxDocs, peerSpec?.name),
            note: notes.length ? notes.join('; ') : undefined,
          });
        }
      }
      for (const [name, r] of Object.entries(results)) if (/Error|error/.test(r.stderrTail)) log(`  ${name} stderr: ${r.stderrTail.slice(-400)}`);
    }
    if (statSync(serverJs).mtimeMs !== builtAt) {
      log('warning: dist/server.js was rebuilt while the benchmark ran; rows may mix two builds');
      for (const r of rows) r.note = [r.note, 'dist/server.js was rebuilt during the run'].filter(Boolean).join('; ');
    }
    for (const r of rows) r.fluxhelm.details = { ...r.fluxhelm.details, serverBuiltAt: new Date(builtAt).toISOString() };
    return rows;
  },
};
