/**
 * Turns a Kubernetes CustomResourceDefinition (already parsed to plain data)
 * into one JSON Schema per served version, in the form the rest of the engine
 * uses: plain JSON Schema (draft-07 keywords understood by ajv) plus the
 * Kubernetes extensions kept as annotations (`x-kubernetes-validations` for
 * CEL rules, `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`).
 *
 * The API server's structural-schema semantics are made explicit here:
 * objects reject unknown fields unless they preserve them (as with strict
 * field validation), `nullable` becomes a `null` type, int-or-string becomes
 * an `anyOf`, and OpenAPI v3.0 boolean `exclusiveMinimum` becomes draft-07.
 * Used by the schema generator (scripts/gen-schemas.ts) and at run time for
 * user-supplied CRDs (`fluxhelm.schemas.crdPaths`).
 */

export type JsonSchema = { [key: string]: unknown };

export interface ConvertedSchema {
  group: string;
  version: string;
  kind: string;
  schema: JsonSchema;
  /** True when the CRD marks the version deprecated. */
  deprecated: boolean;
  deprecationWarning?: string;
}

export interface ConvertOptions {
  /** Keep the CRD's own `description` texts (true for user CRDs at run time). */
  keepDescriptions: boolean;
}

const COPIED_KEYWORDS = [
  'type', 'format', 'pattern', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'default', 'required',
  'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Converts one OpenAPI v3 (structural) schema node to our JSON Schema form. */
export function convertNode(node: unknown, opts: ConvertOptions): JsonSchema {
  if (!isObject(node)) return {};
  const out: JsonSchema = {};
  if (opts.keepDescriptions && typeof node.description === 'string') out.description = node.description;
  for (const k of COPIED_KEYWORDS) if (node[k] !== undefined) out[k] = structuredClone(node[k]);

  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }

  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (preserve) out['x-kubernetes-preserve-unknown-fields'] = true;

  if (isObject(node.properties)) {
    const props: JsonSchema = {};
    for (const [name, child] of Object.entries(node.properties)) props[name] = convertNode(child, opts);
    out.properties = props;
  }
  if (node.items !== undefined) out.items = convertNode(node.items, opts);
  if (isObject(node.additionalProperties)) out.additionalProperties = convertNode(node.additionalProperties, opts);
  else if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
  for (const combinator of ['anyOf', 'allOf', 'oneOf'] as const) {
    const list = node[combinator];
    if (Array.isArray(list)) out[combinator] = list.map((s) => convertNode(s, opts));
  }
  if (node.not !== undefined) out.not = convertNode(node.not, opts);

  if (node['x-kubernetes-int-or-string'] === true) {
    out['x-kubernetes-int-or-string'] = true;
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }

  const isObjectType = out.type === 'object';
  if (isObjectType && !preserve && out.additionalProperties === undefined) out.additionalProperties = false;

  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * Converts every version of a CRD. Unparseable or foreign input yields an
 * empty list (the caller reports that as a diagnostic on the CRD file).
 */
export function convertCrd(crd: unknown, opts: ConvertOptions): ConvertedSchema[] {
  if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) return [];
  const spec = crd.spec;
  const group = typeof spec.group === 'string' ? spec.group : '';
  const kind = isObject(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : '';
  if (!group || !kind || !Array.isArray(spec.versions)) return [];
  const result: ConvertedSchema[] = [];
  for (const v of spec.versions) {
    if (!isObject(v) || typeof v.name !== 'string') continue;
    if (v.served === false) continue;
    const root = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObject(root)) continue;
    const converted = convertNode(root, opts);
    const props = (converted.properties ?? {}) as JsonSchema;
    delete props.status;
    props.apiVersion = { ...(props.apiVersion as JsonSchema), type: 'string' };
    props.kind = { ...(props.kind as JsonSchema), type: 'string' };
    props.metadata = { $ref: '#/definitions/ObjectMeta' };
    converted.properties = props;
    converted.additionalProperties = false;
    result.push({
      group,
      version: v.name,
      kind,
      schema: converted,
      deprecated: v.deprecated === true,
      deprecationWarning: typeof v.deprecationWarning === 'string' ? v.deprecationWarning : undefined,
    });
  }
  return result;
}
