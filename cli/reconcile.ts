/**
 * `fluxhelm reconcile (PATH | --release NS/NAME)`: server-side apply what
 * the reconcile plan says (sources, valuesFrom ConfigMaps and, once agreed,
 * Secrets, then the releases), request a reconcile from the Flux
 * controllers (sources first with --with-source; forceAt/resetAt with
 * --force/--reset) in dependsOn order, and wait for their verdict. Every
 * write is confirmed first with the diff summary: on a terminal it asks,
 * without one it needs --yes. --dry-run shows the plan and the diff only.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { parseArgs, UsageError } from './args.ts';
import { parseTimeout } from './sources.ts';
import { openWorkspaceAt } from './workspace.ts';
import { clusterOptions, connectFromArgs, diffPlanned, errorLines, label, objectsBelow, printDiffRows } from './diff.ts';
import { describeError, type ObjectRef } from '../engine/cluster/host.ts';
import { planObject, planPath, type PlannedObject, type ReconcilePlan, type ReconcileTarget } from '../engine/cluster/plan.ts';
import { applyAll, reconcileWaves, type TargetOutcome } from '../engine/cluster/run.ts';

export const RECONCILE_HELP = `Usage: fluxhelm reconcile (PATH | --release NAMESPACE/NAME) [options]

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
  --context NAME, --kubeconfig FILE, --namespace NS   as for 'fluxhelm diff'

Exit status: 0 all Ready, 1 some failed or timed out, 2 errors or usage.`;

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

function outcomeLine(o: TargetOutcome): string {
  const parts: string[] = [];
  for (const s of o.sources) {
    if (s.skipped) parts.push(`  source ${label(s.ref)}: skipped (${s.skipped})`);
    else if (s.error) parts.push(`  source ${label(s.ref)}: ${s.error.message}`);
    else if (s.verdict) parts.push(`  source ${label(s.ref)}: ${s.verdict.state === 'ready' ? 'Ready' : `not ready: ${s.verdict.reason ?? ''} ${s.verdict.message ?? ''}`.trim()}`);
    else parts.push(`  source ${label(s.ref)}: reconcile requested`);
  }
  const name = label(o.ref);
  if (o.error) parts.push(`✗ ${name}: ${describeError(o.error)}`);
  else if (!o.verdict) parts.push(`◎ ${name}: reconcile requested at ${o.requestedAt}`);
  else if (o.verdict.state === 'ready') parts.push(`✔ ${name}: Ready${o.verdict.message ? ` (${o.verdict.message})` : ''}`);
  else parts.push(`✗ ${name}: ${o.verdict.reason ?? 'not ready'}${o.verdict.message ? `: ${o.verdict.message}` : ''}`);
  return parts.join('\n');
}

export async function reconcile(argv: string[], out: (s: string) => void, err: (s: string) => void, prompt: Prompt = terminal): Promise<number> {
  const args = parseArgs(argv, {
    ...clusterOptions,
    release: { value: true },
    'with-source': {}, force: {}, reset: {}, 'force-conflicts': {}, timeout: { value: true },
    'no-wait': {}, 'dry-run': {}, yes: {},
  });
  const release = args.options.get('release')?.[0];
  if (!release && args.positional.length !== 1) throw new UsageError('reconcile takes a PATH or --release NAMESPACE/NAME');
  if (args.positional.length > 1) throw new UsageError('reconcile takes one PATH');
  if (args.flags.has('force') && args.flags.has('reset')) throw new UsageError('--force and --reset cannot be combined');
  const timeoutMs = parseTimeout(args.options.get('timeout')?.[0], 300_000);
  const host = await connectFromArgs(args);
  const { service } = openWorkspaceAt(args.positional);
  const ws = service.workspace!;

  let plan: ReconcilePlan;
  let planned: PlannedObject[];
  if (release) {
    const m = /^(?:([^/]+)\/)?([^/]+)$/.exec(release);
    if (!m) throw new UsageError('--release takes NAMESPACE/NAME');
    const namespace = m[1] ?? host.namespace;
    const found = [...ws.index.allObjects()].find((o) => o.kind === 'HelmRelease' && o.name === m[2] && (o.namespace ?? host.namespace) === namespace);
    if (found) plan = planObject(ws, found, host.namespace);
    else {
      const ref: ObjectRef = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: m[2]!, namespace };
      const live = await host.get(ref);
      if (!live.ok) {
        err(`fluxhelm: ${label(ref)}: ${describeError(live.error, host.context)}\n`);
        return 2;
      }
      const chart = (live.value.spec as { chart?: { spec?: { sourceRef?: { kind: string; name: string; namespace?: string } } }; chartRef?: { kind: string; name: string; namespace?: string } } | undefined);
      const sources: ObjectRef[] = [];
      const src = chart?.chart?.spec?.sourceRef ?? chart?.chartRef;
      if (src) sources.push({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: src.kind, name: src.name, namespace: src.namespace || namespace });
      if (chart?.chart) sources.push({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', name: `${namespace}-${m[2]}`, namespace: chart.chart.spec?.sourceRef?.namespace || namespace });
      out(`${label(ref)} is not in the workspace: requesting a reconcile only\n`);
      const target: ReconcileTarget = { ref, sources, dependsOn: [] };
      plan = { apply: [], waves: [[target]], notes: [] };
    }
    planned = plan.apply;
  } else {
    const target = resolve(args.positional[0]!);
    plan = planPath(ws, target, host.namespace);
    planned = objectsBelow(ws, target, host.namespace);
  }
  for (const n of plan.notes) err(`note: ${n}\n`);

  // The diff summary, shown before any write.
  const rows = await diffPlanned(host, planned);
  const [changed, errors] = printDiffRows(ws, host, rows, out, err);
  const targets = plan.waves.flat();
  out(`plan (context ${host.context}): apply ${planned.length} object${planned.length === 1 ? '' : 's'} (${changed} with changes), reconcile ${targets.length}${args.flags.has('with-source') ? ' with their sources' : ''}\n`);
  if (errors) {
    err('fluxhelm: nothing was changed: the dry run failed for some objects\n');
    return 2;
  }
  const conflicts = rows.some((r) => r.result.ok && r.result.value.conflicts.length);
  if (conflicts && !args.flags.has('force-conflicts')) {
    err('fluxhelm: nothing was changed: fields above are owned by other field managers; pass --force-conflicts to take them over\n');
    return 2;
  }
  if (args.flags.has('dry-run')) return 0;

  let secretsAgreed = args.flags.has('yes');
  if (!args.flags.has('yes')) {
    if (!prompt.isTTY) {
      err('fluxhelm: refusing to write to the cluster without confirmation; run on a terminal or pass --yes\n');
      return 2;
    }
    if (!(await prompt.ask(`Apply ${planned.length} object(s) and reconcile ${targets.length} in context ${host.context}?`))) {
      err('fluxhelm: cancelled; nothing was changed\n');
      return 2;
    }
    const secrets = planned.filter((p) => p.secret);
    if (secrets.length) secretsAgreed = await prompt.ask(`Also apply Secret(s) ${secrets.map((p) => p.indexed.name).join(', ')}?`);
  }
  const toApply = planned.filter((p) => !p.secret || secretsAgreed);
  if (toApply.length < planned.length) err(`note: ${planned.length - toApply.length} Secret(s) not applied\n`);

  const applied = await applyAll(host, toApply, { force: args.flags.has('force-conflicts') });
  let applyErrors = 0;
  for (const a of applied) {
    if (a.result.ok) continue;
    applyErrors++;
    for (const l of errorLines(ws, a.planned.indexed, a.result.error, host.context)) err(`${l}\n`);
  }
  if (applyErrors) {
    err(`fluxhelm: ${applyErrors} object(s) could not be applied; no reconcile was requested\n`);
    return 2;
  }
  if (toApply.length) out(`applied ${toApply.length} object(s)\n`);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const outcomes = await reconcileWaves(host, plan.waves, {
      withSource: args.flags.has('with-source'),
      force: args.flags.has('force'),
      reset: args.flags.has('reset'),
      wait: !args.flags.has('no-wait'),
      timeoutMs,
      signal: controller.signal,
      onProgress: (ref, p) => err(`◎ ${label(ref)}: ${p.detail}\n`),
      onOutcome: (o) => out(`${outcomeLine(o)}\n`),
    });
    if (outcomes.some((o) => o.error && o.error.kind !== 'timeout' && o.error.kind !== 'cancelled')) return 2;
    return outcomes.every((o) => !o.error && (!o.verdict || o.verdict.state === 'ready')) ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
