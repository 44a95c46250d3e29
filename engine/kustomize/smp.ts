/**
 * Strategic merge patches as kustomize v5 applies them (kyaml merge2 with
 * list elements of the patch placed first). Maps merge, `null` deletes a
 * key, `$patch: delete` removes a map (or the whole object), `$patch:
 * replace` replaces it. Lists replace, except the lists the Kubernetes API
 * declares with a merge key on the built-in workload kinds: those merge
 * element by element, patch elements first in patch order, then the
 * object's remaining elements in their order (checked against kustomize
 * v5.6). Custom resources such as HelmRelease have no merge keys for
 * kustomize, so their lists (values included) are always replaced.
 */
import { isPlainMap, deepClone, type Gvk } from './resource.ts';
import type { PathSegment } from './types.ts';

/** What a merge knows about one position in an object: its fields and list merge key. */
export interface MergeSchema {
  fields?: Record<string, MergeSchema>;
  items?: MergeSchema;
  mergeKey?: string;
}

const CONTAINER: MergeSchema = {
  fields: {
    env: { mergeKey: 'name' },
    ports: { mergeKey: 'containerPort' },
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
};
const POD_SPEC: MergeSchema = {
  fields: {
    containers: { mergeKey: 'name', items: CONTAINER },
    initContainers: { mergeKey: 'name', items: CONTAINER },
    ephemeralContainers: { mergeKey: 'name', items: CONTAINER },
    volumes: { mergeKey: 'name' },
    imagePullSecrets: { mergeKey: 'name' },
    hostAliases: { mergeKey: 'ip' },
    topologySpreadConstraints: { mergeKey: 'topologyKey' },
  },
};
const META: MergeSchema = { fields: { ownerReferences: { mergeKey: 'uid' } } };
const TEMPLATE: MergeSchema = { fields: { metadata: META, spec: POD_SPEC } };
const withMeta = (spec: MergeSchema): MergeSchema => ({ fields: { metadata: META, spec } });
const WORKLOAD = withMeta({ fields: { template: TEMPLATE } });

const SCHEMAS: Record<string, MergeSchema> = {
  '/Pod': withMeta(POD_SPEC),
  '/ReplicationController': WORKLOAD,
  '/PodTemplate': { fields: { metadata: META, template: TEMPLATE } },
  '/Service': withMeta({ fields: { ports: { mergeKey: 'port' } } }),
  'apps/Deployment': WORKLOAD,
  'apps/StatefulSet': WORKLOAD,
  'apps/DaemonSet': WORKLOAD,
  'apps/ReplicaSet': WORKLOAD,
  'extensions/Deployment': WORKLOAD,
  'extensions/DaemonSet': WORKLOAD,
  'extensions/ReplicaSet': WORKLOAD,
  'batch/Job': WORKLOAD,
  'batch/CronJob': withMeta({ fields: { jobTemplate: { fields: { metadata: META, spec: { fields: { template: TEMPLATE } } } } } }),
};

/** The merge schema kustomize has for a kind; undefined for kinds it has no OpenAPI for (custom resources). */
export function mergeSchemaFor(g: Gvk): MergeSchema | undefined {
  return SCHEMAS[`${g.group}/${g.kind}`];
}

/** A value the patch wrote (or removed), with the path it has in the patch document. */
export interface SmpChange {
  path: PathSegment[];
  patchPath: PathSegment[];
  op: 'set' | 'delete';
}

const DELETE = Symbol('delete');

/** A patch that kustomize refuses (a map written over a list, and so on). */
export class SmpError extends Error {
  constructor(message: string, readonly patchPath: PathSegment[]) {
    super(message);
  }
}

export interface SmpOptions {
  /** True when a string must have been quoted (or written as a block) in its YAML source. */
  mustBeQuoted?: (s: string) => boolean;
  /** The source text of the patch's plain scalar at a path. */
  rawText?: (patchPath: PathSegment[]) => string | undefined;
}

function nodeKind(v: unknown): 'map' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : isPlainMap(v) ? 'map' : 'scalar';
}

const KIND_NAME = { map: 'MappingNode', list: 'SequenceNode', scalar: 'ScalarNode' };

function checkKinds(dest: unknown, patch: unknown, patchPath: PathSegment[]): void {
  if (dest === null || dest === undefined || patch === null) return;
  const dk = nodeKind(dest);
  const pk = nodeKind(patch);
  if (dk !== pk) throw new SmpError(`the patch writes a ${pk} where the object has a ${dk} (kustomize: wrong node kind: expected ${KIND_NAME[dk]} but got ${KIND_NAME[pk]})`, patchPath);
}

function isDirectiveKey(k: string): boolean {
  return k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/');
}

/** A patch subtree written where the object had nothing: directives and nulls dropped. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isPlainMap(e) && e.$patch === 'delete')).map(clean);
  if (isPlainMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (isDirectiveKey(k) || x === null) continue;
      if (isPlainMap(x) && x.$patch === 'delete') continue;
      out[k] = clean(x);
    }
    return out;
  }
  return v;
}

/** Records every leaf of a written value (scalars and empty containers). */
function recordLeaves(v: unknown, path: PathSegment[], patchPath: PathSegment[], out: SmpChange[]): void {
  if (Array.isArray(v) && v.length > 0) {
    v.forEach((e, i) => recordLeaves(e, [...path, i], [...patchPath, i], out));
    return;
  }
  if (isPlainMap(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) recordLeaves(x, [...path, k], [...patchPath, k], out);
    return;
  }
  out.push({ path, patchPath, op: 'set' });
}

