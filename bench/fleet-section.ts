/**
 * Fleet latency section of `npm run bench` (issue #16): a copy of
 * ../shared/fleets/onedr0p-home-ops is the workspace, with one generated
 * kustomize base of 200 HelmReleases and an overlay that patches them all
 * (a Flux Kustomization builds the overlay). Per server, in a fresh process:
 *   - typing: real HelmReleases of the fleet typed into one key at a time
 *     (a didChange per character, 40 ms apart); for each keystroke the time
 *     until diagnostics of that version or a later one arrive; p50/p95/p99;
 *   - workspace findings: renaming an OCIRepository in one file until the
 *     HelmRelease in another file shows (or drops) the dangling chartRef;
 *   - code lenses of the 200-HelmRelease base, once cold and after edits of
 *     that file (lenses are recomputed after every edit);
 *   - server RSS (current and peak) at the end.
 * yaml-language-server runs the same typing and lens requests beside it;
 * it has no cross-file findings (shown as not measured).
 *
 * --fleet=onedr0p-home-ops --fleet-keys=150 --fleet-cross=10 --fleet-lens=10
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { LspClient } from '../test/support/lsp-client.ts';
import { fluxhelmSpec, yamlLsSpec, type ServerSpec } from './lsp.ts';
import type { BenchOptions, BenchRow, BenchSection, Measurement, Target } from './report.ts';

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(list: number[], p: number): number | undefined {
  if (list.length === 0) return undefined;
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function memory(pid: number | undefined): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** The generated base (200 HelmReleases), its overlay and the Flux Kustomization building it. */
function writeLensBase(fleet: string, count: number): string {
  const dir = join(fleet, 'kubernetes', 'bench-lens');
  mkdirSync(join(dir, 'base'), { recursive: true });
  mkdirSync(join(dir, 'prod'), { recursive: true });
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app-${i}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: app-template
  values:
    replicaCount: 1
    image:
      tag: "1.${i}.0"
`);
  }
  const base = join(dir, 'base', 'helmreleases.yaml');
  writeFileSync(base, `---\n${docs.join('---\n')}`);
  writeFileSync(join(dir, 'base', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ./helmreleases.yaml\n');
  writeFileSync(join(dir, 'prod', 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base
patches:
  - target:
      kind: HelmRelease
    patch: |
      - op: replace
        path: /spec/values/replicaCount
        value: 3
`);
  writeFileSync(join(dir, 'ks.yaml'), `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: bench-lens
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/bench-lens/prod
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`);
  return base;
}

interface FleetRun {
  typing: number[];
  cross: number[];
  lensCold?: number;
  lensCount?: number;
  lensAfterEdit: number[];
  rss: number;
  peak: number;
  notes: string[];
}

/** Positions to type at: after the `interval:` line under spec of each HelmRelease, a new key typed character by character. */
const TYPED = '  timeout: 5m';

