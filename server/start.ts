/**
 * Executable entry of dist/server.js (`fluxhelm-language-server`, and what the
 * VS Code extension starts): runs the bundled server, dist/server-main.js
 * (server/bin.ts), through the V8 code cache of server/code-cache.ts.
 *
 * Before that, the heap is told to grow by at most half of what survived each
 * full collection (V8's --heap-growing-percent, read at every collection, so
 * it applies when set here). A huge document's parse allocates hundreds of
 * megabytes that die within a second or two; with V8's default growing factor
 * (up to 4x) the heap grew far past the live data before collecting it: fuzz
 * peaks of 700-820 MB with 60-200 MB live. FLUXHELM_HEAP_GROWING_PERCENT
 * overrides it (0: V8's own factor).
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from './code-cache.ts';

const growing = Number(process.env.FLUXHELM_HEAP_GROWING_PERCENT ?? 50);
if (Number.isInteger(growing) && growing > 0) setFlagsFromString(`--heap-growing-percent=${growing}`);

runWithCodeCache(join(import.meta.dirname, 'server-main.js'));
