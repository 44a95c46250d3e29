/**
 * The protocol's rules for answers, as code: every range lies inside the
 * document it points into (lines that exist, characters within their line,
 * start before end), symbols have a non-blank name and children inside
 * their parent (selection inside the symbol), and a completion item's text
 * edit is one line that contains the cursor. Editors reject answers that
 * break these rules, sometimes the whole answer for one bad item (VS Code
 * drops an outline with one nameless symbol).
 *
 * Two kinds of functions per answer type: `check…` lists the violations
 * (for tests and the robustness run), `…InDocument` returns the answer
 * made valid (ranges clamped, nameless symbols and unusable completion
 * edits dropped) for the one place where engine results become LSP
 * answers. Both are pure and never throw, whatever they are given.
 */
import type { CompletionItem, CompletionList, DocumentSymbol, Hover, InlayHint, CodeLens, Location, Position, Range, TextEdit, WorkspaceEdit, CodeAction } from '../types.ts';
import type { LineIndex } from '../yaml/lines.ts';

/** The line index of the document a URI names (open or indexed), for answers that point into other files. */
export type LinesOf = (uri: string) => LineIndex | undefined;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function lineLength(lines: LineIndex, line: number): number {
  return lines.lineEnd(line) - lines.lineStarts[line];
}

// ---------------------------------------------------------------------------
// Positions and ranges

