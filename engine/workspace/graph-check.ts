/**
 * Workspace-wide checks over the reference graph: references that point at
 * nothing in the workspace, paths that do not exist, and dependsOn cycles.
 * Also tells which files kustomize uses as patches (they are partial on
 * purpose and are not checked for required fields on their own).
 *
 * References are cached per file and recomputed only when that file changes,
 * so re-checking after an edit costs little more than the lookups.
 */
import type { EngineHost } from '../host.ts';
import type { OffsetDiagnostic } from '../types.ts';
import type { IndexedObject, WorkspaceIndex } from './index.ts';
import { canReference, referencesOf, resolveObjectReference, type ObjectReference, type Reference, type ReferenceOptions } from './references.ts';
import { didYouMean } from '../util/suggest.ts';
import { KINDS } from '../kinds.ts';

/** Objects whose references are read anew between two pauses of refsOfFileSteps (about 0.4 ms each in a large file). */
const OBJECTS_PER_STEP = 20;

/** Kinds a reference can name; anything else is a schema (enum) error, not a missing object. */
const REFERABLE_KINDS = new Set(KINDS.map((k) => k.kind));

export interface GraphResult {
  /** Diagnostics per absolute file path. */
  byFile: Map<string, OffsetDiagnostic[]>;
  /** Files that a kustomization uses as patches. */
  patchFiles: Set<string>;
}

export class ReferenceCache {
  private readonly cache = new Map<string, { text: string | undefined; rule: string; refs: Reference[] }>();
  /** Whether paths exist (valid while the set of files stays the same), and "did you mean" hints. */
  private pathCache = { version: -1, entries: new Map<string, { file: boolean; dir: boolean }>() };
  private hintCache = { version: -1, entries: new Map<string, string>() };

  pathExists(host: EngineHost, p: string): { file: boolean; dir: boolean } {
    if (this.pathCache.version !== this.index.fileSetVersion) this.pathCache = { version: this.index.fileSetVersion, entries: new Map() };
    let e = this.pathCache.entries.get(p);
    if (!e) {
      const file = this.index.fileText(p) !== undefined || host.readFile(p) !== undefined;
      e = { file, dir: !file && host.readDir(p) !== undefined };
      this.pathCache.entries.set(p, e);
    }
    return e;
  }

  hint(key: string, compute: () => string): string {
    // Names change with any edit, so hints are kept only while nothing changed.
    if (this.hintCache.version !== this.index.version) this.hintCache = { version: this.index.version, entries: new Map() };
    let h = this.hintCache.entries.get(key);
    if (h === undefined) {
      h = compute();
      this.hintCache.entries.set(key, h);
    }
    return h;
  }
  constructor(private readonly index: WorkspaceIndex, private readonly options: ReferenceOptions = {}) {}

  refsOfFile(file: string): Reference[] {
    const steps = this.refsOfFileSteps(file);
    for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
  }

  /**
   * refsOfFile in steps: a pause after every OBJECTS_PER_STEP objects whose references are read anew (their places
   * in the text; a file of 1,000 HelmReleases took 360-500 ms). Those read before a pause are kept on their
   * documents, so a run dropped at a pause is not repeated.
   */
  *refsOfFileSteps(file: string): Generator<void, Reference[], void> {
    const text = this.index.fileText(file);
    const rule = this.options.ruleKey?.() ?? '';
    const hit = this.cache.get(file);
    if (hit && hit.text === text && hit.rule === rule) return hit.refs;
    const refs: Reference[] = [];
    let read = 0;
    for (const obj of this.index.objectsIn(file)) {
      if (!canReference(this.index, obj)) continue;
      // References are kept on the parsed document: an edit elsewhere in the file reuses them (shifted).
      const doc = obj.generated ? undefined : this.index.documentOf(obj);
      const key = `refs:${this.options.repoRoot ?? ''}:${this.options.ruleKey?.() ?? ''}`;
      const memo = doc?.memo.get(key) as { start: number; from: IndexedObject; refs: Reference[] } | undefined;
      if (doc && memo) {
        const delta = doc.start - memo.start;
        for (const r of memo.refs) refs.push({ ...r, from: obj, start: r.start + delta, end: r.end + delta } as Reference);
        continue;
      }
      if (++read % OBJECTS_PER_STEP === 0) yield;
      const own = referencesOf(this.index, obj, this.options);
      if (doc) doc.memo.set(key, { start: doc.start, from: obj, refs: own });
      refs.push(...own);
    }
    this.cache.set(file, { text, rule, refs });
    return refs;
  }

