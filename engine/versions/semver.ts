/**
 * Version parsing and ordering the way Helm and Flux do it (Masterminds/semver
 * v3 semantics), written from the rules, not translated.
 *
 * Three parsers exist because the Go tools use three:
 * - `parseVersion`: Masterminds `NewVersion` (loose): optional lowercase `v`,
 *   minor and patch may be missing, leading zeros in the numbers are accepted,
 *   pre-release numeric identifiers must not have leading zeros, each number
 *   must fit in an unsigned 64-bit integer. Helm uses it for index entries.
 * - `parseStrictVersion`: Masterminds `StrictNewVersion`: exactly
 *   MAJOR.MINOR.PATCH, no `v`, no leading zeros. Helm's OCI tag listing uses it.
 * - `parseFluxVersion`: fluxcd/pkg `version.ParseVersion`: strict, except that
 *   one leading `v` is allowed. Flux only considers versions that pass it.
 *
 * Comparison ignores build metadata; a pre-release sorts below its release;
 * pre-release identifiers compare numerically when both are numbers, numbers
 * sort below words, words compare byte-wise, and a missing identifier sorts
 * below a present one.
 */

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Pre-release without the leading `-`, `''` when absent. */
  prerelease: string;
  /** Build metadata without the leading `+`, `''` when absent. */
  build: string;
  /** The text that was parsed, unchanged. */
  original: string;
}

const UINT64_MAX = (1n << 64n) - 1n;

const LOOSE_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

const IDENT_CHARS = /^[0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;

/** Parses a base-10 unsigned 64-bit number the way Go's ParseUint does; `undefined` on overflow or bad text. */
export function parseUint64(text: string): bigint | undefined {
  if (!DIGITS.test(text)) return undefined;
  const n = BigInt(text);
  return n > UINT64_MAX ? undefined : n;
}

/** Why a pre-release string is invalid, or `undefined` when it is fine. */
function prereleaseProblem(pre: string): string | undefined {
  for (const part of pre.split('.')) {
    if (part === '') return `empty identifier in pre-release "${pre}"`;
    if (DIGITS.test(part)) {
      if (part.length > 1 && part[0] === '0') return `numeric pre-release identifier "${part}" has a leading zero`;
    } else if (!IDENT_CHARS.test(part)) {
      return `invalid characters in pre-release "${pre}"`;
    }
  }
  return undefined;
}

function buildProblem(build: string): string | undefined {
  for (const part of build.split('.')) {
    if (part === '' || !IDENT_CHARS.test(part)) return `invalid build metadata "${build}"`;
  }
  return undefined;
}

/**
 * Explains why `text` is not a version for Masterminds `NewVersion`, or
 * returns `undefined` when it parses.
 */
export function versionProblem(text: string): string | undefined {
  const m = LOOSE_VERSION.exec(text);
  if (!m) {
    if (text === '') return 'the version is empty';
    if (/^V/.test(text)) return 'only a lowercase "v" prefix is allowed';
    return `"${text}" is not a semantic version`;
  }
  for (const part of [m[1], m[2]?.slice(1), m[3]?.slice(1)]) {
    if (part !== undefined && parseUint64(part) === undefined) return `version number "${part}" is too large`;
  }
  if (m[4] !== undefined) {
    const p = prereleaseProblem(m[4]);
    if (p) return p;
  }
  return undefined;
}

/** Masterminds `NewVersion` (v3.4+ loose parsing). `undefined` when the text is not a version. */
export function parseVersion(text: string): Version | undefined {
  const m = LOOSE_VERSION.exec(text);
  if (!m) return undefined;
  const major = parseUint64(m[1]);
  const minor = m[2] === undefined ? 0n : parseUint64(m[2].slice(1));
  const patch = m[3] === undefined ? 0n : parseUint64(m[3].slice(1));
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease = m[4] ?? '';
  if (prerelease && prereleaseProblem(prerelease)) return undefined;
  return { major, minor, patch, prerelease, build: m[5] ?? '', original: text };
}

/** Masterminds `StrictNewVersion`: exactly three numbers, no `v`, no leading zeros. */
export function parseStrictVersion(text: string): Version | undefined {
  if (text === '') return undefined;
  const first = text.indexOf('.');
  if (first < 0) return undefined;
  const second = text.indexOf('.', first + 1);
  if (second < 0) return undefined;
  const parts = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  let build = '';
  let prerelease = '';
  const plus = parts[2].indexOf('+');
  if (plus >= 0) {
    build = parts[2].slice(plus + 1);
    parts[2] = parts[2].slice(0, plus);
    if (buildProblem(build)) return undefined;
  }
  const dash = parts[2].indexOf('-');
  if (dash >= 0) {
    prerelease = parts[2].slice(dash + 1);
    parts[2] = parts[2].slice(0, dash);
    if (prereleaseProblem(prerelease)) return undefined;
  }
  const nums: bigint[] = [];
  for (const p of parts) {
    if (p.length > 1 && p[0] === '0') return undefined;
    const n = parseUint64(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  return { major: nums[0], minor: nums[1], patch: nums[2], prerelease, build, original: text };
}

/**
 * fluxcd/pkg `version.ParseVersion`: the text without one leading `v` must be
 * a strict MAJOR.MINOR.PATCH version. The result keeps the original text.
 */
export function parseFluxVersion(text: string): Version | undefined {
  const bare = text.startsWith('v') ? text.slice(1) : text;
  if (!parseStrictVersion(bare)) return undefined;
  return parseVersion(text);
}

/** The canonical text of a version (no `v`, all three numbers), as Masterminds `String()` prints it. */
export function formatVersion(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.prerelease) s += `-${v.prerelease}`;
  if (v.build) s += `+${v.build}`;
  return s;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrereleasePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = parseUint64(s);
  const on = parseUint64(o);
  if (sn === undefined && on === undefined) return s > o ? 1 : -1;
  if (on === undefined) return -1; // s is a number, o a word
  if (sn === undefined) return 1; // s is a word, o a number
  return sn > on ? 1 : -1;
}

/** Orders two pre-release strings (without `-`) identifier by identifier. */
export function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  const n = Math.max(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const d = comparePrereleasePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** -1, 0 or 1. Build metadata is ignored, so `1.0.0+a` equals `1.0.0+b`. */
export function compareVersions(a: Version, b: Version): number {
  const d = compareBig(a.major, b.major) || compareBig(a.minor, b.minor) || compareBig(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.prerelease === '' && b.prerelease === '') return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** Sorts newest first; equal versions keep their input order. */
export function sortDescending<T>(items: readonly T[], version: (item: T) => Version): T[] {
  return items
    .map((item, i) => ({ item, i, v: version(item) }))
    .sort((x, y) => compareVersions(y.v, x.v) || x.i - y.i)
    .map((x) => x.item);
}
