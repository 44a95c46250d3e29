/**
 * "Is anybody listening?" for reconcile requests. waitForReconcile alone
 * waits out its whole timeout (5 minutes by default) when no Flux
 * controller handles the object's kind, or when the controller is down or
 * stuck. waitWithPickup wraps it: if the request is not picked up (the
 * object's status.lastHandledReconcileAt is not the request's timestamp)
 * within `pickupMs` (10 s by default), it stops waiting and returns a plain
 * verdict instead:
 *   - `no-controller`: no Deployment of the controller for that kind and no
 *     object of the kind in the cluster has ever had a status written;
 *   - `not-picked-up`: the controller exists (a Deployment, or statuses
 *     written before) but did not answer in time; the message says what is
 *     known (the Deployment's ready replicas, when the object was last
 *     handled).
 * Errors stay ClusterErrors; the verdicts are data for the CLI, the LSP and
 * the editor's progress notification.
 */
import type { Clock } from '../host.ts';
import type { ClusterHost, ObjectRef } from './host.ts';
import { ok, type ClusterResult, type KubeObject } from './types.ts';
import { waitForReconcile, type WaitOptions, type WaitVerdict } from './wait.ts';

export type PickupVerdict =
  | { state: 'no-controller'; controller: string; message: string }
  | { state: 'not-picked-up'; controller: string; message: string };

/** What waiting for a reconcile request can end in, besides errors. */
export type ReconcileOutcome = WaitVerdict | PickupVerdict;

export const DEFAULT_PICKUP_MS = 10_000;

const CONTROLLERS: Record<string, string> = {
  HelmRelease: 'helm-controller',
  Kustomization: 'kustomize-controller',
  HelmRepository: 'source-controller',
  HelmChart: 'source-controller',
  GitRepository: 'source-controller',
  OCIRepository: 'source-controller',
  Bucket: 'source-controller',
  ExternalArtifact: 'source-controller',
  Alert: 'notification-controller',
  Provider: 'notification-controller',
  Receiver: 'notification-controller',
  ImageRepository: 'image-reflector-controller',
  ImagePolicy: 'image-reflector-controller',
  ImageUpdateAutomation: 'image-automation-controller',
};

/** The Flux controller that reconciles a kind (`undefined` for kinds Flux does not reconcile). */
export function controllerFor(kind: string): string | undefined {
  return CONTROLLERS[kind];
}

function handledAt(obj: KubeObject | undefined): string | undefined {
  const s = (obj?.status ?? undefined) as { lastHandledReconcileAt?: unknown } | undefined;
  return typeof s?.lastHandledReconcileAt === 'string' ? s.lastHandledReconcileAt : undefined;
}

/** True when a controller has ever written this object's status. */
export function hasStatus(obj: KubeObject | undefined): boolean {
  const s = (obj?.status ?? undefined) as { observedGeneration?: unknown; conditions?: unknown; lastHandledReconcileAt?: unknown } | undefined;
  if (!s || typeof s !== 'object') return false;
  // The CRDs default status to {observedGeneration: -1}: that is the API server, not a controller.
  const observed = typeof s.observedGeneration === 'number' && s.observedGeneration > 0;
  return observed || (Array.isArray(s.conditions) && s.conditions.length > 0) || s.lastHandledReconcileAt !== undefined;
}

export interface ControllerDeployment {
  namespace: string;
  name: string;
  replicas: number;
  ready: number;
}

/**
 * The controller's Deployments, found by Flux's install labels
 * (`app.kubernetes.io/component=<controller>`) or by name; `undefined`
 * when the cluster does not let us look (no list permission on Deployments).
 */
export async function controllerDeployments(host: ClusterHost, controller: string): Promise<ControllerDeployment[] | undefined> {
  const byLabel = await host.list({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: '*', labelSelector: `app.kubernetes.io/component=${controller}` });
  if (!byLabel.ok) return undefined;
  let items = byLabel.value.items;
  if (!items.length) {
    const byName = await host.list({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: '*', fieldSelector: `metadata.name=${controller}` });
    if (byName.ok) items = byName.value.items;
  }
  return items.map((d) => {
    const spec = (d.spec ?? {}) as { replicas?: number };
    const status = (d.status ?? {}) as { readyReplicas?: number };
    return { namespace: d.metadata.namespace ?? '', name: d.metadata.name, replicas: spec.replicas ?? 1, ready: status.readyReplicas ?? 0 };
  });
}

