/**
 * A HelmRenderHost for tests that runs the real helm binary (v4.1.4 from
 * support/tools.ts) with `helm template`: the chart files and the values go
 * to a temp folder, the output is split at `---` into documents with their
 * `# Source:` template. For comparing the engine's render pipeline with real
 * Helm where the WebAssembly host is not needed.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { HelmRenderHost, HelmRenderRequest, HelmRenderResult, RenderedDocument } from '../../engine/render/host.ts';
import { runHelm } from './tools.ts';

/** Splits `helm template` output into documents (empty ones dropped), as the render host does. */
export function splitManifest(manifest: string): RenderedDocument[] {
  const out: RenderedDocument[] = [];
  // A template may print several documents under one `# Source:` line; they stay together.
  for (const part of manifest.split(/^---[ \t]*\n(?=# Source: )/m)) {
    const m = /^\s*# Source: (.+)$/m.exec(part);
    if (!m) continue;
    const text = part.replace(/^\n/, '');
    let obj: Record<string, unknown> | undefined;
    try {
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d && typeof d === 'object');
      obj = docs.length === 1 ? (docs[0] as Record<string, unknown>) : undefined;
    } catch {
      obj = undefined;
    }
    const meta = (obj?.metadata ?? {}) as Record<string, unknown>;
    const hook = ((meta.annotations ?? {}) as Record<string, unknown>)['helm.sh/hook'];
    out.push({
      template: m[1].trim(),
      text,
      ...(typeof obj?.apiVersion === 'string' ? { apiVersion: obj.apiVersion } : {}),
      ...(typeof obj?.kind === 'string' ? { kind: obj.kind } : {}),
      ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
      ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
      ...(typeof hook === 'string' ? { hook } : {}),
      ...(/^[^/]+\/crds\//.test(m[1].trim()) ? { crd: true } : {}),
    });
  }
  return out;
}

export function nativeHelmHost(): HelmRenderHost {
  return {
    async render(req: HelmRenderRequest): Promise<HelmRenderResult> {
      const dir = mkdtempSync(join(tmpdir(), 'fluxhelm-native-helm-'));
      try {
        const chartDir = join(dir, 'chart');
        for (const [p, bytes] of Object.entries(req.chart)) {
          mkdirSync(dirname(join(chartDir, p)), { recursive: true });
          writeFileSync(join(chartDir, p), bytes);
        }
        writeFileSync(join(dir, 'values.json'), JSON.stringify(req.values));
        const args = ['template', req.releaseName, chartDir, '-n', req.namespace, '-f', join(dir, 'values.json')];
        if (req.kubeVersion) args.push('--kube-version', req.kubeVersion);
        for (const a of req.apiVersions ?? []) args.push('--api-versions', a);
        if (req.includeCrds) args.push('--include-crds');
        if (req.skipTests) args.push('--skip-tests');
        if (req.noHooks) args.push('--no-hooks');
        if (req.isUpgrade) args.push('--is-upgrade');
        if (req.skipSchemaValidation) args.push('--skip-schema-validation');
        const r = await runHelm(args, join(dir, 'home'));
        if (r.code !== 0) {
          const error = r.stderr.trim();
          return { ok: false, kind: /values don't meet the specifications/.test(error) ? 'schema' : 'template', error };
        }
        return { ok: true, manifest: r.stdout, documents: splitManifest(r.stdout), helmVersion: 'v4.1.4' };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
