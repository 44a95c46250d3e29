/**
 * End-to-end suite: the packaged extension (fluxhelm.vsix, as a user installs
 * it) inside real VS Code, served by code-server and driven through headless
 * Chromium with the keyboard, the mouse and the DOM. Three code-server
 * sessions, one after the other: a trusted copy of examples/, a trusted copy
 * of examples/fleet (a repository root, for the effective-values view),
 * copies of examples/fleet for rendering and, as a Git repository, for the
 * rendered diff with HEAD, and a copy of examples/ in Restricted Mode. Every scenario leaves a screenshot in
 * test/e2e/screenshots/ (failures one in test/.tmp/e2e-failures/).
 * Setup (code-server, Node 24, Chromium) is installed on first use by
 * .ci/e2e-deps.sh; if that fails the suite fails, it never skips.
 */
import { after, before, describe, test, type TestOptions } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import {
  ensureTools, ensureVsix, installExtension, makeRunRoot, makeWorkspace, repoRoot, startCodeServer,
  type CodeServer, type Tools,
} from './code-server.ts';
import {
  closeAllEditors, diffEditorSides, editorLines, editorText, goTo, hidePanel, hoverWord, launchBrowser, openFile, openWorkbench, paletteEntries,
  failureShot, problemRows, runCommand, screenshot, squiggles, statusItemText, statusTooltip, waitFor, type ProblemRow,
} from './workbench.ts';

const SETUP_TIMEOUT = 25 * 60_000; // first run installs code-server (minutes); later runs take seconds
const SCENARIO_TIMEOUT = 120_000;

/** Commands the extension contributes, read from the manifest at test time. */
function contributedCommands(): { command: string; label: string }[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes?: { commands?: { command: string; title: string; category?: string }[] };
  };
  return (pkg.contributes?.commands ?? []).map((c) => ({ command: c.command, label: c.category ? `${c.category}: ${c.title}` : c.title }));
}

const COMPLETION_FIXTURE = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  '  namespace: podinfo',
  'spec:',
  '  interval: 10m',
  '  ',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: podinfo',
  '',
].join('\n');

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
}, { timeout: SETUP_TIMEOUT });

after(async () => {
  await browser?.close();
  run.cleanup();
});

/**
 * Waits until every `on` entry ("line:severity") has a squiggle in the active
 * editor, then checks that the `clean` lines have none.
 */
async function expectSquiggles(page: Page, want: { on: string[]; clean: number[] }): Promise<void> {
  const found = await waitFor(`squiggles ${want.on.join(', ')}`, async () => {
    const s = (await squiggles(page)).map((x) => `${x.line}:${x.severity}`);
    return want.on.every((w) => s.includes(w)) ? s : undefined;
  }, 60_000, async () => JSON.stringify(await squiggles(page)));
  const wrong = found.filter((f) => want.clean.includes(Number(f.split(':')[0])));
  assert.deepEqual(wrong, [], `squiggles on lines without mistakes: ${JSON.stringify(found)}`);
}

/** The page of the running session, for a screenshot when a scenario fails. */
let currentPage: Page | undefined;

/** A test that leaves a screenshot under test/.tmp/e2e-failures/ when it fails. */
function scenario(name: string, opts: TestOptions, fn: () => Promise<void>): void {
  test(name, opts, async () => {
    try {
      await fn();
    } catch (err) {
      if (currentPage) {
        const shot = await failureShot(currentPage, name).catch(() => undefined);
        if (shot && err instanceof Error) err.message += `\n(screenshot at failure: ${shot})`;
      }
      throw err;
    }
  });
}

