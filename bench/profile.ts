/**
 * Where the language server spends its time: runs dist/server.js under
 * `node --cpu-prof`, performs the benchmark's open, edits, completions and
 * hovers on a generated file, then cuts the CPU profile into those phases
 * (by timestamp; the client and server share the monotonic clock) and prints
 * the functions with the most self and inclusive time, mapped back to the
 * TypeScript sources through dist/server-main.js.map (the bundle dist/server.js loads).
 *
 *   node scripts/run-ts.mjs bench/profile.ts [--docs=1000] [--edits=20] [--top=15] [--interval=100]
 *                                            [--server=fluxhelm|yaml-language-server]
 *
 * The raw .cpuprofile stays in bench/.work/prof/ (open it in Chrome DevTools
 * or VS Code for a flame chart); a summary goes to bench/.work/profile-N.json.
 */
import { join } from 'node:path';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/support/lsp-client.ts';
import { generateFile, workspaceSupport } from './gen.ts';
import { planEdits, completionPositions, hoverPositions } from './lsp-plan.ts';
import { SourceMap } from './sourcemap.ts';
import { fluxhelmSpec, yamlLsSpec, waitDiagnostics, useHelmHome, type ServerSpec } from './lsp.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Phase {
  name: string;
  startUs: number;
  endUs: number;
  count: number;
}
interface Entry {
  key: string;
  ms: number;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) args[m[1]] = m[2] ?? 'true';
  }
  return args;
}

/** Drives the server through the phases and returns their time windows. */
async function drive(client: LspClient, spec: ServerSpec, folder: string, docs: number, edits: number, queries: number): Promise<Phase[]> {
  const file = generateFile(docs);
  const path = join(folder, `bench-hr-${docs}.yaml`);
  const uri = pathToFileURL(path).href;
  const phases: Phase[] = [];
  const phase = async (name: string, count: number, fn: () => Promise<void>) => {
    // Let deferred work of the previous phase (workspace re-check, debounced validation) finish first.
    await new Promise((r) => setTimeout(r, 400));
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }, 600000).catch(() => undefined);
    const startUs = nowUs();
    await fn();
    phases.push({ name, startUs, endUs: nowUs(), count });
  };
  await phase('open → diagnostics', 1, async () => {
    const pending = waitDiagnostics(client, spec, uri, 1, 600000);
    client.open(uri, file.text, 1);
    await pending;
  });
  await phase('edit → diagnostics', edits, async () => {
    for (const [i, e] of planEdits(file, edits).entries()) {
      const pending = waitDiagnostics(client, spec, uri, i + 2, 600000);
      client.change(uri, i + 2, [{ range: e.range, text: e.newText }]);
      await pending;
    }
  });
  await phase('completion', queries, async () => {
    for (const position of completionPositions(file, queries)) await client.request('textDocument/completion', { textDocument: { uri }, position });
  });
  await phase('hover', queries, async () => {
    for (const position of hoverPositions(file, queries)) await client.request('textDocument/hover', { textDocument: { uri }, position });
  });
  return phases;
}

