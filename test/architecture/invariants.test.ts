/**
 * The architecture, checked: front ends (server/, cli/, client/) import from
 * engine/ only through its façade (engine/index.ts); engine/ imports no
 * Node IO module, no VS Code or LSP runtime and uses no global timers; there
 * are no import cycles among the project's own modules; every diagnostic
 * code the engine can report is in the typed list, and the README's code
 * table matches it. Each rule is also run on a planted violation, so a rule
 * that can no longer fail is noticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../engine/index.ts';

const root = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, `export … from` and dynamic `import()` in a TypeScript text. */
export function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of stripped.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) out.push({ spec: m[3]!, typeOnly: !!m[2] });
  for (const m of stripped.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, typeOnly: false });
  return out;
}

/** Rule 1: a front-end file may reach engine/ only through engine/index.ts. */
export function facadeViolations(file: string, text: string): string[] {
  const out: string[] = [];
  for (const { spec } of importsOf(text)) {
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(root, dirname(file), spec));
    if (target.startsWith('engine/') && target !== 'engine/index.ts') out.push(`${file} imports ${target}`);
  }
  return out;
}

const FORBIDDEN_IN_ENGINE = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|worker_threads|cluster|os|readline|vscode|vscode-languageserver|vscode-languageserver\/node|vscode-languageclient|vscode-languageclient\/node|@kubernetes\/client-node)$/;

/** Rule 2: engine/ touches no IO, editor runtime or global timer. */
export function engineViolations(file: string, text: string): string[] {
  const out: string[] = [];
  for (const { spec, typeOnly } of importsOf(text)) if (!typeOnly && FORBIDDEN_IN_ENGINE.test(spec)) out.push(`${file} imports ${spec}`);
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
  // A call of a global: not `clock.setTimeout(…)`, not a method definition or signature (`setTimeout(fn, ms) {` / `): unknown`).
  for (const m of code.matchAll(/(?<![.\w])(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|process\.\w+|require)\s*\(/g)) {
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    for (; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) break;
    }
    const next = code.slice(i + 1).trimStart()[0];
    if (next !== '{' && next !== ':') out.push(`${file} calls ${m[1]}`);
  }
  return out;
}

/** Rule 3: cycles among relative imports (type-only imports excluded: they vanish at run time). */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of [...graph.keys()].sort()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = importsOf(readFileSync(join(root, f), 'utf8'))
      .filter((i) => !i.typeOnly && i.spec.startsWith('.'))
      .map((i) => relative(root, resolve(root, dirname(f), i.spec)));
    graph.set(f, deps.filter((d) => files.includes(d)));
  }
  return graph;
}

test('front ends import the engine only through its façade (and the rule catches a violation)', () => {
  const files = [...sources('server'), ...sources('cli'), ...sources('client')];
  assert.ok(files.length > 20);
  const found = files.flatMap((f) => facadeViolations(f, readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, []);
  assert.deepEqual(facadeViolations('cli/x.ts', "import { Workspace } from '../engine/workspace/model.ts';\n"), ['cli/x.ts imports engine/workspace/model.ts']);
  assert.deepEqual(facadeViolations('server/features/x.ts', "const m = await import('../../engine/cluster/run.ts');\n"), ['server/features/x.ts imports engine/cluster/run.ts']);
  assert.deepEqual(facadeViolations('cli/x.ts', "import { createLanguageService } from '../engine/index.ts';\n"), []);
});

test('engine/ imports no fs, network, VS Code or LSP runtime and uses no global timers (and the rule catches a violation)', () => {
  const files = sources('engine');
  const found = files.flatMap((f) => engineViolations(f, readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, []);
  assert.deepEqual(engineViolations('engine/x.ts', "import { readFileSync } from 'node:fs';\n"), ['engine/x.ts imports node:fs']);
  assert.deepEqual(engineViolations('engine/x.ts', "import { createConnection } from 'vscode-languageserver/node';\n"), ['engine/x.ts imports vscode-languageserver/node']);
  assert.deepEqual(engineViolations('engine/x.ts', 'const t = setTimeout(() => 1, 5);\n'), ['engine/x.ts calls setTimeout']);
  assert.deepEqual(engineViolations('engine/x.ts', "import type { Position } from 'vscode-languageserver-types';\nclock.setTimeout(f, 1);\n"), []);
  assert.deepEqual(engineViolations('engine/x.ts', '  setTimeout(() => done(), 5);\n'), ['engine/x.ts calls setTimeout']);
  assert.deepEqual(engineViolations('engine/x.ts', 'const c = { setTimeout(fn, ms) { return 1; } };\n'), []);
});

test('no import cycles among the project\'s modules (and the check finds a planted one)', () => {
  const files = [...sources('engine'), ...sources('server'), ...sources('cli'), ...sources('client')];
  const cycle = findCycle(importGraph(files));
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' → ')}`);
  assert.deepEqual(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
});

test('every diagnostic code in the engine is in the typed list, and the README table lists exactly that list', () => {
  const listed = new Set(Object.keys(DIAGNOSTIC_CODES));
  const used = new Set<string>();
  for (const f of sources('engine')) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/\bcode: '([a-z0-9-]+)'(?=\s*[,}])/g)) used.add(m[1]!);
    for (const m of text.matchAll(/\bcode: [^,'\n]*\? '([a-z0-9-]+)' : '([a-z0-9-]+)'/g)) used.add(m[1]!).add(m[2]!);
    // Tables of codes (`const CODES = { kind: 'code', … }`).
    for (const t of text.matchAll(/\bCODES\b[^=]*=\s*\{([^}]*)\}/g)) for (const m of t[1]!.matchAll(/:\s*'([a-z0-9-]+)'/g)) used.add(m[1]!);
  }
  const missing = [...used].filter((c) => !listed.has(c)).sort();
  assert.deepEqual(missing, [], 'codes used in engine/ but missing from engine/codes.ts');
  for (const [code, line] of Object.entries(DIAGNOSTIC_CODES)) assert.ok(line.length > 10 && line.endsWith('.'), `${code} needs a one-line description`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('<!-- codes:start -->'), readme.indexOf('<!-- codes:end -->'));
  assert.ok(table.length > 100, 'README.md has the code table between <!-- codes:start --> and <!-- codes:end -->');
  const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]);
  assert.deepEqual(rows, Object.entries(DIAGNOSTIC_CODES).map(([c, d]) => [c, d]), 'README code table differs from engine/codes.ts (regenerate it: npm run codes)');
});

test('front ends are formatted at a normal line width (prettier, .prettierrc.json; npm run format) and stay under 500 lines', async () => {
  const prettier = await import('prettier');
  const options = JSON.parse(readFileSync(join(root, '.prettierrc.json'), 'utf8')) as Record<string, unknown>;
  const files = [...sources('server'), ...sources('cli'), ...sources('client')];
  const unformatted: string[] = [];
  const long: string[] = [];
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    if (!(await prettier.check(text, { ...options, filepath: f }))) unformatted.push(f);
    if (text.split('\n').length > 500) long.push(f);
  }
  assert.deepEqual(unformatted, [], 'run npm run format');
  assert.deepEqual(long, [], 'split these files');
  assert.equal(await prettier.check('const x = {a:1}\n', { ...options, filepath: 'x.ts' }), false, 'the check can fail');
});
