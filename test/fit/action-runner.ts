/**
 * Runs the composite GitHub Action in action.yml the way a runner does, as
 * far as this machine allows: inputs with their defaults, `${{ }}`
 * expressions over inputs/steps/github, `if:` conditions, `run:` steps with
 * `bash --noprofile --norc -eo pipefail` (the runner's bash), GITHUB_OUTPUT
 * files read back into step outputs, RUNNER_TEMP. `uses:` steps are recorded
 * with their evaluated `with:` (setup-node and upload-sarif need GitHub's
 * infrastructure); the tests check what they would receive.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

export interface ActionDefinition {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

export interface ActionRun {
  /** Exit status of the failing step, or 0. */
  status: number;
  failedStep?: string;
  log: string;
  uses: { uses: string; with: Record<string, string> }[];
  outputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

type Ctx = { inputs: Record<string, string>; steps: Record<string, { outputs: Record<string, string> }>; github: Record<string, string> };

function lookup(ctx: Ctx, path: string): string {
  let v: unknown = ctx;
  for (const seg of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

/** The small part of GitHub's expression language action.yml uses: paths, string literals, `==`, `!=`. */
function evaluate(ctx: Ctx, expr: string): string {
  const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(expr.trim());
  const term = (t: string) => (/^'.*'$/.test(t.trim()) ? t.trim().slice(1, -1) : lookup(ctx, t.trim()));
  if (m) return String((term(m[1]) === term(m[3])) === (m[2] === '=='));
  return term(expr);
}

function substitute(ctx: Ctx, s: string): string {
  return s.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => evaluate(ctx, e));
}

export function loadAction(path: string): ActionDefinition {
  return parse(readFileSync(path, 'utf8')) as ActionDefinition;
}

export function runAction(actionDir: string, given: Record<string, string>, options: { cwd: string; env?: NodeJS.ProcessEnv; tmp: string }): ActionRun {
  const action = loadAction(join(actionDir, 'action.yml'));
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = given[k] ?? v.default ?? '';
  for (const k of Object.keys(given)) if (!(k in action.inputs)) throw new Error(`action.yml has no input ${k}`);
  const ctx: Ctx = { inputs, steps: {}, github: { action_path: actionDir, workspace: options.cwd } };
  const runnerTemp = mkdtempSync(join(options.tmp, 'runner-temp-'));
  const result: ActionRun = { status: 0, log: '', uses: [], outputs: {}, steps: {} };
  action.runs.steps.forEach((step, i) => {
    if (result.status !== 0) return;
    if (step.if !== undefined && evaluate(ctx, step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, '')) !== 'true') return;
    const label = step.name ?? step.id ?? `step ${i + 1}`;
    if (step.uses) {
      const w: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with ?? {})) w[k] = substitute(ctx, String(v));
      result.uses.push({ uses: step.uses, with: w });
      return;
    }
    if (step.shell !== 'bash') throw new Error(`${label}: only bash steps are run here, not ${step.shell}`);
    const outputFile = join(runnerTemp, `output-${i}`);
    writeFileSync(outputFile, '');
    const script = join(runnerTemp, `step-${i}.sh`);
    writeFileSync(script, substitute(ctx, step.run ?? ''));
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, GITHUB_OUTPUT: outputFile, RUNNER_TEMP: runnerTemp, GITHUB_ACTION_PATH: actionDir, GITHUB_WORKSPACE: options.cwd, CI: 'true', GITHUB_ACTIONS: 'true' };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = substitute(ctx, String(v));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: options.cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    result.log += `## ${label}\n${r.stdout}${r.stderr}`;
    const outputs: Record<string, string> = {};
    if (existsSync(outputFile)) {
      for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
      }
    }
    if (step.id) ctx.steps[step.id] = { outputs };
    if (r.status !== 0) {
      result.status = r.status ?? 1;
      result.failedStep = label;
    }
  });
  for (const [id, s] of Object.entries(ctx.steps)) result.steps[id] = s.outputs;
  for (const [k, v] of Object.entries(action.outputs ?? {})) result.outputs[k] = substitute(ctx, v.value);
  return result;
}