/** Maps patch-document indexes of a cleaned list back to the patch (elements with `$patch: delete` are dropped). */
function cleanedIndexes(patch: unknown[]): number[] {
  const idx: number[] = [];
  patch.forEach((e, i) => {
    if (!(isPlainMap(e) && e.$patch === 'delete')) idx.push(i);
  });
  return idx;
}

function recordWritten(patch: unknown, path: PathSegment[], patchPath: PathSegment[], out: SmpChange[]): void {
  // Walk the cleaned value alongside the patch so recorded patch paths point at the patch's own elements.
  if (Array.isArray(patch)) {
    const idx = cleanedIndexes(patch);
    if (idx.length === 0) out.push({ path, patchPath, op: 'set' });
    idx.forEach((pi, i) => recordWritten(patch[pi], [...path, i], [...patchPath, pi], out));
    return;
  }
  if (isPlainMap(patch)) {
    const keys = Object.keys(patch).filter((k) => !isDirectiveKey(k) && patch[k] !== null && !(isPlainMap(patch[k]) && (patch[k] as Record<string, unknown>).$patch === 'delete'));
    if (keys.length === 0) out.push({ path, patchPath, op: 'set' });
    for (const k of keys) recordWritten(patch[k], [...path, k], [...patchPath, k], out);
    return;
  }
  recordLeaves(patch, path, patchPath, out);
}

function mergeValue(dest: unknown, patch: unknown, schema: MergeSchema | undefined, path: PathSegment[], patchPath: PathSegment[], out: SmpChange[], opts: SmpOptions): unknown | typeof DELETE {
  checkKinds(dest, patch, patchPath);
  if (isPlainMap(patch)) {
    if (patch.$patch === 'delete') {
      out.push({ path, patchPath, op: 'delete' });
      return DELETE;
    }
    if (patch.$patch === 'replace' || !isPlainMap(dest)) {
      recordWritten(patch, path, patchPath, out);
      return clean(patch);
    }
    const result: Record<string, unknown> = dest;
    for (const [k, pv] of Object.entries(patch)) {
      if (isDirectiveKey(k)) continue;
      const childPath = [...path, k];
      const childPatchPath = [...patchPath, k];
      if (pv === null) {
        if (Object.prototype.hasOwnProperty.call(result, k)) {
          delete result[k];
          out.push({ path: childPath, patchPath: childPatchPath, op: 'delete' });
        }
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(result, k) || result[k] === null) {
        if (isPlainMap(pv) && pv.$patch === 'delete') continue;
        result[k] = clean(pv);
        recordWritten(pv, childPath, childPatchPath, out);
        continue;
      }
      const merged = mergeValue(result[k], pv, schema?.fields?.[k], childPath, childPatchPath, out, opts);
      if (merged === DELETE) delete result[k];
      else result[k] = merged;
    }
    return result;
  }
  if (Array.isArray(patch)) {
    const key = schema?.mergeKey;
    const replaceDirective = patch.some((e) => isPlainMap(e) && e.$patch === 'replace');
    if (!key || replaceDirective || !Array.isArray(dest)) {
      const elements = replaceDirective ? patch.filter((e) => !(isPlainMap(e) && e.$patch === 'replace')) : patch;
      recordWritten(elements, path, patchPath, out);
      return clean(elements);
    }
    const keyOf = (e: unknown): string | undefined => (isPlainMap(e) && e[key] !== undefined && e[key] !== null ? JSON.stringify(e[key]) : undefined);
    const result: unknown[] = [];
    const used = new Set<number>();
    const patchKeys = new Set<string>();
    patch.forEach((pe, pi) => {
      const k = keyOf(pe);
      if (k !== undefined) patchKeys.add(k);
      const di = k === undefined ? -1 : dest.findIndex((de, i) => !used.has(i) && keyOf(de) === k);
      if (isPlainMap(pe) && pe.$patch === 'delete') {
        if (di >= 0) used.add(di);
        out.push({ path: [...path, result.length], patchPath: [...patchPath, pi], op: 'delete' });
        return;
      }
      if (di >= 0) {
        used.add(di);
        const merged = mergeValue(dest[di], pe, schema?.items, [...path, result.length], [...patchPath, pi], out, opts);
        if (merged !== DELETE) result.push(merged);
      } else {
        recordWritten(pe, [...path, result.length], [...patchPath, pi], out);
        result.push(clean(pe));
      }
    });
    dest.forEach((de, i) => {
      if (used.has(i)) return;
      const k = keyOf(de);
      if (k !== undefined && patchKeys.has(k)) return;
      result.push(de);
    });
    return result;
  }
  out.push({ path, patchPath, op: 'set' });
  if (typeof dest === 'string' && (typeof patch === 'number' || typeof patch === 'boolean') && opts.mustBeQuoted?.(dest)) {
    return opts.rawText?.(patchPath) ?? String(patch);
  }
  return patch;
}

/**
 * Applies a strategic merge patch to a copy of `target`. Returns undefined
 * when the patch deletes the object (`$patch: delete` at the top).
 */
export function applyStrategicMerge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  schema: MergeSchema | undefined,
  opts: SmpOptions = {},
): { result: Record<string, unknown> | undefined; changes: SmpChange[]; error?: SmpError } {
  const changes: SmpChange[] = [];
  let merged: unknown;
  try {
    merged = mergeValue(deepClone(target), deepClone(patch), schema, [], [], changes, opts);
  } catch (e) {
    if (e instanceof SmpError) return { result: deepClone(target), changes: [], error: e };
    throw e;
  }
  if (merged === DELETE || !isPlainMap(merged)) return { result: undefined, changes };
  return { result: merged, changes };
}
