/**
 * How the rendered diff pairs up the items of a list: by the merge keys
 * Kubernetes declares for strategic merge patch and server-side apply
 * (`patchMergeKey` / `listMapKey` in k8s.io/api), so that a container, an env
 * variable or a port keeps its identity when the list is reordered or an
 * item is inserted. Lists of objects without a declared key that all carry a
 * distinct `name` are keyed by it; anything else is compared by position.
 */

/** The key fields of one keyed list and the labels of its items. */
export interface ListKeying {
  fields: string[];
  /** One label per item, e.g. `name=app` or `containerPort=53,protocol=UDP`. */
  labels: string[];
}

/** Fields whose declared merge key is `name` wherever they appear in the built-in API. */
const NAME_KEYED = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'volumes',
  'imagePullSecrets',
  'env',
  'resourceClaims',
  'schedulingGates',
  'webhooks',
]);

/** Other single-field merge keys of the built-in API. */
const SINGLE_KEYS: Record<string, string> = {
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
};

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Fields whose default fills a missing key (a port without protocol is TCP). */
const KEY_DEFAULTS: Record<string, string> = { protocol: 'TCP' };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The declared key fields of a list, from the field's name, the name of the
 * list holding its parent (a container's `ports`) and the object's kind.
 * `undefined` when Kubernetes declares none.
 */
export function declaredKeys(field: string, parentList: string | undefined, depth: number, kind: string): string[] | undefined {
  if (NAME_KEYED.has(field)) return ['name'];
  const single = SINGLE_KEYS[field];
  if (single) return [single];
  if (field === 'topologySpreadConstraints') return ['topologyKey', 'whenUnsatisfiable'];
  if (field === 'ports') {
    if (parentList && CONTAINER_LISTS.has(parentList)) return ['containerPort', 'protocol'];
    // `.spec.ports` of a Service.
    if (kind === 'Service' && depth === 2) return ['port', 'protocol'];
  }
  return undefined;
}

function keyValue(item: Record<string, unknown>, field: string): string | undefined {
  const v = item[field] ?? KEY_DEFAULTS[field];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Labels for items keyed by `fields`, or undefined when an item lacks a key or two share one. */
function labelItems(items: unknown[], fields: string[]): string[] | undefined {
  const labels: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (!isPlainObject(item)) return undefined;
    const parts: string[] = [];
    for (const f of fields) {
      const v = keyValue(item, f);
      if (v === undefined) return undefined;
      // A defaulted protocol is left out of the label; it only tells UDP/SCTP apart.
      if (f === 'protocol' && v === 'TCP') continue;
      parts.push(`${f}=${v}`);
    }
    const label = parts.join(',');
    if (seen.has(label)) return undefined;
    seen.add(label);
    labels.push(label);
  }
  return labels;
}

/**
 * How to pair the items of two versions of one list: by the declared key,
 * else by `name`, else (undefined) by position. Both sides must be keyable
 * by the same fields.
 */
export function keyLists(
  field: string,
  parentList: string | undefined,
  depth: number,
  kind: string,
  base: unknown[],
  head: unknown[],
): { base: ListKeying; head: ListKeying } | undefined {
  const candidates: string[][] = [];
  const declared = declaredKeys(field, parentList, depth, kind);
  if (declared) candidates.push(declared);
  candidates.push(['name']);
  for (const fields of candidates) {
    if (base.length + head.length === 0) return undefined;
    const b = labelItems(base, fields);
    const h = labelItems(head, fields);
    if (b && h) return { base: { fields, labels: b }, head: { fields, labels: h } };
  }
  return undefined;
}
