/**
 * The schema generator behind `npm run schemas`: reads the upstream Flux CRDs
 * (current, legacy/ and the Flux Operator's operator/), converts each served version with engine/schemas/crd.ts,
 * replaces every description with ours from schemas/docs/<Kind>.yaml, adds the
 * hand-written schemas from schemas/src/, and returns the files to write.
 * Deterministic: the same inputs always give byte-identical output.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { convertCrd, type JsonSchema } from '../engine/schemas/crd.ts';
import { objectMetaSchema, namespaceMetaSchema } from '../engine/schemas/object-meta.ts';
import { KINDS, apiVersionOf } from '../engine/kinds.ts';

export interface KindDocs {
  kind: string;
  group?: string;
  summary?: string;
  fields: Record<string, string>;
  versions?: Record<string, Record<string, string>>;
}

export interface GeneratedSchemas {
  /** Repository-relative path -> file content. */
  files: Map<string, string>;
  /** `<apiVersion>/<Kind> <path>` for every schema field without our documentation. */
  undocumented: string[];
}

function loadDocs(repoRoot: string, name: string): KindDocs | undefined {
  const p = join(repoRoot, 'schemas', 'docs', `${name}.yaml`);
  if (!existsSync(p)) return undefined;
  return parseYaml(readFileSync(p, 'utf8')) as KindDocs;
}

function withDefault(text: string, node: JsonSchema): string {
  if (node.default === undefined) return text;
  const shown = typeof node.default === 'object' ? JSON.stringify(node.default) : String(node.default);
  return `${text.trim()}\n\nDefault: \`${shown}\`.`;
}

/** Walks a schema, calling `visit(path, node)` for every documented position. */
export function walkSchemaPaths(node: JsonSchema, path: string, visit: (path: string, node: JsonSchema) => void): void {
  visit(path, node);
  const props = node.properties as Record<string, JsonSchema> | undefined;
  if (props) for (const [k, child] of Object.entries(props)) walkSchemaPaths(child, path ? `${path}.${k}` : k, visit);
  const items = node.items as JsonSchema | undefined;
  if (items && typeof items === 'object' && (items.properties || items.items)) walkSchemaPaths(items, `${path}[]`, visit);
  else if (items && typeof items === 'object') visit(`${path}[]`, items);
  const extra = node.additionalProperties;
  if (extra && typeof extra === 'object' && (extra as JsonSchema).properties) walkSchemaPaths(extra as JsonSchema, `${path}.*`, visit);
}

function applyDocs(schema: JsonSchema, version: string, docs: KindDocs | undefined, common: KindDocs | undefined, undocumented: string[], label: string): void {
  const lookup = (path: string): string | undefined => docs?.versions?.[version]?.[path] ?? docs?.fields?.[path];
  const props = schema.properties as Record<string, JsonSchema>;
  if (docs?.summary) schema.description = docs.summary.trim();
  for (const top of ['apiVersion', 'kind']) {
    const text = common?.fields?.[top];
    if (text && props[top]) props[top].description = text.trim();
  }
  for (const [name, child] of Object.entries(props)) {
    if (name === 'apiVersion' || name === 'kind' || name === 'metadata') continue;
    walkSchemaPaths(child, name, (path, node) => {
      const isItemOfDocumentedParent = path.endsWith('[]') && !node.properties;
      const text = lookup(path);
      if (text) node.description = withDefault(text, node);
      else if (!isItemOfDocumentedParent) undocumented.push(`${label} ${path}`);
    });
  }
}

function objectMetaWithDocs(common: KindDocs | undefined, forNamespace = false): JsonSchema {
  const meta = forNamespace ? namespaceMetaSchema() : objectMetaSchema();
  if (common?.fields?.metadata) meta.description = common.fields.metadata.trim();
  for (const [name, node] of Object.entries(meta.properties as Record<string, JsonSchema>)) {
    const text = common?.fields?.[`metadata.${name}`];
    if (text) node.description = text.trim();
  }
  return meta;
}

function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function outputPath(group: string, version: string, kind: string): string {
  return `schemas/${group || 'core'}/${version}/${kind}.json`;
}

