/**
 * Cursor markers for engine tests. A fixture is written with a single `|`
 * where the editor's cursor would be; `withCursor` removes the marker and
 * says where it was, both as an offset and as an LSP position.
 */
import type { Position } from '../../engine/types.ts';

export interface CursorFixture {
  /** The fixture without its marker. */
  text: string;
  /** Where the marker stood (0-based line, UTF-16 character). */
  position: Position;
  /** The same place as an offset into `text`. */
  offset: number;
}

/** Splits a fixture into text and cursor. Throws when the fixture has no marker or more than one. */
export function withCursor(fixture: string, marker = '|'): CursorFixture {
  const offset = fixture.indexOf(marker);
  if (offset < 0) throw new Error(`fixture has no cursor marker \`${marker}\``);
  if (fixture.indexOf(marker, offset + marker.length) >= 0) throw new Error(`fixture has more than one cursor marker \`${marker}\``);
  const text = fixture.slice(0, offset) + fixture.slice(offset + marker.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const character = offset - (before.lastIndexOf('\n') + 1);
  return { text, position: { line, character }, offset };
}
