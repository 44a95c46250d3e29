// Algorithm test of engine/values/schema-check.ts (values.schema.json with remote $refs): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * values.schema.json with remote `$ref`s (issue #5), on the real bjw-s
 * app-template chart from ../shared/charts: its schema is a single `$ref`
 * to a raw.githubusercontent.com URL of its own `common` subchart, whose
 * relative refs name more files next to it. Offline, those URLs are read
 * from the chart (test/sources/remote-schema.test.ts covers fetching).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChartFromFiles } from '../../engine/charts/chart.ts';
import { computeEffectiveValues } from '../../engine/values/effective.ts';
import { checkValuesSchema } from '../../engine/values/schema-check.ts';
import { readTree } from '../support/disk-fixture.ts';

const APP_TEMPLATE = new URL('../../../shared/charts/app-template', import.meta.url).pathname;

function check(chart: Parameters<typeof checkValuesSchema>[0], values: Record<string, unknown>, resolveRemote?: (url: string) => unknown) {
  const r = computeEffectiveValues({ chart, namespace: 'apps', values });
  assert.ok(r.ok);
  return checkValuesSchema(chart, r.charts, resolveRemote ? { resolveRemote } : {});
}

test("app-template's remote schema is read from the chart itself: bad values are found, good ones pass", () => {
  const loaded = loadChartFromFiles(readTree(APP_TEMPLATE));
  assert.ok(loaded.ok, !loaded.ok ? loaded.error : '');
  const chart = loaded.chart;
  assert.deepEqual(check(chart, { controllers: { main: { type: 'statefulset', containers: { app: { image: { repository: 'ghcr.io/x/y', tag: '1.0' } } } } } }), []);
  const bad = check(chart, { controllers: { main: { type: 'bogus' } } });
  assert.equal(bad.length, 1, JSON.stringify(bad));
  assert.equal(bad[0].kind, 'violation');
  assert.deepEqual(bad[0].path, ['controllers', 'main', 'type']);
  assert.match(bad[0].message, /deployment, statefulset, daemonset, cronjob, job/);
});