/** Starts code-server for a fresh workspace copy in `mode` and opens it in a browser tab. */
async function session(mode: 'trusted' | 'restricted', name: string = mode, from = 'examples'): Promise<{ cs: CodeServer; page: Page }> {
  const workspace = makeWorkspace(run.root, `${name}-workspace`, from);
  mkdirSync(join(workspace, 'e2e'), { recursive: true });
  writeFileSync(join(workspace, 'e2e/completion.yaml'), COMPLETION_FIXTURE);
  const cs = await startCodeServer(tools, { root: run.root, name, mode, workspace, extensionsDir });
  const page = await openWorkbench(browser, cs.url);
  currentPage = page;
  return { cs, page };
}

describe('trusted workspace', { timeout: 15 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => { ({ cs, page } = await session('trusted')); }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  scenario('status bar item is present', { timeout: SCENARIO_TIMEOUT }, async () => {
    await openFile(page, 'fleet/infrastructure/sources/podinfo.yaml');
    // The extension activates on YAML; its item turns from the spinner into a result.
    const item = page.locator('.statusbar-item[id$="fluxhelm.status"]');
    await waitFor('the fluxhelm status item with its result icon', async () =>
      /^fluxhelm( \d+\/\d+)?$/.test(String(await statusItemText(page))) &&
      (await item.locator('.codicon-check, .codicon-error, .codicon-warning').count()) === 1, 60_000,
    async () => `text=${String(await statusItemText(page))}`);
    const tooltip = await statusTooltip(page, 'status-bar');
    // A valid HelmRepository: no errors (a warning would only come from the network).
    assert.match(tooltip, /^fluxhelm: 1 Flux object\(s\) in open files, 0 error\(s\), \d+ warning\(s\) Schemas: bundled/);
    assert.doesNotMatch(tooltip, /Restricted Mode/);
    assert.doesNotMatch(String(await statusItemText(page)), /restricted/);
  });

  scenario('broken files: squiggles on the right lines, Problems panel lists our messages and codes', { timeout: SCENARIO_TIMEOUT }, async () => {
    await closeAllEditors(page);
    await openFile(page, 'mistakes/typo-intervall.yaml');
    // line 6 `spec:` lacks the required interval; line 7 has the misspelled `intervall`
    await expectSquiggles(page, { on: ['6:error', '7:error'], clean: [1, 2, 3, 4, 5, 8, 9] });
    await openFile(page, 'mistakes/bad-durations.yaml');
    // `5 minutes`, `1hour` and `1d` are not Go durations
    await expectSquiggles(page, { on: ['7:error', '8:error', '24:error'], clean: [1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13] });

    const expected = [
      { message: 'unknown field `intervall` in spec — did you mean `interval`?', code: 'unknown-field', position: '[Ln 7, Col 3]' },
      { message: 'missing required field `interval` in spec', code: 'required', position: '[Ln 6, Col 1]' },
      { message: '`5 minutes` is not a duration for spec.interval', code: 'duration', position: '[Ln 7, Col 13]' },
      { message: '`1hour` is not a duration for spec.timeout', code: 'duration', position: '[Ln 8, Col 12]' },
      { message: '`1d` is not a duration for spec.interval', code: 'duration', position: '[Ln 24, Col 13]' },
    ];
    const matches = (r: ProblemRow, e: (typeof expected)[number]): boolean =>
      r.message.startsWith(e.message) && r.source === 'fluxhelm' && r.code === e.code && r.position === e.position;
    const rows = await waitFor('our rows in the Problems panel', async () => {
      const r = await problemRows(page, ['mistakes/typo-intervall.yaml', 'mistakes/bad-durations.yaml']);
      return expected.every((e) => r.some((x) => matches(x, e))) ? r : undefined;
    }, 30_000, async () => JSON.stringify(await problemRows(page, ['mistakes/typo-intervall.yaml', 'mistakes/bad-durations.yaml']), null, 1));
    // The status item counts the same errors and warnings as the Problems panel.
    const errors = rows.filter((r) => r.source === 'fluxhelm' && r.severity === 'error').length;
    const warnings = rows.filter((r) => r.source === 'fluxhelm' && r.severity === 'warning').length;
    assert.equal(await statusItemText(page), `fluxhelm ${errors}/${warnings}`);
    await screenshot(page, 'diagnostics-problems');
  });

  scenario('hover on a field shows our rendered documentation', { timeout: SCENARIO_TIMEOUT }, async () => {
    await closeAllEditors(page);
    await openFile(page, 'fleet/apps/base/podinfo/helmrelease.yaml');
    // line 8: `  interval: 50m` directly under spec
    await waitFor('line 8 of the HelmRelease', async () => (await editorLines(page)).some((l) => l.line === 8 && l.text.trim() === 'interval: 50m'));
    // Code lenses arrive asynchronously and push the lines down, so hover again until the hover is the one for `interval`.
    const text = await waitFor('our hover text', async () => {
      await hoverWord(page, 8, 'interval');
      const hover = page.locator('.monaco-hover:not(.hidden) .rendered-markdown').first();
      if (!(await hover.isVisible().catch(() => false))) {
        await hover.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      }
      const t = (await page.locator('.monaco-hover:not(.hidden)').first().innerText().catch(() => '')).replace(/\s+/g, ' ');
      if (t.includes('How often the release is reconciled')) return t;
      await page.mouse.move(5, 5);
      return undefined;
    }, 45_000, async () => page.locator('.monaco-hover').first().innerText().catch(() => '(no hover)'));
    // Rendered, not raw: the header is bold code, the duration examples are code spans.
    assert.equal(await page.locator('.monaco-hover:not(.hidden) strong code', { hasText: 'spec.interval' }).count(), 1);
    assert.ok((await page.locator('.monaco-hover:not(.hidden) code', { hasText: /^10m$/ }).count()) >= 1);
    assert.doesNotMatch(text, /\*\*|`/, `raw markdown in hover: ${text}`);
    await screenshot(page, 'hover');
    await page.mouse.move(5, 400);
  });

  scenario('completion inside spec lists our keys with their docs', { timeout: SCENARIO_TIMEOUT }, async () => {
    await closeAllEditors(page);
    await openFile(page, 'e2e/completion.yaml');
    await hidePanel(page);
    await goTo(page, 8, 3);
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    const labels = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.label-name')?.textContent?.trim() ?? ''));
    for (const key of ['chartRef', 'dependsOn', 'install', 'releaseName']) {
      assert.ok(labels.includes(key), `completion lacks ${key}: ${JSON.stringify(labels)}`);
    }
    // Walk down the list to `timeout` and open the details side pane (Ctrl+Space again).
    const focused = page.locator('.suggest-widget.visible .monaco-list-row.focused .label-name');
    for (let i = 0; i < 80 && (await focused.innerText()).trim() !== 'timeout'; i++) await page.keyboard.press('ArrowDown');
    assert.equal((await focused.innerText()).trim(), 'timeout', 'timeout is offered inside spec');
    const details = page.locator('.suggest-details-container .suggest-details');
    if (!(await details.isVisible())) await page.keyboard.press('Control+Space');
    await details.waitFor({ state: 'visible' });
    const docText = await waitFor('docs for timeout', async () => {
      const t = (await details.innerText()).replace(/\s+/g, ' ');
      return t.includes('Default time limit for each Kubernetes operation') ? t : undefined;
    }, 15_000, async () => details.innerText());
    assert.ok((await details.locator('code', { hasText: /^10m$/ }).count()) >= 1, 'docs are rendered markdown');
    assert.doesNotMatch(docText, /`/);
    await screenshot(page, 'completion');
    await page.keyboard.press('Escape');
  });

  scenario('accepting the HelmRelease snippet inserts a valid skeleton', { timeout: SCENARIO_TIMEOUT }, async () => {
    await closeAllEditors(page);
    await openFile(page, 'new-release.yaml');
    await page.keyboard.type('Helm');
    await page.keyboard.press('Control+Space');
    const focused = page.locator('.suggest-widget.visible .monaco-list-row.focused .label-name');
    await focused.waitFor({ state: 'visible', timeout: 20_000 });
    const labels = await page.locator('.suggest-widget.visible .monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.some((l) => l.trim() === 'HelmRelease'), `no HelmRelease snippet in ${JSON.stringify(labels)}`);
    // Move the focus to the plain HelmRelease entry, then accept it.
    for (let i = 0; i < labels.length && (await focused.innerText()).trim() !== 'HelmRelease'; i++) await page.keyboard.press('ArrowDown');
    assert.equal((await focused.innerText()).trim(), 'HelmRelease');
    await page.keyboard.press('Enter');
    // Leave snippet mode keeping every default.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    const text = await waitFor('the inserted skeleton', async () => {
      const t = await editorText(page);
      return t.includes('kind: HelmRelease') && t.includes('replicaCount') ? t : undefined;
    }, 15_000, async () => editorText(page));
    assert.match(text, /^apiVersion: helm\.toolkit\.fluxcd\.io\/v2\nkind: HelmRelease\nmetadata:\n {2}name: podinfo\n/);
    assert.doesNotMatch(text, /Helm(?!Re)/, 'the typed prefix must be replaced by the snippet');
    // The server has validated it once the status item counts the new HelmRelease.
    const tip = await waitFor('the status tooltip to count the new HelmRelease', async () => {
      const t = await statusTooltip(page);
      return /1 Flux object\(s\) in open files/.test(t) ? t : undefined;
    }, 20_000, () => statusTooltip(page));
    await screenshot(page, 'snippet');
    // Valid with every default: no errors, no warnings, no squiggles.
    const problems = JSON.stringify(await problemRows(page, ['new-release.yaml']));
    assert.match(tip, /0 error\(s\), 0 warning\(s\)/, `the skeleton with its defaults is not clean: ${problems}`);
    assert.deepEqual(await squiggles(page), [], problems);
  });

  scenario('removed-API quick fix migrates a v2beta1 HelmRelease and the warning clears', { timeout: SCENARIO_TIMEOUT }, async () => {
    await closeAllEditors(page);
    await openFile(page, 'mistakes/helmrelease-v2beta1.yaml');
    await waitFor('the removed-API warning squiggle on line 2', async () =>
      (await squiggles(page)).some((s) => s.line === 2 && s.severity === 'warning'), 30_000, async () => JSON.stringify(await squiggles(page)));
    const key = (r: ProblemRow): string => `${r.severity} ${r.code}: ${r.message}`;
    const before = await waitFor('the removed-api-version row in Problems', async () => {
      const r = (await problemRows(page, ['mistakes/helmrelease-v2beta1.yaml'])).filter((x) => x.source === 'fluxhelm');
      return r.some((x) => x.code === 'removed-api-version' && x.position === '[Ln 2, Col 13]') ? r : undefined;
    }, 15_000, async () => JSON.stringify(await problemRows(page, ['mistakes/helmrelease-v2beta1.yaml'])));

    await goTo(page, 2, 20);
    await page.keyboard.press('Control+.');
    const action = page.locator('.action-widget .monaco-list-row', { hasText: 'Migrate HelmRelease to helm.toolkit.fluxcd.io/v2' });
    await action.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'quick-fix-menu');
    await action.click();
    await waitFor('the migrated apiVersion', async () =>
      (await editorLines(page)).some((l) => l.line === 2 && l.text === 'apiVersion: helm.toolkit.fluxcd.io/v2'), 15_000,
      async () => editorText(page));
    const text = await editorText(page);
    assert.match(text, /valuesFiles:\n\s+- values-production\.yaml/, 'valuesFile became a valuesFiles list');
    assert.doesNotMatch(text, /v2beta1|valuesFile:/);
    // The warning clears and the fix adds no problem of its own: what is left is
    // exactly what was there before minus removed-api-version (here the quoted
    // boolean `createNamespace: "true"`, which is not a version change).
    const allowed = new Set(before.filter((r) => r.code !== 'removed-api-version').map(key));
    // Chart lookups report asynchronously and depend on the network; they may arrive at any time.
    const network = new Set(['repository-unreachable', 'chart-not-found']);
    const after = await waitFor('the Problems panel without removed-api-version', async () => {
      const r = (await problemRows(page, ['mistakes/helmrelease-v2beta1.yaml'])).filter((x) => x.source === 'fluxhelm');
      return r.every((x) => allowed.has(key(x)) || network.has(x.code)) ? r : undefined;
    }, 15_000, async () => `before: ${JSON.stringify(before)}\nafter: ${JSON.stringify(await problemRows(page, ['mistakes/helmrelease-v2beta1.yaml']))}`);
    assert.ok(after.some((r) => r.code === 'type' && r.message.includes('createNamespace')), `the quoted boolean is still reported: ${JSON.stringify(after)}`);
    assert.ok(!(await squiggles(page)).some((s) => s.line === 2), 'no squiggle left on the apiVersion line');
    await screenshot(page, 'quick-fix-applied');
  });

  scenario('command palette lists every fluxhelm command; Show Output opens the channel', { timeout: SCENARIO_TIMEOUT }, async () => {
    const commands = contributedCommands();
    assert.ok(commands.length >= 2, 'package.json contributes commands');
    const listed = await paletteEntries(page, 'fluxhelm');
    await screenshot(page, 'command-palette');
    // The list shows only the rows that fit; a command below them is looked up by its own label.
    for (const c of commands) {
      const found = listed.includes(c.label) || (await paletteEntries(page, c.label)).includes(c.label);
      assert.ok(found, `palette lacks "${c.label}" (${c.command}): ${JSON.stringify(listed)}`);
    }
    await runCommand(page, 'fluxhelm: Show Output');
    const channel = page.locator('.part.panel select[aria-label="Switch Output"]').first();
    await waitFor('the Output panel showing the fluxhelm channel', async () =>
      (await channel.isVisible()) && (await channel.inputValue()) === 'fluxhelm', 15_000,
    async () => `visible=${await channel.isVisible()} value=${await channel.inputValue().catch(() => '?')}`);
  });
});

