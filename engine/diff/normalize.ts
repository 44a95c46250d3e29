/**
 * What the rendered diff compares: each object's identity
 * (group/kind/namespace/name, the apiVersion's version left out) and a copy
 * of the object with the noise removed: metadata labels/annotations that
 * rotate with every chart release (`helm.sh/chart`, `checksum/…`, …, on the
 * object, its pod template, a CronJob's job template and a StatefulSet's
 * volume claim templates), the fields the user asked to strip, and Secret
 * values replaced by a mask when they are not to be shown.
 */
import type { DiffOptions, ObjectKey } from './types.ts';
import { isPlainObject } from './list-keys.ts';

export const DEFAULT_STRIP_ATTRIBUTES: readonly string[] = ['helm.sh/chart', 'checksum/', 'app.kubernetes.io/version', 'chart'];

export const SECRET_MASK = '***';
export const SECRET_MASK_CHANGED = '*** (changed)';

/** Built-in kinds that have no namespace (a namespace written on them is ignored). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'PodSecurityPolicy',
  'ClusterIssuer',
]);

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The key and matching identity of an object (odd input gives empty parts, never an exception). */
export function identify(obj: unknown): { key: ObjectKey; id: string } {
  const o = isPlainObject(obj) ? obj : {};
  const meta = isPlainObject(o.metadata) ? o.metadata : {};
  const apiVersion = str(o.apiVersion);
  const kind = str(o.kind);
  const name = str(meta.name) || str(meta.generateName);
  const namespace = CLUSTER_SCOPED.has(kind) ? '' : str(meta.namespace);
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const key: ObjectKey = { apiVersion, kind, name };
  if (namespace) key.namespace = namespace;
  return { key, id: `${group}/${kind}/${namespace}/${name}` };
}

export function isSecret(obj: unknown): boolean {
  return isPlainObject(obj) && obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined);
}

/** Deeper than any real object; cuts what YAML aliases or a bug could make endless. */
const MAX_DEPTH = 200;

/** A deep copy without cycles (an alias back to an ancestor) or absurd depth. */
function clone(v: unknown, ancestors: Set<unknown> = new Set(), depth = 0): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (ancestors.has(v)) return '(cycle)';
  if (depth >= MAX_DEPTH) return '(too deep)';
  ancestors.add(v);
  let out: unknown;
  if (Array.isArray(v)) out = v.map((x) => clone(x, ancestors, depth + 1));
  else if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = clone(x, ancestors, depth + 1);
    out = o;
  } else out = v;
  ancestors.delete(v);
  return out;
}

function stripAttrs(holder: unknown, attrs: readonly string[]): void {
  if (!isPlainObject(holder) || !isPlainObject(holder.metadata)) return;
  const meta = holder.metadata;
  for (const field of ['labels', 'annotations']) {
    const map = meta[field];
    if (!isPlainObject(map)) continue;
    for (const k of Object.keys(map)) {
      if (attrs.some((a) => (a.endsWith('/') ? k.startsWith(a) : k === a))) delete map[k];
    }
    if (Object.keys(map).length === 0) delete meta[field];
  }
}

function stripField(obj: Record<string, unknown>, path: string): void {
  const segs = path.replace(/^\./, '').split('.');
  let cur: unknown = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    if (!isPlainObject(cur)) return;
    cur = cur[segs[i]];
  }
  if (isPlainObject(cur)) delete cur[segs[segs.length - 1]];
}

/** A deep copy of the object without the noise the options name (masking is separate). */
export function normalizeObject(obj: unknown, options: DiffOptions | undefined): unknown {
  const copy = clone(obj);
  if (!isPlainObject(copy)) return copy;
  const attrs = options?.stripAttributes ?? DEFAULT_STRIP_ATTRIBUTES;
  if (attrs.length > 0) {
    stripAttrs(copy, attrs);
    const spec = copy.spec;
    if (isPlainObject(spec)) {
      stripAttrs(spec.template, attrs);
      const job = spec.jobTemplate;
      stripAttrs(job, attrs);
      if (isPlainObject(job) && isPlainObject(job.spec)) stripAttrs(job.spec.template, attrs);
      if (Array.isArray(spec.volumeClaimTemplates)) for (const t of spec.volumeClaimTemplates) stripAttrs(t, attrs);
    }
  }
  for (const p of options?.stripFields ?? []) if (p) stripField(copy, p);
  return copy;
}

/**
 * A Secret with its `data`/`stringData` values masked. With `other` (the
 * other side), a value that differs from the other side's is marked as
 * changed so that a text diff of the two masked Secrets still shows it.
 */
export function maskSecret(obj: unknown, other: unknown): unknown {
  if (!isPlainObject(obj)) return obj;
  const out: Record<string, unknown> = { ...obj };
  for (const field of ['data', 'stringData']) {
    const map = obj[field];
    if (!isPlainObject(map)) {
      if (map !== undefined && map !== null) out[field] = SECRET_MASK;
      continue;
    }
    const otherMap = isPlainObject(other) && isPlainObject(other[field]) ? other[field] : undefined;
    const masked: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(map)) {
      const changed = otherMap !== undefined && k in otherMap && otherMap[k] !== v;
      masked[k] = changed ? SECRET_MASK_CHANGED : SECRET_MASK;
    }
    out[field] = masked;
  }
  return out;
}

/** Masks the values of a field delta below a Secret's data/stringData. */
export function maskValue(path: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (path === '.data' || path === '.stringData') {
    if (!isPlainObject(value)) return SECRET_MASK;
    return Object.fromEntries(Object.keys(value).map((k) => [k, SECRET_MASK]));
  }
  return SECRET_MASK;
}

/** Whether a field path lies inside a Secret's values. */
export function isSecretValuePath(path: string): boolean {
  return /^\.(data|stringData)(?=$|[.[])/.test(path);
}
