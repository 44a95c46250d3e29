/**
 * Helm v4's coalescing of user values with chart defaults, including
 * subcharts, globals, aliases, tags/conditions and import-values
 * (helm pkg/chart/common/util/coalesce.go, pkg/chart/v2/util/dependencies.go).
 *
 * What `helm template`/`install` does, in order:
 * 1. Dependencies: aliases are applied (a copy of the subchart renamed to
 *    the alias), the values are coalesced once, then each dependency is
 *    switched by `tags` (root-level `tags` table: any true tag enables, only
 *    false tags disable) and then by `condition` (comma-separated paths; the
 *    first that holds a bool decides). Disabled subcharts are dropped, and the
 *    same happens recursively inside enabled subcharts (their conditions are
 *    read under `<alias-or-name>.`, tags still at the root).
 * 2. Import values, bottom-up: every chart that declares dependencies gets
 *    its defaults replaced by its own values merged with its subcharts'
 *    defaults (globals pushed down, nulls kept), plus imported values.
 * 3. The user values are coalesced with the (now expanded) chart defaults:
 *    user wins, maps deep-merge, scalars and lists replace, a user null
 *    removes a chart default, map-vs-scalar clashes keep the user value, the
 *    parent's `global` is merged into each subchart's `global` (parent wins)
 *    and the subchart's defaults fill in underneath, recursively.
 * A disabled subchart keeps whatever the user and the parent chart put under
 * its name, untouched by its own defaults.
 *
 * The port keeps Go's in-place mutation and map sharing, so Helm's quirks
 * (such as deep `global` maps of a subchart leaking into the parent's view)
 * come out the same. Errors (a subchart section that is not a map) are
 * returned as data.
 */
import type { LoadedChart, ChartDependency } from '../charts/chart.ts';
import { Leaf, newMap, has, isMap, isNil, copyMapShallow, deepCopyMap, fromPlain, type Node, type NodeMap } from './tree.ts';

export interface CoalesceOptions {
  /** Masterminds constraint check for dependency versions; default accepts any version. */
  versionMatches?: (constraint: string, version: string) => boolean;
  /**
   * Null handling of Helm 4 (default true, verified against helm 4.1.4): a
   * nested user null only removes a chart default that is not itself null;
   * otherwise the null stays. `false` gives Helm 3's rule (a nested user null
   * always removes the key).
   */
  modernNulls?: boolean;
  /**
   * Newer Helm (after 4.1.4, helm#32530) drops nulls from subchart defaults
   * while coalescing. Default false, matching helm 4.1.4.
   */
  cleanSubchartNulls?: boolean;
}

/** A chart while dependencies are processed (mutable, like Helm's *chart.Chart). */
export interface WorkChart {
  name: string;
  /** Provenance label: chart names (aliases applied) joined by '/'. */
  path: string;
  values: NodeMap;
  deps: (ChartDependency & { enabled: boolean })[];
  depsDeclared: boolean;
  subs: WorkChart[];
  src: LoadedChart;
}

export class CoalesceError extends Error {}

interface Ctx {
  warn: (msg: string) => void;
  opts: Required<CoalesceOptions>;
}

/** Builds the working chart tree; `topValues` replaces the root chart's values.yaml (valuesFiles). */
export function workChart(src: LoadedChart, parentPath: string | undefined, name?: string, topValues?: NodeMap): WorkChart {
  const n = name ?? src.metadata.name;
  const path = parentPath === undefined ? n : `${parentPath}/${n}`;
  const values = topValues ?? (fromPlain(src.values, { kind: 'chart-default', chart: path }) as NodeMap);
  return {
    name: n,
    path,
    values: isMap(values) ? values : newMap(),
    deps: src.metadata.dependencies.map((d) => ({ ...d, tags: [...d.tags], enabled: true })),
    depsDeclared: src.metadata.dependenciesDeclared,
    subs: src.subcharts.map((s) => workChart(s, path)),
    src,
  };
}

function concatPrefix(a: string, b: string): string {
  return a === '' ? b : `${a}.${b}`;
}

function describe(v: Node): string {
  if (v === null) return '<nil>';
  if (v instanceof Leaf) return String(v.value);
  return Array.isArray(v) ? 'list' : 'map';
}

// ---- coalesce.go -----------------------------------------------------------

function coalesce(ctx: Ctx, ch: WorkChart, dest: NodeMap, prefix: string, merge: boolean): NodeMap {
  coalesceValues(ctx, ch, dest, prefix, merge);
  return coalesceDeps(ctx, ch, dest, prefix, merge);
}

