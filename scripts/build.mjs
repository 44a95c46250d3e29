#!/usr/bin/env node
// One esbuild run bundles the entry points into dist/:
//   dist/client.js       the VS Code extension (vscode is provided by the editor)
//   dist/server.js       the language server (`node dist/server.js --stdio`): a small
//                        loader that runs dist/server-main.js (the server bundle) with a
//                        V8 code cache (server/code-cache.ts)
//   dist/cli.js          the `fluxhelm` command: a small loader that runs
//                        dist/cli-main.js (the CLI bundle, cli/bin.ts) with the same
//                        V8 code cache as the server (a command's modules are
//                        initialised when it first needs them; see cli/main.ts)
//   dist/helm-worker.js  the worker thread that runs dist/helm.wasm
// dist/helm.wasm (Helm's template engine, helm-wasm/) is built by
// scripts/build-helm-wasm.sh when Go is installed; without Go the build goes
// on and the render features say they are unavailable.
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { relative as relativePath, resolve as resolvePath } from 'node:path';
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

/**
 * Packages only some commands use, each built as a bundle of its own in
 * dist/vendor/ and required from there when first needed, so that the CLI
 * bundle every command loads stays small (2.8 MB instead of 6.5 MB): the
 * Kubernetes client (cluster commands; what server/vendor-kube.ts
 * re-exports), the LSP runtime (`fluxhelm lsp`), and the MCP SDK with zod
 * (`fluxhelm mcp`; one bundle, cli/vendor-mcp.ts, so that the SDK and the
 * tools' schemas share one zod).
 */
const CLI_VENDOR = {
  'server/vendor-kube.ts': 'kubernetes-client',
  'cli/vendor-mcp.ts': 'mcp',
  'vscode-languageserver/node': 'vscode-languageserver-node',
  'vscode-languageserver-textdocument': 'vscode-languageserver-textdocument',
};

function cliVendor() {
  return {
    name: 'cli-vendor',
    setup(b) {
      // Packages are imported by name, our vendor files as `./<file>` next to their importer: the filter is made
      // from CLI_VENDOR's keys, and each hit is checked against the full key below.
      const escape = (t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const specs = Object.keys(CLI_VENDOR).map((k) => (k.endsWith('.ts') ? `\\./${escape(k.split('/').pop())}` : escape(k)));
      b.onResolve({ filter: new RegExp(`^(${specs.join('|')})$`) }, (args) => {
        const key = args.path.startsWith('./') ? relativePath('.', resolvePath(args.resolveDir, args.path)).split('\\').join('/') : args.path;
        const name = CLI_VENDOR[key];
        return name ? { path: `./vendor/${name}.js`, external: true } : undefined;
      });
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
 * The CLI: dist/cli.js (cli/start.ts) runs the CommonJS bundle
 * dist/cli-main.js (cli/bin.ts) through the V8 code cache, like the server.
 * The commands that cli/main.ts imports dynamically stay in the bundle as
 * modules initialised on first use; the packages of CLI_VENDOR are in
 * dist/vendor/. Files of the earlier ES-module build (cli-main.mjs,
 * cli-chunk-*.mjs) are removed.
 */
async function buildCli() {
  const vendor = Object.entries(CLI_VENDOR).map(([spec, name]) =>
    build({
      ...common,
      stdin: { contents: `export * from ${JSON.stringify(spec.endsWith('.ts') ? `./${spec}` : spec)};`, resolveDir: '.', loader: 'ts' },
      outfile: `dist/vendor/${name}.js`,
    }),
  );
  await Promise.all([
    build({ ...common, entryPoints: ['cli/start.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
    build({ ...common, entryPoints: ['cli/bin.ts'], outfile: 'dist/cli-main.js', plugins: [...common.plugins, cliVendor()] }),
    ...vendor,
  ]);
  for (const f of readdirSync('dist')) {
    if (/^cli-(main|chunk-[A-Z0-9]+)\.mjs(\.map)?$/.test(f)) rmSync(`dist/${f}`, { force: true });
  }
}
