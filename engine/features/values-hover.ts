/**
 * Hover on a key (or a value) inside a HelmRelease's `spec.values`: the
 * values path, the type and description from values.schema.json, the chart
 * default, the effective value and the layer that won, e.g. "set by
 * valuesFrom[1] ConfigMap/podinfo-values key values.yaml, overriding the
 * chart default `1`". When the inline value under the cursor is itself
 * overridden (a valuesFrom entry with targetPath can win over inline
 * values), the hover says so. Values that came from a Secret are masked
 * unless `revealSecrets` is set.
 */
import type { Hover, Position } from '../types.ts';
import type { YamlFile } from '../yaml/documents.ts';
import type { LoadedChart } from '../charts/chart.ts';
import type { EffectiveValuesResult } from '../values/effective.ts';
import { findAtOffset, isScalar, nodeRange } from '../yaml/nodes.ts';
import { Leaf, isMap, nodeAtPath, type Node, type PlainValue, type ValueSource } from '../values/tree.ts';
import { describeSource, flattenValues, formatValuePath, isSecretSource, toPlainMasked } from '../values/provenance.ts';
import { findDocumentAt } from './context.ts';
import { inlineValue, typeLabel, valuesDocumentation, valuesModelAt, yamlBlock, type ValuesModel } from './values-completion.ts';

export interface ValuesHoverOptions {
  /** Show values that came from Secrets instead of a mask. */
  revealSecrets?: boolean;
}


function sameSource(a: ValueSource | undefined, b: ValueSource | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function layerText(s: ValueSource | undefined): string {
  if (!s) return 'added by Helm';
  if (s.kind === 'inline') return 'set here in `spec.values`';
  if (s.kind === 'chart-default') return `the chart default (values.yaml of \`${s.chart}\`)`;
  return `set by ${describeSource(s)}`;
}

function differs(a: PlainValue | undefined, b: PlainValue | undefined): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The "Effective value" part of the hover. */
function effectivePart(result: Extract<EffectiveValuesResult, { ok: true }>, path: (string | number)[], model: ValuesModel, reveal: boolean, inlineHere: PlainValue | undefined): string[] {
  const node = nodeAtPath(result.tree, path);
  if (node === undefined) {
    const disabled = result.disabledSubcharts.find((d) => d.chart.split('/')[1] === path[0]);
    if (disabled && path.length > 0) return [`Effective value: none — the subchart \`${String(path[0])}\` is disabled (${disabled.reason}).`];
    return ['Effective value: none — Helm drops this key (a null removes the chart default).'];
  }
  const shown = toPlainMasked(node, { reveal });
  const inline = inlineValue(shown);
  const parts: string[] = [];
  if (node instanceof Leaf || node === null) {
    const source = node instanceof Leaf ? node.source : undefined;
    let text = `Effective value: ${inline ?? '`null`'} — ${layerText(source)}`;
    const d = model.defaultValue;
    if (source && source.kind !== 'chart-default' && d !== undefined && differs(d, node instanceof Leaf ? node.value : null)) {
      text += `, overriding the chart default ${inlineValue(d) ?? 'value'}`;
    }
    if (isSecretSource(source) && !reveal) text += ' (from a Secret; masked)';
    parts.push(`${text}.`);
    if (inlineHere !== undefined && source?.kind !== 'inline' && source !== undefined) {
      parts.push(`⚠ The value written here is overridden: ${describeSource(source)} wins over \`spec.values\` for this key.`);
    }
    return parts;
  }
  const leaves = flattenValues(node, path);
  const layers: ValueSource[] = [];
  for (const l of leaves) if (l.source && !layers.some((x) => sameSource(x, l.source))) layers.push(l.source);
  parts.push(inline ? `Effective value: ${inline}` : `Effective value:\n${yamlBlock(shown)}`);
  if (layers.length) {
    const names = layers.slice(0, 5).map((s) => (s.kind === 'inline' ? '`spec.values`' : s.kind === 'chart-default' ? `chart default (\`${s.chart}\`)` : describeSource(s)));
    parts.push(`From: ${names.join(', ')}${layers.length > 5 ? ', …' : ''}.`);
  }
  return parts;
}

/**
 * Hover for a key or value inside `spec.values` of a HelmRelease; null
 * elsewhere. `result` is the release's effective values (computeReleaseValues).
 */
export function getValuesHover(file: YamlFile, position: Position, chart: LoadedChart, result: EffectiveValuesResult | undefined, options: ValuesHoverOptions = {}): Hover | null {
  const offset = file.lines.offsetAt(position);
  const doc = findDocumentAt(file, offset);
  if (!doc || (doc.kind !== undefined && doc.kind !== 'HelmRelease')) return null;
  const at = findAtOffset(doc.doc.contents, offset - doc.start);
  if (at.path.length < 3 || at.path[0] !== 'spec' || at.path[1] !== 'values') return null;
  let target: [number, number] | undefined;
  if (at.onKey && at.pair) target = nodeRange(at.pair.key);
  else if (isScalar(at.node)) target = nodeRange(at.node);
  if (!target) return null;
  const path = at.path.slice(2);
  const model = valuesModelAt(chart, path);
  const parts: string[] = [`**\`${formatValuePath(path)}\`** · ${typeLabel(model)}${model.owner.prefix.length ? ` · chart \`${model.owner.chartPath}\`` : ''}`];
  const doc1 = valuesDocumentation(model);
  if (doc1) parts.push(doc1);
  else if (model.defaultValue === undefined && model.facts.types.length === 0) parts.push(`Not in the chart's values.yaml.`);
  if (result?.ok) {
    const inlineNode = isScalar(at.node) ? (at.node.value as PlainValue) : undefined;
    parts.push(...effectivePart(result, path, model, options.revealSecrets === true, inlineNode));
  } else if (result && !result.ok) {
    parts.push(`Effective values unavailable: ${result.error}`);
  }
  return { contents: { kind: 'markdown', value: parts.join('\n\n') }, range: file.lines.rangeOf(doc.start + target[0], doc.start + target[1]) };
}
