/**
 * Entry point of `npm run bench`. Runs each benchmark section in turn, prints
 * one table of all their rows (fluxhelm ms, peer ms, ratio, targets) and
 * writes every measurement to bench/results.json.
 *
 * Sections live in their own files and export a `BenchSection` (see
 * report.ts); add a new one (chart index resolution, values, cluster apply)
 * by appending it to SECTIONS.
 *
 * Options (all `--key=value`):
 *   --section=lsp        run only the named section(s), comma-separated
 *   --sizes=1,100,1000   LSP: documents per generated file
 *   --repeats=3          LSP: opens per file (median)
 *   --edits=10 --queries=10   LSP: edits / completion and hover requests per file
 *   --timeout=60         LSP: seconds before a single measurement is given up ("> N s")
 *   --peer=none          LSP, cold: no peers (or a comma-separated choice of yaml-language-server,yayamlls)
 *   --online             LSP: start fluxhelm as in a trusted workspace (network for chart indexes)
 *   --runs=1             repeat every section N times; each row reports the median of the runs
 *   --out=PATH           where to write the JSON (default bench/results.json)
 *   index:     --index-charts=300 --index-versions=200 --index-cold-runs=3 --index-warm=20
 *   values:    --values-lines=5000 --values-runs=20 --helm-runs=3
 *   render:    --render-runs=20 --helm-runs=5 (dist/helm.wasm against helm template v4.2.4)
 *   workspace: --ws-teams=100 --ws-cold-runs=3 --ws-edits=10 --ws-queries=20 --ws-broken=10
 *   cold:      --cold-runs=5 --fleet=onedr0p-home-ops --fleet-queries=10
 *   fleet:     --fleet=onedr0p-home-ops --fleet-keys=150 --fleet-cross=10 --fleet-lens=10 [--server=PATH]
 *   fleets:    --fleets-runs=3 --fleets-edits=10 (../shared/fleets, flate beside fluxhelm)
 *   cluster:   --count=500 (needs the control plane: npm run cluster:up)
 */
import { join } from 'node:path';
import { lspSection } from './lsp.ts';
import { indexSection } from './index-section.ts';
import { valuesSection } from './values-section.ts';
import { workspaceSection } from './workspace-section.ts';
import { clusterSection } from './cluster.ts';
import { coldSection } from './cold-section.ts';
import { fleetSection } from './fleet-section.ts';
import { fleetsSection } from './fleets-section.ts';
import { renderSection } from './render-section.ts';
import { diffSection } from './diff-section.ts';
import { environment, mergeRuns, renderTable, writeResults, type BenchRow, type BenchSection } from './report.ts';

const SECTIONS: BenchSection[] = [lspSection, coldSection, fleetSection, indexSection, valuesSection, renderSection, diffSection, workspaceSection, fleetsSection, clusterSection];

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) args[m[1]] = m[2] ?? 'true';
  }
  return args;
}

async function main(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const args = parseArgs(process.argv.slice(2));
  const only = args.section?.split(',');
  const env = environment();
  const log = (line: string) => console.error(line);
  log(`fluxhelm bench · node ${env.node} · ${env.cpuCount} CPU (${env.cpuModel}) · load ${env.loadAverage.join(' ')}`);
  const runs = Math.max(1, Number(args.runs ?? 1));
  const perRun: BenchRow[][] = [];
  const failures: Record<string, string> = {};
  for (let run = 1; run <= runs; run++) {
    const rows: BenchRow[] = [];
    for (const section of SECTIONS) {
      if (only && !only.includes(section.name)) continue;
      log(`\n== ${section.name}: ${section.description}${runs > 1 ? ` (run ${run} of ${runs})` : ''}`);
      try {
        rows.push(...(await section.run({ root, workDir: join(root, 'bench', '.work'), args, log })));
      } catch (err) {
        failures[section.name] = err instanceof Error ? err.message : String(err);
        log(`section ${section.name} failed: ${failures[section.name]}`);
      }
    }
    perRun.push(rows);
  }
  const rows = mergeRuns(perRun);
  console.log('\n' + renderTable(rows));
  const out = args.out ?? join(root, 'bench', 'results.json');
  writeResults(out, env, rows, { args, runs, failures });
  log(`\nwrote ${out}`);
  if (Object.keys(failures).length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
