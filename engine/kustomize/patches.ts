/**
 * The patch transformers: `patches` (strategic merge or JSON 6902, inline
 * or from a file, with or without a target selector), the legacy
 * `patchesStrategicMerge` and `patchesJson6902`. Each change a patch makes
 * is recorded on the resource with the span of the value in the patch, so
 * problems found later in a built object can point at the patch line that
 * caused them.
 */
import type { EngineHost } from '../host.ts';
import { joinPath } from './paths.ts';
import { scalarOffsetMap, spanAt, nodeAt, mustBeQuoted, plainScalarText, type OffsetMap, type SourceDoc } from './source.ts';
import { parseInline } from './inline-patches.ts';
import { parsedSource } from './parsed-sources.ts';
import { applyStrategicMerge, mergeSchemaFor } from './smp.ts';
import { applyJsonPatch, readJsonPatch, type JsonPatchOp } from './json6902.ts';
import { Res, isPlainMap, idOf, idEquals, formatId, selectResources, type Selector } from './resource.ts';
import type { FileSpan, KustomizeDiagnostic, PatchChange, PathSegment } from './types.ts';

export interface PatchContext {
  host: EngineHost;
  dir: string;
  /** The kustomization document (for inline patches and spans). */
  kdoc: SourceDoc;
  diagnostics: KustomizeDiagnostic[];
}

type Loaded = { kind: 'smp'; docs: SourceDoc[] } | { kind: 'json'; doc: SourceDoc; ops: JsonPatchOp[] };

function diag(ctx: PatchContext, path: PathSegment[], message: string, severity: KustomizeDiagnostic['severity'] = 'error', code = 'kustomize-patch'): void {
  ctx.diagnostics.push({ ...spanAt(ctx.kdoc, path), path, severity, code, message });
}

/** Loads patch text from a file or from a string in the kustomization; undefined (with diagnostics) on failure. */
function loadPatch(ctx: PatchContext, entryPath: PathSegment[], inline: string | undefined, file: string | undefined, inlineNodePath: PathSegment[]): SourceDoc[] | undefined {
  let parsed;
  if (file !== undefined) {
    const full = joinPath(ctx.dir, file);
    const text = ctx.host.readFile(full);
    if (text === undefined) {
      diag(ctx, entryPath, `patch file ${JSON.stringify(file)} not found`);
      return undefined;
    }
    // Piece by piece and shared with the editor's parse (a patch file being typed in is not parsed whole per build);
    // the merge and JSON patches clone what they take from these documents.
    parsed = parsedSource(full, text);
  } else {
    // Where the patch's text lies in the kustomization file is worked out when a span inside it is first asked
    // for: finding the string's node composes the kustomization's YAML (fast-piece.ts reads it without), which
    // for a 1 MB file is half a second, and most builds place no span inside most inline patches.
    let located: OffsetMap | undefined;
    const locate = (): OffsetMap => {
      const at = nodeAt(ctx.kdoc, inlineNodePath);
      return at ? scalarOffsetMap(ctx.kdoc.text, at.node, ctx.kdoc.map) : () => spanAt(ctx.kdoc, inlineNodePath).start;
    };
    parsed = parseInline(ctx.kdoc.file, inline ?? '', (o) => (located ??= locate())(o));
  }
  ctx.diagnostics.push(...parsed.diagnostics);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return parsed.docs;
}

function classify(ctx: PatchContext, entryPath: PathSegment[], docs: SourceDoc[]): Loaded | undefined {
  if (docs.length === 1 && Array.isArray(docs[0].value)) {
    const r = readJsonPatch(docs[0].value);
    if ('error' in r) {
      diag(ctx, entryPath, r.error);
      return undefined;
    }
    return { kind: 'json', doc: docs[0], ops: r.ops };
  }
  if (docs.some((d) => !isPlainMap(d.value))) {
    diag(ctx, entryPath, 'a patch must be a strategic merge patch (an object) or a JSON 6902 patch (a list of operations)');
    return undefined;
  }
  return { kind: 'smp', docs };
}

function docSpan(d: SourceDoc): FileSpan {
  return spanAt(d, []);
}

