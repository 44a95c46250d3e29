/**
 * `kustomize build` for what Flux fleet repositories use, in the order of
 * kustomize v5's KustTarget: resources (files and nested kustomizations),
 * generators, components, then the transformers (legacy strategic merge
 * patches, patches, namespace, prefix, suffix, labels, annotations, legacy
 * JSON 6902 patches, replacements); at the top only, hash suffixes and name
 * back-references (with the `configurations` name references of every
 * level). Fields fluxhelm does not evaluate (images, replicas, helmCharts,
 * plugins, remote bases...) are reported as info diagnostics and skipped,
 * never guessed at. Never throws on user input.
 */
import type { EngineHost } from '../host.ts';
import { joinPath, normalizePath, isRemoteReference } from './paths.ts';
import { parsedSource, warmParsedSource } from './parsed-sources.ts';
import { parseSource, spanAt, keySpanAt, type SourceDoc } from './source.ts';
import { Res, isPlainMap, idEquals, formatId, deepClone, effectiveNamespace } from './resource.ts';
import { runGenerator } from './generators.ts';
import { runPatches, runPatchesStrategicMerge, runPatchesJson6902, type PatchContext } from './patches.ts';
import { transformNamespace, transformPrefix, transformSuffix, transformLabels, transformAnnotations } from './transformers.ts';
import { resourceHash } from './hash.ts';
import { fixNameReferences } from './nameref.ts';
import { legacySort } from './order.ts';
import { loadConfigurations } from './configurations.ts';
import { runReplacements } from './replacements.ts';
import type { NameRefSpec } from './fieldspecs.ts';
import type { BuiltResource, KustomizeBuild, KustomizeDiagnostic, PathSegment } from './types.ts';

export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const EVALUATED = new Set(['apiVersion', 'kind', 'metadata', 'resources', 'bases', 'components', 'namespace', 'namePrefix', 'nameSuffix', 'labels', 'commonLabels', 'commonAnnotations', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'replacements', 'configurations']);
const NOT_EVALUATED = new Set(['images', 'imageTags', 'replicas', 'vars', 'helmCharts', 'helmGlobals', 'helmChartInflationGenerator', 'transformers', 'generators', 'validators', 'openapi', 'crds', 'buildMetadata', 'inventory', 'sortOptions']);
const MAX_DEPTH = 50;

interface Kustomization {
  file: string;
  doc: SourceDoc;
  value: Record<string, unknown>;
}

interface BuildContext {
  host: EngineHost;
  diagnostics: KustomizeDiagnostic[];
  /** Folders being built, outermost first (cycle detection). */
  stack: string[];
  /** Name references from `configurations` files at any level (applied once, at the end). */
  nameRefs: NameRefSpec[];
  /** Kustomization files warmKustomizationFile read, by folder, for the loadKustomization after it (read once). */
  read: Map<string, { file: string; text: string }[]>;
}

type Loaded = { ok: Kustomization } | { missing: true } | { error: string };

/** The kustomization files of a folder with their texts (those warmKustomizationFile read, when it did). */
function kustomizationFilesIn(ctx: BuildContext, dir: string): { file: string; text: string }[] {
  const kept = ctx.read.get(dir);
  if (kept) {
    ctx.read.delete(dir);
    return kept;
  }
  const out: { file: string; text: string }[] = [];
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const file = joinPath(dir, name);
    const text = ctx.host.readFile(file);
    if (text !== undefined) out.push({ file, text });
  }
  return out;
}

/** The large pieces of a folder's kustomization file parsed in steps before loadKustomization reads it (warmParsedSource). */
function* warmKustomizationFile(ctx: BuildContext, dir: string): Generator<void, void, void> {
  const files = kustomizationFilesIn(ctx, dir);
  ctx.read.set(dir, files);
  for (const { file, text } of files) yield* warmParsedSource(file, text, 'kustomization');
}

