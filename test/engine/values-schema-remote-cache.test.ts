// Algorithm test of engine/values/schema-check.ts (the compiled-schema cache and remote $refs): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * A values.schema.json that fails for want of a remote schema is compiled
 * once while the remote resolver keeps answering the same (app-template's
 * package leaves out the schemas/ its schema refers to, so offline every
 * render of it compiled the schema again to fail the same way); a resolver
 * that now supplies the missing schema, or answers an earlier URL otherwise,
 * gets a fresh compile and its result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileValuesSchema, validateAgainstSchemaText } from '../../engine/values/schema-check.ts';

const A = 'https://schemas.example.test/lib/a.json';
const B = 'https://schemas.example.test/lib/b.json';
// A text of its own per test: the cache is module-wide and keyed by text.
const schemaText = (tag: string) => JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $comment: tag, $ref: A });
const docA = () => ({ $schema: 'http://json-schema.org/draft-07/schema#', $id: A, type: 'object', properties: { port: { $ref: 'b.json' } } });
const docB = () => ({ $schema: 'http://json-schema.org/draft-07/schema#', $id: B, type: 'integer' });

test('a failure for a missing remote schema is kept while the resolver answers the same, with new but equal documents', () => {
  const text = schemaText('kept');
  const asked: string[] = [];
  const resolver = (url: string) => {
    asked.push(url);
    return url === A ? docA() : undefined;
  };
  const first = compileValuesSchema(text, { resolveRemote: resolver });
  assert.equal(first.ok, false);
  assert.equal(!first.ok && first.remote, B);
  const again = compileValuesSchema(text, { resolveRemote: resolver });
  assert.equal(again, first, 'the same failure, not a new compile');
  assert.deepEqual(asked, [A, B, A, B], 'the resolver is asked again about what it answered');
  const problems = validateAgainstSchemaText(text, { port: 'x' }, '', [], { resolveRemote: resolver });
  assert.deepEqual(problems.map((p) => [p.kind, p.keyword]), [['schema-error', 'remote-ref']]);
});

test('the schema is compiled again when the resolver now supplies the missing schema', () => {
  const text = schemaText('supplied');
  const without = compileValuesSchema(text, { resolveRemote: (url) => (url === A ? docA() : undefined) });
  assert.equal(!without.ok && without.remote, B);
  const both = (url: string) => (url === A ? docA() : url === B ? docB() : undefined);
  const compiled = compileValuesSchema(text, { resolveRemote: both });
  assert.equal(compiled.ok, true);
  const problems = validateAgainstSchemaText(text, { port: 'x' }, '', [], { resolveRemote: both });
  assert.deepEqual(problems.map((p) => [p.kind, p.path.join('.')]), [['violation', 'port']]);
});

test('the schema is compiled again when an earlier remote schema is answered otherwise', () => {
  const text = schemaText('changed');
  const first = compileValuesSchema(text, { resolveRemote: (url) => (url === A ? docA() : undefined) });
  assert.equal(!first.ok && first.remote, B);
  // a.json no longer refers to b.json: nothing is missing any more.
  const plainA = { ...docA(), properties: { port: { type: 'string' } } };
  const second = compileValuesSchema(text, { resolveRemote: (url) => (url === A ? plainA : undefined) });
  assert.equal(second.ok, true);
  // And without a resolver the cached answer is the plain one (a resolver-less caller cannot fetch).
  assert.equal(compileValuesSchema(text).ok, true);
});
