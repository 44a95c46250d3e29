/**
 * Shared result model of `npm run bench`: every section (LSP latency today;
 * chart index resolution, values and cluster apply later) returns rows of
 * this shape, and this file turns them into the printed table and
 * bench/results.json. Targets are shown as pass/fail next to the number,
 * never asserted.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** A performance target for one row. Either bound may be given; both must hold. */
export interface Target {
  /** fluxhelm must take at most this many milliseconds. */
  maxMs?: number;
  /** The peer must be at least this many times slower than fluxhelm. */
  minRatio?: number;
}

/** One measured quantity: the summary value plus all raw samples. */
export interface Measurement {
  /** Summary in ms (median of the samples); undefined when nothing was measured. */
  ms?: number;
  samples: number[];
  /** When the measurement hit its time limit: the limit in ms (the real value is larger). */
  timedOutAfterMs?: number;
  /** CPU time the measured process spent per operation (user + system), when known. */
  cpuMs?: number;
  /** Free-form facts about what was measured (diagnostic counts, item counts, …). */
  details?: Record<string, unknown>;
  error?: string;
}

export interface BenchRow {
  section: string;
  /** Row label, e.g. "1,000 docs · edit → diagnostics". */
  name: string;
  fluxhelm: Measurement;
  /** The comparison program, when there is one. */
  peer?: string;
  peerResult?: Measurement;
  targets: Target[];
  note?: string;
}

