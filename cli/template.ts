/**
 * `fluxhelm template PATH --release NS/NAME`: the manifests a HelmRelease
 * renders, as helm-controller would install them: Helm's own engine (the
 * WebAssembly build in dist/helm.wasm) with the release name, namespace,
 * values (per overlay), CRD policy, post-renderers and helm-controller's
 * labels. Problems go to stderr at the line that causes them.
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { formatObjects } from '../engine/index.ts';
import { openWorkspaceAt, display } from './workspace.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { parseTimeout } from './sources.ts';
import type { Command } from './command.ts';
import { renderCapabilities, rendererAvailable } from './render-args.ts';

const USAGE = `Usage: fluxhelm template PATH --release NAMESPACE/NAME [--overlay DIR] [--kube-version V] [--api-versions LIST] [--format yaml|json] [--offline]

Prints the manifests a HelmRelease renders, the way helm-controller installs
it: Helm's own template engine (compiled to WebAssembly) with the release
name ([targetNamespace-]name, shortened past 53 characters), the target
namespace, the effective values (chart defaults, valuesFiles, valuesFrom,
inline values), the CRD policy, postRenderers and the labels helm-controller
adds. Each object is preceded by its source template.

  --release NS/NAME      the HelmRelease (NAME alone when it is unique)
  --overlay DIR          render it as an overlay builds this base HelmRelease
  --kube-version V       .Capabilities.KubeVersion (default: Helm's)
  --api-versions LIST    extra .Capabilities.APIVersions, comma-separated
  --format yaml|json     YAML as helm template prints it (default), or a JSON array of objects
  --offline              use cached indexes and charts only
  --timeout DURATION     per request (default 10s)

Exit status: 0 rendered, 1 rendering failed or the objects have errors, 2 usage.`;

const OPTIONS = {
  release: { value: true },
  overlay: { value: true },
  'kube-version': { value: true },
  'api-versions': { value: true },
  format: { value: true },
  offline: {},
  timeout: { value: true },
} as const;

export const templateCommand: Command = {
  name: 'template',
  summary: "the manifests a HelmRelease renders (Helm's engine, helm-controller's additions)",
  usage: USAGE,
  options: OPTIONS,
  async run(argv, out, err) {
    const args = parseArgs(argv, OPTIONS);
    const release = args.options.get('release')?.[0];
    if (!release) throw new UsageError('--release NAMESPACE/NAME is required');
    const format = oneOf('format', args.options.get('format')?.[0], ['yaml', 'json'] as const, 'yaml');
    const capabilities = renderCapabilities(args);
    const { service } = openWorkspaceAt(args.positional, {
      prepareRender: true,
      network: !args.flags.has('offline'),
      timeoutMs: parseTimeout(args.options.get('timeout')?.[0], 10_000),
    });
    if (!rendererAvailable(service, err)) return 2;
    const typed = args.options.get('overlay')?.[0];
    const overlay = typed && existsSync(resolvePath(typed)) ? resolvePath(typed) : typed;
    const r = await service.renderRelease({ release, overlay, ...capabilities });
    if (r.usage) throw new UsageError(r.error ?? 'invalid query');
    for (const d of r.diagnostics)
      err(
        `${display(d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]\n`,
      );
    if (!r.ok) {
      err(`fluxhelm: ${r.release}: ${r.error}\n`);
      return 1;
    }
    out(
      format === 'json'
        ? formatObjects(
            r.objects.map((o) => o.object),
            'json',
          )
        : r.manifest,
    );
    return r.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
