/**
 * Effective values as text for people: YAML where every value carries a
 * trailing comment naming the layer that set it (chart default, values
 * file, valuesFrom entry, inline), or plain YAML/JSON without provenance.
 * Values that came from Secrets are masked unless revealing is asked for.
 */
import { Document, isMap, isSeq, isScalar, type Node as YamlNode, type Pair } from 'yaml';
import type { Node } from './tree.ts';
import { flattenValues, maskSecretLeaves, toPlainMasked, describeSource, formatValuePath, type ValueLeaf } from './provenance.ts';

export interface RenderValuesOptions {
  reveal?: boolean;
  provenance?: boolean;
  /** Comment lines placed at the top. */
  header?: string[];
  /** Extra text after a value's source, e.g. the overlay patch that wrote it. */
  noteFor?: (leaf: ValueLeaf) => string | undefined;
}

function annotate(node: unknown, path: (string | number)[], sources: Map<string, string>): void {
  if (isMap(node)) {
    for (const pair of node.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      annotate(pair.value, [...path, key], sources);
    }
    if (node.items.length === 0) setComment(node, path, sources);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => annotate(item, [...path, i], sources));
    if (node.items.length === 0) setComment(node, path, sources);
  } else if (isScalar(node)) {
    setComment(node, path, sources);
  }
}

function setComment(node: YamlNode, path: (string | number)[], sources: Map<string, string>): void {
  const text = sources.get(formatValuePath(path));
  if (text) node.comment = ` ${text}`;
}

export function valueLeaves(tree: Node, reveal = false): ValueLeaf[] {
  return maskSecretLeaves(flattenValues(tree), { reveal });
}

export function renderValuesYaml(tree: Node, options: RenderValuesOptions = {}): string {
  const plain = toPlainMasked(tree, { reveal: options.reveal });
  const doc = new Document(plain);
  if (options.provenance) {
    const sources = new Map<string, string>();
    for (const leaf of flattenValues(tree)) {
      const note = options.noteFor?.(leaf);
      sources.set(leaf.path, note ? `${describeSource(leaf.source)} (${note})` : describeSource(leaf.source));
    }
    annotate(doc.contents, [], sources);
  }
  if (options.header?.length) doc.commentBefore = options.header.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

export function renderValuesJson(tree: Node, options: RenderValuesOptions = {}): string {
  if (options.provenance) {
    const rows = valueLeaves(tree, options.reveal).map((l) => {
      const note = options.noteFor?.(l);
      return { path: l.path, value: l.value, source: note ? `${describeSource(l.source)} (${note})` : describeSource(l.source) };
    });
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  return `${JSON.stringify(toPlainMasked(tree, { reveal: options.reveal }), null, 2)}\n`;
}
