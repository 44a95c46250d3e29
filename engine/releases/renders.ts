/**
 * Rendering as a use case: the manifests a HelmRelease renders (on request,
 * per overlay), and background renders of the HelmReleases of open
 * documents, debounced after edits, whose failures become diagnostics on the
 * HelmRelease and whose object counts become a code lens
 * (`Rendered: 12 objects`). A render is repeated only when what it depends
 * on changed (the HelmRelease's text, the resolved chart, the workspace's
 * ConfigMaps and Secrets, the capabilities).
 */
import type { EngineHost } from '../host.ts';
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { CodeLens, Diagnostic } from '../types.ts';
import { uriToPath } from '../util/uri.ts';
import type { ChartResolution } from './resolution.ts';
import { findRelease, releaseAt, releasesIn } from './releases.ts';
import { renderRelease, type RenderedRelease, type RenderReleaseOptions } from '../render/render-release.ts';
import type { Capabilities, ReleaseAction } from '../render/release-request.ts';
import type { RemoteResolver } from '../values/remote-schemas.ts';

/** What renders take from the rest of the service: the cluster's capabilities, CRDs from crdPaths, remote schemas. */
export interface RenderInputs {
  capabilities(): Promise<Capabilities | undefined>;
  crds(): unknown[];
  remoteSchemas(hr: IndexedObject): Promise<RemoteResolver | undefined>;
}

export interface RenderSettings {
  /** Kubernetes version for `.Capabilities` (default: Helm's). */
  kubeVersion?: string;
  /** Extra API versions for `.Capabilities.APIVersions`. */
  apiVersions?: string[];
  /** Background renders of open documents (diagnostics, lenses). */
  renderOnEdit: boolean;
}

export interface RenderQuery {
  uri?: string;
  position?: { line: number; character: number };
  /** `NAMESPACE/NAME` (or `NAME`) anywhere in the workspace. */
  release?: string;
  /** An overlay that builds this base HelmRelease: its label (`apps/production`) or absolute folder. */
  overlay?: string;
  /** The HelmRelease as Flux applies it (from a Kustomization's build), rendered instead of the written one. */
  applied?: Record<string, unknown>;
  kubeVersion?: string;
  apiVersions?: string[];
  /** Render as an install (default) or as an upgrade of an existing release. */
  action?: ReleaseAction;
  /**
   * false: the rendered objects are not checked against Kubernetes and CRD schemas (a diff compares objects
   * and shows no findings, so it skips compiling those schemas). Values are still checked as Helm checks them.
   */
  validate?: false;
  /**
   * The HelmRelease itself, when the caller has already found it (the rendered diff): not looked up again by
   * uri and position, which needs the workspace's list of patch files (its whole graph check).
   */
  object?: IndexedObject;
}

export type { RenderedRelease };

interface Kept {
  key: string;
  result: RenderedRelease;
}

