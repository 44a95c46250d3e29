/**
 * `workspace` section of `npm run bench`: indexing and cross-file checks on
 * a large Flux repository.
 *
 * Generates (under bench/.work/workspace/) a fleet repository with 100 team
 * folders of 20 YAML files each (a kustomize kustomization.yaml, a
 * sources.yaml with 10 HelmRepositories, 18 app files with 2 HelmReleases,
 * their 2 values ConfigMaps and a Flux Kustomization), plus the cluster
 * folder (flux-system GitRepository/Kustomization and one Kustomization per
 * team): about 2,000 files and 10,000 Flux objects linked by sourceRef,
 * dependsOn and valuesFrom, with a handful of deliberately broken references
 * so the check has something to report.
 *
 * With the Node host (real files) it measures
 *   - cold: `new Workspace(host, { roots: [dir] })` + `ws.check()` (median of
 *     3 fresh workspaces; the files are in the OS page cache after the first),
 *   - one-file change: `ws.index.setFileText()` + `ws.check()` (median of 10,
 *     every change a different text),
 *   - go to definition on a HelmRelease `sourceRef.name` (median of 20).
 * There is no peer program for these.
 *
 * Options: --ws-teams=100 --ws-cold-runs=3 --ws-edits=10 --ws-queries=20
 * --ws-broken=10 (how many sourceRefs point nowhere).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createNodeHost } from '../server/node-host.ts';
import { Workspace } from '../engine/workspace/model.ts';
import { findDefinition } from '../engine/features/navigation.ts';
import { median, type BenchOptions, type BenchRow, type BenchSection, type Measurement } from './report.ts';
import { cpuSince, gcFunction, loadText, round2, sample, toMb } from './index-section.ts';

const APPS_PER_TEAM = 18;
const REPOS_PER_TEAM = 10;

interface Fleet {
  dir: string;
  files: number;
  objects: number;
  brokenRefs: number;
  /** The app file used for edits and go to definition. */
  probeFile: string;
  probeText: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function helmRelease(t: number, a: number, r: number, broken: boolean): string {
  const name = `t${t}-app${pad(a)}-${r}`;
  const repo = broken ? `team-${t}-repo-missing` : `team-${t}-repo-${(a + r) % REPOS_PER_TEAM}`;
  const depends = a > 0 ? ['  dependsOn:', `    - name: t${t}-app${pad(a - 1)}-${r}`] : [];
  return [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    `  name: ${name}`,
    `  namespace: team-${t}`,
    'spec:',
    '  interval: 10m',
    ...depends,
    '  chart:',
    '    spec:',
    `      chart: app-${a}`,
    '      version: ">=1.0.0 <2.0.0"',
    '      sourceRef:',
    '        kind: HelmRepository',
    `        name: ${repo}`,
    '  install:',
    '    remediation:',
    '      retries: 3',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    `      name: ${name}-values`,
    '  values:',
    '    replicaCount: 2',
    '    image:',
    `      tag: "1.${a}.${r}"`,
    '    service:',
    '      type: ClusterIP',
  ].join('\n');
}

