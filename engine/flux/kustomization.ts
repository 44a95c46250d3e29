/**
 * Evaluation of a Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) the
 * way kustomize-controller does it: the folder at `spec.path` (relative to
 * the repository root) is built with kustomize; when it has no
 * kustomization file, one listing every YAML file below it is implied (a
 * sub-folder with its own kustomization file is listed as a folder and not
 * entered). Flux writes its own fields into that top-level kustomization
 * before the build: `targetNamespace` and `namePrefix`/`nameSuffix`
 * replace the file's values, `patches` and `components` are appended.
 * Here that rewritten kustomization is served through a virtual host, and
 * every span pointing into it is mapped back to the file that holds the
 * text (the original kustomization file, or the Flux Kustomization for its
 * own patches). After the build come `images`, postBuild substitution
 * and `commonMetadata`.
 */
import type { EngineHost } from '../host.ts';
import type { WorkspaceIndex, IndexedObject } from '../workspace/index.ts';
import { buildKustomization, buildKustomizationSteps, KUSTOMIZATION_FILE_NAMES } from '../kustomize/build.ts';
import { parseSource, spanAt, nodeAt, scalarOffsetMap, type SourceDoc } from '../kustomize/source.ts';
import { joinPath, normalizePath } from '../kustomize/paths.ts';
import { isPlainMap } from '../kustomize/resource.ts';
import type { BuiltResource, FileSpan, KustomizeDiagnostic, PathSegment } from '../kustomize/types.ts';
import { locateInBuilt } from '../kustomize/locate.ts';
import { parsedSource, documentAt, warmParsedSource } from '../kustomize/parsed-sources.ts';
import { readPlainDocument } from '../kustomize/fast-piece.ts';
import { findAtOffset } from '../yaml/nodes.ts';
import { YAML_OPTIONS, MAX_ALIAS_COUNT } from '../yaml/documents.ts';
import { substitute, VARIABLE_NAME } from './envsubst.ts';
import { parseDocument, stringify } from 'yaml';
import { valueAt } from '../util/value-at.ts';

/** What the evaluation needs of a workspace (a `Workspace` fits). */
export interface FluxWorkspace {
  index: WorkspaceIndex;
  repoRoot?: string;
  /** The repository root a Kustomization file's path is relative to (see Workspace.repoRootFor). */
  repoRootFor?: (file: string, path?: string) => string;
}

export interface FluxBuiltResource extends BuiltResource {
  /** Values postBuild substitution changed, with the variables and where the `${...}` is written. */
  substitutions: SubstitutionChange[];
  /** The object as kustomize built it, before postBuild substitution and commonMetadata. */
  kustomized: Record<string, unknown>;
}

export interface FluxKustomizationBuild {
  /** The Flux Kustomization evaluated. */
  source: { file: string; name: string; namespace?: string; span: FileSpan };
  /** The folder built (absolute), undefined when spec.path could not be resolved. */
  dir?: string;
  /** True when the folder had no kustomization file and Flux's implied one was used. */
  implicit: boolean;
  resources: FluxBuiltResource[];
  diagnostics: KustomizeDiagnostic[];
  /** The postBuild variables, with where each is defined. */
  variables: Map<string, VariableSource>;
}

/** The parsed document of an indexed object, for spans in its file. */
export function sourceDocOf(host: EngineHost, index: WorkspaceIndex | undefined, obj: IndexedObject): SourceDoc | undefined {
  const text = index?.fileText(obj.file) ?? host.readFile(obj.file);
  if (text === undefined) return undefined;
  const docs = parsedSource(obj.file, text).docs;
  return documentAt(docs, obj.start);
}

export function kustomizationFileIn(host: EngineHost, dir: string): string | undefined {
  return KUSTOMIZATION_FILE_NAMES.map((n) => joinPath(dir, n)).find((p) => host.readFile(p) !== undefined);
}

/** Flux's implied kustomization: YAML files (recursively) and folders with a kustomization file, in walk order. */
export function implicitResources(host: EngineHost, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    const entries = (host.readDir(d) ?? []).slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === '.git') continue;
      const full = `${d}/${e.name}`;
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) {
        if (kustomizationFileIn(host, full)) out.push(r);
        else walk(full, r);
      } else if (/\.ya?ml$/.test(e.name)) out.push(r);
    }
  };
  walk(dir, '.');
  return out;
}

