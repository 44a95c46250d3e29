/**
 * The Flux Operator patches the notification-controller CRDs it installs:
 * an Alert's `spec.eventSources[].kind` and a Receiver's
 * `spec.resources[].kind` also accept FluxInstance, ResourceSet and
 * ResourceSetInputProvider. When the operator manages the cluster (the
 * workspace holds a FluxInstance or a flux-instance HelmRelease), schemas
 * are checked with the same widened enums.
 */
import type { JsonSchema } from './crd.ts';
import type { WorkspaceIndex } from '../workspace/index.ts';

export const OPERATOR_EVENT_KINDS = ['FluxInstance', 'ResourceSet', 'ResourceSetInputProvider'];

const PATCHED: Record<string, string> = { Alert: 'eventSources', Receiver: 'resources' };

/** A copy of `schema` with the operator's kinds added to the enum, or the schema itself when nothing applies. */
export function withOperatorKinds(kind: string, group: string, schema: JsonSchema): JsonSchema {
  const field = PATCHED[kind];
  if (!field || group !== 'notification.toolkit.fluxcd.io') return schema;
  const spec = (schema.properties as Record<string, JsonSchema> | undefined)?.spec;
  const list = (spec?.properties as Record<string, JsonSchema> | undefined)?.[field];
  const kindNode = ((list?.items as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined)?.kind;
  if (!Array.isArray(kindNode?.enum)) return schema;
  const copy = structuredClone(schema);
  const node = (((((copy.properties as Record<string, JsonSchema>).spec.properties as Record<string, JsonSchema>)[field].items as JsonSchema).properties as Record<string, JsonSchema>).kind);
  node.enum = [...new Set([...(node.enum as string[]), ...OPERATOR_EVENT_KINDS])];
  return copy;
}

const memo = new WeakMap<WorkspaceIndex, { version: number; result: boolean }>();

/** Whether the Flux Operator manages a cluster of this workspace (a FluxInstance, or the flux-instance chart); cached per index version. */
export function fluxOperatorManages(index: WorkspaceIndex): boolean {
  const hit = memo.get(index);
  if (hit && hit.version === index.version) return hit.result;
  const result = scan(index);
  memo.set(index, { version: index.version, result });
  return result;
}

function scan(index: WorkspaceIndex): boolean {
  for (const o of index.allObjects()) if (o.kind === 'FluxInstance' && o.apiVersion.startsWith('fluxcd.controlplane.io/')) return true;
  for (const o of index.allCreated()) if (o.createdBy?.kind === 'HelmRelease' || o.createdBy?.kind === 'FluxInstance') return true;
  return false;
}
