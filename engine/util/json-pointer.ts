/**
 * Small helpers shared by the two JSON Schema checks (objects against CRD
 * schemas, Helm values against values.schema.json): turning an ajv
 * instancePath into path segments, and naming a value's type for messages.
 */

/** `/spec/valuesFrom/0/name` -> ['spec', 'valuesFrom', 0, 'name'] (list indexes become numbers). */
export function pointerToSegments(pointer: string, data: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** "a map", "a list", "an integer", "a number", "a boolean", "a string", "null". */
export function describeValueType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return `a ${typeof v}`;
}