function coalesceDeps(ctx: Ctx, ch: WorkChart, dest: NodeMap, prefix: string, merge: boolean): NodeMap {
  for (const sub of ch.subs) {
    if (!has(dest, sub.name)) dest[sub.name] = newMap();
    else if (!isMap(dest[sub.name])) throw new CoalesceError(`type mismatch on ${sub.name}: ${describe(dest[sub.name])} is not a map`);
    const dvmap = dest[sub.name] as NodeMap;
    const subPrefix = concatPrefix(prefix, ch.name);
    coalesceGlobals(ctx, dvmap, dest, subPrefix);
    dest[sub.name] = coalesce(ctx, sub, dvmap, subPrefix, merge);
  }
  return dest;
}

function coalesceGlobals(ctx: Ctx, dest: NodeMap, src: NodeMap, prefix: string): void {
  let dg: NodeMap;
  let sg: NodeMap;
  if (!has(dest, 'global')) dg = newMap();
  else if (isMap(dest.global)) dg = dest.global;
  else {
    ctx.warn('warning: skipping globals because destination global is not a table.');
    return;
  }
  if (!has(src, 'global')) sg = newMap();
  else if (isMap(src.global)) sg = src.global;
  else {
    ctx.warn('warning: skipping globals because source global is not a table.');
    return;
  }
  for (const key of Object.keys(sg)) {
    const val = sg[key];
    if (isMap(val)) {
      const vv = copyMapShallow(val);
      if (!has(dg, key)) dg[key] = vv;
      else {
        const destv = dg[key];
        if (!isMap(destv)) ctx.warn(`Conflict: cannot merge map onto non-map for "${key}". Skipping.`);
        else {
          coalesceTablesFullKey(ctx, vv, destv, concatPrefix(prefix, key), true);
          dg[key] = vv;
        }
      }
    } else if (has(dg, key) && isMap(dg[key])) {
      ctx.warn(`key ${key} is table. Skipping`);
    } else {
      dg[key] = val;
    }
  }
  dest.global = dg;
}

function coalesceValues(ctx: Ctx, ch: WorkChart, v: NodeMap, prefix: string, merge: boolean): void {
  const subPrefix = concatPrefix(prefix, ch.name);
  const vc = deepCopyMap(ch.values);
  const clean = ctx.opts.cleanSubchartNulls;
  for (const key of Object.keys(vc)) {
    const val = vc[key];
    if (has(v, key)) {
      const value = v[key];
      if (isNil(value) && !merge) {
        delete v[key];
      } else if (isMap(value)) {
        if (!isMap(val)) {
          if (!isNil(val)) ctx.warn(`warning: skipped value for ${subPrefix}.${key}: Not a table.`);
        } else {
          const m = childChartMergeTrue(ch, key, merge);
          if (clean && !m && prefix !== '') cleanNilValues(val);
          coalesceTablesFullKey(ctx, value, val, concatPrefix(subPrefix, key), m);
        }
      }
    } else {
      if (clean && !merge && prefix !== '') {
        if (isNil(val)) continue;
        if (isMap(val)) cleanNilValues(val);
      }
      v[key] = val;
    }
  }
}

function childChartMergeTrue(ch: WorkChart, key: string, merge: boolean): boolean {
  return ch.subs.some((s) => s.name === key) ? true : merge;
}

function coalesceTablesFullKey(ctx: Ctx, dst: NodeMap, src: NodeMap, prefix: string, merge: boolean): NodeMap {
  const modern = ctx.opts.modernNulls;
  const srcOriginalNonNil = new Set(Object.keys(src).filter((k) => !isNil(src[k])));
  for (const key of Object.keys(dst)) if (isNil(dst[key])) src[key] = null;
  for (const key of Object.keys(src)) {
    const val = src[key];
    const fullkey = concatPrefix(prefix, key);
    const ok = has(dst, key);
    const dv = dst[key];
    if (ok && !merge && isNil(dv) && (!modern || srcOriginalNonNil.has(key))) {
      delete dst[key];
    } else if (!ok) {
      dst[key] = val;
    } else if (isMap(val)) {
      if (isMap(dv)) coalesceTablesFullKey(ctx, dv, val, fullkey, merge);
      else ctx.warn(`warning: cannot overwrite table with non table for ${fullkey} (map)`);
    } else if (isMap(dv) && !isNil(val)) {
      ctx.warn(`warning: destination for ${fullkey} is a table. Ignoring non-table value (${describe(val)})`);
    }
  }
  return dst;
}

