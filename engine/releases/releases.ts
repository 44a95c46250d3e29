/**
 * Which HelmReleases a workspace has: the ones Flux would apply, that is,
 * `helm.toolkit.fluxcd.io` HelmReleases that are not in a file a
 * kustomization uses as a patch (a patch holds a partial object). One
 * place for the filter every release feature uses.
 */
import type { IndexedObject } from '../workspace/index.ts';
import type { Workspace } from '../workspace/model.ts';

export function isHelmRelease(o: IndexedObject): boolean {
  return o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

/** The HelmReleases of one file (none when the file is a patch). */
export function releasesIn(ws: Workspace, path: string): IndexedObject[] {
  if (ws.patchFiles().has(path)) return [];
  return ws.index.objectsIn(path).filter(isHelmRelease);
}

/** Every HelmRelease of the workspace, by file and position. */
export function allReleases(ws: Workspace): IndexedObject[] {
  const patches = ws.patchFiles();
  return [...ws.index.allObjects()]
    .filter((o) => isHelmRelease(o) && !patches.has(o.file))
    .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
}

export type ReleaseLookup = { ok: true; release: IndexedObject } | { ok: false; error: string };

/** `NAMESPACE/NAME` (or `NAME` when unique) to the HelmRelease; an unknown or ambiguous name is an error value. */
export function findRelease(ws: Workspace, wanted: string): ReleaseLookup {
  const [ns, name] = wanted.includes('/') ? (wanted.split('/', 2) as [string, string]) : [undefined, wanted];
  const named = allReleases(ws).filter((o) => o.name === name);
  const matches = ns === undefined ? named : named.filter((o) => o.namespace === ns || o.namespace === undefined);
  if (matches.length === 0) return { ok: false, error: `no HelmRelease ${wanted} below the given path` };
  if (matches.length > 1) return { ok: false, error: `HelmRelease ${wanted} is ambiguous: ${matches.map((m) => m.file).join(', ')}` };
  return { ok: true, release: matches[0]! };
}

/** The HelmRelease of a file at an offset (the first one when the offset is outside all of them). */
export function releaseAt(ws: Workspace, path: string, offset: number): IndexedObject | undefined {
  const list = releasesIn(ws, path);
  return list.find((o) => offset >= o.start && offset < o.end) ?? list[0];
}
