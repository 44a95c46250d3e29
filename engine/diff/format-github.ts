/**
 * A rendered diff as Markdown for a pull-request comment: a title, a
 * summary table of the owners that differ, then one collapsible `<details>`
 * section per owner holding a ```diff block of its objects. GitHub refuses
 * comments longer than 65,536 characters, so the text is kept under that:
 * an owner's block is cut at a line boundary and later owners are left out,
 * with a note saying how many and how to see everything.
 */
import type { OwnerDiff, RenderedDiff } from './types.ts';
import { escapeHtml, ownerSummary, ownerUnified, totalsLine } from './format-parts.ts';

/** GitHub's limit on the body of an issue or pull-request comment. */
export const GITHUB_COMMENT_LIMIT = 65536;
/** Room kept for the closing note. */
const RESERVE = 600;

/** Text inside a table cell: HTML-escaped, pipes and newlines neutralized. */
function cell(s: string): string {
  return escapeHtml(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A fence longer than any run of backticks in the text. */
function fenceFor(lines: string[]): string {
  let longest = 0;
  for (const l of lines) for (const m of l.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function section(diff: RenderedDiff, o: OwnerDiff, budget: number): { text: string; cut: boolean } {
  const head = `<details><summary>${escapeHtml(ownerSummary(o))}</summary>\n\n`;
  const body = ownerUnified(diff, o);
  const fence = fenceFor(body);
  const tail = `${fence}\n\n</details>\n\n`;
  const open = `${fence}diff\n`;
  const full = `${head}${open}${body.join('\n')}\n${tail}`;
  if (full.length <= budget) return { text: full, cut: false };
  const note = `… (cut: ${body.length} lines in all)\n`;
  let room = budget - head.length - open.length - tail.length - note.length;
  const kept: string[] = [];
  for (const l of body) {
    if (l.length + 1 > room) break;
    kept.push(l);
    room -= l.length + 1;
  }
  if (kept.length === 0) return { text: '', cut: true };
  return { text: `${head}${open}${kept.join('\n')}\n${note}${tail}`, cut: true };
}

/** The diff as a GitHub comment (at most `limit` characters). */
export function formatGithub(diff: RenderedDiff, limit = GITHUB_COMMENT_LIMIT): string {
  const parts: string[] = [];
  parts.push(`### Rendered diff: ${cell(diff.baseLabel)} → ${cell(diff.headLabel)}\n\n`);
  parts.push(`${cell(totalsLine(diff))}\n\n`);
  const shown = diff.owners.filter((o) => o.status !== 'unchanged');
  const unchanged = diff.owners.length - shown.length;
  if (shown.length === 0) {
    parts.push('No differences in the rendered objects.\n');
    return parts.join('');
  }
  const rows = ['| Owner | Status | Changed | Added | Removed |', '|---|---|---:|---:|---:|'];
  for (const o of shown) rows.push(`| ${cell(o.kind)} \`${cell(o.id).replace(/`/g, "'")}\` | ${o.status} | ${o.counts.changed} | ${o.counts.added} | ${o.counts.removed} |`);
  let used = parts.join('').length;
  let rowsShown = 0;
  const table: string[] = [];
  for (const r of rows) {
    if (used + r.length + 1 > limit / 4) break;
    table.push(r);
    used += r.length + 1;
    rowsShown++;
  }
  parts.push(`${table.join('\n')}\n`);
  if (rowsShown < rows.length) parts.push(`\n… and ${rows.length - rowsShown} more owners not in this table.\n`);
  if (unchanged) parts.push(`\n${unchanged} owner${unchanged === 1 ? '' : 's'} unchanged.\n`);
  parts.push('\n');
  used = parts.join('').length;
  let left = 0;
  let cut = false;
  for (const [i, o] of shown.entries()) {
    const s = section(diff, o, limit - RESERVE - used);
    if (s.text) {
      parts.push(s.text);
      used += s.text.length;
    }
    if (s.cut) {
      cut = true;
      left = shown.length - i - (s.text ? 1 : 0);
      break;
    }
  }
  if (cut) {
    const more = left ? ` ${left} more owner${left === 1 ? '' : 's'} not shown.` : '';
    parts.push(`> **Note:** this comment was cut to stay under GitHub's ${limit}-character limit.${more} Run \`fluxhelm diff --format html\` to see the whole diff.\n`);
  }
  return parts.join('');
}
