/**
 * The cluster requests (server/features/cluster.ts over the façade's
 * cluster sub-service) over a real LSP connection (in-process, JSON-RPC
 * over streams) against the real control plane: untrusted workspaces get an
 * error from every request and no lenses or diagnostics; trusted ones get
 * the plan with its diff summary, a reconcile with progress notifications
 * (the test plays helm-controller), the diff views, status and Events, live
 * code-lens titles, cluster conditions as diagnostics through the lead's
 * callback, and CRD validation errors placed on the YAML line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createConnection, StreamMessageReader, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { connectCluster } from '../../server/cluster-host.ts';
import { registerClusterRequests } from '../../server/features/cluster.ts';
import { createRunner } from '../../server/runner.ts';
import {
  DiffRequest, PlanRequest, ProgressNotification, ReconcileRequest, StatusRequest, SuspendRequest, UNTRUSTED_MESSAGE,
  type DiffResult, type PlanResult, type ProgressParams, type ReconcileResult, type StatusResult,
} from '../../server/protocol.ts';
import { createLanguageService, pathToUri, type ClusterService } from '../../engine/index.ts';
import { createNodeHost } from '../../server/node-host.ts';

let cp: ControlPlane;
let dir: string;
const ns = `fh-lsp-${randomBytes(3).toString('hex')}`;

interface Rig {
  client: MessageConnection;
  server: Connection;
  features: ClusterService;
  changed: string[];
  progress: ProgressParams[];
  close(): void;
}

async function rig(trusted: boolean): Promise<Rig> {
  const up = new PassThrough();
  const down = new PassThrough();
  const server = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const progress: ProgressParams[] = [];
  client.onRequest('client/registerCapability', () => null);
  client.onRequest('workspace/codeLens/refresh', () => null);
  client.onNotification(ProgressNotification.method, (p: ProgressParams) => {
    progress.push(p);
  });
  client.onNotification(() => undefined);
  client.listen();
  server.listen();
  await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  const node = createNodeHost();
  const service = createLanguageService({
    ...node,
    cluster: { connect: async (o) => connectCluster({ kubeconfig: cp.kubeconfig, ...o }), listContexts: node.cluster!.listContexts },
  });
  service.configure({ trusted });
  service.openWorkspace({ roots: [dir] });
  const changed: string[] = [];
  service.onDidChange((e) => changed.push(...e.uris));
  registerClusterRequests(server, service, createRunner(server));
  server.onCodeLens((p) => service.codeLenses(p.textDocument.uri));
  const features = service.cluster;
  return {
    client, server, features, changed, progress,
    close() {
      features.dispose();
      client.dispose();
      server.dispose();
    },
  };
}

const releaseYaml = (interval: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: ${ns}
spec:
  interval: ${interval}
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    replicaCount: 2
`;

let releaseUri: string;

before(async () => {
  cp = await startControlPlane();
  assert.equal(cp.kubectl(['create', 'namespace', ns]).status, 0);
  dir = mkdtempSync(join(tmpdir(), 'fh-lsp-cluster-'));
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'apps', 'repo.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: ${ns}\nspec:\n  interval: 1h\n  url: https://stefanprodan.github.io/podinfo\n`);
  writeFileSync(join(dir, 'apps', 'release.yaml'), releaseYaml('5m'));
  releaseUri = pathToUri(join(dir, 'apps', 'release.yaml'));
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cp?.stop();
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cluster features over LSP', () => {
  test('untrusted: every request is refused with the trust message; no lenses, no diagnostics', async () => {
    const r = await rig(false);
    try {
      for (const method of [PlanRequest.method, ReconcileRequest.method, DiffRequest.method, StatusRequest.method]) {
        await assert.rejects(r.client.sendRequest(method, { uri: releaseUri }), (e: Error) => e.message === UNTRUSTED_MESSAGE);
      }
      await assert.rejects(r.client.sendRequest(SuspendRequest.method, { uri: releaseUri, suspend: true }), (e: Error) => e.message === UNTRUSTED_MESSAGE);
      const lenses = await r.client.sendRequest('textDocument/codeLens', { textDocument: { uri: releaseUri } });
      assert.deepEqual(lenses, []);
      assert.deepEqual(r.features.diagnosticsFor(releaseUri), []);
      assert.equal(cp.kubectl(['get', 'helmrelease', 'web', '-n', ns]).status, 1);
    } finally {
      r.close();
    }
  });

  test('trusted: plan, reconcile with progress, live lens and condition diagnostics, diff, status', async () => {
    const r = await rig(true);
    try {
      const plan = await r.client.sendRequest<PlanResult>(PlanRequest.method, { uri: releaseUri, position: { line: 10, character: 4 }, withSource: true });
      assert.equal(plan.context, 'fluxhelm-admin');
      assert.equal(plan.target, `HelmRelease/${ns}/web`);
      assert.deepEqual(plan.objects.map((o) => [o.object, o.change]), [[`HelmRepository/${ns}/podinfo`, 'create'], [`HelmRelease/${ns}/web`, 'create']]);
      assert.deepEqual(plan.reconcile, [`HelmRepository/${ns}/podinfo`, `HelmChart/${ns}/${ns}-web`, `HelmRelease/${ns}/web`]);

      // Reconcile; the test answers as helm-controller once the request shows up.
      const reconciling = r.client.sendRequest<ReconcileResult>(ReconcileRequest.method, { uri: releaseUri, progressToken: 't1', timeoutMs: 20000 });
      let requestedAt: string | undefined;
      await until('the reconcile request', () => {
        const out = cp.kubectl(['get', 'helmrelease', 'web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}']);
        requestedAt = out.stdout || undefined;
        return !!requestedAt;
      });
      const res = await cp.request('PATCH', `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${ns}/helmreleases/web/status`, {
        contentType: 'application/merge-patch+json',
        body: JSON.stringify({ status: {
          lastHandledReconcileAt: requestedAt, observedGeneration: 1,
          history: [{ chartName: 'podinfo', chartVersion: '6.7.1', configDigest: 'sha256:a', digest: 'sha256:b', firstDeployed: '2026-01-01T00:00:00Z', lastDeployed: '2026-01-01T00:00:00Z', name: 'web', namespace: ns, status: 'failed', version: 1 }],
          conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'Helm install failed: image pull backoff', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
        } }),
      });
      assert.equal(res.status, 200, res.body);
      const result = await reconciling;
      assert.equal(result.ok, false);
      assert.match(result.summary, /InstallFailed: Helm install failed: image pull backoff/);
      assert.ok(r.progress.some((p) => p.token === 't1' && /applying 2 object/.test(p.message)), JSON.stringify(r.progress));

      // The informer sees the status: diagnostics through the callback, lens title.
      await until('cluster diagnostics', () => r.changed.includes(releaseUri) && r.features.diagnosticsFor(releaseUri).length > 0);
      const diags = r.features.diagnosticsFor(releaseUri);
      assert.equal(diags[0]!.code, 'cluster-not-ready');
      assert.equal(diags[0]!.range.start.line, 3); // metadata.name: web
      assert.match(diags[0]!.message, /not ready \(InstallFailed\): Helm install failed: image pull backoff/);
      const lenses = await r.client.sendRequest<{ command: { title: string; command: string } }[]>('textDocument/codeLens', { textDocument: { uri: releaseUri } });
      assert.deepEqual(lenses.map((l) => l.command.command), ['fluxhelm.reconcile', 'fluxhelm.diffWithCluster', 'fluxhelm.showStatus']);
      assert.match(lenses[2]!.command.title, /^Not ready ✗ InstallFailed 6\.7\.1 \(\d+s ago\)$/);

      // Diff: live and workspace views of the fields fluxhelm manages.
      const d0 = await r.client.sendRequest<DiffResult>(DiffRequest.method, { uri: releaseUri });
      assert.equal(d0.target, `HelmRelease/${ns}/web`);
      assert.match(d0.live, /replicaCount: 2/);
      assert.equal(d0.changes, 0);
      assert.equal(d0.live, d0.workspace);
      assert.ok(!/managedFields|status:|resourceVersion/.test(d0.live + d0.workspace));

      // Status & Events.
      const s = await r.client.sendRequest<StatusResult>(StatusRequest.method, { uri: releaseUri });
      assert.match(s.text, /Ready=False InstallFailed/);
      assert.match(s.text, /#1 podinfo@6\.7\.1: failed/);
      assert.match(s.text, /Recent events:\n {2}none/);
    } finally {
      r.close();
    }
  });

  test('an apply the CRD rejects: the API server message as a diagnostic on the field line', async () => {
    writeFileSync(join(dir, 'apps', 'release.yaml'), releaseYaml('whenever'));
    const r = await rig(true);
    try {
      const result = await r.client.sendRequest<ReconcileResult>(ReconcileRequest.method, { uri: releaseUri });
      assert.equal(result.ok, false);
      assert.match(result.summary, /could not be applied/);
      await until('apply diagnostics', () => r.features.diagnosticsFor(releaseUri).some((d) => d.code === 'cluster-invalid'));
      const d = r.features.diagnosticsFor(releaseUri).find((x) => x.code === 'cluster-invalid')!;
      assert.equal(d.range.start.line, 6); // interval: whenever
      assert.match(d.message, /spec\.interval/);
    } finally {
      r.close();
      writeFileSync(join(dir, 'apps', 'release.yaml'), releaseYaml('5m'));
    }
  });
});
