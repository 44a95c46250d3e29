/**
 * A file read in consecutive pieces with the next piece's read already under
 * way while the caller works on the current one (SourceHost.readFilePieces):
 * the first pass over a 52 MB repository index then waits on the disk or the
 * page cache only for its first piece, and the thread pool copies the rest
 * while the pass scans. Two buffers take turns, so memory stays at two pieces
 * whatever the file's size; a piece's bytes are overwritten once the caller
 * asks for the piece after the next.
 *
 * The file is opened once: when `helm repo update` replaces it meanwhile, the
 * open file is still the old version. A file changed in place (different
 * stamp at the end, or shorter than its stamp says) yields `undefined` and
 * ends.
 */
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileStamp } from '../engine/index.ts';
import { sameStamp } from '../engine/index.ts';

type Handle = Awaited<ReturnType<typeof open>>;

/** Fills `bytes` from `position` until it is full or the file ends; the count read. */
export async function fill(handle: Handle, bytes: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < bytes.length) {
    const { bytesRead } = await handle.read(bytes, got, bytes.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** The stamp of a file's stats (what tells one version of the file from the next). */
export function stampOf(st: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): FileStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

export async function* readFilePieces(
  path: string,
  stamp: FileStamp,
  pieceBytes: number,
): AsyncGenerator<Uint8Array | undefined> {
  let handle: Handle | undefined;
  let pending: Promise<number> | undefined;
  try {
    handle = await open(path, 'r');
    if (!sameStamp(stampOf(await handle.stat()), stamp)) {
      yield undefined;
      return;
    }
    const size = Math.max(1, Math.min(pieceBytes, stamp.size));
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    const start = (turn: number, position: number): Promise<number> => {
      const want = Math.min(size, stamp.size - position);
      return fill(handle!, want === size ? buffers[turn] : buffers[turn].subarray(0, want), position);
    };
    let position = 0;
    let turn = 0;
    if (stamp.size > 0) pending = start(turn, 0);
    while (pending) {
      const got = await pending;
      pending = undefined;
      const want = Math.min(size, stamp.size - position);
      if (got !== want) {
        yield undefined; // shorter than its stamp: changed in place
        return;
      }
      const next = position + got;
      if (next < stamp.size) pending = start(1 - turn, next);
      yield buffers[turn].subarray(0, got);
      position = next;
      turn = 1 - turn;
    }
    if (!sameStamp(stampOf(await handle.stat()), stamp)) yield undefined;
  } catch {
    yield undefined;
  } finally {
    // A read still under way (the caller stopped early) must end before the descriptor is closed.
    if (pending) await pending.catch(() => 0);
    await handle?.close().catch(() => undefined);
  }
}
