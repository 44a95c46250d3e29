/**
 * Where schemas come from at run time: the bundled ones generated into
 * schemas/, replaced per group/version/kind by CRDs the user points at
 * (`fluxhelm.schemas.crdPaths`). Validators are compiled lazily, once per
 * schema, with ajv.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { bundledSchemas } from '../../schemas/index.ts';
import { convertCrd, type JsonSchema } from './crd.ts';
import { objectMetaSchema } from './object-meta.ts';
import { schemaKey, apiVersionOf, splitApiVersion } from '../kinds.ts';
import { withOperatorKinds } from './operator-patch.ts';

export interface SchemaEntry {
  key: string;
  schema: JsonSchema;
  source: 'bundled' | 'override';
  /** For overrides: the CRD file it came from. */
  origin?: string;
}

export interface CrdLoadProblem {
  file: string;
  message: string;
}

/**
 * The bundled schema of a key, parsed on first use. The bundles in dist/
 * carry each schema as its JSON text (scripts/build.mjs): a command that
 * validates one kind, or none (resolve), does not compile and build 900 KB
 * of object literals at start-up. From the sources (tests) they are objects.
 */
const parsedBundled = new Map<string, JsonSchema>();
function bundledSchema(key: string): JsonSchema | undefined {
  const known = parsedBundled.get(key);
  if (known) return known;
  if (!Object.hasOwn(bundledSchemas, key)) return undefined;
  const raw: unknown = bundledSchemas[key];
  const schema = (typeof raw === 'string' ? JSON.parse(raw) : raw) as JsonSchema;
  parsedBundled.set(key, schema);
  return schema;
}

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false });
  addFormats(ajv, ['date-time', 'date', 'time', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'byte']);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('duration', true);
  return ajv;
}

export class SchemaRegistry {
  private readonly overrides = new Map<string, SchemaEntry>();
  private readonly validators = new Map<string, ValidateFunction>();
  /** Made on the first compile: commands that validate nothing (resolve, values) never pay for it (~13 ms). */
  private ajvInstance: Ajv | undefined;
  private get ajv(): Ajv {
    return (this.ajvInstance ??= createAjv());
  }
  /** Bumped whenever the set of schemas changes, so memoized diagnostics can be dropped. */
  generation = 0;

  get(apiVersion: string, kind: string): SchemaEntry | undefined {
    const key = schemaKey(apiVersion, kind);
    const o = this.overrides.get(key);
    const b = bundledSchema(key);
    const entry: SchemaEntry | undefined = o ?? (b ? { key, schema: b, source: 'bundled' } : undefined);
    if (!entry || !this.fluxOperator) return entry;
    let schema = this.patchedSchemas.get(key);
    if (!schema) {
      schema = withOperatorKinds(kind, splitApiVersion(apiVersion).group, entry.schema);
      this.patchedSchemas.set(key, schema);
    }
    // A distinct key, so the widened schema gets its own compiled validator.
    return schema === entry.schema ? entry : { ...entry, key: `${key}+operator`, schema };
  }

  /** Whether the Flux Operator manages the cluster (operator-patch.ts): Alert and Receiver accept its kinds. */
  private fluxOperator = false;
  /** Per schema key: the schema as the operator patches it (the same object when it does not). */
  private readonly patchedSchemas = new Map<string, JsonSchema>();

  /** Turns the Flux Operator's CRD patches on or off (bumps `generation` on a change). */
  setFluxOperator(on: boolean): void {
    if (on === this.fluxOperator) return;
    this.fluxOperator = on;
    this.generation++;
  }

  /** API versions with a schema for `group`/`kind`, bundled or overridden. */
  versionsOf(group: string, kind: string): string[] {
    const out = new Set<string>();
    const prefix = group ? `${group}/` : '';
    for (const key of [...Object.keys(bundledSchemas), ...this.overrides.keys()]) {
      if (!key.startsWith(prefix) || !key.endsWith(`/${kind}`)) continue;
      const rest = key.slice(prefix.length, key.length - kind.length - 1);
      if (!rest.includes('/')) out.add(rest);
    }
    return [...out];
  }

