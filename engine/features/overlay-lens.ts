/**
 * Code lenses on objects of a kustomize base that overlays change: one lens
 * per overlay, naming what it changes ("production: spec.values.replicaCount
 * = 3 from apps/production/podinfo-patch.yaml:9"). For a HelmRelease the lens
 * opens the effective values as that overlay builds it.
 */
import type { CodeLens } from '../types.ts';
import type { Workspace } from '../workspace/model.ts';
import { overlaysOfBaseCached } from '../flux/overlays.ts';

function short(text: string): string {
  return text.length > 90 ? `${text.slice(0, 87)}…` : text;
}

export function overlayLenses(ws: Workspace, path: string): CodeLens[] {
  const lines = ws.lines(path);
  // The last graph check's patch files: a full check here would redo the workspace's graph after every edit.
  if (!lines || ws.patchFiles().has(path)) return [];
  const lenses: CodeLens[] = [];
  for (const o of ws.index.objectsIn(path)) {
    if (o.generated) continue;
    const overlays = overlaysOfBaseCached(ws, ws.host, { file: path, start: o.start });
    const line = lines.positionAt(o.start).line;
    const range = { start: { line, character: 0 }, end: { line, character: 0 } };
    for (const ov of overlays) {
      if (ov.changes.length === 0) continue; // an overlay that only includes the base says nothing new
      const env = ov.label.slice(ov.label.lastIndexOf('/') + 1);
      const first = ov.changes[0];
      const what = `${first.text.replace(/ from .*$/, '')}${ov.changes.length > 1 ? ` (+${ov.changes.length - 1} more)` : ''}`;
      const title = short(`${env}: ${what}`);
      const tooltip = ov.changes.map((c) => c.text).join('\n');
      if (o.kind === 'HelmRelease') lenses.push({ range, command: { title, command: 'fluxhelm.showEffectiveValues', arguments: [ov.label], tooltip } as CodeLens['command'] });
      else lenses.push({ range, command: { title, command: '', tooltip } as CodeLens['command'] });
    }
  }
  return lenses;
}