function applySmpTo(ctx: PatchContext, all: Res[], r: Res, patch: SourceDoc, options: { allowNameChange?: boolean; allowKindChange?: boolean }): void {
  const before = r.id;
  const apiVersion = r.obj.apiVersion;
  if (options.allowNameChange || options.allowKindChange) r.storePreviousId();
  const { result, changes, error } = applyStrategicMerge(r.obj, patch.value as Record<string, unknown>, mergeSchemaFor(r.gvk), { mustBeQuoted, rawText: (p) => plainScalarText(patch, p) });
  const span = docSpan(patch);
  if (error) {
    ctx.diagnostics.push({ ...spanAt(patch, error.patchPath), severity: 'error', code: 'kustomize-patch', message: `strategic merge patch on ${formatId(before)} failed: ${error.message}` });
    return;
  }
  if (!result) {
    all.splice(all.indexOf(r), 1);
    return;
  }
  r.obj = result;
  if (apiVersion === undefined) delete r.obj.apiVersion;
  else r.obj.apiVersion = apiVersion;
  if (!options.allowKindChange) r.obj.kind = before.kind;
  if (!options.allowNameChange) r.setName(before.name);
  r.setNamespace(before.namespace);
  r.patches.push({
    ...span,
    kind: 'strategic-merge',
    kustomization: ctx.kdoc.file,
    changes: changes
      .filter((c) => c.path.length > 0 && !(c.path.length === 2 && c.path[0] === 'metadata' && (c.path[1] === 'name' || c.path[1] === 'namespace')) && !(c.path.length === 1 && (c.path[0] === 'kind' || c.path[0] === 'apiVersion')))
      .map((c): PatchChange => ({ ...spanAt(patch, c.patchPath), path: c.path, op: c.op })),
  });
}

function applyJsonTo(ctx: PatchContext, r: Res, loaded: { doc: SourceDoc; ops: JsonPatchOp[] }, entryPath: PathSegment[]): void {
  const { result, changes, error } = applyJsonPatch(r.obj, loaded.ops);
  if (error || !result) {
    const s = spanAt(loaded.doc, error ? [error.opIndex] : []);
    ctx.diagnostics.push({ ...s, path: entryPath, severity: 'error', code: 'kustomize-patch', message: `JSON patch on ${formatId(r.id)} failed: ${error?.message ?? 'unknown error'}` });
    return;
  }
  r.obj = result;
  r.patches.push({
    ...docSpan(loaded.doc),
    kind: 'json6902',
    kustomization: ctx.kdoc.file,
    changes: changes.map((c): PatchChange => {
      const op = loaded.ops.find((o) => o.index === c.opIndex);
      return { ...spanAt(loaded.doc, op?.hasValue && c.op === 'set' ? [c.opIndex, 'value'] : [c.opIndex]), path: c.path, op: c.op };
    }),
  });
}

/** A patch without target applies to the one object whose current or earlier id is the patch's id. */
function patchTargetById(ctx: PatchContext, all: Res[], patch: SourceDoc, entryPath: PathSegment[]): Res | undefined {
  const pid = idOf(patch.value as Record<string, unknown>);
  const matches = all.filter((r) => r.allIds().some((id) => idEquals(id, pid)));
  if (matches.length === 1) return matches[0];
  const s = spanAt(patch, ['metadata', 'name']);
  let hint = '';
  if (matches.length === 0) {
    const near = all.find((r) => r.allIds().some((id) => id.kind === pid.kind && id.name === pid.name));
    if (near) {
      const nid = near.allIds().find((id) => id.kind === pid.kind && id.name === pid.name)!;
      if (nid.group !== pid.group || nid.version !== pid.version) hint = ` (there is one with apiVersion ${nid.group ? `${nid.group}/` : ''}${nid.version}: the patch's apiVersion must be the same)`;
      else if (nid.namespace !== pid.namespace) hint = ` (there is one in namespace ${JSON.stringify(nid.namespace || 'default')}: set metadata.namespace in the patch to match, or give the patch a target)`;
    }
  }
  ctx.diagnostics.push({
    ...s,
    path: entryPath,
    severity: 'error',
    code: 'kustomize-patch-target',
    message: matches.length === 0 ? `the patch's object ${formatId(pid)} is not among the resources of this kustomization${hint}` : `the patch's object ${formatId(pid)} matches ${matches.length} resources`,
  });
  return undefined;
}

function readSelector(v: unknown): Selector | undefined {
  if (!isPlainMap(v)) return undefined;
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : v[k] === undefined || v[k] === null ? undefined : String(v[k]));
  return { group: s('group'), version: s('version'), kind: s('kind'), name: s('name'), namespace: s('namespace'), labelSelector: s('labelSelector'), annotationSelector: s('annotationSelector') };
}

function select(ctx: PatchContext, all: Res[], sel: Selector, entryPath: PathSegment[]): Res[] {
  const { selected, error } = selectResources(all, sel);
  if (error) diag(ctx, [...entryPath, 'target'], error);
  return selected;
}

/** The `patches` field. */
export function* runPatches(ctx: PatchContext, all: Res[], entries: unknown): Generator<void, void, void> {
  if (!Array.isArray(entries)) return;
  for (let i = 0; i < entries.length; i++) {
    yield;
    runPatch(ctx, all, entries[i], i);
  }
}

