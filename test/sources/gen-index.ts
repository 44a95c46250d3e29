/**
 * Generates large Helm repository indexes for the scanner and benchmark
 * tests, written the way `helm repo index` writes them (sorted keys,
 * "indentless" sequences, quoted timestamps, long descriptions folded onto
 * indented continuation lines, block-scalar annotations), or in the indented
 * layout the `yaml` package writes. Deterministic for a given seed.
 */

export interface GenOptions {
  charts: number;
  versions: number;
  seed?: number;
  /** `helm` (default): indentless sequences; `indented`: `- ` indented under the key. */
  layout?: 'helm' | 'indented';
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const WORDS = 'deploy scalable secure fast open source web server proxy cache database queue stream metrics logging operator controller gateway identity storage backup'.split(' ');

/** The chart versions (newest last) for chart number `c`. */
export function versionsOf(c: number, count: number): string[] {
  const out: string[] = [];
  for (let v = 0; v < count; v++) {
    const major = Math.floor(v / 50);
    const minor = Math.floor((v % 50) / 10);
    const patch = v % 10;
    let text = `${major}.${minor}.${patch}`;
    if (v % 37 === 5) text += '-rc.1';
    if (v % 53 === 7) text += '+build.7';
    out.push(text);
  }
  void c;
  return out;
}

export function generateIndex(options: GenOptions): string {
  const random = rng(options.seed ?? 42);
  const indented = options.layout === 'indented';
  const seqPad = indented ? '  ' : '';
  const parts: string[] = ['apiVersion: v1\nentries:\n'];
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
    return s;
  };
  for (let c = 0; c < options.charts; c++) {
    const name = `chart-${c.toString(36)}${c % 7 === 0 ? '-operator' : ''}`;
    parts.push(`  ${name}:\n`);
    const versions = versionsOf(c, options.versions);
    for (let v = versions.length - 1; v >= 0; v--) {
      const version = versions[v];
      const words: string[] = [];
      const wordCount = 8 + Math.floor(random() * 20);
      for (let w = 0; w < wordCount; w++) words.push(WORDS[Math.floor(random() * WORDS.length)]);
      // Fold like the Go emitter: first line up to ~80 columns, the rest on indented lines.
      let desc = `    description: ${words[0]}`;
      const descLines: string[] = [];
      for (const w of words.slice(1)) {
        if (desc.length + w.length + 1 > 80) {
          descLines.push(desc);
          desc = `      ${w}`;
        } else desc += ` ${w}`;
      }
      descLines.push(desc);
      const day = 1 + (v % 28);
      const created = `"2024-${String(1 + (v % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}T10:${String(v % 60).padStart(2, '0')}:00.${String(Math.floor(random() * 1e9)).padStart(9, '0')}Z"`;
      const e = `  ${seqPad}- `;
      const k = `  ${seqPad}  `;
      const lines = [
        ...(v % 3 === 0 ? [`${e}annotations:`, `${k}  artifacthub.io/changes: |`, `${k}    - kind: fixed`, `${k}      description: "version: 0.0.0 is not this one"`, `${k}  category: Integration`, `${k}apiVersion: v2`] : [`${e}apiVersion: v2`]),
        `${k}appVersion: ${v % 4 === 0 ? `"${1 + v}.0"` : `${1 + v}.${c % 10}.0`}`,
        `${k}created: ${created}`,
        ...descLines.map((l) => l.replace(/^ {4}/, k)),
        `${k}digest: ${hex(64)}`,
        `${k}home: https://example.com/${name}`,
        `${k}keywords:`,
        `${k}${seqPad}- ${WORDS[c % WORDS.length]}`,
        `${k}${seqPad}- ${WORDS[(c + v) % WORDS.length]}`,
        `${k}maintainers:`,
        `${k}${seqPad}- email: team-${c}@example.com`,
        `${k}${seqPad}  name: Team ${c}`,
        `${k}${seqPad}  url: https://example.com/team/${c}`,
        `${k}name: ${name}`,
        `${k}sources:`,
        `${k}${seqPad}- https://github.com/example/${name}`,
        `${k}${seqPad}- https://github.com/example/${name}-images/tree/main/docker/${name}/${version}/debian-12`,
        `${k}type: application`,
        `${k}urls:`,
        `${k}${seqPad}- https://charts.example.com/releases/download/${name}-${version}/${name}-${version}.tgz`,
        `${k}version: ${version}`,
      ];
      parts.push(lines.join('\n') + '\n');
    }
  }
  parts.push('generated: "2024-06-01T00:00:00.000000000Z"\n');
  return parts.join('');
}