function valuesConfigMap(t: number, a: number, r: number, replicas: number): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: t${t}-app${pad(a)}-${r}-values`,
    `  namespace: team-${t}`,
    'data:',
    '  values.yaml: |',
    `    replicaCount: ${replicas}`,
    '    resources:',
    '      requests:',
    '        cpu: 100m',
    '        memory: 128Mi',
    `    podLabels:`,
    `      team: team-${t}`,
  ].join('\n');
}

function appKustomization(t: number, a: number): string {
  const depends = a > 0 ? ['  dependsOn:', `    - name: t${t}-app${pad(a - 1)}-config`] : ['  dependsOn:', `    - name: team-${t}`, '      namespace: flux-system'];
  return [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    `  name: t${t}-app${pad(a)}-config`,
    `  namespace: team-${t}`,
    'spec:',
    '  interval: 30m',
    ...depends,
    '  sourceRef:',
    '    kind: GitRepository',
    '    name: flux-system',
    '    namespace: flux-system',
    `  path: ./teams/team-${t}`,
    '  prune: true',
  ].join('\n');
}

/** The text of one app file; `replicas` varies it for the edit measurements. */
function appFile(t: number, a: number, replicas: number, brokenEvery: number): { text: string; broken: number } {
  const docs: string[] = [];
  let broken = 0;
  for (let r = 0; r < 2; r++) {
    const isBroken = brokenEvery > 0 && (t * APPS_PER_TEAM * 2 + a * 2 + r) % brokenEvery === brokenEvery - 1;
    if (isBroken) broken++;
    docs.push(helmRelease(t, a, r, isBroken), valuesConfigMap(t, a, r, replicas + r));
  }
  docs.push(appKustomization(t, a));
  return { text: docs.join('\n---\n') + '\n', broken };
}

function generateFleet(dir: string, teams: number, brokenTarget: number): Fleet {
  rmSync(dir, { recursive: true, force: true });
  let files = 0;
  let objects = 0;
  let brokenRefs = 0;
  const write = (rel: string, text: string, objs: number) => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    files++;
    objects += objs;
  };
  // About `brokenTarget` broken sourceRefs in the whole fleet (0: none).
  const brokenEvery = brokenTarget > 0 ? Math.max(1, Math.round((teams * APPS_PER_TEAM * 2) / brokenTarget)) : 0;

  write(
    'clusters/production/flux-system/gotk-sync.yaml',
    [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata:',
      '  name: flux-system',
      '  namespace: flux-system',
      'spec:',
      '  interval: 1m',
      '  ref:',
      '    branch: main',
      '  url: https://git.example.com/fleet.git',
      '---',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: flux-system',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  path: ./clusters/production',
      '  prune: true',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
    ].join('\n') + '\n',
    2,
  );
  write('clusters/production/flux-system/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n', 0);
  const teamKs: string[] = [];
  for (let t = 0; t < teams; t++) {
    teamKs.push(
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        `  name: team-${t}`,
        '  namespace: flux-system',
        'spec:',
        '  interval: 10m',
        ...(t > 0 ? ['  dependsOn:', `    - name: team-${t - 1}`] : []),
        '  sourceRef:',
        '    kind: GitRepository',
        '    name: flux-system',
        `  path: ./teams/team-${t}`,
        '  prune: true',
        `  targetNamespace: team-${t}`,
      ].join('\n'),
    );
  }
  write('clusters/production/teams.yaml', teamKs.join('\n---\n') + '\n', teams);

  let probeFile = '';
  let probeText = '';
  for (let t = 0; t < teams; t++) {
    const base = `teams/team-${t}`;
    const repos: string[] = [];
    for (let i = 0; i < REPOS_PER_TEAM; i++) {
      repos.push(
        [
          'apiVersion: source.toolkit.fluxcd.io/v1',
          'kind: HelmRepository',
          'metadata:',
          `  name: team-${t}-repo-${i}`,
          `  namespace: team-${t}`,
          'spec:',
          '  interval: 1h',
          `  url: https://charts.example.com/team-${t}/repo-${i}`,
        ].join('\n'),
      );
    }
    write(`${base}/sources.yaml`, repos.join('\n---\n') + '\n', REPOS_PER_TEAM);
    const resources = ['sources.yaml'];
    for (let a = 0; a < APPS_PER_TEAM; a++) {
      const rel = `${base}/app-${pad(a)}.yaml`;
      const { text, broken } = appFile(t, a, 3, brokenEvery);
      brokenRefs += broken;
      write(rel, text, 5);
      resources.push(`app-${pad(a)}.yaml`);
      if (t === Math.floor(teams / 2) && a === APPS_PER_TEAM / 2) {
        probeFile = join(dir, rel);
        probeText = text;
      }
    }
    write(`${base}/kustomization.yaml`, ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `namespace: team-${t}`, 'resources:', ...resources.map((r) => `  - ${r}`)].join('\n') + '\n', 0);
  }
  return { dir, files, objects, brokenRefs, probeFile, probeText };
}

