#!/usr/bin/env node
// One esbuild run bundles the entry points into dist/:
//   dist/client.js       the VS Code extension (vscode is provided by the editor)
//   dist/server.js       the language server (`node dist/server.js --stdio`): a small
//                        loader that runs dist/server-main.js (the server bundle) with a
//                        V8 code cache (server/code-cache.ts)
//   dist/cli.js          the `fluxhelm` command: a small CommonJS entry that imports
//                        dist/cli-main.mjs (ES modules split per command: a command
//                        loads only its own code and the chunks it shares, in
//                        dist/cli-chunk-*.mjs; see cli/main.ts)
//   dist/helm-worker.js  the worker thread that runs dist/helm.wasm
// dist/helm.wasm (Helm's template engine, helm-wasm/) is built by
// scripts/build-helm-wasm.sh when Go is installed; without Go the build goes
// on and the render features say they are unavailable.
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
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
  plugins: [schemasAsText()],
};

/**
 * The Flux schemas that schemas/index.ts imports go into the bundles as JSON
 * text, parsed when a kind is first looked up (engine/schemas/registry.ts):
 * about 900 KB of object literals that every start-up compiled and built
 * although most runs validate a few kinds, and `resolve` none.
 */
function schemasAsText() {
  return {
    name: 'schemas-as-text',
    setup(b) {
      b.onResolve({ filter: /\.json$/ }, (args) => {
        if (!/[\\/]schemas[\\/]index\.ts$/.test(args.importer)) return undefined;
        return { path: resolvePath(args.resolveDir, args.path), namespace: 'schema-text' };
      });
      b.onLoad({ filter: /.*/, namespace: 'schema-text' }, (args) => ({
        contents: `export default ${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))};`,
        loader: 'js',
        watchFiles: [args.path],
      }));
    },
  };
}

await Promise.all([
  build({ ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client.js' }),
  build({ ...common, entryPoints: ['server/start.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['server/bin.ts'], outfile: 'dist/server-main.js' }),
  buildCli(),
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

/**
 * The CLI as ES modules split at the dynamic imports of cli/main.ts, flat in
 * dist/ so that import.meta.dirname is dist/ in every chunk (the Helm worker
 * and wasm are found beside it). Bundled CommonJS packages get `require`,
 * `__filename` and `__dirname` from the banner. Chunks of earlier builds are
 * removed afterwards.
 */
async function buildCli() {
  const { define: _cjsOnly, ...esm } = common;
  const result = await build({
    ...esm,
    format: 'esm',
    splitting: true,
    entryPoints: { 'cli-main': 'cli/bin.ts' },
    outdir: 'dist',
    chunkNames: 'cli-chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    banner: {
      js: [
        "import { createRequire as __fluxhelmRequire } from 'node:module';",
        "import { fileURLToPath as __fluxhelmPath } from 'node:url';",
        'const require = __fluxhelmRequire(import.meta.url);',
        'const __filename = __fluxhelmPath(import.meta.url);',
        "const __dirname = __fluxhelmPath(new URL('.', import.meta.url));",
      ].join(' '),
    },
  });
  writeFileSync(
    'dist/cli.js',
    "#!/usr/bin/env node\n// The fluxhelm command; its code is in cli-main.mjs and the chunks it imports (scripts/build.mjs).\nimport('./cli-main.mjs');\n",
  );
  rmSync('dist/cli.js.map', { force: true }); // the map of the single-file bundle of earlier builds
  const written = new Set(Object.keys(result.metafile.outputs).map((p) => p.replace(/^dist\//, '')));
  for (const f of readdirSync('dist')) {
    if (/^cli-(main|chunk-[A-Z0-9]+)\.mjs(\.map)?$/.test(f) && !written.has(f)) rmSync(`dist/${f}`, { force: true });
  }
}
