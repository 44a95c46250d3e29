/**
 * Algorithm test of the shared, incremental kustomize parse
 * (engine/kustomize/parsed-sources.ts): cutting a file at its `---` lines
 * and parsing the pieces alone must give what one parse of the whole text
 * gives (engine/kustomize/source.ts `parseSource`): the same documents with
 * the same indexes, values, spans in the file and diagnostics. Checked on
 * every YAML file of the real fleets, the examples and the fixtures, and
 * after edits that shift later documents (the unchanged pieces are reused,
 * so a wrong offset there would show).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource } from '../../engine/kustomize/source.ts';
import { parsedSource, documentAt } from '../../engine/kustomize/parsed-sources.ts';
import { yamlFiles } from '../support/yaml-files.ts';
import { observeParse } from '../support/parse-observe.ts';

const repo = join(import.meta.dirname, '..', '..');
const corpora = [join(repo, '..', 'shared', 'fleets'), join(repo, 'examples'), join(repo, 'test', 'fixtures')];



test('piecewise parse = whole-text parse on every YAML file of the fleets, examples and fixtures', () => {
  const files = corpora.flatMap((c) => yamlFiles(c));
  assert.ok(files.length > 500, `only ${files.length} files found`);
  let docs = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const whole = observeParse(parseSource(f, text));
    assert.deepEqual(observeParse(parsedSource(f, text)), whole, f);
    docs += whole.docs.length;
  }
  assert.ok(docs > 800, `${docs} documents`);
});

test('after edits the reused pieces keep their documents at the new offsets and indexes', () => {
  const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  k: "${i}"\n`;
  let text = `# header\n---\n${Array.from({ length: 30 }, (_, i) => doc(i)).join('---\n')}`;
  const file = '/edits/configmaps.yaml';
  const edits: ((t: string) => string)[] = [
    (t) => t.replace('name: cm-3\n', 'name: cm-3-longer-name\n'), // shifts every later document
    (t) => t.replace('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-5\n', '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-5\n'), // an empty document: later indexes move
    (t) => t.replace('  k: "7"\n', '  k: "7"\n  k: dup\n'), // a broken document in the middle
    (t) => t.replace('# header\n', ''),
    (t) => t.replace(/---\n---\n/, '---\n'),
  ];
  for (const edit of edits) {
    text = edit(text);
    const got = parsedSource(file, text);
    assert.deepEqual(observeParse(got), observeParse(parseSource(file, text)));
    // The document holding an offset is found in file offsets.
    const at = text.indexOf('name: cm-20');
    assert.equal((documentAt(got.docs, at)?.value as { metadata: { name: string } }).metadata.name, 'cm-20');
  }
});
