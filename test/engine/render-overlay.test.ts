/**
 * Rendering a base HelmRelease as an overlay builds it: the production
 * overlay of test/fixtures/flux-build/fleet patches replicaCount and turns
 * the ingress on, so its render (real podinfo chart from ../shared/charts,
 * real helm through support/native-helm-host.ts) differs from the base's,
 * and the namespace comes from the overlay's build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Workspace } from '../../engine/workspace/model.ts';
import { loadChartFromFiles } from '../../engine/charts/chart.ts';
import { renderRelease, type ReleaseCharts } from '../../engine/render/render-release.ts';
import type { ResolvedChart } from '../../engine/resolve/release-chart.ts';
import { loadFixture, readTree } from '../support/disk-fixture.ts';
import { nativeHelmHost } from '../support/native-helm-host.ts';

const host = loadFixture(join(import.meta.dirname, '..', 'fixtures', 'flux-build', 'fleet'));
const ws = new Workspace(host, { roots: ['/ws'] });
const podinfo = loadChartFromFiles(readTree(new URL('../../../shared/charts/podinfo', import.meta.url).pathname));
assert.ok(podinfo.ok);
const charts: ReleaseCharts = {
  resolveRelease: async (hr) => ({ release: `${hr.namespace}/${hr.name}`, sourceLabel: 'test', chart: 'podinfo', constraint: '6.x' }) as ResolvedChart,
  loadChart: async () => ({ ok: true, chart: podinfo.chart, fromCache: false }),
};

test('a base HelmRelease renders as written and as each overlay builds it', async () => {
  const hr = [...ws.index.allObjects()].find((o) => o.kind === 'HelmRelease' && o.file === '/ws/apps/base/podinfo/helmrelease.yaml');
  assert.ok(hr);
  const helm = nativeHelmHost();
  const base = await renderRelease(ws, charts, hr, { render: helm });
  assert.ok(base.ok, base.error);
  assert.deepEqual(base.overlays, ['apps/production', 'apps/staging']);
  const replicas = (r: typeof base) => (r.objects.find((o) => o.kind === 'Deployment')?.object.spec as { replicas: number }).replicas;
  assert.equal(replicas(base), 1);
  assert.equal(base.objects.some((o) => o.kind === 'Ingress'), false);

  const production = await renderRelease(ws, charts, hr, { render: helm, overlay: 'apps/production' });
  assert.ok(production.ok, production.error);
  assert.equal(production.overlay, 'apps/production');
  assert.equal(replicas(production), 5);
  assert.equal(production.objects.some((o) => o.kind === 'Ingress'), true, 'the overlay turns the ingress on');

  const missing = await renderRelease(ws, charts, hr, { render: helm, overlay: 'apps/nowhere' });
  assert.equal(missing.ok, false);
  assert.equal(missing.usage, true);
  assert.match(missing.error ?? '', /apps\/production, apps\/staging/);
});
