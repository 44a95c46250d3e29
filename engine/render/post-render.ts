/**
 * helm-controller's post-renderers, run on what Helm rendered: each
 * `spec.postRenderers[].kustomize` in order (a kustomization whose only
 * resource is the rendered output, with the entry's `patches`, then its
 * `images`), then `spec.commonMetadata` (labels and annotations on
 * `metadata`), then the two labels helm-controller puts on every object:
 * `helm.toolkit.fluxcd.io/name` and `helm.toolkit.fluxcd.io/namespace`
 * naming the HelmRelease. As in Helm v4, hooks go through the
 * post-renderers as a stream of their own; CRDs from the chart's `crds/`
 * folder are not post-rendered. The kustomize part is the engine's own
 * TypeScript kustomize; its problems come back on the HelmRelease's
 * `postRenderers` entries.
 */
import { parseAllDocuments, stringify } from 'yaml';
import type { EngineHost } from '../host.ts';
import { buildKustomization } from '../kustomize/build.ts';
import { applyImages } from '../flux/kustomization.ts';
import { isPlainMap } from '../kustomize/resource.ts';
import { createFastReader } from '../yaml/fast.ts';
import type { ReleaseProblem } from '../values/release.ts';
import type { RenderedDocument } from './host.ts';
import type { ReleaseSettings } from './release-request.ts';

export const ORIGIN_GROUP = 'helm.toolkit.fluxcd.io';

/** One object of a rendered release, after post-rendering. */
export interface RenderedObject {
  /** Source template, e.g. `podinfo/templates/deployment.yaml`. */
  template: string;
  object: Record<string, unknown>;
  /** The object as YAML (Helm's text when nothing changed it). */
  text: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  hook?: string;
  crd?: boolean;
}

export interface PostRenderResult {
  objects: RenderedObject[];
  problems: ReleaseProblem[];
}

const DIR = '/__fluxhelm__/post-render';

/** How rendered documents are read: YAML 1.1, a duplicate key is not an error (the later value is kept). */
const RENDERED_YAML = { version: '1.1', uniqueKeys: false } as const;
/** The quick reader (yaml/fast.ts) for the same options: it answers only where its value is the library's. */
const renderedReader = createFastReader(RENDERED_YAML);

function rec(v: unknown): Record<string, unknown> | undefined {
  return isPlainMap(v) ? v : undefined;
}

/** Parses a rendered document into objects (a document may be empty or, rarely, a `List`). */
export function documentObjects(text: string): { objects: Record<string, unknown>[]; error?: string } {
  // Helm's output is plain block YAML: the quick reader gives the value the library would, without nodes.
  const quick = renderedReader.read(text);
  if (quick) {
    const v = quick.value;
    if (v === null || v === undefined) return { objects: [] };
    return isPlainMap(v) ? { objects: [v] } : { objects: [], error: 'a rendered document is not a map' };
  }
  const docs = parseAllDocuments(text, RENDERED_YAML);
  const objects: Record<string, unknown>[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) return { objects, error: d.errors[0].message };
    const v = d.toJS({ maxAliasCount: 1000 }) as unknown;
    if (v === null || v === undefined) continue;
    if (!isPlainMap(v)) return { objects, error: 'a rendered document is not a map' };
    objects.push(v);
  }
  return { objects };
}

interface Item {
  template: string;
  object: Record<string, unknown>;
  hook?: string;
  changed: boolean;
  text: string;
}

function virtualHost(files: Record<string, string>): EngineHost {
  return {
    readFile: (p) => files[p.startsWith(`${DIR}/`) ? p.slice(DIR.length + 1) : ''],
    readDir: (p) => (p.replace(/\/+$/, '') === DIR ? Object.keys(files).map((name) => ({ name, isDirectory: false })) : undefined),
    now: () => 0,
    env: () => undefined,
  };
}

