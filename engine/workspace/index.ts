/**
 * The workspace index: every Kubernetes-style object in the YAML files of
 * the workspace folders (Flux objects, ConfigMaps, Secrets, kustomization.yaml
 * files...), with where it is. Shared by every feature that looks across
 * files (sourceRef lookups, valuesFrom, references, overlays).
 *
 * Indexing reads only document headers (see header-scan.ts), so a cold scan
 * of thousands of files is fast; a file's full parse is made on demand and
 * cached until the file changes. Updates are per file (`setFileText`), for
 * the server's didChangeWatchedFiles and open editors.
 */
import picomatch from 'picomatch';
import type { EngineHost } from '../host.ts';
import { scanHeaders } from './header-scan.ts';
import { parseYamlFile, type YamlFile, type YamlDocument } from '../yaml/documents.ts';
import { isKustomizationFile, isHelmTemplate } from '../validation/kind.ts';
import { parseDocument, isMap, isSeq, isScalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { YAML_OPTIONS } from '../yaml/documents.ts';
import { createdObjects, type CreatedBy } from './created-objects.ts';

export interface IndexedObject {
  /** Absolute path of the file. */
  file: string;
  /** Offsets of the document in the file. */
  start: number;
  end: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** As written in the file; undefined when the file leaves it to kustomize or Flux. */
  namespace?: string;
  nameOffset?: number;
  /** Set for ConfigMaps/Secrets that a kustomization.yaml generator produces. */
  generated?: { hashSuffix: boolean; customNameReferences: boolean };
  /**
   * Set for objects no file declares but something in the repository creates
   * (see created-objects.ts). They are kept apart from `allObjects()`/`find()`
   * and only satisfy references (`findCreated`).
   */
  createdBy?: CreatedBy;
}

interface FileEntry {
  text: string;
  objects: IndexedObject[];
  /** Objects that the file's documents make something create (not declared by it). */
  created: IndexedObject[];
  parsed?: YamlFile;
  /** The parse of an earlier text of this file, reused for the documents that did not change. */
  previous?: YamlFile;
}

export interface IndexOptions {
  roots: string[];
  /** Glob patterns (relative to a root) of files and folders to leave out. */
  exclude?: string[];
  /**
   * Index folders whose name starts with a dot (.github, .taskfiles...). Off
   * by default: they hold CI and tool configuration, not what Flux applies,
   * and the CLI does not check them either (setting `fluxhelm.workspace.dotFolders`).
   */
  dotFolders?: boolean;
}

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileEntry>();
  private readonly byName = new Map<string, IndexedObject[]>();
  private readonly createdByName = new Map<string, IndexedObject[]>();
  private readonly isExcluded: (relative: string) => boolean;
  /** Bumped on every change, so dependants can tell whether their cache is stale. */
  version = 0;
  /** Bumped only when files appear or disappear (not on edits): caches of path existence key on it. */
  fileSetVersion = 0;

  /**
   * `seed`: another index over the same paths (the working tree's, for the base side of a rendered diff). A file
   * whose text is the seed's takes the seed's objects and parse instead of scanning and parsing the text again.
   */
  constructor(private readonly host: EngineHost, readonly options: IndexOptions, private readonly seed?: WorkspaceIndex) {
    const patterns = options.exclude ?? [];
    const matcher = patterns.length ? picomatch(patterns, { dot: true }) : () => false;
    this.isExcluded = (rel) => matcher(rel);
  }

  /** Walks every root and indexes every YAML file found. Returns counts. */
  scan(): { files: number; objects: number } {
    this.fileSetVersion++;
    this.files.clear();
    this.byName.clear();
    this.createdByName.clear();
    for (const root of this.options.roots) this.walk(root, root);
    this.version++;
    let objects = 0;
    for (const f of this.files.values()) objects += f.objects.length;
    return { files: this.files.size, objects };
  }

  private relative(path: string): string | undefined {
    for (const root of this.options.roots) {
      const r = root.endsWith('/') ? root : `${root}/`;
      if (path.startsWith(r)) return path.slice(r.length);
    }
    return undefined;
  }

  private walk(root: string, dir: string): void {
    const entries = this.host.readDir(dir);
    if (!entries) return;
    for (const e of entries) {
      if (ALWAYS_SKIPPED.has(e.name) || (e.isDirectory && e.name.startsWith('.') && !this.options.dotFolders)) continue;
      const path = join(dir, e.name);
      const rel = path.slice(root.length).replace(/^\//, '');
      if (this.isExcluded(rel) || (e.isDirectory && this.isExcluded(`${rel}/`))) continue;
      if (e.isDirectory) this.walk(root, path);
      else if (/\.ya?ml$/i.test(e.name) || e.name === 'Kustomization') {
        const text = this.host.readFile(path);
        if (text !== undefined) this.add(path, text);
      }
    }
  }

  private add(path: string, text: string, parsed?: YamlFile): void {
    const same = parsed ? undefined : this.seed?.files.get(path);
    if (same && same.text === text) {
      // Objects depend on the path and the text only, and nothing changes them after they are made.
      for (const obj of same.objects) addTo(this.byName, obj);
      for (const obj of same.created) addTo(this.createdByName, obj);
      this.files.set(path, { text, objects: same.objects, created: same.created, ...(same.parsed ? { parsed: same.parsed } : {}) });
      return;
    }
    const objects: IndexedObject[] = [];
    // Chart templates are Go templates that only look like YAML; they hold no objects of the workspace.
    if (isHelmTemplate(path, text)) {
      this.files.set(path, { text, objects, created: [] });
      return;
    }
    const kustomization = isKustomizationFile(path);
    for (const h of scanHeaders(text)) {
      let { apiVersion, kind } = h;
      if (kustomization && apiVersion === undefined && kind === undefined) {
        apiVersion = 'kustomize.config.k8s.io/v1beta1';
        kind = 'Kustomization';
      }
      if (!apiVersion || !kind) continue;
      objects.push({ file: path, start: h.start, end: h.end, apiVersion, kind, name: h.name ?? '', namespace: h.namespace, nameOffset: h.nameOffset });
    }
    if (kustomization) objects.push(...generatedObjects(path, text, parsed?.text === text ? parsed : undefined));
    for (const obj of objects) addTo(this.byName, obj);
    const created = createdObjects(path, text, objects);
    for (const obj of created) addTo(this.createdByName, obj);
    this.files.set(path, { text, objects, created });
  }

  private remove(path: string): void {
    const entry = this.files.get(path);
    if (!entry) return;
    for (const o of entry.objects) removeFrom(this.byName, o);
    for (const o of entry.created) removeFrom(this.createdByName, o);
    this.files.delete(path);
  }

  /**
   * Updates one file: new text, or `undefined` when it was deleted. Files
   * outside the roots or excluded are ignored. Returns true when anything changed.
   */
  setFileText(path: string, text: string | undefined, parsed?: YamlFile): boolean {
    const rel = this.relative(path);
    const segments = rel?.split('/') ?? [];
    const inDotFolder = !this.options.dotFolders && segments.slice(0, -1).some((seg) => seg.startsWith('.'));
    if (rel === undefined || this.isExcluded(rel) || inDotFolder || segments.some((seg) => ALWAYS_SKIPPED.has(seg))) return false;
    const old = this.files.get(path);
    if (old && old.text === text) {
      if (parsed && !old.parsed && parsed.text === text) old.parsed = parsed;
      return false;
    }
    if (!old && text === undefined) return false;
    const previous = old?.parsed ?? old?.previous;
    if (!old || text === undefined) this.fileSetVersion++;
    this.remove(path);
    if (text !== undefined && (/\.ya?ml$/i.test(path) || path.endsWith('/Kustomization'))) {
      this.add(path, text, parsed);
      const entry = this.files.get(path);
      if (entry) {
        if (parsed && parsed.text === text) entry.parsed = parsed;
        else entry.previous = previous;
      }
    }
    this.version++;
    return true;
  }

  /** Re-reads one file through the host (for file-watcher events). */
  refreshFile(path: string): boolean {
    return this.setFileText(path, this.host.readFile(path));
  }

  get fileCount(): number {
    return this.files.size;
  }

  *allObjects(): Iterable<IndexedObject> {
    for (const f of this.files.values()) yield* f.objects;
  }

  filePaths(): string[] {
    return [...this.files.keys()];
  }

  fileText(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  objectsIn(path: string): IndexedObject[] {
    return this.files.get(path)?.objects ?? [];
  }

  /**
   * Objects of `kind` named `name`. When `namespace` is given, objects with a
   * different explicit namespace are left out; objects whose namespace is set
   * elsewhere (kustomize, Flux) still match.
   */
  find(kind: string, name: string, namespace?: string): IndexedObject[] {
    const list = this.byName.get(`${kind}/${name}`) ?? [];
    return namespace === undefined ? list : list.filter((o) => o.namespace === undefined || o.namespace === namespace);
  }

  /**
   * Objects of `kind` named `name` that something in the workspace creates
   * (created-objects.ts), with the same namespace rule as `find`.
   */
  findCreated(kind: string, name: string, namespace?: string): IndexedObject[] {
    const list = this.createdByName.get(`${kind}/${name}`) ?? [];
    return namespace === undefined ? list : list.filter((o) => o.namespace === undefined || o.namespace === namespace);
  }

  /** Every created object (see `findCreated`). */
  *allCreated(): Iterable<IndexedObject> {
    for (const f of this.files.values()) yield* f.created;
  }

  /** The full parse of a file (cached until the file changes). */
  parsedFile(path: string): YamlFile | undefined {
    const entry = this.files.get(path);
    if (!entry) return undefined;
    if (!entry.parsed) {
      entry.parsed = parseYamlFile(`file://${path}`, entry.text, entry.previous);
      entry.previous = undefined;
    }
    return entry.parsed;
  }

  /** The parsed document of an indexed object. */
  documentOf(obj: IndexedObject): YamlDocument | undefined {
    const file = this.parsedFile(obj.file);
    return file?.docs.find((d) => d.start <= obj.start && obj.start < Math.max(d.end, d.start + 1)) ?? file?.docs.find((d) => d.start === obj.start);
  }

  /** The plain value of an indexed object (full parse). */
  valueOf(obj: IndexedObject): Record<string, unknown> | undefined {
    const v = this.documentOf(obj)?.value();
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  }
}

function addTo(map: Map<string, IndexedObject[]>, obj: IndexedObject): void {
  const key = `${obj.kind}/${obj.name}`;
  const list = map.get(key);
  if (list) list.push(obj);
  else map.set(key, [obj]);
}

function removeFrom(map: Map<string, IndexedObject[]>, obj: IndexedObject): void {
  const key = `${obj.kind}/${obj.name}`;
  const list = map.get(key)?.filter((x) => x !== obj) ?? [];
  if (list.length) map.set(key, list);
  else map.delete(key);
}

/**
 * The ConfigMaps and Secrets a kustomization.yaml generates
 * (configMapGenerator/secretGenerator), so references to them resolve.
 */
function generatedObjects(path: string, text: string, parsed?: YamlFile): IndexedObject[] {
  const out: IndexedObject[] = [];
  // Most kustomization files generate nothing: no generator key, no parse (a full parse of every one cost ~0.5 s
  // of indexing onedr0p-home-ops, where 4 of 104 have one).
  if (!text.includes('Generator')) return out;
  // The first document, from the editor's parse when there is one (a kustomization file of several hundred
  // kilobytes was parsed again on every keystroke); its offsets are the file's, as it starts the file.
  const first = parsed?.docs[0];
  let doc;
  try {
    doc = first && first.start === 0 && first.piecePart.index === 0 ? first.doc : parseDocument(text, YAML_OPTIONS);
  } catch {
    return out;
  }
  const root = isMap(doc.contents) ? (doc.contents as YAMLMap) : undefined;
  if (!root) return out;
  const scalarOf = (m: YAMLMap | undefined, key: string) => {
    const v = m?.get(key, true);
    return isScalar(v) ? v : undefined;
  };
  const ns = scalarOf(root, 'namespace')?.value;
  const mapOf = (m: YAMLMap, key: string): YAMLMap | undefined => {
    const v: unknown = m.get(key, true);
    return isMap(v) ? (v as YAMLMap) : undefined;
  };
  const globalOptions = mapOf(root, 'generatorOptions');
  const globalNoHash = scalarOf(globalOptions, 'disableNameSuffixHash')?.value === true;
  const customNameReferences = isSeq(root.get('configurations', true));
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    const list = root.get(field, true);
    if (!isSeq(list)) continue;
    for (const item of (list as YAMLSeq).items) {
      if (!isMap(item)) continue;
      const m = item as YAMLMap;
      const name = scalarOf(m, 'name');
      if (!name || typeof name.value !== 'string' || !name.range) continue;
      if (scalarOf(m, 'behavior')?.value === 'merge' || scalarOf(m, 'behavior')?.value === 'replace') continue;
      const options = mapOf(m, 'options');
      const local = scalarOf(options, 'disableNameSuffixHash')?.value;
      const noHash = local === true || (local === undefined && globalNoHash);
      const namespace = scalarOf(m, 'namespace')?.value ?? ns;
      out.push({
        file: path,
        start: 0,
        end: text.length,
        apiVersion: 'v1',
        kind,
        name: name.value,
        namespace: typeof namespace === 'string' ? namespace : undefined,
        nameOffset: name.range[0],
        generated: { hashSuffix: !noHash, customNameReferences },
      });
    }
  }
  return out;
}
