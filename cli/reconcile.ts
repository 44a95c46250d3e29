/**
 * `fluxhelm reconcile (PATH | --release NS/NAME)`: server-side apply what
 * the engine's plan says (sources, valuesFrom ConfigMaps and, once agreed,
 * Secrets, then the releases), request a reconcile from the Flux
 * controllers (sources first with --with-source; forceAt/resetAt with
 * --force/--reset) in dependsOn order, and wait for their verdict. Every
 * write is confirmed first with the diff summary: on a terminal it asks,
 * without one it needs --yes. --dry-run shows the plan and the diff only.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { outcomeLines } from '../engine/index.ts';
import { parseArgs, UsageError } from './args.ts';
import { parseTimeout } from './sources.ts';
import { CLUSTER_OPTIONS_HELP, clusterOptions, connectAt } from './cluster-args.ts';
import { display } from './workspace.ts';
import type { Command, Out } from './command.ts';

const USAGE = `Usage: fluxhelm reconcile (PATH | --release NAMESPACE/NAME) [options]

Applies the workspace's objects to the cluster with server-side apply (field
manager 'fluxhelm') and asks Flux to reconcile them now, then waits for the
verdict. For a HelmRelease: the sources it references, the ConfigMaps and
Secrets of its valuesFrom, then the release. For a PATH: every object below
it, the releases in dependsOn order. Nothing is ever deleted.

  --release NS/NAME   one HelmRelease (from the workspace at PATH or the
                      current folder; only a reconcile request when the
                      workspace does not have it)
  --with-source       reconcile the chart source first (HelmRepository or
                      GitRepository, then the HelmChart; or the OCIRepository)
  --force             one-off install/upgrade (reconcile.fluxcd.io/forceAt)
  --reset             reset the retry counters (reconcile.fluxcd.io/resetAt)
  --force-conflicts   take over fields another field manager owns
  --timeout DURATION  how long to wait for each object (default 5m)
  --no-wait           request the reconcile without waiting
  --dry-run           show the plan and the diff, change nothing
  --yes               do not ask (needed without a terminal; includes Secrets)
${CLUSTER_OPTIONS_HELP}

Exit status: 0 all Ready, 1 some failed or timed out, 2 errors or usage.`;

const OPTIONS = {
  ...clusterOptions,
  release: { value: true },
  'with-source': {},
  force: {},
  reset: {},
  'force-conflicts': {},
  timeout: { value: true },
  'no-wait': {},
  'dry-run': {},
  yes: {},
} as const;

export interface Prompt {
  isTTY: boolean;
  ask(question: string): Promise<boolean>;
}

const terminal: Prompt = {
  isTTY: !!process.stdin.isTTY && !!process.stderr.isTTY,
  async ask(question) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  },
};

export async function reconcile(argv: string[], out: Out, err: Out, prompt: Prompt = terminal): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const release = args.options.get('release')?.[0];
  if (!release && args.positional.length !== 1)
    throw new UsageError('reconcile takes a PATH or --release NAMESPACE/NAME');
  if (args.positional.length > 1) throw new UsageError('reconcile takes one PATH');
  if (args.flags.has('force') && args.flags.has('reset'))
    throw new UsageError('--force and --reset cannot be combined');
  const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 300_000);
  const { service, conn } = await connectAt(args, args.positional);
  const flows = service.cluster.paths;

  const target = await flows.plan(conn, release ? { release } : { path: resolve(args.positional[0]!) });
  if ('error' in target) {
    if (target.usage) throw new UsageError(target.error);
    err(`fluxhelm: ${target.error}\n`);
    return 2;
  }
  const { plan, planned } = target;
  for (const n of target.notes) out(`${n}\n`);
  for (const n of plan.notes) err(`note: ${n}\n`);

  // The diff summary, shown before any write.
  const report = await flows.diff(conn, planned, display);
  for (const l of report.out) out(`${l}\n`);
  for (const l of report.err) err(`${l}\n`);
  const targets = plan.waves.flat();
  out(
    `plan (context ${conn.context}): apply ${planned.length} object${planned.length === 1 ? '' : 's'} (${report.changed} with changes), reconcile ${targets.length}${args.flags.has('with-source') ? ' with their sources' : ''}\n`,
  );
  if (report.errors) {
    err('fluxhelm: nothing was changed: the dry run failed for some objects\n');
    return 2;
  }
  if (report.conflicts && !args.flags.has('force-conflicts')) {
    err(
      'fluxhelm: nothing was changed: fields above are owned by other field managers; pass --force-conflicts to take them over\n',
    );
    return 2;
  }
  if (args.flags.has('dry-run')) return 0;

  let secretsAgreed = args.flags.has('yes');
  if (!args.flags.has('yes')) {
    if (!prompt.isTTY) {
      err('fluxhelm: refusing to write to the cluster without confirmation; run on a terminal or pass --yes\n');
      return 2;
    }
    if (
      !(await prompt.ask(
        `Apply ${planned.length} object(s) and reconcile ${targets.length} in context ${conn.context}?`,
      ))
    ) {
      err('fluxhelm: cancelled; nothing was changed\n');
      return 2;
    }
    const secrets = planned.filter((p) => p.secret);
    if (secrets.length)
      secretsAgreed = await prompt.ask(`Also apply Secret(s) ${secrets.map((p) => p.indexed.name).join(', ')}?`);
  }
  const toApply = planned.filter((p) => !p.secret || secretsAgreed);
  if (toApply.length < planned.length) err(`note: ${planned.length - toApply.length} Secret(s) not applied\n`);

  const applied = await flows.apply(conn, toApply, { force: args.flags.has('force-conflicts') }, display);
  for (const l of applied.err) err(`${l}\n`);
  if (applied.err.length) {
    err(`fluxhelm: ${toApply.length - applied.applied} object(s) could not be applied; no reconcile was requested\n`);
    return 2;
  }
  if (toApply.length) out(`applied ${toApply.length} object(s)\n`);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const outcomes = await flows.reconcile(conn, plan, {
      withSource: args.flags.has('with-source'),
      force: args.flags.has('force'),
      reset: args.flags.has('reset'),
      wait: !args.flags.has('no-wait'),
      timeoutMs,
      signal: controller.signal,
      onProgress: (line) => err(`${line}\n`),
      onOutcome: (o) => out(`${outcomeLines(o).join('\n')}\n`),
    });
    if (outcomes.some((o) => o.error && o.error.kind !== 'timeout' && o.error.kind !== 'cancelled')) return 2;
    return outcomes.every((o) => !o.error && (!o.verdict || o.verdict.state === 'ready')) ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'apply and ask Flux to reconcile, then wait for Ready',
  usage: USAGE,
  options: OPTIONS,
  run: (a, o, e) => reconcile(a, o, e),
};
