/**
 * What the rendering commands (`template`, `diff --base`, `diff --render`)
 * read and refuse alike: `--kube-version` and `--api-versions` (Helm's
 * .Capabilities), and the message when Helm's engine was not built.
 */
import type { Out } from './command.ts';
import { UsageError, type ParsedArgs } from './args.ts';

export interface RenderCapabilities {
  kubeVersion?: string;
  apiVersions?: string[];
}

/** `--kube-version V` and `--api-versions A,B` as the render query takes them; a malformed version is a usage error. */
export function renderCapabilities(args: Pick<ParsedArgs, 'options'>): RenderCapabilities {
  const kubeVersion = args.options.get('kube-version')?.[0];
  if (kubeVersion !== undefined && !/^v?\d+\.\d+(\.\d+)?$/.test(kubeVersion))
    throw new UsageError(`--kube-version takes a version such as v1.34.0, not '${kubeVersion}'`);
  const apiVersions = args.options
    .get('api-versions')?.[0]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { ...(kubeVersion ? { kubeVersion } : {}), ...(apiVersions ? { apiVersions } : {}) };
}

/** False (after saying why) when Helm's engine cannot render here. */
export function rendererAvailable(service: { canRender: boolean }, err: Out): boolean {
  if (service.canRender) return true;
  err(
    "fluxhelm: Helm's engine is not available: dist/helm.wasm was not built (npm run build builds it when Go is installed)\n",
  );
  return false;
}