// ---------------------------------------------------------------------------
// The kustomization Flux writes, served through a virtual host.

interface Segment {
  start: number;
  end: number;
  target: FileSpan;
  /** For an inline patch: where the patch text starts in the virtual file, and how its offsets map to the real file. */
  content?: { start: number; map: (o: number) => number };
}

interface Virtual {
  file: string;
  text: string;
  /** Length of the prefix copied (blanked) from the original file: offsets below it are the original's. */
  keptLength: number;
  segments: Segment[];
  fallback: FileSpan;
}

const OVERRIDDEN = ['namespace', 'namePrefix', 'nameSuffix'] as const;

function blankRange(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

/** The inline-patch text of a node as a map from offsets in the patch string to offsets in its file. */
function inlineMap(d: SourceDoc, path: PathSegment[]): ((o: number) => number) | undefined {
  const n = nodeAt(d, path);
  return n ? scalarOffsetMap(d.text, n.node, d.map) : undefined;
}

function makeVirtual(host: EngineHost, dir: string, ks: SourceDoc, spec: Record<string, unknown>, diagnostics: KustomizeDiagnostic[]): Virtual | undefined {
  const fluxSpan = (p: PathSegment[]) => spanAt(ks, ['spec', ...p]);
  const over: Partial<Record<(typeof OVERRIDDEN)[number], string>> = {};
  if (typeof spec.targetNamespace === 'string') over.namespace = spec.targetNamespace;
  if (typeof spec.namePrefix === 'string') over.namePrefix = spec.namePrefix;
  if (typeof spec.nameSuffix === 'string') over.nameSuffix = spec.nameSuffix;
  const fluxPatches = Array.isArray(spec.patches) ? spec.patches : [];
  const fluxComponents: { value: string; index: number }[] = [];
  if (Array.isArray(spec.components)) {
    spec.components.forEach((c, i) => {
      if (typeof c !== 'string') return;
      if (/^(?:[a-z]+:\/\/|git::|gh:|git@|github\.com[:/])/i.test(c) || c.startsWith('/')) {
        diagnostics.push({ ...fluxSpan(['components', i]), severity: 'error', code: 'flux-component-path', message: `component path '${c}' must be local and relative` });
        return;
      }
      if (spec.ignoreMissingComponents === true && host.readDir(joinPath(dir, c)) === undefined) return;
      fluxComponents.push({ value: c, index: i });
    });
  }
  const existing = kustomizationFileIn(host, dir);
  const needed = existing === undefined || Object.keys(over).length > 0 || fluxPatches.length > 0 || fluxComponents.length > 0;
  if (!needed) return undefined;

  let text = '';
  let value: Record<string, unknown> = {};
  let orig: SourceDoc | undefined;
  const copied = new Set<string>();
  if (existing) {
    const src = host.readFile(existing)!;
    // The build's own piecewise parse of the file (shared with the editor's): a 1 MB kustomization file being
    // typed in is not composed whole again here for every build.
    const parsed = parsedSource(existing, src, 'kustomization');
    orig = parsed.docs[0];
    if (parsed.diagnostics.some((d) => d.severity === 'error') || !orig || !isPlainMap(orig.value)) return undefined; // the build reports it
    value = orig.value;
    const contents = orig.doc.contents as { items?: { key?: { value?: unknown; range?: number[] }; value?: { range?: number[] } | null }[]; flow?: boolean } | null;
    if (contents && Array.isArray(contents.items) && !contents.flow && parsed.docs.length === 1) {
      text = src;
      for (const k of Object.keys(value)) copied.add(k);
      for (const item of contents.items) {
        const key = String(item.key?.value ?? '');
        const drop = (OVERRIDDEN as readonly string[]).includes(key) ? over[key as keyof typeof over] !== undefined : (key === 'patches' && fluxPatches.length > 0) || (key === 'components' && fluxComponents.length > 0);
        if (!drop || !item.key?.range) continue;
        text = blankRange(text, orig.map(item.key.range[0]), orig.map(item.value?.range?.[2] ?? item.key.range[2]));
        copied.delete(key);
      }
      if (!text.endsWith('\n')) text += '\n';
    }
  }
  const file = existing ?? joinPath(dir, 'kustomization.yaml');
  const keptLength = text.length;
  const segments: Segment[] = [];
  const origSpan = (p: PathSegment[]): FileSpan => (orig ? spanAt(orig, p) : fluxSpan(['path']));
  const line = (s: string, target: FileSpan, content?: Segment['content']) => {
    segments.push({ start: text.length, end: text.length + s.length, target, content: content ? { start: text.length + content.start, map: content.map } : undefined });
    text += `${s}\n`;
  };
  const header = (k: string) => {
    text += `${k}:\n`;
  };
  if (!existing) {
    line('apiVersion: kustomize.config.k8s.io/v1beta1', fluxSpan(['path']));
    line('kind: Kustomization', fluxSpan(['path']));
    const resources = implicitResources(host, dir);
    if (resources.length > 0) {
      header('resources');
      for (const r of resources) {
        const full = joinPath(dir, r);
        line(`- ${JSON.stringify(r)}`, { file: kustomizationFileIn(host, full) ?? full, start: 0, end: 0 });
      }
    }
  }
  for (const k of Object.keys(value)) {
    if (copied.has(k) || k === 'patches' || k === 'components' || (OVERRIDDEN as readonly string[]).includes(k)) continue;
    line(`${k}: ${JSON.stringify(value[k])}`, origSpan([k]));
  }
  for (const k of OVERRIDDEN) {
    const fluxField = k === 'namespace' ? 'targetNamespace' : k;
    if (over[k] !== undefined) line(`${k}: ${JSON.stringify(over[k])}`, fluxSpan([fluxField]));
    else if (!copied.has(k) && value[k] !== undefined) line(`${k}: ${JSON.stringify(value[k])}`, origSpan([k]));
  }
  const patchLine = (item: unknown, target: FileSpan, d: SourceDoc | undefined, path: PathSegment[]) => {
    if (!isPlainMap(item) || typeof item.patch !== 'string') return line(`- ${JSON.stringify(item)}`, target);
    const rest = Object.entries(item).filter(([k]) => k !== 'patch').map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}, `).join('');
    const prefix = `- {${rest}"patch": "`;
    const map = d ? inlineMap(d, [...path, 'patch']) : undefined;
    line(`- {${rest}"patch": ${JSON.stringify(item.patch)}}`, target, map ? { start: prefix.length, map } : undefined);
  };
  if (!copied.has('patches') && (fluxPatches.length > 0 || Array.isArray(value.patches))) {
    header('patches');
    if (Array.isArray(value.patches)) value.patches.forEach((p, i) => patchLine(p, origSpan(['patches', i]), orig, ['patches', i]));
    fluxPatches.forEach((p, i) => patchLine(isPlainMap(p) ? { ...(isPlainMap(p.target) ? { target: p.target } : {}), patch: p.patch } : p, fluxSpan(['patches', i]), ks, ['spec', 'patches', i]));
  }
  if (!copied.has('components') && (fluxComponents.length > 0 || Array.isArray(value.components))) {
    header('components');
    if (Array.isArray(value.components)) value.components.forEach((c, i) => line(`- ${JSON.stringify(c)}`, origSpan(['components', i])));
    for (const c of fluxComponents) line(`- ${JSON.stringify(c.value)}`, fluxSpan(['components', c.index]));
  }
  return { file, text, keptLength, segments, fallback: fluxSpan(['path']) };
}

function mapSpan<T extends FileSpan>(v: Virtual, s: T): T {
  if (s.file !== v.file) return s;
  if (s.start < v.keptLength) return s;
  const seg = v.segments.find((g) => s.start >= g.start && s.start <= g.end);
  if (!seg) return { ...s, ...v.fallback };
  if (seg.content && s.start >= seg.content.start) {
    const m = seg.content.map;
    const start = m(s.start - seg.content.start);
    const end = Math.max(start, m(Math.min(s.end, seg.end) - seg.content.start));
    return { ...s, file: seg.target.file, start, end };
  }
  return { ...s, file: seg.target.file, start: seg.target.start, end: seg.target.end };
}

function overlayHost(host: EngineHost, v: Virtual): EngineHost {
  const dir = v.file.slice(0, v.file.lastIndexOf('/'));
  const name = v.file.slice(dir.length + 1);
  return {
    ...host,
    readFile: (p) => (p === v.file ? v.text : host.readFile(p)),
    readDir: (p) => {
      const entries = host.readDir(p);
      if (normalizePath(p) !== dir || !entries || entries.some((e) => e.name === name)) return entries;
      return [...entries, { name, isDirectory: false }];
    },
  };
}

// ---------------------------------------------------------------------------
// images and commonMetadata

/** Splits `registry:5000/app:1.0@sha256:...` into name, tag and digest. */
function splitImage(image: string): { name: string; tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: '', digest };
}

