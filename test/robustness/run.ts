/**
 * `npm run fuzz -- --seed N --minutes M [--workspace DIR]... [--small] [--no-shrink]`:
 * the long robustness run. Sessions rotate over the fleets (examples/fleet
 * and ../shared/fleets, or the given folders), each with its own seed
 * (N, N+1, ...), until the minutes are used; failures are shrunk and saved
 * under test/fixtures/fuzz/. Prints counts, latency percentiles and peak
 * memory; exits 1 when anything failed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Session, percentile, type SessionReport } from './session.ts';
import { shrinkAndSave } from './shrink.ts';

const root = join(import.meta.dirname, '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function options(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1]) out.push(process.argv[i + 1]);
  });
  return out;
}

export function defaultFleets(): string[] {
  const shared = join(root, '..', 'shared', 'fleets');
  const fleets = [join(root, 'examples', 'fleet')];
  if (existsSync(shared)) for (const name of readdirSync(shared).sort()) if (!name.includes('.')) fleets.push(join(shared, name));
  return fleets;
}

export function summarize(reports: SessionReport[]): string {
  const lines: string[] = [];
  const all = new Map<string, number[]>();
  for (const r of reports) for (const [m, l] of r.latencies) all.set(m, [...(all.get(m) ?? []), ...l]);
  const every = [...all.values()].flat();
  const diags = reports.flatMap((r) => r.diagnosticsLatencies);
  const failures = reports.flatMap((r) => r.failures);
  const count = (k: string) => failures.filter((f) => f.kind === k).length;
  lines.push(`sessions ${reports.length}, edits ${reports.reduce((n, r) => n + r.edits, 0)}, requests ${reports.reduce((n, r) => n + r.requests, 0)} (refused as allowed: ${reports.reduce((n, r) => n + r.refused, 0)})`);
  lines.push(`failures: exits ${count('exit')}, exceptions ${count('exception')}, invariant violations ${count('violation')}, slow (> budget) ${count('slow')}, memory ${count('memory')}`);
  const slowDiagnostics = failures.filter((f) => f.kind === 'slow' && f.method === 'validation').length;
  lines.push(`slow: ${count('slow') - slowDiagnostics} requests answered late, ${slowDiagnostics} versions whose diagnostics came late`);
  lines.push(`request latency ms: p50 ${percentile(every, 50).toFixed(1)}, p95 ${percentile(every, 95).toFixed(1)}, p99 ${percentile(every, 99).toFixed(1)}, max ${percentile(every, 100).toFixed(0)}`);
  lines.push(`edit → diagnostics ms: p50 ${percentile(diags, 50).toFixed(1)}, p95 ${percentile(diags, 95).toFixed(1)}, p99 ${percentile(diags, 99).toFixed(1)}, max ${percentile(diags, 100).toFixed(0)} (${diags.length} versions)`);
  lines.push(`peak server RSS MB: ${Math.max(0, ...reports.map((r) => r.peakRssMb))}`);
  for (const [m, l] of [...all].sort()) lines.push(`  ${m}: n=${l.length} p95 ${percentile(l, 95).toFixed(1)} max ${percentile(l, 100).toFixed(0)}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const seed = Number(option('seed') ?? 1);
  const minutes = Number(option('minutes') ?? 10);
  const fleets = options('workspace').length ? options('workspace') : defaultFleets();
  const sessionMinutes = Number(option('session-minutes') ?? Math.min(3, minutes));
  const server = option('server') ?? join(root, 'dist', 'server.js');
  const end = Date.now() + minutes * 60_000;
  const reports: SessionReport[] = [];
  for (let i = 0; Date.now() < end; i++) {
    const workspace = fleets[i % fleets.length];
    const durationMs = Math.min(sessionMinutes * 60_000, end - Date.now());
    if (durationMs < 5_000) break;
    const session = new Session({ seed: seed + i, server, workspace, durationMs, huge: !process.argv.includes('--small'), requestBudgetMs: 1000, memoryCeilingMb: Number(option('memory') ?? 700), log: (l) => console.log(`[seed ${seed + i}] ${l}`) });
    console.log(`[seed ${seed + i}] ${workspace} for ${Math.round(durationMs / 1000)} s`);
    try {
      const report = await session.run();
      reports.push(report);
      if (report.failures.length && !process.argv.includes('--no-shrink')) {
        for (const saved of await shrinkAndSave(report.failures, { server, fleet: workspace, seed: seed + i, requestBudgetMs: 1000, maxCases: 4, log: (l) => console.log(`[seed ${seed + i}] ${l}`) })) console.log(`[seed ${seed + i}] saved ${saved}`);
      }
    } finally {
      await session.stop();
    }
    console.log(summarize([reports[reports.length - 1]].filter(Boolean)));
  }
  console.log(`\n== total (seeds ${seed}..${seed + reports.length - 1}, ${minutes} min) ==\n${summarize(reports)}`);
  process.exit(reports.some((r) => r.failures.length) ? 1 : 0);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) void main();
