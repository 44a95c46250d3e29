/**
 * The live Helm release of a HelmRelease, read from the cluster: Helm's
 * storage driver keeps one Secret per revision in the storage namespace
 * (`spec.storageNamespace`, else the HelmRelease's namespace, as
 * helm-controller's GetStorageNamespace says), named
 * `sh.helm.release.v1.<release>.v<N>`, type `helm.sh/release.v1`, labelled
 * `owner=helm,name=<release>,version=<N>,status=<status>`. Its
 * `data.release` is base64 (the API's encoding of Secret data) of base64 of
 * the gzipped JSON release record (Helm writes plain JSON when it did not
 * gzip). This module picks the revision an upgrade would start from (the
 * newest deployed one, else the newest), decodes it and turns its manifest
 * and its hooks' manifests into objects. Odd Secrets are answers, never
 * exceptions.
 */
import { gunzipSync } from 'node:zlib';
import type { ClusterHost } from './host.ts';
import { describeError } from './host.ts';
import { documentObjects } from '../render/post-render.ts';
import { releaseNameOf, shortenReleaseName } from '../render/release-request.ts';
import type { KubeObject } from './types.ts';

export const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** The parts of Helm's release record fluxhelm reads. */
export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  status: string;
  chart?: { name?: string; version?: string; appVersion?: string };
  manifest: string;
  hooks: { name: string; kind: string; path: string; manifest: string; events: string[] }[];
  /** The user values Helm was given (before the chart's defaults). */
  config?: Record<string, unknown>;
  lastDeployed?: string;
  description?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Bytes(text: string, what: string): Decoded<Uint8Array> {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !B64.test(clean)) return { ok: false, error: `${what} is not base64` };
  return { ok: true, value: new Uint8Array(Buffer.from(clean, 'base64')) };
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Decodes `data.release` of a release Secret as the API serves it (base64),
 * or as Helm stored it when `apiEncoded` is false.
 */