/** kustomize's image transformer over every `containers`/`initContainers` list (its legacy filter). */
export function applyImages(obj: unknown, images: unknown[]): void {
  const rules = images.filter(isPlainMap).filter((i) => typeof i.name === 'string');
  if (rules.length === 0) return;
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isPlainMap(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'containers' || k === 'initContainers') && Array.isArray(x)) {
        for (const c of x) {
          if (!isPlainMap(c) || typeof c.image !== 'string') continue;
          const cur = splitImage(c.image);
          const rule = rules.find((r) => r.name === cur.name);
          if (!rule) continue;
          let { name, tag, digest } = cur;
          if (typeof rule.newName === 'string' && rule.newName) name = rule.newName;
          const newTag = typeof rule.newTag === 'string' ? rule.newTag : '';
          const newDigest = typeof rule.digest === 'string' ? rule.digest : '';
          if (newTag || newDigest) {
            tag = newTag;
            digest = newDigest;
          }
          c.image = `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
        }
      }
      visit(x);
    }
  };
  visit(obj);
}

function applyCommonMetadata(obj: Record<string, unknown>, common: unknown): void {
  if (!isPlainMap(common)) return;
  const meta = isPlainMap(obj.metadata) ? obj.metadata : (obj.metadata = {});
  for (const field of ['labels', 'annotations'] as const) {
    const add = common[field];
    if (!isPlainMap(add) || Object.keys(add).length === 0) continue;
    const cur = isPlainMap(meta[field]) ? (meta[field] as Record<string, unknown>) : {};
    meta[field] = { ...cur, ...Object.fromEntries(Object.entries(add).map(([k, v]) => [k, String(v)])) };
  }
}

// ---------------------------------------------------------------------------
// postBuild substitution: variables from substituteFrom (in order, later
// entries win), then the inline map on top; values lose their newlines. Each
// object is written as YAML, substituted as text and read back, so a
// `${replicas}` written as a string becomes a number, as in Flux.

export interface VariableSource {
  value: string;
  /** Where the variable is defined (the substitute key, or the ConfigMap/Secret). */
  span: FileSpan;
  from: 'substitute' | 'ConfigMap' | 'Secret';
}

export interface SubstitutionChange {
  /** Path of the substituted value in the object. */
  path: PathSegment[];
  variables: string[];
  before: unknown;
  after: unknown;
  /** Where the `${...}` is written (a resource file or a patch). */
  site: FileSpan;
}

const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

function decodeBase64(s: string): string | undefined {
  try {
    const bin = atob(s.replace(/\s+/g, ''));
    return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The data of a ConfigMap/Secret of the workspace (built from its generator when it is generated). */
function objectData(index: WorkspaceIndex, host: EngineHost, obj: IndexedObject): { data: Record<string, string>; sops: boolean } | undefined {
  let value: Record<string, unknown> | undefined;
  if (obj.generated) {
    const dir = obj.file.slice(0, obj.file.lastIndexOf('/'));
    const built = buildKustomization(host, dir).resources.map((r) => r.object);
    value = built.find((o) => o.kind === obj.kind && isPlainMap(o.metadata) && (o.metadata.name === obj.name || (obj.generated!.hashSuffix && String(o.metadata.name).startsWith(`${obj.name}-`))));
  } else value = index.valueOf(obj);
  if (!value) return undefined;
  const data: Record<string, string> = {};
  const str = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v));
  if (isPlainMap(value.data)) {
    for (const [k, v] of Object.entries(value.data)) data[k] = obj.kind === 'Secret' ? (decodeBase64(str(v)) ?? '') : str(v);
  }
  if (obj.kind === 'Secret' && isPlainMap(value.stringData)) for (const [k, v] of Object.entries(value.stringData)) data[k] = str(v);
  return { data, sops: isPlainMap(value.sops) };
}

/** The postBuild variables of a Flux Kustomization, and whether substitution runs at all. */
export function collectVariables(index: WorkspaceIndex, host: EngineHost, ks: IndexedObject, sd: SourceDoc, spec: Record<string, unknown>, diagnostics: KustomizeDiagnostic[]): { variables: Map<string, VariableSource>; enabled: boolean } {
  const variables = new Map<string, VariableSource>();
  const postBuild = spec.postBuild;
  if (!isPlainMap(postBuild)) return { variables, enabled: false };
  const define = (name: string, value: string, span: FileSpan, from: VariableSource['from']) => {
    if (!VARIABLE_NAME.test(name)) {
      diagnostics.push({ ...span, severity: 'error', code: 'flux-variable-name', message: `'${name}' is not a valid variable name (must match ^[_[:alpha:]][_[:alpha:][:digit:]]*$): kustomize-controller fails the build` });
      return;
    }
    variables.set(name, { value: value.replace(/\n/g, ''), span, from });
  };
  // Only a string is a namespace (a map written there must not print as [object Object]).
  const written = isPlainMap(sd.value) && isPlainMap((sd.value as Record<string, unknown>).metadata) ? (sd.value as { metadata: { namespace?: unknown } }).metadata.namespace : undefined;
  const ns = ks.namespace ?? (typeof written === 'string' && written !== '' ? written : undefined);
  const from = Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : [];
  from.forEach((ref, i) => {
    if (!isPlainMap(ref) || typeof ref.name !== 'string' || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')) return;
    const at = spanAt(sd, ['spec', 'postBuild', 'substituteFrom', i, 'name']);
    const found = index.find(ref.kind, ref.name, ns).sort((a, b) => commonPrefix(b.file, ks.file) - commonPrefix(a.file, ks.file));
    const data = found.length ? objectData(index, host, found[0]) : undefined;
    if (!data) {
      if (ref.optional !== true) diagnostics.push({ ...at, severity: 'error', code: 'flux-substitute-from-missing', message: `${ref.kind} ${ns ? `${ns}/` : ''}${ref.name} is not in the workspace: kustomize-controller fails unless the object exists in the cluster (or the entry is optional: true)` });
      return;
    }
    const obj = found[0];
    const where: FileSpan = { file: obj.file, start: obj.nameOffset ?? obj.start, end: (obj.nameOffset ?? obj.start) + obj.name.length };
    // A SOPS-encrypted object keeps its keys in plain text: they define variables whose values are not known here,
    // so each `${name}` is left as written (the value the cluster substitutes cannot be checked).
    for (const [k, v] of Object.entries(data.data)) define(k, data.sops ? `\${${k}}` : v, where, ref.kind);
  });
  if (isPlainMap(postBuild.substitute)) {
    for (const [k, v] of Object.entries(postBuild.substitute)) define(k, v === null || v === undefined ? '' : String(v), spanAt(sd, ['spec', 'postBuild', 'substitute', k]), 'substitute');
  }
  return { variables, enabled: variables.size > 0 || postBuild.substituteStrategy === 'Always' };
}

export interface SubstitutionUse {
  name: string;
  path: PathSegment[];
  hasDefault: boolean;
  /** The expression as written, e.g. `${cluster_env:=dev}`. */
  expression: string;
}

export interface ObjectSubstitution {
  object: Record<string, unknown>;
  uses: SubstitutionUse[];
  /** The object is labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`. */
  skipped: boolean;
  error?: { message: string; path: PathSegment[] };
}


/** Whether any key or string value of a plain value contains `$` (what substitution could act on). */
function mentionsDollar(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('$');
  if (Array.isArray(v)) return v.some(mentionsDollar);
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k.includes('$') || mentionsDollar(x)) return true;
  }
  return false;
}

