/**
 * `fluxhelm check --format github` prints GitHub Actions workflow commands
 * (annotations on a pull request). Differential: for every finding that
 * `--format json` reports on examples/mistakes, the line must be exactly
 * what GitHub's own toolkit (@actions/core) writes for the same annotation,
 * escaping included; the exit status and summary match the text format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as core from '@actions/core';

const repoRoot = join(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');

function run(args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

/** What @actions/core prints for one annotation (it writes to process.stdout). */
function toolkitLine(level: 'error' | 'warning' | 'notice', message: string, props: core.AnnotationProperties): string {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    core[level](message, props);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('').trimEnd();
}

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  code: string;
  message: string;
}

test('every finding becomes the annotation line @actions/core would write', () => {
  const json = run(['check', 'examples/mistakes', '--format', 'json']);
  const findings = JSON.parse(json.stdout) as JsonFinding[];
  assert.ok(findings.length > 10, 'examples/mistakes has findings to annotate');
  const gh = run(['check', 'examples/mistakes', '--format', 'github']);
  assert.equal(gh.status, 1, 'errors still fail the step');
  assert.equal(json.status, 1);
  const lines = gh.stdout.trimEnd().split('\n');
  assert.equal(lines.length, findings.length + 1);
  findings.forEach((f, i) => {
    const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props: core.AnnotationProperties = { title: `fluxhelm ${f.code}`, file: f.file, startLine: f.line, endLine: f.endLine, startColumn: f.column };
    if (f.endLine === f.line) props.endColumn = f.endColumn;
    assert.equal(lines[i], toolkitLine(level, f.message, props));
  });
  const summary = run(['check', 'examples/mistakes']).stdout.trimEnd().split('\n').pop();
  assert.equal(lines.at(-1), summary);
  assert.match(summary!, /^\d+ files checked: \d+ errors, \d+ warnings/);
  assert.ok(lines.some((l) => l.startsWith('::warning ')) && lines.some((l) => l.startsWith('::error ')));
});

test('a clean repository prints only the summary and exits 0', () => {
  const gh = run(['check', 'examples/fleet', '--format', 'github']);
  assert.equal(gh.status, 0);
  assert.doesNotMatch(gh.stdout, /^::(error|warning) /m);
});
