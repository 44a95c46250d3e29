/**
 * Helm's render failures as problems on the HelmRelease. Reads the error
 * text Helm prints (template parse and execution errors, `required` and
 * `fail` messages, YAML errors in the output, values schema violations),
 * works out which values path it is about (the `<.Values.x>` Helm names,
 * the `.Values.x` on the template line an execution error points at, or the
 * JSON pointer of a schema error), and asks the values provenance which
 * layer set that value: inline values put the problem on their own line
 * under `spec.values`, a valuesFrom entry on that entry, anything else
 * (chart defaults, nothing) on `spec.chart`.
 */
import type { ReleaseProblem } from '../values/release.ts';
import type { NodeMap, Node, ValueSource } from '../values/tree.ts';
import { Leaf, isMap, sourceOfContainer } from '../values/tree.ts';
import { formatValuePath } from '../values/provenance.ts';
import { pointerToSegments } from '../util/json-pointer.ts';
import type { ChartFiles } from './host.ts';

export type HelmErrorKind = 'exec' | 'parse' | 'yaml' | 'schema' | 'other';

export interface HelmError {
  kind: HelmErrorKind;
  /** Template as Helm names it, e.g. `podinfo/templates/deployment.yaml`. */
  template?: string;
  line?: number;
  column?: number;
  /** What went wrong, without the location prefix (the `required`/`fail` text for those). */
  message: string;
  /** The value Helm names (`<.Values.a.b>`) or the schema error's location, as values path. */
  valuesPath?: (string | number)[];
  /** For schema errors: the chart (as Helm prints it) whose schema failed. */
  chart?: string;
}

const EXEC_V4 = /^(?:Error: )?(?:template: )?([^\s:]+\.[A-Za-z0-9]+|[^\s:]+\/templates\/[^\s:]+):(\d+):(\d+)(?::|\n)\s*executing "[^"]*" at <([^>]*)>:\s*([\s\S]*)$/;
const EXEC_ERROR_AT = /execution error at \(([^):]+):(\d+):(\d+)\):\s*([\s\S]*)$/;
const PARSE_ERROR = /parse error at \(([^):]+):(\d+)\):\s*([\s\S]*)$/;
const TEMPLATE_PARSE = /template: ([^:\s]+):(\d+):\s*([\s\S]*)$/;
const YAML_ERROR = /YAML parse error on ([^:\s]+):\s*([\s\S]*)$/;
const SCHEMA_HEAD = /values don't meet the specifications of the schema\(s\) in the following chart\(s\):/;

function clean(s: string): string {
  return s.replace(/\n\s*Use --debug flag to render out invalid YAML\s*$/, '').replace(/\s+/g, ' ').trim();
}

/** `.Values.a.b` (as in `<.Values.a.b>`) as a values path; undefined when the expression is not a plain values reference. */
export function valuesExpressionPath(expr: string): (string | number)[] | undefined {
  const m = /(?:^|[\s(])\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(expr);
  if (!m) return undefined;
  return m[1].split('.').filter((s) => s !== '');
}

/** Splits Helm's error text into the errors it reports (one, or one per schema violation). */
export function parseHelmError(text: string): HelmError[] {
  const body = text.replace(/^Error: /, '').trim();
  if (SCHEMA_HEAD.test(body)) {
    const out: HelmError[] = [];
    let chart = '';
    for (const raw of body.split('\n').slice(1)) {
      const line = raw.trimEnd();
      if (/^\S.*:$/.test(line)) {
        chart = line.slice(0, -1);
        continue;
      }
      const v4 = /^\s*- at '([^']*)':\s*(.*)$/.exec(line);
      if (v4) {
        out.push({ kind: 'schema', chart, message: v4[2], valuesPath: pointerToSegments(v4[1], undefined) });
        continue;
      }
      // Helm 3 (gojsonschema): `- image.tag: Invalid type...` or `- (root): ...`.
      const v3 = /^\s*- ([^:]+): (.*)$/.exec(line);
      if (v3) out.push({ kind: 'schema', chart, message: v3[2], valuesPath: v3[1] === '(root)' ? [] : v3[1].split('.') });
    }
    return out.length ? out : [{ kind: 'schema', message: clean(body) }];
  }
  let m = EXEC_V4.exec(body);
  if (m) return [{ kind: 'exec', template: m[1], line: Number(m[2]), column: Number(m[3]), message: clean(m[5]), valuesPath: valuesExpressionPath(m[4]) }];
  m = EXEC_ERROR_AT.exec(body);
  if (m) return [{ kind: 'exec', template: m[1], line: Number(m[2]), column: Number(m[3]), message: clean(m[4]) }];
  m = PARSE_ERROR.exec(body);
  if (m) return [{ kind: 'parse', template: m[1], line: Number(m[2]), message: clean(m[3]) }];
  m = YAML_ERROR.exec(body);
  if (m) return [{ kind: 'yaml', template: m[1], message: clean(m[2]) }];
  m = TEMPLATE_PARSE.exec(body);
  if (m) return [{ kind: 'parse', template: m[1], line: Number(m[2]), message: clean(m[3]) }];
  return [{ kind: 'other', message: clean(body) }];
}

