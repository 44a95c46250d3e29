/**
 * CEL expressions users write in Flux objects (issue #11: "healthCheckExprs
 * CEL is never compiled"): a Kustomization's healthCheckExprs and a
 * ResourceSet's dependsOn readyExpr are compiled; syntax errors are
 * reported on the expression, valid ones and ones holding a postBuild
 * variable are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService, emptyHost } from '../../engine/index.ts';

test('expressions that do not compile are errors on their own line', () => {
  const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'health-exprs', 'ks.yaml'), 'utf8');
  const service = createLanguageService(emptyHost);
  const found = service.doValidation(service.parse('file:///ws/ks.yaml', text)).map((d) => `${d.range.start.line + 1} ${d.code}`);
  assert.deepEqual(found, ['17 cel-syntax', '21 cel-syntax', '34 cel-syntax']);
});
