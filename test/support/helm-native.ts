/**
 * The native helm v4.2.4 that the render tests compare Helm-in-wasm with
 * (the Helm version helm-controller v1.6.4 builds on). .ci/helm-deps.sh
 * builds it into the cache; when a developer runs a test without it, the
 * same script is run once here (a few minutes with Go present).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheRoot, isolatedHelmEnv } from './tools.ts';
import type { ChartFiles } from '../../engine/render/host.ts';

export const HELM_RENDER_VERSION = 'v4.2.4';

export function helmRenderBinary(): string {
  const bin = join(cacheRoot(), 'tools', `helm-${HELM_RENDER_VERSION}`, 'helm');
  if (!existsSync(bin)) {
    execFileSync('bash', [new URL('../../.ci/helm-deps.sh', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return bin;
}

/** Runs native helm v4.2.4 with an isolated home; never rejects. */
export function runNativeHelm(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = helmRenderBinary();
  return new Promise((resolve) => {
    execFile(bin, args, { env: isolatedHelmEnv(home), maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** A chart folder as the render request's file map (every file, chart-relative). */
export function chartFilesFromDir(root: string): ChartFiles {
  const out: ChartFiles = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = new Uint8Array(readFileSync(p));
    }
  };
  walk(root);
  return out;
}
