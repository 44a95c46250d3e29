/**
 * Changed-only evaluation of a rendered diff (engine/diff/lazy.ts): only
 * the Flux Kustomizations whose build can read a changed file are built.
 * Differential against the full evaluation: on the fleets of ../shared and
 * the fleet-model fixture, for edits of every YAML file (a comment, an
 * annotation) of the small fleets and typical edits of onedr0p-home-ops (a
 * values edit, a shared component, a namespace's kustomization.yaml, an
 * app's Flux Kustomization, a file added, a file removed), the owners
 * selected and what they apply are the same as when every Kustomization is
 * built, and the one-file values edit builds a handful of Kustomizations,
 * not the fleet, and renders its release as applied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineHost } from '../../engine/host.ts';
import { Workspace } from '../../engine/workspace/model.ts';
import { selectChanged, sideModel, type Selection, type SideModel } from '../../engine/diff/changed.ts';
import { changedOnlySides } from '../../engine/diff/lazy.ts';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'fleets');
const ROOT = '/repo';

function readFleet(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${name}`);
      else files.set(`${ROOT}${rel}/${name}`, readFileSync(p, 'utf8'));
    }
  };
  walk(dir, '');
  return files;
}

/** An in-memory host with its folder listing made once. */
function host(files: Map<string, string>): EngineHost {
  const dirs = new Map<string, Map<string, boolean>>();
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/') || '/';
      let entries = dirs.get(dir);
      if (!entries) dirs.set(dir, (entries = new Map()));
      entries.set(parts[i], i < parts.length - 1 || entries.get(parts[i]) === true);
    }
  }
  return {
    readFile: (p) => files.get(p),
    // As the Node host: generators read their files as bytes.
    readBinary: (p) => (files.has(p) ? new TextEncoder().encode(files.get(p)) : undefined),
    readDir: (d) => {
      const e = dirs.get(d.replace(/\/+$/, '') || '/');
      return e && [...e].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
    now: () => 0,
    env: () => undefined,
  };
}

const open = (files: Map<string, string>) => new Workspace(host(files), { roots: [ROOT], repoRoot: ROOT });

function differing(a: Map<string, string>, b: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [p, t] of a) if (b.get(p) !== t) out.add(p);
  for (const p of b.keys()) if (!a.has(p)) out.add(p);
  return out;
}

/** What a rendered diff takes from the models: the owners selected, each with what it builds or applies. */
function selected(base: SideModel, head: SideModel, s: Selection): string[] {
  const out: string[] = [];
  for (const id of s.kustomizations) for (const [side, m] of [['base', base], ['head', head]] as const) out.push(`Kustomization ${id} ${side}: ${JSON.stringify(m.kustomizations.get(id)?.build.resources.map((r) => r.object) ?? null)}`);
  for (const id of s.releases) {
    for (const [side, m] of [['base', base], ['head', head]] as const) {
      const hr = m.releases.get(id);
      out.push(`HelmRelease ${id} ${side}: ${hr ? `${hr.file}:${hr.start} ${JSON.stringify(m.applied.get(`${hr.file}:${hr.start}`) ?? null)}` : 'none'}`);
    }
  }
  return out.sort();
}

const fullBases = new WeakMap<Map<string, string>, SideModel>();

/** Compares changed-only selection with and without lazy evaluation; returns the Kustomizations the lazy head side built. */
function compare(before: Map<string, string>, after: Map<string, string>, what: string): number {
  const changed = differing(before, after);
  let fullBase = fullBases.get(before);
  if (!fullBase) fullBases.set(before, (fullBase = sideModel(open(before))));
  const fullHead = sideModel(open(after));
  const full = selected(fullBase, fullHead, selectChanged(fullBase, fullHead, changed, ROOT));
  const [bws, hws] = [open(before), open(after)];
  const sides = changedOnlySides(hws, bws, changed, ROOT, (_key, make) => make());
  assert.deepEqual(selected(sides.base, sides.head, sides.selection), full, what);
  return hws.fleet.lastEvaluated;
}

function edits(text: string): [string, string][] {
  const out: [string, string][] = [['a comment', `${text}\n# edited\n`]];
  const m = /^( *)metadata:\n/m.exec(text);
  if (m) out.push(['an annotation', text.replace(m[0], `${m[0]}${m[1]}  annotations:\n${m[1]}    edited: "yes"\n`)]);
  return out;
}