function countDiagnostics(ws: Workspace): number {
  let n = 0;
  for (const list of ws.check().byFile.values()) n += list.length;
  return n;
}

export const workspaceSection: BenchSection = {
  name: 'workspace',
  description: 'indexing, one-file re-check and go to definition on a 2,000-file, 10,000-object Flux repository',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { args, log } = options;
    const teams = Math.max(2, Number(args['ws-teams'] ?? 100));
    const coldRuns = Math.max(1, Number(args['ws-cold-runs'] ?? 3));
    const edits = Math.max(1, Number(args['ws-edits'] ?? 10));
    const queries = Math.max(1, Number(args['ws-queries'] ?? 20));
    const loadBefore = loadText();
    let t0 = performance.now();
    const fleet = generateFleet(join(options.workDir, 'workspace', 'fleet'), teams, Math.max(0, Number(args['ws-broken'] ?? 10)));
    log(`workspace: generated ${fleet.files} files, ${fleet.objects} objects (${fleet.brokenRefs} broken sourceRefs) in ${(performance.now() - t0).toFixed(0)} ms`);
    const host = createNodeHost();
    const gc = gcFunction();

    // ---- cold
    const coldSamples: number[] = [];
    const indexSamples: number[] = [];
    const coldCpu: number[] = [];
    let coldDetails: Record<string, unknown> = {};
    let ws: Workspace | undefined;
    for (let run = 0; run < coldRuns; run++) {
      ws = undefined;
      gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const c0 = process.cpuUsage();
      t0 = performance.now();
      const fresh = new Workspace(host, { roots: [fleet.dir] });
      const indexed = performance.now();
      const result = fresh.check();
      const ms = performance.now() - t0;
      const cpu = cpuSince(c0);
      coldSamples.push(ms);
      indexSamples.push(indexed - t0);
      coldCpu.push(cpu);
      ws = fresh;
      let diags = 0;
      for (const list of result.byFile.values()) diags += list.length;
      const run1: Record<string, unknown> = {
        indexMs: round2(indexed - t0),
        checkMs: round2(ms - (indexed - t0)),
        filesIndexed: ws.index.filePaths().length,
        objectsIndexed: [...ws.index.allObjects()].length,
        diagnostics: diags,
        repoRoot: ws.repoRoot,
        heapUsedExtraMb: toMb(process.memoryUsage().heapUsed - heap0),
      };
      if (run === 0) coldDetails = { firstRun: run1 };
      coldDetails[`run${run + 1}`] = { ms: round2(ms), cpuMs: round2(cpu), indexMs: run1.indexMs, checkMs: run1.checkMs };
      if (run === 0) log(`workspace: cold run 1: ${ms.toFixed(0)} ms (index ${run1.indexMs} ms, check ${run1.checkMs} ms), ${run1.filesIndexed} files, ${run1.objectsIndexed} objects, ${diags} diagnostics`);
      else log(`workspace: cold run ${run + 1}: ${ms.toFixed(0)} ms`);
    }
    const cold: Measurement = {
      ms: median(coldSamples),
      samples: coldSamples.map(round2),
      cpuMs: median(coldCpu),
      details: { generatedFiles: fleet.files, generatedObjects: fleet.objects, brokenRefs: fleet.brokenRefs, ...coldDetails },
    };
    const workspace = ws!;
    const coldIndex: Measurement = { ms: median(indexSamples), samples: indexSamples.map(round2), details: { what: 'new Workspace(): scan, header index, repository root (no reference checks)' } };

    // ---- re-index one file: new text into the index and that file's references extracted again.
    let reindexCount = 0;
    const reindex = await sample(edits, () => {
      reindexCount++;
      const text = fleet.probeText.replaceAll('    replicaCount: 3\n', `    replicaCount: ${100 + reindexCount}\n`);
      workspace.index.setFileText(fleet.probeFile, text);
      workspace.refs.refsOfFile(fleet.probeFile);
    });
    workspace.index.setFileText(fleet.probeFile, fleet.probeText);
    workspace.check();

    // ---- one-file change + check; each edit a new text (replicaCount in the values ConfigMaps).
    let editCount = 0;
    const editDiagnostics: number[] = [];
    const edit = await sample(edits, () => {
      editCount++;
      const replicas = 10 + editCount;
      const text = fleet.probeText.replaceAll('    replicaCount: 3\n', `    replicaCount: ${replicas}\n`).replaceAll('    replicaCount: 4\n', `    replicaCount: ${replicas + 1}\n`);
      workspace.index.setFileText(fleet.probeFile, text);
      workspace.check();
    });
    editDiagnostics.push(countDiagnostics(workspace));
    // And a change that breaks a reference: does the re-check notice it?
    const brokenText = fleet.probeText.replace(/(        name: )(team-\d+-repo-\d+)/, '$1$2-typo');
    const b0 = performance.now();
    workspace.index.setFileText(fleet.probeFile, brokenText);
    const afterBreak = workspace.check().byFile.get(fleet.probeFile)?.length ?? 0;
    const breakMs = performance.now() - b0;
    workspace.index.setFileText(fleet.probeFile, fleet.probeText);
    const restored = workspace.check().byFile.get(fleet.probeFile)?.length ?? 0;
    edit.details = {
      file: fleet.probeFile.slice(fleet.dir.length + 1),
      edits: editCount,
      diagnosticsAfter: editDiagnostics[0],
      breakingEdit: { ms: round2(breakMs), diagnosticsInFile: afterBreak, afterRestore: restored },
    };
    log(`workspace: one-file change + check median ${edit.ms?.toFixed(1)} ms; a broken sourceRef → ${afterBreak} diagnostic(s) in the file (${breakMs.toFixed(1)} ms)`);

    // ---- go to definition on the first HelmRelease's sourceRef.name
    const lines = fleet.probeText.split('\n');
    const sourceRefLine = lines.findIndex((l) => l === '      sourceRef:');
    const nameLine = sourceRefLine + 2;
    const character = lines[nameLine].indexOf('name: ') + 'name: '.length + 3;
    const position = { line: nameLine, character };
    const first = findDefinition(workspace, fleet.probeFile, position);
    if (first.length !== 1 || !first[0].uri.endsWith('/sources.yaml')) throw new Error(`workspace: go to definition found ${JSON.stringify(first)}`);
    const definition = await sample(queries, () => findDefinition(workspace, fleet.probeFile, position));
    definition.details = { position, on: lines[nameLine].trim(), target: `${first[0].uri.split('/').slice(-3).join('/')}:${first[0].range.start.line + 1}` };
    log(`workspace: go to definition median ${definition.ms?.toFixed(3)} ms`);

    const note = `load average ${loadBefore} at start (2 cores, shared machine)`;
    const label = `${fleet.files.toLocaleString('en-US')} files / ${fleet.objects.toLocaleString('en-US')} objects`;
    return [
      { section: 'workspace', name: `${label} · cold indexing`, fluxhelm: coldIndex, targets: [{ maxMs: 2000 }], note: `${note}; cold runs after the first read files from the OS page cache` },
      { section: 'workspace', name: `${label} · cold index + all reference checks`, fluxhelm: cold, targets: [], note },
      { section: 'workspace', name: `${label} · re-index after a one-file change`, fluxhelm: reindex, targets: [{ maxMs: 20 }], note },
      { section: 'workspace', name: `${label} · one-file change + all reference checks`, fluxhelm: edit, targets: [], note: `${note}; in the editor this runs debounced, off the typing path` },
      { section: 'workspace', name: `${label} · go to definition (sourceRef)`, fluxhelm: definition, targets: [{ maxMs: 5 }], note },
    ];
  },
};
