/**
 * `.Capabilities` from a real control plane's discovery (kube-apiserver
 * 1.34.4 with the Flux CRDs): the server version and the served
 * group/versions and group/version/Kinds, so a chart's
 * `.Capabilities.APIVersions.Has "helm.toolkit.fluxcd.io/v2/HelmRelease"`
 * renders as it would in that cluster; and the committed schemas/k8s are
 * what scripts/gen-k8s-schemas.ts makes from it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { createKubeTransport, loadKubeConfig } from '../../server/cluster-host.ts';
import { discoverCapabilities } from '../../engine/render/capabilities.ts';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp?.stop();
});

test("discovery gives the cluster's version and the kinds it serves, CRDs included", async () => {
  const kc = loadKubeConfig({ kubeconfig: cp.kubeconfig });
  assert.ok(kc.ok);
  const caps = await discoverCapabilities(createKubeTransport(kc.value));
  assert.equal(caps.kubeVersion, 'v1.34.4');
  const has = new Set(caps.apiVersions);
  for (const v of ['v1', 'v1/ConfigMap', 'apps/v1', 'apps/v1/Deployment', 'helm.toolkit.fluxcd.io/v2/HelmRelease', 'source.toolkit.fluxcd.io/v1/HelmRepository']) assert.ok(has.has(v), v);
  assert.equal(has.has('monitoring.coreos.com/v1/ServiceMonitor'), false, 'nothing the cluster does not serve');
});

test('the committed built-in schemas (schemas/k8s) are what the generator makes from this control plane', async () => {
  const { k8sSchemasText, K8S_SCHEMAS_FILE } = await import('../../scripts/gen-k8s-schemas.ts');
  const { readFileSync } = await import('node:fs');
  assert.ok(k8sSchemasText(cp) === readFileSync(K8S_SCHEMAS_FILE, 'utf8'), 'schemas/k8s/definitions.json is stale: run npm run schemas:k8s');
});