/** One kustomize post-renderer over one stream of objects. */
function runKustomize(items: Item[], entry: Record<string, unknown>, index: number, problems: ReleaseProblem[]): Item[] {
  const patches = Array.isArray(entry.patches) ? entry.patches : [];
  const images = Array.isArray(entry.images) ? entry.images : [];
  if (items.length === 0) return items;
  let out = items;
  if (patches.length > 0) {
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['helm-output.yaml'], patches };
    const output = items.map((i) => stringify(i.object, { lineWidth: 0 })).join('---\n');
    const built = buildKustomization(virtualHost({ 'kustomization.yaml': JSON.stringify(kustomization, null, 1), 'helm-output.yaml': output }), DIR);
    for (const d of built.diagnostics) {
      if (d.severity !== 'error') continue;
      const rest = d.path && d.path[0] === 'patches' ? d.path.slice(1) : [];
      problems.push({ path: ['spec', 'postRenderers', index, 'kustomize', 'patches', ...rest], severity: 'error', code: 'post-render', message: `post-renderer ${index}: ${d.message}` });
    }
    if (built.diagnostics.some((d) => d.severity === 'error')) return items;
    out = built.resources.map((r) => {
      const from = items[r.origin.documentIndex ?? -1];
      return { template: from?.template ?? '', hook: from?.hook, object: r.object, changed: (from?.changed ?? true) || r.patches.length > 0, text: from?.text ?? '' };
    });
  }
  if (images.length > 0) {
    for (const it of out) {
      const before = JSON.stringify(it.object);
      applyImages(it.object, images);
      if (JSON.stringify(it.object) !== before) it.changed = true;
    }
  }
  return out;
}

function addMetadata(item: Item, field: 'labels' | 'annotations', add: Record<string, string> | undefined): void {
  if (!add || Object.keys(add).length === 0) return;
  const meta = rec(item.object.metadata) ?? (item.object.metadata = {});
  const m = meta as Record<string, unknown>;
  const cur = rec(m[field]) ?? (m[field] = {});
  for (const [k, v] of Object.entries(add)) {
    if ((cur as Record<string, unknown>)[k] !== v) item.changed = true;
    (cur as Record<string, unknown>)[k] = v;
  }
}

function finish(item: Item, crd?: boolean): RenderedObject {
  const meta = rec(item.object.metadata) ?? {};
  return {
    template: item.template,
    object: item.object,
    text: item.changed ? stringify(item.object, { lineWidth: 0 }) : item.text,
    ...(typeof item.object.apiVersion === 'string' ? { apiVersion: item.object.apiVersion } : {}),
    ...(typeof item.object.kind === 'string' ? { kind: item.object.kind } : {}),
    ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
    ...(item.hook ? { hook: item.hook } : {}),
    ...(crd ? { crd: true } : {}),
  };
}

/** Runs helm-controller's post-renderers over Helm's documents. Never throws on input. */
export function postRender(documents: readonly RenderedDocument[], settings: ReleaseSettings): PostRenderResult {
  const problems: ReleaseProblem[] = [];
  const crds: Item[] = [];
  let regular: Item[] = [];
  let hooks: Item[] = [];
  documents.forEach((doc) => {
    const parsed = documentObjects(doc.text);
    if (parsed.error) {
      problems.push({ path: ['spec', 'chart'], severity: 'error', code: 'render-yaml', message: `${doc.template}: the rendered YAML does not parse: ${parsed.error}` });
      return;
    }
    const single = parsed.objects.length === 1;
    for (const object of parsed.objects) {
      const item: Item = { template: doc.template, object, hook: doc.hook, changed: !single, text: doc.text };
      (doc.crd ? crds : doc.hook ? hooks : regular).push(item);
    }
  });
  settings.postRenderers.forEach((pr, i) => {
    const k = rec(rec(pr)?.kustomize);
    if (!k) return;
    regular = runKustomize(regular, k, i, problems);
    hooks = runKustomize(hooks, k, i, problems);
  });
  const origin = { [`${ORIGIN_GROUP}/name`]: settings.owner.name, [`${ORIGIN_GROUP}/namespace`]: settings.owner.namespace };
  for (const item of [...regular, ...hooks]) {
    addMetadata(item, 'labels', settings.commonMetadata?.labels);
    addMetadata(item, 'annotations', settings.commonMetadata?.annotations);
    addMetadata(item, 'labels', origin);
  }
  // The same post-renderer problem in the hooks' stream is one problem for the user.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = JSON.stringify(p.path);
    return !seen.has(k) && !!seen.add(k);
  });
  return { objects: [...crds.map((c) => finish(c, true)), ...regular.map((r) => finish(r)), ...hooks.map((h) => finish(h))], problems: unique };
}
