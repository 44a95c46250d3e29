/**
 * Seeded Flux Kustomizations for the build oracle (test/flux/build-oracle):
 * each case is a folder of the Git repository (apps/kNN: plain objects, a
 * kustomization.yaml or none, generators, a Deployment for `images`, an
 * object with the substitute-disabled label) and a Flux Kustomization in
 * clusters/ with a random mix of targetNamespace, namePrefix/nameSuffix,
 * patches (strategic merge and JSON 6902 with targets), images,
 * commonMetadata and postBuild (inline `substitute`, `substituteFrom`
 * ConfigMaps and Secrets, optional ones that do not exist, `${var:=default}`
 * and `${var:-default}` defaults). Same seed, same cases.
 */
import { stringify } from 'yaml';
import { rng } from './generate.ts';

export interface GeneratedKustomization {
  name: string;
  /** Files of the Git repository (and of the workspace), path → content. */
  files: Record<string, string>;
  features: string[];
}

const doc = (o: unknown) => stringify(o);

/** The ConfigMap and Secret every case may read variables from (clusters/vars.yaml). */
export function variableSources(ns: string): string {
  return [
    doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-vars', namespace: ns }, data: { env: 'staging', region: 'eu-central', replicas: '3' } }),
    doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cluster-secret-vars', namespace: ns }, stringData: { token: 's3cr3t', env: 'from-secret' } }),
  ].join('---\n');
}

export function generateKustomizations(ns: string, targetNs: string, count: number, seed = 42): GeneratedKustomization[] {
  const r = rng(seed);
  const out: GeneratedKustomization[] = [];
  for (let i = 0; i < count; i++) {
    const name = `k${String(i).padStart(2, '0')}`;
    const base = `apps/${name}`;
    const files: Record<string, string> = {};
    const features: string[] = [];
    const resources: string[] = [];

    files[`${base}/settings.yaml`] = doc({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `${name}-settings`, namespace: ns, labels: { app: name } },
      data: {
        env: '${env}',
        region: '${region:=us-east}',
        fallback: '${undefined_var:=fallback-value}',
        dashed: '${also_undefined:-dash-default}',
        mixed: 'prefix-${env}-${region:=x}-suffix',
        token: '${token:=none}',
        plain: 'no variables here',
      },
    });
    resources.push('settings.yaml');
    files[`${base}/literal.yaml`] = doc({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `${name}-literal`, namespace: ns, labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
      data: { kept: '${env} stays as written' },
    });
    resources.push('literal.yaml');
    const withDeployment = r.chance(0.5);
    if (withDeployment) {
      files[`${base}/deployment.yaml`] = doc({
        apiVersion: 'apps/v1', kind: 'Deployment',
        metadata: { name: `${name}-web`, namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: `${name}-web` } },
          template: {
            metadata: { labels: { app: `${name}-web` } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'ENV', value: '${env}' }] }, { name: 'side', image: 'busybox:1.36' }] },
          },
        },
      });
      resources.push('deployment.yaml');
    }
    files[`${base}/account.yaml`] = doc({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `${name}-sa`, namespace: ns, annotations: { purpose: 'oracle' } } });
    resources.push('account.yaml');

    const implied = r.chance(0.25);
    if (implied) {
      features.push('implied kustomization');
    } else {
      const kust: Record<string, unknown> = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
      // Generated objects get their namespace from here (kustomize-controller needs one).
      kust.namespace = ns;
      if (r.chance(0.5)) {
        kust.configMapGenerator = [{ name: `${name}-generated`, literals: ['color=${color:=blue}', 'size=L'] }];
        features.push('configMapGenerator');
      }
      if (r.chance(0.3)) {
        kust.secretGenerator = [{ name: `${name}-creds`, literals: ['user=admin', 'pass=${token:=unset}'] }];
        features.push('secretGenerator');
      }
      if (r.chance(0.3)) {
        kust.commonLabels = { tier: 'backend' };
        features.push('kustomize commonLabels');
      }
      files[`${base}/kustomization.yaml`] = doc(kust);
    }

    const spec: Record<string, unknown> = {
      interval: '1h',
      path: `./${base}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    };
    if (r.chance(0.35)) {
      spec.targetNamespace = targetNs;
      features.push('targetNamespace');
    }
    if (r.chance(0.25)) {
      spec.namePrefix = 'pre-';
      features.push('namePrefix');
    }
    if (r.chance(0.2)) {
      spec.nameSuffix = '-suf';
      features.push('nameSuffix');
    }
    const patches: unknown[] = [];
    if (r.chance(0.5)) {
      patches.push({ patch: doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-settings` }, data: { patched: 'by-strategic-merge', env: '${env}-patched' } }), target: { kind: 'ConfigMap', name: `${name}-settings` } });
      features.push('strategic merge patch');
    }
    if (r.chance(0.4)) {
      patches.push({
        patch: doc([{ op: 'add', path: '/metadata/annotations', value: { 'patched-by': 'json6902' } }, { op: 'replace', path: '/data/plain', value: 'replaced' }]),
        target: { kind: 'ConfigMap', labelSelector: `app=${name}` },
      });
      features.push('json6902 patch with target');
    }
    if (withDeployment && r.chance(0.4)) {
      patches.push({ patch: doc({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-web` }, spec: { replicas: '${replicas:=1}' } }), target: { kind: 'Deployment' } });
      features.push('patch with substituted int');
    }
    if (patches.length) spec.patches = patches;
    if (withDeployment && r.chance(0.7)) {
      spec.images = [{ name: 'nginx', newTag: '1.27' }, ...(r.chance(0.5) ? [{ name: 'busybox', newName: 'registry.example.com/busybox', digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }] : [])];
      features.push('images');
    }
    if (r.chance(0.3)) {
      spec.commonMetadata = { labels: { team: 'oracle' }, annotations: { 'owner.example.com/name': 'fluxhelm' } };
      features.push('commonMetadata');
    }
    const postBuild: Record<string, unknown> = {};
    const mode = r.int(4);
    if (mode === 1 || mode === 3) {
      postBuild.substitute = { env: 'production', region: 'ap-south' };
      features.push('substitute');
    }
    if (mode >= 2) {
      postBuild.substituteFrom = [
        { kind: 'ConfigMap', name: 'cluster-vars' },
        ...(r.chance(0.5) ? [{ kind: 'Secret', name: 'cluster-secret-vars' }] : []),
        ...(r.chance(0.5) ? [{ kind: 'ConfigMap', name: 'does-not-exist', optional: true }] : []),
      ];
      features.push('substituteFrom');
    }
    if (mode === 0) features.push('no postBuild (defaults only)');
    if (Object.keys(postBuild).length) spec.postBuild = postBuild;
    files[`clusters/${name}.yaml`] = doc({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: ns }, spec });
    out.push({ name, files, features });
  }
  return out;
}
