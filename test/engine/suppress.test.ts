/**
 * Suppression comments on real validation results: next-line, same-line and
 * file-level directives, lists of codes, reasons after `--`, `#` inside
 * quoted strings, unused directives reported (info) on the code that did
 * nothing, and the "Suppress CODE on this line" quick fix whose edit, once
 * applied, makes the finding go away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService, emptyHost, applyRepoPolicy, type Diagnostic } from '../../engine/index.ts';
// Kept: applySuppressions shows kept and unused findings apart (one test), and findDirectives is the comment parser's algorithm.
import { applySuppressions } from '../../engine/suppress/apply.ts';
import { findDirectives } from '../../engine/suppress/comments.ts';

type TextEdit = { range: Diagnostic['range']; newText: string };
const service = createLanguageService(emptyHost);
const URI = 'file:///repo/apps/podinfo.yaml';

/** The document's own findings before suppression comments. */
function check(text: string): Diagnostic[] {
  return service.doValidation(service.parse(URI, text));
}

/** What the user sees: the document's findings after its suppression comments, with the unused ones. */
function visible(text: string): string[] {
  return service.diagnostics(service.parse(URI, text)).map((d) => `${d.range.start.line}:${d.code}`).sort();
}

const HR = (spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
${spec}  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
`;

test('without comments the fixtures do have the findings the directives target', () => {
  assert.deepEqual(visible(HR('  interval: 5 minutes\n  timout: 1m\n')), ['6:duration', '7:unknown-field']);
});

test('disable-next-line drops the listed code on the next line only', () => {
  const text = HR('  # fluxhelm-disable-next-line duration -- slow cluster\n  interval: 5 minutes\n  timout: 1m\n');
  assert.deepEqual(visible(text), ['8:unknown-field']);
});

test('disable-next-line skips blank and comment lines, and takes several codes', () => {
  const text = `# fluxhelm-disable-next-line unknown-kind, unknown-api-version\n\n# the next object is from a newer Flux\napiVersion: helm.toolkit.fluxcd.io/v3\nkind: HelmRelease\n`;
  assert.deepEqual(check(text).map((d) => d.code), ['unknown-api-version']);
  // unknown-api-version is dropped; unknown-kind did nothing and is reported on its own word.
  const r = applySuppressions(text, check(text));
  assert.deepEqual(r.kept, []);
  assert.equal(r.unused.length, 1);
  assert.equal(r.unused[0].severity, 'info');
  assert.equal(r.unused[0].code, 'unused-suppression');
  const { start, end } = r.unused[0].range;
  assert.equal(start.line, 0);
  assert.equal(text.split('\n')[0].slice(start.character, end.character), 'unknown-kind', 'the finding sits on the stale code itself');
  assert.match(r.unused[0].message, /`unknown-kind` is not reported on the next line/);
});

test('disable-line at the end of the line drops findings that start on it', () => {
  const text = HR('  interval: 5 minutes  # fluxhelm-disable-line duration\n  timout: 1m\n');
  assert.deepEqual(visible(text), ['7:unknown-field']);
});

test('a file-level directive without codes drops everything in the file', () => {
  const text = `# fluxhelm-disable\n${HR('  interval: 5 minutes\n  timout: 1m\n')}`;
  assert.deepEqual(visible(text), []);
  const clean = `# fluxhelm-disable\n${HR('  interval: 5m\n')}`;
  assert.deepEqual(visible(clean), ['0:unused-suppression'], 'a blanket directive in a clean file is stale');
});

test('a file-level directive with a code keeps the other codes', () => {
  const text = `# fluxhelm-disable unknown-field\n${HR('  interval: 5 minutes\n  timout: 1m\n')}`;
  assert.deepEqual(visible(text), ['7:duration']);
});

test('a directive for the wrong code drops nothing and is reported', () => {
  const text = HR('  # fluxhelm-disable-next-line unknown-field\n  interval: 5 minutes\n');
  assert.deepEqual(visible(text), ['6:unused-suppression', '7:duration']);
});

test('# inside a quoted value is not a comment', () => {
  assert.deepEqual(findDirectives('a: "x # fluxhelm-disable-line cel"\nb: \'it\'\'s # fluxhelm-disable\'\n'), []);
  assert.equal(findDirectives('a: "x" # fluxhelm-disable-line cel\n').length, 1);
  assert.deepEqual(findDirectives('# fluxhelm-disabled-things\n'), [], 'only the exact directive words count');
});

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

test('the quick fix "Suppress CODE on this line" inserts a directive that silences exactly that finding', () => {
  const text = HR('  interval: 5 minutes\n  timout: 1m\n');
  const file = service.parse(URI, text);
  const diags = check(text);
  const target = diags.find((d) => d.code === 'unknown-field')!;
  const actions = service.codeActions(file, target.range, diags);
  const action = actions.find((a) => a.title === 'Suppress unknown-field on this line');
  assert.ok(action, actions.map((a) => a.title).join(', '));
  const fixed = applyEdits(text, action.edit!.changes![URI]);
  assert.match(fixed, /\n  # fluxhelm-disable-next-line unknown-field\n  timout: 1m\n/, 'the comment takes the line\'s indentation');
  assert.deepEqual(visible(fixed), ['6:duration']);

  // Suppressing a second code on the same line extends the existing comment.
  const two = HR('  # fluxhelm-disable-next-line cel\n  interval: 5 minutes\n');
  const twoFile = service.parse(URI, two);
  const twoDiags = check(two);
  const dur = twoDiags.find((d) => d.code === 'duration')!;
  const extend = service.codeActions(twoFile, dur.range, twoDiags).find((a) => a.title === 'Suppress duration on this line')!;
  const extended = applyEdits(two, extend.edit!.changes![URI]);
  assert.match(extended, /# fluxhelm-disable-next-line cel,duration\n  interval: 5 minutes/);
  assert.deepEqual(visible(extended), ['6:unused-suppression'], 'cel is still stale, duration is gone');
});

test('the repository policy: suppressions, then unused ones reported, then severity per code', async () => {
  const text = HR('  # fluxhelm-disable-next-line duration\n  interval: 5 minutes\n  timout: 1m\n  # fluxhelm-disable-next-line cel\n  suspend: false\n');
  const codes = (list: Diagnostic[]) => list.map((d) => `${d.range.start.line}:${d.code}:${d.severity}`);
  assert.deepEqual(codes(applyRepoPolicy(text, check(text))), ['8:unknown-field:error', '9:unused-suppression:info']);
  // A code turned off by the settings still counts as used by its comment; other levels are replaced.
  assert.deepEqual(codes(applyRepoPolicy(text, check(text), { severity: { duration: 'off', 'unknown-field': 'warning', 'unused-suppression': 'warning' } })), ['8:unknown-field:warning', '9:unused-suppression:warning']);
  assert.deepEqual(codes(applyRepoPolicy(text, check(text), { reportUnused: false })), ['8:unknown-field:error']);
});
