/**
 * A check the JSON Schema of `.fluxhelm.yaml` cannot make: every key under
 * `severity` must be a diagnostic code fluxhelm reports (engine/codes.ts),
 * so a misspelt code does not silently change nothing.
 */
import { isMap, isScalar } from 'yaml';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlDocument } from '../yaml/documents.ts';
import { findAtPath, nodeRange } from '../yaml/nodes.ts';
import { DIAGNOSTIC_CODES } from '../codes.ts';
import { didYouMean } from '../util/suggest.ts';

export function checkSeverityCodes(doc: YamlDocument): OffsetDiagnostic[] {
  const node = findAtPath(doc.doc.contents, ['severity']).node;
  if (!isMap(node)) return [];
  const known = Object.keys(DIAGNOSTIC_CODES);
  const out: OffsetDiagnostic[] = [];
  for (const pair of node.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const code = pair.key.value;
    if (known.includes(code)) continue;
    const r = nodeRange(pair.key);
    if (!r) continue;
    const hint = didYouMean(code, known);
    out.push({ start: r[0], end: r[1], severity: 'warning', code: 'config', message: `\`${code}\` is not a fluxhelm diagnostic code${hint || ''}; this line changes nothing` });
  }
  return out;
}
