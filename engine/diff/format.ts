/**
 * A rendered diff as text, in the formats the CLI and CI offer:
 * - `human`: per owner a header with counts, per object `~`/`+`/`-` and its
 *   field changes (`.spec.replicas: 1 → 2`, `order changed: a, b → b, a`).
 * - `unified`: `diff -u` text per object (`--- base/<owner>/<kind>/<ns>/<name>`,
 *   `/dev/null` for an added or removed object), from line-diff.ts.
 * - `json`: the RenderedDiff itself (types.ts), pretty-printed: `baseLabel`,
 *   `headLabel`, `owners[]` (kind, id, file, status, counts, errors,
 *   objects[] with key, id, status, fields[] {path, op, before, after},
 *   secret, before/after YAML) and `totals`. Field order is fixed.
 * - `github`: Markdown for a pull-request comment (format-github.ts).
 * - `html`: one self-contained page (format-html.ts).
 */
import type { ObjectDiff, RenderedDiff } from './types.ts';
import { fieldLine, objectTitle, ownerSummary, ownerUnified, totalsLine } from './format-parts.ts';
import { formatGithub } from './format-github.ts';
import { formatHtml } from './format-html.ts';

export type DiffFormat = 'human' | 'unified' | 'json' | 'github' | 'html';

export interface FormatOptions {
  /** ANSI colours (human and unified). */
  color?: boolean;
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', bold: '\u001b[1m', reset: '\u001b[0m' };

type Paint = (code: keyof typeof ANSI, s: string) => string;

function painter(color: boolean | undefined): Paint {
  return color ? (code, s) => `${ANSI[code]}${s}${ANSI.reset}` : (_code, s) => s;
}

const MARK: Record<ObjectDiff['status'], string> = { changed: '~', added: '+', removed: '-' };
const MARK_COLOR: Record<ObjectDiff['status'], keyof typeof ANSI> = { changed: 'yellow', added: 'green', removed: 'red' };

function human(diff: RenderedDiff, paint: Paint): string {
  const out: string[] = [paint('bold', `Rendered diff: ${diff.baseLabel} → ${diff.headLabel}`), ''];
  let unchanged = 0;
  for (const o of diff.owners) {
    if (o.status === 'unchanged') {
      unchanged++;
      continue;
    }
    out.push(paint('bold', ownerSummary(o)));
    if (o.errors?.base !== undefined) out.push(paint('red', `  error in ${diff.baseLabel}: ${o.errors.base}`));
    if (o.errors?.head !== undefined) out.push(paint('red', `  error in ${diff.headLabel}: ${o.errors.head}`));
    for (const n of o.notes ?? []) out.push(paint('cyan', `  note: ${n}`));
    for (const d of o.objects) {
      out.push(paint(MARK_COLOR[d.status], `  ${MARK[d.status]} ${objectTitle(d)}`));
      for (const f of d.fields) out.push(`      ${fieldLine(f)}`);
    }
    out.push('');
  }
  if (unchanged) out.push(`${unchanged} owner${unchanged === 1 ? '' : 's'} unchanged`);
  out.push(totalsLine(diff));
  return `${out.join('\n')}\n`;
}

function unified(diff: RenderedDiff, paint: Paint): string {
  const out: string[] = [];
  for (const o of diff.owners) {
    for (const line of ownerUnified(diff, o)) {
      if (line.startsWith('---') || line.startsWith('+++')) out.push(paint('bold', line));
      else if (line.startsWith('@@')) out.push(paint('cyan', line));
      else if (line.startsWith('-')) out.push(paint('red', line));
      else if (line.startsWith('+')) out.push(paint('green', line));
      else if (line.startsWith('#')) out.push(paint('yellow', line));
      else out.push(line);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The diff in one of the output formats. */
export function formatDiff(diff: RenderedDiff, format: DiffFormat, opts?: FormatOptions): string {
  const paint = painter(opts?.color);
  switch (format) {
    case 'json':
      return `${JSON.stringify(diff, null, 2)}\n`;
    case 'unified':
      return unified(diff, paint);
    case 'github':
      return formatGithub(diff);
    case 'html':
      return formatHtml(diff);
    default:
      return human(diff, paint);
  }
}
