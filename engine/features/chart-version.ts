/**
 * Editor features around a HelmRelease's chart and version, fed with
 * resolution results (engine/resolve): inlay hints after `version:` saying
 * what the constraint resolves to, a hover listing the newest matching
 * versions (and what older Flux would pick when the pre-release rule
 * differs), completion of chart names and versions from the repository
 * index, diagnostics for resolution failures and unpinned ranges, and the
 * "Pin to X.Y.Z" quick fix.
 */
import type { CompletionItem, Hover, InlayHint, Position, CodeAction, Diagnostic, Range } from '../types.ts';
import { CompletionItemKind, MarkupKind } from '../types.ts';
import type { OffsetDiagnostic } from '../types.ts';
import type { YamlFile, YamlDocument } from '../yaml/documents.ts';
import { findAtPath, nodeRange, rangeForPath, findAtOffset, type PathSeg } from '../yaml/nodes.ts';
import type { ResolvedChart } from '../resolve/release-chart.ts';
import type { IndexEntry } from '../versions/select.ts';
import { parseConstraint, describeConstraint } from '../versions/constraints.ts';
import { parseFluxVersion, parseVersion, sortDescending } from '../versions/semver.ts';
import { getTypingContext } from './context.ts';

/** A resolution attached to the document that holds the HelmRelease. */
export interface DocResolution {
  doc: YamlDocument;
  resolved: ResolvedChart;
}

const VERSION_PATH = ['spec', 'chart', 'spec', 'version'];
const CHART_PATH = ['spec', 'chart', 'spec', 'chart'];

function absRange(d: DocResolution, path: PathSeg[], preferKey = false): [number, number] {
  const [s, e] = rangeForPath(d.doc.doc.contents, path, preferKey);
  return [d.doc.start + s, d.doc.start + e];
}

function hasPath(d: DocResolution, path: PathSeg[]): boolean {
  return findAtPath(d.doc.doc.contents, path).node !== undefined;
}

/** True for constraints that admit more than one version (anything but an exact version). */
export function isRange(constraint: string): boolean {
  const c = constraint.trim();
  if (c === '' || c === '*') return true;
  return parseFluxVersion(c.replace(/^=\s*/, '')) === undefined;
}

export interface PinData {
  fix: 'pin-version';
  version: string;
}

/** Diagnostics in the HelmRelease's own file. Problems with the repository itself are returned separately. */
export function chartResolutionDiagnostics(items: DocResolution[]): { own: OffsetDiagnostic[]; sources: { file: string; path: PathSeg[]; message: string }[] } {
  const own: OffsetDiagnostic[] = [];
  const sources: { file: string; path: PathSeg[]; message: string }[] = [];
  for (const d of items) {
    const r = d.resolved;
    if (r.error) {
      const severity = r.error.code === 'source-not-found' || r.error.code === 'unsupported-source' ? 'info' : 'error';
      // The reference check already reports a missing source; with the network off and no cache nothing is known.
      if (r.error.code === 'source-not-found' || r.error.code === 'not-cached') continue;
      const [start, end] = absRange(d, r.error.path);
      own.push({ start, end, severity: r.error.code === 'repository-unreachable' ? 'warning' : severity, code: r.error.code, message: r.error.message });
      if (r.error.source) sources.push({ file: r.error.source.object.file, path: r.error.source.path, message: `${r.error.message} (needed by HelmRelease ${r.release})` });
      continue;
    }
    if (r.ignoredVersion && hasPath(d, VERSION_PATH)) {
      const [start, end] = absRange(d, VERSION_PATH);
      own.push({ start, end, severity: 'hint', code: 'version-ignored', message: `Flux ignores spec.chart.spec.version for ${r.sourceKind} sources: the chart is read from its path (version ${r.version ?? 'unknown'} there)` });
      continue;
    }
    if (r.version && hasPath(d, VERSION_PATH) && isRange(r.constraint) && !r.sourceKind?.match(/GitRepository|Bucket/)) {
      const [start, end] = absRange(d, VERSION_PATH);
      const data: PinData = { fix: 'pin-version', version: r.version };
      own.push({ start, end, severity: 'hint', code: 'unpinned-version', message: `\`${r.constraint}\` is a range: today it resolves to ${r.version}, and a new chart release will upgrade this release on the next reconcile. Pin it to make upgrades a reviewed change.`, data });
    }
  }
  return { own, sources };
}

function label(r: ResolvedChart): string {
  if (r.error) return '';
  const what = r.version ?? (r.digest ? r.digest.slice(0, 19) : '?');
  const app = r.appVersion ? ` (app ${r.appVersion})` : '';
  const src = r.sourceLabel.split('/').at(-1);
  return `→ ${what}${app} · ${src}${r.stale ? ' (cached)' : ''}`;
}

