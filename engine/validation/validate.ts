/**
 * The validation pipeline for one file: YAML syntax and duplicate keys,
 * kind/apiVersion recognition, removed API versions, schema and CEL checks.
 * Results are memoized per document (see yaml/documents.ts), so after an
 * edit only the documents whose text changed are checked again.
 */
import type { OffsetDiagnostic } from '../types.ts';
import { isEmptyDocument, type YamlDocument, type YamlFile } from '../yaml/documents.ts';
import { rangeForPath } from '../yaml/nodes.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { resolveKind, isHelmTemplate, type KindResolution } from './kind.ts';
import { checkSchema } from './schema-check.ts';
import { checkCel } from './cel.ts';
import { checkExpressions } from './expressions.ts';
import { didYouMean } from '../util/suggest.ts';
import { apiVersionOf } from '../kinds.ts';
import { repoConfigSchemaEntry } from '../config/schema.ts';
import { checkSeverityCodes } from '../config/codes-check.ts';

export interface RemovedApiData {
  fix: 'migrate-api-version';
  from: string;
  to: string;
  kind: string;
}

function apiVersionDiagnostics(doc: YamlDocument, res: KindResolution): OffsetDiagnostic[] {
  // The node tree is read only when there is a finding to place (yaml/documents.ts composes it on first use).
  const contents = () => doc.doc.contents;
  if (res.status === 'unknown-kind') {
    const [start, end] = rangeForPath(contents(), ['kind']);
    const hint = didYouMean(res.kind, res.known);
    return [{ start, end, severity: 'error', code: 'unknown-kind', message: `\`${res.kind}\` is not a kind of ${res.group}${hint || `; known kinds: ${res.known.join(', ')}`}` }];
  }
  if (res.status === 'unknown-version') {
    const [start, end] = rangeForPath(contents(), ['apiVersion']);
    return [{ start, end, severity: 'error', code: 'unknown-api-version', message: `${res.kind} has no API version ${res.version}; known versions: ${res.known.join(', ')}` }];
  }
  if (res.status !== 'known' || !res.info || !res.versionInfo) return [];
  // A version the user's own CRDs serve is not removed for them.
  if (res.entry.source === 'override') return [];
  if (res.versionInfo.status === 'removed') {
    const to = apiVersionOf(res.group, res.info.current);
    const [start, end] = rangeForPath(contents(), ['apiVersion']);
    const data: RemovedApiData = { fix: 'migrate-api-version', from: res.apiVersion, to, kind: res.kind };
    return [{ start, end, severity: 'warning', code: 'removed-api-version', message: `${res.apiVersion} ${res.kind} was removed in ${res.versionInfo.removedIn}; current Flux serves only ${to}. Checked against ${res.version}.`, data }];
  }
  return [];
}

export interface ValidateOptions {
  /**
   * The file is a kustomize patch: its objects are partial on purpose, so
   * missing required fields and whole-object CEL rules are not reported.
   */
  partial?: boolean;
}

/** Codes that do not apply to partial objects (kustomize patches). */
const WHOLE_OBJECT_CODES = new Set(['required', 'cel']);

export function validateDocument(doc: YamlDocument, uri: string, registry: SchemaRegistry, options: ValidateOptions = {}): OffsetDiagnostic[] {
  const key = `validate:${registry.generation}:${options.partial ? 'partial' : 'whole'}`;
  const memo = doc.memo.get(key) as OffsetDiagnostic[] | undefined;
  if (memo) return memo;
  const out: OffsetDiagnostic[] = [];
  if (!isEmptyDocument(doc)) {
    doc.value(); // expands aliases; adds a diagnostic on alias bombs
    out.push(...doc.syntax);
    if (!doc.broken) {
      const res = resolveKind(doc, uri, registry);
      out.push(...apiVersionDiagnostics(doc, res));
      if (res.status === 'known') {
        out.push(...checkSchema(doc, res.entry, registry));
        if (res.entry === repoConfigSchemaEntry) out.push(...checkSeverityCodes(doc));
        out.push(...checkCel(doc, res.entry.schema));
        out.push(...checkExpressions(doc));
      }
    }
  } else {
    out.push(...doc.syntax);
  }
  const result = options.partial ? out.filter((d) => !WHOLE_OBJECT_CODES.has(d.code)) : out;
  result.sort((a, b) => a.start - b.start || a.end - b.end);
  doc.memo.set(key, result);
  return result;
}

/** Diagnostics for a whole file, in absolute offsets. */
export function validateFile(file: YamlFile, registry: SchemaRegistry, options: ValidateOptions = {}): OffsetDiagnostic[] {
  if (isHelmTemplate(file.uri, file.text)) return [];
  const out: OffsetDiagnostic[] = [];
  for (const doc of file.docs) {
    for (const d of validateDocument(doc, file.uri, registry, options)) {
      out.push({ ...d, start: d.start + doc.start, end: d.end + doc.start, related: d.related?.map((r) => ({ ...r, start: r.start + doc.start, end: r.end + doc.start })) });
    }
  }
  return out;
}
