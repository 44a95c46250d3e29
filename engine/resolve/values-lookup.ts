/**
 * Where the ConfigMaps and Secrets named by `valuesFrom` come from when
 * computing effective values from the workspace: objects written in YAML
 * files, and those a kustomization.yaml generates (built with the kustomize
 * build, so generator files, literals and envs give the real data).
 */
import type { Workspace } from '../workspace/model.ts';
import { buildKustomization } from '../kustomize/index.ts';
import { lookupFromObjects } from '../values/release.ts';
import type { ValuesLookup } from '../values/merge.ts';

function dirname(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

export function workspaceValuesLookup(ws: Workspace): ValuesLookup {
  const objects: Record<string, unknown>[] = [];
  const generatorDirs = new Set<string>();
  for (const o of ws.index.allObjects()) {
    if (o.kind !== 'ConfigMap' && o.kind !== 'Secret') continue;
    if (o.generated) {
      generatorDirs.add(dirname(o.file));
      continue;
    }
    const v = ws.index.valueOf(o);
    if (v) objects.push(v);
  }
  for (const dir of generatorDirs) {
    const built = buildKustomization(ws.host, dir);
    for (const r of built.resources) {
      if (r.origin.type !== 'generator') continue;
      // Flux looks objects up by the name written in valuesFrom; a hashed name would not match (reported elsewhere).
      objects.push(r.object);
    }
  }
  return lookupFromObjects(objects);
}
