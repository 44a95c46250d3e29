/**
 * Helm's version constraint language (Masterminds/semver v3 `NewConstraint`
 * and `Check`), which is not npm's. The grammar, operator meanings and the
 * pre-release rule follow the Masterminds sources (constraints.go); the
 * implementation is our own scanner, so long or odd input cannot make a
 * regular expression backtrack for ages.
 *
 * Grammar: `||` separates OR groups; inside a group, constraints are joined by
 * whitespace or `,` (AND). A constraint is an optional operator (`=`, `!=`,
 * `>`, `<`, `>=`, `=>`, `<=`, `=<`, `~`, `~>`, `^`) and a version that may use
 * `x`, `X` or `*` for missing numbers and may omit minor and patch. Hyphen
 * ranges `A - B` (spaces required) are rewritten to `>= A, <= B` first.
 *
 * Pre-releases: with the current rule (Masterminds v3.4+, current Flux and
 * Helm 4) a version with a pre-release is only admitted by an AND group in
 * which at least one constraint names a pre-release, and then every
 * constraint of the group is checked normally. With the older rule (v3.3,
 * Helm 3.17 and older Flux) each constraint decides alone: it rejects
 * pre-releases unless its own version has one (`!=` only checks this for
 * wildcard versions).
 *
 * Parsing never throws: invalid input yields an error value naming the part
 * that is wrong.
 */
import { comparePrerelease, compareVersions, parseVersion, type Version } from './semver.ts';

export type ConstraintOperator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** Which Masterminds release's pre-release rule to apply. */
export type PrereleaseRule = 'v3.4' | 'v3.3';

/** One comparison such as `>=1.2` inside an AND group. */
export interface Comparator {
  op: ConstraintOperator;
  /** The version text as written (after hyphen-range rewriting), e.g. `1.2.x`. */
  text: string;
  /** The version the comparison uses: wildcards and missing parts become 0. */
  version: Version;
  /** Some part was a wildcard or missing. */
  dirty: boolean;
  /** Minor (and so patch) was a wildcard or missing, e.g. `1` or `1.x`. */
  minorDirty: boolean;
  /** Only patch was a wildcard or missing, e.g. `1.2` or `1.2.*`. */
  patchDirty: boolean;
}

export interface Constraint {
  source: string;
  /** OR groups; each group is a list of comparators that must all hold. */
  groups: Comparator[][];
  /** Per group: does any comparator name a pre-release? */
  groupHasPrerelease: boolean[];
}

export interface ConstraintError {
  /** Human message, e.g. `improper constraint: "1.2.3.4"`. */
  message: string;
  /** The offending part of the input. */
  part: string;
  /** Offset of `part` in the original input when it can be located. */
  offset?: number;
}

export type ConstraintParse = { ok: true; constraint: Constraint } | { ok: false; error: ConstraintError };

export interface CheckOptions {
  /** Default `v3.4` (current Flux and Helm 4). */
  rule?: PrereleaseRule;
  /** Masterminds `IncludePrerelease`: admit pre-releases in every group (v3.4 rule only). */
  includePrerelease?: boolean;
}

