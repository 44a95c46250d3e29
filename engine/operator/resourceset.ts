/**
 * Expands a Flux Operator ResourceSet into the objects it generates: its
 * inline `inputs` and the input sets of `inputsFrom` providers of type
 * Static (their `defaultValues`), combined with `inputStrategy` Flatten
 * (one render per input set, the default) or Permute (one render per
 * combination of one set from each provider, each provider's values under
 * its normalized name); then every template of `resources`,
 * `resourcesTemplate` and `steps` is rendered per input set, objects with
 * the same identity are kept once (`resources` first) and `commonMetadata`
 * is added. Dynamic providers and template constructs that need Go (if,
 * range, variables) are reported as not evaluated instead of guessed.
 */
import { parse, parseAllDocuments } from 'yaml';
import { findAtPath, nodeRange, type PathSeg } from '../yaml/nodes.ts';
import { hasTemplate, permuteKey, renderTemplate } from './template.ts';

export interface GeneratedObject {
  object: Record<string, unknown>;
  /** Where the template of this object is in the ResourceSet, e.g. spec.resources[0]. */
  template: PathSeg[];
  /** 0-based input set that produced it. */
  inputIndex: number;
  /**
   * For objects of a `resourcesTemplate` whose rendering kept the template's
   * lines: the 0-based line of the template text that writes `path` (or the
   * nearest enclosing field), for placing findings.
   */
  templateLine?: (path: PathSeg[]) => number | undefined;
}

export interface ExpansionNote {
  /** Path in the ResourceSet the note is about. */
  path: PathSeg[];
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  /** The input set it applies to, when it depends on one. */
  inputIndex?: number;
}

export interface Expansion {
  objects: GeneratedObject[];
  notes: ExpansionNote[];
}

/** Looks up a ResourceSetInputProvider of the ResourceSet's namespace by name (its plain value). */
export type ProviderLookup = (name: string) => Record<string, unknown> | undefined;

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The input sets, or undefined when some provider cannot be evaluated here. */
function inputSets(rs: Record<string, unknown>, rsName: string, lookup: ProviderLookup, notes: ExpansionNote[]): Record<string, unknown>[] | undefined {
  const spec = isMap(rs.spec) ? rs.spec : {};
  const providers: { name: string; inputs: Record<string, unknown>[] }[] = [];
  if (Array.isArray(spec.inputs)) providers.push({ name: rsName, inputs: spec.inputs.filter(isMap) });
  let complete = true;
  const from = Array.isArray(spec.inputsFrom) ? spec.inputsFrom : [];
  from.forEach((entry, i) => {
    const name = str(isMap(entry) ? entry.name : undefined);
    if (!name) {
      notes.push({ path: ['spec', 'inputsFrom', i], severity: 'info', code: 'resourceset-not-evaluated', message: 'providers selected by labels are not evaluated by fluxhelm; the objects generated from them are not checked' });
      complete = false;
      return;
    }
    const provider = lookup(name);
    if (!provider) {
      notes.push({ path: ['spec', 'inputsFrom', i, 'name'], severity: 'warning', code: 'dangling-reference', message: `ResourceSetInputProvider \`${name}\` was not found in the workspace; the ResourceSet fails until it exists` });
      complete = false;
      return;
    }
    const pspec = isMap(provider.spec) ? provider.spec : {};
    const type = str(pspec.type) ?? '';
    if (type !== 'Static') {
      notes.push({ path: ['spec', 'inputsFrom', i, 'name'], severity: 'info', code: 'resourceset-not-evaluated', message: `ResourceSetInputProvider \`${name}\` is of type ${type || '(unset)'}: its inputs come from outside the repository and are not evaluated; the objects generated from them are not checked` });
      complete = false;
      return;
    }
    const defaults = isMap(pspec.defaultValues) ? pspec.defaultValues : {};
    const provMeta = isMap(provider.metadata) ? provider.metadata : {};
    providers.push({ name, inputs: [{ ...defaults, id: '0', provider: { apiVersion: 'fluxcd.controlplane.io/v1', kind: 'ResourceSetInputProvider', name, namespace: provMeta.namespace } }] });
  });
  if (!complete) return undefined;
  if (providers.length === 0) return [{}];
  const strategy = isMap(spec.inputStrategy) ? str(spec.inputStrategy.name) : undefined;
  if (strategy !== 'Permute') return providers.flatMap((p) => p.inputs.map((set, i) => ({ id: String(i), ...set })));
  const includeEmpty = isMap(spec.inputStrategy) && spec.inputStrategy.includeEmptyProviders === true;
  const lists = providers.filter((p) => includeEmpty || p.inputs.length > 0);
  let product: Record<string, unknown>[] = [{}];
  for (const p of lists) {
    const key = permuteKey(p.name);
    product = product.flatMap((acc) => p.inputs.map((set) => ({ ...acc, [key]: set })));
  }
  return lists.length ? product.map((set, i) => ({ ...set, id: String(i) })) : [];
}

interface Render {
  unsupported?: string;
  /** Inputs a template reads that the input set lacks, with the path of the value that reads them. */
  missing: { path: PathSeg[]; key: string }[];
}