/*
 * The fleet opened as what it is, a Git repository root: chart paths and
 * Kustomization paths are relative to it.
 */
describe('fleet repository workspace', { timeout: 10 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => { ({ cs, page } = await session('trusted', 'fleet', 'examples/fleet')); }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  scenario('Show Effective Values opens the values view with provenance', {
    timeout: SCENARIO_TIMEOUT,
  }, async () => {
    // A release whose chart lives in the fleet repository (no network needed).
    await openFile(page, 'infrastructure/configs/team-quotas.yaml');
    await goTo(page, 1, 1);
    const entry = contributedCommands().find((c) => c.command === 'fluxhelm.showEffectiveValues');
    assert.ok(entry, 'package.json contributes fluxhelm.showEffectiveValues');
    await runCommand(page, entry.label);
    const tab = 'team-quotas.values.yaml';
    await page.locator(`.tabs-container .tab[aria-label*="${tab}"]`).waitFor({ state: 'visible', timeout: 30_000 });
    const text = await waitFor('the effective values (or the reason there are none)', async () => {
      const t = await editorText(page, tab);
      return /pods: 60|could not|no HelmRelease/.test(t) ? t : undefined;
    }, 60_000, async () => editorText(page, tab));
    assert.match(text, /Effective values of HelmRelease flux-system\/team-quotas/);
    // provenance: the inline value and a chart default, each with its layer
    assert.match(text, /pods: 60\s+#.*spec\.values/, text);
    assert.match(text, /#.*chart default/, text);
    await page.keyboard.press('Control+B'); // hide the side bar: room for both editors
    await screenshot(page, 'effective-values');
  });
});

/*
 * Rendering with Helm's own engine: the rendered view of a HelmRelease whose
 * chart is in the repository, following an unsaved edit, and a `required`
 * failure shown on the HelmRelease.
 */
describe('rendered manifests', { timeout: 10 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => {
    ({ cs, page } = await session('trusted', 'render', 'examples/fleet'));
    // The chart requires quota.owner; the release sets it.
    const ws = join(run.root, 'render-workspace');
    const tpl = join(ws, 'charts', 'team-quotas', 'templates', 'quota.yaml');
    writeFileSync(tpl, readFileSync(tpl, 'utf8').replace('  labels:\n', '  annotations:\n    owner: {{ required "quota.owner must name the owning team" $.Values.quota.owner | quote }}\n  labels:\n'));
    const hr = join(ws, 'infrastructure', 'configs', 'team-quotas.yaml');
    writeFileSync(hr, readFileSync(hr, 'utf8').replace('      pods: 60\n', '      pods: 60\n      owner: payments-team\n'));
  }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  scenario('Show Rendered Manifests opens the view, follows an edit, and a required failure shows on the HelmRelease', {
    timeout: SCENARIO_TIMEOUT,
  }, async () => {
    await openFile(page, 'infrastructure/configs/team-quotas.yaml');
    await goTo(page, 1, 1);
    const entry = contributedCommands().find((c) => c.command === 'fluxhelm.showRenderedManifests');
    assert.ok(entry, 'package.json contributes fluxhelm.showRenderedManifests');
    await runCommand(page, entry.label);
    const tab = 'team-quotas.rendered.yaml';
    await page.locator(`.tabs-container .tab[aria-label*="${tab}"]`).waitFor({ state: 'visible', timeout: 30_000 });
    const text = await waitFor('the rendered manifests', async () => {
      const t = await editorText(page, tab);
      return /kind: ResourceQuota|nothing rendered/.test(t) ? t : undefined;
    }, 90_000, async () => editorText(page, tab));
    assert.match(text, /# Rendered manifests of HelmRelease flux-system\/team-quotas/);
    assert.match(text, /# Source: team-quotas\/templates\/quota\.yaml/);
    assert.match(text, /owner: "?payments-team"?/);
    await screenshot(page, 'rendered-manifests');
    // Delete the owner line in the editor (unsaved): the view follows, and Helm's `required` message lands on the HelmRelease.
    await page.locator(`.tabs-container .tab[aria-label*="team-quotas.yaml"]`).first().click();
    const lines = await editorLines(page, 'team-quotas.yaml');
    const owner = lines.find((l) => l.text.includes('owner: payments-team'));
    assert.ok(owner, JSON.stringify(lines));
    await goTo(page, owner.line, 1);
    await page.keyboard.press('Control+Shift+K');
    await waitFor('the required failure in the view', async () => /quota\.owner must name the owning team/.test(await editorText(page, tab)), 90_000, async () => editorText(page, tab));
    const row = await waitFor('the render-template row in Problems', async () =>
      (await problemRows(page, ['infrastructure/configs/team-quotas.yaml'])).find((r) => r.source === 'fluxhelm' && r.code === 'render-template'), 90_000,
    async () => JSON.stringify(await problemRows(page, ['infrastructure/configs/team-quotas.yaml'])));
    assert.match(row.message, /quota\.owner must name the owning team/);
    await screenshot(page, 'rendered-required-failure');
  });
});

/*
 * Rendered diff with HEAD: examples/fleet as a Git repository with one commit; after an unsaved values edit the
 * command opens VS Code's diff editor (the chart renders one ResourceQuota per team, two here) and a summary.
 * The `Δ` lens is tested over LSP (test/lsp/diff.test.ts).
 */
describe('rendered diff with HEAD', { timeout: 10 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => {
    const ws = makeWorkspace(run.root, 'diff-workspace', 'examples/fleet');
    for (const args of [['init', '-q'], ['add', '.'], ['commit', '-q', '-m', 'fleet']]) {
      const r = spawnSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', '-c', 'init.defaultBranch=main', ...args], { cwd: ws, encoding: 'utf8' });
      assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    }
    cs = await startCodeServer(tools, { root: run.root, name: 'diff', mode: 'trusted', workspace: ws, extensionsDir });
    page = await openWorkbench(browser, cs.url);
    currentPage = page;
  }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  scenario('after an unsaved values edit, Diff Rendered with HEAD opens the diff editor on the changed objects', { timeout: 240_000 }, async () => {
    await openFile(page, 'infrastructure/configs/team-quotas.yaml');
    const pods = await waitFor('the pods line', async () => (await editorLines(page)).find((l) => l.text.includes('pods: 60')));
    await goTo(page, pods.line, pods.text.indexOf('60') + 1);
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('75');
    await waitFor('the edit in the editor', async () => (await editorLines(page)).some((l) => l.text.includes('pods: 75')));
    const entry = contributedCommands().find((c) => c.command === 'fluxhelm.diffRenderedWithHead');
    assert.ok(entry, 'package.json contributes fluxhelm.diffRenderedWithHead');
    await runCommand(page, entry.label);
    await page.locator('.tabs-container .tab', { hasText: /team-quotas: HEAD.*↔ working tree/ }).first().waitFor({ state: 'visible', timeout: 120_000 });
    const sides = await waitFor('both sides of the diff with the changed line marked', async () => {
      const s = await diffEditorSides(page);
      // The two editors of a diff fill in separately: wait for the original side too.
      return s.modified.includes('pods: "75"') && s.inserted.some((l) => l.includes('75')) && s.original.includes('pods: "60"') ? s : undefined;
    }, 60_000, async () => JSON.stringify(await diffEditorSides(page)));
    assert.match(sides.original, /# HelmRelease flux-system\/team-quotas · ResourceQuota/);
    assert.match(sides.original, /pods: "60"/);
    assert.doesNotMatch(sides.modified, /pods: "60"/);
    await page.locator('.notifications-toasts .notification-toast', { hasText: /HelmRelease flux-system\/team-quotas: 2 objects \(2 changed\)/ }).first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'diff-rendered-head');
  });
});

describe('restricted mode', { timeout: 10 * 60_000 }, () => {
  let cs: CodeServer;
  let page: Page;
  before(async () => { ({ cs, page } = await session('restricted')); }, { timeout: 180_000 });
  after(async () => {
    await page?.context().close();
    await cs?.stop();
  });

  scenario('diagnostics still work, the status item says (restricted), and a cluster command says why it does not run', { timeout: SCENARIO_TIMEOUT }, async () => {
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible' });
    await openFile(page, 'mistakes/typo-intervall.yaml');
    await expectSquiggles(page, { on: ['6:error', '7:error'], clean: [1, 2, 3, 4, 5, 8, 9] });
    await waitFor('"(restricted)" in the status item', async () => (await statusItemText(page))?.includes('(restricted)'), 30_000,
      async () => String(await statusItemText(page)));
    assert.match(String(await statusItemText(page)), /^fluxhelm [1-9]\d*\/\d+ \(restricted\)$/);
    assert.match(await statusTooltip(page, 'restricted-mode-status'), /Restricted Mode: validation only/);
    await waitFor('the unknown-field row in Problems', async () =>
      (await problemRows(page, ['mistakes/typo-intervall.yaml'])).some((r) =>
        r.source === 'fluxhelm' && r.code === 'unknown-field' && r.position === '[Ln 7, Col 3]'), 30_000,
    async () => JSON.stringify(await problemRows(page, ['mistakes/typo-intervall.yaml'])));
    await screenshot(page, 'restricted-mode');
    // A cluster command runs nothing and says why.
    await runCommand(page, 'fluxhelm: Reconcile');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'must be trusted' }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(String(await toast.textContent()), /the workspace must be trusted before fluxhelm can reach a cluster/);
    await screenshot(page, 'restricted-mode-cluster-command');
  });
});
