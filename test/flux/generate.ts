/**
 * Seeded generators for the oracle tests in test/flux: HelmReleases whose
 * values come from every kind of layer Flux knows (valuesFrom ConfigMaps and
 * Secrets, custom valuesKey, targetPath with nested keys, list indexes and
 * escaped dots, quoted and literal values, optional references to missing
 * objects and keys, inline values with nulls), over a chart with defaults, a
 * subchart switched by a condition, and globals; and Flux Kustomizations
 * (see ./generate-kustomizations.ts). Same seed, same cases.
 */
import { stringify } from 'yaml';
import type { ChartSpec } from '../support/chart-repo.ts';

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

const parentTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-values
data:
  values.json: {{ toJson .Values | quote }}
  replicas: {{ .Values.replicaCount | quote }}
`;

const subTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-sub
data:
  global.json: {{ toJson .Values.global | quote }}
  mode: {{ .Values.config.mode | default "none" | quote }}
`;

/** The chart every generated release installs: defaults, a list, a dotted key, globals, a conditional subchart. */
export function layeredChart(version = '1.0.0'): ChartSpec {
  return {
    name: 'layered',
    version,
    values: {
      replicaCount: 1,
      image: { repository: 'nginx', tag: '1.25', pullPolicy: 'IfNotPresent' },
      service: { type: 'ClusterIP', port: 80, annotations: { 'team.example.com/owner': 'platform' } },
      list: ['a', 'b'],
      items: [{ name: 'one', size: 1 }],
      'dotted.key': 'original',
      resources: { limits: { cpu: '100m', memory: '64Mi' } },
      feature: { enabled: false, name: 'feat' },
      global: { env: 'dev', region: 'eu' },
      sub: { enabled: true },
    },
    templates: { 'values.yaml': parentTemplate },
    chartYaml: { dependencies: [{ name: 'sub', version: '0.1.0', condition: 'sub.enabled' }] },
    files: {
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/values.yaml': stringify({ replicas: 2, config: { mode: 'a', level: 3 }, global: { env: 'sub-default', subOnly: true } }),
      'charts/sub/templates/configmap.yaml': subTemplate,
    },
  };
}

interface ValuesRef {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
  literal?: boolean;
}

export interface GeneratedRelease {
  name: string;
  /** YAML documents: the HelmRelease and the ConfigMaps/Secrets it reads. */
  files: Record<string, string>;
  /** What the case exercises, for failure messages. */
  features: string[];
}

const wholeOverrides: Record<string, unknown>[] = [
  { replicaCount: 3, image: { tag: '1.26' } },
  { service: { port: 8080, annotations: { extra: 'yes' } } },
  { list: ['x'] },
  { global: { region: 'us', tier: 'gold' } },
  { sub: { config: { mode: 'b' }, global: { env: 'from-values' } } },
  { resources: { limits: { cpu: null } } },
  { feature: { enabled: true } },
  { items: [{ name: 'two' }, { name: 'three', size: 3 }] },
  { 'dotted.key': 'whole-file' },
  { newKey: 'scalar-replaces-nothing' },
  { newKey: { nested: [1, 2, { deep: true }] } },
  { sub: { enabled: false } },
];

const targetPaths: [string, string, string][] = [
  // [targetPath, raw text, feature]
  ['image.tag', '1.2.3', 'targetPath string'],
  ['replicaCount', '5', 'targetPath int'],
  ['feature.enabled', 'TRUE', 'targetPath bool'],
  ['service.annotations.example\\.com/owner', 'team-a', 'targetPath escaped dot'],
  ['dotted\\.key', 'replaced', 'targetPath escaped dot top'],
  ['list[1]', 'z', 'targetPath list index'],
  ['items[0].name', 'first', 'targetPath list of maps'],
  ['image.tag', '"007"', 'targetPath quoted'],
  ['global.region', 'ap', 'targetPath global'],
  ['sub.config.mode', 'c', 'targetPath subchart'],
  ['resources.limits.memory', 'null', 'targetPath null'],
  ['newPath.a.b', '0123', 'targetPath leading zero'],
];

export function generateReleases(ns: string, count: number, seed = 15): GeneratedRelease[] {
  const r = rng(seed);
  const out: GeneratedRelease[] = [];
  for (let i = 0; i < count; i++) {
    const name = `r${String(i).padStart(2, '0')}`;
    const files: Record<string, string> = {};
    const features: string[] = [];
    const refs: ValuesRef[] = [];
    const entries = r.int(5);
    for (let e = 0; e < entries; e++) {
      const kind = r.chance(0.6) ? 'ConfigMap' : 'Secret';
      const objName = `${name}-${kind === 'ConfigMap' ? 'cm' : 'sec'}${e}`;
      const key = r.chance(0.5) ? 'values.yaml' : `layer-${e}.yaml`;
      const ref: ValuesRef = { kind, name: objName };
      if (key !== 'values.yaml') ref.valuesKey = key;
      let text: string;
      const mode = r.int(10);
      if (mode < 4) {
        text = stringify(r.pick(wholeOverrides));
        features.push(`${kind} whole${ref.valuesKey ? ' valuesKey' : ''}`);
      } else if (mode < 8) {
        const [path, raw, feature] = r.pick(targetPaths);
        ref.targetPath = path;
        text = raw;
        if (r.chance(0.15)) {
          ref.literal = true;
          features.push(`${feature} literal`);
        } else features.push(feature);
      } else if (mode === 8) {
        ref.optional = true;
        ref.name = `${objName}-missing`;
        features.push('optional missing object');
        refs.push(ref);
        continue;
      } else {
        ref.optional = true;
        ref.valuesKey = 'absent.yaml';
        text = stringify({ replicaCount: 99 });
        features.push('optional missing key');
      }
      refs.push(ref);
      const dataKey = ref.valuesKey === 'absent.yaml' ? 'present.yaml' : key;
      const obj = kind === 'ConfigMap'
        ? { apiVersion: 'v1', kind, metadata: { name: objName, namespace: ns }, data: { [dataKey]: text } }
        : { apiVersion: 'v1', kind, metadata: { name: objName, namespace: ns }, stringData: { [dataKey]: text } };
      files[`${name}/${objName}.yaml`] = stringify(obj);
    }
    const inline: Record<string, unknown> = {};
    const inlineCount = r.int(3);
    for (let k = 0; k < inlineCount; k++) Object.assign(inline, r.pick([
      { replicaCount: 2 + r.int(5) },
      { image: { pullPolicy: 'Always' } },
      { service: null },
      { global: { region: 'inline' } },
      { sub: { config: { level: null, mode: 'inline' } } },
      { list: [] },
      { items: [{ name: 'inline' }] },
      { feature: { enabled: true, name: null } },
      { 'dotted.key': 'inline' },
    ]));
    if (inlineCount) features.push('inline values');
    const hr = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name, namespace: ns },
      spec: {
        interval: '1h',
        install: { remediation: { retries: 0 } },
        chart: { spec: { chart: 'layered', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        ...(refs.length ? { valuesFrom: refs } : {}),
        ...(inlineCount ? { values: inline } : {}),
      },
    };
    files[`${name}/release.yaml`] = stringify(hr);
    out.push({ name, files, features: features.length ? features : ['chart defaults only'] });
  }
  return out;
}
