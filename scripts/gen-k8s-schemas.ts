/**
 * `npm run schemas:k8s`: generates schemas/k8s/definitions.json, the schemas
 * of the built-in Kubernetes kinds that rendered Helm output is checked
 * against. It starts the project's test control plane (kube-apiserver built
 * from source, test/cluster/control-plane.ts; reused when `npm run
 * cluster:up` is running), reads `/openapi/v3` for the common group-versions,
 * and writes one compact file: definitions by OpenAPI name (descriptions,
 * formats and defaults dropped; `$ref`s local; objects closed to unknown
 * fields unless they preserve them, as strict field validation does;
 * int-or-string as `anyOf`) and the definition of every `apiVersion/Kind`.
 * The output is sorted, so running it twice gives the same file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startControlPlane, type ControlPlane } from '../test/cluster/control-plane.ts';

const GROUP_VERSIONS = [
  'api/v1',
  'apis/apps/v1',
  'apis/batch/v1',
  'apis/networking.k8s.io/v1',
  'apis/rbac.authorization.k8s.io/v1',
  'apis/policy/v1',
  'apis/autoscaling/v2',
  'apis/storage.k8s.io/v1',
  'apis/admissionregistration.k8s.io/v1',
  'apis/apiextensions.k8s.io/v1',
  'apis/scheduling.k8s.io/v1',
  'apis/coordination.k8s.io/v1',
  'apis/discovery.k8s.io/v1',
];

type Json = Record<string, unknown>;

const KEEP = new Set(['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', '$ref', 'allOf', 'anyOf', 'oneOf', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern']);

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convert(node: unknown): Json {
  if (!isObj(node)) return {};
  if (node['x-kubernetes-int-or-string'] === true) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (!KEEP.has(k)) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/components/schemas/', '#/definitions/');
    else if (k === 'properties' && isObj(v)) out.properties = Object.fromEntries(Object.keys(v).sort().map((p) => [p, convert(v[p])]));
    else if ((k === 'items' || k === 'additionalProperties') && isObj(v)) out[k] = convert(v);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map(convert);
    else out[k] = v;
  }
  // `allOf: [{$ref}]` is how OpenAPI v3 attaches a default to a reference: the reference alone is the schema.
  if (Array.isArray(out.allOf) && out.allOf.length === 1 && Object.keys(out).length === 1) return out.allOf[0] as Json;
  if (out.properties && out.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  return v;
}

/** The text of schemas/k8s/definitions.json as this control plane serves it. */
export function k8sSchemasText(cp: Pick<ControlPlane, 'kubectl'>): string {
  const raw = (path: string): Json => {
    const r = cp.kubectl(['get', '--raw', path]);
    if (r.status !== 0) throw new Error(`kubectl get --raw ${path}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Json;
  };
  const version = raw('/version');
  const index = raw('/openapi/v3') as { paths: Record<string, { serverRelativeURL: string }> };
  const definitions: Record<string, Json> = {};
  const kinds: Record<string, string> = {};
  for (const gv of GROUP_VERSIONS) {
    const entry = index.paths[gv];
    if (!entry) throw new Error(`the API server does not serve ${gv}`);
    const doc = raw(entry.serverRelativeURL);
    const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
    const [group, ver] = gv === 'api/v1' ? ['', 'v1'] : gv.slice('apis/'.length).split('/');
    for (const [name, schema] of Object.entries(schemas)) {
      definitions[name] ??= convert(schema);
      if (name.startsWith('io.k8s.apimachinery.')) continue;
      const gvks = (schema['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
      for (const g of gvks) {
        if (g.group !== group || g.version !== ver || g.kind.endsWith('List')) continue;
        kinds[`${group ? `${group}/` : ''}${ver}/${g.kind}`] = name;
      }
    }
  }
  return `${JSON.stringify({ kubeVersion: String(version.gitVersion ?? ''), kinds: sorted(kinds), definitions: sorted(definitions) })}\n`;
}

export const K8S_SCHEMAS_FILE = join(new URL('..', import.meta.url).pathname, 'schemas', 'k8s', 'definitions.json');

async function main(): Promise<number> {
  const cp = await startControlPlane();
  try {
    const text = k8sSchemasText(cp);
    mkdirSync(join(K8S_SCHEMAS_FILE, '..'), { recursive: true });
    writeFileSync(K8S_SCHEMAS_FILE, text);
    const out = JSON.parse(text) as { kubeVersion: string; kinds: object; definitions: object };
    console.error(`schemas/k8s/definitions.json: ${Object.keys(out.kinds).length} kinds, ${Object.keys(out.definitions).length} definitions, ${(text.length / 1024).toFixed(0)} KiB (${out.kubeVersion})`);
    return 0;
  } finally {
    await cp.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
