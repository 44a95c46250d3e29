/**
 * Which chart version Flux (or plain Helm) picks for a version constraint.
 *
 * - `selectChartVersion`: an HTTP Helm repository index. Flux rules follow
 *   source-controller `getChartVersion`: an exact string match wins; `""` and
 *   `*` mean newest stable; otherwise the constraint filters the entries whose
 *   version has exactly three numbers (fluxcd/pkg `ParseVersion`), newest
 *   first, and equal versions (differing only in build metadata) go to the
 *   newest `created`. Helm rules follow `IndexFile.Get` (what `helm install
 *   --version` does): entries sorted newest first, exact match first, then the
 *   first entry the constraint admits; loose versions such as `1.2` count.
 *
 * Ties between equal versions (build metadata only) with equal `created`
 * depend on Go's sort algorithms: helm keeps index order (Go's sort is an
 * insertion sort up to 12 entries), Flux's comparator puts the later entry
 * first (its stable sort is an insertion sort up to 20 matches). Beyond those
 * sizes Go may order such full ties differently; everything else is exact.
 * - `selectOciChartTag`: HelmRepository `type: oci`.
 * - `resolveOciRepositoryRef`: OCIRepository `spec.ref`.
 *
 * When nothing matches, the result says why and lists the nearest available
 * versions so diagnostics can offer "did you mean".
 */
import { parseConstraint, satisfies, type Constraint, type ConstraintError, type PrereleaseRule } from './constraints.ts';
import { compareVersions, formatVersion, parseFluxVersion, parseStrictVersion, parseVersion, sortDescending, type Version } from './semver.ts';

/** One version of a chart in a repository index. */
export interface IndexEntry {
  version: string;
  /** RFC 3339 timestamp as written in index.yaml. */
  created?: string;
  appVersion?: string;
  urls?: string[];
  digest?: string;
}

export interface SelectOptions {
  /** `flux` (default): source-controller's rules. `helm`: the helm CLI's rules. */
  rules?: 'flux' | 'helm';
  /** Pre-release rule of the Masterminds release in use; default `v3.4` (current Flux, Helm 4). */
  prereleaseRule?: PrereleaseRule;
}

export type NoMatchReason = 'no-versions' | 'invalid-constraint' | 'no-match';

export interface SelectMiss {
  ok: false;
  reason: NoMatchReason;
  message: string;
  /** Set for `invalid-constraint`. */
  error?: ConstraintError;
  /** Closest available versions to what was asked for, newest first; at most 5. */
  nearest: string[];
  /** Versions the constraint would admit if pre-releases were allowed (a hint to add `-0`). */
  prereleaseMatches: string[];
}

export interface SelectHit<T> {
  ok: true;
  entry: T;
  version: string;
  /** `exact`: the text equals an entry's version; `latest`: empty or `*`; `constraint`: filtered. */
  how: 'exact' | 'latest' | 'constraint';
  /** How many entries the constraint admitted (1 for an exact match). */
  matches: number;
}

export type SelectResult<T = IndexEntry> = SelectHit<T> | SelectMiss;

interface Parsed<T> {
  item: T;
  text: string;
  v: Version;
  index: number;
  /** Flux's reading of `text` (three numbers only), once it was needed; null when it is not one. */
  flux?: Version | null;
}

function fluxVersionOf(p: Parsed<unknown>): Version | null {
  if (p.flux === undefined) p.flux = parseFluxVersion(p.text) ?? null;
  return p.flux;
}