/** The chart file a template name points at (`demo/templates/x.yaml` → `templates/x.yaml`; subcharts keep `charts/<name>/`). */
export function chartRelativeTemplate(template: string): string {
  const slash = template.indexOf('/');
  return slash === -1 ? template : template.slice(slash + 1);
}

/** The values prefix of the (sub)chart a template belongs to: `demo/charts/redis/templates/x` → `['redis']`. */
function subchartPrefix(template: string): string[] {
  const parts = chartRelativeTemplate(template).split('/');
  const out: string[] = [];
  for (let i = 0; i + 1 < parts.length && parts[i] === 'charts'; i += 2) out.push(parts[i + 1]);
  return out;
}

/**
 * The `.Values` reference on the template line an execution error points
 * at: the first at or after the column, else the last before it. Templates
 * of packaged subcharts (`charts/x.tgz`) are not searched.
 */
export function valuesPathOnTemplateLine(chart: ChartFiles, template: string, line: number, column: number): (string | number)[] | undefined {
  const bytes = chart[chartRelativeTemplate(template)];
  if (!bytes) return undefined;
  const text = new TextDecoder().decode(bytes).split('\n')[line - 1];
  if (text === undefined) return undefined;
  const refs = [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((x) => ({ at: x.index ?? 0, path: x[1].split('.').filter(Boolean) }));
  if (refs.length === 0) return undefined;
  const after = refs.find((r) => r.at + 1 >= column);
  return [...subchartPrefix(template), ...(after ?? refs[refs.length - 1]).path];
}

/** The deepest node on a values path and the layer that set it. */
export function sourceAt(tree: NodeMap, path: readonly (string | number)[]): { depth: number; source?: ValueSource } {
  let cur: Node = tree;
  let depth = 0;
  let source: ValueSource | undefined = sourceOfContainer(tree);
  for (const seg of path) {
    let next: Node | undefined;
    if (typeof seg === 'number') next = Array.isArray(cur) ? cur[seg] : undefined;
    else if (isMap(cur) && Object.prototype.hasOwnProperty.call(cur, seg)) next = cur[seg];
    else if (Array.isArray(cur) && /^\d+$/.test(seg)) next = cur[Number(seg)];
    if (next === undefined) break;
    cur = next;
    depth++;
    const s = cur instanceof Leaf ? cur.source : cur && typeof cur === 'object' ? sourceOfContainer(cur) : undefined;
    if (s) source = s;
  }
  return { depth, source };
}

export interface PlacementContext {
  /** The effective values with provenance (root chart's `.Values`). */
  tree?: NodeMap;
  /** The chart's files, to read the template line an error points at. */
  chart?: ChartFiles;
  /** `spec.chartRef` instead of `spec.chart`. */
  chartRef?: boolean;
  /** For values set by an overlay patch: where the patch wrote the value. */
  noteFor?: (path: (string | number)[]) => string | undefined;
}

/** Where on the HelmRelease a values path belongs, following the layer that set it. */
export function placeValuesPath(path: (string | number)[] | undefined, ctx: PlacementContext): { at: (string | number)[]; note?: string } {
  const chartField = ctx.chartRef ? ['spec', 'chartRef'] : ['spec', 'chart'];
  if (!path || !ctx.tree) return { at: chartField };
  const { source } = sourceAt(ctx.tree, path);
  switch (source?.kind) {
    case 'inline': {
      const note = ctx.noteFor?.(path);
      return { at: ['spec', 'values', ...path], ...(note ? { note } : {}) };
    }
    case 'values-from':
      return { at: ['spec', 'valuesFrom', source.index] };
    case 'values-file':
      return { at: ['spec', 'chart', 'spec', 'valuesFiles'] };
    default:
      return { at: chartField };
  }
}

const CODES: Record<HelmErrorKind, string> = { exec: 'render-template', parse: 'render-template', yaml: 'render-yaml', schema: 'values-schema', other: 'render-template' };

/** Helm's error text as problems on the HelmRelease. */
export function helmErrorProblems(text: string, ctx: PlacementContext): ReleaseProblem[] {
  return parseHelmError(text).map((e) => {
    let path = e.valuesPath;
    if (e.kind === 'schema' && path && e.chart && e.chart.includes('/')) path = [...e.chart.split('/').slice(1), ...path];
    if (e.kind === 'exec' && !path && ctx.chart && e.template && e.line) path = valuesPathOnTemplateLine(ctx.chart, e.template, e.line, e.column ?? 0);
    const placed = placeValuesPath(e.kind === 'parse' || e.kind === 'yaml' ? undefined : path, ctx);
    const where = e.template ? `${e.template}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
    const about = path && path.length ? ` (.Values.${formatValuePath(path)})` : '';
    const prefix = e.kind === 'schema' ? `values do not match the chart's values.schema.json at ${path && path.length ? formatValuePath(path) : 'the top level'}: ` : `Helm cannot render ${where}`;
    return {
      path: placed.at,
      severity: 'error' as const,
      code: CODES[e.kind],
      message: `${prefix}${e.message}${e.kind === 'schema' ? '' : about}${placed.note ? ` [set by ${placed.note}]` : ''}`,
    };
  });
}