/** A benchmark section contributes rows; `run.ts` calls each in turn. */
export interface BenchSection {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

export interface BenchOptions {
  /** Repository root. */
  root: string;
  /** Scratch folder for generated inputs (git-ignored). */
  workDir: string;
  /** Free-form `--key=value` arguments from the command line. */
  args: Record<string, string>;
  log: (line: string) => void;
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function ratioOf(row: BenchRow): number | undefined {
  const ours = row.fluxhelm.ms;
  const peer = row.peerResult;
  if (ours === undefined || ours <= 0 || !peer) return undefined;
  if (peer.ms !== undefined) return peer.ms / ours;
  // A timed-out peer is at least this much slower.
  if (peer.timedOutAfterMs !== undefined) return peer.timedOutAfterMs / ours;
  return undefined;
}

/** pass/fail per target; undefined when the numbers needed are missing. */
export function checkTarget(row: BenchRow, t: Target): boolean | undefined {
  const ours = row.fluxhelm.ms;
  if (ours === undefined) return undefined;
  let ok = true;
  if (t.maxMs !== undefined) ok &&= ours <= t.maxMs;
  if (t.minRatio !== undefined) {
    const r = ratioOf(row);
    if (r === undefined) return undefined;
    ok &&= r >= t.minRatio;
  }
  return ok;
}

export function describeTarget(t: Target): string {
  const parts: string[] = [];
  if (t.maxMs !== undefined) parts.push(`≤ ${t.maxMs} ms`);
  if (t.minRatio !== undefined) parts.push(`≥ ${t.minRatio}× faster`);
  return parts.join(' and ');
}

function formatMs(m: Measurement | undefined): string {
  if (!m) return '—';
  if (m.error && m.ms === undefined) return 'error';
  if (m.timedOutAfterMs !== undefined && m.ms === undefined) return `> ${(m.timedOutAfterMs / 1000).toFixed(0)} s`;
  if (m.ms === undefined) return '—';
  const v = m.ms;
  const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return m.timedOutAfterMs !== undefined ? `${text}*` : text;
}

function formatRatio(row: BenchRow): string {
  const r = ratioOf(row);
  if (r === undefined) return '—';
  const text = r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
  const lowerBound = row.peerResult?.ms === undefined && row.peerResult?.timedOutAfterMs !== undefined;
  return `${lowerBound ? '> ' : ''}${text}×`;
}

function formatTargets(row: BenchRow): string {
  return row.targets
    .map((t) => {
      const ok = checkTarget(row, t);
      return `${describeTarget(t)}: ${ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL'}`;
    })
    .join('; ');
}

function formatCpu(r: BenchRow): string {
  const f = (v: number | undefined) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
  if (r.fluxhelm.cpuMs === undefined && r.peerResult?.cpuMs === undefined) return '—';
  return `${f(r.fluxhelm.cpuMs)} / ${f(r.peerResult?.cpuMs)}`;
}

/** The human-readable table, one line per row; notes shared by several rows are printed once. */
export function renderTable(rows: BenchRow[]): string {
  const header = ['section', 'measurement', 'fluxhelm ms', 'peer', 'peer ms', 'ratio', 'target', 'server cpu ms (fluxhelm / peer)'];
  const body = rows.map((r) => [r.section, r.name, formatMs(r.fluxhelm), r.peer ?? '—', formatMs(r.peerResult), formatRatio(r), formatTargets(r) || '—', formatCpu(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const right = new Set([2, 4, 5]);
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' │ ').trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (const b of body) out.push(line(b));
  const notes = new Map<string, string[]>();
  for (const r of rows) {
    for (const n of r.note?.split('; ') ?? []) notes.set(n, [...(notes.get(n) ?? []), `${r.section} / ${r.name}`]);
  }
  if (notes.size) {
    out.push('', 'notes:');
    for (const [n, where] of notes) out.push(`  - ${n}`, `      (${where.join(', ')})`);
  }
  return out.join('\n');
}

/** Merges the rows of several runs: the summary is the median of the per-run summaries. */
export function mergeRuns(runs: BenchRow[][]): BenchRow[] {
  if (runs.length === 1) return runs[0];
  const merge = (ms: (Measurement | undefined)[]): Measurement | undefined => {
    const present = ms.filter((m): m is Measurement => !!m);
    if (present.length === 0) return undefined;
    const summaries = present.map((m) => m.ms).filter((v): v is number => v !== undefined);
    const timedOut = present.map((m) => m.timedOutAfterMs).filter((v): v is number => v !== undefined);
    const cpu = present.map((m) => m.cpuMs).filter((v): v is number => v !== undefined);
    return {
      ms: timedOut.length ? undefined : median(summaries),
      samples: present.flatMap((m) => m.samples),
      timedOutAfterMs: timedOut.length ? Math.max(...timedOut) : undefined,
      cpuMs: median(cpu),
      details: { perRun: present.map((m) => ({ ms: m.ms ?? null, cpuMs: m.cpuMs ?? null, ...m.details })) },
      error: present.find((m) => m.error)?.error,
    };
  };
  return runs[0].map((first) => {
    const same = runs.map((rows) => rows.find((r) => r.section === first.section && r.name === first.name && r.peer === first.peer));
    const notes = [...new Set(same.flatMap((r) => r?.note?.split('; ') ?? []))];
    return {
      ...first,
      fluxhelm: merge(same.map((r) => r?.fluxhelm))!,
      peerResult: merge(same.map((r) => r?.peerResult)),
      note: notes.length ? notes.join('; ') : undefined,
    };
  });
}

export interface Environment {
  date: string;
  node: string;
  platform: string;
  cpuCount: number;
  cpuModel: string;
  totalMemMb: number;
  loadAverage: number[];
}

export function environment(): Environment {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuCount: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Writes bench/results.json: the environment before and after, and every row with its samples. */
export function writeResults(path: string, before: Environment, rows: BenchRow[], extra: Record<string, unknown> = {}): void {
  const json = {
    ...before,
    loadAverageAtEnd: environment().loadAverage,
    ...extra,
    rows: rows.map((r) => ({
      section: r.section,
      name: r.name,
      fluxhelm_ms: r.fluxhelm.ms ?? null,
      peer: r.peer ?? null,
      peer_ms: r.peerResult?.ms ?? null,
      peer_timed_out_after_ms: r.peerResult?.timedOutAfterMs ?? null,
      ratio: ratioOf(r) ?? null,
      fluxhelm_cpu_ms: r.fluxhelm.cpuMs ?? null,
      peer_cpu_ms: r.peerResult?.cpuMs ?? null,
      targets: r.targets.map((t) => ({ ...t, text: describeTarget(t), pass: checkTarget(r, t) ?? null })),
      note: r.note ?? null,
      fluxhelm: r.fluxhelm,
      peerResult: r.peerResult ?? null,
    })),
  };
  writeFileSync(path, JSON.stringify(json, null, 2) + '\n');
}