export function generateSchemas(repoRoot: string, crdDir: string): GeneratedSchemas {
  const files = new Map<string, string>();
  const undocumented: string[] = [];
  const common = loadDocs(repoRoot, '_common');
  const meta = objectMetaWithDocs(common);
  const wanted = new Set(KINDS.filter((k) => k.flux).map((k) => `${k.group}/${k.kind}`));
  const byKey = new Map<string, { group: string; version: string; kind: string; schema: JsonSchema }>();

  for (const dir of [crdDir, join(crdDir, 'legacy'), join(crdDir, 'operator')].filter((d) => existsSync(d))) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        for (const converted of convertCrd(doc.toJS(), { keepDescriptions: false })) {
          if (!wanted.has(`${converted.group}/${converted.kind}`)) continue;
          const key = `${converted.group}/${converted.version}/${converted.kind}`;
          if (!byKey.has(key)) byKey.set(key, converted); // current files win over legacy
        }
      }
    }
  }

  const entries: { key: string; path: string }[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const { group, version, kind, schema } = byKey.get(key)!;
    const label = `${apiVersionOf(group, version)}/${kind}`;
    applyDocs(schema, version, loadDocs(repoRoot, kind), common, undocumented, label);
    // The API server needs a name, so metadata is required for every object we generate.
    const required = [...new Set([...((schema.required as string[] | undefined) ?? []), 'metadata'])];
    const full: JsonSchema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `fluxhelm:${label}`, ...schema, required, definitions: { ObjectMeta: meta } };
    const path = outputPath(group, version, kind);
    files.set(path, stableJson(full));
    entries.push({ key: label, path });
  }

  const srcDir = join(repoRoot, 'schemas', 'src');
  if (existsSync(srcDir)) {
    for (const file of readdirSync(srcDir).filter((f) => f.endsWith('.json')).sort()) {
      const m = /^(?:(.+)_)?(v[0-9a-z]+)_([A-Za-z]+)\.json$/.exec(file);
      if (!m) continue;
      const [, group = '', version, kind] = m;
      const schema = JSON.parse(readFileSync(join(srcDir, file), 'utf8')) as JsonSchema;
      const label = `${apiVersionOf(group, version)}/${kind}`;
      const usesObjectMeta = JSON.stringify(schema.properties ?? {}).includes('#/definitions/ObjectMeta');
      const required = usesObjectMeta ? [...new Set([...((schema.required as string[] | undefined) ?? []), 'metadata'])] : schema.required;
      const objectMeta = group === '' && kind === 'Namespace' ? objectMetaWithDocs(common, true) : meta;
      const full: JsonSchema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `fluxhelm:${label}`, ...schema, ...(required ? { required } : {}), definitions: { ...(schema.definitions as object | undefined), ObjectMeta: objectMeta } };
      const path = outputPath(group, version, kind);
      files.set(path, stableJson(full));
      entries.push({ key: label, path });
      if (group === 'kustomize.config.k8s.io' && kind === 'Kustomization') {
        // A kustomize Component has the same fields under its own apiVersion and kind.
        const component = JSON.parse(JSON.stringify(full)) as JsonSchema;
        const props = component.properties as Record<string, JsonSchema>;
        props.apiVersion = { ...props.apiVersion, enum: ['kustomize.config.k8s.io/v1alpha1'] };
        props.kind = { ...props.kind, enum: ['Component'], description: 'Always `Component`.' };
        component.$id = 'fluxhelm:kustomize.config.k8s.io/v1alpha1/Component';
        component.description = 'A kustomize Component: a reusable set of resources, patches and generators that kustomizations include through `components`.';
        const cpath = outputPath(group, 'v1alpha1', 'Component');
        files.set(cpath, stableJson(component));
        entries.push({ key: 'kustomize.config.k8s.io/v1alpha1/Component', path: cpath });
      }
    }
  }

  entries.sort((a, b) => a.key.localeCompare(b.key));
  const lines = [
    '// Generated by `npm run schemas` (scripts/gen-schemas.ts). Do not edit.',
    '// Every bundled schema, keyed by `<apiVersion>/<Kind>`.',
    ...entries.map((e, i) => `import s${i} from './${e.path.slice('schemas/'.length)}';`),
    '',
    'export const bundledSchemas: Record<string, object> = {',
    ...entries.map((e, i) => `  '${e.key}': s${i},`),
    '};',
    '',
  ];
  files.set('schemas/index.ts', lines.join('\n'));
  return { files, undocumented };
}
