/**
 * A Flux fleet in a real Git repository, built in a temporary folder for
 * rendered-diff tests: a cluster root (`clusters/test`, bootstrap-style
 * gotk-sync.yaml), an `infra` Kustomization with the HelmRepository, an
 * `apps` Kustomization built from an overlay (apps/test over apps/base) with a
 * Component, and two HelmReleases (one reads a valuesFrom ConfigMap) whose
 * charts a loopback chart repository serves (test/support/chart-repo.ts).
 * `CHANGES` are the commits made on top of the first one, each a kind of
 * change a reviewer meets: a values edit, a chart version bump, an overlay
 * patch, a valuesFrom ConfigMap edit, a Component edit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChartSpec } from './chart-repo.ts';

const WEB_TEMPLATES = {
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
  labels:
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
      annotations:
        checksum/config: {{ .Values | toJson | sha256sum }}
    spec:
      containers:
        - name: web
          image: "nginx:{{ .Values.tag }}"
          env:
            - name: COLOR
              value: {{ .Values.color | quote }}
`,
  'configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-web-config
  namespace: {{ .Release.Namespace }}
data:
  message: {{ .Values.message | quote }}
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports:
    - name: http
      port: 80
`,
};

const cacheTemplates = (extra: boolean): Record<string, string> => ({
  'statefulset.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
  labels:
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  serviceName: {{ .Release.Name }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: cache
          image: "redis:{{ .Chart.AppVersion }}"
`,
  ...(extra
    ? {
        'pdb.yaml': `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: {{ .Release.Name }}}
`,
      }
    : {}),
});

/** The charts the fleet installs: web 1.0.0; cache 1.0.0 and 1.1.0 (a new app version and a PodDisruptionBudget). */
export const FLEET_CHARTS: ChartSpec[] = [
  { name: 'web', version: '1.0.0', appVersion: '1.0.0', values: { replicas: 1, tag: '1.27', color: 'blue', message: 'default' }, templates: WEB_TEMPLATES },
  { name: 'cache', version: '1.0.0', appVersion: '7.0.0', values: {}, templates: cacheTemplates(false) },
  { name: 'cache', version: '1.1.0', appVersion: '7.2.0', values: {}, templates: cacheTemplates(true) },
];

const hr = (name: string, chart: string, version: string, rest: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: apps
spec:
  interval: 10m
  chart:
    spec:
      chart: ${chart}
      version: "${version}"
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
${rest}`;

const ks = (name: string, path: string, rest = '') => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${rest}`;

/** The files of the first commit. */
export function fleetFiles(repoUrl: string): Record<string, string> {
  return {
    'clusters/test/flux-system/gotk-sync.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: https://git.example.com/fleet.git
---
${ks('flux-system', './clusters/test')}`,
    'clusters/test/flux-system/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n',
    'clusters/test/infra.yaml': ks('infra', './infra'),
    'clusters/test/apps.yaml': ks('apps', './apps/test', '  dependsOn:\n    - name: infra\n  components:\n    - ../../components/team\n'),
    'infra/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - sources.yaml\n',
    'infra/sources.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 1h
  url: ${repoUrl}
`,
    'apps/base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - web-values.yaml\n  - web.yaml\n  - cache.yaml\n',
    'apps/base/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
    'apps/base/web-values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-values\n  namespace: apps\ndata:\n  values.yaml: |\n    message: hello\n',
    'apps/base/web.yaml': hr('web', 'web', '1.0.0', '  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n  values:\n    replicas: 1\n'),
    'apps/base/cache.yaml': hr('cache', 'cache', '1.0.0', ''),
    'apps/test/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\npatches:\n  - path: web-patch.yaml\n',
    'apps/test/web-patch.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  values:\n    color: green\n',
    'components/team/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - team.yaml\n',
    'components/team/team.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team\n  namespace: apps\ndata:\n  owner: platform\n',
  };
}

/** One commit on top of the previous: a description and the files it rewrites (find → replace in each). */
export interface FleetChange {
  name: string;
  edits: { file: string; find: string; replace: string }[];
}

export const CHANGES: FleetChange[] = [
  { name: 'values change', edits: [{ file: 'apps/base/web.yaml', find: 'replicas: 1', replace: 'replicas: 3' }] },
  { name: 'chart version bump', edits: [{ file: 'apps/base/cache.yaml', find: 'version: "1.0.0"', replace: 'version: "1.1.0"' }] },
  { name: 'overlay patch', edits: [{ file: 'apps/test/web-patch.yaml', find: 'color: green', replace: 'color: red' }] },
  { name: 'valuesFrom ConfigMap change', edits: [{ file: 'apps/base/web-values.yaml', find: 'message: hello', replace: 'message: bonjour' }] },
  { name: 'Component change', edits: [{ file: 'components/team/team.yaml', find: 'owner: platform', replace: 'owner: sre\n  channel: "#sre"' }] },
];

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } }).trim();
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** Creates the repository with the first commit and one commit per change; returns the commit ids, oldest first. */
export function buildFleetRepository(root: string, repoUrl: string): string[] {
  mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '-b', 'main']);
  const files = fleetFiles(repoUrl);
  writeFiles(root, files);
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'initial fleet']);
  const commits = [git(root, ['rev-parse', 'HEAD'])];
  for (const change of CHANGES) {
    for (const e of change.edits) {
      if (!files[e.file]!.includes(e.find)) throw new Error(`${change.name}: '${e.find}' not in ${e.file}`);
      files[e.file] = files[e.file]!.replace(e.find, e.replace);
    }
    writeFiles(root, Object.fromEntries(change.edits.map((e) => [e.file, files[e.file]!])));
    git(root, ['commit', '-q', '-am', change.name]);
    commits.push(git(root, ['rev-parse', 'HEAD']));
  }
  return commits;
}
