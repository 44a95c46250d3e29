// Algorithm test of engine/kustomize (namespace, labels, images, replicas, replacements transformers): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * namespace, namePrefix/nameSuffix, labels/commonLabels, commonAnnotations
 * and name back-references (in-memory host).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryHost } from '../support/memory-host.ts';
import { buildKustomization } from '../../engine/kustomize/index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const build = (files: Record<string, string>) => {
  const b = buildKustomization(memoryHost(files), '/ws');
  assert.deepEqual(b.diagnostics.filter((d) => d.severity === 'error'), []);
  const by = (kind: string) => b.resources.filter((r) => r.object.kind === kind).map((r) => r.object as Any);
  return { b, by };
};

test('namespace: namespaced kinds only, Namespace renamed, default subjects of bindings', () => {
  const { by } = build({
    '/ws/kustomization.yaml': 'namespace: team\nresources: [r.yaml]\n',
    '/ws/r.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: placeholder}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects:
  - {kind: ServiceAccount, name: default, namespace: kube-system}
  - {kind: ServiceAccount, name: other, namespace: kube-system}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hr, namespace: flux-system}
`,
  });
  assert.equal(by('Namespace')[0].metadata.name, 'team');
  assert.equal(by('ClusterRole')[0].metadata.namespace, undefined);
  assert.equal(by('CustomResourceDefinition')[0].metadata.namespace, undefined);
  assert.deepEqual(by('ClusterRoleBinding')[0].subjects.map((s: Any) => s.namespace), ['team', 'kube-system']);
  assert.equal(by('HelmRelease')[0].metadata.namespace, 'team');
});

test('prefix and suffix skip Namespace and CRDs; references follow renames but Flux fields do not', () => {
  const { by, b } = build({
    '/ws/kustomization.yaml': 'namePrefix: p-\nnameSuffix: -s\nresources: [r.yaml]\nconfigMapGenerator:\n  - name: values\n    literals: [a=1]\n',
    '/ws/r.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: ns}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          envFrom: [{configMapRef: {name: values}}]
      volumes:
        - name: v
          configMap: {name: values}
        - name: untouched
          configMap: {name: not-in-build}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app}
spec:
  valuesFrom:
    - kind: ConfigMap
      name: values
`,
  });
  const cmName = b.resources.find((r) => r.object.kind === 'ConfigMap')!.object.metadata as Any;
  assert.match(cmName.name, /^p-values-s-[a-z0-9]{10}$/);
  assert.equal(by('Namespace')[0].metadata.name, 'ns');
  const d = by('Deployment')[0];
  assert.equal(d.metadata.name, 'p-web-s');
  assert.equal(d.spec.template.spec.containers[0].envFrom[0].configMapRef.name, cmName.name);
  assert.equal(d.spec.template.spec.volumes[0].configMap.name, cmName.name);
  assert.equal(d.spec.template.spec.volumes[1].configMap.name, 'not-in-build');
  const hr = by('HelmRelease')[0];
  assert.equal(hr.metadata.name, 'p-app-s');
  assert.equal(hr.spec.valuesFrom[0].name, 'values', 'kustomize does not know HelmRelease valuesFrom');
});

test('commonLabels reach selectors and templates of built-in workloads; labels entries choose', () => {
  const { by } = build({
    '/ws/kustomization.yaml': `resources: [r.yaml]
commonLabels: {app: shop}
labels:
  - pairs: {team: a}
  - pairs: {sel: "yes"}
    includeSelectors: true
  - pairs: {tpl: "yes"}
    includeTemplates: true
commonAnnotations: {owner: me}
`,
    '/ws/r.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: c}]
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports: [{port: 80}]
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hr}
spec:
  values: {}
`,
  });
  const d = by('Deployment')[0];
  assert.deepEqual(d.metadata.labels, { team: 'a', sel: 'yes', tpl: 'yes', app: 'shop' });
  assert.deepEqual(d.spec.selector.matchLabels, { sel: 'yes', app: 'shop' });
  assert.deepEqual(d.spec.template.metadata.labels, { sel: 'yes', tpl: 'yes', app: 'shop' });
  assert.deepEqual(d.spec.template.metadata.annotations, { owner: 'me' });
  assert.deepEqual(by('Service')[0].spec.selector, { sel: 'yes', app: 'shop' });
  const hr = by('HelmRelease')[0];
  assert.deepEqual(hr.metadata.labels, { team: 'a', sel: 'yes', tpl: 'yes', app: 'shop' });
  assert.deepEqual(hr.metadata.annotations, { owner: 'me' });
  assert.deepEqual(hr.spec.values, {});
});

test('ServiceAccount subjects of bindings follow prefix and namespace', () => {
  const { by } = build({
    '/ws/kustomization.yaml': 'namespace: ns\nnamePrefix: p-\nresources: [r.yaml]\n',
    '/ws/r.yaml': `apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: role}
subjects:
  - {kind: ServiceAccount, name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: role}
`,
  });
  const rb = by('RoleBinding')[0];
  assert.deepEqual(rb.subjects, [{ kind: 'ServiceAccount', name: 'p-sa', namespace: 'ns' }]);
  assert.equal(rb.roleRef.name, 'p-role');
});
