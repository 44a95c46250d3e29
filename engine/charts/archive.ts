/**
 * Safe extraction of a gzipped tar (a Helm chart `.tgz`) from bytes.
 *
 * A small tar reader: ustar and old-style headers, pax extended headers
 * (`path`, `linkpath`, `size`) and GNU long names (`L`/`K`). Nothing is
 * written anywhere; the result is a map of normalised relative paths to file
 * bytes. Hostile archives come back as errors, never exceptions:
 * absolute paths, `..` segments, links pointing outside the archive, too many
 * entries, files or totals beyond the limits, truncated or corrupt data.
 * Links that stay inside and directories are skipped (Helm ignores every
 * entry that is not a regular file).
 */
import { gunzipSync } from 'node:zlib';

export interface ArchiveLimits {
  /** Largest total of uncompressed bytes (default 100 MiB, Helm's chart limit). */
  maxTotalBytes?: number;
  /** Largest single file (default 5 MiB, Helm's per-file limit). */
  maxFileBytes?: number;
  /** Most entries of any type (default 10,000). */
  maxEntries?: number;
}

export type ArchiveResult =
  | { ok: true; files: Map<string, Uint8Array>; skipped: { path: string; reason: string }[] }
  | { ok: false; error: string };

export const DEFAULT_ARCHIVE_LIMITS: Required<ArchiveLimits> = {
  maxTotalBytes: 100 * 1024 * 1024,
  maxFileBytes: 5 * 1024 * 1024,
  maxEntries: 10_000,
};

const BLOCK = 512;
const decoder = new TextDecoder('utf-8');

function cstring(buf: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && buf[end] !== 0) end++;
  return decoder.decode(buf.subarray(start, end));
}

/** Numeric header field: octal text, or base-256 when the high bit is set. */
function numberField(buf: Uint8Array, start: number, len: number): number | undefined {
  if (buf[start] & 0x80) {
    let n = 0;
    for (let i = start; i < start + len; i++) n = n * 256 + (i === start ? buf[i] & 0x7f : buf[i]);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const text = cstring(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

function checksumOk(h: Uint8Array): boolean {
  const stored = numberField(h, 148, 8);
  if (stored === undefined) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

function parsePax(data: Uint8Array): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    let sp = pos;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = Number(decoder.decode(data.subarray(pos, sp)));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) return undefined;
    const rec = decoder.decode(data.subarray(sp + 1, pos + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Normalises an entry name; undefined when it is absolute or climbs out with `..`. */
export function safeEntryPath(name: string): string | undefined {
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n)) return undefined;
  const out: string[] = [];
  for (const seg of n.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    out.push(seg);
  }
  return out.join('/');
}

/** True when a link at `entry` pointing to `target` stays inside the archive root. */
function linkStaysInside(entry: string, target: string, hard: boolean): boolean {
  const t = target.replace(/\\/g, '/');
  if (t.startsWith('/') || /^[A-Za-z]:/.test(t)) return false;
  const parts = hard ? [] : entry.split('/').slice(0, -1);
  for (const seg of t.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else parts.push(seg);
  }
  return true;
}

/** Reads an uncompressed tar. */
export function readTar(tar: Uint8Array, limits: ArchiveLimits = {}): ArchiveResult {
  const lim = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  const files = new Map<string, Uint8Array>();
  const skipped: { path: string; reason: string }[] = [];
  let pos = 0;
  let entries = 0;
  let total = 0;
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (pos + BLOCK <= tar.length) {
    const h = tar.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) return { ok: true, files, skipped };
    if (!checksumOk(h)) return { ok: false, error: `corrupt tar header at offset ${pos} (checksum mismatch)` };
    if (++entries > lim.maxEntries) return { ok: false, error: `archive has more than ${lim.maxEntries} entries` };
    const type = String.fromCharCode(h[156] || 0x30);
    let size = numberField(h, 124, 12);
    if (size === undefined) return { ok: false, error: `corrupt tar header at offset ${pos} (bad size)` };
    const merged = { ...globalPax, ...pax };
    if (merged.size !== undefined && /^[0-9]+$/.test(merged.size)) size = Number(merged.size);
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) return { ok: false, error: `archive is truncated (entry at offset ${pos})` };
    const data = tar.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x' || type === 'g') {
      if (size > 1024 * 1024) return { ok: false, error: 'pax header too large' };
      const rec = parsePax(data);
      if (!rec) return { ok: false, error: `corrupt pax header at offset ${dataStart - BLOCK}` };
      if (type === 'x') pax = rec;
      else globalPax = { ...globalPax, ...rec };
      continue;
    }
    if (type === 'L' || type === 'K') {
      if (size > 64 * 1024) return { ok: false, error: 'GNU long name too large' };
      const text = cstring(data, 0, data.length);
      if (type === 'L') longName = text;
      else longLink = text;
      continue;
    }

    const magic = cstring(h, 257, 6);
    const prefix = magic === 'ustar' ? cstring(h, 345, 155) : '';
    let name = cstring(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    if (longName !== undefined) name = longName;
    if (merged.path !== undefined) name = merged.path;
    let link = cstring(h, 157, 100);
    if (longLink !== undefined) link = longLink;
    if (merged.linkpath !== undefined) link = merged.linkpath;
    pax = {};
    longName = undefined;
    longLink = undefined;

    const path = safeEntryPath(name);
    if (path === undefined) {
      return { ok: false, error: `archive entry '${name}' has an absolute path or leaves the archive with '..'` };
    }
    if (type === '2' || type === '1') {
      if (!linkStaysInside(path, link, type === '1')) {
        return { ok: false, error: `archive entry '${name}' is a ${type === '2' ? 'symbolic' : 'hard'} link to '${link}' outside the archive` };
      }
      skipped.push({ path, reason: `${type === '2' ? 'symbolic' : 'hard'} link (not read)` });
      continue;
    }
    if (type === '5') continue;
    if (type !== '0' && type !== '7') {
      skipped.push({ path, reason: `unsupported entry type '${type}'` });
      continue;
    }
    if (path === '') continue;
    if (size > lim.maxFileBytes) return { ok: false, error: `archive entry '${path}' is larger than ${lim.maxFileBytes} bytes` };
    total += size;
    if (total > lim.maxTotalBytes) return { ok: false, error: `archive content is larger than ${lim.maxTotalBytes} bytes` };
    files.set(path, data.slice());
  }
  if (pos < tar.length || tar.length === 0) {
    return tar.length === 0 ? { ok: false, error: 'archive is empty' } : { ok: false, error: 'archive is truncated' };
  }
  // Archives without the two end blocks are accepted, as most readers do.
  return { ok: true, files, skipped };
}

/** Gunzips and reads a `.tgz`. */
export function extractTgz(bytes: Uint8Array, limits: ArchiveLimits = {}): ArchiveResult {
  const lim = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { ok: false, error: 'not a gzip file' };
  let tar: Buffer;
  try {
    // Headers and padding come on top of the content; allow for them.
    tar = gunzipSync(bytes, { maxOutputLength: lim.maxTotalBytes + (lim.maxEntries + 2) * 2 * BLOCK });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /larger than|too large/i.test((e as Error).message)) {
      return { ok: false, error: `archive content is larger than ${lim.maxTotalBytes} bytes` };
    }
    return { ok: false, error: `cannot decompress archive: ${(e as Error).message}` };
  }
  return readTar(new Uint8Array(tar.buffer, tar.byteOffset, tar.length), lim);
}
