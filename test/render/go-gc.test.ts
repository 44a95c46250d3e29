/**
 * Go's collector inside Helm's module as one-shot commands run it (the
 * baseline tier: GOGC=off up to GOMEMLIMIT, server/helm-render-host.ts
 * goRuntimeEnv). Renders that allocate far more in total than the module's
 * memory cap must still succeed (the collector runs at the limit), and give
 * the same output as the language server's tier.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHelmRenderHost, goRuntimeEnv, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';
import type { HelmRenderRequest } from '../../engine/render/host.ts';

const CAP = 256 * 1024 * 1024;
const hosts: NodeHelmRenderHost[] = [];
after(async () => {
  for (const h of hosts) await h.dispose();
});

function request(template: string): HelmRenderRequest {
  return {
    chart: { 'Chart.yaml': Buffer.from('apiVersion: v2\nname: garbage\nversion: 0.1.0\n'), 'templates/cm.yaml': Buffer.from(template) },
    releaseName: 'rel',
    namespace: 'ns',
    values: { n: 400 },
  };
}

// 400 strings of 1 MB, each dropped at once: 400 MB of garbage, a live heap of a few MB.
const GARBAGE = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n{{- range $i := until (int .Values.n) }}{{ $s := repeat 1000000 "x" }}{{ if eq $i 0 }}\n  size: {{ len $s | quote }}{{ end }}{{ end }}\n';
const MANIFEST = '---\n# Source: garbage/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel\ndata:\n  size: "1000000"\n';

test('the one-shot tier runs Go without its collector up to a limit below the memory cap', () => {
  assert.deepEqual(goRuntimeEnv('baseline', CAP), { GOGC: 'off', GOMEMLIMIT: '128MiB' });
  assert.deepEqual(goRuntimeEnv('baseline', 1024 ** 3), { GOGC: 'off', GOMEMLIMIT: '384MiB' });
});

test('a render allocating more than the memory cap in total succeeds in the one-shot tier, twice in one worker', async () => {
  const host = createHelmRenderHost({ tier: 'baseline', maxMemoryBytes: CAP, timeoutMs: 60_000 });
  hosts.push(host);
  assert.ok(await host.warmUp(), 'dist/helm.wasm is missing or does not start: run npm run build with Go installed');
  for (let i = 0; i < 2; i++) {
    const r = await host.render(request(GARBAGE));
    assert.ok(r.ok, `render ${i + 1} failed: ${!r.ok ? `${r.kind}: ${r.error}` : ''}`);
    assert.equal(r.manifest, MANIFEST);
  }
  assert.equal(host.workersStarted, 1, 'the worker was replaced: the collector did not run at the limit');
});
