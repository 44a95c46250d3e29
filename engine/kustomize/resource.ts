/**
 * Resources inside a kustomize build: the object, its identity history
 * (kustomize's "previous ids", used to find patch targets and name
 * references after renames), name prefix/suffix contexts and provenance.
 * Also resource ids, group/version/kind matching, cluster scope and the
 * target selectors of patches.
 */
import type { FileSpan, PatchProvenance, ResourceOrigin } from './types.ts';

export type KObject = Record<string, unknown>;

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ResId extends Gvk {
  name: string;
  namespace: string;
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isPlainMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepClone(x);
    return out as T;
  }
  return v;
}

export function parseApiVersion(apiVersion: unknown): { group: string; version: string } {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  const i = s.lastIndexOf('/');
  return i < 0 ? { group: '', version: s } : { group: s.slice(0, i), version: s.slice(i + 1) };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function gvkOf(obj: KObject): Gvk {
  return { ...parseApiVersion(obj.apiVersion), kind: str(obj.kind) };
}

export function metaOf(obj: KObject): Record<string, unknown> | undefined {
  return isPlainMap(obj.metadata) ? obj.metadata : undefined;
}

export function idOf(obj: KObject): ResId {
  const m = metaOf(obj);
  return { ...gvkOf(obj), name: str(m?.name), namespace: str(m?.namespace) };
}

/**
 * Kinds kustomize knows as cluster-scoped (from the Kubernetes OpenAPI
 * document built into kyaml). Kinds it does not know, including every
 * custom resource, are namespaced for kustomize.
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'policy/PodSecurityPolicy', 'extensions/PodSecurityPolicy',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'certificates.k8s.io/CertificateSigningRequest', 'networking.k8s.io/IngressClass',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'authentication.k8s.io/TokenReview', 'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview', 'authorization.k8s.io/SubjectAccessReview',
]);

export function isClusterScoped(g: Gvk): boolean {
  return CLUSTER_SCOPED.has(`${g.group}/${g.kind}`);
}

/** kustomize's namespace for comparisons: unset means "default"; cluster-scoped kinds have none. */
export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id)) return '~X';
  return id.namespace === '' ? 'default' : id.namespace;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind && a.name === b.name && effectiveNamespace(a) === effectiveNamespace(b);
}

/** True when `g` matches a selector whose empty fields match anything. */
export function gvkSelected(g: Gvk, sel: Partial<Gvk>): boolean {
  return (!sel.group || sel.group === g.group) && (!sel.version || sel.version === g.version) && (!sel.kind || sel.kind === g.kind);
}

