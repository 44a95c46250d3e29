/**
 * Hover on keys and values at several depths: path, description, type,
 * default, allowed values, required, API-version notes and kind summaries;
 * nothing for unknown objects or inside open fields. The cursor is marked
 * with `^` (a `|` could be YAML).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, emptyHost, type EngineHost, type Hover, type Range } from '../../engine/index.ts';
import { withCursor } from '../support/cursor.ts';

const ls = createLanguageService(emptyHost);

function hover(fixture: string, service = ls, uri = 'file:///work/release.yaml'): { hover: Hover | null; text: string } {
  const c = withCursor(fixture, '^');
  return { hover: service.doHover(service.parse(uri, c.text), c.position), text: c.text };
}

function markdownOf(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  const contents = h.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

/** The range of the `nth` occurrence of `needle` in `text`. */
function rangeOfText(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) break;
  }
  assert.ok(at >= 0, `${needle} not in fixture`);
  const pos = (o: number) => {
    const before = text.slice(0, o);
    return { line: before.split('\n').length - 1, character: o - before.lastIndexOf('\n') - 1 };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

type Props = Record<string, { description?: string; properties?: Props }>;
function describedAt(apiVersion: string, kind: string, path: string[]): string {
  let node = { properties: (ls.registry.get(apiVersion, kind)!.schema as { properties: Props }).properties } as { properties?: Props; description?: string };
  for (const seg of path) node = node.properties![seg];
  const d = (node.description ?? '').replace(/\s*Default: `[^`]*`\.?$/, '');
  assert.ok(d.length > 20, `the bundled schema documents ${path.join('.')}`);
  return d;
}

const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
  labels:
    team: web
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      version: 6.x
      reconcileStrategy: ChartVersion
      valuesFiles:
        - values.yaml
      sourceRef:
        kind: HelmRepository
        name: podinfo
  valuesFrom:
    - kind: ConfigMap
      name: overrides
  values:
    replicaCount: 2
`;

const at = (needle: string, caret: number): string => {
  const i = RELEASE.indexOf(needle);
  assert.ok(i >= 0, needle);
  return RELEASE.slice(0, i + caret) + '^' + RELEASE.slice(i + caret);
};

const cases: { name: string; fixture: string; target: [string, number?]; includes: (string | RegExp)[]; excludes?: (string | RegExp)[]; doc?: string[] }[] = [
  {
    name: 'a required key under spec',
    fixture: at('interval: 5m', 3),
    target: ['interval'],
    includes: ['`spec.interval`', 'string', 'required'],
    doc: ['spec', 'interval'],
  },
  {
    name: 'a key three levels down with an enum and a default',
    fixture: at('reconcileStrategy', 2),
    target: ['reconcileStrategy'],
    includes: ['`spec.chart.spec.reconcileStrategy`', 'Allowed values: `ChartVersion`, `Revision`', 'Default: `ChartVersion`'],
    excludes: ['required'],
  },
  {
    name: 'a value hovers its key field',
    fixture: at('kind: HelmRepository', 10),
    target: ['HelmRepository'],
    includes: ['`spec.chart.spec.sourceRef.kind`', 'required', '`HelmRepository`, `GitRepository`, `Bucket`'],
  },
  {
    name: 'the default of version',
    fixture: at('version: 6.x', 2),
    target: ['version'],
    includes: ['`spec.chart.spec.version`', 'Default: `*`'],
  },
  {
    name: 'a list of strings, hovered on one of its values',
    fixture: at('- values.yaml', 4),
    target: ['values.yaml'],
    includes: ['`spec.chart.spec.valuesFiles`', 'list of string'],
  },
  {
    name: 'a key inside a list item',
    fixture: at('kind: ConfigMap', 1),
    target: ['kind', 2],
    includes: ['`spec.valuesFrom[0].kind`', 'required', /Allowed values: (`ConfigMap`, `Secret`|`Secret`, `ConfigMap`)/],
  },
  {
    name: 'a list of objects',
    fixture: at('valuesFrom:', 3),
    target: ['valuesFrom'],
    includes: ['`spec.valuesFrom`', 'list of object'],
    doc: ['spec', 'valuesFrom'],
  },
  {
    name: 'metadata.name',
    fixture: at('name: podinfo', 1),
    target: ['name'],
    includes: ['`metadata.name`', 'string'],
  },
  {
    name: 'a string map',
    fixture: at('labels:', 2),
    target: ['labels'],
    includes: ['`metadata.labels`', 'map of string'],
  },
  {
    name: 'the open values field itself',
    fixture: at('values:\n    replicaCount', 2),
    target: ['values', 3],
    includes: ['`spec.values`', 'object (any fields)'],
    doc: ['spec', 'values'],
  },
];

for (const c of cases) {
  test(`hover: ${c.name}`, () => {
    const { hover: h, text } = hover(c.fixture);
    const md = markdownOf(h);
    for (const want of c.includes) {
      if (typeof want === 'string') assert.ok(md.includes(want), `missing ${want} in:\n${md}`);
      else assert.match(md, want);
    }
    for (const not of c.excludes ?? []) {
      if (typeof not === 'string') assert.ok(!md.includes(not), `unexpected ${not} in:\n${md}`);
      else assert.doesNotMatch(md, not);
    }
    if (c.doc) assert.ok(md.includes(describedAt('helm.toolkit.fluxcd.io/v2', 'HelmRelease', c.doc)), `description missing in:\n${md}`);
    assert.deepEqual(h!.range, rangeOfText(text, c.target[0], c.target[1] ?? 0));
  });
}

test('hover: a removed apiVersion names the Flux release that removed it and the current version', () => {
  const v2beta1 = markdownOf(hover('apiVersion: helm.toolkit.fluxcd.io/v2be^ta1\nkind: HelmRelease\nmetadata:\n  name: a\n').hover);
  assert.match(v2beta1, /removed in Flux 2\.7/);
  assert.ok(v2beta1.includes('`helm.toolkit.fluxcd.io/v2`'));
  const source = markdownOf(hover('apiVe^rsion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\n').hover);
  assert.match(source, /removed in Flux 2\.8/);
  assert.ok(source.includes('`source.toolkit.fluxcd.io/v1`'));
  const current = markdownOf(hover('apiVersion: helm.toolkit.fluxcd.io/^v2\nkind: HelmRelease\n').hover);
  assert.match(current, /current API version of HelmRelease/);
  assert.doesNotMatch(current, /was removed/);
});

test('hover: the kind value shows the kind summary', () => {
  const md = markdownOf(hover('apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRep^ository\n').hover);
  const summary = ls.registry.get('source.toolkit.fluxcd.io/v1', 'GitRepository')!.schema.description;
  assert.ok(typeof summary === 'string' && summary.length > 20, 'GitRepository has a summary');
  assert.ok(md.includes(summary));
  assert.ok(md.includes('**GitRepository**'));
});

test('hover: nothing for unknown objects, inside spec.values, or on blank space', () => {
  assert.equal(hover('apiVersion: apps/v1\nkind: Deployment\nspec:\n  repl^icas: 2\n').hover, null);
  assert.equal(hover(at('replicaCount', 3)).hover, null);
  assert.equal(hover(`${RELEASE.slice(0, RELEASE.indexOf('spec:'))}^\n${RELEASE.slice(RELEASE.indexOf('spec:'))}`).hover, null);
  assert.equal(hover(RELEASE.replace('  values:\n', '  unkn^ownField: 1\n  values:\n')).hover, null);
});

test('hover: user CRDs show their own descriptions, int-or-string types and the CRD they come from', () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
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
          description: A widget for tests.
          properties:
            spec:
              type: object
              description: Desired widget.
              required: [size]
              properties:
                size:
                  x-kubernetes-int-or-string: true
                  description: How big the widget is.
                tags:
                  type: object
                  additionalProperties: {type: string}
                  description: Free-form tags.
`;
  const host: EngineHost = { ...emptyHost, readFile: (p) => (p === '/crds/widget.yaml' ? crd : undefined) };
  const service = createLanguageService(host);
  assert.deepEqual(service.setCrdPaths(['/crds/widget.yaml']), []);
  const doc = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  tags:\n    a: b\n';
  const size = markdownOf(hover(doc.replace('size: 3', 'si^ze: 3'), service).hover);
  assert.ok(size.includes('`spec.size`') && size.includes('int-or-string') && size.includes('required') && size.includes('How big the widget is.'));
  const tags = markdownOf(hover(doc.replace('tags:', 't^ags:'), service).hover);
  assert.ok(tags.includes('map of string') && tags.includes('Free-form tags.'));
  const kind = markdownOf(hover(doc.replace('kind: Widget', 'kind: Wid^get'), service).hover);
  assert.ok(kind.includes('A widget for tests.'));
  const api = markdownOf(hover(doc.replace('apiVersion: example', 'apiVersion: exa^mple'), service).hover);
  assert.ok(api.includes('/crds/widget.yaml'));
});
