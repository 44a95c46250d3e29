/**
 * `fluxhelm mcp` with the official SDK's own client over stdio, started
 * exactly as the README's agent configuration says (`npx -y fluxhelm mcp`),
 * in a GitOps repository (a copy of examples/fleet) that has the packed
 * fluxhelm installed:
 * - the tools are the read-only five, each marked read-only; no cluster
 *   tools without --cluster;
 * - check, graph, resolve and values answer exactly what the CLI commands
 *   answer on the same folder (differential against the built CLI);
 * - releases lists every HelmRelease file of the fleet;
 * - diff_rendered, after an edit of a valuesFrom file in the repository's
 *   own Git history, answers what `fluxhelm diff --base HEAD` answers: the
 *   changed ResourceQuotas of the release;
 * - an agent's edit (and a .fluxhelm.yaml severity) is seen by the next
 *   check; paths outside the repository are refused;
 * - with --cluster the status, diff and reconcile tools appear, and without a reachable
 *   cluster they answer with an error result instead of failing the server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packRepo, installPacked, repoRoot } from '../support/pack.ts';

mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
const work = mkdtempSync(join(repoRoot, 'test', '.tmp', 'mcp-'));
// The GitOps repository: the example fleet with fluxhelm installed from the tarball, as `npm i -D fluxhelm` would.
const repo = installPacked(packRepo(work), work);
cpSync(join(repoRoot, 'examples', 'fleet'), repo, { recursive: true });
const cli = join(repoRoot, 'dist', 'cli.js');

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const agentSection = readme.slice(readme.indexOf('### With coding agents'));
const config = JSON.parse(/```json\n([\s\S]*?)```/.exec(agentSection)![1]) as { mcpServers: Record<string, { command: string; args: string[] }> };
const entry = config.mcpServers.fluxhelm;

// Helm's cache is kept out of the user's, so resolution sees only what the repository holds.
const env: Record<string, string> = { ...(process.env as Record<string, string>), HELM_CACHE_HOME: join(work, 'helm-cache'), HELM_CONFIG_HOME: join(work, 'helm-config'), XDG_CACHE_HOME: join(work, 'xdg-cache'), npm_config_offline: 'true' };

async function connect(extra: string[] = [], extraEnv: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'fluxhelm-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: entry.command, args: [...entry.args, ...extra], cwd: repo, env: { ...env, ...extraEnv }, stderr: 'pipe' }));
  return client;
}

function cliJson(args: string[]): unknown {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env, encoding: 'utf8' });
  assert.ok(r.status !== null && r.status <= 1, `fluxhelm ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

let client: Client;
before(async () => {
  client = await connect();
});
after(async () => {
  await client?.close();
  rmSync(work, { recursive: true, force: true });
});

type CallResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { type: string; text?: string }[] };
const call = (c: Client, name: string, args: Record<string, unknown> = {}) => c.callTool({ name, arguments: args }) as Promise<CallResult>;

test('the README snippet starts the server; it offers seven read-only tools', async () => {
  assert.equal(entry.command, 'npx');
  assert.deepEqual(client.getServerVersion()?.name, 'fluxhelm');
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['check', 'diff_rendered', 'graph', 'releases', 'render', 'resolve', 'values']);
  for (const t of tools) assert.equal(t.annotations?.readOnlyHint, true, `${t.name} is read-only`);
});

test('check, graph, resolve and values answer what the CLI answers', async () => {
  const check = await call(client, 'check');
  assert.ok(!check.isError, JSON.stringify(check.content));
  assert.deepEqual(check.structuredContent?.findings, cliJson(['check', '--format', 'json']));
  const graph = await call(client, 'graph');
  assert.deepEqual(graph.structuredContent?.graph, cliJson(['graph', '.', '--format', 'json']));
  assert.ok(((graph.structuredContent?.graph as { nodes: unknown[] }).nodes.length) > 5);
  const resolve = await call(client, 'resolve');
  assert.deepEqual(resolve.structuredContent?.releases, cliJson(['resolve', '.', '--format', 'json', '--offline']));
  const values = await call(client, 'values', { release: 'flux-system/team-quotas' });
  assert.ok(!values.isError, JSON.stringify(values.content));
  const expected = cliJson(['values', '.', '--release', 'flux-system/team-quotas', '--format', 'json', '--provenance', '--offline']) as { path: string; source: string }[];
  assert.deepEqual(values.structuredContent?.values, expected);
  assert.ok(expected.length > 0 && expected.every((v) => typeof v.source === 'string'), 'each value names its layer');
  // render: the objects `fluxhelm template --format json` prints (Helm's engine, helm-controller's labels).
  const rendered = await call(client, 'render', { release: 'flux-system/team-quotas' });
  assert.ok(!rendered.isError, JSON.stringify(rendered.content));
  const objects = cliJson(['template', '.', '--release', 'flux-system/team-quotas', '--format', 'json', '--offline']) as { kind: string; metadata: { labels?: Record<string, string> } }[];
  assert.deepEqual(rendered.structuredContent?.objects, objects);
  assert.ok(objects.length > 0 && objects.every((o) => o.kind === 'ResourceQuota' && o.metadata.labels?.['helm.toolkit.fluxcd.io/name'] === 'team-quotas'));
});

function helmReleaseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...helmReleaseFiles(p));
    else if (/\.ya?ml$/.test(name) && /^kind: HelmRelease$/m.test(readFileSync(p, 'utf8'))) out.push(relative(repo, p));
  }
  return out;
}

test('releases lists the HelmReleases of the repository with their files', async () => {
  const r = await call(client, 'releases');
  const list = r.structuredContent?.releases as { release: string; file: string; line: number }[];
  assert.ok(list.some((x) => x.release === 'flux-system/team-quotas'));
  const files = new Set(list.map((x) => x.file));
  // Patches (partial objects) are not releases of their own; every full HelmRelease file is listed.
  for (const f of helmReleaseFiles(repo).filter((f) => !/patch/.test(f))) assert.ok(files.has(f), `${f} missing from ${[...files].join(', ')}`);
});

test('diff_rendered answers what fluxhelm diff --base answers after an uncommitted values edit', async () => {
  const git = (...a: string[]) => {
    const r = spawnSync('git', a, { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${a.join(' ')}: ${r.stderr}`);
  };
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'fleet');
  const file = join(repo, 'infrastructure', 'configs', 'team-quotas-values.yaml');
  const original = readFileSync(file, 'utf8');
  const clean = await call(client, 'diff_rendered');
  assert.ok(!clean.isError, JSON.stringify(clean.content));
  assert.match(clean.content[0].text ?? '', /^no differences against HEAD/);
  writeFileSync(file, original.replace('cpu: "8"', 'cpu: "12"'));
  try {
    const r = await call(client, 'diff_rendered', { base: 'HEAD' });
    assert.ok(!r.isError, JSON.stringify(r.content));
    const expected = JSON.parse(spawnSync(process.execPath, [cli, 'diff', '--base', 'HEAD', '.', '--format', 'json', '--offline'], { cwd: repo, env, encoding: 'utf8' }).stdout);
    assert.deepEqual(r.structuredContent?.diff, expected);
    const owners = expected.owners as { kind: string; id: string; objects: { key: { kind: string }; status: string }[] }[];
    const release = owners.find((o) => o.kind === 'HelmRelease' && o.id === 'flux-system/team-quotas');
    assert.ok(release?.objects.length && release.objects.every((o) => o.key.kind === 'ResourceQuota' && o.status === 'changed'), JSON.stringify(owners));
  } finally {
    writeFileSync(file, original);
  }
});

test('an edit between calls is seen by the next check; paths outside the repository are refused', async () => {
  const bad = join(repo, 'apps', 'base', 'podinfo', 'extra.yaml');
  writeFileSync(bad, 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: extra\n  namespace: apps\nspec:\n  interval: 1 hour\n  url: https://example.invalid/charts\n');
  try {
    const r = await call(client, 'check', { paths: ['apps'] });
    const findings = r.structuredContent?.findings as { file: string; line: number; code: string; severity: string }[];
    assert.ok(findings.some((f) => f.file === 'apps/base/podinfo/extra.yaml' && f.line === 7 && f.code === 'duration' && f.severity === 'error'), JSON.stringify(findings));
    // The repository's .fluxhelm.yaml applies to the next call too.
    writeFileSync(join(repo, '.fluxhelm.yaml'), 'severity:\n  duration: info\n');
    const relaxed = (await call(client, 'check', { paths: ['apps'] })).structuredContent?.findings as typeof findings;
    assert.ok(relaxed.some((f) => f.file === 'apps/base/podinfo/extra.yaml' && f.code === 'duration' && f.severity === 'info'), JSON.stringify(relaxed));
  } finally {
    rmSync(bad);
    rmSync(join(repo, '.fluxhelm.yaml'), { force: true });
  }
  const outside = await call(client, 'check', { paths: ['../..'] });
  assert.equal(outside.isError, true);
  assert.match(outside.content[0].text ?? '', /outside the repository/);
});

test('--cluster adds status, diff and reconcile, which fail softly without a cluster', async () => {
  const withCluster = await connect(['--cluster'], { KUBECONFIG: join(work, 'no-such-kubeconfig') });
  try {
    const names = (await withCluster.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['check', 'diff', 'diff_release', 'diff_rendered', 'graph', 'reconcile', 'releases', 'render', 'resolve', 'status', 'values']);
    const status = await call(withCluster, 'status', { path: 'apps' });
    assert.equal(status.isError, true);
    assert.ok((status.content[0].text ?? '').length > 0);
    // The server is still there after a failed cluster call.
    assert.ok(!(await call(withCluster, 'graph')).isError);
  } finally {
    await withCluster.close();
  }
});
