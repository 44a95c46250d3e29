/**
 * The built-in transformers that rename and label: namespace, namePrefix,
 * nameSuffix, labels/commonLabels and commonAnnotations, with kustomize's
 * default field specs and id bookkeeping (each rename stores the previous
 * id so patches and name references still find the object).
 */
import { visitFieldSpec, COMMON_LABEL_SPECS, COMMON_ANNOTATION_SPECS, NAMESPACE_SPECS, PREFIX_SKIP, TEMPLATE_LABEL_SPECS, type FieldSpec } from './fieldspecs.ts';
import { Res, isClusterScoped, isPlainMap, gvkSelected, idEquals, formatId } from './resource.ts';

/** kustomize's NamespaceTransformer; returns messages for id conflicts it creates. */
export function transformNamespace(all: Res[], namespace: string): string[] {
  const problems: string[] = [];
  for (const r of all) {
    r.storePreviousId();
    const g = r.gvk;
    if (!isClusterScoped(g)) r.meta().namespace = namespace;
    if (g.kind === 'RoleBinding' || g.kind === 'ClusterRoleBinding') {
      const subjects = r.obj.subjects;
      if (Array.isArray(subjects)) for (const s of subjects) if (isPlainMap(s) && s.name === 'default') s.namespace = namespace;
    }
    for (const fs of NAMESPACE_SPECS) visitFieldSpec(r.obj, g, fs, (parent, key) => (parent[key] = namespace));
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) if (idEquals(all[i].id, all[j].id)) problems.push(`setting namespace ${JSON.stringify(namespace)} gives two resources the same id: ${formatId(all[i].id)}`);
  }
  return problems;
}

function renameSkipped(r: Res): boolean {
  const org = r.orgId();
  return PREFIX_SKIP.some((s) => gvkSelected(org, s));
}

export function transformPrefix(all: Res[], prefix: string): void {
  for (const r of all) {
    if (renameSkipped(r)) continue;
    r.prefixes.push(prefix);
    r.storePreviousId();
    r.setName(`${prefix}${r.name}`);
  }
}

export function transformSuffix(all: Res[], suffix: string): void {
  for (const r of all) {
    if (renameSkipped(r)) continue;
    r.suffixes.push(suffix);
    r.storePreviousId();
    r.setName(`${r.name}${suffix}`);
  }
}

function setPairs(all: Res[], pairs: Record<string, string>, specs: FieldSpec[]): void {
  for (const r of all) {
    const g = r.gvk;
    const seen = new Set<string>();
    for (const fs of specs) {
      const key = `${fs.group ?? ''}/${fs.version ?? ''}/${fs.kind ?? ''}/${fs.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      visitFieldSpec(r.obj, g, fs, (parent, field) => {
        let m = parent[field];
        if (!isPlainMap(m)) {
          m = {};
          parent[field] = m;
        }
        Object.assign(m as Record<string, unknown>, pairs);
      });
    }
  }
}

export function stringPairs(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainMap(v)) for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? '' : String(x);
  return out;
}

function readFieldSpecs(v: unknown): FieldSpec[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isPlainMap).map((f) => ({
    path: String(f.path ?? ''),
    create: f.create === true,
    group: typeof f.group === 'string' ? f.group : undefined,
    version: typeof f.version === 'string' ? f.version : undefined,
    kind: typeof f.kind === 'string' ? f.kind : undefined,
  }));
}

/** The `labels` entries (pairs, includeSelectors, includeTemplates, fields), then commonLabels. */
export function transformLabels(all: Res[], labels: unknown, commonLabels: unknown): void {
  if (Array.isArray(labels)) {
    for (const entry of labels) {
      if (!isPlainMap(entry)) continue;
      const pairs = stringPairs(entry.pairs);
      if (Object.keys(pairs).length === 0) continue;
      const specs = readFieldSpecs(entry.fields);
      if (entry.includeSelectors === true) specs.push(...COMMON_LABEL_SPECS);
      else {
        specs.push({ path: 'metadata/labels', create: true });
        if (entry.includeTemplates === true) specs.push(...TEMPLATE_LABEL_SPECS);
      }
      setPairs(all, pairs, specs);
    }
  }
  const common = stringPairs(commonLabels);
  if (Object.keys(common).length > 0) setPairs(all, common, COMMON_LABEL_SPECS);
}

export function transformAnnotations(all: Res[], annotations: unknown): void {
  const pairs = stringPairs(annotations);
  if (Object.keys(pairs).length > 0) setPairs(all, pairs, COMMON_ANNOTATION_SPECS);
}