/** The substitution uses in the keys and strings of a value, with their paths; undefined when a string does not substitute on its own. */
function usesInLeaves(v: unknown, vars: ReadonlyMap<string, string>, path: PathSegment[] = [], out: SubstitutionUse[] = []): SubstitutionUse[] | undefined {
  const scan = (s: string, at: PathSegment[]): boolean => {
    if (!s.includes('$')) return true;
    const r = substitute(s, vars);
    if (!r.ok) return false;
    for (const u of r.uses) out.push({ name: u.name, path: at, hasDefault: u.hasDefault, expression: s.slice(u.start, u.end) });
    return true;
  };
  if (typeof v === 'string') return scan(v, path) ? out : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!usesInLeaves(v[i], vars, [...path, i], out)) return undefined;
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!scan(k, [...path, k]) || !usesInLeaves(x, vars, [...path, k], out)) return undefined;
    }
  }
  return out;
}

/** Substitutes one object with Flux's rules (pure: the caller decides whether substitution runs). */
export function substituteObject(obj: Record<string, unknown>, vars: ReadonlyMap<string, string>): ObjectSubstitution {
  const meta = isPlainMap(obj.metadata) ? obj.metadata : {};
  const marked = (m: unknown) => isPlainMap(m) && m[SUBSTITUTE_KEY] === 'disabled';
  if (marked(meta.labels) || marked(meta.annotations)) return { object: obj, uses: [], skipped: true };
  if (!mentionsDollar(obj)) return { object: obj, uses: [], skipped: false }; // nothing the substitution could change (no need to write it out)
  const text = stringify(obj, { version: '1.1', lineWidth: 0 });
  if (!text.includes('$')) return { object: obj, uses: [], skipped: false };
  let pre: ReturnType<typeof parseDocument> | undefined;
  const pathAt = (offset: number) => findAtOffset((pre ??= parseDocument(text, YAML_OPTIONS)).contents, offset).path;
  const r = substitute(text, vars);
  if (!r.ok) return { object: obj, uses: [], skipped: false, error: { message: `variable substitution failed: ${r.error}`, path: pathAt(r.offset) } };
  // Where each use is: read from the object's own strings when they account for every use (no second parse).
  const leafUses = usesInLeaves(obj, vars);
  const uses = leafUses && leafUses.length === r.uses.length ? leafUses : r.uses.map((u) => ({ name: u.name, path: pathAt(u.start), hasDefault: u.hasDefault, expression: text.slice(u.start, u.end) }));
  if (r.text === text) return { object: obj, uses, skipped: false }; // every variable stood for itself
  // The library's text of a plain object is mostly plain block YAML: read quickly, else parsed (and its errors reported).
  const quick = readPlainDocument(r.text, 'kustomization');
  if (quick) return isPlainMap(quick.value) ? { object: quick.value, uses, skipped: false } : { object: obj, uses, skipped: false, error: { message: 'the substituted object is no longer an object', path: [] } };
  const post = parseDocument(r.text, YAML_OPTIONS);
  if (post.errors.length > 0) return { object: obj, uses, skipped: false, error: { message: `the substituted object is not valid YAML: ${post.errors[0].message.split('\n')[0]}`, path: uses[0]?.path ?? [] } };
  const value = post.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  if (!isPlainMap(value)) return { object: obj, uses, skipped: false, error: { message: 'the substituted object is no longer an object', path: [] } };
  return { object: value, uses, skipped: false };
}