function loadKustomization(ctx: BuildContext, dir: string): Loaded {
  const found = kustomizationFilesIn(ctx, dir);
  if (found.length === 0) return { missing: true };
  if (found.length > 1) return { error: `${dir} has more than one kustomization file: ${found.map((f) => f.file.slice(dir.length + 1)).join(', ')}` };
  const { file, text } = found[0];
  // Piece by piece and shared with the editor's parse: a kustomization file being typed in is not parsed whole per build.
  const parsed = parsedSource(file, text, 'kustomization');
  ctx.diagnostics.push(...parsed.diagnostics);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { error: `${file} is not valid YAML` };
  const doc = parsed.docs[0];
  if (!doc) return { ok: { file, doc: parseSource(file, '{}', undefined, 'kustomization').docs[0], value: {} } };
  if (!isPlainMap(doc.value)) {
    ctx.diagnostics.push({ ...spanAt(doc, []), severity: 'error', code: 'kustomize-invalid', message: 'a kustomization must be a map' });
    return { error: `${file} is not a map` };
  }
  return { ok: { file, doc, value: doc.value } };
}

function diag(ctx: BuildContext, k: Kustomization, path: PathSegment[], severity: KustomizeDiagnostic['severity'], code: string, message: string): void {
  ctx.diagnostics.push({ ...(path.length === 1 ? keySpanAt(k.doc, path) : spanAt(k.doc, path)), path, severity, code, message });
}

function checkFields(ctx: BuildContext, k: Kustomization): void {
  for (const field of Object.keys(k.value)) {
    if (EVALUATED.has(field)) continue;
    if (NOT_EVALUATED.has(field)) diag(ctx, k, [field], 'info', 'kustomize-not-evaluated', `not evaluated by fluxhelm: ${field}`);
    else diag(ctx, k, [field], 'error', 'kustomize-unknown-field', `unknown kustomization field \`${field}\`: kustomize rejects this file`);
  }
}

/**
 * kustomize reads its file into Go structs: a number or boolean where a
 * string belongs (`version: 1.0` under commonLabels, `namespace: 123`)
 * fails the whole build, so it is an error here too.
 */
function checkTypes(ctx: BuildContext, k: Kustomization): void {
  const v = k.value;
  const bad = (path: PathSegment[], what: string) => diag(ctx, k, path, 'error', 'kustomize-type', `${what} must be a string: kustomize rejects this file (quote the value)`);
  for (const f of ['namespace', 'namePrefix', 'nameSuffix']) {
    if (v[f] !== undefined && v[f] !== null && typeof v[f] !== 'string') bad([f], `\`${f}\``);
  }
  const stringMap = (m: unknown, path: PathSegment[]) => {
    if (!isPlainMap(m)) return;
    for (const [key, x] of Object.entries(m)) if (x !== null && typeof x !== 'string') bad([...path, key], `the value of ${JSON.stringify(key)}`);
  };
  stringMap(v.commonLabels, ['commonLabels']);
  stringMap(v.commonAnnotations, ['commonAnnotations']);
  if (Array.isArray(v.labels)) v.labels.forEach((l, i) => isPlainMap(l) && stringMap(l.pairs, ['labels', i, 'pairs']));
  if (isPlainMap(v.generatorOptions)) {
    stringMap(v.generatorOptions.labels, ['generatorOptions', 'labels']);
    stringMap(v.generatorOptions.annotations, ['generatorOptions', 'annotations']);
  }
  for (const g of ['configMapGenerator', 'secretGenerator']) {
    const list = v[g];
    if (!Array.isArray(list)) continue;
    list.forEach((e, i) => {
      if (!isPlainMap(e) || !isPlainMap(e.options)) return;
      stringMap(e.options.labels, [g, i, 'options', 'labels']);
      stringMap(e.options.annotations, [g, i, 'options', 'annotations']);
    });
  }
}

/** One string per resource id, equal exactly when idEquals says so. */
function idKey(r: Res): string {
  const id = r.id;
  return JSON.stringify([id.group, id.version, id.kind, id.name, effectiveNamespace(id)]);
}

/** Adds resources, refusing ids that are already present (kustomize fails the build on those). */
function append(ctx: BuildContext, k: Kustomization, path: PathSegment[], ra: Res[], items: Res[]): void {
  // A set of the ids so far instead of comparing every new resource with all earlier ones.
  const seen = new Set(ra.map(idKey));
  for (const r of items) {
    const key = idKey(r);
    if (seen.has(key)) {
      diag(ctx, k, path, 'error', 'kustomize-duplicate-id', `${formatId(r.id)} is already defined (kustomize refuses two resources with the same id)`);
      continue;
    }
    seen.add(key);
    ra.push(r);
  }
}

