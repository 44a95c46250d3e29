/**
 * Built or rendered objects as text: multi-document YAML (YAML 1.1 scalars,
 * as Kubernetes reads them; no line folding) or a JSON array.
 */
import { stringify } from 'yaml';

export function formatObjects(objects: Record<string, unknown>[], format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(objects, null, 2)}\n`;
  return objects.map((o) => stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n');
}
