/**
 * Files changed on disk (workspace/didChangeWatchedFiles) that are not open:
 * a large one is read, parsed in steps between messages (engine
 * parseSteps, as an open huge document is), its documents' values worked
 * out one per step, and only then given to the index; the cross-file check
 * follows as after any change. Before, the whole parse ran inside the
 * notification, so a 1 MB file written by another tool held up every
 * request for about a second. A newer event for the same file drops the
 * parse in progress; a file opened meanwhile is left to the editor's text.
 * Small files and deletions are indexed at once, as before.
 */
import { fileURLToPath } from 'node:url';
import type { EngineHost, LanguageService, YamlFile } from '../engine/index.ts';
import type { Runner } from './runner.ts';

/** Files longer than this are parsed in steps (a 64 KB file costs the YAML library about 50 ms). */
const STEPPED_CHARS = 64_000;
/** The steps run for up to this long before other messages are let in. */
const SLICE_MS = 8;

export interface DiskChanges {
  /** A file changed on disk (or was deleted: `deleted`); true when the index changed at once. */
  changed(uri: string, deleted: boolean): boolean;
}

function pathOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

export function createDiskChanges(
  service: LanguageService,
  host: EngineHost,
  runner: Runner,
  isOpen: (uri: string) => boolean,
  onIndexed: () => void,
): DiskChanges {
  const jobs = new Map<string, Generator<void, void, void>>();
  let driver: NodeJS.Immediate | undefined;

  function* steps(uri: string, text: string): Generator<void, void, void> {
    const parse = service.parseSteps(uri, text);
    let file: YamlFile | undefined;
    for (let r = parse.next(); ; r = parse.next()) {
      if (r.done) {
        file = r.value;
        break;
      }
      yield;
    }
    for (const d of file.docs) {
      d.value();
      yield;
    }
    if (isOpen(uri)) return; // the editor's text wins while a file is open
    if (service.updateFile(uri, text, file)) onIndexed();
  }

  function runSlice(): void {
    driver = undefined;
    const started = Date.now();
    for (const [uri, job] of jobs) {
      try {
        for (let r = job.next(); !r.done; r = job.next()) {
          if (Date.now() - started >= SLICE_MS) {
            driver = setImmediate(runSlice);
            return;
          }
        }
      } catch (err) {
        runner.logError(`watchedFiles ${uri}`, err);
      }
      if (jobs.get(uri) === job) jobs.delete(uri);
    }
  }

  return {
    changed(uri, deleted) {
      jobs.get(uri)?.return();
      jobs.delete(uri);
      const path = pathOf(uri);
      const text = deleted || !path ? undefined : host.readFile(path);
      if (text === undefined || text.length <= STEPPED_CHARS) return service.updateFile(uri, deleted ? null : text);
      jobs.set(uri, steps(uri, text));
      driver ??= setImmediate(runSlice);
      return false;
    },
  };
}