function resourcesFromFile(ctx: BuildContext, k: Kustomization, path: PathSegment[], file: string, text: string): Res[] {
  // Shared parse (a file is a resource of many builds: components, bases); the values are cloned below before any edit.
  const parsed = parsedSource(file, text);
  ctx.diagnostics.push(...parsed.diagnostics);
  const out: Res[] = [];
  for (const d of parsed.docs) {
    const span = spanAt(d, []);
    const origin = { ...span, type: 'file' as const, documentIndex: d.index };
    if (!isPlainMap(d.value)) {
      ctx.diagnostics.push({ ...span, severity: 'error', code: 'kustomize-resource', message: 'a resource document must be an object' });
      continue;
    }
    const kind = d.value.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(d.value.items)) {
      d.value.items.forEach((item, i) => {
        if (isPlainMap(item)) out.push(new Res(deepClone(item), { ...spanAt(d, ['items', i]), type: 'file', documentIndex: d.index, listItem: i }));
      });
      continue;
    }
    const name = isPlainMap(d.value.metadata) ? d.value.metadata.name : undefined;
    if (typeof kind !== 'string' || kind === '' || typeof name !== 'string' || name === '') {
      ctx.diagnostics.push({ ...span, severity: 'error', code: 'kustomize-resource', message: `a resource needs \`kind\` and \`metadata.name\` (kustomize fails on this document, listed in ${k.file})` });
      continue;
    }
    out.push(new Res(deepClone(d.value), origin));
  }
  return out;
}

/** Builds a sub-folder (a base or a component); undefined after reporting why it cannot be built. */
function subKustomization(ctx: BuildContext, k: Kustomization, path: PathSegment[], dir: string, component: boolean): Kustomization | undefined {
  if (ctx.stack.includes(dir) || ctx.stack.length >= MAX_DEPTH) {
    diag(ctx, k, path, 'error', 'kustomize-cycle', `${dir} includes itself (cycle: ${[...ctx.stack, dir].join(' → ')})`);
    return undefined;
  }
  const loaded = loadKustomization(ctx, dir);
  if ('missing' in loaded) {
    diag(ctx, k, path, 'error', 'kustomize-missing', `${dir} has no kustomization.yaml, kustomization.yml or Kustomization`);
    return undefined;
  }
  if ('error' in loaded) {
    diag(ctx, k, path, 'error', 'kustomize-invalid', loaded.error);
    return undefined;
  }
  const isComponent = loaded.ok.value.kind === 'Component';
  if (component && !isComponent) {
    diag(ctx, k, path, 'error', 'kustomize-component', `${loaded.ok.file} must have kind: Component to be used as a component`);
    return undefined;
  }
  if (!component && isComponent) {
    diag(ctx, k, path, 'error', 'kustomize-component', `${loaded.ok.file} is a Component: list it under \`components\`, not \`resources\``);
    return undefined;
  }
  return loaded.ok;
}

