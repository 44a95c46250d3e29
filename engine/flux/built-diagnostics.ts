/**
 * Problems of built objects, reported where the user can fix them. A built
 * object is whole (base + patches + transformers + substitution), so the
 * schema's required fields and CEL rules apply to it, unlike to a patch
 * file. Each finding's path in the built object is traced back: to the
 * `${...}` that produced the value when postBuild substitution did, else to
 * the patch value that set it, else to the resource's own file (or the
 * generator entry). Also finds two objects with the same identity in one
 * build, which the cluster would treat as one.
 */
import { stringify } from 'yaml';
import type { EngineHost } from '../host.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { parseYamlFile } from '../yaml/documents.ts';
import { findAtOffset, formatPath } from '../yaml/nodes.ts';
import { validateDocument } from '../validation/validate.ts';
import { locateInBuilt } from '../kustomize/locate.ts';
import { isPlainMap, isClusterScoped, parseApiVersion } from '../kustomize/resource.ts';
import type { BuiltResource, FileSpan, KustomizeDiagnostic, PathSegment } from '../kustomize/types.ts';
import type { SubstitutionChange } from './kustomization.ts';

/** A built resource, with the substitutions Flux made when it came from a Flux Kustomization. */
export type BuiltObject = BuiltResource & { substitutions?: SubstitutionChange[] };

export interface BuiltLocationInfo extends FileSpan {
  via: 'substitution' | 'patch' | 'resource' | 'generator';
}

export interface BuiltDiagnostic extends KustomizeDiagnostic {
  via: BuiltLocationInfo['via'];
  /** The path of the problem in the built object. */
  objectPath: PathSegment[];
  /** kind namespace/name of the built object. */
  object: string;
}

/** Codes that describe the source document rather than the built object (reported on the file itself). */
export const SOURCE_ONLY_CODES = new Set(['yaml-syntax', 'duplicate-key', 'unknown-kind', 'unknown-api-version', 'removed-api-version', 'yaml-alias']);

function isPrefix(a: PathSegment[], b: PathSegment[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

/** Where the text behind `path` of a built object is written. */
export function locateBuiltPath(host: EngineHost, resource: BuiltObject, path: PathSegment[]): BuiltLocationInfo {
  let best: SubstitutionChange | undefined;
  for (const s of resource.substitutions ?? []) if (isPrefix(s.path, path) && (!best || s.path.length > best.path.length)) best = s;
  if (best) return { ...best.site, via: 'substitution' };
  return locateInBuilt(host, resource, path);
}

export function describeObject(obj: Record<string, unknown>): string {
  const meta = isPlainMap(obj.metadata) ? obj.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : '';
  return `${String(obj.kind ?? '?')} ${ns}${String(meta.name ?? '?')}`;
}

export interface ValidateBuiltOptions {
  /** Added to each message, e.g. "in the build of apps/production". */
  context?: string;
}

/**
 * Schema and CEL checks on every built object whose kind has a schema.
 * Findings about the document itself (YAML syntax, unknown kinds) are left
 * to the check of the source file.
 */
export function validateBuilt(host: EngineHost, registry: SchemaRegistry, resources: BuiltObject[], options: ValidateBuiltOptions = {}): BuiltDiagnostic[] {
  const out: BuiltDiagnostic[] = [];
  for (const r of resources) {
    const apiVersion = typeof r.object.apiVersion === 'string' ? r.object.apiVersion : '';
    const kind = typeof r.object.kind === 'string' ? r.object.kind : '';
    if (!registry.get(apiVersion, kind)) continue;
    const findings = schemaFindings(registry, r.object);
    if (findings.length === 0) continue;
    const name = describeObject(r.object);
    for (const d of findings) {
      const at = locateBuiltPath(host, r, d.path);
      const where = at.via === 'substitution' ? ' (after postBuild substitution)' : at.via === 'patch' ? ' (set by this patch)' : '';
      out.push({
        file: at.file,
        start: at.start,
        end: at.end,
        severity: d.severity,
        code: d.code,
        message: `${d.message}${where}: ${name}${d.path.length ? ` at ${formatPath(d.path)}` : ''}${options.context ? `, ${options.context}` : ''}`,
        via: at.via,
        objectPath: d.path,
        object: name,
      });
    }
  }
  return dedupe(out);
}

interface SchemaFinding {
  code: string;
  severity: BuiltDiagnostic['severity'];
  message: string;
  path: PathSegment[];
}

/**
 * Schema findings of one built object by its content: a build is made
 * again after any edit of a file it reads, but most of its objects come
 * out the same (one edited HelmRelease of a 200-object base), so their
 * findings are remembered (bounded) by content and schema generation.
 */
const findingsMemo = new Map<string, SchemaFinding[]>();
/** Characters of keys kept (the oldest entries go first past it). */
const MAX_MEMO_CHARS = 8_000_000;
let memoChars = 0;
// Content key: JSON with non-finite numbers kept apart from null (YAML prints .inf and .nan).
const contentKey = (o: unknown) => JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v));

