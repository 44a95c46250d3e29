/**
 * kustomize `configurations`: files that extend the built-in transformers'
 * field specs. Their `nameReference` entries add fields that hold the name
 * of an object (the pattern Flux's docs give so that a HelmRelease's
 * `valuesFrom` follows a generated ConfigMap's hash suffix); kustomize
 * merges them from every level of the build into the one name-reference
 * pass at the end. Other sections (custom label, namespace or image field
 * specs) are reported as not evaluated.
 */
import type { EngineHost } from '../host.ts';
import type { NameRefSpec, FieldSpec } from './fieldspecs.ts';
import { joinPath } from './paths.ts';
import { parseSource, spanAt, type SourceDoc } from './source.ts';
import { isPlainMap } from './resource.ts';
import type { KustomizeDiagnostic, PathSegment } from './types.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function fieldSpec(v: unknown): FieldSpec | undefined {
  if (!isPlainMap(v) || !str(v.path)) return undefined;
  return { path: v.path as string, kind: str(v.kind), group: str(v.group), version: str(v.version), create: v.create === true };
}

/**
 * Reads the `configurations` files of one kustomization; returns their
 * name references. `span` places findings on the kustomization's entries.
 */
export function loadConfigurations(
  host: EngineHost,
  dir: string,
  list: unknown,
  kdoc: SourceDoc,
  diagnostics: KustomizeDiagnostic[],
): NameRefSpec[] {
  const out: NameRefSpec[] = [];
  if (!Array.isArray(list)) return out;
  list.forEach((entry, i) => {
    const at: PathSegment[] = ['configurations', i];
    const err = (severity: KustomizeDiagnostic['severity'], code: string, message: string) => diagnostics.push({ ...spanAt(kdoc, at), path: at, severity, code, message });
    if (typeof entry !== 'string' || entry === '') return err('error', 'kustomize-invalid', 'a configurations entry must be a path');
    const file = joinPath(dir, entry);
    const text = host.readFile(file);
    if (text === undefined) return err('error', 'kustomize-missing', `configuration file ${entry} not found`);
    const parsed = parseSource(file, text);
    diagnostics.push(...parsed.diagnostics);
    for (const d of parsed.docs) {
      if (!isPlainMap(d.value)) continue;
      for (const [key, value] of Object.entries(d.value)) {
        if (key !== 'nameReference') {
          err('info', 'kustomize-not-evaluated', `not evaluated by fluxhelm: \`${key}\` field specs in ${entry}`);
          continue;
        }
        if (!Array.isArray(value)) continue;
        for (const ref of value) {
          if (!isPlainMap(ref) || !str(ref.kind)) continue;
          const referrers = (Array.isArray(ref.fieldSpecs) ? ref.fieldSpecs : []).map(fieldSpec).filter((f): f is FieldSpec => f !== undefined);
          out.push({ target: { kind: ref.kind as string, group: str(ref.group), version: str(ref.version) }, referrers });
        }
      }
    }
  });
  return out;
}
