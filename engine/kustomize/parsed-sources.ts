/**
 * The last parse of each file's text, shared by the read-only lookups that
 * need a document's nodes for spans (a Flux Kustomization's own document,
 * a base object's document index, a built value's source line). Without it
 * every object of a file re-parsed the whole file, so a file of 200 objects
 * cost 200 full parses per refresh. A parse is reused only for the very same
 * text; the number of files kept is bounded.
 *
 * Callers must not change what they get (the kustomize build, which edits
 * the objects it loads, keeps parsing its own copy).
 */
import { parseSource, type ParsedSource } from './source.ts';

const MAX_FILES = 1024;
const cache = new Map<string, { text: string; parsed: ParsedSource }>();

/** `parseSource(file, text)` (identity offset map, resource schema), reused while the text is unchanged. */
export function parsedSource(file: string, text: string): ParsedSource {
  const hit = cache.get(file);
  if (hit && hit.text === text) {
    // Refresh the entry's position so the least recently used file is dropped first.
    cache.delete(file);
    cache.set(file, hit);
    return hit.parsed;
  }
  const parsed = parseSource(file, text);
  cache.delete(file);
  cache.set(file, { text, parsed });
  if (cache.size > MAX_FILES) cache.delete(cache.keys().next().value as string);
  return parsed;
}
