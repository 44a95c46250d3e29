/**
 * CEL expressions written by users inside Flux objects, compiled the way
 * the controllers compile them when they reconcile: a Kustomization's
 * `spec.healthCheckExprs[].current/inProgress/failed` (kustomize-controller)
 * and a ResourceSet's `spec.dependsOn[].readyExpr` (Flux Operator). A syntax
 * error there only surfaces in the cluster as a failed reconciliation, so it
 * is reported on the expression. Only syntax is checked: the fields an
 * expression reads depend on the custom resource it is evaluated against.
 */
import { parse } from '@marcbachmann/cel-js';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlDocument } from '../yaml/documents.ts';
import { rangeForPath, type PathSeg } from '../yaml/nodes.ts';

const syntaxErrors = new Map<string, string | null>();

/** The parse error of an expression, or null when it compiles (cached by text). */
export function celSyntaxError(expr: string): string | null {
  let e = syntaxErrors.get(expr);
  if (e === undefined) {
    try {
      parse(expr);
      e = null;
    } catch (err) {
      e = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    }
    syntaxErrors.set(expr, e);
  }
  return e;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Expression fields of one document: [path, expression]. */
function expressionsOf(value: Record<string, unknown>): [PathSeg[], string][] {
  const out: [PathSeg[], string][] = [];
  const group = typeof value.apiVersion === 'string' ? value.apiVersion.split('/')[0] : '';
  const spec = isMap(value.spec) ? value.spec : undefined;
  if (!spec) return out;
  if (value.kind === 'Kustomization' && group === 'kustomize.toolkit.fluxcd.io' && Array.isArray(spec.healthCheckExprs)) {
    spec.healthCheckExprs.forEach((h, i) => {
      if (!isMap(h)) return;
      for (const f of ['current', 'inProgress', 'failed']) if (typeof h[f] === 'string' && h[f] !== '') out.push([['spec', 'healthCheckExprs', i, f], h[f] as string]);
    });
  }
  if (value.kind === 'ResourceSet' && group === 'fluxcd.controlplane.io' && Array.isArray(spec.dependsOn)) {
    spec.dependsOn.forEach((d, i) => {
      if (isMap(d) && typeof d.readyExpr === 'string' && d.readyExpr !== '') out.push([['spec', 'dependsOn', i, 'readyExpr'], d.readyExpr]);
    });
  }
  return out;
}

/** Syntax errors of the CEL expressions in a document (offsets relative to the document). */
export function checkExpressions(doc: YamlDocument): OffsetDiagnostic[] {
  const value = doc.value();
  if (!isMap(value)) return [];
  const out: OffsetDiagnostic[] = [];
  for (const [path, expr] of expressionsOf(value)) {
    // Flux substitutes ${var} before the controller compiles the expression.
    if (/\$\{[^}]+\}/.test(expr)) continue;
    const error = celSyntaxError(expr);
    if (error === null) continue;
    const [start, end] = rangeForPath(doc.doc.contents, path);
    out.push({ start, end, severity: 'error', code: 'cel-syntax', message: `this CEL expression does not compile (${error}): the controller fails the reconciliation` });
  }
  return out;
}
