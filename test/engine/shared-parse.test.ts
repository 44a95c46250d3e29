/**
 * A large piece of YAML is parsed once per edit, not twice (issue 16): the
 * kustomize build reads the editor's parse of the same text
 * (engine/yaml/documents.ts `sharedParse`) when the document reads the same
 * under kustomize's scalar rules, and its own parse otherwise. Checked as a
 * differential test against the build's own parse on every YAML piece of the
 * real fleets, the examples and the fixtures (padded to the size where
 * sharing starts), on documents whose scalars kustomize reads differently
 * (`yes`, dates, tags), on a document the library's parser cannot parse at
 * all (it runs out of stack; the editor reports that on the document's
 * first line instead of showing nothing), and through the façade: after an edit of a
 * 470 KB HelmRelease that a Flux Kustomization builds, the cross-file
 * refresh no longer parses it again (it cost as much as the editor's parse,
 * now a small part of it). The same for a kustomization file: the build
 * reads it piece by piece (so a typed-in piece comes from the editor's
 * parse) and the index takes its generated ConfigMaps and Secrets from the
 * editor's parse instead of parsing the whole file on every keystroke.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseSource, KUSTOMIZE_YAML_OPTIONS } from '../../engine/kustomize/source.ts';
import { parsedSource } from '../../engine/kustomize/parsed-sources.ts';
import { WorkspaceIndex } from '../../engine/workspace/index.ts';
import { parseYamlFile, setFastReading, sharedParse, parseAllQuietly, YAML_OPTIONS } from '../../engine/yaml/documents.ts';
import { createLanguageService } from '../../engine/index.ts';
import { createNodeHost } from '../../server/node-host.ts';
import { yamlFiles } from '../support/yaml-files.ts';
import { Random } from '../robustness/mutate.ts';
import { observeParse } from '../support/parse-observe.ts';

const repo = join(import.meta.dirname, '..', '..');
const corpora = [join(repo, '..', 'shared', 'fleets'), join(repo, 'examples'), join(repo, 'test', 'fixtures')];
// The editor parses with the library, as it does for edited or broken documents (clean ones are read by fast.ts).
let fastReading = true;
before(() => {
  fastReading = setFastReading(false);
});
after(() => {
  setFastReading(fastReading);
});
const PAD = `\n# ${'padding '.repeat(4_500)}\n`;


/** The build's parse of `text` after the editor parsed it, its own parse, and whether it took the editor's documents. */
function bothWays(file: string, text: string, schema: 'resource' | 'kustomization' = 'resource') {
  const own = observeParse(parseSource(file, text, undefined, schema));
  const editor = parseYamlFile(pathToFileURL(file).href, text);
  const afterEditor = parseSource(file, text, undefined, schema);
  const editorDocs = editor.docs.map((d) => d.doc);
  return { own, shared: observeParse(afterEditor), took: afterEditor.docs.some((d) => editorDocs.includes(d.doc)), editor };
}

test('the build reading the editor’s parse = its own parse, on every YAML piece of the fleets, examples and fixtures', () => {
  {
    const files = corpora.flatMap((c) => yamlFiles(c));
    assert.ok(files.length > 500, `only ${files.length} files`);
    let pieces = 0;
    let took = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (/^%/m.test(text)) continue; // directives apply to the whole file, not to a piece
      for (const piece of text.split(/^(?=---(?:[ \t\r\n]|$))/m)) {
        const padded = piece + PAD;
        for (const schema of ['resource', 'kustomization'] as const) {
          const r = bothWays(f, padded, schema);
          assert.deepEqual(r.shared, r.own, `${f} (${schema})`);
          if (r.took) took++;
        }
        pieces++;
      }
    }
    assert.ok(pieces > 800, `${pieces} pieces`);
    // Most documents read the same under both rules; the others were parsed again (and still equal).
    assert.ok(took > pieces, `${took} of ${pieces * 2} parses shared`);
  }
});

