/**
 * kustomize `replacements`: copy a value from one field of one object (the
 * source, default field `metadata.name`) into fields of the objects the
 * targets select, after the kustomization's other transformers. Entries are
 * written inline or in files (`path:`). Field paths are dot-separated, with
 * `[name=value]` to pick a list item, `*` for every item or key, and
 * `[some.key]` for a key containing dots; `options.delimiter`/`index` pick
 * or replace one part of a delimited string, `options.create` adds missing
 * fields. Errors stop the build like kustomize's.
 */
import type { EngineHost } from '../host.ts';
import { joinPath } from './paths.ts';
import { parseSource, spanAt, type SourceDoc } from './source.ts';
import { isPlainMap, selectResources, type Res, type Selector } from './resource.ts';
import type { KustomizeDiagnostic, PathSegment } from './types.ts';

export interface ReplacementContext {
  host: EngineHost;
  dir: string;
  kdoc: SourceDoc;
  diagnostics: KustomizeDiagnostic[];
}

interface Options {
  delimiter?: string;
  index: number;
  create: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Splits `a.b.[c.d].e` on dots outside brackets. */
export function splitFieldPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function readOptions(v: unknown): Options {
  if (!isPlainMap(v)) return { index: 0, create: false };
  return { delimiter: typeof v.delimiter === 'string' ? v.delimiter : undefined, index: typeof v.index === 'number' ? v.index : 0, create: v.create === true };
}

function selector(v: unknown): Selector {
  if (!isPlainMap(v)) return {};
  return { group: str(v.group), version: str(v.version), kind: str(v.kind), name: str(v.name), namespace: str(v.namespace), labelSelector: str(v.labelSelector), annotationSelector: str(v.annotationSelector) };
}

/** Every node at `segs` below `node`: [parent, key] pairs (the key may not exist yet when `create`). */
function locate(node: unknown, segs: string[], create: boolean): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  if (segs.length === 0) return [];
  const [seg, ...rest] = segs;
  const last = rest.length === 0;
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const step = (parent: Record<string, unknown> | unknown[], key: string | number) => {
    if (last) {
      out.push({ parent, key });
      return;
    }
    let child = (parent as Record<string | number, unknown>)[key];
    if ((child === undefined || child === null) && create) {
      child = /^\[.*=.*\]$/.test(rest[0]) ? [] : {};
      (parent as Record<string | number, unknown>)[key] = child;
    }
    if (child !== undefined && child !== null) out.push(...locate(child, rest, create));
  };
  const match = /^\[([^=\]]+)=([^\]]*)\]$/.exec(seg);
  if (match) {
    if (!Array.isArray(node)) return out;
    node.forEach((item, i) => {
      if (isPlainMap(item) && String(item[match[1]]) === match[2]) step(node, i);
    });
    return out;
  }
  if (seg === '*') {
    if (Array.isArray(node)) node.forEach((_, i) => step(node, i));
    else if (isPlainMap(node)) for (const k of Object.keys(node)) step(node, k);
    return out;
  }
  const key = seg.startsWith('[') && seg.endsWith(']') ? seg.slice(1, -1) : seg;
  if (Array.isArray(node)) {
    if (/^\d+$/.test(key) && Number(key) < node.length) step(node, Number(key));
    return out;
  }
  if (!isPlainMap(node)) return out;
  if (key in node || create) step(node, key);
  return out;
}

/**
 * A scalar copied onto an existing scalar keeps the target's type (kustomize
 * replaces the text of the target node and keeps its tag): "3" onto
 * `replicas: 1` is the number 3.
 */