/** Aggregates self and inclusive time per function for the samples inside [startUs, endUs]. */
function summarize(profile: CpuProfile, describe: (n: ProfileNode) => string, startUs: number, endUs: number): { self: Entry[]; inclusive: Entry[]; sampledMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map<number, string>();
  const key = (id: number) => {
    let k = keyOf.get(id);
    if (k === undefined) {
      k = describe(byId.get(id)!);
      keyOf.set(id, k);
    }
    return k;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = profile.startTime;
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < startUs || t > endUs) continue;
    // The delta before a sample is the time attributed to it (the usual convention).
    const dt = profile.timeDeltas[i] / 1000;
    sampled += dt;
    const leaf = profile.samples[i];
    self.set(key(leaf), (self.get(key(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const k = key(id);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].map(([k, ms]) => ({ key: k, ms })).sort((a, b) => b.ms - a.ms);
  return { self: sorted(self), inclusive: sorted(inclusive), sampledMs: sampled };
}

async function main(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const args = parseArgs(process.argv.slice(2));
  const docs = Number(args.docs ?? 1000);
  const edits = Number(args.edits ?? 20);
  const queries = Number(args.queries ?? 10);
  const top = Number(args.top ?? 15);
  const workDir = join(root, 'bench', '.work');
  const profDir = join(workDir, 'prof');
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  useHelmHome(workDir);
  const spec = args.server === 'yaml-language-server' ? yamlLsSpec(root) : fluxhelmSpec(root, args.online === 'true');
  const client = new LspClient(spec.command, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${args.interval ?? 100}`, ...spec.args]);
  // A workspace folder of its own, holding only the profiled file (fluxhelm indexes the folder).
  const folder = join(workDir, `profile-${docs}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `bench-hr-${docs}.yaml`), generateFile(docs).text);
  writeFileSync(join(folder, 'sources.yaml'), workspaceSupport(docs));
  await client.initialize(folder, spec.initOptions ?? {});
  await spec.configure(client, `${folder}/bench-hr-*.yaml`);
  // Warm-up on a small file, as the benchmark does.
  const warm = generateFile(3);
  const warmUri = pathToFileURL(join(folder, 'bench-hr-warmup.yaml')).href;
  const pending = waitDiagnostics(client, spec, warmUri, 1, 60000);
  client.open(warmUri, warm.text, 1);
  await pending;
  const phases = await drive(client, spec, folder, docs, edits, queries);
  await client.shutdown();
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written to ${profDir}`);
  const newest = files.map((f) => join(profDir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const profile = JSON.parse(readFileSync(newest, 'utf8')) as CpuProfile;

  // dist/server.js loads the server bundle, dist/server-main.js, through a code cache (vm.Script: its frames carry the plain path).
  const serverMain = join(root, 'dist', 'server-main.js');
  const map = SourceMap.load(`${serverMain}.map`);
  const serverUrls = new Set([serverMain, pathToFileURL(serverMain).href]);
  const rootUrl = `${pathToFileURL(root).href}/`;
  const describe = (n: ProfileNode): string => {
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    if (serverUrls.has(f.url)) {
      const at = map.lookup(f.lineNumber, f.columnNumber);
      return at ? `${name}  ${at.source}:${at.line}` : `${name}  dist/server-main.js:${f.lineNumber + 1}`;
    }
    if (!f.url) return name;
    return `${name}  ${f.url.replace(rootUrl, '')}:${f.lineNumber + 1}`;
  };
  const ours = (k: string) => /\s(engine|server)\/|node_modules\/yaml(-language-server)?\//.test(k);
  const summary: Record<string, unknown> = { docs, profile: newest, phases: [] as unknown[] };
  for (const p of phases) {
    const s = summarize(profile, describe, p.startUs, p.endUs);
    const wall = (p.endUs - p.startUs) / 1000;
    console.log(`\n=== ${spec.name} · ${p.name} · ${docs} docs · ${p.count}× · wall ${wall.toFixed(1)} ms (${(wall / p.count).toFixed(2)} ms each) · server CPU sampled ${s.sampledMs.toFixed(1)} ms`);
    console.log('  self time:');
    for (const e of s.self.slice(0, top)) console.log(`    ${e.ms.toFixed(1).padStart(8)} ms  ${((100 * e.ms) / Math.max(s.sampledMs, 1e-9)).toFixed(1).padStart(5)}%  ${e.key}`);
    console.log('  inclusive time (engine, server, yaml and yaml-language-server frames):');
    for (const e of s.inclusive.filter((x) => ours(x.key)).slice(0, top)) console.log(`    ${e.ms.toFixed(1).padStart(8)} ms  ${((100 * e.ms) / Math.max(s.sampledMs, 1e-9)).toFixed(1).padStart(5)}%  ${e.key}`);
    (summary.phases as unknown[]).push({ ...p, wallMs: wall, sampledMs: s.sampledMs, self: s.self.slice(0, 40), inclusive: s.inclusive.filter((x) => ours(x.key)).slice(0, 40) });
  }
  const out = join(workDir, `profile-${spec.name}-${docs}.json`);
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  console.log(`\nprofile: ${newest}\nsummary: ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
