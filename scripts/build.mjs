#!/usr/bin/env node
// One esbuild run bundles the entry points into dist/:
//   dist/client.js       the VS Code extension (vscode is provided by the editor)
//   dist/server.js       the language server (`node dist/server.js --stdio`)
//   dist/cli.js          the `fluxhelm` command
//   dist/helm-worker.js  the worker thread that runs dist/helm.wasm
// dist/helm.wasm (Helm's template engine, helm-wasm/) is built by
// scripts/build-helm-wasm.sh when Go is installed; without Go the build goes
// on and the render features say they are unavailable.
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // @kubernetes/client-node pulls optional native/websocket helpers we never call at load time.
  external: ['vscode'],
  // Sources find files beside them through import.meta.dirname; in the CJS bundle that is __dirname.
  define: { 'import.meta.dirname': '__dirname' },
};

await Promise.all([
  build({ ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client.js' }),
  build({ ...common, entryPoints: ['server/bin.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['server/helm-render-worker.ts'], outfile: 'dist/helm-worker.js' }),
]);
buildHelmWasm();
chmodSync('dist/server.js', 0o755);
chmodSync('dist/cli.js', 0o755);

function buildHelmWasm() {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    const note = existsSync('dist/helm.wasm') ? 'keeping the existing dist/helm.wasm' : 'rendering charts with Helm will be unavailable';
    console.error(`note: Go not found, dist/helm.wasm not built (${note}); install Go 1.26+ and run npm run build to build it`);
    return;
  }
  const res = spawnSync('bash', ['scripts/build-helm-wasm.sh'], { stdio: 'inherit' });
  if (res.status !== 0) console.error('note: building dist/helm.wasm failed (see above); rendering charts with Helm will be unavailable');
}