function absorbGenerated(ctx: BuildContext, k: Kustomization, path: PathSegment[], ra: Res[], res: Res): void {
  const id = res.id;
  const behavior = res.generator?.behavior ?? 'create';
  const matches = ra.filter((x) => x.allIds().some((i) => idEquals(i, id)));
  if (matches.length === 0) {
    if (behavior !== 'create') {
      diag(ctx, k, path, 'error', 'kustomize-generator', `behavior ${behavior}: there is no ${formatId(id)} in the bases to ${behavior === 'merge' ? 'merge with' : 'replace'}`);
      return;
    }
    ra.push(res);
    return;
  }
  if (matches.length > 1) {
    diag(ctx, k, path, 'error', 'kustomize-generator', `${formatId(id)} matches ${matches.length} resources`);
    return;
  }
  const old = matches[0];
  if (behavior === 'create') {
    diag(ctx, k, path, 'error', 'kustomize-generator', `${formatId(id)} already exists: use behavior merge or replace`);
    return;
  }
  const meta = res.meta();
  const labels = { ...old.labels(), ...res.labels() };
  const annotations = { ...old.annotations(), ...res.annotations() };
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  res.setName(old.name);
  res.setNamespace(old.id.namespace);
  if (res.obj.kind === 'Secret' && old.obj.type !== undefined && old.obj.type !== res.obj.type) {
    const entry = (k.value[path[0] as string] as unknown[] | undefined)?.[path[1] as number];
    if (isPlainMap(entry) && entry.type === undefined) {
      diag(ctx, k, path, 'warning', 'kustomize-secret-type', `behavior ${behavior} gives this Secret type ${JSON.stringify(res.obj.type)} instead of ${JSON.stringify(old.obj.type)} (kustomize takes the type from this generator, which defaults to Opaque): add \`type: ${String(old.obj.type)}\``);
    }
  }
  if (behavior === 'merge') {
    for (const field of ['data', 'binaryData']) {
      const merged = { ...(isPlainMap(old.obj[field]) ? old.obj[field] : {}), ...(isPlainMap(res.obj[field]) ? res.obj[field] : {}) };
      if (Object.keys(merged).length > 0) res.obj[field] = merged;
    }
  }
  const replacement = new Res(res.obj, behavior === 'merge' ? old.origin : res.origin);
  replacement.prevIds = old.prevIds;
  replacement.prefixes = old.prefixes;
  replacement.suffixes = old.suffixes;
  // The hash suffix survives only when both generators want it (checked against kustomize v5.6).
  replacement.needsHash = old.needsHash && res.needsHash;
  replacement.generator = old.generator;
  replacement.patches = old.patches;
  replacement.mergedFrom = [...old.mergedFrom, res.generator!.span];
  ra[ra.indexOf(old)] = replacement;
}

function* accumulate(ctx: BuildContext, dir: string, k: Kustomization, ra: Res[]): Generator<void, Res[], void> {
  ctx.stack.push(dir);
  checkFields(ctx, k);
  checkTypes(ctx, k);
  const v = k.value;
  ctx.nameRefs.push(...loadConfigurations(ctx.host, dir, v.configurations, k.doc, ctx.diagnostics));
  for (const field of ['resources', 'bases'] as const) {
    const list = v[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      diag(ctx, k, [field], 'error', 'kustomize-invalid', `\`${field}\` must be a list`);
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      yield;
      const entry: unknown = list[i];
      const path = [field, i];
      if (typeof entry !== 'string' || entry === '') {
        diag(ctx, k, path, 'error', 'kustomize-invalid', 'a resource entry must be a path');
        continue;
      }
      if (isRemoteReference(entry)) {
        diag(ctx, k, path, 'info', 'kustomize-not-evaluated', `not evaluated by fluxhelm: remote resource ${entry}`);
        continue;
      }
      const full = joinPath(dir, entry);
      const text = ctx.host.readFile(full);
      if (text !== undefined) {
        yield* warmParsedSource(full, text);
        append(ctx, k, path, ra, resourcesFromFile(ctx, k, path, full, text));
        continue;
      }
      if (ctx.host.readDir(full) === undefined) {
        diag(ctx, k, path, 'error', 'kustomize-missing', `${entry} not found (no such file or folder next to ${k.file})`);
        continue;
      }
      yield* warmKustomizationFile(ctx, full);
      const sub = subKustomization(ctx, k, path, full, false);
      if (sub) append(ctx, k, path, ra, yield* accumulate(ctx, full, sub, []));
    }
  }
  const genCtx = { host: ctx.host, dir, span: (p: PathSegment[]) => spanAt(k.doc, p), diagnostics: ctx.diagnostics };
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    const list = v[field];
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      yield;
      const res = runGenerator(kind, list[i], [field, i], v.generatorOptions, genCtx);
      if (res) absorbGenerated(ctx, k, [field, i], ra, res);
    }
  }
  if (Array.isArray(v.components)) {
    for (let i = 0; i < v.components.length; i++) {
      yield;
      const entry: unknown = v.components[i];
      const path = ['components', i];
      if (typeof entry !== 'string' || entry === '') {
        diag(ctx, k, path, 'error', 'kustomize-invalid', 'a component entry must be a path');
        continue;
      }
      if (isRemoteReference(entry)) {
        diag(ctx, k, path, 'info', 'kustomize-not-evaluated', `not evaluated by fluxhelm: remote component ${entry}`);
        continue;
      }
      const full = joinPath(dir, entry);
      if (ctx.host.readDir(full) === undefined) {
        diag(ctx, k, path, 'error', 'kustomize-missing', `component folder ${entry} not found`);
        continue;
      }
      yield* warmKustomizationFile(ctx, full);
      const sub = subKustomization(ctx, k, path, full, true);
      if (sub) yield* accumulate(ctx, full, sub, ra);
    }
  }
  const pctx: PatchContext = { host: ctx.host, dir, kdoc: k.doc, diagnostics: ctx.diagnostics };
  yield* runPatchesStrategicMerge(pctx, ra, v.patchesStrategicMerge);
  yield* runPatches(pctx, ra, v.patches);
  if (typeof v.namespace === 'string' && v.namespace !== '') {
    for (const m of transformNamespace(ra, v.namespace)) diag(ctx, k, ['namespace'], 'error', 'kustomize-duplicate-id', m);
  }
  if (typeof v.namePrefix === 'string' && v.namePrefix !== '') transformPrefix(ra, v.namePrefix);
  if (typeof v.nameSuffix === 'string' && v.nameSuffix !== '') transformSuffix(ra, v.nameSuffix);
  transformLabels(ra, v.labels, v.commonLabels);
  transformAnnotations(ra, v.commonAnnotations);
  yield* runPatchesJson6902(pctx, ra, v.patchesJson6902);
  runReplacements({ host: ctx.host, dir, kdoc: k.doc, diagnostics: ctx.diagnostics }, ra, v.replacements);
  ctx.stack.pop();
  return ra;
}

