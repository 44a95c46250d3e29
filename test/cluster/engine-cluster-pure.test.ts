/**
 * The pure parts of engine/cluster, without a cluster: decoding Status
 * errors and apply conflicts, structural diffs, RFC 3339 timestamps, the
 * reconcile annotations and reading reconcile progress from a status.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFromResponse, parseConflict } from '../../engine/cluster/status.ts';
import { comparable, diffValues } from '../../engine/cluster/diff.ts';
import { reconcileAnnotations, reconcileProgress, rfc3339Nano } from '../../engine/cluster/reconcile.ts';
import { applyBody } from '../../engine/cluster/apply.ts';
import type { KubeObject } from '../../engine/cluster/types.ts';

describe('status decoding', () => {
  test('apply conflicts with Apply and Update managers', () => {
    assert.deepEqual(parseConflict({ message: 'conflict with "helm-controller": .spec.values.a', field: '.spec.values.a' }), {
      manager: 'helm-controller', field: '.spec.values.a', message: 'conflict with "helm-controller": .spec.values.a',
    });
    const upd = parseConflict({ message: 'conflict with "kubectl-edit" using apps/v1: .spec.replicas' });
    assert.equal(upd.manager, 'kubectl-edit');
    assert.equal(upd.field, '.spec.replicas');
    assert.equal(upd.operation, 'Update (apps/v1)');
    // The shape the API server really sends: field only in `field`.
    assert.deepEqual(parseConflict({ message: 'conflict with "kubectl-edit" using helm.toolkit.fluxcd.io/v2', field: '.spec.timeout' }), {
      manager: 'kubectl-edit', field: '.spec.timeout', operation: 'Update (helm.toolkit.fluxcd.io/v2)',
      message: 'conflict with "kubectl-edit" using helm.toolkit.fluxcd.io/v2',
    });
    assert.equal(parseConflict({ message: 'something else' }).manager, '');
  });

  test('HTTP status and Status bodies map to error kinds; non-JSON bodies do not throw', () => {
    const conflict = errorFromResponse({
      status: 409,
      body: JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'Apply failed with 1 conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "x": .a', field: '.a' }] } }),
    });
    assert.equal(conflict.kind, 'conflict');
    const plain409 = errorFromResponse({ status: 409, body: JSON.stringify({ reason: 'AlreadyExists', message: 'exists' }) });
    assert.deepEqual(plain409, { kind: 'server', message: 'exists', status: 409, reason: 'AlreadyExists' });
    const invalid = errorFromResponse({ status: 422, body: JSON.stringify({ message: 'bad', details: { causes: [{ field: 'spec.x', reason: 'FieldValueInvalid', message: 'nope' }] } }) });
    assert.deepEqual(invalid, { kind: 'invalid', message: 'bad', causes: [{ field: 'spec.x', reason: 'FieldValueInvalid', message: 'nope' }] });
    assert.deepEqual(errorFromResponse({ status: 403, body: '<html>' }), { kind: 'forbidden', message: '<html>' });
    assert.equal(errorFromResponse({ status: 401, body: '' }).kind, 'unauthorized');
    assert.deepEqual(errorFromResponse({ status: 500, body: '' }), { kind: 'server', message: 'HTTP 500', status: 500 });
  });
});

describe('diffValues', () => {
  test('objects, arrays, odd keys and type changes', () => {
    assert.deepEqual(diffValues({ a: 1, b: { c: [1, 2] }, 'x.y': 1 }, { a: 1, b: { c: [1, 3, 4] }, d: null }), [
      { path: '.b.c[1]', op: 'change', before: 2, after: 3 },
      { path: '.b.c[2]', op: 'add', after: 4 },
      { path: '.d', op: 'add', after: null },
      { path: '["x.y"]', op: 'remove', before: 1 },
    ]);
    assert.deepEqual(diffValues({ a: [1] }, { a: { 0: 1 } }), [{ path: '.a', op: 'change', before: [1], after: { 0: 1 } }]);
    assert.deepEqual(diffValues(1, 1), []);
    assert.deepEqual(diffValues('a', 'b'), [{ path: '.', op: 'change', before: 'a', after: 'b' }]);
  });

  test('comparable drops server bookkeeping and status; applyBody drops it for sending', () => {
    const obj: KubeObject = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'x', resourceVersion: '5', generation: 2, uid: 'u', creationTimestamp: 't', managedFields: [], labels: { a: 'b' } },
      status: { ok: true },
    };
    assert.deepEqual(comparable(obj), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } } });
    assert.deepEqual(applyBody(obj, 'ns'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' }, namespace: 'ns' } });
  });
});

describe('reconcile protocol', () => {
  test('timestamps look like Go RFC3339Nano in UTC', () => {
    assert.equal(rfc3339Nano(Date.parse('2026-11-21T20:13:21.120Z')), '2026-11-21T20:13:21.12Z');
    assert.equal(rfc3339Nano(Date.parse('2026-11-21T20:13:21Z')), '2026-11-21T20:13:21Z');
  });

  test('annotations for plain, force and reset requests', () => {
    const t = '2026-11-21T20:13:21Z';
    assert.deepEqual(reconcileAnnotations(t), { 'reconcile.fluxcd.io/requestedAt': t });
    assert.deepEqual(reconcileAnnotations(t, { force: true, reset: true }), {
      'reconcile.fluxcd.io/requestedAt': t, 'reconcile.fluxcd.io/forceAt': t, 'reconcile.fluxcd.io/resetAt': t,
    });
  });

  test('progress: pending until handled and observed, then Reconciling/Stalled/Ready decide', () => {
    const t = '2026-11-21T20:13:21Z';
    const obj = (status: unknown, generation = 2): KubeObject => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'a', generation }, status });
    const cond = (type: string, status: string, reason = 'R', message = 'M') => ({ type, status, reason, message });
    assert.equal(reconcileProgress(obj(undefined), t).state, 'pending');
    assert.equal(reconcileProgress(obj({ lastHandledReconcileAt: t, observedGeneration: 1 }), t).state, 'pending');
    assert.equal(reconcileProgress(obj({ lastHandledReconcileAt: t, observedGeneration: 2, conditions: [cond('Reconciling', 'True'), cond('Ready', 'True')] }), t).state, 'pending');
    assert.deepEqual(reconcileProgress(obj({ lastHandledReconcileAt: t, observedGeneration: 2, conditions: [cond('Stalled', 'True', 'RetriesExceeded', 'gave up')] }), t),
      { state: 'failed', reason: 'RetriesExceeded', message: 'gave up' });
    assert.deepEqual(reconcileProgress(obj({ lastHandledReconcileAt: t, observedGeneration: 2, conditions: [cond('Ready', 'True', 'InstallSucceeded', 'ok')] }), t),
      { state: 'ready', reason: 'InstallSucceeded', message: 'ok' });
    assert.deepEqual(reconcileProgress(obj({ lastHandledReconcileAt: t, observedGeneration: 2 }), t),
      { state: 'failed', reason: undefined, message: 'no Ready condition' });
  });
});
