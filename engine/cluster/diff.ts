/**
 * "What would applying this change?": a server-side dry-run apply (so
 * defaults, CEL validation, admission and field ownership are the real
 * server's) compared with the live object. The comparison ignores
 * bookkeeping the server rewrites on every write (managedFields,
 * resourceVersion, generation, timestamps) and the status.
 */
import { Discovery, getObject, serverSideApply, type ApplyOptions } from './apply.ts';
import { ok, type ClusterResult, type ClusterTransport, type KubeObject } from './types.ts';

export interface FieldChange {
  /** Path like `.spec.values.replicaCount` or `.spec.install.remediation` or `.metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  op: 'add' | 'remove' | 'change';
  before?: unknown;
  after?: unknown;
}

export interface DryRunDiff {
  /** The live object, or undefined when applying would create it. */
  live: KubeObject | undefined;
  /** What the server would store. */
  predicted: KubeObject;
  changes: FieldChange[];
}

const volatileMetadata = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

/** A copy without the server's bookkeeping fields and without status. */
export function comparable(obj: KubeObject): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  delete copy.status;
  const meta: Record<string, unknown> = { ...obj.metadata };
  for (const k of volatileMetadata) delete meta[k];
  copy.metadata = meta;
  return copy;
}

function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural differences from `before` to `after`, objects key by key, arrays element by element. */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: FieldChange[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const p = path + segment(k);
      if (!(k in after)) out.push({ path: p, op: 'remove', before: before[k] });
      else if (!(k in before)) out.push({ path: p, op: 'add', after: after[k] });
      else out.push(...diffValues(before[k], after[k], p));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: p, op: 'remove', before: before[i] });
      else if (i >= before.length) out.push({ path: p, op: 'add', after: after[i] });
      else out.push(...diffValues(before[i], after[i], p));
    }
    return out;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '.', op: 'change', before, after }];
}

/**
 * Dry-run applies `obj` and compares the result with the live object.
 * Errors (conflicts, validation, RBAC) come back exactly as a real apply's would.
 */
export async function dryRunDiff(
  transport: ClusterTransport,
  discovery: Discovery,
  obj: KubeObject,
  opts: Omit<ApplyOptions, 'dryRun'> = {},
): Promise<ClusterResult<DryRunDiff>> {
  const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace };
  const live = await getObject(transport, discovery, ref, opts.defaultNamespace);
  if (!live.ok && live.error.kind !== 'not-found') return live;
  const predicted = await serverSideApply(transport, discovery, obj, { ...opts, dryRun: true });
  if (!predicted.ok) return predicted;
  const liveObj = live.ok ? live.value : undefined;
  const changes = liveObj
    ? diffValues(comparable(liveObj), comparable(predicted.value))
    : diffValues({}, comparable(predicted.value));
  return ok({ live: liveObj, predicted: predicted.value, changes });
}