/** Why `p` is not a position inside the document, or undefined when it is. */
export function positionProblem(lines: LineIndex, p: unknown): string | undefined {
  if (!isObject(p)) return 'not a position';
  const { line, character } = p as { line: unknown; character: unknown };
  if (!Number.isInteger(line) || !Number.isInteger(character)) return `not integers: ${JSON.stringify(p)}`;
  const l = line as number;
  const c = character as number;
  if (l < 0 || c < 0) return `negative: ${l}:${c}`;
  if (l >= lines.lineCount) return `line ${l} past the last line ${lines.lineCount - 1}`;
  const len = lineLength(lines, l);
  if (c > len) return `character ${c} past the end of line ${l} (length ${len})`;
  return undefined;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Why `r` is not a range inside the document, or undefined when it is. */
export function rangeProblem(lines: LineIndex, r: unknown): string | undefined {
  if (!isObject(r)) return 'not a range';
  const range = r as unknown as Range;
  const s = positionProblem(lines, range.start);
  if (s) return `start ${s}`;
  const e = positionProblem(lines, range.end);
  if (e) return `end ${e}`;
  if (before(range.end, range.start)) return `end ${range.end.line}:${range.end.character} before start ${range.start.line}:${range.start.character}`;
  return undefined;
}

/** The nearest position inside the document (a character past its line means the line's end). */
export function clampPosition(lines: LineIndex, p: unknown): Position {
  return lines.positionAt(lines.offsetAt(p as Position));
}

/** `r` with both ends moved inside the document and the end not before the start. */
export function clampRange(lines: LineIndex, r: unknown): Range {
  const range = isObject(r) ? (r as unknown as Range) : undefined;
  const start = lines.offsetAt(range?.start as Position);
  const end = Math.max(start, lines.offsetAt(range?.end as Position));
  return lines.rangeOf(start, end);
}

function contains(outer: Range, inner: Range): boolean {
  return !before(inner.start, outer.start) && !before(outer.end, inner.end);
}

function containsPosition(r: Range, p: Position): boolean {
  return !before(p, r.start) && !before(r.end, p);
}

/** `inner` cut to `outer`, or undefined when they do not meet. */
function intersect(outer: Range, inner: Range): Range | undefined {
  const start = before(inner.start, outer.start) ? outer.start : inner.start;
  const end = before(outer.end, inner.end) ? outer.end : inner.end;
  return before(end, start) ? undefined : { start, end };
}

// ---------------------------------------------------------------------------
// Diagnostics

interface HasRange {
  range: Range;
  message?: unknown;
  related?: { range: Range; uri?: string }[];
  relatedInformation?: { location: Location }[];
}

export function checkDiagnostics(lines: LineIndex, list: unknown): string[] {
  if (!Array.isArray(list)) return ['diagnostics: not an array'];
  const out: string[] = [];
  list.forEach((d: HasRange, i) => {
    const p = rangeProblem(lines, d?.range);
    if (p) out.push(`diagnostic ${i} (${String(d?.message ?? '').slice(0, 60)}): range ${p}`);
    if (typeof d?.message !== 'string' || d.message.trim() === '') out.push(`diagnostic ${i}: empty message`);
  });
  return out;
}

/** Diagnostics with every range inside the document (related places in the same document too). */
export function diagnosticsInDocument<T extends HasRange>(lines: LineIndex, list: T[]): T[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((d) => {
    const fixed = { ...d, range: clampRange(lines, d.range) };
    if (Array.isArray(d.related)) fixed.related = d.related.map((r) => (r.uri ? r : { ...r, range: clampRange(lines, r.range) }));
    return fixed;
  });
}

// ---------------------------------------------------------------------------
// Document symbols

export function checkSymbols(lines: LineIndex, list: unknown): string[] {
  const out: string[] = [];
  const walk = (symbols: unknown, parent: Range | undefined, path: string) => {
    if (!Array.isArray(symbols)) {
      out.push(`${path}: children not an array`);
      return;
    }
    symbols.forEach((s: DocumentSymbol, i) => {
      const here = `${path}/${i}(${isObject(s) ? String(s.name) : '?'})`;
      if (!isObject(s)) return void out.push(`${here}: not a symbol`);
      if (typeof s.name !== 'string' || s.name.trim() === '') out.push(`${here}: empty name`);
      const r = rangeProblem(lines, s.range);
      const sel = rangeProblem(lines, s.selectionRange);
      if (r) out.push(`${here}: range ${r}`);
      if (sel) out.push(`${here}: selectionRange ${sel}`);
      if (!r && !sel && !contains(s.range, s.selectionRange)) out.push(`${here}: selectionRange outside range`);
      if (!r && parent && !contains(parent, s.range)) out.push(`${here}: range outside its parent`);
      if (s.children !== undefined) walk(s.children, r ? undefined : s.range, here);
    });
  };
  walk(list, undefined, 'symbols');
  return out;
}

/** Symbols the editor accepts: blank names dropped, ranges clamped, children cut to their parent. */
export function symbolsInDocument(lines: LineIndex, list: DocumentSymbol[]): DocumentSymbol[] {
  const fix = (symbols: unknown, parent: Range | undefined): DocumentSymbol[] => {
    if (!Array.isArray(symbols)) return [];
    const out: DocumentSymbol[] = [];
    for (const s of symbols as DocumentSymbol[]) {
      if (!isObject(s) || typeof s.name !== 'string' || s.name.trim() === '') continue;
      let range: Range | undefined = clampRange(lines, s.range);
      if (parent) range = intersect(parent, range);
      if (!range) continue;
      const selection = intersect(range, clampRange(lines, s.selectionRange)) ?? { start: range.start, end: range.start };
      const fixed: DocumentSymbol = { ...s, range, selectionRange: selection };
      if (s.children !== undefined) fixed.children = fix(s.children, range);
      out.push(fixed);
    }
    return out;
  };
  return fix(list, undefined);
}

// ---------------------------------------------------------------------------
// Completion

type EditLike = { range?: Range; insert?: Range; replace?: Range; newText?: unknown };

function itemsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (isObject(result) && Array.isArray(result.items)) return result.items;
  return [];
}

function editRanges(edit: EditLike): Range[] {
  return 'insert' in edit || 'replace' in edit ? [edit.insert as Range, edit.replace as Range] : [edit.range as Range];
}

/** Problems of one completion edit range: inside the document, one line, containing the cursor. */
function completionRangeProblem(lines: LineIndex, cursor: Position, r: Range): string | undefined {
  const p = rangeProblem(lines, r);
  if (p) return p;
  if (r.start.line !== r.end.line) return 'spans several lines';
  if (!containsPosition(r, cursor)) return `does not contain the cursor ${cursor.line}:${cursor.character}`;
  return undefined;
}

export function checkCompletion(lines: LineIndex, cursor: Position, result: unknown): string[] {
  if (result === null || result === undefined) return [];
  if (!Array.isArray(result) && !(isObject(result) && Array.isArray(result.items))) return ['completion: neither a list nor an array'];
  const out: string[] = [];
  (itemsOf(result) as CompletionItem[]).forEach((item, i) => {
    const here = `completion ${i} (${isObject(item) ? String(item.label) : '?'})`;
    if (!isObject(item)) return void out.push(`${here}: not an item`);
    if (typeof item.label !== 'string' || item.label === '') out.push(`${here}: empty label`);
    if (item.textEdit) {
      for (const r of editRanges(item.textEdit as EditLike)) {
        const p = completionRangeProblem(lines, cursor, r);
        if (p) out.push(`${here}: textEdit range ${p}`);
      }
    }
    for (const e of item.additionalTextEdits ?? []) {
      const p = rangeProblem(lines, e?.range);
      if (p) out.push(`${here}: additionalTextEdit range ${p}`);
    }
  });
  return out;
}

