/**
 * From a path in a built object back to the text that produced it: the
 * last patch that set the value (or an enclosing value), else the same
 * path in the document the object came from, else the generator entry.
 * Best effort after list merges: patch paths are the paths at the time the
 * patch ran, and a later merge that reorders a list can shift indexes.
 */
import type { EngineHost } from '../host.ts';
import { spanAt } from './source.ts';
import { parsedSource } from './parsed-sources.ts';
import type { BuiltResource, FileSpan, PathSegment } from './types.ts';

export interface BuiltLocation extends FileSpan {
  /** What the span points at: a patch value, the resource's own document, or the generator entry. */
  via: 'patch' | 'resource' | 'generator';
}

function isPrefix(a: PathSegment[], b: PathSegment[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

export function locateInBuilt(host: EngineHost, resource: BuiltResource, path: PathSegment[]): BuiltLocation {
  for (let i = resource.patches.length - 1; i >= 0; i--) {
    let best: FileSpan | undefined;
    let depth = -1;
    for (const c of resource.patches[i].changes) {
      if (c.op === 'set' && isPrefix(c.path, path) && c.path.length > depth) {
        best = c;
        depth = c.path.length;
      }
    }
    if (best) return { file: best.file, start: best.start, end: best.end, via: 'patch' };
  }
  const o = resource.origin;
  if (o.type === 'file') {
    const text = host.readFile(o.file);
    const doc = text === undefined ? undefined : parsedSource(o.file, text).docs.find((d) => d.index === o.documentIndex);
    if (doc) {
      const full = o.listItem === undefined ? path : ['items', o.listItem, ...path];
      return { ...spanAt(doc, full), via: 'resource' };
    }
    return { file: o.file, start: o.start, end: o.end, via: 'resource' };
  }
  return { file: o.file, start: o.start, end: o.end, via: 'generator' };
}