const smallFleets: [string, string][] = [
  ...['flux2-kustomize-helm-example', 'flux2-multi-tenancy', 'flux2-hub-spoke-example'].map((n): [string, string] => [n, join(SHARED, n)]),
  // A configMapGenerator whose file is named `values.yaml=team-quotas-values.yaml` (a HelmRelease's valuesFrom).
  ['examples/fleet', join(import.meta.dirname, '..', '..', 'examples', 'fleet')],
];
for (const [name, dir] of smallFleets) {
  test(`${name}: every YAML file edited, changed-only builds select what a full evaluation selects`, () => {
    const files = readFleet(dir);
    let cases = 0;
    for (const [path, text] of files) {
      if (!/\.ya?ml$/.test(path)) continue;
      for (const [how, edited] of edits(text)) {
        compare(files, new Map(files).set(path, edited), `${path}: ${how}`);
        cases++;
      }
      const removed = new Map(files);
      removed.delete(path);
      compare(files, removed, `${path} removed`);
    }
    assert.ok(cases > 20, `only ${cases} edits`);
  });
}

test('fleet-model fixture (patches and substitution from a parent): every file edited', () => {
  const files = readFleet(join(import.meta.dirname, '..', 'fixtures', 'fleet-model'));
  for (const [path, text] of files) for (const [how, edited] of edits(text)) compare(files, new Map(files).set(path, edited), `${path}: ${how}`);
});

test('onedr0p-home-ops: typical edits select the same owners; a values edit builds a few Kustomizations, not the fleet', () => {
  const files = readFleet(join(SHARED, 'onedr0p-home-ops'));
  const at = (rel: string) => `${ROOT}/${rel}`;
  const hr = at('kubernetes/apps/default/radarr/app/helmrelease.yaml');
  const values = new Map(files).set(hr, files.get(hr)!.replace('RADARR__LOG__LEVEL: info', 'RADARR__LOG__LEVEL: debug'));
  assert.notEqual(values.get(hr), files.get(hr));
  const built = compare(files, values, 'radarr values');
  const all = sideModel(open(files)).kustomizations.size;
  assert.ok(built <= 3 && all > 50, `a values edit built ${built} Kustomizations (the fleet has ${all})`);
  // The release is rendered as its Kustomization applies it (targetNamespace, the parent's patches), although its
  // file starts with `---` and a comment (the build's span starts at apiVersion, the index's document at 0).
  const sides = changedOnlySides(open(values), open(files), differing(files, values), ROOT, (_key, make) => make());
  const radarr = sides.head.releases.get('default/radarr')!;
  const applied = sides.head.applied.get(`${radarr.file}:${radarr.start}`)?.[0]?.object as { metadata?: { namespace?: string }; spec?: Record<string, unknown> } | undefined;
  assert.equal(applied?.metadata?.namespace, 'default');
  assert.ok(applied?.spec?.install && applied.spec.upgrade, 'the parent Kustomization patches install and upgrade in');

  const component = [...files.keys()].find((p) => p.startsWith(at('kubernetes/components/')) && p.endsWith('.yaml') && !p.endsWith('kustomization.yaml'))!;
  compare(files, new Map(files).set(component, `${files.get(component)}\n# edited\n`), `${component}: a comment`);
  for (const [how, edited] of edits(files.get(component)!)) compare(files, new Map(files).set(component, edited), `${component}: ${how}`);
  const ns = at('kubernetes/apps/default/kustomization.yaml');
  compare(files, new Map(files).set(ns, files.get(ns)!.replace('  - ./radarr/ks.yaml\n', '')), 'radarr left out of its namespace');
  const ks = at('kubernetes/apps/default/radarr/ks.yaml');
  compare(files, new Map(files).set(ks, files.get(ks)!.replace('KOPIUR_CAPACITY: 10Gi', 'KOPIUR_CAPACITY: 20Gi')), 'radarr ks.yaml substitution');
  compare(files, new Map(files).set(at('kubernetes/apps/default/radarr/app/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n'), 'a file added');
  const removed = new Map(files);
  removed.delete(at('kubernetes/apps/default/radarr/app/externalsecret.yaml'));
  compare(files, removed, 'a file removed');
});

test("a generator's input read as bytes: an edit of it, saved or not, is built again with the new text", () => {
  const files = readFleet(join(import.meta.dirname, '..', '..', 'examples', 'fleet'));
  const input = `${ROOT}/infrastructure/configs/team-quotas-values.yaml`;
  const ws = open(files);
  const generated = () => {
    for (const k of sideModel(ws).kustomizations.values())
      for (const r of k.build.resources) {
        const o = r.object as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> };
        if (o.kind === 'ConfigMap' && o.metadata?.name === 'team-quotas-values') return o.data?.['values.yaml'];
      }
    return undefined;
  };
  assert.match(generated() ?? '', /cpu: "8"/);
  // An unsaved edit: the workspace holds the new text, the disk (the host) still the old one.
  ws.index.setFileText(input, files.get(input)!.replace('cpu: "8"', 'cpu: "12"'));
  assert.match(generated() ?? '', /cpu: "12"/);
  // Saved and back to the old text.
  ws.index.setFileText(input, files.get(input)!);
  assert.match(generated() ?? '', /cpu: "8"/);
});