async function session(spec: ServerSpec, fleet: string, files: { typing: string[]; oci: string; hr: string; lensBase: string }, o: { keys: number; cross: number; lens: number; timeoutMs: number; log: (l: string) => void }): Promise<FleetRun> {
  const client = new LspClient(spec.command, spec.args);
  const out: FleetRun = { typing: [], cross: [], lensAfterEdit: [], rss: 0, peak: 0, notes: [] };
  const versions = new Map<string, number>();
  const arrived = new Map<string, { version: number | undefined; at: number; diagnostics: Json[] }[]>();
  const notifications = client.notifications;
  notifications.push = (...items: { method: string; params: Json }[]) => {
    for (const n of items) {
      if (n.method !== 'textDocument/publishDiagnostics') continue;
      const list = arrived.get(String(n.params.uri)) ?? [];
      list.push({ version: n.params.version as number | undefined, at: performance.now(), diagnostics: (n.params.diagnostics as Json[]) ?? [] });
      arrived.set(String(n.params.uri), list.slice(-50));
    }
    return 0;
  };
  const until = async (fn: () => boolean, ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      if (fn()) return true;
      await sleep(2);
    }
    return fn();
  };
  const open = async (path: string) => {
    const uri = pathToFileURL(path).href;
    versions.set(uri, 1);
    client.open(uri, readFileSync(path, 'utf8'), 1);
    await until(() => (arrived.get(uri) ?? []).length > 0, o.timeoutMs);
    return uri;
  };
  try {
    await client.initialize(fleet, spec.initOptions ?? {});
    const pid = (client as unknown as { proc: ChildProcess }).proc.pid;
    await spec.configure(client, `${fleet}/**/*.yaml`);
    if (spec.name === 'fluxhelm') await client.waitFor('window/logMessage', (p) => /^indexed \d+ files/.test(String(p.message)), 120_000).catch(() => undefined);

    // Typing: one didChange per character, 40 ms apart, in several real HelmReleases.
    for (const path of files.typing) {
      if (out.typing.length >= o.keys) break;
      const uri = await open(path);
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      const at = lines.findIndex((l) => /^ {2}interval: \S+$/.test(l));
      if (at < 0) continue;
      const line = at + 1;
      let version = 1;
      const typeLine = async (s: string, col0: number, onLine: number) => {
        for (let i = 0; i < s.length && out.typing.length < o.keys; i++) {
          version++;
          const v = version;
          const t0 = performance.now();
          client.change(uri, v, [{ range: { start: { line: onLine, character: col0 + i }, end: { line: onLine, character: col0 + i } }, text: s[i] }]);
          // The answer for this keystroke: diagnostics of this version or a later one.
          void until(() => (arrived.get(uri) ?? []).some((d) => d.at >= t0 && (d.version === undefined || d.version >= v)), o.timeoutMs).then((ok) => {
            const hit = (arrived.get(uri) ?? []).find((d) => d.at >= t0 && (d.version === undefined || d.version >= v));
            out.typing.push(ok && hit ? hit.at - t0 : o.timeoutMs);
          });
          await sleep(40);
        }
      };
      // A new line, then the key typed into it.
      version++;
      client.change(uri, version, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '\n' }]);
      await sleep(40);
      await typeLine(TYPED, 0, line);
      await sleep(500);
      client.notify('textDocument/didClose', { textDocument: { uri } });
    }
    await sleep(1000);

    // Workspace findings: rename the OCIRepository, wait for the HelmRelease's diagnostics to follow.
    if (spec.name === 'fluxhelm') {
      const hrUri = await open(files.hr);
      const ociUri = await open(files.oci);
      const ociText = readFileSync(files.oci, 'utf8').split('\n');
      const nameLine = ociText.findIndex((l) => /^ {2}name: /.test(l));
      const name = ociText[nameLine].slice('  name: '.length);
      let current = name;
      let version = 1;
      for (let i = 0; i < o.cross; i++) {
        const next = current === name ? `${name}-renamed` : name;
        const dangling = next !== name;
        version++;
        const t0 = performance.now();
        client.change(ociUri, version, [{ range: { start: { line: nameLine, character: 8 }, end: { line: nameLine, character: 8 + current.length } }, text: next }]);
        current = next;
        const ok = await until(() => (arrived.get(hrUri) ?? []).some((d) => d.at >= t0 && d.diagnostics.some((x) => x.code === 'dangling-reference') === dangling), 10_000);
        const hit = (arrived.get(hrUri) ?? []).find((d) => d.at >= t0 && d.diagnostics.some((x) => x.code === 'dangling-reference') === dangling);
        out.cross.push(ok && hit ? hit.at - t0 : 10_000);
        await sleep(300);
      }
      client.notify('textDocument/didClose', { textDocument: { uri: hrUri } });
      client.notify('textDocument/didClose', { textDocument: { uri: ociUri } });
      await sleep(300);
    }

    // Code lenses of the 200-HelmRelease base: cold, then after each edit of the file.
    const baseUri = await open(files.lensBase);
    await sleep(500);
    let t0 = performance.now();
    const cold = await client.request<unknown[] | null>('textDocument/codeLens', { textDocument: { uri: baseUri } }, o.timeoutMs);
    out.lensCold = performance.now() - t0;
    out.lensCount = Array.isArray(cold) ? cold.length : 0;
    const baseLines = readFileSync(files.lensBase, 'utf8').split('\n');
    const tagLine = baseLines.findIndex((l) => /^ {6}tag: /.test(l));
    for (let i = 0; i < o.lens; i++) {
      const v = i + 2;
      const pending = client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === baseUri && (p.version === undefined || (p.version as number) >= v), o.timeoutMs).catch(() => undefined);
      client.change(baseUri, v, [{ range: { start: { line: tagLine, character: 12 }, end: { line: tagLine, character: 13 } }, text: String(i % 10) }]);
      await pending;
      t0 = performance.now();
      await client.request('textDocument/codeLens', { textDocument: { uri: baseUri } }, o.timeoutMs);
      out.lensAfterEdit.push(performance.now() - t0);
    }
    const m = memory(pid);
    out.rss = m.rss;
    out.peak = m.peak;
    return out;
  } finally {
    await client.shutdown();
  }
}

function measured(samples: number[], value: number | undefined, details: Json = {}): Measurement {
  return { ms: value, samples, details };
}

