/**
 * How the pure engine asks the front end's host to run Helm for it. The Node
 * host runs Helm's own engine compiled to WebAssembly in a worker thread;
 * the engine only builds requests and reads results.
 */

/** Chart-relative paths ("Chart.yaml", "templates/x.yaml", "charts/common-1.0.0.tgz" or "charts/common/Chart.yaml"). */
export type ChartFiles = Record<string, Uint8Array>;

export interface HelmRenderRequest {
  chart: ChartFiles;
  releaseName: string;
  namespace: string;
  /** User-supplied values (what `-f` / helm-controller pass); Helm coalesces them with the chart's defaults. */
  values: Record<string, unknown>;
  /** e.g. "v1.34.4". */
  kubeVersion?: string;
  /** Extra `--api-versions`. */
  apiVersions?: string[];
  /** `--include-crds`. */
  includeCrds?: boolean;
  skipTests?: boolean;
  noHooks?: boolean;
  isUpgrade?: boolean;
  skipSchemaValidation?: boolean;
}

export interface RenderedDocument {
  /** Source template, e.g. "podinfo/templates/deployment.yaml" (as in `# Source:`). */
  template: string;
  /** The document text exactly as `helm template` prints it (without the `---` separator line). */
  text: string;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** Hook annotation value, when the document is a hook. */
  hook?: string;
  /** From the chart's crds/ folder. */
  crd?: boolean;
}

export type HelmRenderResult =
  | { ok: true; manifest: string; documents: RenderedDocument[]; notes?: string; helmVersion: string }
  | { ok: false; kind: 'template' | 'schema' | 'chart' | 'timeout' | 'too-large' | 'crash' | 'unavailable'; error: string };

export interface HelmRenderHost {
  render(req: HelmRenderRequest, limits?: { timeoutMs?: number; maxBytes?: number }): Promise<HelmRenderResult>;
  /**
   * A render is about to be asked for: the host may start its engine now, so
   * that the start overlaps chart resolution. Optional, idempotent, never throws.
   */
  prepare?(): void;
}
