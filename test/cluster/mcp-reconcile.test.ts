/**
 * The `reconcile` tool of `fluxhelm mcp --cluster` against the real control
 * plane, driven by the official SDK's client over stdio (the built CLI):
 * - without `--cluster` there is no reconcile tool;
 * - a client that cannot ask its user (no elicitation capability) gets the
 *   CLI's refusal and the cluster is unchanged;
 * - the person is asked with the plan and diff in front of them; declining
 *   changes nothing; accepting the objects but not the Secret applies all but
 *   the Secret and requests a reconcile of the HelmRelease;
 * - dryRun asks nobody and changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { podinfoApps } from './podinfo-apps.ts';
import { repoRoot } from '../support/pack.ts';

let cp: ControlPlane;
let dir: string;
const ns = `fh-mcp-${randomBytes(3).toString('hex')}`;
const cli = join(repoRoot, 'dist', 'cli.js');

const files = podinfoApps(ns);

type Answer = (req: ElicitRequest) => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean> };

async function connect(args: string[], answer?: Answer): Promise<{ client: Client; asked: string[] }> {
  const asked: string[] = [];
  const client = new Client({ name: 'fluxhelm-test', version: '1.0.0' }, answer ? { capabilities: { elicitation: {} } } : {});
  if (answer)
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return answer(req);
    });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [cli, 'mcp', '--root', dir, ...args], cwd: dir, stderr: 'pipe' }),
  );
  return { client, asked };
}

const exists = (kind: string, name: string) => cp.kubectl(['get', kind, name, '-n', ns]).status === 0;
const text = (r: unknown) => ((r as { content: { text: string }[] }).content ?? []).map((c) => c.text).join('\n');

before(async () => {
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'fh-mcp-cluster-'));
  writeFileSync(join(dir, '.git'), '');
  for (const [rel, t] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), t);
  }
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  cp?.kubectl(['delete', 'namespace', ns, '--wait=false']);
  await cp?.stop();
});

describe('fluxhelm mcp reconcile', () => {
  test('no reconcile tool without --cluster; with it, marked as a tool that writes', async () => {
    const plain = await connect([]);
    assert.ok(!(await plain.client.listTools()).tools.some((t) => t.name === 'reconcile'));
    await plain.client.close();
    const withCluster = await connect(['--cluster', '--kubeconfig', cp.kubeconfig]);
    const tool = (await withCluster.client.listTools()).tools.find((t) => t.name === 'reconcile');
    assert.ok(tool, 'reconcile is offered with --cluster');
    assert.equal(tool.annotations?.readOnlyHint, false);
    assert.equal(tool.annotations?.destructiveHint, true);
    await withCluster.client.close();
  });

  test('a client that cannot ask its user is refused and nothing is written', async () => {
    const { client } = await connect(['--cluster', '--kubeconfig', cp.kubeconfig]);
    const r = await client.callTool({ name: 'reconcile', arguments: { path: 'apps', wait: false } });
    await client.close();
    assert.equal(r.isError, true);
    assert.match(text(r), /refusing to write to the cluster without confirmation/);
    assert.equal(exists('namespace', ns), false);
  });

  test('dryRun shows the plan and asks nobody', async () => {
    const { client, asked } = await connect(['--cluster', '--kubeconfig', cp.kubeconfig], () => ({ action: 'accept', content: { confirm: true } }));
    const r = await client.callTool({ name: 'reconcile', arguments: { path: 'apps', dryRun: true } });
    await client.close();
    assert.match(text(r), /plan \(context fluxhelm-admin\): apply 5 objects \(5 with changes\), reconcile 1/);
    assert.deepEqual(asked, []);
    assert.equal(exists('namespace', ns), false);
  });

  test('declining in the client changes nothing; the question carries the plan', async () => {
    const { client, asked } = await connect(['--cluster', '--kubeconfig', cp.kubeconfig], () => ({ action: 'decline' }));
    const r = await client.callTool({ name: 'reconcile', arguments: { path: 'apps', wait: false } });
    await client.close();
    assert.equal(r.isError, true);
    assert.match(text(r), /cancelled; nothing was changed/);
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /plan \(context fluxhelm-admin\): apply 5 objects/);
    assert.match(asked[0]!, /Apply 5 object\(s\) and reconcile 1 in context fluxhelm-admin\?/);
    assert.doesNotMatch(asked[0]!, /hunter2/, 'Secret values stay masked in what the user is shown');
    assert.equal(exists('namespace', ns), false);
  });

  test('accepting the objects but not the Secret applies the rest and requests a reconcile', async () => {
    const { client, asked } = await connect(['--cluster', '--kubeconfig', cp.kubeconfig], (req) => ({
      action: 'accept',
      content: { confirm: !/Also apply Secret/.test(req.params.message) },
    }));
    const r = await client.callTool({ name: 'reconcile', arguments: { path: 'apps', wait: false } });
    await client.close();
    assert.equal(asked.length, 2);
    assert.match(asked[1]!, /Also apply Secret\(s\) podinfo-secret\?/);
    assert.match(text(r), /1 Secret\(s\) not applied/);
    assert.equal(exists('configmap', 'podinfo-values'), true);
    assert.equal(exists('helmrelease', 'podinfo'), true);
    assert.equal(exists('secret', 'podinfo-secret'), false);
    const hr = JSON.parse(cp.kubectl(['get', 'helmrelease', 'podinfo', '-n', ns, '-o', 'json']).stdout);
    assert.ok(hr.metadata.annotations['reconcile.fluxcd.io/requestedAt'], 'a reconcile was requested');
  });
});