/** Renders every string of a template object; a string that is one whole action becomes the YAML value it prints. */
function renderValue(v: unknown, inputs: Record<string, unknown>, out: Render, path: PathSeg[] = []): unknown {
  if (typeof v === 'string') {
    if (!hasTemplate(v)) return v;
    const r = renderTemplate(v, inputs);
    if (!r.ok) {
      out.unsupported ??= r.reason;
      return v;
    }
    for (const key of r.missing) out.missing.push({ path, key });
    const whole = /^\s*<<[\s\S]*>>\s*$/.test(v) && !/>>[\s\S]*<</.test(v);
    if (!whole) return r.text;
    try {
      return parse(r.text) ?? null;
    } catch {
      return r.text;
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => renderValue(x, inputs, out, [...path, i]));
  if (isMap(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = hasTemplate(k) ? (renderValue(k, inputs, out, [...path, k]) as string) : k;
      o[String(key)] = renderValue(x, inputs, out, [...path, k]);
    }
    return o;
  }
  return v;
}

function identity(o: Record<string, unknown>): string {
  const meta = isMap(o.metadata) ? o.metadata : {};
  return `${String(o.apiVersion)}/${String(o.kind)}/${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
}

function addCommonMetadata(o: Record<string, unknown>, common: unknown): void {
  if (!isMap(common)) return;
  const meta = isMap(o.metadata) ? o.metadata : (o.metadata = {});
  for (const field of ['labels', 'annotations'] as const) {
    if (isMap(common[field])) meta[field] = { ...(isMap(meta[field]) ? meta[field] : {}), ...common[field] };
  }
}

/** Expands one ResourceSet (its plain value). Never throws. */
export function expandResourceSet(rs: Record<string, unknown>, lookup: ProviderLookup): Expansion {
  const notes: ExpansionNote[] = [];
  const objects: GeneratedObject[] = [];
  const spec = isMap(rs.spec) ? rs.spec : {};
  const meta = isMap(rs.metadata) ? rs.metadata : {};
  const sets = inputSets(rs, str(meta.name) ?? '', lookup, notes);
  if (!sets) return { objects, notes };
  const seen = new Set<string>();
  const noted = new Set<string>();
  const note = (n: ExpansionNote) => {
    const key = `${n.path.join('.')}:${n.message}:${n.inputIndex ?? ''}`;
    if (!noted.has(key)) {
      noted.add(key);
      notes.push(n);
    }
  };
  const templates: { path: PathSeg[]; value: unknown }[] = [];
  const texts: { path: PathSeg[]; text: string }[] = [];
  const collect = (at: PathSeg[], holder: Record<string, unknown>) => {
    if (Array.isArray(holder.resources)) holder.resources.forEach((r, i) => templates.push({ path: [...at, 'resources', i], value: r }));
    if (typeof holder.resourcesTemplate === 'string') texts.push({ path: [...at, 'resourcesTemplate'], text: holder.resourcesTemplate });
  };
  collect(['spec'], spec);
  if (Array.isArray(spec.steps)) spec.steps.forEach((s, i) => isMap(s) && collect(['spec', 'steps', i], s));
  const keep = (o: unknown, template: PathSeg[], inputIndex: number, templateLine?: GeneratedObject['templateLine']) => {
    if (!isMap(o)) return;
    const id = identity(o);
    if (seen.has(id)) return;
    seen.add(id);
    addCommonMetadata(o, spec.commonMetadata);
    objects.push({ object: o, template, inputIndex, templateLine });
  };
  const reportMissing = (path: PathSeg[], missing: { path: PathSeg[]; key: string }[], i: number) => {
    for (const m of missing) {
      note({ path: [...path, ...m.path], severity: 'warning', code: 'resourceset-missing-input', message: `input \`${m.key}\` is not set in this input set`, inputIndex: i });
    }
  };
  sets.forEach((inputs, i) => {
    for (const t of templates) {
      const out: Render = { missing: [] };
      const value = renderValue(t.value, inputs, out);
      if (out.unsupported) {
        note({ path: t.path, severity: 'info', code: 'resourceset-not-evaluated', message: `this template uses ${out.unsupported}, which fluxhelm does not evaluate; the objects it generates are not checked` });
        continue;
      }
      reportMissing(t.path, out.missing, i);
      keep(value, t.path, i);
    }
    for (const t of texts) {
      const r = renderTemplate(t.text, inputs);
      if (!r.ok) {
        note({ path: t.path, severity: 'info', code: 'resourceset-not-evaluated', message: `this template uses ${r.reason}, which fluxhelm does not evaluate; the objects it generates are not checked` });
        continue;
      }
      reportMissing(t.path, r.missing.map((key) => ({ path: [], key })), i);
      // Simple actions keep the template's line structure: a line of the output is the same line of the template.
      const sameLines = r.text.split('\n').length === t.text.split('\n').length;
      const lineOf = (offset: number) => r.text.slice(0, offset).split('\n').length - 1;
      try {
        for (const d of parseAllDocuments(r.text)) {
          if (d.errors.length) continue;
          const locate = (path: PathSeg[]) => {
            for (let n = path.length; n >= 0; n--) {
              const loc = findAtPath(d.contents, path.slice(0, n));
              const range = nodeRange(loc.pair?.key) ?? nodeRange(loc.node);
              if (range) return lineOf(range[0]);
            }
            return undefined;
          };
          keep(d.toJS(), t.path, i, sameLines ? locate : undefined);
        }
      } catch {
        // a template that renders to invalid YAML is left to the schema of resourcesTemplate
      }
    }
  });
  return { objects, notes };
}