function isLocalConfig(r: Res): boolean {
  return r.annotations()['config.kubernetes.io/local-config'] === 'true';
}

/**
 * Builds the kustomization in `dir` like `kustomize build` (kustomize v5
 * defaults, except that files outside the folder may be loaded, as Flux
 * does). Every problem is a diagnostic; the resources that could be built
 * are returned in kustomize's output order.
 */
export function buildKustomization(host: EngineHost, dir: string): KustomizeBuild {
  const steps = buildKustomizationSteps(host, dir);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * buildKustomization in steps: it yields between the entries of every list
 * it works through (resources, generators, components, patches), so a caller
 * can answer other messages in between and drop the rest of a build whose
 * files changed (a fuzz-grown kustomization file of thousands of patches
 * took over a second to build in one block). The result is the same.
 */
export function* buildKustomizationSteps(host: EngineHost, dir: string): Generator<void, KustomizeBuild, void> {
  const ctx: BuildContext = { host, diagnostics: [], stack: [], nameRefs: [], read: new Map() };
  const top = normalizePath(dir);
  try {
    yield* warmKustomizationFile(ctx, top);
    const loaded = loadKustomization(ctx, top);
    if ('missing' in loaded || 'error' in loaded) {
      ctx.diagnostics.push({ file: joinPath(top, 'kustomization.yaml'), start: 0, end: 0, severity: 'error', code: 'missing' in loaded ? 'kustomize-missing' : 'kustomize-invalid', message: 'missing' in loaded ? `${top} has no kustomization.yaml, kustomization.yml or Kustomization` : loaded.error });
      return { resources: [], diagnostics: ctx.diagnostics };
    }
    const k = loaded.ok;
    const ra = yield* accumulate(ctx, top, k, []);
    yield;
    for (const r of ra) {
      if (!r.needsHash) continue;
      r.storePreviousId();
      r.setName(`${r.name}-${resourceHash(r.obj)}`);
    }
    for (const m of fixNameReferences(ra, ctx.nameRefs)) diag(ctx, k, [], 'error', 'kustomize-name-reference', m);
    const kept = legacySort(ra.filter((r) => !isLocalConfig(r)));
    const resources: BuiltResource[] = kept.map((r) => ({ object: r.obj, origin: r.origin, mergedFrom: r.mergedFrom, patches: r.patches }));
    return { resources, diagnostics: ctx.diagnostics };
  } catch (err) {
    // Input must never throw; an exception here is a fluxhelm bug, reported as data.
    ctx.diagnostics.push({ file: joinPath(top, 'kustomization.yaml'), start: 0, end: 0, severity: 'error', code: 'kustomize-internal', message: `fluxhelm could not build this kustomization: ${err instanceof Error ? err.message : String(err)}` });
    return { resources: [], diagnostics: ctx.diagnostics };
  }
}
