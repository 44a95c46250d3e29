/**
 * Mapping keys that are collections (`? [a, b]`, `{x: 1}: y`, or an alias of
 * an anchored map used as a key). Kubernetes objects have only string keys,
 * and the YAML library turns such a key into a string by writing the whole
 * collection out as YAML for its plain value: a fuzzed 1 MB document whose
 * key was a 17 KB list of maps took it 3.1 s (the cost grows faster than the
 * key), a block no check may cause. A document whose collection keys
 * together span more than MAX_COLLECTION_KEY_CHARS of text gets a finding
 * instead of a value; smaller ones are read as the library reads them (the
 * library refuses implicit keys over 1,024 characters anyway: only `? `
 * keys and aliases reach past it).
 */
import { isAlias, isCollection, isPair, type Document } from 'yaml';

/** Written out as text, keys of this size cost the library well under a few milliseconds. */
export const MAX_COLLECTION_KEY_CHARS = 1_000;

/**
 * Text that may hold a collection key when it parses without errors: an explicit `?` key, a flow collection
 * before `:`, or an alias before `:` (the library's error recovery can make a key of anything).
 */
const MAY_HAVE_COLLECTION_KEY = /\?|[\]}][ \t]*:|\*[^\s,[\]{}]+[ \t]*:/;

/** Why the document's value is not worked out, or undefined when it can be. */
export function collectionKeysTooCostly(doc: Document.Parsed, text: string): string | undefined {
  if (doc.errors.length === 0 && !MAY_HAVE_COLLECTION_KEY.test(text)) return undefined;
  let chars = 0;
  let keys = 0;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (isPair(node)) {
      const key = isAlias(node.key) ? node.key.resolve(doc) : node.key;
      if (isCollection(key) && key.range) {
        keys++;
        chars += key.range[1] - key.range[0];
      }
      stack.push(node.key, node.value);
    } else if (isCollection(node)) for (const item of node.items as unknown[]) stack.push(item);
  }
  if (chars <= MAX_COLLECTION_KEY_CHARS) return undefined;
  return `${keys === 1 ? 'A mapping key is a collection' : `${keys} mapping keys are collections`} of ${chars} characters (Kubernetes objects have only string keys)`;
}
