/**
 * `values` section of `npm run bench`: effective values of a HelmRelease on
 * a chart with a big values.yaml, and the hover inside `spec.values`.
 *
 * Input (generated under bench/.work/values/): a chart folder whose
 * values.yaml has 5,000 lines of nested maps, block and flow lists, numbers,
 * booleans, nulls and comments; a HelmRelease with three valuesFrom layers
 * (ConfigMap `values.yaml`, ConfigMap with `valuesKey`, ConfigMap with
 * `targetPath`) and inline `spec.values`.
 *
 * fluxhelm: `computeReleaseValues` with `lookupFromObjects` over the three
 * ConfigMaps (median of 20 after warm-up), and `getValuesHover` on a key
 * inside `spec.values` with that result (median of 20).
 * Peer: the real `helm template` of the same chart folder with the layers as
 * `--values` files and the targetPath layer as `--set` (median of 3). The
 * chart's only template dumps `.Values` into a ConfigMap, so the section
 * also checks that helm and fluxhelm end with the same values.
 *
 * Options: --values-lines=5000 --values-runs=20 --helm-runs=3 --peer=none.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { createNodeHost } from '../server/node-host.ts';
import { loadChartFolder } from '../engine/charts/folder.ts';
import { computeReleaseValues, lookupFromObjects } from '../engine/values/release.ts';
import { getValuesHover } from '../engine/features/values-hover.ts';
import { parseYamlFile } from '../engine/yaml/documents.ts';
import { helmBinary, isolatedHelmEnv } from '../test/support/tools.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement } from './report.ts';
import { cpuSince, loadText, round2, runMeasured, runQuiet, sample } from './index-section.ts';
import { performance } from 'node:perf_hooks';

/** One section of the chart's values.yaml (28 lines). */
function sectionLines(i: number): string[] {
  return [
    `# Section ${i}: settings of the s${i} component.`,
    `section${i}:`,
    `  enabled: ${i % 2 === 0}`,
    `  replicaCount: ${(i % 5) + 1}`,
    '  image:',
    `    repository: registry.example.com/team/s${i}`,
    `    tag: "1.${i}.0"`,
    '    pullPolicy: IfNotPresent',
    '  service:',
    '    type: ClusterIP',
    `    port: ${8000 + i}`,
    '    annotations: {}',
    '  resources:',
    '    limits: {cpu: 500m, memory: 256Mi}',
    '    requests:',
    '      cpu: 100m',
    '      memory: 128Mi',
    '  env:',
    '    - name: LOG_LEVEL',
    '      value: info',
    `    - name: SECTION`,
    `      value: "s${i}"`,
    '  ports: [80, 443]',
    '  config:',
    `    database: {host: db-${i}.internal, port: 5432, pool: {min: 1, max: ${10 + (i % 7)}}}`,
    '  tolerations: []',
    '  extra: null',
    `  ratio: ${(i % 10) / 10 + 0.05}`,
  ];
}

interface Generated {
  chartDir: string;
  sections: number;
  valuesLines: number;
  release: Record<string, unknown>;
  releaseText: string;
  hoverLine: number;
  hoverCharacter: number;
  objects: Record<string, unknown>[];
  /** Files (and --set) for helm, in Flux's order. */
  helmArgs: string[];
  targetPath: string;
}