function retype(value: unknown, target: unknown): unknown {
  if (value === null || typeof value === 'object' || target === null || target === undefined || typeof target === 'object') return value;
  const text = String(value);
  if (typeof target === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (typeof target === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Runs the `replacements` of one kustomization over its resources. */
export function runReplacements(ctx: ReplacementContext, ra: Res[], list: unknown): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    const at: PathSegment[] = ['replacements', i];
    const err = (message: string) => ctx.diagnostics.push({ ...spanAt(ctx.kdoc, at), path: at, severity: 'error', code: 'kustomize-replacement', message });
    if (!isPlainMap(entry)) return err('a replacement must be a map');
    let items: unknown[] = [entry];
    if (str(entry.path)) {
      const file = joinPath(ctx.dir, entry.path as string);
      const text = ctx.host.readFile(file);
      if (text === undefined) return err(`replacement file ${String(entry.path)} not found`);
      const parsed = parseSource(file, text);
      ctx.diagnostics.push(...parsed.diagnostics);
      items = parsed.docs.flatMap((d) => (Array.isArray(d.value) ? d.value : [d.value]));
    }
    for (const r of items) {
      const problem = applyOne(ra, r);
      if (problem) err(problem);
    }
  });
}

/** Applies one replacement; returns kustomize's reason when it fails. */
function applyOne(ra: Res[], r: unknown): string | undefined {
  if (!isPlainMap(r) || !isPlainMap(r.source)) return 'a replacement needs a `source`';
  const source = r.source;
  const sel = selector(source);
  const found = selectResources(ra, sel).selected;
  const describe = `${sel.kind ?? ''}${sel.name ? ` ${sel.name}` : ''}`.trim() || 'the source selector';
  if (found.length === 0) return `nothing selected by ${describe}: the replacement source does not match any resource`;
  if (found.length > 1) return `${describe} selects ${found.length} resources: a replacement source must select exactly one`;
  const fieldPath = str(source.fieldPath) ?? 'metadata.name';
  const hits = locate(found[0].obj, splitFieldPath(fieldPath), false).filter((h) => (h.parent as Record<string | number, unknown>)[h.key] !== undefined);
  if (hits.length === 0) return `fieldPath \`${fieldPath}\` is missing for replacement source ${describe}`;
  let value = clone((hits[0].parent as Record<string | number, unknown>)[hits[0].key]);
  const sopts = readOptions(source.options);
  if (sopts.delimiter !== undefined) {
    if (typeof value !== 'string') return `delimiter option can only be used with scalar nodes (source ${describe})`;
    const parts = value.split(sopts.delimiter);
    if (sopts.index >= parts.length || sopts.index < 0) return `options.index ${sopts.index} is out of bounds for value ${value}`;
    value = parts[sopts.index];
  }
  const targets = Array.isArray(r.targets) ? r.targets : [];
  for (const t of targets) {
    if (!isPlainMap(t)) continue;
    const rejects = (Array.isArray(t.reject) ? t.reject : []).map((x) => new Set(selectResources(ra, selector(x)).selected));
    const selected = selectResources(ra, selector(t.select)).selected.filter((res) => !rejects.some((s) => s.has(res)));
    const topts = readOptions(t.options);
    const paths = (Array.isArray(t.fieldPaths) ? t.fieldPaths : []).filter((p): p is string => typeof p === 'string');
    for (const res of selected) {
      for (const p of paths) {
        const places = locate(res.obj, splitFieldPath(p), topts.create);
        if (places.length === 0 || (!topts.create && places.every((h) => (h.parent as Record<string | number, unknown>)[h.key] === undefined))) {
          return `unable to find field \`${p}\` in replacement target ${String(res.obj.kind)} ${res.name}`;
        }
        for (const h of places) {
          const holder = h.parent as Record<string | number, unknown>;
          if (!topts.create && holder[h.key] === undefined) continue;
          if (topts.delimiter !== undefined) {
            const current = typeof holder[h.key] === 'string' ? (holder[h.key] as string) : '';
            const parts = current.split(topts.delimiter);
            const idx = topts.index;
            if (idx < 0) parts.unshift(String(value));
            else if (idx >= parts.length) parts.push(String(value));
            else parts[idx] = String(value);
            holder[h.key] = parts.join(topts.delimiter);
          } else holder[h.key] = retype(clone(value), holder[h.key]);
        }
      }
    }
  }
  return undefined;
}
