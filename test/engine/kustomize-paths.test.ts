/**
 * normalizePath (engine/kustomize/paths.ts) returns a path that is already
 * normal as it is, without splitting it: checked against Node's POSIX
 * normalize on every path of up to five segments drawn from names that look
 * like `.` and `..` and are not, plus explicit cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { joinPath, normalizePath } from '../../engine/kustomize/paths.ts';

/**
 * The definition, from an independent implementation: Node's POSIX
 * normalize, without the trailing slash it keeps (kustomize's paths have none).
 */
function reference(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

test('explicit cases', () => {
  const cases: Record<string, string> = { '': '.', '/': '/', '.': '.', './a': 'a', 'a/./b': 'a/b', 'a//b': 'a/b', 'a/b/': 'a/b', '../a': '../a', '/../a': '/a', 'a/../..': '..', '.a/..b/c..': '.a/..b/c..', '/work/fleet/apps': '/work/fleet/apps', 'apps/base/../prod': 'apps/prod' };
  for (const [p, want] of Object.entries(cases)) assert.equal(normalizePath(p), want, JSON.stringify(p));
  assert.equal(joinPath('/repo/apps', '../infra/./x'), '/repo/infra/x');
  for (const [rel, want] of Object.entries({ './x.yaml': '/repo/apps/x.yaml', '././x': '/repo/apps/x', './': '/repo/apps', '.': '/repo/apps', './../x': '/repo/x', './/x': '/repo/apps/x' }))
    assert.equal(joinPath('/repo/apps', rel), want, rel);
});

test('every path of up to five segments agrees with the definition', () => {
  const names = ['', '.', '..', '...', '.a', '..a', 'a.', 'a..', 'x'];
  let checked = 0;
  const walk = (p: string, depth: number) => {
    for (const prefix of ['', '/']) for (const suffix of ['', '/']) {
      const path = prefix + p + suffix;
      assert.equal(normalizePath(path), reference(path), JSON.stringify(path));
      checked++;
    }
    if (depth === 5) return;
    for (const n of names) walk(p ? `${p}/${n}` : n, depth + 1);
  };
  walk('', 0);
  assert.ok(checked > 200_000, `${checked} paths`);
});
