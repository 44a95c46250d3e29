/**
 * Evaluates the CEL rules (`x-kubernetes-validations`) of a schema against a
 * document, the way the API server does on create: each rule runs with
 * `self` bound to the value at the schema node that carries it, and a rule
 * that evaluates to false rejects the object with the rule's message.
 * Transition rules (those using `oldSelf`) need the stored object and are
 * skipped here. Compiled rules are cached by their source text.
 */
import { parse } from '@marcbachmann/cel-js';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlDocument } from '../yaml/documents.ts';
import { rangeForPath, formatPath, type PathSeg } from '../yaml/nodes.ts';
import { resolveRef } from '../schemas/registry.ts';
import type { JsonSchema } from '../schemas/crd.ts';

interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

type Compiled = ((ctx: Record<string, unknown>) => unknown) | null;
const compiled = new Map<string, Compiled>();

function compile(rule: string): Compiled {
  let c = compiled.get(rule);
  if (c === undefined) {
    try {
      c = parse(rule) as unknown as Compiled;
    } catch {
      c = null;
    }
    compiled.set(rule, c);
  }
  return c;
}

/** `.spec.chart` style field paths (used by `fieldPath`) appended to a base path. */
function appendFieldPath(base: PathSeg[], fieldPath: string | undefined): PathSeg[] {
  if (!fieldPath) return base;
  const out = [...base];
  for (const m of fieldPath.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkCel(doc: YamlDocument, root: JsonSchema): OffsetDiagnostic[] {
  const out: OffsetDiagnostic[] = [];
  const value = doc.value();
  // The node tree is read only when a rule fails (yaml/documents.ts composes it on first use).
  const contents = () => doc.doc.contents;

  const visit = (schemaIn: JsonSchema | undefined, v: unknown, path: PathSeg[]): void => {
    const schema = resolveRef(root, schemaIn);
    if (!schema || v === undefined || v === null) return;
    const rules = schema['x-kubernetes-validations'] as Rule[] | undefined;
    if (Array.isArray(rules)) {
      for (const r of rules) {
        if (typeof r.rule !== 'string' || /\boldSelf\b/.test(r.rule)) continue;
        const fn = compile(r.rule);
        if (!fn) continue;
        let ok: unknown;
        try {
          ok = fn({ self: v });
        } catch {
          continue; // an evaluation error here would be a type error in the object, reported by the schema check
        }
        if (ok === false) {
          const target = appendFieldPath(path, r.fieldPath);
          const [start, end] = rangeForPath(contents(), target, true);
          const message = r.message ?? `failed rule: ${r.rule}`;
          out.push({ start, end, severity: 'error', code: 'cel', message: path.length ? `${formatPath(path)}: ${message}` : message, data: { rule: r.rule } });
        }
      }
    }
    if (isRecord(v)) {
      const props = schema.properties as Record<string, JsonSchema> | undefined;
      const extra = schema.additionalProperties;
      for (const [k, child] of Object.entries(v)) {
        const s = props?.[k] ?? (extra && typeof extra === 'object' ? (extra as JsonSchema) : undefined);
        if (s) visit(s, child, [...path, k]);
      }
    } else if (Array.isArray(v) && schema.items && typeof schema.items === 'object') {
      v.forEach((item, i) => visit(schema.items as JsonSchema, item, [...path, i]));
    }
  };
  visit(root, value, []);
  return out;
}