function generate(dir: string, lines: number): Generated {
  const chartDir = join(dir, 'big-chart');
  rmSync(chartDir, { recursive: true, force: true });
  mkdirSync(join(chartDir, 'templates'), { recursive: true });
  const values: string[] = ['# Default values of the generated benchmark chart.'];
  let sections = 0;
  while (values.length < lines) values.push(...sectionLines(sections++));
  writeFileSync(join(chartDir, 'values.yaml'), values.join('\n') + '\n');
  writeFileSync(join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: big-chart\nversion: 1.0.0\nappVersion: "1.0"\ndescription: Generated chart with a large values.yaml\n');
  // The one template: the final .Values, so helm's result can be compared with fluxhelm's.
  writeFileSync(
    join(chartDir, 'templates', 'values.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-values\ndata:\n  values.yaml: |\n{{ toYaml .Values | indent 4 }}\n',
  );

  // Layer 1: ConfigMap key values.yaml, every third section.
  const layer1: Record<string, unknown> = {};
  for (let i = 0; i < sections; i += 3) layer1[`section${i}`] = { replicaCount: 3, image: { tag: `2.${i}.0` }, service: { annotations: { 'example.com/layer': 'base' } } };
  // Layer 2: ConfigMap key env.yaml (valuesKey), every fifth section: lists are replaced, maps merged.
  const layer2: Record<string, unknown> = {};
  for (let i = 0; i < sections; i += 5) layer2[`section${i}`] = { env: [{ name: 'LOG_LEVEL', value: 'debug' }], resources: { limits: { memory: '512Mi' } }, ports: [8080] };
  // Layer 3: targetPath.
  const targetPath = 'section7.image.tag';
  const tagValue = '3.1.4';
  const objects: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big-base', namespace: 'apps' }, data: { 'values.yaml': stringify(layer1) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big-env', namespace: 'apps' }, data: { 'env.yaml': stringify(layer2) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big-tag', namespace: 'apps' }, data: { tag: tagValue } },
  ];

  // The HelmRelease, inline values last; it never touches the targetPath key, so helm's
  // "--set after every --values file" order gives the same result as Flux's order.
  const head = [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: big',
    '  namespace: apps',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: ./big-chart',
    '      sourceRef:',
    '        kind: GitRepository',
    '        name: fleet',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: big-base',
    '    - kind: ConfigMap',
    '      name: big-env',
    '      valuesKey: env.yaml',
    '    - kind: ConfigMap',
    '      name: big-tag',
    '      valuesKey: tag',
    `      targetPath: ${targetPath}`,
    '  values:',
  ];
  const inline: string[] = [];
  let hoverLine = -1;
  for (let i = 1; i <= 12; i++) {
    inline.push(`    section${i}:`, '      enabled: true');
    if (i === 4) hoverLine = head.length + inline.length;
    inline.push(`      replicaCount: ${i + 5}`, '      service:', '        type: LoadBalancer', '      config:', '        database:', `          host: shared-db-${i}.internal`);
    if (i === 3) inline.push('      tolerations: null'); // removes the chart default
  }
  const releaseText = [...head, ...inline].join('\n') + '\n';
  writeFileSync(join(dir, 'release.yaml'), releaseText);
  const release = parseAllDocuments(releaseText)[0].toJS() as Record<string, unknown>;
  const inlineValues = (release.spec as Record<string, unknown>).values;

  writeFileSync(join(dir, 'layer1.yaml'), stringify(layer1));
  writeFileSync(join(dir, 'layer2.yaml'), stringify(layer2));
  writeFileSync(join(dir, 'inline.yaml'), stringify(inlineValues));
  const helmArgs = ['--values', join(dir, 'layer1.yaml'), '--values', join(dir, 'layer2.yaml'), '--set', `${targetPath}=${tagValue}`, '--values', join(dir, 'inline.yaml')];
  return { chartDir, sections, valuesLines: values.length, release, releaseText, hoverLine, hoverCharacter: 8, objects, helmArgs, targetPath };
}

/** `.Values` as helm rendered them into the ConfigMap. */
function helmValues(manifest: string): unknown {
  for (const d of parseAllDocuments(manifest)) {
    const o = d.toJS() as { kind?: string; data?: Record<string, string> } | null;
    if (o?.kind === 'ConfigMap' && o.data?.['values.yaml'] !== undefined) return parseAllDocuments(o.data['values.yaml'])[0]?.toJS() ?? {};
  }
  return undefined;
}

/** The first few paths where two plain values differ (for the report). */
function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 5) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = a as Record<string, unknown>;
    const kb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) differences(ka[k], kb[k], path ? `${path}.${k}` : k, out);
    return out;
  }
  if (!isDeepStrictEqual(a, b)) out.push(`${path}: fluxhelm ${JSON.stringify(a)} / helm ${JSON.stringify(b)}`);
  return out;
}

