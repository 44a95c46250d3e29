/**
 * The quick fix for removed API versions: rewrites a document to the current
 * version where the change is mechanical.
 * - every kind: the apiVersion bump;
 * - HelmRelease: `spec.chart.spec.valuesFile` -> `valuesFiles: [..]`, and
 *   postRenderers[].kustomize `patchesStrategicMerge` / `patchesJson6902` ->
 *   `patches` (each strategic-merge patch and each JSON 6902 patch list
 *   becomes one `patch` string, the 6902 target carried over);
 * - Kustomization / HelmChart: the same renames where they exist.
 * The document is edited through the YAML AST, so comments and unrelated
 * formatting survive.
 */
import { isMap, isSeq, parseDocument, stringify, type YAMLMap, type YAMLSeq } from 'yaml';
import type { YamlDocument } from '../yaml/documents.ts';
import { YAML_OPTIONS } from '../yaml/documents.ts';

function asMap(v: unknown): YAMLMap | undefined {
  return isMap(v) ? (v as YAMLMap) : undefined;
}

function toYamlText(v: unknown): string {
  return stringify(v, { lineWidth: 0 }).trimEnd() + '\n';
}

/** Turns legacy patch lists inside a kustomize-style map into `patches`. */
function migratePatchLists(map: YAMLMap, doc: ReturnType<typeof parseDocument>): void {
  const patches: unknown[] = [];
  const sm = map.get('patchesStrategicMerge', true);
  if (isSeq(sm)) {
    for (const item of (sm as YAMLSeq).items) {
      const value = (item as { toJSON?: () => unknown }).toJSON ? (item as { toJSON: () => unknown }).toJSON() : item;
      patches.push({ patch: typeof value === 'string' ? value : toYamlText(value) });
    }
    map.delete('patchesStrategicMerge');
  }
  const j6902 = map.get('patchesJson6902', true);
  if (isSeq(j6902)) {
    for (const item of (j6902 as YAMLSeq).items) {
      const value = (item as { toJSON: () => unknown }).toJSON() as { target?: unknown; patch?: unknown; path?: unknown };
      const entry: Record<string, unknown> = {};
      if (value?.target !== undefined) entry.target = value.target;
      if (value?.patch !== undefined) entry.patch = typeof value.patch === 'string' ? value.patch : toYamlText(value.patch);
      else if (value?.path !== undefined) entry.path = value.path;
      patches.push(entry);
    }
    map.delete('patchesJson6902');
  }
  if (patches.length === 0) return;
  const existing = map.get('patches', true);
  if (isSeq(existing)) for (const p of patches) (existing as YAMLSeq).add(doc.createNode(p));
  else map.set('patches', doc.createNode(patches));
}

/**
 * Returns the migrated text of `doc` (its whole piece), or undefined when the
 * document cannot be migrated mechanically. Never throws.
 */
export function migrateDocumentText(doc: YamlDocument, to: string): string | undefined {
  try {
    const d = parseDocument(doc.text, YAML_OPTIONS);
    if (d.errors.length) return undefined;
    const root = asMap(d.contents);
    if (!root) return undefined;
    const kind = root.get('kind');
    root.set('apiVersion', to);
    const spec = asMap(root.get('spec', true));
    if (kind === 'HelmRelease' && spec) {
      const chartSpec = asMap(asMap(spec.get('chart', true))?.get('spec', true));
      if (chartSpec?.has('valuesFile')) {
        const file = chartSpec.get('valuesFile');
        chartSpec.delete('valuesFile');
        const files = chartSpec.get('valuesFiles', true);
        if (isSeq(files)) (files as YAMLSeq).add(file);
        else chartSpec.set('valuesFiles', d.createNode([file]));
      }
      const renderers = spec.get('postRenderers', true);
      if (isSeq(renderers)) {
        for (const r of (renderers as YAMLSeq).items) {
          const k = asMap(asMap(r)?.get('kustomize', true));
          if (k) migratePatchLists(k, d);
        }
      }
    }
    if (kind === 'HelmChart' && spec?.has('valuesFile')) {
      const file = spec.get('valuesFile');
      spec.delete('valuesFile');
      const files = spec.get('valuesFiles', true);
      if (isSeq(files)) (files as YAMLSeq).add(file);
      else spec.set('valuesFiles', d.createNode([file]));
    }
    if (kind === 'Kustomization' && spec) {
      migratePatchLists(spec, d);
      spec.delete('validation'); // removed in v1: server-side apply validates always
    }
    let text = d.toString({ lineWidth: 0 });
    if (doc.text.startsWith('---') && !text.startsWith('---')) text = `---\n${text}`;
    if (!doc.text.endsWith('\n')) text = text.replace(/\n$/, '');
    return text;
  } catch {
    return undefined;
  }
}
