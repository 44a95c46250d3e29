// Algorithm test of engine/values/meta-2020-12.generated.ts and meta-draft-07.generated.ts: imports the modules directly (behaviour tests go through engine/index.ts).
/**
 * A values.schema.json without `$schema` (draft 2020-12), or with draft-07's,
 * is checked against the meta-schema by a validator ajv generated ahead of time
 * (scripts/meta-schema-validator.ts) instead of one ajv compiles in every
 * process. These tests hold each to ajv's own run-time check: the committed
 * module is what the installed ajv generates, and on every JSON schema of
 * ../shared and the fixtures, each also broken in many places, both give
 * the same verdict and the same errors. The messages users see for such schemas are
 * checked in values-authoring.test.ts and against helm in
 * test/differential/helm-schema.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import validateMeta2020 from '../../engine/values/meta-2020-12.generated.ts';
import validateMeta07 from '../../engine/values/meta-draft-07.generated.ts';
import { GENERATED_META_2020, GENERATED_META_07, metaValidatorSource } from '../../scripts/meta-schema-validator.ts';

const root = resolve(import.meta.dirname, '..', '..');

test('the committed 2020-12 meta-schema validator is what the installed ajv generates (run scripts/meta-schema-validator.ts after an upgrade)', () => {
  assert.equal(readFileSync(GENERATED_META_2020, 'utf8'), metaValidatorSource('2020-12'));
});

test('the committed draft-07 meta-schema validator is what the installed ajv generates', () => {
  assert.equal(readFileSync(GENERATED_META_07, 'utf8'), metaValidatorSource('draft-07'));
});

function jsonSchemas(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === '.git' || name === '.work') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) jsonSchemas(p, out);
    else if (name.endsWith('.json') && (/schema/i.test(p) || name === 'values.schema.json') && st.size < 2_000_000)
      out.push(p);
  }
  return out;
}

/** Ways to break one schema node (each is a meta-schema error, or in `$defs`/nested places a deep one). */
const BREAKS: Record<string, unknown>[] = [
  { type: 'nonsense' },
  { minimum: 'x' },
  { required: 'name' },
  { properties: [] },
  { items: 3 },
  { $ref: 5 },
  { enum: 'a' },
  { pattern: 7 },
  { additionalProperties: 'no' },
  { minItems: -1 },
  { allOf: [] },
  { $defs: { a: { type: ['string', 'string'] } } },
  { $anchor: '1bad' },
  { dependentRequired: { a: [1] } },
  { uniqueItems: 'yes' },
];

/** Every object node of a schema, by JSON pointer-ish path, so a break can be planted there. */
function nodes(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) for (const x of v) nodes(x, out);
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) nodes(x, out);
  }
  return out;
}

type Verdict = (schema: object) => { ok: boolean; errors: unknown };

function runtimeMeta(draft: '2020-12' | 'draft-07'): Verdict {
  // As engine/values/schema-check.ts built its meta-schema check before the generated validators.
  const opts = {
    allErrors: true,
    strict: false,
    logger: false,
    validateSchema: false,
    code: { optimize: false },
    validateFormats: draft === 'draft-07',
  } as const;
  const ajv = draft === '2020-12' ? (new Ajv2020(opts) as unknown as Ajv) : new Ajv(opts);
  addFormats(ajv);
  return (schema: object) => ({ ok: ajv.validateSchema(schema) as boolean, errors: ajv.errors ?? null });
}

function generated(draft: '2020-12' | 'draft-07'): Verdict {
  const validate = draft === '2020-12' ? validateMeta2020 : validateMeta07;
  return (schema: object) => {
    const ok = validate(schema) as boolean;
    return { ok, errors: (validate as unknown as { errors: unknown }).errors ?? null };
  };
}

for (const draft of ['2020-12', 'draft-07'] as const)
  test(`${draft}: on every JSON schema of ../shared and the fixtures, intact and broken in many places, the generated validator agrees with ajv compiling the meta-schema`, () => {
    const files = [
      ...jsonSchemas(resolve(root, '..', 'shared')),
      ...jsonSchemas(join(root, 'test', 'fixtures')),
      ...jsonSchemas(join(root, 'engine')),
    ];
    assert.ok(files.length >= 20, `only ${files.length} schemas found`);
    const runtime = runtimeMeta(draft);
    const ours = generated(draft);
    let compared = 0;
    let invalid = 0;
    for (const file of files) {
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      if (!schema || typeof schema !== 'object' || Array.isArray(schema)) continue;
      const body = { ...(schema as Record<string, unknown>) };
      delete body.$schema;
      const variants: object[] = [body];
      const all = nodes(body);
      // Up to 40 nodes spread over the schema, each broken one way.
      const step = Math.max(1, Math.floor(all.length / 40));
      for (let i = 0, k = 0; i < all.length; i += step, k++) {
        const copy = structuredClone(body);
        const target = nodes(copy)[i]!;
        Object.assign(target, BREAKS[k % BREAKS.length]);
        variants.push(copy);
      }
      for (const v of variants) {
        const a = runtime(v);
        const b = ours(v);
        assert.deepEqual(b, a, `${file}: the generated ${draft} validator disagrees`);
        compared++;
        if (!a.ok) invalid++;
      }
    }
    assert.ok(compared > 200 && invalid > 100, `compared ${compared}, of which ${invalid} invalid`);
  });