export function chartVersionInlayHints(file: YamlFile, items: DocResolution[], range?: Range): InlayHint[] {
  const out: InlayHint[] = [];
  for (const d of items) {
    const text = label(d.resolved);
    if (!text) continue;
    const at = hasPath(d, VERSION_PATH) ? VERSION_PATH : hasPath(d, CHART_PATH) ? CHART_PATH : hasPath(d, ['spec', 'chartRef', 'name']) ? ['spec', 'chartRef', 'name'] : undefined;
    if (!at) continue;
    const [, end] = absRange(d, at);
    const position = file.lines.positionAt(end);
    if (range && (position.line < range.start.line || position.line > range.end.line)) continue;
    out.push({ position, label: ` ${text}`, paddingLeft: true, tooltip: d.resolved.stale ? `Resolved from a cached index: ${d.resolved.staleReason ?? 'the network was not used'}` : undefined });
  }
  return out;
}

function entryRow(e: IndexEntry): string {
  const date = e.created ? e.created.slice(0, 10) : '';
  return `| ${e.version} | ${e.appVersion ?? ''} | ${date} |`;
}

export function chartVersionHover(file: YamlFile, position: Position, items: DocResolution[]): Hover | null {
  const offset = file.lines.offsetAt(position);
  const d = items.find((x) => offset >= x.doc.start && offset <= x.doc.end);
  if (!d) return null;
  const at = findAtOffset(d.doc.doc.contents, offset - d.doc.start);
  const onVersion = at.path.length === 4 && at.path.every((seg, i) => seg === VERSION_PATH[i]);
  if (!onVersion) return null;
  const r = d.resolved;
  const lines: string[] = [`**Chart version** \`${r.constraint}\` of \`${r.chart}\` from ${r.sourceLabel}`];
  const parsed = parseConstraint(r.constraint === '*' ? '*' : r.constraint);
  if (parsed.ok && r.constraint !== '*' && isRange(r.constraint)) lines.push(`Helm reads this as: \`${describeConstraint(parsed.constraint)}\``);
  if (r.error) lines.push(`**Not resolved:** ${r.error.message}`);
  else if (r.version) lines.push(`Resolves to **${r.version}**${r.appVersion ? ` (app ${r.appVersion})` : ''}${r.stale ? ` — from a cached index (${r.staleReason ?? 'offline'})` : ''}`);
  if (r.ignoredVersion) lines.push(`Flux ignores this field for ${r.sourceKind} sources: the chart's own Chart.yaml decides.`);
  if (r.matches?.length) lines.push('', 'Newest matching versions:', '', '| version | app | created |', '|---|---|---|', ...r.matches.map(entryRow));
  if (r.olderPick) lines.push('', `Older Flux and Helm 3.17 (Masterminds semver 3.3) would pick **${r.olderPick}**: since Masterminds 3.4 a pre-release in one bound admits pre-releases for the whole range.`);
  const [s, e] = nodeRange(at.node) ?? [offset - d.doc.start, offset - d.doc.start];
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: file.lines.rangeOf(d.doc.start + s, d.doc.start + e) };
}

/** Completion of chart names (from the index) and versions (newest first, pre-releases last). */
export function chartCompletion(file: YamlFile, position: Position, index: { chartNames: string[]; entries?: IndexEntry[] } | undefined): CompletionItem[] {
  if (!index) return [];
  const ctx = getTypingContext(file, position);
  if (ctx.mode !== 'value') return [];
  const p = ctx.path.join('.');
  const replace = file.lines.rangeOf(ctx.replace[0], ctx.replace[1]);
  const lead = ctx.needsSpace ? ' ' : '';
  if (p === CHART_PATH.join('.')) {
    return index.chartNames.sort().map((name, i) => ({ label: name, kind: CompletionItemKind.Module, sortText: String(i).padStart(5, '0'), textEdit: { range: replace, newText: `${lead}${name}` }, detail: 'chart in the repository index' }));
  }
  if (p === VERSION_PATH.join('.') && index.entries) {
    const parsed = index.entries.map((e) => ({ e, v: parseVersion(e.version) })).filter((x) => x.v !== undefined) as { e: IndexEntry; v: NonNullable<ReturnType<typeof parseVersion>> }[];
    const stable = sortDescending(parsed.filter((x) => !x.v.prerelease), (x) => x.v);
    const pre = sortDescending(parsed.filter((x) => x.v.prerelease), (x) => x.v);
    return [...stable, ...pre].map((x, i) => ({
      label: x.e.version,
      kind: CompletionItemKind.Value,
      sortText: String(i).padStart(5, '0'),
      detail: `${x.e.appVersion ? `app ${x.e.appVersion}` : ''}${x.e.created ? ` · ${x.e.created.slice(0, 10)}` : ''}${x.v.prerelease ? ' · pre-release' : ''}`.replace(/^ · /, ''),
      textEdit: { range: replace, newText: `${lead}${ctx.quote ? x.e.version : `"${x.e.version}"`}` },
    }));
  }
  return [];
}

/** The quick fix for an `unpinned-version` hint. */
export function pinVersionActions(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const data = d.data as PinData | undefined;
    if (d.code !== 'unpinned-version' || data?.fix !== 'pin-version') continue;
    out.push({ title: `Pin to ${data.version}`, kind: 'quickfix', edit: { changes: { [uri]: [{ range: d.range, newText: `"${data.version}"` }] } } });
  }
  return out;
}
