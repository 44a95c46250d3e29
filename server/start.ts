/**
 * Executable entry of dist/server.js (`fluxhelm-language-server`, and what the
 * VS Code extension starts): runs the bundled server, dist/server-main.js
 * (server/bin.ts), through the V8 code cache of server/code-cache.ts.
 */
import { join } from 'node:path';
import { runWithCodeCache } from './code-cache.ts';

runWithCodeCache(join(import.meta.dirname, 'server-main.js'));
