/**
 * The editor's two-sided view of a rendered diff (engine/diff/sides.ts,
 * through the façade's exports): objects sorted by owner, kind, namespace
 * and name on both sides with the same headers so the diff editor lines them
 * up, an object that only one side has marked as such on the other, Secret
 * values never shown, and the summary per owner with a total.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSides, type ObjectDiff, type OwnerDiff, type RenderedDiff } from '../../engine/index.ts';
import { diffOwners } from '../../engine/diff/compare.ts';

const obj = (kind: string, name: string, status: ObjectDiff['status'], before?: string, after?: string, secret = false): ObjectDiff => ({
  key: { apiVersion: 'v1', kind, namespace: 'apps', name },
  id: `/${kind}/apps/${name}`,
  status,
  fields: [],
  ...(secret ? { secret } : {}),
  ...(before !== undefined ? { before } : {}),
  ...(after !== undefined ? { after } : {}),
});

function owner(id: string, objects: ObjectDiff[], kind: OwnerDiff['kind'] = 'HelmRelease'): OwnerDiff {
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const o of objects) counts[o.status]++;
  return { kind, id, status: objects.length ? 'changed' : 'unchanged', objects, counts };
}

const diff = (owners: OwnerDiff[]): RenderedDiff => ({
  baseLabel: 'HEAD (abc1234)',
  headLabel: 'working tree',
  owners,
  totals: { owners: owners.length, changedOwners: 0, added: 0, removed: 0, changed: 0, errors: 0 },
});

test('both sides list the changed objects in the same order under the same headers', () => {
  const d = diff([
    owner('apps/web', [
      obj('Service', 'web', 'changed', 'kind: Service\nport: 80\n', 'kind: Service\nport: 8080\n'),
      obj('ConfigMap', 'web', 'added', undefined, 'kind: ConfigMap\n'),
    ]),
    owner('apps/api', [obj('Deployment', 'api', 'removed', 'kind: Deployment\n')]),
    owner('apps/idle', []),
  ]);
  const s = diffSides(d);
  const headers = (t: string) => t.split('\n').filter((l) => l.startsWith('# ') && l.includes(' · '));
  assert.deepEqual(headers(s.base), [
    '# HelmRelease apps/api · Deployment apps/api (removed)',
    '# HelmRelease apps/web · ConfigMap apps/web (added)',
    '# HelmRelease apps/web · Service apps/web (changed)',
  ]);
  assert.deepEqual(headers(s.head), headers(s.base));
  assert.match(s.base, /ConfigMap apps\/web \(added\)\n# \(not on this side\)\n/);
  assert.match(s.head, /Deployment apps\/api \(removed\)\n# \(not on this side\)\n/);
  assert.match(s.base, /port: 80\n/);
  assert.match(s.head, /port: 8080\n/);
  assert.equal(s.objects, 3);
  assert.deepEqual(s.summary, [
    'HelmRelease apps/api: 1 object (1 removed)',
    'HelmRelease apps/web: 2 objects (1 added, 1 changed)',
    '3 objects (1 added, 1 removed, 1 changed) differ in 2 of 3 release/kustomizations',
  ]);
  assert.equal(s.title, 'rendered: HEAD (abc1234) ↔ working tree');
});

test('one owner names the title; no differences say so on both sides', () => {
  const one = diffSides(diff([owner('podinfo/podinfo', [obj('Deployment', 'podinfo', 'changed', 'a: 1\n', 'a: 2\n')])]));
  assert.equal(one.title, 'podinfo: HEAD (abc1234) ↔ working tree');
  const none = diffSides(diff([owner('podinfo/podinfo', [])]), { name: 'podinfo' });
  assert.equal(none.objects, 0);
  assert.equal(none.base, none.head);
  assert.match(none.base, /no rendered differences between HEAD \(abc1234\) and working tree/);
  assert.deepEqual(none.summary, ['no rendered differences in 1 release/kustomization']);
});

test('Secret values are masked on both sides, even when the diff carries them', () => {
  const secret = obj(
    'Secret',
    'db',
    'changed',
    'apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMg==\nstringData:\n  user: admin\n',
    'apiVersion: v1\nkind: Secret\ndata:\n  password: c2VjcmV0\nstringData:\n  user: root\n',
    true,
  );
  const s = diffSides(diff([owner('apps/db', [secret])]));
  for (const side of [s.base, s.head]) {
    assert.doesNotMatch(side, /aHVudGVyMg==|c2VjcmV0|admin|root/);
    assert.match(side, /password: "\*\*\*"/);
    assert.match(side, /user: "\*\*\*"/);
  }
  assert.match(s.base, /Secret apps\/db \(changed, Secret\)/);
  const revealed = diffSides(diff([owner('apps/db', [secret])]), { reveal: true });
  assert.match(revealed.head, /c2VjcmV0/);
});

test('an owner that did not render says why on its side and in the summary', () => {
  const broken: OwnerDiff = { ...owner('apps/web', []), status: 'error', errors: { head: 'template: required value missing' } };
  const s = diffSides(diff([broken]));
  assert.match(s.head, /# HelmRelease apps\/web: not rendered: template: required value missing/);
  assert.doesNotMatch(s.base, /not rendered/);
  assert.match(s.summary[0]!, /^HelmRelease apps\/web: 0 objects; not rendered in working tree: template: required value missing$/);
  assert.equal(s.summary[1], 'no rendered differences in 1 release/kustomization; 1 not rendered');
});

test('a Secret value that changed stays marked as changed in the editor view, without its value', () => {
  const secret = (password: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'apps' },
    data: { password, user: 'YWRtaW4=' },
  });
  const d = diffOwners(
    [{ kind: 'HelmRelease', id: 'apps/db', objects: [secret('aHVudGVyMg==')] }],
    [{ kind: 'HelmRelease', id: 'apps/db', objects: [secret('c2VjcmV0')] }],
  );
  const s = diffSides(d);
  assert.doesNotMatch(s.base + s.head, /aHVudGVyMg==|c2VjcmV0|YWRtaW4=/);
  assert.match(s.head, /password: "?\*\*\* \(changed\)"?/);
  assert.match(s.head, /user: "?\*\*\*"?\n/);
  assert.doesNotMatch(s.base, /\(changed\)"?\n/);
});
