/**
 * Checks what each Flux Kustomization of the workspace actually builds: the
 * kustomize build and postBuild substitution problems, schema and CEL
 * findings on the built objects (mapped back to the patch, substitution
 * site or resource file that caused them), and objects that appear twice in
 * one build. Results are per file, deduplicated, and cached on the
 * workspace until it changes.
 */
import type { OffsetDiagnostic } from '../types.ts';
import type { Workspace } from '../workspace/model.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { evaluateFluxKustomization, fluxKustomizations } from './kustomization.ts';
import { validateBuilt, duplicateObjects } from './built-diagnostics.ts';

const ALREADY_REPORTED = new Set(['kustomize-missing', 'flux-path-missing', 'flux-substitute-from-missing']);

export function checkFluxBuilds(ws: Workspace, registry: SchemaRegistry): Map<string, OffsetDiagnostic[]> {
  const byFile = new Map<string, OffsetDiagnostic[]>();
  const seen = new Set<string>();
  const add = (d: { file: string; start: number; end: number; severity: OffsetDiagnostic['severity']; code: string; message: string }) => {
    const key = `${d.file}:${d.start}:${d.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = byFile.get(d.file) ?? [];
    list.push({ start: d.start, end: d.end, severity: d.severity, code: d.code, message: d.message });
    byFile.set(d.file, list);
  };
  for (const ks of fluxKustomizations(ws.index)) {
    const built = evaluateFluxKustomization(ws, ws.host, ks);
    const context = `in the build of Kustomization ${ks.namespace ? `${ks.namespace}/` : ''}${ks.name}`;
    // Missing paths and substituteFrom objects are already reported by the reference check.
    for (const d of built.diagnostics) if (!ALREADY_REPORTED.has(d.code)) add(d);
    for (const d of validateBuilt(ws.host, registry, built.resources, { context })) add(d);
    for (const d of duplicateObjects(built.resources, { context })) add(d);
  }
  for (const list of byFile.values()) list.sort((a, b) => a.start - b.start);
  return byFile;
}
