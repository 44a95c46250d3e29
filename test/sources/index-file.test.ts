/**
 * The 53 MB generated index (300 charts x 200 versions, Helm's layout) in a
 * real file, read through the Node host the way `fluxhelm resolve --offline`
 * reads Helm's repository cache: the first read (which caches the file's
 * layout) and a later read (which reads one chart's bytes by range) give the
 * full reader's answer for charts at the start, middle and end, a missing
 * name and the set of names; after `helm repo update` rewrites the file, the
 * new content is read, not the old layout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetHost } from '../../server/net-host.ts';
import { parseIndex } from '../../engine/sources/index-scan.ts';
import { readIndexFile } from '../../engine/sources/index-file.ts';
import { generateIndex } from './gen-index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-index-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('53 MB index file: first read and reads through the cached layout give the full reader\'s answers', async () => {
  const text = generateIndex({ charts: 300, versions: 200 });
  const path = join(dir, 'bench-index.yaml');
  writeFileSync(path, text);
  const host = createNetHost({ cacheDir: join(dir, 'cache'), env: () => undefined });
  const full = parseIndex(text);
  assert.ok(full.ok);
  const names = [...full.index.charts.keys()];
  assert.equal(names.length, 300);
  const probes = [names[0]!, names[123]!, names[299]!, 'no-such-chart'];
  for (const round of ['first read', 'cached layout']) {
    for (const name of probes) {
      const read = await readIndexFile(host, path);
      assert.ok(read?.ok, round);
      assert.equal(read.index.apiVersion, full.index.apiVersion);
      assert.deepEqual(read.index.charts.get(name), full.index.charts.get(name), `${round}: ${name}`);
    }
    assert.ok(readdirSync(join(dir, 'cache')).some((f) => f.endsWith('.body')), 'a layout is cached');
  }
  const read = await readIndexFile(host, path);
  assert.ok(read?.ok);
  assert.deepEqual([...read.index.charts.keys()], names);

  // `helm repo update`: a new file with other versions of the same charts.
  const updated = text.replaceAll('version: 1.4.9\n', 'version: 1.4.10\n');
  assert.notEqual(updated, text);
  writeFileSync(path, updated);
  const fresh = parseIndex(updated);
  assert.ok(fresh.ok);
  for (const name of probes) {
    const again = await readIndexFile(host, path);
    assert.ok(again?.ok);
    assert.deepEqual(again.index.charts.get(name), fresh.index.charts.get(name), `after the update: ${name}`);
  }
});
