/**
 * Checks the objects ResourceSets generate like written ones: schema and
 * CEL validation, and their references (sourceRef, chartRef, dependsOn,
 * valuesFrom, substituteFrom) against the workspace, the objects something
 * creates and the other objects of the same ResourceSet. Each finding is
 * placed on the template line that produced the value (the deepest part of
 * the path that the template writes), naming the generated object and the
 * input sets it applies to.
 */
import { stringify } from 'yaml';
import type { OffsetDiagnostic, Severity } from '../types.ts';
import type { IndexedObject, WorkspaceIndex } from '../workspace/index.ts';
import type { SchemaRegistry } from '../schemas/registry.ts';
import { parseYamlFile } from '../yaml/documents.ts';
import { findAtOffset, findAtPath, formatPath, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import { validateDocument } from '../validation/validate.ts';
import { expandResourceSet, type GeneratedObject } from './resourceset.ts';

/** Codes about the document as text, which the ResourceSet's own check reports. */
const SOURCE_ONLY = new Set(['yaml-syntax', 'duplicate-key', 'yaml-alias']);

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function describe(o: Record<string, unknown>): string {
  const meta = isMap(o.metadata) ? o.metadata : {};
  const ns = str(meta.namespace);
  return `${String(o.kind ?? '?')} ${ns ? `${ns}/` : ''}${String(meta.name ?? '?')}`;
}

interface GenRef {
  path: PathSeg[];
  kind: string;
  name: string;
  namespace?: string;
  optional: boolean;
}

/** The references of a generated Flux object that must resolve. */
function referencesOf(o: Record<string, unknown>, defaultNs: string | undefined): GenRef[] {
  const out: GenRef[] = [];
  const spec = isMap(o.spec) ? o.spec : {};
  const ownNs = str(isMap(o.metadata) ? o.metadata.namespace : undefined) ?? defaultNs;
  const add = (path: PathSeg[], ref: unknown, kind?: string) => {
    if (!isMap(ref)) return;
    const name = str(ref.name);
    const k = str(ref.kind) ?? kind;
    if (!name || !k) return;
    out.push({ path: [...path, 'name'], kind: k, name, namespace: str(ref.namespace) ?? ownNs, optional: ref.optional === true });
  };
  const each = (field: unknown, path: PathSeg[], kind?: string) => {
    if (Array.isArray(field)) field.forEach((r, i) => add([...path, i], r, kind));
  };
  const group = String(o.apiVersion ?? '').split('/')[0];
  if (o.kind === 'HelmRelease' && group === 'helm.toolkit.fluxcd.io') {
    add(['spec', 'chartRef'], spec.chartRef);
    if (isMap(spec.chart) && isMap(spec.chart.spec)) add(['spec', 'chart', 'spec', 'sourceRef'], spec.chart.spec.sourceRef);
    each(spec.dependsOn, ['spec', 'dependsOn'], 'HelmRelease');
    each(spec.valuesFrom, ['spec', 'valuesFrom']);
  } else if (o.kind === 'Kustomization' && group === 'kustomize.toolkit.fluxcd.io') {
    add(['spec', 'sourceRef'], spec.sourceRef);
    each(spec.dependsOn, ['spec', 'dependsOn'], 'Kustomization');
    if (isMap(spec.postBuild)) each(spec.postBuild.substituteFrom, ['spec', 'postBuild', 'substituteFrom']);
  }
  return out;
}

/** The range of the deepest node of the template that exists along `path`. */
function templateRange(rsDoc: { doc: { contents: unknown }; start: number }, template: PathSeg[], path: PathSeg[]): [number, number] {
  for (let n = path.length; n >= 0; n--) {
    const loc = findAtPath(rsDoc.doc.contents, [...template, ...path.slice(0, n)]);
    const r = nodeRange(loc.node) ?? (loc.pair ? nodeRange(loc.pair.key) : undefined);
    if (r) return [rsDoc.start + r[0], rsDoc.start + r[1]];
  }
  return [rsDoc.start, rsDoc.start];
}

/**
 * The file range of line `line` (0-based) of the block scalar at `template`
 * (a `resourcesTemplate`), or undefined when it cannot be placed.
 */
function blockLineRange(rsDoc: { doc: { contents: unknown }; start: number }, fileText: string, template: PathSeg[], line: number): [number, number] | undefined {
  const range = nodeRange(findAtPath(rsDoc.doc.contents, template).node);
  if (!range) return undefined;
  // Content lines start on the line after the `|` header.
  let at = fileText.indexOf('\n', rsDoc.start + range[0]);
  for (let k = 0; k < line && at >= 0; k++) at = fileText.indexOf('\n', at + 1);
  if (at < 0 || at >= rsDoc.start + range[1]) return undefined;
  const start = at + 1;
  const end = fileText.indexOf('\n', start);
  const lineText = fileText.slice(start, end < 0 ? fileText.length : end);
  const indent = lineText.length - lineText.trimStart().length;
  return [start + indent, start + lineText.trimEnd().length];
}

/** The objects a ResourceSet generates, with its Static providers looked up in the index. */
export function expandIndexed(index: WorkspaceIndex, rs: IndexedObject): ReturnType<typeof expandResourceSet> | undefined {
  const value = index.valueOf(rs);
  if (!value) return undefined;
  return expandResourceSet(value, (name) => {
    const found = index.find('ResourceSetInputProvider', name, rs.namespace);
    return found.length ? index.valueOf(found[0]) : undefined;
  });
}

const memo = new WeakMap<WorkspaceIndex, { version: number; generation: number; result: Map<string, OffsetDiagnostic[]> }>();

/**
 * `checkResourceSets`, recomputed only after the workspace or the schemas
 * changed (for the façade's workspace diagnostics).
 */
export function resourceSetFindings(index: WorkspaceIndex, registry: SchemaRegistry): Map<string, OffsetDiagnostic[]> {
  const hit = memo.get(index);
  if (hit && hit.version === index.version && hit.generation === registry.generation) return hit.result;
  const result = checkResourceSets(index, registry);
  memo.set(index, { version: index.version, generation: registry.generation, result });
  return result;
}

/** Findings of every ResourceSet of the workspace, per file. Never throws. */
export function checkResourceSets(index: WorkspaceIndex, registry: SchemaRegistry): Map<string, OffsetDiagnostic[]> {
  const byFile = new Map<string, OffsetDiagnostic[]>();
  for (const rs of index.allObjects()) {
    if (rs.kind !== 'ResourceSet' || !rs.apiVersion.startsWith('fluxcd.controlplane.io/')) continue;
    const doc = index.documentOf(rs);
    const expansion = expandIndexed(index, rs);
    if (!doc || !expansion) continue;
    // One finding per template spot and message; the input sets it applies to are listed.
    const found = new Map<string, { d: OffsetDiagnostic; inputs: Set<number> }>();
    const push = (start: number, end: number, severity: Severity, code: string, message: string, input?: number) => {
      const key = `${start}:${end}:${code}:${message}`;
      const hit = found.get(key);
      if (hit) {
        if (input !== undefined) hit.inputs.add(input);
        return;
      }
      found.set(key, { d: { start, end, severity, code, message }, inputs: new Set(input === undefined ? [] : [input]) });
    };
    for (const n of expansion.notes) {
      const [start, end] = templateRange(doc, n.path, []);
      push(start, end, n.severity, n.code, n.message, n.inputIndex);
    }
    const generated = expansion.objects;
    const fileText = index.fileText(rs.file) ?? '';
    const place = (g: GeneratedObject, path: PathSeg[]): [number, number] => {
      const line = g.templateLine?.(path);
      return (line !== undefined ? blockLineRange(doc, fileText, g.template, line) : undefined) ?? templateRange(doc, g.template, path);
    };
    const suffix = (g: GeneratedObject) => `${describe(g.object)} generated by ResourceSet ${rs.name}`;
    for (const g of generated) {
      const apiVersion = str(g.object.apiVersion) ?? '';
      const kind = str(g.object.kind) ?? '';
      if (registry.get(apiVersion, kind)) {
        let text: string | undefined;
        try {
          text = stringify(g.object, { version: '1.1', lineWidth: 0 });
        } catch {
          text = undefined;
        }
        const file = text === undefined ? undefined : parseYamlFile('fluxhelm-generated:///object.yaml', text);
        const gdoc = file?.docs[0];
        if (file && gdoc) {
          for (const d of validateDocument(gdoc, file.uri, registry)) {
            if (SOURCE_ONLY.has(d.code)) continue;
            // The end of the range lies inside the node (a required field is reported on its parent's key).
            const path = findAtOffset(gdoc.doc.contents, Math.max(d.start, d.end - 1) - gdoc.start).path;
            const [start, end] = place(g, path);
            push(start, end, d.severity, d.code, `${d.message}: ${suffix(g)}${path.length ? ` at ${formatPath(path)}` : ''}`, g.inputIndex);
          }
        }
      }
      for (const ref of referencesOf(g.object, rs.namespace)) {
        if (ref.optional) continue;
        const sibling = generated.some((o) => o.object.kind === ref.kind && isMap(o.object.metadata) && o.object.metadata.name === ref.name && (ref.namespace === undefined || (str(o.object.metadata.namespace) ?? rs.namespace) === undefined || (str(o.object.metadata.namespace) ?? rs.namespace) === ref.namespace));
        if (sibling || index.find(ref.kind, ref.name, ref.namespace).length || index.findCreated(ref.kind, ref.name, ref.namespace).length) continue;
        const [start, end] = place(g, ref.path);
        const secret = ref.kind === 'Secret';
        push(start, end, secret ? 'info' : 'warning', 'dangling-reference', `${ref.kind} \`${ref.name}\`${ref.namespace ? ` in namespace ${ref.namespace}` : ''} was not found in the workspace: ${suffix(g)}`, g.inputIndex);
      }
    }
    const list = [...found.values()].map(({ d, inputs }) => {
      if (inputs.size === 0 || expansion.objects.every((o) => o.inputIndex === 0)) return d;
      const numbers = [...inputs].sort((a, b) => a - b).map((i) => i + 1);
      return { ...d, message: `${d.message} (input set${numbers.length > 1 ? 's' : ''} ${numbers.join(', ')})` };
    });
    if (list.length) byFile.set(rs.file, [...(byFile.get(rs.file) ?? []), ...list].sort((a, b) => a.start - b.start));
  }
  return byFile;
}