/**
 * Completion the editor accepts: additional edits clamped into the document;
 * an item whose main edit is not one line holding the cursor (even after
 * clamping) is dropped, since applying it would edit the wrong text.
 */
export function completionInDocument<T extends CompletionList | CompletionItem[] | null | undefined>(lines: LineIndex, cursor: Position, result: T): T {
  if (result === null || result === undefined) return result;
  const at = clampPosition(lines, cursor);
  const items: CompletionItem[] = [];
  for (const item of itemsOf(result) as CompletionItem[]) {
    if (!isObject(item) || typeof item.label !== 'string' || item.label === '') continue;
    const fixed: CompletionItem = { ...item };
    if (item.textEdit) {
      const e = item.textEdit as EditLike;
      const clamp = (r: Range | undefined) => clampRange(lines, r);
      const edit = 'insert' in e || 'replace' in e ? { ...e, insert: clamp(e.insert), replace: clamp(e.replace) } : { ...e, range: clamp(e.range) };
      if (editRanges(edit as EditLike).some((r) => completionRangeProblem(lines, at, r))) continue;
      fixed.textEdit = edit as CompletionItem['textEdit'];
    }
    if (Array.isArray(item.additionalTextEdits)) fixed.additionalTextEdits = item.additionalTextEdits.filter(isObject).map((t) => ({ ...t, range: clampRange(lines, t.range) }));
    items.push(fixed);
  }
  return (Array.isArray(result) ? items : { ...(result as CompletionList), items }) as T;
}

// ---------------------------------------------------------------------------
// Hover, inlay hints, code lenses

export function checkHover(lines: LineIndex, hover: unknown): string[] {
  if (hover === null || hover === undefined) return [];
  if (!isObject(hover) || hover.contents === undefined) return ['hover: no contents'];
  const p = hover.range === undefined ? undefined : rangeProblem(lines, hover.range);
  return p ? [`hover range ${p}`] : [];
}

export function hoverInDocument(lines: LineIndex, hover: Hover | null | undefined): Hover | null {
  if (!isObject(hover) || hover.contents === undefined) return null;
  return hover.range === undefined ? hover : { ...hover, range: clampRange(lines, hover.range) };
}

export function checkInlayHints(lines: LineIndex, hints: unknown): string[] {
  if (hints === null || hints === undefined) return [];
  if (!Array.isArray(hints)) return ['inlay hints: not an array'];
  const out: string[] = [];
  hints.forEach((h: InlayHint, i) => {
    const p = positionProblem(lines, h?.position);
    if (p) out.push(`inlay hint ${i}: position ${p}`);
    const label = h?.label;
    if (label === undefined || label === '' || (Array.isArray(label) && label.length === 0)) out.push(`inlay hint ${i}: empty label`);
  });
  return out;
}

export function inlayHintsInDocument(lines: LineIndex, hints: InlayHint[] | null | undefined): InlayHint[] {
  if (!Array.isArray(hints)) return [];
  return hints.filter((h) => isObject(h) && h.label !== '' && h.label !== undefined).map((h) => ({ ...h, position: clampPosition(lines, h.position) }));
}

export function checkCodeLenses(lines: LineIndex, lenses: unknown): string[] {
  if (lenses === null || lenses === undefined) return [];
  if (!Array.isArray(lenses)) return ['code lenses: not an array'];
  const out: string[] = [];
  lenses.forEach((l: CodeLens, i) => {
    const p = rangeProblem(lines, l?.range);
    if (p) out.push(`code lens ${i}: range ${p}`);
  });
  return out;
}

export function codeLensesInDocument(lines: LineIndex, lenses: CodeLens[] | null | undefined): CodeLens[] {
  if (!Array.isArray(lenses)) return [];
  return lenses.filter(isObject).map((l) => ({ ...l, range: clampRange(lines, l.range) }));
}

// ---------------------------------------------------------------------------
// Answers that point into other files: locations, workspace edits, code actions

