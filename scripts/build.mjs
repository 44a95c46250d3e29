#!/usr/bin/env node
// One esbuild run bundles the three entry points into dist/:
//   dist/client.js  the VS Code extension (vscode is provided by the editor)
//   dist/server.js  the language server (`node dist/server.js --stdio`)
//   dist/cli.js     the `fluxhelm` command
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // @kubernetes/client-node pulls optional native/websocket helpers we never call at load time.
  external: ['vscode'],
};

await Promise.all([
  build({ ...common, entryPoints: ['client/extension.ts'], outfile: 'dist/client.js' }),
  build({ ...common, entryPoints: ['server/bin.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
chmodSync('dist/server.js', 0o755);
chmodSync('dist/cli.js', 0o755);