function schemaFindings(registry: SchemaRegistry, object: Record<string, unknown>): SchemaFinding[] {
  let key: string;
  try {
    key = `${registry.generation}\u0000${contentKey(object)}`;
  } catch {
    return [];
  }
  const hit = findingsMemo.get(key);
  if (hit) return hit;
  const list: SchemaFinding[] = [];
  let text: string | undefined;
  try {
    text = stringify(object, { version: '1.1', lineWidth: 0 });
  } catch {
    text = undefined;
  }
  const file = text === undefined ? undefined : parseYamlFile('fluxhelm-built:///object.yaml', text);
  const doc = file?.docs[0];
  if (file && doc) {
    for (const d of validateDocument(doc, file.uri, registry)) {
      if (SOURCE_ONLY_CODES.has(d.code)) continue;
      list.push({ code: d.code, severity: d.severity, message: d.message, path: findAtOffset(doc.doc.contents, d.start - doc.start).path });
    }
  }
  for (const old of findingsMemo.keys()) {
    if (memoChars + key.length <= MAX_MEMO_CHARS) break;
    findingsMemo.delete(old);
    memoChars -= old.length;
  }
  findingsMemo.set(key, list);
  memoChars += key.length;
  return list;
}

function dedupe(list: BuiltDiagnostic[]): BuiltDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.file}:${d.start}:${d.end}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The identity the cluster gives an object: group, kind, namespace (none for cluster-scoped kinds) and name. */
export function clusterIdentity(obj: Record<string, unknown>, defaultNamespace = 'default'): string {
  const { group } = parseApiVersion(obj.apiVersion);
  const kind = String(obj.kind ?? '');
  const meta = isPlainMap(obj.metadata) ? obj.metadata : {};
  const ns = isClusterScoped({ group, version: '', kind }) ? '' : typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : defaultNamespace;
  return `${group}/${kind}/${ns}/${String(meta.name ?? '')}`;
}

/**
 * Two objects of one build with the same group, kind, namespace and name
 * (the API version does not matter: the cluster stores one object). Both
 * are reported, each at its own origin, with the other as related text.
 */
export function duplicateObjects(resources: BuiltObject[], options: ValidateBuiltOptions = {}): KustomizeDiagnostic[] {
  const groups = new Map<string, BuiltObject[]>();
  for (const r of resources) {
    const id = clusterIdentity(r.object);
    const list = groups.get(id);
    if (list) list.push(r);
    else groups.set(id, [r]);
  }
  const out: KustomizeDiagnostic[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    for (const r of list) {
      const others = list.filter((x) => x !== r).map((x) => `${x.origin.file}${x.origin.documentIndex ? ` (document ${x.origin.documentIndex + 1})` : ''}`);
      out.push({
        file: r.origin.file,
        start: r.origin.start,
        end: r.origin.end,
        severity: 'error',
        code: 'duplicate-object',
        message: `${describeObject(r.object)} is in this build ${list.length} times (also from ${[...new Set(others)].join(', ')}): the cluster keeps only one${options.context ? `, ${options.context}` : ''}`,
      });
    }
  }
  return out;
}
