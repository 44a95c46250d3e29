/**
 * Rendered objects against their schemas, before they reach the API server:
 * built-in kinds against the schemas generated from kube-apiserver's
 * `/openapi/v3` (schemas/k8s, `npm run schemas:k8s`), custom resources
 * against CRDs (the workspace's, `fluxhelm.schemas.crdPaths`, the chart's
 * `crds/` folder and CRDs the chart renders). Kinds without a schema are
 * skipped. A problem names the object and the field; it sits on the line of
 * the value under `spec.values` when the template writes that field straight
 * from `.Values` (`replicas: {{ .Values.replicaCount }}`), else on
 * `spec.chart`.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { convertCrd, type JsonSchema } from '../schemas/crd.ts';
import { objectMetaSchema } from '../schemas/object-meta.ts';
import { mapError } from '../validation/schema-check.ts';
import type { ReleaseProblem } from '../values/release.ts';
import { formatPath } from '../yaml/nodes.ts';
import { nodeAtPath, toPlain } from '../values/tree.ts';
import { placeValuesPath, chartRelativeTemplate, type PlacementContext } from './errors.ts';
import type { RenderedObject } from './post-render.ts';

/** What schemas/k8s/definitions.json holds: OpenAPI definitions by name, and the definition of each `apiVersion/Kind`. */
export interface K8sSchemaBundle {
  kubeVersion?: string;
  definitions: Record<string, JsonSchema>;
  kinds: Record<string, string>;
}

export interface RenderedSchemas {
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined;
  /** The same schemas plus the CRDs among `objects` (e.g. the chart's own). */
  withCrds(objects: readonly unknown[]): RenderedSchemas;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false, validateFormats: false });
  return ajv;
}

/**
 * One validator per built-in kind for the life of the process: every
 * definition is its own schema (`k8s:<name>`), so kinds share what they
 * have in common (a PodSpec compiles once). The first kind costs about a
 * second; the rest are cheap.
 */
const builtinCompiled = new WeakMap<K8sSchemaBundle, { ajv: Ajv; validators: Map<string, ValidateFunction | undefined> }>();

function builtinValidator(bundle: K8sSchemaBundle, def: string): ValidateFunction | undefined {
  let entry = builtinCompiled.get(bundle);
  if (!entry) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false, validateFormats: false, code: { optimize: false } });
    for (const [name, schema] of Object.entries(bundle.definitions)) ajv.addSchema(JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"k8s:')) as JsonSchema, `k8s:${name}`);
    entry = { ajv, validators: new Map() };
    builtinCompiled.set(bundle, entry);
  }
  if (!entry.validators.has(def)) entry.validators.set(def, entry.ajv.getSchema(`k8s:${def}`));
  return entry.validators.get(def);
}

/** Schemas for rendered objects: the built-in bundle and CRDs (objects of kind CustomResourceDefinition). */
export function createRenderedSchemas(input: { builtin?: K8sSchemaBundle; crds?: readonly unknown[] }): RenderedSchemas {
  const crdSchemas = new Map<string, JsonSchema>();
  for (const crd of input.crds ?? []) {
    for (const c of convertCrd(crd, { keepDescriptions: false })) {
      const required = [...new Set([...((c.schema.required as string[] | undefined) ?? []), 'metadata'])];
      crdSchemas.set(`${c.group}/${c.version}/${c.kind}`, { ...c.schema, required, definitions: { ObjectMeta: objectMetaSchema() } });
    }
  }
  const cache = new Map<string, ValidateFunction | undefined>();
  const self: RenderedSchemas = {
    validatorFor(apiVersion, kind) {
      const key = `${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}/${kind}`;
      if (cache.has(key)) return cache.get(key);
      let v: ValidateFunction | undefined;
      try {
        const crd = crdSchemas.get(key);
        const def = input.builtin?.kinds[`${apiVersion}/${kind}`];
        if (crd) v = newAjv().compile(crd);
        else if (def && input.builtin) v = builtinValidator(input.builtin, def);
      } catch {
        v = undefined;
      }
      cache.set(key, v);
      return v;
    },
    withCrds(objects) {
      const more = objects.filter((o) => !!o && typeof o === 'object' && (o as Record<string, unknown>).kind === 'CustomResourceDefinition');
      return more.length ? createRenderedSchemas({ builtin: input.builtin, crds: [...(input.crds ?? []), ...more] }) : self;
    },
  };
  return self;
}

/** The API server drops nulls before validating; so does this check. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

function valueAtPath(obj: unknown, path: readonly (string | number)[]): unknown {
  let cur = obj;
  for (const s of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[s] : undefined;
  return cur;
}

/**
 * The values path a template writes a field from: the template's lines of
 * the form `<field>: {{ .Values.x.y ... }}` whose value in the effective
 * values is the one rendered. Undefined when none or several fit.
 */
export function valuesPathForField(obj: RenderedObject, field: readonly (string | number)[], ctx: PlacementContext): (string | number)[] | undefined {
  const key = [...field].reverse().find((s): s is string => typeof s === 'string');
  if (!key || !ctx.chart || !ctx.tree) return undefined;
  const bytes = ctx.chart[chartRelativeTemplate(obj.template)];
  if (!bytes) return undefined;
  const rendered = valueAtPath(obj.object, field);
  const wantedKey = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\s*-?\\s*${wantedKey}:.*\\{\\{-?[^}]*\\.Values((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)`);
  const found: (string | number)[][] = [];
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const path = m[1].split('.').filter(Boolean);
    const node = nodeAtPath(ctx.tree, path);
    if (node === undefined) continue;
    const value = toPlain(node);
    if (rendered === undefined || JSON.stringify(value) === JSON.stringify(rendered) || String(value) === String(rendered)) found.push(path);
  }
  const unique = new Set(found.map((p) => p.join('.')));
  return unique.size === 1 ? found[0] : undefined;
}

/** Checks every rendered object that has a schema. Never throws on input. */
export function validateRendered(objects: readonly RenderedObject[], schemas: RenderedSchemas, ctx: PlacementContext): ReleaseProblem[] {
  const all = schemas.withCrds(objects.map((o) => o.object));
  const problems: ReleaseProblem[] = [];
  for (const o of objects) {
    if (!o.apiVersion || !o.kind) continue;
    const validate = all.validatorFor(o.apiVersion, o.kind);
    if (!validate) continue;
    const data = dropNulls(o.object);
    if (validate(data)) continue;
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const path = e.instancePath ? e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s, i, arr) => (Array.isArray(valueAtPath(data, arr.slice(0, i))) ? Number(s) : s)) : [];
      const mapped = mapError(e, path, () => undefined);
      if (!mapped) continue;
      const id = `${formatPath(mapped.path)}|${mapped.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const valuesPath = valuesPathForField(o, mapped.path, ctx);
      const placed = valuesPath ? placeValuesPath(valuesPath, ctx) : placeValuesPath(undefined, ctx);
      const name = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '(no name)'}`;
      problems.push({
        path: placed.at,
        severity: 'error',
        code: 'rendered-object',
        message: `${name} (${o.template}): ${mapped.message}${valuesPath ? ` (from .Values.${valuesPath.join('.')})` : ''}${placed.note ? ` [set by ${placed.note}]` : ''}`,
      });
    }
  }
  return problems;
}