export const fleetSection: BenchSection = {
  name: 'fleet',
  description: 'latency in a real fleet (onedr0p-home-ops): typing → diagnostics, workspace findings, code lenses of 200 HelmReleases, RSS (fluxhelm vs yaml-language-server)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { root, workDir, args, log } = options;
    const name = args.fleet ?? 'onedr0p-home-ops';
    const src = join(root, '..', 'shared', 'fleets', name);
    if (!existsSync(src)) throw new Error(`${src} not found`);
    const fleet = join(workDir, `fleet-${name}`);
    rmSync(fleet, { recursive: true, force: true });
    cpSync(src, fleet, { recursive: true, filter: (s) => !/\/\.git(\/|$)/.test(s) });
    const lensBase = writeLensBase(fleet, 200);
    const typing = ['kubernetes/apps/o11y/kube-prometheus-stack/app/helmrelease.yaml', 'kubernetes/apps/default/plex/app/helmrelease.yaml', 'kubernetes/apps/o11y/grafana-operator/app/helmrelease.yaml', 'kubernetes/apps/network/envoy-gateway/app/helmrelease.yaml'].map((p) => join(fleet, p)).filter(existsSync);
    const files = { typing, oci: join(fleet, 'kubernetes/apps/o11y/grafana-operator/app/ocirepository.yaml'), hr: join(fleet, 'kubernetes/apps/o11y/grafana-operator/app/helmrelease.yaml'), lensBase };
    const o = { keys: Number(args['fleet-keys'] ?? 150), cross: Number(args['fleet-cross'] ?? 10), lens: Number(args['fleet-lens'] ?? 10), timeoutMs: Number(args.timeout ?? 60) * 1000, log };
    const results: Record<string, FleetRun | undefined> = {};
    const ourSpec = fluxhelmSpec(root);
    // --server=PATH measures another build of the server (e.g. a branch) in the same setup.
    if (args.server) ourSpec.args = [args.server, '--stdio'];
    for (const spec of [ourSpec, yamlLsSpec(root)]) {
      if (args.peer === 'none' && spec.name !== 'fluxhelm') continue;
      try {
        results[spec.name] = await session(spec, fleet, files, o);
        const r = results[spec.name]!;
        log(`fleet: ${spec.name}: typing p95 ${percentile(r.typing, 95)?.toFixed(0)} ms, p99 ${percentile(r.typing, 99)?.toFixed(0)} ms; cross-file max ${Math.max(0, ...r.cross).toFixed(0)} ms; lenses ${r.lensCount} cold ${r.lensCold?.toFixed(0)} ms; rss ${r.rss.toFixed(0)} MB (peak ${r.peak.toFixed(0)})`);
      } catch (err) {
        log(`fleet: ${spec.name} failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
      }
    }
    const ours = results.fluxhelm;
    const peer = results['yaml-language-server'];
    const row = (label: string, pick: (r: FleetRun) => Measurement, targets: Target[], note?: string): BenchRow => ({
      section: 'fleet',
      name: `${name} · ${label}`,
      fluxhelm: ours ? pick(ours) : { samples: [], error: 'not run' },
      peer: 'yaml-language-server',
      peerResult: peer ? pick(peer) : undefined,
      targets,
      note,
    });
    return [
      row('typing → diagnostics p50', (r) => measured(r.typing, percentile(r.typing, 50)), [], 'yaml-language-server waits 200 ms after a change before validating (included)'),
      row('typing → diagnostics p95', (r) => measured(r.typing, percentile(r.typing, 95)), [{ maxMs: 100 }]),
      row('typing → diagnostics p99', (r) => measured(r.typing, percentile(r.typing, 99)), [{ maxMs: 300 }]),
      row('workspace findings follow (max)', (r) => (r.cross.length ? measured(r.cross, Math.max(...r.cross)) : { samples: [], error: 'no cross-file findings' }), [{ maxMs: 1000 }]),
      row('code lenses, 200 HelmReleases (cold)', (r) => measured(r.lensCold === undefined ? [] : [r.lensCold], r.lensCold, { lenses: r.lensCount }), [{ maxMs: 100 }]),
      row('code lenses after an edit (p95)', (r) => measured(r.lensAfterEdit, percentile(r.lensAfterEdit, 95)), [{ maxMs: 100 }]),
      row('server RSS at the end (MB, not ms)', (r) => measured([r.rss], r.rss, { peakMb: r.peak }), [{ maxMs: 300 }], 'RSS rows show megabytes in the ms columns'),
      row('server peak RSS (MB, not ms)', (r) => measured([r.peak], r.peak), [{ maxMs: 300 }], 'RSS rows show megabytes in the ms columns'),
    ];
  },
};