test('documents whose scalars kustomize reads differently are parsed with kustomize’s rules', () => {
  const cases: [string, unknown][] = [
    ['enabled: yes', 'yes'],
    ['enabled: on', 'on'],
    ['when: 2024-01-01', '2024-01-01T00:00:00Z'],
    ['n: !!str 12', '12'],
    ['ok: true', true],
  ];
  for (const [line, expected] of cases) {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ${line}\n${PAD}`;
    const r = bothWays('/cases/cm.yaml', text);
    assert.deepEqual(r.shared, r.own, line);
    const value = JSON.parse(r.shared.docs[0].value) as { data: Record<string, unknown> };
    assert.equal(Object.values(value.data)[0], expected, line);
    // As the API server reads it (YAML 1.1), the editor still sees its own reading.
    if (line === 'enabled: yes') assert.deepEqual(r.editor.docs[0].value(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { enabled: true } });
  }
  // Shared only where nothing differs.
  assert.equal(bothWays('/cases/plain.yaml', `a: b\n${PAD}`).took, true);
  assert.equal(bothWays('/cases/bool.yaml', `a: yes\n${PAD}`).took, false);
});

test('a piece the library’s parser cannot parse is reported by the build without parsing it a second time', () => {
  // A 20,000-key values map typed into at a few places (a stray `x` in indentation, keys and values): after some
  // of these edits the library's parser recurses once per following line and runs out of stack.
  const values = Array.from({ length: 20_000 }, (_, i) => `    key${i % 3 === 0 ? i % 50 : i}: value-${i}\n`).join('');
  let text = `---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: huge\nspec:\n  interval: 5m\n  values:\n${values}`;
  const rnd = new Random(7);
  let ownError = '';
  for (let i = 0; i < 12 && !ownError; i++) {
    const at = rnd.int(text.length);
    text = `${text.slice(0, at)}x${text.slice(at)}`;
    try {
      parseAllDocuments(text, KUSTOMIZE_YAML_OPTIONS);
    } catch (e) {
      ownError = String(e);
    }
  }
  assert.match(ownError, /Maximum call stack size exceeded/, 'the library throws on one of these texts');
  const r = bothWays('/cases/deep.yaml', text);
  assert.deepEqual(r.shared, r.own);
  assert.match(r.shared.diagnostics[0], /^kustomize-yaml@0-0: YAML could not be parsed: Maximum call stack size exceeded/);
  assert.deepEqual(sharedParse(text), { threw: 'Maximum call stack size exceeded' });
  // The editor says so on the document's first line instead of showing nothing for it.
  assert.deepEqual(r.editor.docs.map((d) => d.syntax.map((x) => [x.start, x.end, x.code, x.message.slice(0, 57)])), [[[0, 3, 'yaml-syntax', 'The YAML library could not parse this document (Maximum c']]]);
  // YAML_OPTIONS and the kustomize options share the parser: the editor's parse throws the same way.
  assert.throws(() => parseAllDocuments(text, YAML_OPTIONS), /Maximum call stack size exceeded/);
});

const HUGE_HEADER = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: huge\nspec:\n';

const cpuMs = (fn: () => void): number => {
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
};

test('after an edit of a huge HelmRelease a Flux Kustomization builds, the cross-file refresh does not parse it again', () => {
  const header = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: huge\n  namespace: flux-system\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: huge\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n';
  let duplicateKeys = false;
  const { parse, refresh } = typingCosts(join('infrastructure', 'sources', 'podinfo.yaml'), header, (service, file) => {
    // The build still reports the duplicate keys of the edited text, through the editor's parse.
    duplicateKeys = service.diagnostics(file).some((d) => d.code === 'duplicate-key');
  });
  // Before: the build parsed the 470 KB piece again (refresh ≈ 1–2 parses); now it reads the editor's documents.
  assert.ok(refresh < parse * 0.75, `refresh ${refresh.toFixed(0)} ms of CPU vs parse ${parse.toFixed(0)} ms (medians)`);
  assert.ok(duplicateKeys);
});

/**
 * The library's own parse, called from one function deeper as parseAllQuietly calls it (the same shape: the limit
 * kept and restored around the call): the text below runs the library's parser out of stack, and where that happens
 * depends on how deep the parse starts.
 */
function libraryParseOneCallDeeper(text: string): ReturnType<typeof parseAllDocuments> {
  const limit = Error.stackTraceLimit;
  try {
    return parseAllDocuments(text, YAML_OPTIONS);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

test('parsing without stack traces gives the library’s documents and errors, and leaves the stack trace limit as it was', () => {
  const values = Array.from({ length: 2_000 }, (_, i) => `    key${i}: value-${i}\n`).join('');
  const text = `a:\n  - x\n y: z\n${values}\tb: [\n---\nc: d\n`;
  const plain = libraryParseOneCallDeeper(text) as unknown as { errors: { code: string; pos: number[]; message: string }[]; toJS(): unknown }[];
  const quiet = parseAllQuietly(text, YAML_OPTIONS);
  assert.ok(plain[0].errors.length > 10);
  assert.deepEqual(quiet.map((d) => d.errors.map((e) => [e.code, e.pos, e.message])), plain.map((d) => d.errors.map((e) => [e.code, e.pos, e.message])));
  assert.deepEqual(quiet.map((d) => JSON.stringify(d.contents)), plain.map((d) => JSON.stringify((d as unknown as { contents: unknown }).contents)));
  const limit = Error.stackTraceLimit;
  assert.throws(() => parseAllQuietly(text, { ...YAML_OPTIONS, customTags: () => { throw new Error('boom'); } }), /boom/);
  assert.equal(Error.stackTraceLimit, limit);
});

test('a kustomization file read piece by piece (and from the editor’s parse) = read whole, on every kustomization file of the corpora', () => {
  const files = corpora.flatMap((c) => yamlFiles(c)).filter((f) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(f));
  assert.ok(files.length > 100, `${files.length} kustomization files`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    // As written, and with a large second document as the fuzz run appends (the editor parses that piece first).
    for (const t of [text, `${text}\n---\nx: 1\n${PAD}`]) {
      parseYamlFile(pathToFileURL(f).href, t);
      assert.deepEqual(observeParse(parsedSource(f, t, 'kustomization')), observeParse(parseSource(f, t, undefined, 'kustomization')), f);
    }
  }
});

test('the ConfigMaps and Secrets a kustomization file generates are the same from the editor’s parse as from its text', () => {
  const files = corpora.flatMap((c) => yamlFiles(c)).filter((f) => /(^|\/)kustomization\.ya?ml$/.test(f));
  const fromText = new WorkspaceIndex(createNodeHost(), { roots: ['/'] });
  const fromEditor = new WorkspaceIndex(createNodeHost(), { roots: ['/'] });
  let generated = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const t of [text, `# a comment first\n${text}`, `${text}\n---\nx: 1\n`]) {
      fromText.setFileText(f, t);
      fromEditor.setFileText(f, t, parseYamlFile(pathToFileURL(f).href, t));
      assert.deepEqual(fromEditor.objectsIn(f), fromText.objectsIn(f), f);
      generated += fromText.objectsIn(f).filter((o) => o.generated).length;
    }
  }
  assert.ok(generated > 30, `${generated} generated objects`);
});