const WS = new Set([' ', '\t', '\n', '\f', '\r']);
const TWO_CHAR_OPS = ['!=', '>=', '=>', '<=', '=<', '~>'];
const ONE_CHAR_OPS = ['=', '>', '<', '~', '^'];
// The version part of a constraint; '|' is in the number class because Masterminds' class has it too.
const CV = /v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-(?:[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(\+(?:[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?/y;
const CV_SRC = CV.source;
const RANGE = new RegExp(`[\\t\\n\\f\\r ]*(${CV_SRC})[\\t\\n\\f\\r ]+-[\\t\\n\\f\\r ]+(${CV_SRC})[\\t\\n\\f\\r ]*`, 'g');

function isX(s: string): boolean {
  return s === 'x' || s === 'X' || s === '*';
}

/** Rewrites `A - B` ranges to `>= A, <= B ` the way Masterminds does (first occurrence of each match text). */
function rewriteRanges(input: string): string {
  if (input.length > 4096) return input; // nothing sensible is that long; avoid any regex cost
  const matches = [...input.matchAll(RANGE)];
  let out = input;
  for (const m of matches) {
    out = out.replace(m[0], () => `>= ${m[1]}, <= ${m[7]} `);
  }
  return out;
}

interface RawPart {
  op: ConstraintOperator;
  cv: string;
  major: string;
  minor: string;
  patch: string;
  dashPre: string;
}

/** Scans one OR segment; `undefined` when it does not match Masterminds' validation pattern. */
function scanSegment(seg: string): RawPart[] | undefined {
  const parts: RawPart[] = [];
  let i = 0;
  const skipWs = () => {
    const start = i;
    while (i < seg.length && WS.has(seg[i])) i++;
    return i - start;
  };
  const one = (): boolean => {
    let op: ConstraintOperator = '';
    const two = seg.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) op = two as ConstraintOperator;
    else if (ONE_CHAR_OPS.includes(seg[i])) op = seg[i] as ConstraintOperator;
    i += op.length;
    skipWs();
    CV.lastIndex = i;
    const m = CV.exec(seg);
    if (!m) return false;
    i += m[0].length;
    parts.push({ op, cv: m[0], major: m[1], minor: m[2] ?? '', patch: m[3] ?? '', dashPre: m[4] ?? '' });
    return true;
  };
  skipWs();
  if (!one()) return undefined;
  for (;;) {
    const ws = skipWs();
    if (i >= seg.length) return parts;
    if (seg[i] === ',') {
      i++;
      skipWs();
    } else if (ws === 0) {
      return undefined;
    }
    if (!one()) return undefined;
  }
}

function buildComparator(p: RawPart): Comparator | undefined {
  let ver = p.cv;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(p.major)) {
    ver = `0.0.0${p.dashPre}`;
    dirty = true;
  } else if (p.minor === '' || isX(p.minor.slice(1))) {
    ver = `${p.major}.0.0${p.dashPre}`;
    dirty = minorDirty = true;
  } else if (p.patch === '' || isX(p.patch.slice(1))) {
    ver = `${p.major}${p.minor}.0${p.dashPre}`;
    dirty = patchDirty = true;
  }
  const version = parseVersion(ver);
  if (!version) return undefined;
  return { op: p.op, text: p.cv, version, dirty, minorDirty, patchDirty };
}

function locate(source: string, part: string): number | undefined {
  const trimmed = part.trim();
  if (trimmed === '') return undefined;
  const at = source.indexOf(trimmed);
  return at >= 0 ? at : undefined;
}

/** Masterminds `NewConstraint`. Never throws. */
export function parseConstraint(source: string): ConstraintParse {
  const rewritten = rewriteRanges(source);
  const groups: Comparator[][] = [];
  const groupHasPrerelease: boolean[] = [];
  for (const seg of rewritten.split('||')) {
    const raw = scanSegment(seg);
    if (!raw) {
      const part = seg;
      const message = seg.trim() === '' ? 'improper constraint: empty (nothing between "||" separators or an empty string)' : `improper constraint: "${seg.trim()}"`;
      return { ok: false, error: { message, part, offset: locate(source, part) } };
    }
    const group: Comparator[] = [];
    let hasPre = false;
    for (const p of raw) {
      const c = buildComparator(p);
      if (!c) {
        return { ok: false, error: { message: `constraint parser error: "${p.cv}" is not a usable version`, part: p.cv, offset: locate(source, p.cv) } };
      }
      if (c.version.prerelease !== '') hasPre = true;
      group.push(c);
    }
    groups.push(group);
    groupHasPrerelease.push(hasPre);
  }
  return { ok: true, constraint: { source, groups, groupHasPrerelease } };
}

const cmp = compareVersions;

function tilde(v: Version, c: Comparator): boolean {
  if (cmp(v, c.version) < 0) return false;
  const k = c.version;
  if (k.major === 0n && k.minor === 0n && k.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== k.major) return false;
  if (v.minor !== k.minor && !c.minorDirty) return false;
  return true;
}

function caret(v: Version, c: Comparator): boolean {
  const k = c.version;
  if (cmp(v, k) < 0) return false;
  if (k.major > 0n || c.minorDirty) return v.major === k.major;
  if (v.major > 0n) return false;
  if (k.minor > 0n || c.patchDirty) return v.minor === k.minor;
  if (v.minor > 0n) return false;
  return v.patch === k.patch;
}

function notEqual(v: Version, c: Comparator): boolean {
  const k = c.version;
  if (c.dirty) {
    if (k.major !== v.major) return true;
    if (k.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (k.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.prerelease !== '' || k.prerelease !== '') return comparePrerelease(v.prerelease, k.prerelease) !== 0;
      return false;
    }
  }
  return cmp(v, k) !== 0;
}

function greater(v: Version, c: Comparator): boolean {
  const k = c.version;
  if (!c.dirty) return cmp(v, k) > 0;
  if (v.major > k.major) return true;
  if (v.major < k.major) return false;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > k.minor;
  return cmp(v, k) > 0;
}

function lessOrEqual(v: Version, c: Comparator): boolean {
  const k = c.version;
  if (!c.dirty) return cmp(v, k) <= 0;
  if (v.major > k.major) return false;
  if (v.major === k.major && v.minor > k.minor && !c.minorDirty) return false;
  return true;
}

/** The comparison itself, pre-release admission already decided. */
function compareOne(v: Version, c: Comparator): boolean {
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : cmp(v, c.version) === 0;
    case '!=':
      return notEqual(v, c);
    case '>':
      return greater(v, c);
    case '<':
      return cmp(v, c.version) < 0;
    case '>=':
    case '=>':
      return cmp(v, c.version) >= 0;
    case '<=':
    case '=<':
      return lessOrEqual(v, c);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/** Does `v` pass comparator `c` under the v3.3 rule (each constraint decides about pre-releases alone)? */
function checkOldRule(v: Version, c: Comparator): boolean {
  if (v.prerelease !== '' && c.version.prerelease === '') {
    // v3.3's `!=` only looked at pre-releases for wildcard versions.
    if (c.op !== '!=' || c.dirty) return false;
  }
  return compareOne(v, c);
}

/** Does one comparator admit `v`? `groupAdmitsPre` is the group-level pre-release decision (v3.4 rule). */
export function checkComparator(v: Version, c: Comparator, groupAdmitsPre: boolean, rule: PrereleaseRule = 'v3.4'): boolean {
  if (rule === 'v3.3') return checkOldRule(v, c);
  if (v.prerelease !== '' && !groupAdmitsPre) return false;
  return compareOne(v, c);
}

/** Masterminds `Constraints.Check`: true when any OR group admits `v`. */
export function satisfies(v: Version, constraint: Constraint, options: CheckOptions = {}): boolean {
  const rule = options.rule ?? 'v3.4';
  return constraint.groups.some((group, i) => {
    const admitsPre = options.includePrerelease === true || constraint.groupHasPrerelease[i];
    return group.every((c) => checkComparator(v, c, admitsPre, rule));
  });
}

function fmt(major: bigint, minor: bigint, patch: bigint, pre = ''): string {
  return `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`;
}

/** One comparator in plain bounds, e.g. `~1.2` -> `>=1.2.0 <1.3.0`. */
export function describeComparator(c: Comparator): string {
  const k = c.version;
  const at = fmt(k.major, k.minor, k.patch, k.prerelease);
  const nextMajor = fmt(k.major + 1n, 0n, 0n);
  const nextMinor = fmt(k.major, k.minor + 1n, 0n);
  const tildeText = (): string => {
    if (k.major === 0n && k.minor === 0n && k.patch === 0n && !c.minorDirty && !c.patchDirty) return `>=${at}`;
    return `>=${at} <${c.minorDirty ? nextMajor : nextMinor}`;
  };
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tildeText() : `=${at}`;
    case '~':
    case '~>':
      return tildeText();
    case '^':
      if (k.major > 0n || c.minorDirty) return `>=${at} <${nextMajor}`;
      if (k.minor > 0n || c.patchDirty) return `>=${at} <${nextMinor}`;
      return `>=${at} <${fmt(0n, 0n, k.patch + 1n)}`;
    case '>':
      if (c.minorDirty) return `>=${nextMajor}`;
      if (c.patchDirty) return `>=${nextMinor}`;
      return `>${at}`;
    case '<':
      return `<${at}`;
    case '>=':
    case '=>':
      return `>=${at}`;
    case '<=':
    case '=<':
      if (c.minorDirty) return `<${nextMajor}`;
      // `<=1.4` admits 1.4.x; a wildcard major (`<=x`) behaves the same way and admits only 0.0.x.
      if (c.dirty) return `<${nextMinor}`;
      return `<=${at}`;
    case '!=':
      if (c.minorDirty) return `not ${k.major}.x`;
      if (c.patchDirty) return `not ${k.major}.${k.minor}.x`;
      return `!=${at}`;
  }
}

/**
 * The constraint in plain bounds for hovers: `~1.2.3, !=1.2.5 || ^2` ->
 * `>=1.2.3 <1.3.0 !=1.2.5 || >=2.0.0 <3.0.0`. Groups that admit
 * pre-releases say so.
 */
export function describeConstraint(constraint: Constraint): string {
  return constraint.groups
    .map((group, i) => {
      const text = group.map(describeComparator).join(' ');
      return constraint.groupHasPrerelease[i] ? `${text} (pre-releases included)` : text;
    })
    .join(' || ');
}
