/**
 * Generates a large Helm repository index.yaml in the layout `helm repo index`
 * writes (go-yaml v2: sorted keys, list items at their key's column, quoted
 * ambiguous strings, long descriptions folded at about 80 columns, block
 * literals in annotations). Deterministic for a given seed.
 *
 * Default size: 300 charts x 200 versions, about 53 MB, like the largest
 * public repositories. Used by the index-reader tests (smaller sizes) and as a
 * benchmark:
 *
 *   node scripts/run-ts.mjs bench/gen-index.ts [out.yaml] [charts] [versions]
 *
 * Without an output path it generates in memory and times the fast reader
 * against the size.
 */
import { writeFileSync } from 'node:fs';

export interface GenIndexOptions {
  charts?: number;
  versionsPerChart?: number;
  seed?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const WORDS = ['deploy', 'kubernetes', 'operator', 'metrics', 'ingress', 'controller', 'database', 'cache', 'proxy', 'secure', 'fast', 'cluster', 'monitoring', 'logging', 'service', 'mesh', 'gateway', 'storage', 'backup', 'queue'];

/** go-yaml v2 style: fold a long plain/single-quoted string at spaces past 80 columns. */
function folded(prefix: string, text: string, indent: number): string {
  const lines: string[] = [];
  let line = prefix;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > 80 && line.trim() !== prefix.trim()) {
      lines.push(line);
      line = `${' '.repeat(indent + 2)}${word}`;
    } else {
      line += (line.endsWith(' ') || line === prefix ? '' : ' ') + word;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The index text. */
export function generateIndex(options: GenIndexOptions = {}): string {
  const charts = options.charts ?? 300;
  const perChart = options.versionsPerChart ?? 200;
  const rand = rng(options.seed ?? 42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const out: string[] = ['apiVersion: v1', 'entries:'];
  for (let c = 0; c < charts; c++) {
    const name = `${pick(WORDS)}-${pick(WORDS)}-${c}`;
    out.push(`  ${name}:`);
    for (let v = 0; v < perChart; v++) {
      const major = Math.floor((perChart - v) / 50);
      const minor = Math.floor(((perChart - v) % 50) / 7);
      const patch = (perChart - v) % 7;
      const pre = rand() < 0.1 ? `-rc.${Math.floor(rand() * 5)}` : '';
      const version = `${major}.${minor}.${patch}${pre}`;
      const appVersion = rand() < 0.3 ? `"${major + 1}.${minor}"` : `v${major + 1}.${minor}.${patch}`;
      const created = `"2024-${pad(1 + Math.floor(rand() * 12))}-${pad(1 + Math.floor(rand() * 28))}T${pad(Math.floor(rand() * 24))}:${pad(Math.floor(rand() * 60))}:${pad(Math.floor(rand() * 60))}.${hex(6).replace(/[a-f]/g, '7')}Z"`;
      const description = Array.from({ length: 10 + Math.floor(rand() * 10) }, () => pick(WORDS)).join(' ');
      out.push('  - annotations:');
      out.push('      artifacthub.io/changes: |');
      out.push(`        - kind: ${pick(['added', 'fixed', 'changed'])}`);
      out.push(`          description: ${pick(WORDS)} ${pick(WORDS)} support`);
      out.push(`      artifacthub.io/license: Apache-2.0`);
      out.push('    apiVersion: v2');
      out.push(`    appVersion: ${appVersion}`);
      out.push(`    created: ${created}`);
      if (rand() < 0.5) {
        out.push('    dependencies:');
        out.push(`    - condition: ${pick(WORDS)}.enabled`);
        out.push(`      name: ${pick(WORDS)}`);
        out.push(`      repository: https://charts.example.com/${pick(WORDS)}`);
        out.push(`      version: ${Math.floor(rand() * 20)}.x.x`);
      }
      out.push(folded('    description: ', rand() < 0.2 ? `'${description}: with a colon'` : description, 4));
      out.push(`    digest: ${hex(64)}`);
      out.push(`    home: https://github.com/example/${name}`);
      out.push('    keywords:');
      out.push(`    - ${pick(WORDS)}`);
      out.push(`    - ${pick(WORDS)}`);
      out.push('    maintainers:');
      out.push(`    - email: ${pick(WORDS)}@example.com`);
      out.push(`      name: ${pick(WORDS)}`);
      out.push(`      url: https://github.com/${pick(WORDS)}`);
      out.push(`    name: ${name}`);
      out.push('    sources:');
      out.push(`    - https://github.com/example/${name}`);
      out.push('    type: application');
      out.push('    urls:');
      out.push(`    - https://charts.example.com/${name}-${version}.tgz`);
      out.push(`    version: ${version}`);
    }
  }
  out.push('generated: "2024-12-01T10:00:00.123456789Z"');
  out.push('');
  return out.join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
async function main(): Promise<void> {
  const [outPath, charts, versions] = process.argv.slice(2);
  const t0 = performance.now();
  const text = generateIndex({ charts: charts ? Number(charts) : undefined, versionsPerChart: versions ? Number(versions) : undefined });
  const t1 = performance.now();
  console.log(`generated ${(text.length / 1e6).toFixed(1)} MB in ${(t1 - t0).toFixed(0)} ms`);
  if (outPath && outPath !== '-') {
    writeFileSync(outPath, text);
    console.log(`wrote ${outPath}`);
  } else {
    const { readIndex } = await import('../engine/versions/index-reader.ts');
    for (let i = 0; i < 5; i++) {
      const a = performance.now();
      const r = readIndex(text);
      const b = performance.now();
      const entries = [...r.charts.values()].reduce((n, l) => n + l.length, 0);
      console.log(`readIndex: ${(b - a).toFixed(0)} ms, ${r.charts.size} charts, ${entries} entries, fast ${r.stats.fastCharts}, fallback ${r.stats.fallbackCharts}`);
    }
  }
}

if (invokedDirectly) void main();
