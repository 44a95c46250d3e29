/**
 * yayamlls (a Go YAML language server) as a benchmark peer: finds or builds
 * its binary with build-yayamlls.sh (cached under FLUXHELM_CACHE), and
 * describes how to start it offline with fluxhelm's own HelmRelease schema,
 * so it does the same plain validation job as yaml-language-server.
 *
 * yayamlls only reads schema files inside the workspace root, so the schema
 * is copied into each bench workspace folder (`helmrelease.schema.json`;
 * fluxhelm indexes YAML only, so the copy changes nothing for it).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerSpec } from '../lsp.ts';

export const YAYAMLLS = 'yayamlls';
const SCHEMA_FILE = 'helmrelease.schema.json';

/**
 * Path of the yayamlls binary, building it on first use (about 3 minutes);
 * undefined (with the reason logged) when it cannot be built here.
 */
export function yayamllsBinary(root: string, log: (line: string) => void): string | undefined {
  if (process.env.YAYAMLLS_BIN) return existsSync(process.env.YAYAMLLS_BIN) ? process.env.YAYAMLLS_BIN : undefined;
  try {
    log('yayamlls: locating or building the binary (bench/peers/build-yayamlls.sh)…');
    const out = execFileSync('bash', [join(root, 'bench', 'peers', 'build-yayamlls.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
    const bin = out.trim().split('\n').pop() ?? '';
    return existsSync(bin) ? bin : undefined;
  } catch (err) {
    log(`yayamlls unavailable, skipped: ${(err as { stderr?: string }).stderr?.slice(-400) ?? String(err)}`);
    return undefined;
  }
}

/** Copies fluxhelm's HelmRelease JSON Schema into a bench workspace folder for yayamlls. */
export function placeSchemaFor(root: string, folder: string): void {
  copyFileSync(join(root, 'schemas', 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease.json'), join(folder, SCHEMA_FILE));
}

/**
 * yayamlls with the HelmRelease schema mapped by glob, no catalog, no
 * Kubernetes schema auto-detection (network) and no flate rendering.
 * It publishes the open immediately and debounces changes by 200 ms.
 */
export function yayamllsSpec(binary: string, schemaGlobs: string[]): ServerSpec {
  const settings = {
    schemas: { [`./${SCHEMA_FILE}`]: schemaGlobs },
    catalog: false,
    kubernetes: { enabled: false },
    renderers: { flate: { enabled: false } },
  };
  return {
    name: YAYAMLLS,
    command: binary,
    args: [],
    initOptions: settings,
    debounceMs: 200,
    reportsVersions: true,
    async configure(client) {
      client.onServerRequest = (method, params) => (method === 'workspace/configuration' ? ((params.items as unknown[]) ?? []).map(() => settings) : null);
      await new Promise((r) => setTimeout(r, 100));
    },
  };
}