/** Whether any object of the kind, in any namespace we may list, has a status; `undefined` when we may not list. */
export async function kindEverReconciled(host: ClusterHost, apiVersion: string, kind: string): Promise<boolean | undefined> {
  const all = await host.list({ apiVersion, kind, namespace: '*' });
  if (all.ok) return all.value.items.some(hasStatus);
  return undefined;
}

/** Looks at the cluster once the pickup deadline passed and says which of the two verdicts applies. */
export async function diagnosePickup(host: ClusterHost, ref: ObjectRef, current: KubeObject | undefined, waitedMs: number): Promise<PickupVerdict> {
  const controller = controllerFor(ref.kind) ?? 'the Flux controller';
  const where = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  const deployments = await controllerDeployments(host, controller);
  const ever = hasStatus(current) || (await kindEverReconciled(host, ref.apiVersion, ref.kind)) === true;
  const secs = Math.round(waitedMs / 1000);
  if (!ever && deployments !== undefined && deployments.length === 0) {
    return {
      state: 'no-controller',
      controller,
      message: `no ${controller} is running in this cluster: there is no ${controller} Deployment and no ${ref.kind} has ever been given a status, so nothing will reconcile ${ref.kind} ${where}. Install Flux (flux install) or start ${controller}; the request stays on the object and is handled once it runs.`,
    };
  }
  const facts: string[] = [];
  if (deployments?.length) {
    facts.push(deployments.map((d) => `Deployment ${d.namespace}/${d.name} has ${d.ready}/${d.replicas} ready`).join(', '));
  } else if (deployments === undefined) {
    facts.push(`cannot check for a ${controller} Deployment (no permission to list Deployments)`);
  }
  const last = handledAt(current);
  facts.push(last ? `the object was last handled at ${last}` : hasStatus(current) ? 'the object has a status but has never handled a reconcile request' : 'the object has no status yet');
  return {
    state: 'not-picked-up',
    controller,
    message: `${controller} did not pick up the reconcile request for ${ref.kind} ${where} within ${secs}s (${facts.join('; ')}). It may be down, overloaded, or not watching this namespace; the request stays on the object.`,
  };
}

export interface PickupWaitOptions extends Omit<WaitOptions, 'clock'> {
  clock: Clock;
  /** How long the controller gets to pick the request up; default 10 s. */
  pickupMs?: number;
}

/**
 * waitForReconcile with a pickup deadline: a verdict from the controller,
 * or a PickupVerdict once `pickupMs` passed without the request handled.
 */
export function waitWithPickup(host: ClusterHost, ref: ObjectRef, requestedAt: string, opts: PickupWaitOptions): Promise<ClusterResult<ReconcileOutcome>> {
  const pickupMs = opts.pickupMs ?? DEFAULT_PICKUP_MS;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort();
  if (opts.signal?.aborted) inner.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);
  let pickedUp = false;
  let latest: KubeObject | undefined;
  let pickupVerdict: PickupVerdict | undefined;
  let finished = false;
  const note = (obj: KubeObject | undefined) => {
    if (!obj) return;
    latest = obj;
    if (handledAt(obj) === requestedAt) pickedUp = true;
  };
  const timer = opts.clock.setTimeout(() => {
    if (pickedUp || finished) return;
    void (async () => {
      const got = await host.get(ref);
      if (got.ok) note(got.value);
      if (pickedUp || finished) return;
      pickupVerdict = await diagnosePickup(host, ref, latest, pickupMs);
      if (!pickedUp && !finished) inner.abort();
      else pickupVerdict = undefined;
    })();
  }, pickupMs);
  return waitForReconcile(host, ref, requestedAt, {
    ...opts,
    signal: inner.signal,
    onProgress: (p) => {
      note(p.object);
      opts.onProgress?.(p);
    },
  }).then((r): ClusterResult<ReconcileOutcome> => {
    finished = true;
    opts.clock.clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
    if (pickupVerdict && !opts.signal?.aborted) return ok(pickupVerdict);
    return r;
  });
}
