/**
 * End-to-end: rendered diffs in real VS Code (code-server + headless
 * Chromium, the packaged extension as a user installs it). The workspace is a
 * copy of examples/fleet made a Git repository with one commit; after an
 * unsaved edit of a HelmRelease's values, "fluxhelm: Diff Rendered with HEAD"
 * from the command palette opens VS Code's diff editor with HEAD's rendered
 * objects on the left and the working tree's on the right, the edited value
 * marked as a change (the chart renders one ResourceQuota per team, two
 * here), and the summary as a notification. (The `Δ` lens is tested over
 * LSP in test/lsp/diff.test.ts.)
 * Screenshot: test/e2e/screenshots/diff-rendered-head.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import {
  ensureTools, ensureVsix, installExtension, makeRunRoot, makeWorkspace, repoRoot, startCodeServer, type CodeServer, type Tools,
} from './code-server.ts';
import { editorLines, failureShot, goTo, launchBrowser, openFile, openWorkbench, runCommand, screenshot, waitFor } from './workbench.ts';

const run = makeRunRoot();
let tools: Tools;
let extensionsDir: string;
let browser: Browser;

before(async () => {
  tools = await ensureTools();
  const vsix = await ensureVsix(run.root);
  extensionsDir = join(run.root, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  await installExtension(tools, vsix, extensionsDir, join(run.root, 'install-user-data'));
  browser = await launchBrowser(tools.chromium);
}, { timeout: 25 * 60_000 });

after(async () => {
  await browser?.close();
  run.cleanup();
});

/** The text of each side of the diff editor in the active group (lines in view, top to bottom) and the modified lines marked as changed. */
async function diffSides(page: Page): Promise<{ original: string; modified: string; inserted: string[] }> {
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

describe('rendered diff with HEAD', { timeout: 10 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => {
    const ws = makeWorkspace(run.root, 'diff-workspace', 'examples/fleet');
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', '-c', 'init.defaultBranch=main', ...args], { cwd: ws, encoding: 'utf8' });
      assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'fleet');
    cs = await startCodeServer(tools, { root: run.root, name: 'diff', mode: 'trusted', workspace: ws, extensionsDir });
    page = await openWorkbench(browser, cs.url);
  }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  test('after an unsaved values edit, Diff Rendered with HEAD opens the diff editor on the changed object', { timeout: 240_000 }, async () => {
    try {
      await openFile(page, 'infrastructure/configs/team-quotas.yaml');
      // Change `pods: 60` to `pods: 75` in the editor, without saving.
      const pods = await waitFor('the pods line', async () => (await editorLines(page)).find((l) => l.text.includes('pods: 60')));
      await goTo(page, pods.line, pods.text.indexOf('60') + 1);
      await page.keyboard.press('Shift+End');
      await page.keyboard.type('75');
      await waitFor('the edit in the editor', async () => (await editorLines(page)).some((l) => l.text.includes('pods: 75')));
      const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string; category: string }[] } };
      const entry = pkg.contributes.commands.find((c) => c.command === 'fluxhelm.diffRenderedWithHead');
      assert.ok(entry, 'package.json contributes fluxhelm.diffRenderedWithHead');
      await runCommand(page, `${entry.category}: ${entry.title}`);
      const tab = page.locator('.tabs-container .tab', { hasText: /team-quotas: HEAD.*↔ working tree/ }).first();
      await tab.waitFor({ state: 'visible', timeout: 120_000 });
      const sides = await waitFor('both sides of the diff with the changed line marked', async () => {
        const s = await diffSides(page);
        return s.modified.includes('pods: "75"') && s.inserted.some((l) => l.includes('75')) ? s : undefined;
      }, 60_000, async () => JSON.stringify(await diffSides(page)));
      assert.match(sides.original, /# HelmRelease flux-system\/team-quotas · ResourceQuota/);
      assert.match(sides.original, /pods: "60"/);
      assert.doesNotMatch(sides.modified, /pods: "60"/);
      // The summary notification.
      await page.locator('.notifications-toasts .notification-toast', { hasText: /HelmRelease flux-system\/team-quotas: 2 objects \(2 changed\)/ }).first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, 'diff-rendered-head');
    } catch (err) {
      const shot = await failureShot(page, 'diff-rendered-head').catch(() => undefined);
      if (shot && err instanceof Error) err.message += `\n(screenshot at failure: ${shot})`;
      throw err;
    }
  });
});