function createdMillis(created: string | undefined): number {
  if (!created) return Number.NEGATIVE_INFINITY; // Go's zero time sorts first
  const t = Date.parse(created);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The version a constraint is "about", for nearest-version hints. */
function targetOf(constraint: Constraint | undefined): Version | undefined {
  return constraint?.groups[0]?.[0]?.version;
}

/** Up to `limit` available versions closest to `target`, newest first. */
export function nearestVersions(versions: readonly string[], target: Version | undefined, limit = 5): string[] {
  const parsed = sortDescending(
    versions.map((text) => ({ text, v: parseVersion(text) })).filter((x): x is { text: string; v: Version } => x.v !== undefined),
    (x) => x.v,
  );
  if (parsed.length === 0) return [];
  if (!target) return parsed.slice(0, limit).map((x) => x.text);
  let pos = parsed.findIndex((x) => compareVersions(x.v, target) <= 0);
  if (pos < 0) pos = parsed.length;
  // Alternate above/below the target, preferring the closest on either side.
  const above = parsed.slice(0, pos).reverse();
  const below = parsed.slice(pos);
  const picked: { text: string; v: Version }[] = [];
  while (picked.length < limit && (above.length || below.length)) {
    if (below.length) picked.push(below.shift()!);
    if (picked.length < limit && above.length) picked.push(above.shift()!);
  }
  return sortDescending(picked, (x) => x.v).map((x) => x.text);
}

function miss(reason: NoMatchReason, message: string, versions: string[], constraint?: Constraint, error?: ConstraintError, rule?: PrereleaseRule): SelectMiss {
  const prereleaseMatches: string[] = [];
  if (constraint && reason === 'no-match') {
    for (const text of versions) {
      const v = parseVersion(text);
      if (v && v.prerelease !== '' && satisfies(v, constraint, { includePrerelease: true, rule: rule === 'v3.3' ? 'v3.4' : rule })) prereleaseMatches.push(text);
    }
  }
  return { ok: false, reason, message, error, nearest: nearestVersions(versions, targetOf(constraint)), prereleaseMatches: prereleaseMatches.slice(0, 5) };
}

/**
 * The order of an index's entry list, kept per list (and version reader): a
 * warm lookup in a big index reads the same list again, and parsing and
 * sorting its versions was most of the lookup (0.35-0.6 ms for 200 versions).
 * Entry lists from an index are never changed; a list whose length changed is
 * ordered again all the same.
 */
const orderCache = new WeakMap<readonly unknown[], { versionOf: unknown; length: number; ordered: readonly Parsed<unknown>[] }>();

/** Helm's index order: newest first by loose semver; entries that do not parse are dropped (helm skips them on load). */
function helmIndexOrder<T>(items: readonly T[], versionOf: (item: T) => string): readonly Parsed<T>[] {
  const hit = orderCache.get(items);
  if (hit && hit.versionOf === versionOf && hit.length === items.length) return hit.ordered as readonly Parsed<T>[];
  const ordered = sortedOrder(items, versionOf);
  orderCache.set(items, { versionOf, length: items.length, ordered });
  return ordered;
}

function sortedOrder<T>(items: readonly T[], versionOf: (item: T) => string): Parsed<T>[] {
  const parsed: Parsed<T>[] = [];
  items.forEach((item, index) => {
    const text = versionOf(item);
    const v = parseVersion(text);
    if (v) parsed.push({ item, text, v, index });
  });
  return sortDescending(parsed, (p) => p.v);
}

/**
 * Picks a chart version from repository index entries. Generic over the entry
 * type so callers can pass their own records; `versionOf` reads the version.
 */
export function selectFromIndex<T>(items: readonly T[], constraintText: string, versionOf: (item: T) => string, createdOf: (item: T) => string | undefined, options: SelectOptions = {}): SelectResult<T> {
  const rules = options.rules ?? 'flux';
  const rule = options.prereleaseRule ?? 'v3.4';
  const ordered = helmIndexOrder(items, versionOf);
  const allTexts = ordered.map((p) => p.text);
  const text = rules === 'helm' ? constraintText.trim() : constraintText;
  if (ordered.length === 0) return miss('no-versions', 'the chart has no versions in the index', allTexts);

  const latest = text === '' || (rules === 'flux' && text === '*');
  const parsed = parseConstraint(latest ? '*' : text);
  if (rules === 'helm' && !parsed.ok) return miss('invalid-constraint', parsed.error.message, allTexts, undefined, parsed.error);

  if (text !== '') {
    const exact = ordered.find((p) => p.text === text);
    if (exact) return { ok: true, entry: exact.item, version: exact.text, how: 'exact', matches: 1 };
  }
  if (!parsed.ok) return miss('invalid-constraint', parsed.error.message, allTexts, undefined, parsed.error);
  const constraint = parsed.constraint;
  const how = latest || text === '*' ? 'latest' : 'constraint';

  if (rules === 'helm') {
    const admitted = ordered.filter((p) => satisfies(p.v, constraint, { rule }));
    if (admitted.length === 0) return miss('no-match', `no chart version matches "${text}"`, allTexts, constraint, undefined, rule);
    return { ok: true, entry: admitted[0].item, version: admitted[0].text, how, matches: admitted.length };
  }

  // Flux: only three-part versions are candidates.
  const admitted: Parsed<T>[] = [];
  for (const p of ordered) {
    const fv = fluxVersionOf(p);
    if (fv && satisfies(fv, constraint, { rule })) admitted.push(p);
  }
  if (admitted.length === 0) {
    const loose = ordered.filter((p) => !fluxVersionOf(p) && satisfies(p.v, constraint, { rule }));
    const note = loose.length ? ` (Flux ignores versions without three numbers, such as ${loose.slice(0, 3).map((p) => `"${p.text}"`).join(', ')})` : '';
    return miss('no-match', `no chart version matches "${text}"${note}`, allTexts, constraint, undefined, rule);
  }
  // Newest first; equal versions go to the newest `created`. On a full tie
  // Flux's comparator moves the later index entry first.
  const ranked = admitted
    .map((p, pos) => ({ p, pos, created: createdMillis(createdOf(p.item)) }))
    .sort((a, b) => compareVersions(b.p.v, a.p.v) || compareNumbers(b.created, a.created) || b.pos - a.pos);
  const best = ranked[0].p;
  return { ok: true, entry: best.item, version: best.text, how, matches: admitted.length };
}

/**
 * The pick under the current pre-release rule and under the older one (Helm
 * 3.17, Flux before Masterminds v3.4), for hovers that warn when they differ.
 */
export function pickUnderBothRules(entries: readonly IndexEntry[], constraint: string, rules: 'flux' | 'helm' = 'flux'): { current?: string; older?: string; differs: boolean } {
  const a = selectChartVersion(entries, constraint, { rules, prereleaseRule: 'v3.4' });
  const b = selectChartVersion(entries, constraint, { rules, prereleaseRule: 'v3.3' });
  const current = a.ok ? a.version : undefined;
  const older = b.ok ? b.version : undefined;
  return { current, older, differs: current !== older };
}

/** Picks a chart version from index entries (see file header for the rules). */
const entryVersion = (e: IndexEntry): string => e.version;
const entryCreated = (e: IndexEntry): string | undefined => e.created;

export function selectChartVersion(entries: readonly IndexEntry[], constraint: string, options: SelectOptions = {}): SelectResult<IndexEntry> {
  return selectFromIndex(entries, constraint, entryVersion, entryCreated, options);
}

export interface OciTagHit {
  ok: true;
  /** The chart version, with `+` for build metadata. */
  version: string;
  /** The registry tag to pull (`+` written as `_`). */
  tag: string;
  /** `direct`: the version was a full semver and is pulled without listing tags. */
  how: 'direct' | 'exact' | 'latest' | 'constraint';
  /** Whether the registry's tag list was needed. */
  listedTags: boolean;
}

export type OciTagResult = OciTagHit | SelectMiss;

/** The tags Helm's registry client reports: `_` read back as `+`, strict semver only, newest first, canonical text. */
export function helmRegistryTags(rawTags: readonly string[]): string[] {
  const versions: Version[] = [];
  for (const tag of rawTags) {
    const v = parseStrictVersion(tag.replaceAll('_', '+'));
    if (v) versions.push(v);
  }
  return sortDescending(versions, (v) => v).map(formatVersion);
}

/**
 * HelmRepository `type: oci`: a version that is a full semver (three numbers,
 * optional `v`) is used as the tag directly; anything else lists the tags and
 * filters them like an index. Pass `rawTags` as the registry returns them
 * (`undefined` when they have not been fetched: then only the direct case can
 * be answered, and a miss says tags are needed).
 */
export function selectOciChartTag(rawTags: readonly string[] | undefined, version: string, options: { prereleaseRule?: PrereleaseRule } = {}): OciTagResult {
  if (parseFluxVersion(version)) return { ok: true, version, tag: version.replaceAll('+', '_'), how: 'direct', listedTags: false };
  if (rawTags === undefined) return { ok: false, reason: 'no-versions', message: 'the registry tags are needed to resolve this version', nearest: [], prereleaseMatches: [] };
  const tags = helmRegistryTags(rawTags);
  if (tags.length === 0) return { ok: false, reason: 'no-versions', message: 'the repository has no semver tags', nearest: [], prereleaseMatches: [] };
  if (version !== '') {
    const exact = tags.find((t) => t === version);
    if (exact) return { ok: true, version: exact, tag: exact.replaceAll('+', '_'), how: 'exact', listedTags: true };
  }
  const latest = version === '' || version === '*';
  const parsed = parseConstraint(latest ? '*' : version);
  if (!parsed.ok) return miss('invalid-constraint', parsed.error.message, tags, undefined, parsed.error);
  const rule = options.prereleaseRule ?? 'v3.4';
  const admitted = tags.filter((t) => {
    const v = parseFluxVersion(t);
    return v !== undefined && satisfies(v, parsed.constraint, { rule });
  });
  if (admitted.length === 0) return miss('no-match', `could not locate a version matching "${version}"`, tags, parsed.constraint, undefined, rule);
  // `tags` is already newest first, so the first admitted tag wins.
  return { ok: true, version: admitted[0], tag: admitted[0].replaceAll('+', '_'), how: latest ? 'latest' : 'constraint', listedTags: true };
}

/** OCIRepository `spec.ref`. */
export interface OciRef {
  digest?: string;
  semver?: string;
  semverFilter?: string;
  tag?: string;
}

export type OciRefResult =
  | { ok: true; kind: 'digest'; digest: string; ignored: ('semver' | 'tag')[] }
  | { ok: true; kind: 'semver'; tag: string; matches: number; ignored: 'tag'[] }
  | { ok: true; kind: 'tag'; tag: string; ignored: [] }
  | { ok: true; kind: 'latest'; tag: 'latest'; ignored: [] }
  | (SelectMiss & { kind: 'semver'; needsTags?: boolean });

/**
 * Which artifact an OCIRepository points at: `digest` wins over `semver`,
 * which wins over `tag`; with none of them the tag is `latest`. For `semver`,
 * tags are first filtered by the `semverFilter` regular expression, then only
 * tags that are full semvers (optional `v`) count, newest first. Tags are used
 * as written (no `_` to `+` conversion here).
 */
export function resolveOciRepositoryRef(ref: OciRef | undefined, rawTags?: readonly string[], options: { prereleaseRule?: PrereleaseRule } = {}): OciRefResult {
  if (ref?.digest) {
    const ignored: ('semver' | 'tag')[] = [];
    if (ref.semver) ignored.push('semver');
    if (ref.tag) ignored.push('tag');
    return { ok: true, kind: 'digest', digest: ref.digest, ignored };
  }
  if (ref?.semver) {
    const parsed = parseConstraint(ref.semver);
    if (!parsed.ok) return { ...miss('invalid-constraint', `semver '${ref.semver}' parse error: ${parsed.error.message}`, [], undefined, parsed.error), kind: 'semver' };
    if (rawTags === undefined) return { ok: false, kind: 'semver', reason: 'no-versions', message: 'the registry tags are needed to resolve this semver range', nearest: [], prereleaseMatches: [], needsTags: true };
    let tags = [...rawTags];
    if (ref.semverFilter) {
      let re: RegExp;
      try {
        re = new RegExp(ref.semverFilter);
      } catch (e) {
        return { ...miss('invalid-constraint', `semverFilter is not a valid regular expression: ${(e as Error).message}`, [], undefined, { message: 'invalid semverFilter', part: ref.semverFilter }), kind: 'semver' };
      }
      tags = tags.filter((t) => re.test(t));
    }
    const candidates: { tag: string; v: Version }[] = [];
    for (const tag of tags) {
      const v = parseFluxVersion(tag);
      if (v && satisfies(v, parsed.constraint, { rule: options.prereleaseRule ?? 'v3.4' })) candidates.push({ tag, v });
    }
    if (candidates.length === 0) return { ...miss('no-match', `no match found for semver: ${ref.semver}`, tags.filter((t) => parseFluxVersion(t)), parsed.constraint, undefined, options.prereleaseRule), kind: 'semver' };
    const best = sortDescending(candidates, (c) => c.v)[0];
    return { ok: true, kind: 'semver', tag: best.tag, matches: candidates.length, ignored: ref.tag ? ['tag'] : [] };
  }
  if (ref?.tag) return { ok: true, kind: 'tag', tag: ref.tag, ignored: [] };
  return { ok: true, kind: 'latest', tag: 'latest', ignored: [] };
}
