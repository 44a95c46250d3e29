// Algorithm test of engine/operator (ResourceSet templates), engine/workspace/header-scan.ts and engine/kustomize (never throwing on random input): imports the module directly (behaviour tests go through engine/index.ts).
/**
 * Never throwing on user input (architecture invariant) for the parts added
 * for issue #11 that read free-form text: ResourceSet templates and
 * expansion, the header scan with anchors and the objects created by other
 * objects, and kustomize replacements/configurations. Seeded random inputs
 * built from the syntax these readers look for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderTemplate } from '../../engine/operator/template.ts';
import { expandResourceSet } from '../../engine/operator/resourceset.ts';
import { scanHeaders } from '../../engine/workspace/header-scan.ts';
import { createdObjects } from '../../engine/workspace/created-objects.ts';
import { buildKustomization } from '../../engine/kustomize/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const seed = Number(process.env.FLUXHELM_DIFF_SEED ?? 20261203);
const anyJson = fc.jsonValue({ maxDepth: 4 });
const asMap = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const words = (list: string[], max: number) => fc.array(fc.constantFrom(...list), { maxLength: max }).map((a) => a.join(''));
const template = words(['<<', '>>', '<<-', '->>', 'inputs', '.', 'a', '|', ' ', 'quote', 'default', '"x"', 'nindent', '2', 'toYaml', '$', 'if', 'end', 'int', '\n'], 30);

test('ResourceSet templates and expansion never throw', () => {
  fc.assert(fc.property(template, anyJson, (t, inputs) => {
    const r = renderTemplate(t, asMap(inputs));
    assert.equal(typeof r.ok, 'boolean');
  }), { seed, numRuns: 1000 });
  fc.assert(fc.property(anyJson, anyJson, template, (spec, inputs, t) => {
    const rs = { metadata: { name: 'x' }, spec: { ...asMap(spec), inputs: Array.isArray(inputs) ? inputs : [inputs], inputsFrom: [{ name: 'p' }], resources: [{ kind: t, metadata: { name: t }, spec }], resourcesTemplate: t, inputStrategy: { name: 'Permute' } } };
    const e = expandResourceSet(rs, () => ({ spec: { type: 'Static', defaultValues: inputs } }));
    assert.ok(Array.isArray(e.objects) && Array.isArray(e.notes));
  }), { seed, numRuns: 500 });
});

test('the header scan and created objects never throw on fragments of the documents they read', () => {
  const yamlish = words(['kind: ExternalSecret\n', 'apiVersion: external-secrets.io/v1\n', 'metadata:\n', '  name: &a x\n', '  name: *a\n', '  namespace: *b\n', 'spec:\n', '  target:\n', '    name: ', '"q"\n', '---\n', 'kind: ResourceSet\n', 'apiVersion: fluxcd.controlplane.io/v1\n', '  resources:\n', '    - kind: << inputs.a >>\n', '  inputs: [{a: b}]\n', '  sync: {kind: Git}\n', 'kind: FluxInstance\n', '  artifacts:\n', '    - name: z\n', 'kind: ArtifactGenerator\n', 'apiVersion: source.extensions.fluxcd.io/v1beta1\n', '\t', ' ', ':', '{', '['], 40);
  fc.assert(fc.property(yamlish, (text) => {
    const objs = scanHeaders(text).filter((h) => h.kind && h.apiVersion).map((h) => ({ file: '/f.yaml', start: h.start, end: h.end, apiVersion: h.apiVersion!, kind: h.kind!, name: h.name ?? '', namespace: h.namespace }));
    for (const o of createdObjects('/f.yaml', text, objs)) assert.ok(o.name && o.createdBy);
  }), { seed, numRuns: 1000 });
});

test('replacements and configurations never make the build fail internally', () => {
  const k = words(['replacements:\n', '  - source:\n', '      kind: ConfigMap\n', '      name: a\n', '      fieldPath: data.[x', '      fieldPath: a.*.b\n', '    targets:\n', '      - select: {kind: ConfigMap}\n', '        fieldPaths: [data.x, "a.[b=c].d", "*"]\n', '        options: {create: true, delimiter: "-", index: -3}\n', 'resources: [a.yaml]\n', 'configurations: [c.yaml]\n', '  - path: c.yaml\n'], 14);
  fc.assert(fc.property(k, (text) => {
    const b = buildKustomization(memoryHost({ '/w/kustomization.yaml': text, '/w/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1-2"\n', '/w/c.yaml': 'nameReference: [{kind: ConfigMap, fieldSpecs: [{path: data/x}]}]\nfoo: 1\n' }), '/w');
    assert.deepEqual(b.diagnostics.filter((d) => d.code === 'kustomize-internal'), []);
  }), { seed, numRuns: 500 });
});