export function formatId(id: ResId): string {
  const api = id.group ? `${id.group}/${id.version}` : id.version;
  return `${id.kind}${api ? ` (${api})` : ''} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

export interface GeneratorInfo {
  behavior: 'create' | 'replace' | 'merge';
  span: FileSpan;
}

export class Res {
  obj: KObject;
  origin: ResourceOrigin;
  patches: PatchProvenance[] = [];
  mergedFrom: FileSpan[] = [];
  prevIds: ResId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  needsHash = false;
  generator?: GeneratorInfo;

  constructor(obj: KObject, origin: ResourceOrigin) {
    this.obj = obj;
    this.origin = origin;
  }

  get id(): ResId {
    return idOf(this.obj);
  }

  get gvk(): Gvk {
    return gvkOf(this.obj);
  }

  get name(): string {
    return this.id.name;
  }

  orgId(): ResId {
    return this.prevIds.length > 0 ? this.prevIds[0] : this.id;
  }

  storePreviousId(): void {
    this.prevIds.push(this.id);
  }

  /** Current id and every earlier id. */
  allIds(): ResId[] {
    return [...this.prevIds, this.id];
  }

  meta(create = true): Record<string, unknown> {
    let m = metaOf(this.obj);
    if (!m && create) {
      m = {};
      this.obj.metadata = m;
    }
    return m ?? {};
  }

  setName(name: string): void {
    this.meta().name = name;
  }

  setNamespace(ns: string): void {
    if (ns === '') delete this.meta().namespace;
    else this.meta().namespace = ns;
  }

  labels(): Record<string, string> {
    const l = this.meta(false).labels;
    return isPlainMap(l) ? (l as Record<string, string>) : {};
  }

  annotations(): Record<string, string> {
    const a = this.meta(false).annotations;
    return isPlainMap(a) ? (a as Record<string, string>) : {};
  }
}

// ---------------------------------------------------------------------------
// Label selectors (the Kubernetes string syntax used by patch targets).

interface Requirement {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists';
  values: string[];
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; undefined when malformed. */
export function parseLabelSelector(s: string): Requirement[] | undefined {
  const out: Requirement[] = [];
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const ident = (): string => {
    ws();
    const m = /^[A-Za-z0-9_./-]*/.exec(s.slice(i));
    const t = m ? m[0] : '';
    i += t.length;
    return t;
  };
  ws();
  if (i >= s.length) return out;
  for (;;) {
    ws();
    if (s[i] === '!') {
      i++;
      const key = ident();
      if (!key) return undefined;
      out.push({ key, op: 'notexists', values: [] });
    } else {
      const key = ident();
      if (!key) return undefined;
      ws();
      if (s.startsWith('!=', i)) {
        i += 2;
        out.push({ key, op: 'neq', values: [ident()] });
      } else if (s.startsWith('==', i)) {
        i += 2;
        out.push({ key, op: 'eq', values: [ident()] });
      } else if (s[i] === '=') {
        i++;
        out.push({ key, op: 'eq', values: [ident()] });
      } else if (/^(in|notin)\s*\(/.test(s.slice(i))) {
        const op = s.startsWith('notin', i) ? 'notin' : 'in';
        i = s.indexOf('(', i) + 1;
        const close = s.indexOf(')', i);
        if (close < 0) return undefined;
        const values = s.slice(i, close).split(',').map((x) => x.trim()).filter((x) => x !== '');
        i = close + 1;
        out.push({ key, op, values });
      } else out.push({ key, op: 'exists', values: [] });
    }
    ws();
    if (i >= s.length) return out;
    if (s[i] !== ',') return undefined;
    i++;
  }
}

export function matchesSelector(reqs: Requirement[], labels: Record<string, unknown>): boolean {
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'eq':
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'neq':
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** Go regexp anchored like kustomize's selectors; undefined when the pattern is invalid. */
export function anchoredRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/**
 * kustomize's ResMap.Select: name and namespace match the original or the
 * current id; group/version/kind the current object.
 */
export function selectResources(all: Res[], sel: Selector): { selected: Res[]; error?: string } {
  const nameRe = sel.name ? anchoredRegex(sel.name) : undefined;
  const nsRe = sel.namespace ? anchoredRegex(sel.namespace) : undefined;
  if (sel.name && !nameRe) return { selected: [], error: `invalid name pattern ${JSON.stringify(sel.name)}` };
  if (sel.namespace && !nsRe) return { selected: [], error: `invalid namespace pattern ${JSON.stringify(sel.namespace)}` };
  const labelReqs = sel.labelSelector ? parseLabelSelector(sel.labelSelector) : [];
  const annoReqs = sel.annotationSelector ? parseLabelSelector(sel.annotationSelector) : [];
  if (!labelReqs) return { selected: [], error: `invalid labelSelector ${JSON.stringify(sel.labelSelector)}` };
  if (!annoReqs) return { selected: [], error: `invalid annotationSelector ${JSON.stringify(sel.annotationSelector)}` };
  const selected = all.filter((r) => {
    const cur = r.id;
    const org = r.orgId();
    if (nsRe && !nsRe.test(effectiveNamespace(org)) && !nsRe.test(effectiveNamespace(cur))) return false;
    if (nameRe && !nameRe.test(org.name) && !nameRe.test(cur.name)) return false;
    if (!gvkSelected(cur, sel)) return false;
    if (!matchesSelector(labelReqs, r.labels())) return false;
    if (!matchesSelector(annoReqs, r.annotations())) return false;
    return true;
  });
  return { selected };
}