function cleanNilValues(m: NodeMap): void {
  for (const key of Object.keys(m)) {
    const val = m[key];
    if (isNil(val)) delete m[key];
    else if (isMap(val)) cleanNilValues(val);
  }
}

function coalesceValuesTop(ctx: Ctx, ch: WorkChart, vals: NodeMap, merge: boolean): NodeMap {
  return coalesce(ctx, ch, deepCopyMap(vals), '', merge);
}

// ---- common/values.go ------------------------------------------------------

/** Values.Table: the map at a dotted path, or undefined. */
export function tableAt(v: NodeMap, name: string): NodeMap | undefined {
  let t: NodeMap = v;
  for (const n of name.split('.')) {
    if (!has(t, n)) return undefined;
    const next = t[n];
    if (!isMap(next)) return undefined;
    t = next;
  }
  return t;
}

/** Values.PathValue: the non-map value at a dotted path; `found: false` when absent or a map. */
function pathValue(v: NodeMap, path: string): { found: boolean; value?: Node } {
  if (path === '') return { found: false };
  const parts = path.split('.');
  const key = parts[parts.length - 1];
  const table = parts.length === 1 ? v : tableAt(v, parts.slice(0, -1).join('.'));
  if (!table || !has(table, key) || isMap(table[key])) return { found: false };
  return { found: true, value: table[key] };
}

// ---- dependencies.go -------------------------------------------------------

function processDependencyConditions(ctx: Ctx, reqs: WorkChart['deps'], cvals: NodeMap, cpath: string): void {
  for (const r of reqs) {
    for (const c of (r.condition ?? '').trim().split(',')) {
      if (c.length === 0) continue;
      const pv = pathValue(cvals, cpath + c);
      if (!pv.found) continue;
      const v = pv.value;
      if (v instanceof Leaf && typeof v.value === 'boolean') {
        r.enabled = v.value;
        break;
      }
      ctx.warn(`returned non-bool value for condition path ${c} of chart ${r.name}`);
    }
  }
}

function processDependencyTags(ctx: Ctx, reqs: WorkChart['deps'], cvals: NodeMap): void {
  const vt = tableAt(cvals, 'tags');
  if (!vt) return;
  for (const r of reqs) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags) {
      if (!has(vt, k)) continue;
      const b = vt[k];
      if (b instanceof Leaf && typeof b.value === 'boolean') {
        if (b.value) hasTrue = true;
        else hasFalse = true;
      } else ctx.warn(`returned non-bool value for tag ${k} of chart ${r.name}`);
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else r.enabled = true;
  }
}

function getAliasDependency(ctx: Ctx, parent: WorkChart, dep: ChartDependency): WorkChart | undefined {
  for (const c of parent.subs) {
    if (c.name !== dep.name) continue;
    if (!ctx.opts.versionMatches(dep.version ?? '', c.src.metadata.version)) continue;
    const name = dep.alias ? dep.alias : c.name;
    return workChart(c.src, parent.path, name);
  }
  return undefined;
}

function processDependencyEnabled(ctx: Ctx, c: WorkChart, v: NodeMap, path: string, disabled: { chart: string; reason: string }[]): void {
  if (!c.depsDeclared) return;
  const chartDependencies: WorkChart[] = [];
  for (const existing of c.subs) {
    const listed = c.deps.some((req) => existing.name === req.name && ctx.opts.versionMatches(req.version ?? '', existing.src.metadata.version));
    if (!listed) chartDependencies.push(existing);
  }
  for (const req of c.deps) {
    const dep = getAliasDependency(ctx, c, req);
    if (dep) chartDependencies.push(dep);
    if (req.alias) req.name = req.alias;
  }
  c.subs = chartDependencies;
  for (const lr of c.deps) lr.enabled = true;
  const cvals = coalesceValuesTop(ctx, c, v, false);
  processDependencyTags(ctx, c.deps, cvals);
  processDependencyConditions(ctx, c.deps, cvals, path);
  const rm = new Set<string>();
  for (const r of c.deps) {
    if (!r.enabled) {
      rm.add(r.name);
      disabled.push({ chart: `${c.path}/${r.name}`, reason: r.condition ? `condition '${r.condition}' or tags [${r.tags.join(', ')}]` : `tags [${r.tags.join(', ')}]` });
    }
  }
  const cd = c.subs.filter((n) => !rm.has(n.name));
  const cdMetadata = c.deps.filter((n) => !rm.has(n.name));
  for (const t of cd) processDependencyEnabled(ctx, t, cvals, `${path}${t.name}.`, disabled);
  c.deps = cdMetadata;
  c.depsDeclared = cdMetadata.length > 0;
  c.subs = cd;
}