function runPatch(ctx: PatchContext, all: Res[], entry: unknown, i: number): void {
  const entryPath: PathSegment[] = ['patches', i];
  if (!isPlainMap(entry)) {
    diag(ctx, entryPath, 'a patches entry must be a map with `path` or `patch`');
    return;
  }
  const hasPath = typeof entry.path === 'string' && entry.path !== '';
  const hasPatch = typeof entry.patch === 'string' && entry.patch !== '';
  if (hasPath === hasPatch) {
    diag(ctx, entryPath, hasPath ? 'a patch has either `path` or `patch`, not both' : 'a patches entry needs `path` or `patch`');
    return;
  }
  const docs = loadPatch(ctx, entryPath, hasPatch ? (entry.patch as string) : undefined, hasPath ? (entry.path as string) : undefined, [...entryPath, 'patch']);
  if (!docs || docs.length === 0) return;
  const loaded = classify(ctx, entryPath, docs);
  if (!loaded) return;
  const options = isPlainMap(entry.options) ? { allowNameChange: entry.options.allowNameChange === true, allowKindChange: entry.options.allowKindChange === true } : {};
  const sel = readSelector(entry.target);
  if (loaded.kind === 'json') {
    if (!sel) {
      diag(ctx, entryPath, 'a JSON 6902 patch needs a `target`');
      return;
    }
    for (const r of select(ctx, all, sel, entryPath)) applyJsonTo(ctx, r, loaded, entryPath);
    return;
  }
  for (const patch of loaded.docs) {
    if (sel) {
      for (const r of select(ctx, all, sel, entryPath)) if (all.includes(r)) applySmpTo(ctx, all, r, patch, options);
    } else {
      const r = patchTargetById(ctx, all, patch, entryPath);
      if (r) applySmpTo(ctx, all, r, patch, options);
    }
  }
}

/** The legacy `patchesStrategicMerge` field: inline YAML or file paths. */
export function* runPatchesStrategicMerge(ctx: PatchContext, all: Res[], entries: unknown): Generator<void, void, void> {
  if (!Array.isArray(entries)) return;
  for (let i = 0; i < entries.length; i++) {
    yield;
    runPatchStrategicMerge(ctx, all, entries[i], i);
  }
}

function runPatchStrategicMerge(ctx: PatchContext, all: Res[], entry: unknown, i: number): void {
  const entryPath: PathSegment[] = ['patchesStrategicMerge', i];
  if (typeof entry !== 'string') {
    diag(ctx, entryPath, 'a patchesStrategicMerge entry must be a file path or an inline patch');
    return;
  }
  const inlineDocs = parseInline(ctx.kdoc.file, entry).docs;
  const isInline = inlineDocs.length > 0 && inlineDocs.every((d) => isPlainMap(d.value));
  const docs = loadPatch(ctx, entryPath, isInline ? entry : undefined, isInline ? undefined : entry, entryPath);
  if (!docs) return;
  for (const patch of docs) {
    if (!isPlainMap(patch.value)) {
      diag(ctx, entryPath, 'a strategic merge patch must be an object');
      continue;
    }
    const r = patchTargetById(ctx, all, patch, entryPath);
    if (r) applySmpTo(ctx, all, r, patch, {});
  }
}

/** The legacy `patchesJson6902` field. */
export function* runPatchesJson6902(ctx: PatchContext, all: Res[], entries: unknown): Generator<void, void, void> {
  if (!Array.isArray(entries)) return;
  for (let i = 0; i < entries.length; i++) {
    yield;
    runPatchJson6902(ctx, all, entries[i], i);
  }
}

function runPatchJson6902(ctx: PatchContext, all: Res[], entry: unknown, i: number): void {
  const entryPath: PathSegment[] = ['patchesJson6902', i];
  if (!isPlainMap(entry)) {
    diag(ctx, entryPath, 'a patchesJson6902 entry must be a map with `target` and `path` or `patch`');
    return;
  }
  const sel = readSelector(entry.target);
  if (!sel) {
    diag(ctx, entryPath, 'a JSON 6902 patch needs a `target`');
    return;
  }
  const hasPath = typeof entry.path === 'string' && entry.path !== '';
  const docs = loadPatch(ctx, entryPath, hasPath ? undefined : typeof entry.patch === 'string' ? entry.patch : '', hasPath ? (entry.path as string) : undefined, [...entryPath, 'patch']);
  if (!docs || docs.length === 0) return;
  const r = readJsonPatch(docs[0].value);
  if ('error' in r) {
    diag(ctx, entryPath, r.error);
    return;
  }
  for (const res of select(ctx, all, sel, entryPath)) applyJsonTo(ctx, res, { doc: docs[0], ops: r.ops }, entryPath);
}