/** Narrows a span to the first occurrence of `needle` in its text, when it is there. */
function narrow(host: EngineHost, s: FileSpan, needle: string): FileSpan {
  const text = host.readFile(s.file);
  if (!text) return s;
  const i = text.slice(s.start, Math.max(s.end, s.start)).indexOf(needle);
  return i < 0 ? s : { file: s.file, start: s.start + i, end: s.start + i + needle.length };
}

/** Substitutes a built resource, recording what changed and reporting problems at the source. */
export function substituteResource(host: EngineHost, resource: BuiltResource, vars: Map<string, VariableSource>, diagnostics: KustomizeDiagnostic[]): { object: Record<string, unknown>; changes: SubstitutionChange[] } {
  const plain = new Map([...vars].map(([k, v]) => [k, v.value]));
  const res = substituteObject(resource.object, plain);
  const site = (path: PathSegment[], expression?: string) => {
    const at = locateInBuilt(host, resource, path);
    const s = { file: at.file, start: at.start, end: at.end };
    return expression ? narrow(host, s, expression) : s;
  };
  if (res.error) {
    diagnostics.push({ ...site(res.error.path), severity: 'error', code: 'flux-substitution', message: res.error.message });
    return { object: resource.object, changes: [] };
  }
  const changes: SubstitutionChange[] = [];
  for (const u of res.uses) {
    if (!vars.has(u.name) && !u.hasDefault) {
      diagnostics.push({ ...site(u.path, u.expression), severity: 'info', code: 'flux-variable-undefined', message: `\${${u.name}} has no value and no default: it becomes an empty string (an error with the StrictPostBuildSubstitutions feature gate)` });
    }
    const key = JSON.stringify(u.path);
    const existing = changes.find((c) => JSON.stringify(c.path) === key);
    if (existing) {
      if (!existing.variables.includes(u.name)) existing.variables.push(u.name);
      continue;
    }
    changes.push({ path: u.path, variables: [u.name], before: valueAt(resource.object, u.path), after: valueAt(res.object, u.path), site: site(u.path, u.expression) });
  }
  return { object: res.object, changes };
}

