/**
 * One started Helm engine (dist/helm.wasm in its worker) for a test file:
 * started before the tests (failing clearly when the module was not built),
 * disposed after them.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHelmRenderHost, type NodeHelmRenderHost } from '../../server/helm-render-host.ts';

/** Registers the hooks; the returned function gives the host inside tests. */
export function useRenderHost(): () => NodeHelmRenderHost {
  let host: NodeHelmRenderHost | undefined;
  before(async () => {
    host = createHelmRenderHost({ timeoutMs: 60_000 });
    assert.ok(await host.warmUp(), 'dist/helm.wasm is missing or does not start: run npm run build with Go installed');
  });
  after(async () => {
    await host?.dispose();
  });
  return () => {
    assert.ok(host, 'the render host starts before the tests');
    return host;
  };
}
