/**
 * A rendered diff as one self-contained HTML page: inline CSS, no scripts
 * and no external assets, every piece of text HTML-escaped. A summary table
 * of the owners, then a section per owner with its errors and, per object,
 * its field changes and a coloured `diff -u` of its YAML.
 */
import type { ObjectDiff, OwnerDiff, RenderedDiff } from './types.ts';
import { escapeHtml, fieldLine, objectTitle, objectUnified, ownerSummary, totalsLine } from './format-parts.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1f2328;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.3em}
h3{font-size:1em;margin:1.2em 0 .4em}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}td.n{text-align:right}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;border-radius:6px}
.add{color:#116329;background:#dafbe1;display:block}.del{color:#82071e;background:#ffebe9;display:block}
.hunk{color:#0550ae;display:block}.file{color:#57606a;display:block}
.error{color:#82071e}.s-added{color:#116329}.s-removed{color:#82071e}.s-changed{color:#9a6700}.s-error{color:#82071e}
ul.fields{margin:.2em 0 .6em;padding-left:1.4em}
`;

function diffLineHtml(line: string): string {
  const t = escapeHtml(line);
  if (line.startsWith('---') || line.startsWith('+++')) return `<span class="file">${t}</span>`;
  if (line.startsWith('@@')) return `<span class="hunk">${t}</span>`;
  if (line.startsWith('+')) return `<span class="add">${t}</span>`;
  if (line.startsWith('-')) return `<span class="del">${t}</span>`;
  return `${t}\n`;
}

function objectHtml(o: OwnerDiff, d: ObjectDiff): string {
  const mark = d.status === 'added' ? '+' : d.status === 'removed' ? '−' : '~';
  const parts = [`<h3 class="s-${d.status}">${mark} ${escapeHtml(objectTitle(d))} <small>(${d.status})</small></h3>`];
  if (d.fields.length) parts.push(`<ul class="fields">${d.fields.map((f) => `<li><code>${escapeHtml(fieldLine(f))}</code></li>`).join('')}</ul>`);
  parts.push(`<pre>${objectUnified(o, d).map(diffLineHtml).join('')}</pre>`);
  return parts.join('\n');
}

function ownerHtml(diff: RenderedDiff, o: OwnerDiff, anchor: string): string {
  const parts = [`<section id="${anchor}"><h2 class="s-${o.status}">${escapeHtml(ownerSummary(o))}</h2>`];
  if (o.file) parts.push(`<p><code>${escapeHtml(o.file)}</code></p>`);
  if (o.errors?.base !== undefined) parts.push(`<p class="error">Error in ${escapeHtml(diff.baseLabel)}:</p><pre>${escapeHtml(o.errors.base)}</pre>`);
  if (o.errors?.head !== undefined) parts.push(`<p class="error">Error in ${escapeHtml(diff.headLabel)}:</p><pre>${escapeHtml(o.errors.head)}</pre>`);
  for (const n of o.notes ?? []) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  for (const d of o.objects) parts.push(objectHtml(o, d));
  parts.push('</section>');
  return parts.join('\n');
}

/** The whole page. */
export function formatHtml(diff: RenderedDiff): string {
  const title = `Rendered diff: ${diff.baseLabel} → ${diff.headLabel}`;
  const shown = diff.owners.filter((o) => o.status !== 'unchanged');
  const rows = shown.map(
    (o, i) =>
      `<tr><td><a href="#owner-${i}">${escapeHtml(`${o.kind} ${o.id}`)}</a></td><td class="s-${o.status}">${o.status}</td><td class="n">${o.counts.changed}</td><td class="n">${o.counts.added}</td><td class="n">${o.counts.removed}</td></tr>`,
  );
  const unchanged = diff.owners.length - shown.length;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(totalsLine(diff))}</p>`,
    shown.length
      ? `<table><thead><tr><th>Owner</th><th>Status</th><th>Changed</th><th>Added</th><th>Removed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p>No differences in the rendered objects.</p>',
    unchanged ? `<p>${unchanged} owner${unchanged === 1 ? '' : 's'} unchanged.</p>` : '',
    ...shown.map((o, i) => ownerHtml(diff, o, `owner-${i}`)),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
${body.filter(Boolean).join('\n')}
</body></html>
`;
}