// ---------------------------------------------------------------------------

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export interface EvaluateOptions {
  /**
   * The Kustomization as Flux applies it (its parent's patches and postBuild
   * substitution applied, or synthesized for a Flux Operator sync). Its
   * `spec` is evaluated; spans still point into the written document.
   */
  applied?: Record<string, unknown>;
  /** Whether a sourceRef is this repository (see fleet/roots.ts); default: the `flux-system` GitRepository. */
  isThisRepository?: (ref: unknown, fromNamespace: string | undefined) => boolean;
  /** The document to read spans from instead of the object's own (internal: created Kustomizations). */
  source?: SourceDoc;
}

const defaultThisRepository = (ref: unknown) => isPlainMap(ref) && ref.kind === 'GitRepository' && ref.name === 'flux-system';

/** Evaluates one Flux Kustomization of the workspace. Never throws on user input. */
export function evaluateFluxKustomization(ws: FluxWorkspace, host: EngineHost, ks: IndexedObject, opts: EvaluateOptions = {}): FluxKustomizationBuild {
  const steps = evaluateFluxKustomizationSteps(ws, host, ks, opts);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/** evaluateFluxKustomization in steps: its kustomize build yields between entries (buildKustomizationSteps). */
export function* evaluateFluxKustomizationSteps(ws: FluxWorkspace, host: EngineHost, ks: IndexedObject, opts: EvaluateOptions = {}): Generator<void, FluxKustomizationBuild, void> {
  const diagnostics: KustomizeDiagnostic[] = [];
  // The file's large pieces in steps first: sourceDocOf parses what it has not parsed yet at once.
  const own = ws.index?.fileText(ks.file) ?? host.readFile(ks.file);
  if (own !== undefined) yield* warmParsedSource(ks.file, own);
  let sd = sourceDocOf(host, ws.index, ks);
  if (!sd && opts.applied && ks.createdBy) {
    // A Kustomization no file declares (a bootstrap placeholder): evaluate what Flux creates, and report
    // anything about the Kustomization itself at the start of the file that stands for it.
    const synthetic = parseSource(ks.file, stringify(opts.applied)).docs[0];
    if (synthetic) {
      const result = yield* evaluateFluxKustomizationSteps(ws, host, { ...ks, createdBy: undefined, start: 0, end: 0 }, { ...opts, source: synthetic });
      const pin = <T extends FileSpan>(x: T): T => (x.file === ks.file ? { ...x, start: ks.start, end: ks.start } : x);
      return { ...result, source: { ...result.source, span: pin(result.source.span) }, diagnostics: result.diagnostics.map(pin) };
    }
  }
  if (opts.source) sd = opts.source;
  const span = sd ? spanAt(sd, []) : { file: ks.file, start: ks.start, end: ks.end };
  const result: FluxKustomizationBuild = { source: { file: ks.file, name: ks.name, namespace: ks.namespace, span }, implicit: false, resources: [], diagnostics, variables: new Map() };
  if (!sd || !isPlainMap(sd.value)) {
    diagnostics.push({ ...span, severity: 'error', code: 'flux-kustomization-invalid', message: 'the Flux Kustomization could not be read' });
    return result;
  }
  const applied = opts.applied ?? sd.value;
  const spec = isPlainMap(applied.spec) ? applied.spec : {};
  const written = typeof spec.path === 'string' ? spec.path : '';
  const ref = isPlainMap(spec.sourceRef) ? spec.sourceRef : {};
  const thisRepo = (opts.isThisRepository ?? defaultThisRepository)(ref, ks.namespace);
  if (!thisRepo) {
    // The path is inside another artifact: the workspace cannot build it, whether or not a folder of that name exists here.
    diagnostics.push({ ...spanAt(sd, ['spec', 'path']), severity: 'info', code: 'flux-path-elsewhere', message: `spec.path ${JSON.stringify(written || './')} is read from ${String(ref.kind ?? 'the source')} ${String(ref.name ?? '')}, not from this repository: fluxhelm does not fetch it, so what it applies is not checked` });
    return result;
  }
  const root = ws.repoRootFor?.(ks.file, written) ?? ws.repoRoot ?? '/';
  const dir = joinPath(root, written.replace(/^\/+/, '') || '.');
  if (host.readDir(dir) === undefined) {
    diagnostics.push({ ...spanAt(sd, ['spec', 'path']), severity: 'error', code: 'flux-path-missing', message: `spec.path ${JSON.stringify(written || './')} is not a folder of this repository (${dir})` });
    return result;
  }
  result.dir = dir;
  result.implicit = kustomizationFileIn(host, dir) === undefined;
  const virtual = makeVirtual(host, dir, sd, spec, diagnostics);
  const built = yield* buildKustomizationSteps(virtual ? overlayHost(host, virtual) : host, dir);
  const remap = <T extends FileSpan>(s: T): T => (virtual ? mapSpan(virtual, s) : s);
  for (const d of built.diagnostics) diagnostics.push(remap(d));
  const appliedNs = isPlainMap(applied.metadata) && typeof applied.metadata.namespace === 'string' ? applied.metadata.namespace : undefined;
  const vars = collectVariables(ws.index, host, appliedNs ? { ...ks, namespace: appliedNs } : ks, sd, spec, diagnostics);
  result.variables = vars.variables;
  for (const r of built.resources) {
    const resource: BuiltResource = {
      object: r.object,
      origin: remap(r.origin),
      mergedFrom: r.mergedFrom.map(remap),
      patches: r.patches.map((p) => ({ ...remap(p), changes: p.changes.map(remap) })),
    };
    if (Array.isArray(spec.images)) applyImages(resource.object, spec.images);
    const kustomized = clone(resource.object);
    const sub = vars.enabled ? substituteResource(host, resource, vars.variables, diagnostics) : { object: resource.object, changes: [] };
    applyCommonMetadata(sub.object, spec.commonMetadata);
    result.resources.push({ ...resource, object: sub.object, kustomized, substitutions: sub.changes });
  }
  return result;
}

/** The Flux Kustomizations (kustomize.toolkit.fluxcd.io) of the workspace index. */
export function fluxKustomizations(index: WorkspaceIndex): IndexedObject[] {
  return [...index.allObjects()].filter((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'));
}

/** The folder a Flux Kustomization builds (absolute), without building it. */
export function fluxKustomizationDir(ws: FluxWorkspace, ks: IndexedObject): string | undefined {
  const v = ws.index.valueOf(ks);
  const spec = isPlainMap(v?.spec) ? v.spec : undefined;
  if (!spec) return undefined;
  const written = typeof spec.path === 'string' ? spec.path : '';
  return joinPath(ws.repoRootFor?.(ks.file, written) ?? ws.repoRoot ?? '/', written.replace(/^\/+/, '') || '.');
}