/**
 * Five keystrokes in a file of examples/fleet (a copy) that gets a HelmRelease with 20,000 values keys appended (a
 * third of them repeating: duplicate keys, so the library parses it, not the quick reader): per keystroke the CPU
 * milliseconds of the editor's parse, of the index update and of the workspace refresh (medians). `header` is the
 * HelmRelease above `values:`; `last` sees the service and the last parse before the copy is removed.
 */
function typingCosts(relPath: string, header = HUGE_HEADER, last?: (service: ReturnType<typeof createLanguageService>, file: ReturnType<ReturnType<typeof createLanguageService>['parse']>) => void): { parse: number; update: number; refresh: number } {
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-shared-parse-'));
  try {
    cpSync(join(repo, 'examples', 'fleet'), root, { recursive: true });
    const service = createLanguageService(createNodeHost());
    service.configure({ network: false, trusted: false });
    service.openWorkspace({ roots: [root] });
    const path = join(root, relPath);
    const uri = pathToFileURL(path).href;
    const values = Array.from({ length: 20_000 }, (_, i) => `    key${i % 3 === 0 ? i % 50 : i}: value-${i}\n`).join('');
    let text = `${readFileSync(path, 'utf8')}\n---\n${header}  values:\n${values}`;
    let file = service.parse(uri, text);
    service.updateFile(uri, text, file);
    service.refreshWorkspaceDiagnostics();
    const parse: number[] = [];
    const update: number[] = [];
    const refresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = text.indexOf(`key${1_001 + i * 3_000}:`);
      text = `${text.slice(0, at)}x${text.slice(at)}`;
      parse.push(cpuMs(() => (file = service.parse(uri, text, file))));
      update.push(cpuMs(() => service.updateFile(uri, text, file)));
      refresh.push(cpuMs(() => service.refreshWorkspaceDiagnostics()));
    }
    last?.(service, file);
    const median = (l: number[]) => [...l].sort((a, b) => a - b)[l.length >> 1];
    return { parse: median(parse), update: median(update), refresh: median(refresh) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('typing in a huge kustomization file: indexing it and the builds reading it cost a small part of one parse', () => {
  const { parse, update, refresh } = typingCosts(join('infrastructure', 'configs', 'kustomization.yaml'));
  // Before: the index parsed the whole file again for its generated objects (344 ms vs a 412 ms parse), and the
  // build read the kustomization whole (refresh 1,091 ms).
  assert.ok(update < parse / 4, `index ${update.toFixed(0)} ms vs parse ${parse.toFixed(0)} ms`);
  assert.ok(refresh < parse * 0.75, `refresh ${refresh.toFixed(0)} ms vs parse ${parse.toFixed(0)} ms`);
});

test('typing in a huge kustomize patch file: the builds that apply it do not parse it whole again', () => {
  const { parse, refresh } = typingCosts(join('apps', 'production', 'podinfo-patch.yaml'));
  assert.ok(refresh < parse * 0.75, `refresh ${refresh.toFixed(0)} ms vs parse ${parse.toFixed(0)} ms`);
});
