/**
 * Effective values of a base HelmRelease as one overlay builds it (e.g.
 * apps/production): the HelmRelease comes from the overlay's kustomize
 * build (patches applied), valuesFrom ConfigMaps/Secrets from the same
 * build, and inline values a patch set are attributed to the patch file and
 * line, so the view reads "spec.values (apps/production/podinfo-patch.yaml:9)".
 */
import type { LoadedChart } from '../charts/chart.ts';
import type { OverlayOfBase } from '../flux/overlays.ts';
import { computeReleaseValues, lookupFromObjects, type ReleaseValues } from './release.ts';
import type { ValueLeaf } from './provenance.ts';

export interface OverlayValues extends ReleaseValues {
  /** For leaves set inline by an overlay patch: where that patch wrote the value. */
  noteFor(leaf: ValueLeaf): string | undefined;
}

function relative(root: string | undefined, p: string): string {
  return root && p.startsWith(`${root.replace(/\/+$/, '')}/`) ? p.slice(root.replace(/\/+$/, '').length + 1) : p;
}

export function overlayReleaseValues(overlay: OverlayOfBase, chart: LoadedChart, repoRoot?: string): OverlayValues {
  const meta = (overlay.builtObject.metadata ?? {}) as Record<string, unknown>;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  const values = computeReleaseValues(overlay.builtObject, namespace, chart, lookupFromObjects(overlay.objects));
  const valueChanges = overlay.changes.filter((c) => c.path[0] === 'spec' && c.path[1] === 'values');
  const noteFor = (leaf: ValueLeaf): string | undefined => {
    if (leaf.source?.kind !== 'inline') return undefined;
    // The most specific change at or above the leaf's path wins.
    let best: (typeof valueChanges)[number] | undefined;
    for (const c of valueChanges) {
      const rest = c.path.slice(2);
      const above = rest.length <= leaf.segments.length && rest.every((seg, i) => seg === leaf.segments[i]);
      if (above && (!best || c.path.length > best.path.length)) best = c;
    }
    return best ? `${relative(repoRoot, best.file)}:${best.line}` : undefined;
  };
  return { ...values, noteFor };
}