export class ReleaseRenders {
  private readonly byDoc = new Map<string, Map<number, Kept>>();
  private readonly timers = new Map<string, unknown>();
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly host: EngineHost,
    private readonly workspace: () => Workspace | undefined,
    private readonly resolution: () => ChartResolution | undefined,
    private readonly settings: RenderSettings,
    private readonly changed: (uri: string) => void,
    private readonly inputs: RenderInputs,
  ) {}

  get available(): boolean {
    return this.host.render !== undefined;
  }

  /** The connected cluster's capabilities when there is one, else the settings; CRDs of crdPaths; remote schemas. */
  private async options(hr: IndexedObject, extra: Partial<RenderReleaseOptions> = {}): Promise<RenderReleaseOptions> {
    // A render follows: Helm's engine starts now, while the chart is resolved (for remote schemas too).
    this.host.render?.prepare?.();
    const fromCluster = await this.inputs.capabilities().catch(() => undefined);
    const kube = fromCluster?.kubeVersion ? { kubeVersion: fromCluster.kubeVersion, apiVersions: fromCluster.apiVersions } : { kubeVersion: this.settings.kubeVersion, apiVersions: this.settings.apiVersions };
    const resolveRemote = await this.inputs.remoteSchemas(hr).catch(() => undefined);
    return { ...kube, crds: this.inputs.crds(), ...(resolveRemote ? { resolveRemote } : {}), ...extra };
  }

  /** Renders one HelmRelease on request. */
  async render(q: RenderQuery): Promise<RenderedRelease> {
    const ws = this.workspace();
    const r = this.resolution();
    const none = (error: string, usage = false): RenderedRelease => ({ ok: false, release: q.release ?? '', overlays: [], objects: [], manifest: '', diagnostics: [], error, ...(usage ? { usage } : {}) });
    if (!ws) return none('no workspace is open');
    if (!r) return none('chart sources are not available in this front end');
    // Given by the caller, or found by name, or by place.
    let hr: IndexedObject | undefined = q.object;
    if (hr === undefined && q.release) {
      const found = findRelease(ws, q.release);
      if (!found.ok) return none(found.error, true);
      hr = found.release;
    } else if (hr === undefined) {
      const path = q.uri ? uriToPath(q.uri) : undefined;
      const offset = path && q.position ? (ws.lines(path)?.offsetAt(q.position) ?? 0) : 0;
      hr = path ? releaseAt(ws, path, offset) : undefined;
    }
    if (!hr) return none('this file holds no HelmRelease');
    return renderRelease(ws, r, hr, await this.options(hr, { overlay: q.overlay, ...(q.applied ? { applied: q.applied } : {}), ...(q.action ? { action: q.action } : {}), ...(q.validate === false ? { schemas: false as const } : {}), ...(q.kubeVersion ? { kubeVersion: q.kubeVersion } : {}), ...(q.apiVersions ? { apiVersions: q.apiVersions } : {}) }));
  }

  /** Renders every HelmRelease of the workspace (for `check --render`); results by release file. */
  async renderAll(releases: IndexedObject[]): Promise<RenderedRelease[]> {
    const ws = this.workspace();
    const r = this.resolution();
    if (!ws || !r) return [];
    const out: RenderedRelease[] = [];
    for (const hr of releases) out.push(await renderRelease(ws, r, hr, await this.options(hr)));
    return out;
  }

  /** Schedules background renders of a document's HelmReleases (debounced). */
  schedule(uri: string, delayMs = 350): void {
    if (!this.settings.renderOnEdit || !this.available) return;
    // A document with HelmReleases will be rendered: Helm's engine starts now, during the debounce and chart resolution.
    const ws = this.workspace();
    const path = uriToPath(uri);
    if (ws && path && releasesIn(ws, path).length) this.host.render?.prepare?.();
    const clock = this.host.clock;
    const run = () => {
      this.timers.delete(uri);
      void this.renderDocument(uri).catch(() => undefined);
    };
    if (!clock) return run();
    const t = this.timers.get(uri);
    if (t !== undefined) clock.clearTimeout(t);
    this.timers.set(uri, clock.setTimeout(run, delayMs));
  }

  private keyOf(ws: Workspace, objectsSig: string, hr: IndexedObject, version: string | undefined): string {
    return JSON.stringify([ws.index.fileText(hr.file)?.slice(hr.start, hr.end), version, objectsSig, this.settings.kubeVersion, this.settings.apiVersions]);
  }

  async renderDocument(uri: string): Promise<void> {
    const ws = this.workspace();
    const r = this.resolution();
    const path = uriToPath(uri);
    if (!ws || !r || !path) return;
    const gen = (this.generation.get(uri) ?? 0) + 1;
    this.generation.set(uri, gen);
    const before = this.byDoc.get(uri) ?? new Map<number, Kept>();
    const next = new Map<number, Kept>();
    // The ConfigMaps and Secrets every release's values may read: one signature for the whole document.
    const objectsSig = r.valuesObjectsSignature();
    for (const hr of releasesIn(ws, path)) {
      const resolved = await r.resolveRelease(hr);
      const key = this.keyOf(ws, objectsSig, hr, resolved.version ?? resolved.digest);
      const kept = [...before.values()].find((k) => k.key === key);
      next.set(hr.start, kept ?? { key, result: await renderRelease(ws, r, hr, await this.options(hr)) });
      if (this.generation.get(uri) !== gen) return; // a newer edit superseded this run
    }
    this.byDoc.set(uri, next);
    const sig = (m: Map<number, Kept>) => JSON.stringify([...m].map(([s, k]) => [s, k.result.objects.length, k.result.diagnostics, k.result.error]));
    if (sig(before) !== sig(next)) this.changed(uri);
  }

  /** Render findings of an open document's HelmReleases. */
  diagnosticsFor(uri: string): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const k of this.byDoc.get(uri)?.values() ?? []) {
      for (const d of k.result.diagnostics) out.push({ range: d.range, severity: d.severity, code: d.code, message: d.message });
    }
    return out;
  }

  /** `Rendered: N objects` over each HelmRelease that was rendered (opens the rendered view). */
  lenses(uri: string): CodeLens[] {
    const ws = this.workspace();
    const path = uriToPath(uri);
    const lines = ws && path ? ws.lines(path) : undefined;
    if (!ws || !path || !lines) return [];
    const out: CodeLens[] = [];
    for (const [start, k] of this.byDoc.get(uri) ?? []) {
      const line = lines.positionAt(start).line;
      const n = k.result.objects.length;
      const title = k.result.ok ? `Rendered: ${n} object${n === 1 ? '' : 's'}` : 'Rendered: failed';
      out.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, command: { title, command: 'fluxhelm.showRenderedManifests', arguments: [uri, { line, character: 0 }] } });
    }
    return out;
  }

  forget(uri: string): void {
    this.byDoc.delete(uri);
    const t = this.timers.get(uri);
    if (t !== undefined) this.host.clock?.clearTimeout(t);
    this.timers.delete(uri);
  }
}
