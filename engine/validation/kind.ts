/**
 * Decides what a YAML document is: a Flux, kustomize or core object we know
 * (and which schema applies), a known group with a wrong kind or version
 * (worth an error), or something else (ignored silently).
 */
import type { YamlDocument } from '../yaml/documents.ts';
import { findKind, splitApiVersion, KNOWN_GROUPS, apiVersionOf, type KindInfo, type VersionInfo } from '../kinds.ts';
import type { SchemaEntry, SchemaRegistry } from '../schemas/registry.ts';
import { repoConfigSchemaEntry, REPO_CONFIG_KIND, isRepoConfigFile } from '../config/schema.ts';

export type KindResolution =
  | { status: 'ignored' }
  | { status: 'known'; apiVersion: string; group: string; version: string; kind: string; info?: KindInfo; versionInfo?: VersionInfo; entry: SchemaEntry }
  | { status: 'unknown-kind'; group: string; kind: string; known: string[] }
  | { status: 'unknown-version'; group: string; version: string; kind: string; known: string[] };

const CORE_KINDS = new Set(['ConfigMap', 'Secret', 'Namespace']);

export function isKustomizationFile(uri: string): boolean {
  return /(^|[\\/])(kustomization\.ya?ml|Kustomization)$/.test(uri);
}

/** Helm chart templates are Go templates, not YAML we can check. */
export function isHelmTemplate(uri: string, text: string): boolean {
  return /[\\/]templates[\\/]/.test(uri) && text.includes('{{');
}

export function resolveKind(doc: YamlDocument, uri: string, registry: SchemaRegistry): KindResolution {
  if (isRepoConfigFile(uri)) return { status: 'known', ...REPO_CONFIG_KIND, entry: repoConfigSchemaEntry };
  let apiVersion = doc.apiVersion;
  let kind = doc.kind;
  if (apiVersion === undefined && kind === undefined && isKustomizationFile(uri)) {
    apiVersion = 'kustomize.config.k8s.io/v1beta1';
    kind = 'Kustomization';
  }
  if (apiVersion === undefined || kind === undefined) return { status: 'ignored' };
  const { group, version } = splitApiVersion(apiVersion);
  if (group === '' && !CORE_KINDS.has(kind)) return { status: 'ignored' };

  const entry = registry.get(apiVersion, kind);
  const info = findKind(group, kind);
  if (entry) {
    return { status: 'known', apiVersion, group, version, kind, info, versionInfo: info?.versions.find((v) => v.version === version), entry };
  }
  if (group !== '' && !KNOWN_GROUPS.has(group) && registry.kindsOf(group).length === 0) return { status: 'ignored' };
  const kinds = registry.kindsOf(group);
  if (!kinds.includes(kind)) return { status: 'unknown-kind', group, kind, known: kinds.sort() };
  const known = registry.versionsOf(group, kind).sort().reverse();
  return { status: 'unknown-version', group, version, kind, known: known.map((v) => apiVersionOf(group, v)) };
}
