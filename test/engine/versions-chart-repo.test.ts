// Algorithm test of engine/sources/index-scan.ts against the loopback chart repository of test/support: imports the module directly (behaviour tests go through engine/index.ts).
// The loopback chart repository other tests build on (test/support/chart-repo.ts):
// archives are real tar+gzip, the index lists what was added, and helm can use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startChartRepo } from '../support/chart-repo.ts';
import { helmBinary, isolatedHelmEnv } from '../support/tools.ts';
import { parseIndex } from '../../engine/sources/index-scan.ts';

const run = promisify(execFile);

test('serves an index and archives that tar and helm can read', async () => {
  const repo = await startChartRepo({ charts: [{ name: 'demo', version: '1.0.0', appVersion: '2.3', values: { replicas: 2, flag: 'on' } }] });
  const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-repo-'));
  try {
    assert.match(repo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    repo.addChart({ name: 'demo', version: '1.1.0-rc.1', created: '2025-02-03T04:05:06Z', templates: { 'a.yaml': 'kind: A\n' }, files: { 'README.md': '# demo\n' } });
    const index = parse(await (await fetch(`${repo.url}/index.yaml`)).text());
    assert.equal(index.apiVersion, 'v1');
    assert.deepEqual(index.entries.demo.map((e: { version: string }) => e.version), ['1.0.0', '1.1.0-rc.1']);
    assert.equal(index.entries.demo[1].created, '2025-02-03T04:05:06Z');
    const parsed = parseIndex(repo.indexYaml());
    assert.ok(parsed.ok);
    assert.equal(parsed.index.charts.get('demo')![0].appVersion, '2.3');

    const res = await fetch(`${repo.url}/${index.entries.demo[1].urls[0]}`);
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), index.entries.demo[1].digest);
    writeFileSync(join(dir, 'demo.tgz'), bytes);
    const { stdout: listing } = await run('tar', ['-tzf', join(dir, 'demo.tgz')]);
    assert.deepEqual(listing.trim().split('\n').sort(), ['demo/Chart.yaml', 'demo/README.md', 'demo/templates/a.yaml', 'demo/values.yaml']);

    // helm reads the values back with YAML 1.1 rules: `on` must stay a string.
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const { stdout } = await run(helmBinary(), ['show', 'values', 'demo', '--repo', repo.url, '--version', '1.0.0'], { env: isolatedHelmEnv(join(dir, 'home')), cwd });
    assert.deepEqual(parse(stdout, { version: '1.1' }), { replicas: 2, flag: 'on' });
    assert.ok(repo.requests.includes('/index.yaml'));
    assert.ok(repo.requests.includes('/charts/demo-1.0.0.tgz'));

    assert.equal((await fetch(`${repo.url}/charts/missing-1.0.0.tgz`)).status, 404);
    repo.removeChart('demo', '1.0.0');
    assert.deepEqual(parse(repo.indexYaml()).entries.demo.map((e: { version: string }) => e.version), ['1.1.0-rc.1']);
    assert.equal((await fetch(`${repo.url}/charts/demo-1.0.0.tgz`)).status, 404);
    repo.setRawIndex('apiVersion: v1\nentries: {}\n');
    assert.equal(await (await fetch(`${repo.url}/index.yaml`)).text(), 'apiVersion: v1\nentries: {}\n');
    repo.setRawIndex(undefined);
    assert.match(await (await fetch(`${repo.url}/index.yaml`)).text(), /1\.1\.0-rc\.1/);
  } finally {
    await repo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
