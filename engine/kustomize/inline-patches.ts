/**
 * Inline patches (the strings of a kustomization's `patches[].patch` and
 * `patchesStrategicMerge`) parsed once per text: a build parsed every inline
 * patch again, so typing in a kustomization file with 2,500 inline patches
 * (a fuzz-grown 800 KB file) cost 2,500 parses per build, although the edit
 * changed one of them at most. The parse of a text is kept (the most recently
 * used texts, up to MAX_CHARS of them) and each use gets its documents and
 * findings placed by its own offset map. Callers must not change what they
 * get, as with parsed-sources.ts (the merge and JSON patches clone what they
 * take).
 */
import { parseSource, type OffsetMap, type ParsedSource } from './source.ts';

/** Texts kept, in characters altogether; a longer text is parsed each time (the editor's parse is shared for those). */
const MAX_CHARS = 4_000_000;
const MAX_TEXT_CHARS = 200_000;

const cache = new Map<string, ParsedSource>();
let cachedChars = 0;

function parsedInline(text: string): ParsedSource {
  const hit = cache.get(text);
  if (hit) {
    // The least recently used text goes first.
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const parsed = parseSource('', text);
  if (text.length > MAX_TEXT_CHARS) return parsed;
  cache.set(text, parsed);
  cachedChars += text.length;
  for (const [old] of cache) {
    if (cachedChars <= MAX_CHARS) break;
    cache.delete(old);
    cachedChars -= old.length;
  }
  return parsed;
}

/** `parseSource(file, text, map)`, the same documents and findings, from the kept parse of `text` when there is one. */
export function parseInline(file: string, text: string, map: OffsetMap = (o) => o): ParsedSource {
  const parsed = parsedInline(text);
  return {
    docs: parsed.docs.map((d) => ({ ...d, file, map })),
    // parseSource placed them with the identity map: offsets in the text.
    diagnostics: parsed.diagnostics.map((d) => ({ ...d, file, start: map(d.start), end: map(d.end) })),
    ...(parsed.count !== undefined ? { count: parsed.count } : {}),
  };
}
