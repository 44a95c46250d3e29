/**
 * The outline of a multi-document file: one symbol per object with its
 * name, apiVersion, kind-specific icon, document range, name selection and
 * spec sections; positions stay right after earlier documents are edited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SymbolKind } from 'vscode-languageserver-types';
import { createLanguageService, emptyHost, type DocumentSymbol, type Range } from '../../engine/index.ts';

const ls = createLanguageService(emptyHost);

const FILE = `# Podinfo, the whole stack
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 1h
  url: https://stefanprodan.github.io/podinfo
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: apps
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
        namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: web-values
  values:
    replicaCount: 2
---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-values
data:
  values.yaml: |
    replicaCount: 3
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: other
---
notAnObject: true
`;

function rangeOfText(text: string, needle: string, from = 0): Range {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, needle);
  const pos = (o: number) => {
    const before = text.slice(0, o);
    return { line: before.split('\n').length - 1, character: o - before.lastIndexOf('\n') - 1 };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

const lineOf = (text: string, needle: string, from = 0): number => rangeOfText(text, needle, from).start.line;

test('symbols: one per object, named Kind namespace/name with the apiVersion as detail', () => {
  const symbols = ls.findDocumentSymbols(ls.parse('file:///work/stack.yaml', FILE));
  assert.deepEqual(
    symbols.map((s) => [s.name, s.detail, s.kind]),
    [
      ['HelmRepository flux-system/podinfo', 'source.toolkit.fluxcd.io/v1', SymbolKind.Module],
      ['HelmRelease apps/web', 'helm.toolkit.fluxcd.io/v2', SymbolKind.Package],
      ['ConfigMap web-values', 'v1', SymbolKind.Object],
      ['Deployment other', 'apps/v1', SymbolKind.Object],
    ],
  );
});

test('symbols: ranges cover each document and select its name', () => {
  const symbols = ls.findDocumentSymbols(ls.parse('file:///work/stack.yaml', FILE));
  const [repo, release, configMap] = symbols;
  assert.equal(repo.range.start.line, lineOf(FILE, 'apiVersion: source'));
  assert.equal(repo.range.end.line, lineOf(FILE, '  url: https'));
  assert.deepEqual(repo.selectionRange, rangeOfText(FILE, 'podinfo', FILE.indexOf('  name: podinfo')));
  const releaseStart = FILE.indexOf('apiVersion: helm');
  assert.equal(release.range.start.line, lineOf(FILE, 'apiVersion: helm'));
  assert.equal(release.range.end.line, lineOf(FILE, '    replicaCount: 2'));
  assert.deepEqual(release.selectionRange, rangeOfText(FILE, 'web', FILE.indexOf('  name: web', releaseStart)));
  assert.equal(configMap.range.end.line, lineOf(FILE, '    replicaCount: 3'));
  for (const s of symbols) {
    const inside = (r: Range) => (r.start.line > s.range.start.line || (r.start.line === s.range.start.line && r.start.character >= s.range.start.character)) && (r.end.line < s.range.end.line || (r.end.line === s.range.end.line && r.end.character <= s.range.end.character));
    assert.ok(inside(s.selectionRange), `${s.name}: selection inside range`);
    for (const c of s.children ?? []) assert.ok(inside(c.range), `${s.name}/${c.name} inside its document`);
  }
});

test('symbols: children are the spec sections (or top-level data) with their ranges', () => {
  const symbols = ls.findDocumentSymbols(ls.parse('file:///work/stack.yaml', FILE));
  const release = symbols[1];
  const names = (s: DocumentSymbol) => (s.children ?? []).map((c) => c.name);
  assert.deepEqual(names(release), ['interval', 'chart', 'valuesFrom', 'values']);
  const releaseStart = FILE.indexOf('apiVersion: helm');
  const chart = release.children!.find((c) => c.name === 'chart')!;
  assert.equal(chart.range.start.line, lineOf(FILE, '  chart:', releaseStart));
  assert.equal(chart.range.end.line, lineOf(FILE, '        namespace: flux-system'));
  assert.deepEqual(chart.selectionRange, rangeOfText(FILE, 'chart', FILE.indexOf('  chart:', releaseStart)));
  assert.equal(release.children!.find((c) => c.name === 'interval')!.detail, '5m');
  assert.equal(release.children!.find((c) => c.name === 'valuesFrom')!.kind, SymbolKind.Array);
  assert.deepEqual(names(symbols[0]), ['interval', 'url']);
  assert.deepEqual(names(symbols[2]), ['data']);
});

test('symbols: kustomization.yaml without apiVersion is a Kustomization', () => {
  const text = 'namespace: apps\nresources:\n  - release.yaml\n  - repository.yaml\n';
  const [k, ...rest] = ls.findDocumentSymbols(ls.parse('file:///work/apps/kustomization.yaml', text));
  assert.equal(rest.length, 0);
  assert.equal(k.name, 'Kustomization');
  assert.equal(k.detail, 'kustomize.config.k8s.io/v1beta1');
  assert.deepEqual(k.children!.map((c) => [c.name, c.detail]), [['namespace', 'apps'], ['resources', '2 items']]);
  assert.deepEqual(ls.findDocumentSymbols(ls.parse('file:///work/apps/other.yaml', text)), []);
});

test('symbols: after an edit in the first document the later ones move with it', () => {
  const before = ls.parse('file:///work/stack.yaml', FILE);
  const first = ls.findDocumentSymbols(before);
  const edited = FILE.replace('  interval: 1h\n', '  interval: 1h\n  timeout: 1m\n  provider: generic\n');
  const after = ls.findDocumentSymbols(ls.parse('file:///work/stack.yaml', edited, before));
  assert.equal(after.length, first.length);
  assert.deepEqual(after[0].children!.map((c) => c.name), ['interval', 'timeout', 'provider', 'url']);
  for (let i = 1; i < first.length; i++) {
    assert.equal(after[i].name, first[i].name);
    assert.equal(after[i].range.start.line, first[i].range.start.line + 2);
    assert.equal(after[i].selectionRange.start.line, first[i].selectionRange.start.line + 2);
  }
  assert.deepEqual(after[1].selectionRange, rangeOfText(edited, 'web', edited.indexOf('  name: web')));
});