  /** Kinds with a schema in `group` (used for "did you mean" on unknown kinds). */
  kindsOf(group: string): string[] {
    const out = new Set<string>();
    const prefix = group ? `${group}/` : '';
    for (const key of [...Object.keys(bundledSchemas), ...this.overrides.keys()]) {
      if (!key.startsWith(prefix)) continue;
      const parts = key.slice(prefix.length).split('/');
      if (parts.length === 2) out.add(parts[1]);
    }
    return [...out];
  }

  validator(entry: SchemaEntry): ValidateFunction {
    let v = this.validators.get(entry.key);
    if (!v) {
      v = this.ajv.compile({ ...entry.schema, $id: undefined, $schema: undefined });
      this.validators.set(entry.key, v);
    }
    return v;
  }

  /**
   * Replaces the override set with the CRDs found in `files` (path + text).
   * Returns problems for files that held no usable CRD; never throws.
   */
  setOverrides(files: { path: string; text: string }[]): CrdLoadProblem[] {
    const problems: CrdLoadProblem[] = [];
    this.overrides.clear();
    for (const f of files) {
      let found = 0;
      try {
        for (const doc of parseAllDocuments(f.text)) {
          if (doc.errors.length) {
            problems.push({ file: f.path, message: `YAML error: ${doc.errors[0].message.split('\n')[0]}` });
            continue;
          }
          for (const c of convertCrd(doc.toJS({ maxAliasCount: 100 }), { keepDescriptions: true })) {
            const key = schemaKey(apiVersionOf(c.group, c.version), c.kind);
            const required = [...new Set([...((c.schema.required as string[] | undefined) ?? []), 'metadata'])];
            const schema: JsonSchema = { ...c.schema, required, definitions: { ObjectMeta: objectMetaSchema() } };
            this.overrides.set(key, { key, schema, source: 'override', origin: f.path });
            found++;
          }
        }
      } catch (err) {
        problems.push({ file: f.path, message: err instanceof Error ? err.message : String(err) });
        continue;
      }
      if (found === 0 && !problems.some((p) => p.file === f.path)) problems.push({ file: f.path, message: 'no CustomResourceDefinition with a served version was found' });
    }
    this.validators.clear();
    this.patchedSchemas.clear();
    this.ajvInstance = undefined;
    this.generation++;
    return problems;
  }
}

/** Follows a local `$ref` (`#/definitions/X`) inside `root`. */
export function resolveRef(root: JsonSchema, node: JsonSchema | undefined): JsonSchema | undefined {
  if (!node || typeof node.$ref !== 'string') return node;
  const m = /^#\/definitions\/(.+)$/.exec(node.$ref);
  const defs = root.definitions as Record<string, JsonSchema> | undefined;
  return m && defs ? defs[m[1]] : undefined;
}

/** The schema node for a JSON path (array indexes and map keys descend into items/additionalProperties). */
export function schemaAtPath(root: JsonSchema, path: (string | number)[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const seg of path) {
    node = resolveRef(root, node);
    if (!node) return undefined;
    if (node['x-kubernetes-preserve-unknown-fields'] === true && !(node.properties as JsonSchema | undefined)?.[String(seg)]) return { 'x-kubernetes-preserve-unknown-fields': true, 'x-fluxhelm-open': true };
    if (typeof seg === 'number') {
      node = node.items as JsonSchema | undefined;
    } else {
      const props = node.properties as Record<string, JsonSchema> | undefined;
      if (props && props[seg]) node = props[seg];
      else if (node.additionalProperties && typeof node.additionalProperties === 'object') node = node.additionalProperties as JsonSchema;
      else return undefined;
    }
  }
  return resolveRef(root, node);
}