function pathToMap(path: string, data: NodeMap): NodeMap {
  if (path === '.') return data;
  const parts = path.split('.');
  let cur: NodeMap = data;
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = newMap();
    m[parts[i]] = cur;
    cur = m;
  }
  return cur;
}

function goString(v: Node | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (v instanceof Leaf) return v.value === null ? '<nil>' : String(v.value);
  return describe(v);
}

function processImportValues(ctx: Ctx, c: WorkChart): void {
  if (!c.depsDeclared) return;
  const cvals = coalesceValuesTop(ctx, c, newMap(), true);
  let b = newMap();
  for (const r of c.deps) {
    for (const riv of r.importValues) {
      if (typeof riv === 'object' && riv !== null && !Array.isArray(riv)) {
        const iv = fromPlain(riv) as NodeMap;
        const child = goString(iv.child);
        const parent = goString(iv.parent);
        const vv = tableAt(cvals, `${r.name}.${child}`);
        if (!vv) {
          ctx.warn(`ImportValues missing table from chart ${r.name}: ${child}`);
          continue;
        }
        b = coalesceTablesFullKey(ctx, b, pathToMap(parent, vv), '', true);
      } else if (typeof riv === 'string') {
        const vm = tableAt(cvals, `${r.name}.exports.${riv}`);
        if (!vm) {
          ctx.warn(`ImportValues missing table exports.${riv} in chart ${r.name}`);
          continue;
        }
        b = coalesceTablesFullKey(ctx, b, vm, '', true);
      }
    }
  }
  c.values = coalesceTablesFullKey(ctx, deepCopyMap(cvals), b, '', true);
}

function processDependencyImportValues(ctx: Ctx, c: WorkChart): void {
  for (const d of c.subs) processDependencyImportValues(ctx, d);
  processImportValues(ctx, c);
}

export interface CoalesceResult {
  ok: true;
  /** The root chart's `.Values`. */
  values: NodeMap;
  /** The processed chart tree (disabled subcharts removed, aliases applied). */
  chart: WorkChart;
  disabled: { chart: string; reason: string }[];
  warnings: string[];
}

/**
 * Everything `helm template` does to values: dependency processing, import
 * values, then coalescing `userValues` with the chart. `topValues` replaces
 * the root chart's values.yaml (Flux HelmChart `valuesFiles`).
 */
export function coalesceChartValues(
  chart: LoadedChart,
  userValues: NodeMap,
  options: CoalesceOptions & { topValues?: NodeMap } = {},
): CoalesceResult | { ok: false; error: string; warnings: string[] } {
  const warnings: string[] = [];
  const ctx: Ctx = {
    warn: (m) => warnings.push(m),
    opts: { versionMatches: options.versionMatches ?? (() => true), modernNulls: options.modernNulls ?? true, cleanSubchartNulls: options.cleanSubchartNulls ?? false },
  };
  const root = workChart(chart, undefined, undefined, options.topValues);
  const disabled: { chart: string; reason: string }[] = [];
  try {
    processDependencyEnabled(ctx, root, userValues, '', disabled);
    processDependencyImportValues(ctx, root);
    const values = coalesceValuesTop(ctx, root, userValues, false);
    return { ok: true, values, chart: root, disabled, warnings };
  } catch (e) {
    if (e instanceof CoalesceError) return { ok: false, error: e.message, warnings };
    if (e instanceof RangeError) return { ok: false, error: 'values nested too deeply', warnings };
    throw e;
  }
}

/** The `.Values` each enabled chart's templates see: the root's, then `parent[subName]` recursively. */
export function valuesPerChart(result: CoalesceResult): { chart: string; name: string; values: NodeMap }[] {
  const out: { chart: string; name: string; values: NodeMap }[] = [];
  const walk = (c: WorkChart, vals: NodeMap): void => {
    out.push({ chart: c.path, name: c.name, values: vals });
    for (const s of c.subs) {
      const sv = has(vals, s.name) && isMap(vals[s.name]) ? (vals[s.name] as NodeMap) : newMap();
      walk(s, sv);
    }
  };
  walk(result.chart, result.values);
  return out;
}