export const valuesSection: BenchSection = {
  name: 'values',
  description: 'effective values and spec.values hover on a chart with a 5,000-line values.yaml and 3 valuesFrom layers (vs helm template)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { args, log } = options;
    const runs = Math.max(1, Number(args['values-runs'] ?? 20));
    const helmRuns = Math.max(1, Number(args['helm-runs'] ?? 3));
    const dir = join(options.workDir, 'values');
    mkdirSync(dir, { recursive: true });
    const loadBefore = loadText();
    const g = generate(dir, Number(args['values-lines'] ?? 5000));
    log(`values: chart with ${g.valuesLines} lines of values.yaml (${g.sections} sections), 3 valuesFrom layers + inline values`);

    let t0 = performance.now();
    const loaded = loadChartFolder(createNodeHost(), g.chartDir);
    const loadMs = performance.now() - t0;
    if (!loaded.ok) throw new Error(`values: chart did not load: ${loaded.error}`);
    const chart = loaded.chart;
    const lookup = lookupFromObjects(g.objects);

    // First (cold) call, then the warm series.
    const c0 = process.cpuUsage();
    t0 = performance.now();
    const first = computeReleaseValues(g.release, 'apps', chart, lookup);
    const firstMs = performance.now() - t0;
    const firstCpu = cpuSince(c0);
    if (!first.result.ok) throw new Error(`values: computeReleaseValues failed: ${first.result.error}`);
    const compute = await sample(runs, () => computeReleaseValues(g.release, 'apps', chart, lookup));
    const result = first.result;
    compute.details = {
      valuesYamlLines: g.valuesLines,
      sections: g.sections,
      leaves: result.leaves.length,
      problems: first.problems.length,
      firstCallMs: round2(firstMs),
      firstCallCpuMs: round2(firstCpu),
      chartFolderLoadMs: round2(loadMs),
      targetPathValue: (result.values.section7 as { image?: { tag?: unknown } } | undefined)?.image?.tag,
    };
    log(`values: computeReleaseValues first ${firstMs.toFixed(1)} ms, warm median ${compute.ms?.toFixed(2)} ms`);

    // Hover on `replicaCount` under section4 in spec.values.
    const file = parseYamlFile('file:///bench/release.yaml', g.releaseText);
    const position = { line: g.hoverLine, character: g.hoverCharacter };
    const once = getValuesHover(file, position, chart, result);
    const hoverText = once && typeof once.contents === 'object' && 'value' in once.contents ? String(once.contents.value) : '';
    if (!/Effective value/.test(hoverText)) throw new Error(`values: no hover at ${JSON.stringify(position)}: ${hoverText || 'null'}`);
    const hover = await sample(runs, () => getValuesHover(file, position, chart, result));
    hover.details = { position, hoveredLine: g.releaseText.split('\n')[g.hoverLine].trim(), hoverFirstLine: hoverText.split('\n')[0], effective: hoverText.split('\n').find((l) => l.startsWith('Effective value')) };
    log(`values: hover median ${hover.ms?.toFixed(3)} ms`);

    // Peer: helm template.
    let peer: string | undefined;
    let peerResult: Measurement | undefined;
    if (args.peer !== 'none') {
      peer = 'helm template';
      const helm = helmBinary();
      const home = mkdtempSync(join(dir, 'helm-'));
      const env = isolatedHelmEnv(home);
      try {
        const version = (await runQuiet(helm, ['version', '--short'], env)).trim();
        const samples: number[] = [];
        const cpu: number[] = [];
        const rss: number[] = [];
        let manifest = '';
        let error: string | undefined;
        for (let i = 0; i < helmRuns; i++) {
          const run = await runMeasured(helm, ['template', 'big', g.chartDir, '--namespace', 'apps', ...g.helmArgs], env, 120_000);
          if (run.code !== 0 || run.timedOut) {
            error = run.timedOut ? 'helm template timed out after 120 s' : run.stderr.trim().slice(0, 500);
            break;
          }
          samples.push(run.wallMs);
          if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
          if (run.maxRssMb !== undefined) rss.push(run.maxRssMb);
          manifest = run.stdout;
          log(`values: helm template run ${i + 1}: ${run.wallMs.toFixed(0)} ms`);
        }
        const theirs = manifest ? helmValues(manifest) : undefined;
        const diff = theirs === undefined ? ['no values ConfigMap in helm output'] : differences(result.values, theirs);
        peerResult = {
          ms: median(samples),
          samples: samples.map(round2),
          cpuMs: median(cpu),
          details: { helm: version, peakRssMb: median(rss), sameValuesAsFluxhelm: diff.length === 0, firstDifferences: diff, command: `helm template big <chart> --namespace apps ${g.helmArgs.join(' ').replaceAll(dir + '/', '')}` },
          error,
        };
        log(`values: helm values ${diff.length === 0 ? 'equal fluxhelm' : `differ: ${diff.join('; ')}`}`);
      } catch (err) {
        peerResult = { samples: [], error: err instanceof Error ? err.message : String(err) };
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }

    const note = `load average ${loadBefore} at start (2 cores, shared machine)`;
    return [
      {
        section: 'values',
        name: `${g.valuesLines.toLocaleString('en-US')}-line values.yaml + 3 valuesFrom · effective values`,
        fluxhelm: compute,
        peer,
        peerResult,
        targets: [{ maxMs: 20 }],
        note: `${note}; helm template also starts a process, loads the chart and renders one template that dumps .Values`,
      },
      {
        section: 'values',
        name: `${g.valuesLines.toLocaleString('en-US')}-line values.yaml · hover in spec.values`,
        fluxhelm: hover,
        targets: [{ maxMs: 10 }],
        note,
      },
    ];
  },
};
