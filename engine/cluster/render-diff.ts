/**
 * The rendered diff against the cluster (`service.cluster.renderDiff`,
 * `fluxhelm diff --render`): for each selected HelmRelease, the objects of
 * its live Helm release (the release Secret helm-controller's Helm wrote,
 * manifest plus hooks) are the base, and what fluxhelm renders from the
 * workspace (as an upgrade when a release exists, else as an install) is
 * the head (once per overlay that builds a base HelmRelease, as Flux
 * applies it); both go through the shared object comparison. Notes say which
 * revision was compared, when nothing is installed yet, and where the live
 * objects no longer match the release (drift, read with one GET each).
 * Data in, data out; errors are answers.
 */
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import type { ClusterHost, ObjectRef } from './host.ts';
import { mapLimit } from './run.ts';
import { label } from './words.ts';
import { allReleases, findRelease, releaseAt } from '../releases/releases.ts';
import type { RenderQuery, RenderedRelease } from '../releases/renders.ts';
import { pathToUri, uriToPath } from '../util/uri.ts';
import { diffOwners } from '../diff/compare.ts';
import type { OwnerOutput, RenderDiffParams, RenderedDiff } from '../diff/types.ts';
import { readLiveRelease, releaseLocation, releaseObjects } from './helm-release-secret.ts';
import { overlaysOfBaseCached, type OverlayOfBase } from '../flux/overlays.ts';

export type RenderDiffAnswer = RenderedDiff | { error: string; usage?: boolean };

export interface RenderDiffDeps {
  render(q: RenderQuery): Promise<RenderedRelease>;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** One release to compare: a HelmRelease as written, or as an overlay builds it. */
export interface DiffTarget {
  hr: IndexedObject;
  overlay?: OverlayOfBase;
}

const under = (file: string, dir: string) => !dir || file === dir || file.startsWith(`${dir}/`);

/** The HelmRelease as Flux applies it: once per overlay that builds it, else as written. */
function targetsOf(ws: Workspace, hr: IndexedObject): DiffTarget[] {
  const overlays = overlaysOfBaseCached(ws, ws.host, { file: hr.file, start: hr.start });
  return overlays.length ? overlays.map((overlay) => ({ hr, overlay })) : [{ hr }];
}

const builtNamespace = (t: DiffTarget): string | undefined => {
  const ns = rec(t.overlay?.builtObject.metadata)?.namespace;
  return typeof ns === 'string' && ns ? ns : t.hr.namespace;
};

/** The releases the parameters name (a release, the one at a position, or every one below a path), or why none. */
export function selectReleases(ws: Workspace, p: RenderDiffParams): DiffTarget[] | { error: string; usage: true } {
  if (p.release) {
    const found = findRelease(ws, p.release);
    if (!found.ok) return { error: found.error, usage: true };
    const all = targetsOf(ws, found.release);
    const ns = p.release.includes('/') ? p.release.split('/')[0] : undefined;
    const inNs = all.filter((t) => builtNamespace(t) === ns);
    return inNs.length ? inNs : all;
  }
  if (p.uri) {
    const path = uriToPath(p.uri);
    const offset = path && p.position ? (ws.lines(path)?.offsetAt(p.position) ?? 0) : 0;
    const hr = path ? releaseAt(ws, path, offset) : undefined;
    return hr ? targetsOf(ws, hr) : { error: 'this file holds no HelmRelease', usage: true };
  }
  const dir = (p.path ?? ws.repoRoot ?? '').replace(/\/+$/, '');
  const list: DiffTarget[] = [];
  for (const hr of allReleases(ws)) {
    const targets = targetsOf(ws, hr);
    // Below the path: the HelmRelease's file, its overlay folder, or a Flux Kustomization that builds the overlay.
    if (under(hr.file, dir)) list.push(...targets);
    else list.push(...targets.filter((t) => t.overlay && (under(t.overlay.overlay, dir) || t.overlay.kustomizations.some((k) => under(k.file, dir)))));
  }
  return list.length ? list : { error: `no HelmRelease below ${p.path ?? 'the workspace'}`, usage: true };
}

/** Where `expected` (what the release applied) is not what `actual` (the live object) holds: field paths. */
export function driftPaths(expected: unknown, actual: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 5 || expected === null || expected === undefined) return out;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) out.push(path || '.');
    else expected.forEach((e, i) => driftPaths(e, actual[i], `${path}[${i}]`, out));
    return out;
  }
  const e = rec(expected);
  if (e) {
    const a = rec(actual);
    if (!a) out.push(path || '.');
    else for (const [k, v] of Object.entries(e)) if (!(path === '.metadata' && k === 'namespace')) driftPaths(v, a[k], `${path}.${k}`, out);
    return out;
  }
  // The API server keeps quantities and numbers as it likes (`1` and "1"): compare as text.
  if (actual === undefined || String(actual) !== String(expected)) out.push(path);
  return out;
}

