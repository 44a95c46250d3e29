/**
 * The sync configurations of the Flux Operator found in the workspace: each
 * FluxInstance with `spec.sync`, and each HelmRelease of the flux-instance
 * chart with `values.instance.sync`. A sync is a cluster root: the operator
 * creates a source and a Kustomization (see workspace/created-objects.ts)
 * that applies `path` from it. For the workspace model's cluster roots.
 */
import type { IndexedObject, WorkspaceIndex } from '../workspace/index.ts';
import { valueAt } from '../util/value-at.ts';

export interface OperatorSync {
  /** The FluxInstance or HelmRelease that configures it. */
  from: IndexedObject;
  /** Name and namespace of the created source and Kustomization (namespace undefined when set by a parent). */
  name: string;
  namespace?: string;
  sourceKind: string;
  url?: string;
  ref?: string;
  /** The folder the created Kustomization applies, as written (relative to the source's root). */
  path?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Every operator sync of the workspace. Never throws. */
export function operatorSyncs(index: WorkspaceIndex): OperatorSync[] {
  const out: OperatorSync[] = [];
  const creators = new Map<IndexedObject | string, true>();
  for (const c of index.allCreated()) {
    if (c.kind !== 'Kustomization' || (c.createdBy?.kind !== 'FluxInstance' && c.createdBy?.kind !== 'HelmRelease')) continue;
    const key = `${c.file}:${c.start}`;
    if (creators.has(key)) continue;
    creators.set(key, true);
    const from = index.objectsIn(c.file).find((o) => o.start === c.start && o.kind === c.createdBy!.kind);
    const value = from ? index.valueOf(from) : undefined;
    if (!from || !value) continue;
    const sync = from.kind === 'FluxInstance' ? valueAt(value, ['spec', 'sync']) : valueAt(value, ['spec', 'values', 'instance', 'sync']);
    out.push({
      from,
      name: c.name,
      namespace: c.namespace,
      sourceKind: str(valueAt(sync, ['kind'])) ?? 'GitRepository',
      url: str(valueAt(sync, ['url'])),
      ref: str(valueAt(sync, ['ref'])),
      path: str(valueAt(sync, ['path'])),
    });
  }
  return out;
}
