/**
 * What a kustomize build can observe of a parse (engine/kustomize/source.ts): per document its index, value,
 * span in the file and the span of each top-level key, and the diagnostics. Tests compare two parses of the same
 * text (a cached or shared one against a fresh one) through it.
 */
import { spanAt, type ParsedSource } from '../../engine/kustomize/source.ts';

export function observeParse(p: ParsedSource) {
  return {
    docs: p.docs.map((d) => {
      const value = d.value;
      const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      return { index: d.index, value: JSON.stringify(value), start: d.map(d.doc.range[0]), end: d.map(d.doc.range[2]), keys: keys.map((k) => spanAt(d, [k])) };
    }),
    diagnostics: p.diagnostics.map((d) => `${d.code}@${d.start}-${d.end}: ${d.message}`),
  };
}
