/**
 * Build oracle against the real kustomize-controller: 20 generated Flux
 * Kustomizations (./generate-kustomizations.ts: patches, targetNamespace,
 * name prefix/suffix, images, commonMetadata, generators, postBuild
 * `substitute` and `substituteFrom`, `${var:=default}` defaults, the
 * substitute-disabled label, no postBuild at all) are served from the
 * loopback Git server through a GitRepository, fetched by source-controller
 * and applied by kustomize-controller. The objects it applied, read back
 * from the API server, must equal `fluxhelm build` of the same workspace:
 * the same set of objects as the Kustomization's inventory, and every field
 * fluxhelm builds with the value the API server holds (labels, annotations
 * and data compared whole; kustomize-controller's own two labels aside).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxhelm, startSandbox, writeTree, type Sandbox } from './sandbox.ts';
import { generateKustomizations, variableSources, type GeneratedKustomization } from './generate-kustomizations.ts';
import { mapLimit } from '../../engine/cluster/run.ts';

const COUNT = 20;
let sb: Sandbox;
let ws: string;
let ns: string;
let targetNs: string;
let cases: GeneratedKustomization[];

const gitRepository = (url: string) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: ${ns}
spec:
  interval: 1h
  url: ${url}
  ref:
    branch: main
`;

before(async () => {
  sb = await startSandbox(['source-controller', 'kustomize-controller']);
  ns = sb.namespace('fh-build');
  targetNs = sb.namespace('fh-target');
  ws = mkdtempSync(join(tmpdir(), 'fh-flux-build-'));
  cases = generateKustomizations(ns, targetNs, COUNT);
  const files: Record<string, string> = {
    'clusters/vars.yaml': variableSources(ns),
    'clusters/source.yaml': gitRepository(`${sb.git.url}/fleet.git`),
  };
  for (const c of cases) Object.assign(files, c.files);
  writeTree(ws, files);
  sb.git.commit('fleet', files);
  sb.apply(Object.entries(files).filter(([p]) => p.startsWith('clusters/')).map(([, t]) => t).join('\n---\n'));
});

after(async () => {
  rmSync(ws, { recursive: true, force: true });
  await sb?.stop();
});

const CONTROLLER_LABELS = ['kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace'];

/** `live` restricted to the shape of `built`; maps under labels, annotations, data and stringData are taken whole. */
function project(live: unknown, built: unknown, key = ''): unknown {
  if (Array.isArray(built)) {
    if (!Array.isArray(live)) return live;
    return live.map((x, i) => (i < built.length ? project(x, built[i]) : x));
  }
  if (built && typeof built === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) return live;
    const l = live as Record<string, unknown>;
    if (['labels', 'annotations', 'data', 'binaryData'].includes(key)) {
      const whole = { ...l };
      if (key === 'labels') for (const k of CONTROLLER_LABELS) delete whole[k];
      return whole;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(built)) if (k in l) out[k] = project(l[k], (built as Record<string, unknown>)[k], k);
    return out;
  }
  return live;
}

test(`Flux Kustomization build: ${COUNT} generated cases, kustomize-controller's applied objects = fluxhelm build`, { timeout: 600_000 }, async () => {
  for (const c of cases) {
    const ready = await sb.readyCondition('kustomization', ns, c.name, 240_000);
    assert.equal(ready.status, 'True', `${c.name} (${c.features.join(', ')}): ${ready.reason}: ${ready.message}`);
  }
  const mismatches: string[] = [];
  const covered = new Set<string>();
  let objects = 0;
  await mapLimit(cases, 3, async (c) => {
    const r = await fluxhelm(['build', join(ws, 'clusters', `${c.name}.yaml`), '--format', 'json', '--repo-root', ws]);
    if (r.code !== 0) {
      mismatches.push(`${c.name} [${c.features.join(', ')}]: fluxhelm build exited ${r.code}: ${r.stderr}`);
      return;
    }
    const built = JSON.parse(r.stdout) as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[];
    // The same objects as the controller's inventory (ids: namespace_name_group_Kind).
    const ks = sb.get('kustomization', ns, c.name)!;
    const inventory = ((ks.status.inventory?.entries ?? []) as { id: string }[]).map((e) => e.id).sort();
    const ours = built.map((o) => `${o.metadata.namespace ?? ''}_${o.metadata.name}_${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}_${o.kind}`).sort();
    const problems: string[] = [];
    if (JSON.stringify(inventory) !== JSON.stringify(ours)) problems.push(`objects: controller ${JSON.stringify(inventory)}, fluxhelm ${JSON.stringify(ours)}`);
    for (const o of built) {
      const live = sb.get(`${o.kind}.${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}`.replace(/\.$/, ''), o.metadata.namespace ?? '', o.metadata.name);
      if (!live) {
        problems.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: not in the cluster`);
        continue;
      }
      objects++;
      const expected = project(live, o);
      try {
        assert.deepEqual(o, expected);
      } catch {
        problems.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}:\n    cluster:  ${JSON.stringify(expected)}\n    fluxhelm: ${JSON.stringify(o)}`);
      }
    }
    if (problems.length) mismatches.push(`${c.name} [${c.features.join(', ')}]:\n  ${problems.join('\n  ')}`);
    else for (const f of c.features) covered.add(f);
  });
  assert.deepEqual(mismatches, [], mismatches.join('\n'));
  assert.ok(objects >= COUNT * 3, `compared ${objects} objects`);
  for (const f of ['targetNamespace', 'strategic merge patch', 'json6902 patch with target', 'images', 'substitute', 'substituteFrom', 'no postBuild (defaults only)', 'configMapGenerator', 'implied kustomization']) {
    assert.ok(covered.has(f), `no passing case covered ${f}`);
  }
});
