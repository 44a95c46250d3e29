/**
 * Objects that exist in the cluster because something in the repository
 * creates them, not because a file declares them. References to them must
 * resolve like references to written objects:
 *
 * - a FluxInstance (fluxcd.controlplane.io) with `spec.sync`, or a
 *   HelmRelease of the `flux-instance` chart with `values.instance.sync`:
 *   the Flux Operator creates the sync source (`sync.kind`) and a
 *   Kustomization, both named `sync.name` or else after the namespace;
 * - `flux bootstrap` layouts commit a placeholder `gotk-sync.yaml` that the
 *   bootstrap replaces with the `flux-system` GitRepository and Kustomization;
 * - an ArtifactGenerator (source.extensions.fluxcd.io) creates one
 *   ExternalArtifact per `spec.artifacts[].name`, in its own namespace;
 * - an ExternalSecret creates `spec.target.name` (default: its own name), a
 *   ClusterExternalSecret `spec.externalSecretName` in the namespaces it
 *   selects, a SealedSecret a Secret of its own name;
 * - a Rook/lib-bucket-provisioner ObjectBucketClaim creates a ConfigMap and
 *   a Secret of its own name; a cert-manager Certificate its `secretName`;
 * - a ResourceSet (Flux Operator) creates what its templates generate, with
 *   its inline inputs and the Static providers written in the same file
 *   (operator/resourceset.ts; the full check looks providers up everywhere).
 *
 * Only the documents of those kinds are parsed, so indexing stays fast.
 */
import { parseDocument } from 'yaml';
import type { IndexedObject } from './index.ts';
import { YAML_OPTIONS } from '../yaml/documents.ts';
import { valueAt } from '../util/value-at.ts';
import { expandResourceSet } from '../operator/resourceset.ts';

export interface CreatedBy {
  kind: string;
  name: string;
  /** How the creator makes it, for messages and hovers: "created by the Flux Operator from FluxInstance flux". */
  how: string;
}

const CREATOR_KINDS = new Set(['FluxInstance', 'HelmRelease', 'ArtifactGenerator', 'ExternalSecret', 'ClusterExternalSecret', 'SealedSecret', 'ObjectBucketClaim', 'ResourceSet', 'Certificate']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const SOURCE_GROUP = 'source.toolkit.fluxcd.io/v1';
const KS_GROUP = 'kustomize.toolkit.fluxcd.io/v1';

/** Whether a HelmRelease installs the Flux Operator's `flux-instance` chart. */
function isFluxInstanceRelease(value: Record<string, unknown>, text: string): boolean {
  if (str(valueAt(value, ['spec', 'chart', 'spec', 'chart'])) === 'flux-instance') return true;
  // chartRef names an OCIRepository; by convention it carries the chart's name (the URL ends in /flux-instance).
  const ref = str(valueAt(value, ['spec', 'chartRef', 'name']));
  return ref !== undefined && /flux-instance/.test(ref) && /flux-instance/.test(text);
}

/** Offset in the file of `needle` written as a value in the document (from `after` on), for navigation. */
function offsetOf(text: string, docStart: number, needle: string | undefined, after = 0): number | undefined {
  if (!needle) return undefined;
  after = Math.max(0, after);
  const re = new RegExp(`(:|-)\\s+["']?${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*(#.*)?$`, 'm');
  const m = re.exec(text.slice(after));
  if (!m) return undefined;
  return docStart + after + m.index + m[0].indexOf(needle, 1);
}

const LIGHT_KINDS = new Set(['ExternalSecret', 'SealedSecret', 'ObjectBucketClaim', 'Certificate']);

/**
 * `spec.secretName`, `spec.target.name` and `spec.target.creationPolicy` of
 * a block-style document, read by indentation (no full parse): enough for
 * the kinds in LIGHT_KINDS, which need nothing else.
 */
function blockValues(docText: string): Record<string, unknown> {
  const lines = docText.split('\n');
  const target: Record<string, string> = {};
  const spec: Record<string, unknown> = { target };
  let specIndent = -1;
  let inSpec = -1;
  let inTarget = -1;
  for (const line of lines) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const m = /^\s*([A-Za-z]+):\s*(.*)$/.exec(line);
    if (inTarget >= 0 && indent <= inTarget) inTarget = -1;
    if (inSpec >= 0 && indent <= inSpec) inSpec = -1;
    if (!m) continue;
    if (indent === 0) {
      if (m[1] === 'spec') inSpec = 0;
      continue;
    }
    if (inTarget >= 0) {
      if (m[1] === 'name' || m[1] === 'creationPolicy') target[m[1]] ??= scalarText(m[2]);
    } else if (inSpec >= 0) {
      if (specIndent < 0) specIndent = indent;
      if (m[1] === 'target' && m[2].trim() === '') inTarget = indent;
      else if (m[1] === 'secretName' && indent === specIndent) spec.secretName ??= scalarText(m[2]);
    }
  }
  return { spec };
}