/** Notes about release objects whose live state differs (or that are gone), eight GETs at a time. */
async function liveDrift(conn: ClusterHost, objects: Record<string, unknown>[], namespace: string): Promise<string[]> {
  const rows = await mapLimit(objects, 8, async (o): Promise<string | undefined> => {
    const meta = rec(o.metadata);
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof meta?.name !== 'string') return undefined;
    const ref: ObjectRef = { apiVersion: o.apiVersion, kind: o.kind, name: meta.name, namespace: typeof meta.namespace === 'string' ? meta.namespace : namespace };
    const live = await conn.get(ref);
    const what = label({ kind: ref.kind, name: ref.name, namespace: live.ok ? live.value.metadata.namespace : ref.namespace });
    if (!live.ok) return live.error.kind === 'not-found' ? `live: ${what} is in the release but not in the cluster` : undefined;
    const paths = driftPaths(o, live.value);
    return paths.length ? `live: ${what} differs from the release at ${paths.join(', ')}` : undefined;
  });
  return rows.filter((r): r is string => !!r);
}

/** Compares the live Helm releases of the selected HelmReleases with what the workspace renders. */
export async function renderDiffFlow(ws: Workspace, conn: ClusterHost, p: RenderDiffParams, deps: RenderDiffDeps): Promise<RenderDiffAnswer> {
  const selected = selectReleases(ws, p);
  if ('error' in selected) return selected;
  const caps = conn.capabilities ? await conn.capabilities().catch(() => undefined) : undefined;
  const base: OwnerOutput[] = [];
  const head: OwnerOutput[] = [];
  const notes = new Map<string, string[]>();
  for (const target of selected) {
    const { hr, overlay } = target;
    const hrValue = overlay?.builtObject ?? ws.index.valueOf(hr) ?? {};
    const ownNamespace = builtNamespace(target) ?? conn.namespace;
    const id = `${ownNamespace}/${hr.name}${overlay ? ` (${overlay.label})` : ''}`;
    const said: string[] = [];
    notes.set(id, said);
    if (!builtNamespace(target)) said.push(`the HelmRelease names no namespace: ${ownNamespace} assumed (a Kustomization that applies it may set another)`);
    const loc = releaseLocation(hrValue, ownNamespace);
    const live = await readLiveRelease(conn, loc.name, loc.storageNamespace);
    const lines = ws.lines(hr.file);
    const rendered = await deps.render({
      uri: pathToUri(hr.file),
      ...(lines ? { position: lines.positionAt(hr.start) } : {}),
      ...(overlay ? { overlay: overlay.label } : {}),
      action: live.ok ? 'upgrade' : 'install',
      validate: false,
      ...(caps?.kubeVersion ? { kubeVersion: caps.kubeVersion } : {}),
      ...(caps?.apiVersions ? { apiVersions: caps.apiVersions } : {}),
    });
    const owner = { kind: 'HelmRelease' as const, id, file: hr.file };
    head.push({ ...owner, objects: rendered.ok ? rendered.objects.filter((o) => !o.crd).map((o) => o.object) : [], ...(rendered.ok ? {} : { error: rendered.error ?? 'not rendered' }) });
    if (rendered.ok && rendered.objects.some((o) => o.crd)) said.push("CRDs of the chart's crds/ folder are not part of a Helm release and are not compared");
    for (const d of rendered.diagnostics) if (d.severity === 'error') said.push(`rendered: ${d.message}`);
    if (!live.ok) {
      if (live.missing) {
        said.push(`${live.message}: every rendered object would be added`);
        base.push({ ...owner, objects: [] });
      } else base.push({ ...owner, objects: [], error: live.error });
      continue;
    }
    const rel = live.release.record;
    said.push(`compared with Helm release ${loc.storageNamespace}/${loc.name} revision ${rel.version} (${rel.status}${rel.chart?.version ? `, chart ${rel.chart.name ?? ''} ${rel.chart.version}` : ''})`);
    if (live.release.newest) said.push(`the newest revision ${live.release.newest.version} is ${live.release.newest.status}; an upgrade starts from revision ${rel.version}`);
    const stored = releaseObjects(rel);
    for (const e of stored.errors) said.push(`the release manifest has a document that does not parse: ${e}`);
    // Test hooks run on `helm test` (spec.test.enable), not on an upgrade; Helm keeps them in every release.
    const testsOn = rec(rec(hrValue.spec)?.test)?.enable === true;
    const isTest = (o: { hook?: string }) => !!o.hook && o.hook.split(',').every((e) => /^test(-success|-failure)?$/.test(e));
    const compared = testsOn ? stored.objects : stored.objects.filter((o) => !isTest(o));
    const skipped = stored.objects.length - compared.length;
    if (skipped) said.push(`${skipped} test hook${skipped === 1 ? '' : 's'} of the release not compared (spec.test.enable is off)`);
    base.push({ ...owner, objects: compared.map((o) => o.object) });
    const targetNamespace = rel.namespace || ownNamespace;
    said.push(...(await liveDrift(conn, stored.objects.filter((o) => !o.hook).map((o) => o.object), targetNamespace)));
  }
  const diff = diffOwners(base, head, p.options, { base: `cluster (context ${conn.context})`, head: 'workspace' });
  for (const o of diff.owners) {
    const n = notes.get(o.id);
    if (n?.length) o.notes = n;
  }
  return diff;
}
