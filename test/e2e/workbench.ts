/**
 * Playwright helpers that use the VS Code workbench (served by code-server) the
 * way a person does: keyboard shortcuts, the quick-open and command palette,
 * mouse hovers, and reading what is on screen from the DOM (editor lines,
 * squiggles, the Problems panel, widgets, the status bar). Nothing here calls
 * the extension's code; everything goes through the editor's UI.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const screenshotDir = new URL('./screenshots/', import.meta.url).pathname;

export async function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 60_000,
  });
}

/** Polls `probe` until it returns a value other than undefined/false; throws with `what` on timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, lastState?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) { lastError = err; }
    if (Date.now() > deadline) {
      const state = lastState ? `\nlast state: ${await lastState().catch((e) => String(e))}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}${state}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the workbench and waits until it is interactive (explorer and status bar rendered). */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 90_000 });
  return page;
}

export async function screenshot(page: Page, scenario: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${scenario}.png`);
  await page.screenshot({ path });
  return path;
}

/** A screenshot of a failed scenario, kept out of the committed folder (test/.tmp is ignored). */
export async function failureShot(page: Page, scenario: string): Promise<string> {
  const dir = new URL('../.tmp/e2e-failures/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${scenario.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path, timeout: 10_000 });
  return path;
}

/** Ctrl+P, the workspace-relative path, Enter; resolves when the editor shows the file. */
export async function openFile(page: Page, relPath: string): Promise<void> {
  const name = relPath.split('/').at(-1) ?? relPath;
  await closeWidgets(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relPath);
  const dir = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
  // The result row for exactly this file: its name, and its folder as the description.
  const row = page.locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }) })
    .filter(dir ? { has: page.locator('.label-description', { hasText: new RegExp(`^${escapeRe(dir)}$`) }) } : {})
    .first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ state: 'visible' });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function closeWidgets(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
}

/**
 * The editor showing the tab whose label contains `tab` (in any editor group),
 * or, without `tab`, the editor of the active group.
 */
function activeEditor(page: Page, tab?: string): Locator {
  if (tab) {
    return page.locator('.editor-group-container')
      .filter({ has: page.locator(`.tabs-container .tab.active[aria-label*="${tab}"]`) })
      .locator('.monaco-editor').first();
  }
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Visible lines of the active editor (or of the editor showing tab `tab`): 1-based line number and text. */
export async function editorLines(page: Page, tab?: string): Promise<{ line: number; text: string }[]> {
  return activeEditor(page, tab).evaluate((ed) => {
    const numbers = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
      top: Math.round(n.getBoundingClientRect().top), line: Number(n.textContent?.trim()),
    }));
    const lines = [...ed.querySelectorAll('.view-lines .view-line')].map((l) => ({
      top: Math.round(l.getBoundingClientRect().top), text: (l.textContent ?? '').replace(/\u00a0/g, ' '),
    }));
    return lines.map((l) => {
      const n = numbers.reduce((best, cur) => (Math.abs(cur.top - l.top) < Math.abs(best.top - l.top) ? cur : best), { top: Infinity, line: NaN });
      return { line: n.line, text: l.text };
    }).sort((a, b) => a.line - b.line);
  });
}

export async function editorText(page: Page, tab?: string): Promise<string> {
  return (await editorLines(page, tab)).map((l) => l.text).join('\n');
}

/** Squiggles in the active editor: the line each sits on and its severity. */
export async function squiggles(page: Page): Promise<{ line: number; severity: string }[]> {
  return activeEditor(page).evaluate((ed) => {
    const numbers = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
      top: n.getBoundingClientRect().top, line: Number(n.textContent?.trim()),
    }));
    return [...ed.querySelectorAll('.view-overlays [class*="squiggly-"]')].map((s) => {
      const top = s.getBoundingClientRect().top;
      const n = numbers.reduce((best, cur) => (Math.abs(cur.top - top) < Math.abs(best.top - top) ? cur : best), { top: Infinity, line: NaN });
      const severity = /squiggly-(error|warning|info|hint)/.exec(s.className)?.[1] ?? s.className;
      return { line: n.line, severity };
    }).sort((a, b) => a.line - b.line);
  });
}

/** Moves the mouse over `word` on a 1-based line of the active editor (lines are matched by position, not DOM order). */
export async function hoverWord(page: Page, line: number, word: string): Promise<void> {
  const box = await activeEditor(page).evaluate((ed, want) => {
    const num = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].find((n) => n.textContent?.trim() === String(want.line));
    if (!num) return undefined;
    const top = num.getBoundingClientRect().top;
    const row = [...ed.querySelectorAll('.view-lines .view-line')].find((l) => Math.abs(l.getBoundingClientRect().top - top) < 2);
    const span = [...(row?.querySelectorAll('span span') ?? [])].find((x) => x.textContent === want.word);
    const r = span?.getBoundingClientRect();
    return r ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : undefined;
  }, { line, word });
  if (!box) throw new Error(`"${word}" is not visible on line ${line}`);
  await page.mouse.move(box.x, box.y, { steps: 4 });
}

/** Places the cursor at a 1-based line/column with the Go to Line box (Ctrl+G, "line:column"). */
export async function goTo(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await input.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

export interface ProblemRow { file: string; message: string; source: string; code: string; position: string; severity: string }

/**
 * Opens the Problems panel and returns the marker rows of the given files
 * (workspace-relative paths): message, source, code, "[Ln 7, Col 3]",
 * severity and the file ("parentFolder/name"). The panel lists the whole
 * workspace but only renders rows in view, so the files are also typed into
 * its filter box; rows are still attributed to their file here, as the filter
 * applies after a delay.
 */
export async function problemRows(page: Page, files: string[]): Promise<ProblemRow[]> {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible().catch(() => false))) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible' });
  }
  const filter = files.map((f) => `**/${f}`).join(', ');
  const box = page.locator('.part.panel .viewpane-filter input, .part.panel input[placeholder^="Filter"]').first();
  if ((await box.inputValue()) !== filter) await box.fill(filter);
  // Each row: [index, level, aria-label, message, source, code, position, severity].
  const raw = await panel.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => [
    e.getAttribute('data-index') ?? '', e.getAttribute('aria-level') ?? '', e.getAttribute('aria-label') ?? '',
    ...['.marker-message', '.marker-source', '.marker-code', '.marker-line'].map((sel) => (e.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim()),
    /\b(error|warning|info)\b/.exec(e.querySelector('.marker-icon')?.className ?? '')?.[1] ?? '',
  ]));
  raw.sort((a, b) => Number(a[0]) - Number(b[0]));
  const wanted = new Set(files.map((f) => f.split('/').slice(-2).join('/')));
  const rows: ProblemRow[] = [];
  let file = '';
  let prevIndex = -2;
  for (const [index, level, label, message, source, code, position, severity] of raw) {
    if (level === '1') {
      const m = / in file (.+) of folder (.+)$/.exec(label);
      file = m ? `${m[2]}/${m[1]}` : '';
    } else if (Number(index) !== prevIndex + 1) {
      file = ''; // the file's own row is out of view: cannot attribute this marker
    }
    prevIndex = Number(index);
    if (level === '2' && [...wanted].some((w) => file === w || file.endsWith(`/${w}`))) rows.push({ file, message, source, code, position, severity });
  }
  return rows;
}

/** The text of our status bar item (by its id `fluxhelm.status`), or undefined if absent. */
export async function statusItemText(page: Page): Promise<string | undefined> {
  const item = page.locator('.statusbar-item[id$="fluxhelm.status"]');
  if ((await item.count()) === 0) return undefined;
  return (await item.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** F1, then the command's title; returns the labels the palette lists for `filter`. */
export async function paletteEntries(page: Page, filter: string): Promise<string[]> {
  await closeWidgets(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${filter}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible' });
  return rows.evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? (e as unknown as { innerText: string }).innerText).split(',')[0].trim()));
}

/** Runs a command from the palette by its full label ("fluxhelm: Show Output"). */
export async function runCommand(page: Page, label: string): Promise<void> {
  await closeWidgets(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await input.waitFor({ state: 'hidden' });
}

/** Hides the bottom panel (Ctrl+J) if it is open, to give the editor its height back. */
export async function hidePanel(page: Page): Promise<void> {
  const panel = page.locator('.part.panel');
  if (!(await panel.isVisible().catch(() => false))) return;
  await page.keyboard.press('Control+J');
  await panel.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Closes every editor ("View: Close All Editors"), discarding unsaved edits if asked. */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Don.t Save/ });
  await waitFor('all editors closed', async () => {
    if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
    return (await page.locator('.tabs-container .tab').count()) === 0;
  }, 15_000);
}

/** Hovers our status bar item and returns its tooltip text (screenshot `shot` taken while it shows). */
export async function statusTooltip(page: Page, shot?: string): Promise<string> {
  const item = page.locator('.statusbar-item[id$="fluxhelm.status"]').first();
  await item.hover();
  const hover = page.locator('.workbench-hover, .monaco-hover:not(.hidden)').filter({ hasText: 'fluxhelm' }).first();
  await hover.waitFor({ state: 'visible', timeout: 10_000 });
  const text = (await hover.innerText()).replace(/\s+/g, ' ').trim();
  if (shot) await screenshot(page, shot);
  await page.mouse.move(640, 300);
  await hover.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  return text;
}

/**
 * The two sides of the diff editor in the active group (lines in view, top to bottom) and the lines of the
 * modified side that the diff marks as inserted or changed.
 */
export async function diffEditorSides(page: Page): Promise<{ original: string; modified: string; inserted: string[] }> {
  const editor = page.locator('.editor-group-container.active .monaco-diff-editor').first();
  // Callbacks without named inner functions: they run in the page as written.
  const read = (cls: string) => editor.locator(`.editor.${cls} .view-lines .view-line`).evaluateAll((els) =>
    els.map((l) => ({ top: l.getBoundingClientRect().top, text: (l.textContent ?? '').replace(/\u00a0/g, ' ') })));
  const original = (await read('original')).sort((a, b) => a.top - b.top);
  const modified = (await read('modified')).sort((a, b) => a.top - b.top);
  const marks = await editor.locator('.editor.modified .view-overlays .line-insert, .editor.modified .view-overlays .char-insert')
    .evaluateAll((els) => els.map((m) => m.getBoundingClientRect().top));
  const inserted = modified.filter((l) => marks.some((t) => Math.abs(t - l.top) < 3)).map((l) => l.text);
  return { original: original.map((l) => l.text).join('\n'), modified: modified.map((l) => l.text).join('\n'), inserted };
}
