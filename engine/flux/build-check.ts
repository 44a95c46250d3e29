/**
 * Checks what the Flux Kustomizations of the workspace actually build, as
 * the cluster roots apply them (see fleet/): the kustomize build and
 * postBuild substitution problems, schema and CEL findings on the built
 * objects (mapped back to the patch, substitution site or resource file
 * that caused them), objects that appear twice in one build, and SOPS
 * documents that no decrypting Kustomization applies. Results are per
 * file, deduplicated, and cached on the workspace until it changes.
 */
import type { OffsetDiagnostic } from '../types.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import type { EngineHost } from '../host.ts';
import type { WorkspaceIndex } from '../workspace/index.ts';
import type { FleetState } from '../fleet/fleet.ts';
import { validateBuilt, duplicateObjects, type BuiltDiagnostic, type BuiltObject } from './built-diagnostics.ts';

const ALREADY_REPORTED = new Set(['kustomize-missing', 'flux-path-missing', 'flux-substitute-from-missing']);

export interface BuildCheckWorkspace {
  index: WorkspaceIndex;
  host: EngineHost;
  fleet: { get(): FleetState };
}

export function checkFluxBuilds(ws: BuildCheckWorkspace, registry: SchemaRegistry): Map<string, OffsetDiagnostic[]> {
  const byFile = new Map<string, OffsetDiagnostic[]>();
  const seen = new Set<string>();
  const add = (d: { file: string; start: number; end: number; severity: OffsetDiagnostic['severity']; code: string; message: string }, context?: string) => {
    // One finding per place and problem: the same problem seen by several builds is kept once (their
    // "in the build of" context aside), but two different problems at one place (two duplicate ids
    // reported on the same `resources` entry) are both kept.
    const key = `${d.file}:${d.start}:${d.code}:${context ? d.message.replace(`, ${context}`, '') : d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = byFile.get(d.file) ?? [];
    list.push({ start: d.start, end: d.end, severity: d.severity, code: d.code, message: d.message });
    byFile.set(d.file, list);
  };
  const fleet = ws.fleet.get();
  const inTrees = new Set(fleet.trees.flatMap((t) => t.kustomizations));
  for (const k of fleet.evaluations) {
    const built = k.build;
    const context = `in the build of ${k.label}`;
    // Missing substituteFrom objects are reported by the reference check, and so are the paths of
    // Kustomizations no root applies; a tree's Kustomization has its path checked as applied, here.
    for (const d of built.diagnostics) if (!ALREADY_REPORTED.has(d.code) || (d.code === 'flux-path-missing' && inTrees.has(k))) add(d);
    for (const d of validated(ws.host, registry, built, built.resources, context)) add(d, context);
    for (const d of duplicateObjects(built.resources, { context })) add(d, context);
  }
  // Only what the built objects are (their build problems are the reference check's and the kustomization file's own).
  for (const b of fleet.kustomizeBuilds) for (const d of validated(ws.host, registry, b.build, b.build.resources, `in the kustomize build of ${b.dir}`)) add(d);
  for (const d of undecryptedSops(ws.index, fleet)) add(d);
  for (const list of byFile.values()) list.sort((a, b) => a.start - b.start);
  return byFile;
}

/** Findings on built objects, kept with the build they belong to (the fleet model reuses builds nothing changed). */
const validations = new WeakMap<object, { generation: number; context: string; list: BuiltDiagnostic[] }>();

function validated(host: EngineHost, registry: SchemaRegistry, build: object, resources: BuiltObject[], context: string): BuiltDiagnostic[] {
  const hit = validations.get(build);
  if (hit && hit.generation === registry.generation && hit.context === context) return hit.list;
  // kustomize-controller removes the SOPS metadata when it decrypts; where it does not, `sops-not-decrypted` says so.
  const plain = resources.map((r) => ('sops' in r.object ? { ...r, object: withoutSops(r.object) } : r));
  const list = validateBuilt(host, registry, plain, { context });
  validations.set(build, { generation: registry.generation, context, list });
  return list;
}

function withoutSops(o: Record<string, unknown>): Record<string, unknown> {
  const { sops: _sops, ...rest } = o;
  return rest;
}

/**
 * kustomize-controller decrypts SOPS documents only for a Kustomization
 * with `spec.decryption`; any other applies the `sops` field as written,
 * which the API server rejects. Reported where a root's tree applies such
 * a document and none of the Kustomizations applying it decrypts.
 */
function undecryptedSops(index: WorkspaceIndex, fleet: FleetState): { file: string; start: number; end: number; severity: 'error'; code: string; message: string }[] {
  const out: { file: string; start: number; end: number; severity: 'error'; code: string; message: string }[] = [];
  for (const [file, docs] of fleet.applied) {
    const text = index.fileText(file);
    if (!text || !/^sops:/m.test(text)) continue;
    for (const d of docs) {
      if (d.decrypted) continue;
      const re = /^sops:/gm;
      re.lastIndex = d.start;
      const m = re.exec(text);
      if (!m || m.index > d.end) continue;
      out.push({ file, start: m.index, end: m.index + 4, severity: 'error', code: 'sops-not-decrypted', message: `this document is SOPS-encrypted, but ${d.by.join(', ')} applies it without \`spec.decryption\`: kustomize-controller applies it still encrypted (the \`sops\` field is rejected)` });
    }
  }
  return out;
}
