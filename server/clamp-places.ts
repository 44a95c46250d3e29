/**
 * Places in an answer that point into a document whose newest text is still
 * being checked (server/documents.ts): the index they come from is of an
 * older text, so every `{ uri, range }` in the answer that names such a
 * document is clamped to that document's current text.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Clamps, in place, the ranges of places in `answer` whose uri `pendingDoc` gives a document for. */
export function clampPendingPlaces<T>(answer: T, pendingDoc: (uri: string) => TextDocument | undefined): T {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as { uri?: unknown; range?: { start?: unknown; end?: unknown } };
    const doc = typeof o.uri === 'string' ? pendingDoc(o.uri) : undefined;
    if (doc && o.range && typeof o.range === 'object') {
      const clamp = (q: unknown) => doc.positionAt(doc.offsetAt(q as { line: number; character: number }));
      o.range = { start: clamp(o.range.start), end: clamp(o.range.end) };
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(answer);
  return answer;
}