  all(): Reference[] {
    const steps = this.allSteps();
    for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
  }

  /** all() in steps (refsOfFileSteps): the workspace check reads the references first, between messages. */
  *allSteps(): Generator<void, Reference[], void> {
    const live = new Set(this.index.filePaths());
    for (const f of this.cache.keys()) if (!live.has(f)) this.cache.delete(f);
    const out: Reference[] = [];
    for (const f of live) for (const r of yield* this.refsOfFileSteps(f)) out.push(r);
    return out;
  }
}

function objectKey(o: IndexedObject): string {
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

function describe(ref: ObjectReference): string {
  return `${ref.kind} \`${ref.name}\`${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`;
}

function push(map: Map<string, OffsetDiagnostic[]>, file: string, d: OffsetDiagnostic): void {
  const list = map.get(file);
  if (list) list.push(d);
  else map.set(file, [d]);
}

const isDependsOnNode = (o: IndexedObject) =>
  (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) ||
  (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'));

/** Limits which objects may satisfy a reference (the fleet model: the cluster that applies the referring object). */
export interface ReferenceScope {
  allows(from: IndexedObject, target: IndexedObject): boolean;
  /** The object's paths are checked as Flux applies it elsewhere (a cluster tree evaluates it): skip the written ones. */
  checkedAsApplied?(from: IndexedObject): boolean;
}

export function checkGraph(index: WorkspaceIndex, host: EngineHost, cache: ReferenceCache, scope?: ReferenceScope): GraphResult {
  const byFile = new Map<string, OffsetDiagnostic[]>();
  const patchFiles = new Set<string>();
  const refs = cache.all();
  const edges = new Map<string, { to: IndexedObject; ref: ObjectReference }[]>();
  // Looked up once per check, not once per reference.
  const namesByKind = new Map<string, string[]>();
  const byName = new Map<string, IndexedObject[]>();
  for (const o of index.allObjects()) {
    const names = namesByKind.get(o.kind);
    if (names) names.push(o.name);
    else namesByKind.set(o.kind, [o.name]);
    const same = byName.get(o.name);
    if (same) same.push(o);
    else byName.set(o.name, [o]);
  }
  const stat = (p: string) => cache.pathExists(host, p);

  for (const ref of refs) {
    if (ref.type === 'path') {
      if (ref.role === 'patch') patchFiles.add(ref.target);
      if (ref.role === 'kustomization-path' && scope?.checkedAsApplied?.(ref.from)) continue;
      const { file: isFile, dir: isDir } = stat(ref.target);
      const ok = ref.expect === 'file' ? isFile : ref.expect === 'dir' ? isDir : isFile || isDir;
      if (!ok) {
        const what = ref.expect === 'dir' ? 'folder' : ref.expect === 'file' ? 'file' : 'file or folder';
        push(byFile, ref.from.file, { start: ref.start, end: ref.end, severity: 'error', code: 'missing-path', message: `${what} \`${ref.written}\` does not exist (${ref.target})` });
      }
      continue;
    }
    const all = resolveObjectReference(index, ref);
    const targets = scope ? all.filter((t) => scope.allows(ref.from, t)) : all;
    if (targets.length === 0) {
      if (ref.optional || !REFERABLE_KINDS.has(ref.kind)) continue;
      if (all.length > 0) {
        // It exists, but only in what another cluster applies.
        push(byFile, ref.from.file, { start: ref.start, end: ref.end, severity: ref.kind === 'Secret' ? 'info' : 'warning', code: 'dangling-reference', message: `${describe(ref)} is not applied to the cluster that applies this object; one exists in ${all[0].file}, which another cluster root applies` });
        continue;
      }
      const elsewhere = ref.namespace ? index.find(ref.kind, ref.name).filter((o) => o.namespace && o.namespace !== ref.namespace) : [];
      const sourceKinds = new Set(['HelmRepository', 'GitRepository', 'Bucket', 'OCIRepository', 'HelmChart', 'ExternalArtifact']);
      const otherKind = sourceKinds.has(ref.kind) ? (byName.get(ref.name) ?? []).find((o) => o.kind !== ref.kind && sourceKinds.has(o.kind)) : undefined;
      const names = namesByKind.get(ref.kind) ?? [];
      const suggestion = () => cache.hint(`${ref.kind}/${ref.name}`, () => didYouMean(ref.name, names));
      const hint = elsewhere.length
        ? ref.namespaceWritten
          ? `; one exists in namespace ${elsewhere[0].namespace}`
          : `; one exists in namespace ${elsewhere[0].namespace} (a reference without a namespace looks only in its own namespace: set \`namespace: ${elsewhere[0].namespace}\`)`
        : otherKind
          ? ` (there is a ${otherKind.kind} with that name: check \`kind\`)`
          : suggestion();
      const secret = ref.kind === 'Secret';
      push(byFile, ref.from.file, {
        start: ref.start,
        end: ref.end,
        severity: secret ? 'info' : 'warning',
        code: 'dangling-reference',
        message: `${describe(ref)} was not found in the workspace${hint}${secret ? '; Secrets are often created outside Git, but Flux needs it in the cluster' : ''}`,
      });
      continue;
    }
    const hashed = targets.filter((t) => t.generated?.hashSuffix && !t.generated.customNameReferences);
    if (hashed.length === targets.length && (ref.role === 'valuesFrom' || ref.role === 'substituteFrom')) {
      push(byFile, ref.from.file, {
        start: ref.start,
        end: ref.end,
        severity: 'warning',
        code: 'generated-name-hash',
        message: `${ref.kind} \`${ref.name}\` is generated by ${hashed[0].file} with a name hash suffix, and kustomize does not rewrite names in Flux objects: Flux will look for \`${ref.name}\` and not find it. Set \`options.disableNameSuffixHash: true\` on the generator.`,
      });
    }
    if (ref.role === 'dependsOn' && isDependsOnNode(ref.from)) {
      const key = objectKey(ref.from);
      const list = edges.get(key) ?? [];
      list.push({ to: targets[0], ref });
      edges.set(key, list);
    }
  }

  // dependsOn cycles: depth-first search; every edge on a cycle gets the error.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: { key: string; obj: IndexedObject; ref?: ObjectReference }[] = [];
  const reported = new Set<ObjectReference>();
  const byKey = new Map<string, IndexedObject>();
  for (const o of index.allObjects()) if (isDependsOnNode(o)) byKey.set(objectKey(o), o);
  const visit = (key: string, obj: IndexedObject, via?: ObjectReference): void => {
    state.set(key, 'visiting');
    stack.push({ key, obj, ref: via });
    for (const e of edges.get(key) ?? []) {
      const toKey = objectKey(e.to);
      const s = state.get(toKey);
      if (s === 'visiting') {
        const from = stack.findIndex((f) => f.key === toKey);
        const cycle = stack.slice(from);
        const names = [...cycle.map((f) => `${f.obj.kind} ${f.obj.name}`), `${e.to.kind} ${e.to.name}`].join(' → ');
        const cycleRefs = [...cycle.slice(1).map((f) => f.ref!), e.ref];
        for (const r of cycleRefs) {
          if (reported.has(r)) continue;
          reported.add(r);
          push(byFile, r.from.file, { start: r.start, end: r.end, severity: 'error', code: 'dependency-cycle', message: `dependsOn cycle: ${names}; Flux will never reconcile these` });
        }
      } else if (s === undefined) visit(toKey, e.to, e.ref);
    }
    stack.pop();
    state.set(key, 'done');
  };
  for (const [key, obj] of byKey) if (!state.has(key)) visit(key, obj);

  for (const list of byFile.values()) list.sort((a, b) => a.start - b.start);
  return { byFile, patchFiles };
}
