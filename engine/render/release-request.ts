/**
 * What helm-controller (v1.6) hands to Helm for a HelmRelease, as a
 * `HelmRenderRequest`: the release name (`spec.releaseName`, else
 * `[targetNamespace-]name`, shortened past 53 characters with a SHA-256
 * suffix), the namespace (`targetNamespace`, else the object's own), the
 * user values (valuesFrom + inline, computed by engine/values), the chart's
 * files (with `chart.spec.valuesFiles` merged into a new values.yaml, as
 * source-controller packages it), the CRD policy of the action as
 * `--include-crds`, `disableSchemaValidation`, and `.Capabilities`.
 * Pure: the caller computes the values and loads the chart.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { LoadedChart } from '../charts/chart.ts';
import type { ReleaseValues } from '../values/release.ts';
import { mergeValuesFiles } from '../values/effective.ts';
import { toPlain } from '../values/tree.ts';
import type { ChartFiles, HelmRenderRequest } from './host.ts';

export type CrdPolicy = 'Skip' | 'Create' | 'CreateReplace';
export type ReleaseAction = 'install' | 'upgrade';

/** The Flux settings of a HelmRelease that shape what Helm renders. */
export interface ReleaseSettings {
  /** The release name Helm gets (shortened when needed). */
  releaseName: string;
  /** The name before shortening, when it was shortened. */
  longName?: string;
  /** Where the objects go (`spec.targetNamespace`, else the HelmRelease's namespace). */
  namespace: string;
  /** The HelmRelease's own name and namespace (for helm-controller's labels). */
  owner: { name: string; namespace: string };
  crds: CrdPolicy;
  disableSchemaValidation: boolean;
  disableOpenAPIValidation: boolean;
  /** `spec.postRenderers` as written. */
  postRenderers: unknown[];
  /** `spec.test.enable`: test hooks are part of what the release applies only then. */
  tests: boolean;
  /** `spec.commonMetadata` (labels and annotations helm-controller adds to every object). */
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export const RELEASE_NAME_MAX = 53;

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  const r = rec(v);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(r)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * helm-controller's shortening: a name longer than 53 characters keeps its
 * first 40 characters, a `-` and the first 12 hex digits of its SHA-256.
 */
export function shortenReleaseName(name: string): string {
  if (name.length <= RELEASE_NAME_MAX) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 12);
  return `${name.slice(0, RELEASE_NAME_MAX - 13)}-${hash}`;
}

/** `spec.releaseName`, else `[targetNamespace-]metadata.name` (before shortening). */
export function releaseNameOf(hr: Record<string, unknown>): string {
  const spec = rec(hr.spec) ?? {};
  const name = str(rec(hr.metadata)?.name) ?? '';
  const explicit = str(spec.releaseName);
  if (explicit) return explicit;
  const target = str(spec.targetNamespace);
  return target ? `${target}-${name}` : name;
}

function crdPolicy(v: unknown, fallback: CrdPolicy): CrdPolicy {
  return v === 'Skip' || v === 'Create' || v === 'CreateReplace' ? v : fallback;
}

/** The Flux settings of a HelmRelease for one action (install by default: what a first reconcile does). */
export function releaseSettings(hr: Record<string, unknown>, defaultNamespace = 'default', action: ReleaseAction = 'install'): ReleaseSettings {
  const spec = rec(hr.spec) ?? {};
  const meta = rec(hr.metadata) ?? {};
  const ownNamespace = str(meta.namespace) ?? defaultNamespace;
  const long = releaseNameOf(hr);
  const releaseName = shortenReleaseName(long);
  const step = rec(spec[action]) ?? {};
  const common = rec(spec.commonMetadata);
  return {
    releaseName,
    ...(releaseName !== long ? { longName: long } : {}),
    namespace: str(spec.targetNamespace) ?? ownNamespace,
    owner: { name: str(meta.name) ?? '', namespace: ownNamespace },
    // install.crds defaults to Create, upgrade.crds to Skip.
    crds: crdPolicy(step.crds, action === 'install' ? 'Create' : 'Skip'),
    disableSchemaValidation: step.disableSchemaValidation === true,
    disableOpenAPIValidation: step.disableOpenAPIValidation === true,
    postRenderers: Array.isArray(spec.postRenderers) ? spec.postRenderers : [],
    tests: rec(spec.test)?.enable === true,
    ...(common ? { commonMetadata: { labels: stringMap(common.labels), annotations: stringMap(common.annotations) } } : {}),
  };
}

/**
 * The chart as Helm must load it. With `valuesFiles`, source-controller
 * packages the chart with those files merged into its values.yaml, so the
 * request carries that merged file instead of the original.
 */
export function chartFilesFor(chart: LoadedChart, valuesFiles?: string[], ignoreMissing = false): { ok: true; files: ChartFiles } | { ok: false; error: string } {
  if (!chart.sourceFiles) return { ok: false, error: 'the chart was loaded without its files' };
  const files: ChartFiles = {};
  for (const [p, bytes] of chart.sourceFiles) files[p] = bytes;
  if (valuesFiles && valuesFiles.length > 0) {
    const merged = mergeValuesFiles(chart, valuesFiles, ignoreMissing);
    if (!merged.ok) return { ok: false, error: merged.error };
    files['values.yaml'] = new TextEncoder().encode(stringify(toPlain(merged.values), { lineWidth: 0 }));
  }
  return { ok: true, files };
}

export interface Capabilities {
  /** e.g. `v1.34.4` (from the cluster's discovery, a setting or `--kube-version`). */
  kubeVersion?: string;
  /** Extra API versions (`group/version` or `group/version/Kind`). */
  apiVersions?: string[];
}

export type ReleaseRequest =
  | { ok: true; request: HelmRenderRequest; settings: ReleaseSettings }
  | { ok: false; error: string; /** The HelmRelease field to blame. */ path: (string | number)[]; settings: ReleaseSettings };

/** Builds the render request of a HelmRelease from its computed values and its loaded chart. */
export function buildReleaseRequest(hr: Record<string, unknown>, values: ReleaseValues, chart: LoadedChart, options: Capabilities & { action?: ReleaseAction; defaultNamespace?: string } = {}): ReleaseRequest {
  const settings = releaseSettings(hr, options.defaultNamespace, options.action);
  const chartSpec = rec(rec(rec(hr.spec)?.chart)?.spec);
  const valuesFiles = Array.isArray(chartSpec?.valuesFiles) ? chartSpec.valuesFiles.filter((f): f is string => typeof f === 'string') : undefined;
  const files = chartFilesFor(chart, valuesFiles, chartSpec?.ignoreMissingValuesFiles === true);
  if (!files.ok) return { ok: false, error: files.error, path: ['spec', 'chart', 'spec', 'valuesFiles'], settings };
  const result = values.result;
  if (!result.ok) return { ok: false, error: result.error, path: result.stage === 'values-files' ? ['spec', 'chart', 'spec', 'valuesFiles'] : ['spec', 'values'], settings };
  const request: HelmRenderRequest = {
    chart: files.files,
    releaseName: settings.releaseName,
    namespace: settings.namespace,
    values: result.userValues as Record<string, unknown>,
    ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}),
    ...(options.apiVersions?.length ? { apiVersions: options.apiVersions } : {}),
    includeCrds: settings.crds !== 'Skip',
    ...(settings.tests ? {} : { skipTests: true }),
    isUpgrade: options.action === 'upgrade',
    ...(settings.disableSchemaValidation ? { skipSchemaValidation: true } : {}),
  };
  return { ok: true, request, settings };
}
