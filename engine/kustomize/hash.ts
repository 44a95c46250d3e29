/**
 * Name suffix hashes of generated ConfigMaps and Secrets, equal to
 * kustomize's api/hasher: Go's json.Marshal of a small map (keys sorted,
 * `<`, `>`, `&`, U+2028 and U+2029 escaped) hashed with SHA-256, the first
 * ten hex digits with 0,1,3,a,e replaced so the suffix never looks like a
 * number or a word. kustomize looks the name up with a path its lookup does
 * not understand, so the name it hashes is always "" (checked against
 * kustomize v5.6).
 */
import { createHash } from 'node:crypto';
import { isPlainMap } from './resource.ts';

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function goNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** Go's encoding/json output for plain JSON values (maps with sorted keys). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isPlainMap(v)) {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
  }
  return goString(String(v));
}

/** kustomize's encode(hex256(data)). */
export function encodeHash(data: string): string {
  const hex = createHash('sha256').update(data, 'utf8').digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c]!);
}

/** A field as kustomize's hasher reads it: maps as maps, a missing field as "", scalars as their text. */
function fieldValue(v: unknown): unknown {
  if (v === undefined) return '';
  if (isPlainMap(v) || Array.isArray(v)) return v;
  if (v === null) return '';
  return String(v);
}

/** The suffix kustomize appends to a generated ConfigMap or Secret (or any object it is asked to hash). */
export function resourceHash(obj: Record<string, unknown>): string {
  const kind = obj.kind;
  if (kind === 'ConfigMap') {
    const m: Record<string, unknown> = { kind: 'ConfigMap', name: '', data: fieldValue(obj.data) };
    if (isPlainMap(obj.binaryData)) m.binaryData = obj.binaryData;
    return encodeHash(goJson(m));
  }
  if (kind === 'Secret') {
    const m: Record<string, unknown> = { kind: 'Secret', type: fieldValue(obj.type), name: '', data: fieldValue(obj.data) };
    if (isPlainMap(obj.stringData)) m.stringData = obj.stringData;
    return encodeHash(goJson(m));
  }
  return encodeHash(goJson(obj));
}
