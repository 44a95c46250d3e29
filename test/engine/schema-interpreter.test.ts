// Algorithm test of engine/validation/interpret.ts (the JSON-schema interpreter, compared with ajv): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * The schema interpreter (engine/validation/interpret.ts) against ajv, the
 * validator it replaces on the cold path: for every object in the shared
 * fleets, the examples and the test fixtures, and for seeded mutations of
 * each (wrong types, unknown keys, removed required fields, bad names and
 * durations, over-long strings, lists for maps), both must produce the same
 * errors in the same order and the same diagnostics. Runs with the bundled
 * schemas and with the upstream CRDs loaded as overrides (int-or-string
 * becomes anyOf there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ErrorObject } from 'ajv';
import { SchemaRegistry, type SchemaEntry } from '../../engine/schemas/registry.ts';
import { supportsSchema, interpretSchema } from '../../engine/validation/interpret.ts';
import { bundledSchemas } from '../../schemas/index.ts';
import type { JsonSchema } from '../../engine/schemas/crd.ts';
import { createLanguageService, emptyHost } from '../../engine/index.ts';
import { yamlFiles } from '../support/yaml-files.ts';

const repo = join(import.meta.dirname, '..', '..');
const shared = join(repo, '..', 'shared');


interface Obj {
  file: string;
  value: Record<string, unknown>;
}

let cachedObjects: Obj[] | undefined;
function objects(): Obj[] {
  if (cachedObjects) return cachedObjects;
  const files = [...yamlFiles(join(shared, 'fleets')), ...yamlFiles(join(repo, 'examples')), ...yamlFiles(join(repo, 'test', 'fixtures'))];
  const out: Obj[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('{{')) continue;
    try {
      for (const d of parseAllDocuments(text)) {
        if (d.errors.length) continue;
        const v = d.toJS({ maxAliasCount: 100 }) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string') out.push({ file, value: v as Record<string, unknown> });
      }
    } catch {
      // not our concern here
    }
  }
  cachedObjects = out;
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every container (object or array) in `v` with the path to it. */
function containers(v: unknown, path: (string | number)[] = [], out: { node: Record<string, unknown> | unknown[]; path: (string | number)[] }[] = []): typeof out {
  if (v && typeof v === 'object') {
    out.push({ node: v as Record<string, unknown>, path });
    if (Array.isArray(v)) v.forEach((x, i) => containers(x, [...path, i], out));
    else for (const [k, x] of Object.entries(v)) containers(x, [...path, k], out);
  }
  return out;
}

const REPLACEMENTS: unknown[] = [42, 1.5, 'text', 'has spaces', true, null, {}, [], ['a'], { a: 1 }, '10 minutes', 'x'.repeat(300), '${cluster_env}', -1, 'Bad_Name', 'ConfigMaps'];

function mutate(value: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const copy = structuredClone(value);
  const spots = containers(copy);
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const { node } = spots[Math.floor(random() * spots.length)];
    const keys = Array.isArray(node) ? node.map((_, j) => j) : Object.keys(node);
    const r = random();
    if (!Array.isArray(node) && r < 0.2) {
      (node as Record<string, unknown>)[['verison', 'intreval', 'spec', 'foo/bar', 'Bad Key', 'kind'][Math.floor(random() * 6)]] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
    } else if (!Array.isArray(node) && r < 0.35 && keys.length) {
      delete (node as Record<string, unknown>)[keys[Math.floor(random() * keys.length)] as string];
    } else if (keys.length) {
      const k = keys[Math.floor(random() * keys.length)];
      (node as Record<string | number, unknown>)[k] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
    }
  }
  return copy;
}

/** The parts of an ajv error the diagnostics are built from. */
function essence(e: ErrorObject): unknown {
  const x = e as ErrorObject & { propertyName?: string };
  return {
    keyword: x.keyword,
    instancePath: x.instancePath,
    params: x.params,
    propertyName: x.propertyName,
    data: x.data,
    props: x.keyword === 'additionalProperties' ? Object.keys((x.parentSchema?.properties as object | undefined) ?? {}) : undefined,
    branches: x.keyword === 'anyOf' ? (x.schema as { type?: unknown }[]).map((s) => s.type) : undefined,
  };
}

function ajvErrors(registry: SchemaRegistry, entry: SchemaEntry, value: unknown): ErrorObject[] {
  const validate = registry.validator(entry);
  validate(value);
  return validate.errors ?? [];
}

function compareAll(registry: SchemaRegistry, label: string): { checked: number; withErrors: number } {
  const random = rng(17);
  let checked = 0;
  let withErrors = 0;
  for (const o of objects()) {
    const entry = registry.get(String(o.value.apiVersion), String(o.value.kind));
    if (!entry || !supportsSchema(entry.schema)) continue;
    const variants = [o.value, ...Array.from({ length: 6 }, () => mutate(o.value, random))];
    for (const v of variants) {
      const ours: unknown[] = interpretSchema(entry.schema, v).map(essence);
      const theirs: unknown[] = ajvErrors(registry, entry, v).map(essence);
      assert.deepEqual(ours, theirs, `${label}: ${o.file} (${entry.key}) ${JSON.stringify(v).slice(0, 300)}`);
      checked++;
      if (theirs.length) withErrors++;
    }
  }
  return { checked, withErrors };
}

test('every bundled schema is interpreted (no compile on the cold path)', () => {
  const unsupported = Object.entries(bundledSchemas).filter(([, s]) => !supportsSchema(s as JsonSchema)).map(([k]) => k);
  assert.deepEqual(unsupported, []);
});

test('interpreter and ajv agree on real objects and mutations of them (bundled schemas)', () => {
  const { checked, withErrors } = compareAll(new SchemaRegistry(), 'bundled');
  assert.ok(checked > 1000, `only ${checked} objects checked`);
  assert.ok(withErrors > checked / 3, `only ${withErrors} of ${checked} had errors; mutations too weak`);
});

test('interpreter and ajv agree with upstream CRDs as overrides (int-or-string as anyOf)', () => {
  const registry = new SchemaRegistry();
  const dir = join(shared, 'flux-crds');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
  assert.deepEqual(registry.setOverrides(files), []);
  const hr = registry.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease')!;
  assert.equal(hr.source, 'override');
  const { checked } = compareAll(registry, 'overrides');
  assert.ok(checked > 500, `only ${checked} objects checked`);
});

test('schemas with keywords the interpreter does not evaluate go to ajv', () => {
  assert.equal(supportsSchema({ type: 'string', format: 'date-time' }), false);
  assert.equal(supportsSchema({ properties: { a: { oneOf: [{ type: 'string' }] } } }), false);
  assert.equal(supportsSchema({ properties: { a: { type: 'string', pattern: '^a$' } }, additionalProperties: false }), true);
  // Through the service: a format violation from an override CRD is still reported (by ajv).
  const service = createLanguageService(emptyHost);
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                at: {type: string, format: date-time}
`;
  assert.deepEqual(service.registry.setOverrides([{ path: 'widgets.yaml', text: crd }]), []);
  const diags = service.doValidation(service.parse('file:///w.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  at: yesterday\n'));
  assert.deepEqual(diags.map((d) => d.code), ['format']);
});
