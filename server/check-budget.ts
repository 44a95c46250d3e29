/**
 * The budget of a huge document's check (issue 16): the stepped parse,
 * values, index and findings of one version of a document of a megabyte can
 * take longer than a second in all. When the check of a version is still
 * running CHECK_BUDGET_MS after that version arrived, the version gets a
 * first publish at once: one Information diagnostic on the first line that
 * says the check of this N KB document continues (never an empty list, which
 * would claim there are no problems), and the output channel says so once
 * per document (checked between the check's steps, and by a timer at the
 * deadline of the newest version, for the time it waits for a typing pause
 * or behind other messages). Between steps, the time the document's last
 * stepped check took counts as still ahead: a check that took 1.2 s last
 * time gets its note when it starts, not after a step that blocks past the
 * budget. The full findings of that version replace it
 * when the check is done, the same publish as without the note. Also the measures
 * documents.ts tells huge documents by (largestPiece, slowCheckMs).
 */
import type { Connection, Diagnostic } from 'vscode-languageserver/node';

/** How long a version's check may run before its first publish is the note. */
export const CHECK_BUDGET_MS = 500;

/** The source of the note, so the editor (and tests) can tell it from findings. */
export const PENDING_SOURCE = 'fluxhelm (check continues)';

export interface CheckBudget {
  /** A new version of the document arrived (its budget counts from now). */
  arrived(uri: string, version: number): void;
  /**
   * Between steps of the check of `version`: when its budget (or that of a newer version waiting for this check)
   * has passed and it got no publish yet, publishes the note for it.
   */
  due(uri: string, version: number, text: string): void;
  /** The findings of `version` were published (the note, if any, is replaced). */
  published(uri: string, version: number): void;
  /** A stepped check of the document starts now (its end is expected as long after as the last one took). */
  started(uri: string): void;
  /** The stepped check that started last is done: how long it took is the expectation for the next one. */
  finished(uri: string): void;
  /** True while the note is the last thing published for the document. */
  noted(uri: string): boolean;
  forget(uri: string): void;
}

/**
 * `current` gives the document's newest version and text: a version that arrived while an older one was being
 * checked waits for that check, and gets its note during it when the wait passes its budget.
 */
export function createCheckBudget(
  connection: Connection,
  current: (uri: string) => { version: number; text: string } | undefined,
  now: () => number = Date.now,
): CheckBudget {
  // When each recent version of a document arrived: typing goes on while an older version is checked.
  const arrivals = new Map<string, Map<number, number>>();
  const notes = new Map<string, number>();
  // The newest version of each document whose findings were published, and the timer of its newest version.
  const done = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const told = new Set<string>();
  // When the running stepped check of each document started, and how long its last one took from start to findings.
  const starts = new Map<string, number>();
  const costs = new Map<string, number>();

  /** `aheadMs`: how much longer the findings are expected to take (a step may block for most of it). */
  function noteIfLate(uri: string, version: number, text: string, aheadMs = 0): void {
    const at = arrivals.get(uri)?.get(version);
    if (at === undefined || notes.get(uri) === version || (done.get(uri) ?? -Infinity) >= version) return;
    if (now() - at + aheadMs < CHECK_BUDGET_MS) return;
    notes.set(uri, version);
    const kb = Math.round(text.length / 1024);
    const firstLine = /^[^\r\n]*/.exec(text)?.[0].length ?? 0;
    const note: Diagnostic = {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine } },
      severity: 3,
      source: PENDING_SOURCE,
      message: `fluxhelm is still checking this ${kb} KB document: its findings for this text follow when the check is done`,
    };
    void connection.sendDiagnostics({ uri, version, diagnostics: [note] });
    if (!told.has(uri)) {
      told.add(uri);
      connection.console.log(
        `${uri}: the check of this ${kb} KB document took over ${CHECK_BUDGET_MS} ms; a note that it continues was published for version ${version}, its findings follow when it is done`,
      );
    }
  }

  return {
    arrived(uri, version) {
      const times = arrivals.get(uri) ?? new Map<number, number>();
      arrivals.set(uri, times);
      times.set(version, now());
      if (times.size > 100) times.delete(times.keys().next().value as number);
      // Also when no step of a check runs at its deadline (waiting for a typing pause, or behind other messages).
      clearTimeout(timers.get(uri));
      timers.set(
        uri,
        setTimeout(() => {
          timers.delete(uri);
          const newest = current(uri);
          if (newest?.version === version) noteIfLate(uri, version, newest.text);
        }, CHECK_BUDGET_MS + 1),
      );
    },
    due(uri, version, text) {
      // Judged by when the findings are expected, not only by the time so far: the next step of a check that took
      // a second last time may block past the budget before the next call here.
      const cost = costs.get(uri) ?? 0;
      const start = starts.get(uri);
      const remaining = start === undefined ? 0 : Math.max(0, cost - (now() - start));
      const newest = current(uri);
      if (newest && newest.version !== version) noteIfLate(uri, newest.version, newest.text, remaining + cost);
      noteIfLate(uri, version, text, remaining);
    },
    started(uri) {
      starts.set(uri, now());
    },
    finished(uri) {
      const start = starts.get(uri);
      if (start !== undefined) costs.set(uri, now() - start);
      starts.delete(uri);
    },
    published(uri, version) {
      done.set(uri, Math.max(version, done.get(uri) ?? -Infinity));
      if ((notes.get(uri) ?? Infinity) <= version) notes.delete(uri);
    },
    noted(uri) {
      return notes.has(uri);
    },
    forget(uri) {
      clearTimeout(timers.get(uri));
      timers.delete(uri);
      done.delete(uri);
      arrivals.delete(uri);
      notes.delete(uri);
      told.delete(uri);
      starts.delete(uri);
      costs.delete(uri);
    },
  };
}

/** Length of the longest `---` piece of a text, cut where the engine cuts it (a `---` line at column 0). */
export function largestPiece(text: string): number {
  let largest = 0;
  let start = 0;
  const re = /^---(?=[ \t\r\n]|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index === 0) continue;
    largest = Math.max(largest, m.index - start);
    start = m.index;
  }
  return Math.max(largest, text.length - start);
}

/**
 * Why a document's check runs in steps after typing pauses, or undefined when it is checked in one go: longer than
 * `hugeChars`, a `---` piece longer than `pieceChars`, or its last check took `slowMs` (over SLOW_CHECK_MS).
 */
export function hugeReason(
  text: string,
  slowMs: number | undefined,
  hugeChars: number,
  pieceChars: number,
): string | undefined {
  const kb = Math.round(text.length / 1024);
  if (text.length > hugeChars) return `is ${kb} KB`;
  if (text.length > pieceChars && largestPiece(text) > pieceChars) return `is ${kb} KB with a large document in it`;
  return slowMs === undefined ? undefined : `took ${slowMs} ms to check`;
}

/** FLUXHELM_SLOW_CHECK_MS read as a number of milliseconds (100 when unset or not a number). */
export function slowCheckMs(setting: string | undefined): number {
  const n = setting === undefined || setting === '' ? NaN : Number(setting);
  return Number.isFinite(n) && n >= 0 ? n : 100;
}