export function decodeReleasePayload(payload: unknown, apiEncoded = true): Decoded<HelmReleaseRecord> {
  if (typeof payload !== 'string' || payload === '') return { ok: false, error: 'the Secret has no data.release' };
  let helmText = payload;
  if (apiEncoded) {
    const outer = base64Bytes(payload, 'data.release');
    if (!outer.ok) return outer;
    helmText = new TextDecoder().decode(outer.value);
  }
  const inner = base64Bytes(helmText, "Helm's release payload");
  if (!inner.ok) return inner;
  let bytes = inner.value;
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      return { ok: false, error: `the release payload is not valid gzip: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, error: 'the release payload is not JSON' };
  }
  const r = rec(json);
  if (!r || (typeof r.manifest !== 'string' && r.manifest !== undefined)) return { ok: false, error: 'the release payload is not a Helm release record' };
  const info = rec(r.info) ?? {};
  const meta = rec(rec(r.chart)?.metadata);
  const hooks = (Array.isArray(r.hooks) ? r.hooks : []).map(rec).filter((h): h is Record<string, unknown> => !!h).map((h) => ({
    name: str(h.name) ?? '',
    kind: str(h.kind) ?? '',
    path: str(h.path) ?? '',
    manifest: str(h.manifest) ?? '',
    events: Array.isArray(h.events) ? h.events.filter((e): e is string => typeof e === 'string') : [],
  }));
  return {
    ok: true,
    value: {
      name: str(r.name) ?? '',
      namespace: str(r.namespace) ?? '',
      version: typeof r.version === 'number' ? r.version : 0,
      status: str(info.status) ?? 'unknown',
      ...(meta ? { chart: { name: str(meta.name), version: str(meta.version), appVersion: str(meta.appVersion) } } : {}),
      manifest: str(r.manifest) ?? '',
      hooks,
      ...(rec(r.config) ? { config: rec(r.config) } : {}),
      ...(str(info.last_deployed) ? { lastDeployed: str(info.last_deployed) } : {}),
      ...(str(info.description) ? { description: str(info.description) } : {}),
    },
  };
}

/** One object of a stored release, with the template it came from. */
export interface StoredObject {
  object: Record<string, unknown>;
  template: string;
  hook?: string;
}

/** Splits a Helm manifest (`---\n# Source: path\n…`) into objects; documents that do not parse are reported. */
export function manifestObjects(manifest: string, hook?: string): { objects: StoredObject[]; errors: string[] } {
  const objects: StoredObject[] = [];
  const errors: string[] = [];
  for (const part of manifest.split(/^---[ \t]*$/m)) {
    if (!part.trim()) continue;
    const template = /^# Source: (.+)$/m.exec(part)?.[1]?.trim() ?? '';
    const parsed = documentObjects(part);
    if (parsed.error) errors.push(`${template || 'a document of the release'}: ${parsed.error}`);
    for (const object of parsed.objects) objects.push({ object, template, ...(hook ? { hook } : {}) });
  }
  return { objects, errors };
}

/** The objects of a release record: its manifest, then each hook's manifest. */
export function releaseObjects(r: HelmReleaseRecord): { objects: StoredObject[]; errors: string[] } {
  const main = manifestObjects(r.manifest);
  for (const h of r.hooks) {
    const more = manifestObjects(h.manifest, h.events.join(',') || 'hook');
    main.objects.push(...more.objects);
    main.errors.push(...more.errors);
  }
  return main;
}

/** Where helm-controller keeps a HelmRelease's Helm release: its name and storage namespace. */
export function releaseLocation(hr: Record<string, unknown>, defaultNamespace: string): { name: string; storageNamespace: string } {
  const spec = rec(hr.spec) ?? {};
  const own = str(rec(hr.metadata)?.namespace) || defaultNamespace;
  return { name: shortenReleaseName(releaseNameOf(hr)), storageNamespace: str(spec.storageNamespace) || own };
}

export interface LiveRelease {
  /** The revision compared with, decoded. */
  record: HelmReleaseRecord;
  secretName: string;
  /** The newest revision when it is not the one compared with (e.g. a failed upgrade after a deployed one). */
  newest?: { version: number; status: string };
}

export type LiveReleaseAnswer =
  | { ok: true; release: LiveRelease }
  | { ok: false; missing: true; message: string }
  | { ok: false; missing?: false; error: string };

const versionOf = (s: KubeObject): number => {
  const fromLabel = Number(s.metadata.labels?.version);
  if (Number.isInteger(fromLabel) && fromLabel > 0) return fromLabel;
  const m = /\.v(\d+)$/.exec(s.metadata.name);
  return m ? Number(m[1]) : 0;
};

/**
 * Finds and decodes the release an upgrade starts from: the newest revision
 * whose status is `deployed`, else the newest revision of any status.
 */
export async function readLiveRelease(conn: ClusterHost, name: string, storageNamespace: string): Promise<LiveReleaseAnswer> {
  const list = await conn.list({ apiVersion: 'v1', kind: 'Secret', namespace: storageNamespace, labelSelector: `owner=helm,name=${name}` });
  if (!list.ok) {
    if (list.error.kind === 'not-found') return { ok: false, missing: true, message: `no Helm release ${name} in namespace ${storageNamespace}` };
    return { ok: false, error: `cannot list the Helm release Secrets of ${name} in namespace ${storageNamespace}: ${describeError(list.error, conn.context)}` };
  }
  const secrets = list.value.items
    .filter((s) => (s as { type?: unknown }).type === RELEASE_SECRET_TYPE && s.metadata?.name?.startsWith(`sh.helm.release.v1.${name}.v`))
    .sort((a, b) => versionOf(b) - versionOf(a));
  if (secrets.length === 0) return { ok: false, missing: true, message: `no Helm release ${name} in namespace ${storageNamespace} (not installed yet)` };
  const newest = secrets[0]!;
  const chosen = secrets.find((s) => s.metadata.labels?.status === 'deployed') ?? newest;
  const decoded = decodeReleasePayload(rec(chosen.data)?.release);
  if (!decoded.ok) return { ok: false, error: `the Helm release Secret ${storageNamespace}/${chosen.metadata.name} cannot be read: ${decoded.error}` };
  const release: LiveRelease = { record: decoded.value, secretName: chosen.metadata.name };
  if (chosen !== newest) release.newest = { version: versionOf(newest), status: newest.metadata.labels?.status ?? 'unknown' };
  return { ok: true, release };
}