export function checkLocations(linesOf: LinesOf, list: unknown): string[] {
  if (list === null || list === undefined) return [];
  const all = Array.isArray(list) ? list : [list];
  const out: string[] = [];
  all.forEach((l: Location, i) => {
    if (!isObject(l) || typeof l.uri !== 'string') return void out.push(`location ${i}: no uri`);
    const lines = linesOf(l.uri);
    const p = lines ? rangeProblem(lines, l.range) : undefined;
    if (p) out.push(`location ${i} (${l.uri}): range ${p}`);
  });
  return out;
}

/** Locations with ranges clamped in the documents that are known; unknown documents are left as they are. */
export function locationsInWorkspace(linesOf: LinesOf, list: Location[] | null | undefined): Location[] {
  if (!Array.isArray(list)) return [];
  return list.filter((l) => isObject(l) && typeof l.uri === 'string').map((l) => {
    const lines = linesOf(l.uri);
    return lines ? { ...l, range: clampRange(lines, l.range) } : l;
  });
}

export function checkWorkspaceEdit(linesOf: LinesOf, edit: unknown): string[] {
  if (edit === null || edit === undefined) return [];
  if (!isObject(edit)) return ['workspace edit: not an object'];
  const out: string[] = [];
  const changes = isObject(edit.changes) ? (edit.changes as Record<string, TextEdit[]>) : {};
  for (const [uri, edits] of Object.entries(changes)) {
    const lines = linesOf(uri);
    if (!Array.isArray(edits)) out.push(`edit of ${uri}: not an array`);
    else if (lines) edits.forEach((e, i) => {
      const p = rangeProblem(lines, e?.range);
      if (p) out.push(`edit ${i} of ${uri}: range ${p}`);
    });
  }
  for (const dc of Array.isArray(edit.documentChanges) ? edit.documentChanges : []) {
    const uri = isObject(dc) && isObject(dc.textDocument) ? String(dc.textDocument.uri) : undefined;
    const lines = uri ? linesOf(uri) : undefined;
    if (lines && Array.isArray(dc.edits)) dc.edits.forEach((e: TextEdit, i: number) => {
      const p = rangeProblem(lines, e?.range);
      if (p) out.push(`edit ${i} of ${uri}: range ${p}`);
    });
  }
  return out;
}

export function workspaceEditInWorkspace(linesOf: LinesOf, edit: WorkspaceEdit): WorkspaceEdit {
  if (!isObject(edit)) return {};
  const fixEdits = (uri: string, edits: TextEdit[]) => {
    const lines = linesOf(uri);
    return Array.isArray(edits) ? edits.filter(isObject).map((e) => (lines ? { ...e, range: clampRange(lines, e.range) } : e)) : [];
  };
  const out: WorkspaceEdit = { ...edit };
  if (isObject(edit.changes)) out.changes = Object.fromEntries(Object.entries(edit.changes).map(([uri, edits]) => [uri, fixEdits(uri, edits)]));
  if (Array.isArray(edit.documentChanges)) {
    out.documentChanges = edit.documentChanges.map((dc) => (isObject(dc) && 'edits' in dc && isObject(dc.textDocument) ? { ...dc, edits: fixEdits(dc.textDocument.uri, dc.edits as TextEdit[]) } : dc)) as WorkspaceEdit['documentChanges'];
  }
  return out;
}

export function checkCodeActions(linesOf: LinesOf, uri: string, actions: unknown): string[] {
  if (actions === null || actions === undefined) return [];
  if (!Array.isArray(actions)) return ['code actions: not an array'];
  const out: string[] = [];
  const lines = linesOf(uri);
  actions.forEach((a: CodeAction, i) => {
    if (!isObject(a) || typeof a.title !== 'string' || a.title.trim() === '') out.push(`code action ${i}: no title`);
    if (isObject(a) && a.edit) out.push(...checkWorkspaceEdit(linesOf, a.edit).map((p) => `code action ${i}: ${p}`));
    if (isObject(a) && lines && Array.isArray(a.diagnostics)) out.push(...checkDiagnostics(lines, a.diagnostics).map((p) => `code action ${i}: ${p}`));
  });
  return out;
}

export function codeActionsInWorkspace(linesOf: LinesOf, actions: CodeAction[] | null | undefined): CodeAction[] {
  if (!Array.isArray(actions)) return [];
  return actions.filter((a) => isObject(a) && typeof a.title === 'string' && a.title.trim() !== '').map((a) => (a.edit ? { ...a, edit: workspaceEditInWorkspace(linesOf, a.edit) } : a));
}
