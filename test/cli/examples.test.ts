/**
 * Keeps the example workspaces honest, through the built CLI
 * (`node dist/cli.js check --format json <folder>`), exactly as the README
 * tells users to run it:
 * - examples/fleet is a clean Flux repository: exit 0, no errors, no warnings;
 * - examples/mistakes exits 1, its README table lists every error and warning
 *   its files produce (file, line, severity, code) and nothing else, every
 *   file named in the table has an error, and the supporting files have none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');
const fleetDir = join(repoRoot, 'examples', 'fleet');
const mistakesDir = join(repoRoot, 'examples', 'mistakes');

export interface Finding {
  /** Path relative to the checked folder, with `/` separators. */
  file: string;
  /** 1-based line where the diagnostic starts. */
  line: number;
  severity: string;
  code: string;
  message: string;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** Runs `fluxhelm check --format json` on a folder; returns the exit code and the findings. */
function checkFolder(folder: string): { status: number | null; findings: Finding[] } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'check', '--format', 'json', folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.stderr, '', 'the CLI writes nothing to stderr');
  const raw = JSON.parse(r.stdout) as { file: string; line: number; severity: string; code: string; message: string }[];
  const findings = raw.map((f) => ({ file: relative(folder, resolve(repoRoot, f.file)).split(sep).join('/'), line: f.line, severity: f.severity, code: f.code, message: f.message }));
  return { status: r.status, findings };
}

const show = (f: Finding): string => `${f.file}:${f.line} ${f.severity} [${f.code}] ${f.message}`;

test('examples/fleet: fluxhelm check exits 0 with no errors or warnings', () => {
  assert.ok(yamlFilesUnder(fleetDir).length >= 30, 'the full fleet is there');
  const { status, findings } = checkFolder(fleetDir);
  assert.deepEqual(findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map(show), []);
  assert.equal(status, 0);
});

interface ExpectedRow {
  file: string;
  line: number;
  severity: string;
  code: string;
  what: string;
}

/** Rows of the first Markdown table whose header starts with `| file | line |`. */
function readExpectedRows(readme: string): ExpectedRow[] {
  const lines = readme.split(/\r?\n/);
  const header = lines.findIndex((l) => /^\|\s*file\s*\|\s*line\s*\|/i.test(l));
  assert.ok(header >= 0, 'README.md has no | file | line | ... | table');
  const rows: ExpectedRow[] = [];
  for (const l of lines.slice(header + 2)) {
    if (!l.trim().startsWith('|')) break;
    const cells = l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
    assert.equal(cells.length, 5, `table row does not have 5 cells: ${l}`);
    const [file, line, severity, code, what] = cells;
    assert.match(line, /^[1-9][0-9]*$/, `bad line number in row: ${l}`);
    rows.push({ file, line: Number(line), severity, code, what });
  }
  return rows;
}

const rows = readExpectedRows(readFileSync(join(mistakesDir, 'README.md'), 'utf8'));
const mistakeFiles = [...new Set(rows.map((r) => r.file))];
const supportingFiles = yamlFilesUnder(mistakesDir).map((p) => relative(mistakesDir, p).split(sep).join('/')).filter((f) => !mistakeFiles.includes(f));
const run = checkFolder(mistakesDir);
const rowKey = (r: { file: string; line: number; severity: string; code: string }): string => `${r.file}:${r.line}:${r.severity}:${r.code}`;

test('examples/mistakes: fluxhelm check exits 1', () => {
  assert.equal(run.status, 1);
});

test('examples/mistakes/README.md: the table is well formed and names existing files and lines', () => {
  assert.ok(mistakeFiles.length >= 20);
  for (const r of rows) {
    assert.ok(existsSync(join(mistakesDir, r.file)), `${r.file} does not exist`);
    assert.ok(['error', 'warning', 'info', 'hint'].includes(r.severity), `bad severity ${r.severity}`);
    assert.ok(r.line <= readFileSync(join(mistakesDir, r.file), 'utf8').split('\n').length, `${r.file} has no line ${r.line}`);
  }
});

test('examples/mistakes: supporting files (sources, folders) produce no findings', () => {
  assert.ok(supportingFiles.length >= 1);
  assert.deepEqual(run.findings.filter((f) => supportingFiles.includes(f.file)).map(show), []);
});

for (const file of mistakeFiles) {
  test(`examples/mistakes/${file}: the CLI reports exactly the README rows`, () => {
    const mine = run.findings.filter((f) => f.file === file);
    assert.ok(mine.some((f) => f.severity === 'error'), `${file} produced no error`);
    const remaining = new Map<string, Finding[]>();
    for (const f of mine) remaining.set(rowKey(f), [...(remaining.get(rowKey(f)) ?? []), f]);
    const missing: string[] = [];
    for (const r of rows.filter((x) => x.file === file)) {
      const list = remaining.get(rowKey(r));
      if (list?.length) list.shift();
      else missing.push(`${r.file}:${r.line} ${r.severity} [${r.code}] ${r.what}`);
    }
    const unexpected = [...remaining.values()].flat().filter((f) => f.severity === 'error' || f.severity === 'warning');
    assert.deepEqual({ missing, unexpected: unexpected.map(show) }, { missing: [], unexpected: [] }, `all findings for ${file}:\n${mine.map(show).join('\n')}`);
  });
}