function scalarText(raw: string): string {
  let v = raw.replace(/\s+#.*$/, '').trim();
  v = v.replace(/^(?:(?:&[^\s]+|![^\s]*)\s+)+/, '');
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  return v;
}

function plainValue(docText: string): Record<string, unknown> | undefined {
  try {
    const v = parseDocument(docText, YAML_OPTIONS).toJS({ maxAliasCount: 1000 }) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The objects the documents of one file create (empty for most files). Never throws. */
export function createdObjects(path: string, text: string, objects: IndexedObject[]): IndexedObject[] {
  const out: IndexedObject[] = [];
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'gotk-sync.yaml' && objects.length === 0) {
    // The placeholder `flux bootstrap` commits; bootstrap writes the real sync objects into it.
    const by: CreatedBy = { kind: 'gotk-sync.yaml', name: 'flux-system', how: '`flux bootstrap` writes it into this placeholder gotk-sync.yaml' };
    for (const [apiVersion, kind] of [[SOURCE_GROUP, 'GitRepository'], [KS_GROUP, 'Kustomization']]) {
      out.push({ file: path, start: 0, end: text.length, apiVersion, kind, name: 'flux-system', namespace: 'flux-system', createdBy: by });
    }
    return out;
  }
  for (const obj of objects) {
    if (!CREATOR_KINDS.has(obj.kind)) continue;
    const docText = text.slice(obj.start, obj.end);
    if (obj.kind === 'HelmRelease' && !docText.includes('flux-instance')) continue;
    const group = obj.apiVersion.split('/')[0];
    // Most creators only need a field or two: read them from block-style text, parse the rest.
    const light = LIGHT_KINDS.has(obj.kind) && !/[{[]\s*$|:\s*[{[]/m.test(docText);
    const value = light ? blockValues(docText) : plainValue(docText);
    if (!value) continue;
    const make = (apiVersion: string, kind: string, name: string | undefined, namespace: string | undefined, how: string, nameOffset?: number) => {
      if (!name) return;
      out.push({ file: path, start: obj.start, end: obj.end, apiVersion, kind, name, namespace, nameOffset, createdBy: { kind: obj.kind, name: obj.name, how } });
    };
    switch (obj.kind) {
      case 'FluxInstance':
      case 'HelmRelease': {
        let sync: unknown;
        let namespace = obj.namespace;
        if (obj.kind === 'FluxInstance') {
          if (group !== 'fluxcd.controlplane.io') continue;
          sync = valueAt(value, ['spec', 'sync']);
        } else {
          if (group !== 'helm.toolkit.fluxcd.io' || !isFluxInstanceRelease(value, docText)) continue;
          sync = valueAt(value, ['spec', 'values', 'instance', 'sync']);
          namespace = str(valueAt(value, ['spec', 'targetNamespace'])) ?? namespace;
        }
        if (!sync || typeof sync !== 'object') continue;
        const explicit = str(valueAt(sync, ['name']));
        const name = explicit ?? namespace ?? 'flux-system';
        const how = `created by the Flux Operator from the \`sync\` of ${obj.kind} ${obj.name}`;
        const at = explicit ? offsetOf(docText, obj.start, explicit, docText.indexOf('sync:')) : undefined;
        const kind = str(valueAt(sync, ['kind'])) ?? 'GitRepository';
        make(SOURCE_GROUP, kind, name, namespace, how, at);
        make(KS_GROUP, 'Kustomization', name, namespace, how, at);
        break;
      }
      case 'ArtifactGenerator': {
        if (group !== 'source.extensions.fluxcd.io') continue;
        const artifacts = valueAt(value, ['spec', 'artifacts']);
        if (!Array.isArray(artifacts)) continue;
        for (const a of artifacts) {
          const name = str(valueAt(a, ['name']));
          if (name?.includes('{')) continue; // a pathPattern placeholder: names depend on the source's folders
          make(SOURCE_GROUP, 'ExternalArtifact', name, obj.namespace, `created by ArtifactGenerator ${obj.name}`, offsetOf(docText, obj.start, name, docText.indexOf('artifacts:')));
        }
        break;
      }
      case 'ExternalSecret': {
        if (!group.startsWith('external-secrets.io')) continue;
        if (str(valueAt(value, ['spec', 'target', 'creationPolicy'])) === 'None') continue;
        const target = str(valueAt(value, ['spec', 'target', 'name']));
        make('v1', 'Secret', target ?? obj.name, obj.namespace, `created by ExternalSecret ${obj.name}`, target ? offsetOf(docText, obj.start, target, docText.indexOf('target:')) : obj.nameOffset);
        break;
      }
      case 'ClusterExternalSecret': {
        if (!group.startsWith('external-secrets.io')) continue;
        const target = str(valueAt(value, ['spec', 'externalSecretSpec', 'target', 'name'])) ?? str(valueAt(value, ['spec', 'externalSecretName'])) ?? obj.name;
        // It creates an ExternalSecret in every selected namespace: the Secret's namespace is not one name.
        make('v1', 'Secret', target, undefined, `created in the selected namespaces by ClusterExternalSecret ${obj.name}`, target === obj.name ? obj.nameOffset : undefined);
        break;
      }
      case 'Certificate': {
        if (group !== 'cert-manager.io') continue;
        const secretName = str(valueAt(value, ['spec', 'secretName']));
        make('v1', 'Secret', secretName, obj.namespace, `created by cert-manager from Certificate ${obj.name}`, offsetOf(docText, obj.start, secretName));
        break;
      }
      case 'SealedSecret':
        if (group !== 'bitnami.com') continue;
        make('v1', 'Secret', obj.name, obj.namespace, `created by SealedSecret ${obj.name} (sealed-secrets controller)`, obj.nameOffset);
        break;
      case 'ResourceSet': {
        if (group !== 'fluxcd.controlplane.io') continue;
        const lookup = (name: string) => {
          const p = objects.find((o) => o.kind === 'ResourceSetInputProvider' && o.name === name);
          return p ? plainValue(text.slice(p.start, p.end)) : undefined;
        };
        for (const g of expandResourceSet(value, lookup).objects) {
          const meta = valueAt(g.object, ['metadata']);
          const name = str(valueAt(meta, ['name']));
          if (!name || name.includes('<<')) continue;
          make(str(g.object.apiVersion) ?? '', str(g.object.kind) ?? '', name, str(valueAt(meta, ['namespace'])) ?? obj.namespace, `generated by ResourceSet ${obj.name}`);
        }
        break;
      }
      case 'ObjectBucketClaim':
        if (group !== 'objectbucket.io') continue;
        make('v1', 'ConfigMap', obj.name, obj.namespace, `created by ObjectBucketClaim ${obj.name} (bucket provisioner)`, obj.nameOffset);
        make('v1', 'Secret', obj.name, obj.namespace, `created by ObjectBucketClaim ${obj.name} (bucket provisioner)`, obj.nameOffset);
        break;
    }
  }
  return out;
}
