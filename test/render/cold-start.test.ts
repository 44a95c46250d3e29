/**
 * Cold start of Helm's engine (issue 17, server/helm-render-host.ts), each
 * case in a fresh process (V8's flags are process-wide):
 * - the CLI's tier (Liftoff only) renders exactly what the server's tier
 *   (dynamic tiering) renders, with clearly less CPU to the first render;
 * - an engine started ahead with prepare() does not keep a process alive
 *   that has nothing else to do;
 * - a render in a process with nothing else to do completes (the host keeps
 *   the process alive while the module compiles and the worker starts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { defaultHelmWasmPath } from '../../server/helm-render-host.ts';

const require = createRequire(import.meta.url);
const child = join(import.meta.dirname, '..', 'support', 'render-cold-child.ts');

function run(args: string[], timeoutMs = 120_000): { code: number | null; out: Record<string, unknown>; wallMs: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', require.resolve('tsx'), child, ...args], { encoding: 'utf8', timeout: timeoutMs });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(last) as Record<string, unknown>;
  } catch {
    assert.fail(`child ${args.join(' ')} printed no result (exit ${r.status}, signal ${r.signal}): ${r.stderr.slice(-500)}`);
  }
  return { code: r.status, out, wallMs: Date.now() - t0 };
}

test('dist/helm.wasm is built', () => {
  assert.ok(defaultHelmWasmPath(), 'dist/helm.wasm is missing: run npm run build with Go installed');
});

test("the CLI's baseline tier renders byte-identical output with less CPU to the first render than the server's tier", () => {
  const optimizing = run(['first', 'optimizing']);
  const baseline = run(['first', 'baseline']);
  assert.equal(optimizing.out.ok, true, String(optimizing.out.manifest));
  assert.equal(baseline.out.ok, true, String(baseline.out.manifest));
  assert.equal(baseline.out.manifest, optimizing.out.manifest);
  assert.match(String(baseline.out.manifest), /kind: Deployment/);
  const b = baseline.out.cpuMs as number;
  const o = optimizing.out.cpuMs as number;
  // Measured on 2 busy cores: ~0.45 s against ~1.1-1.6 s (TurboFan in the background).
  assert.ok(b < o * 0.8, `baseline tier used ${Math.round(b)} ms of CPU to the first render, optimizing ${Math.round(o)} ms`);
});

test('an engine started with prepare() does not keep the process alive', () => {
  // A process held by the start would exit only once the worker is ready (or the 60 s start timeout passed).
  const r = run(['prepare-exit', 'baseline'], 90_000);
  assert.equal(r.code, 0);
  assert.equal(r.out.prepared, true);
  assert.equal(r.out.readyBeforeExit, false, 'the process waited for the engine it never used');
});

test('a render in a process with nothing else to do completes', () => {
  const r = run(['render-only', 'baseline']);
  assert.equal(r.code, 0);
  assert.equal(r.out.ok, true, String(r.out.manifest));
  assert.match(String(r.out.manifest), /kind: Service/);
});

test('a wasm file that does not compile is reported as unavailable, every time', async () => {
  const { createHelmRenderHost } = await import('../../server/helm-render-host.ts');
  const host = createHelmRenderHost({ wasmPath: join(import.meta.dirname, 'cold-start.test.ts') });
  try {
    const req = { chart: {}, releaseName: 'r', namespace: 'n', values: {} };
    for (let i = 0; i < 2; i++) {
      const r = await host.render(req);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, 'unavailable');
      assert.match(!r.ok ? r.error : '', /is not a usable WebAssembly module/);
    }
    assert.equal(host.workersStarted, 1, 'a module that does not compile is not tried again');
  } finally {
    await host.dispose();
  }
});

test('the worker reads dist/helm.wasm with its memory capped, byte for byte as capMemory does, without a second copy', async () => {
  const { readFileSync } = await import('node:fs');
  const { capMemory, readCappedModule } = await import('../../server/helm-render-worker.ts');
  const path = defaultHelmWasmPath()!;
  const file = new Uint8Array(readFileSync(path));
  for (const cap of [64 * 1024 * 1024, 1024 * 1024 * 1024, 4 * 1024 * 1024 * 1024 - 65536]) {
    const copied = capMemory(file, cap);
    assert.notEqual(copied.length, file.length, 'the module gets a memory maximum');
    assert.ok(Buffer.from(readCappedModule(path, cap)).equals(Buffer.from(copied)), `cap ${cap}`);
  }
});
