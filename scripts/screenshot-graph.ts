/**
 * Regenerates docs/images/dependency-graph.png: the dependency graph of
 * examples/fleet, rendered by the same HTML the VS Code webview shows, in
 * headless Chromium. Run after `npm run build`:
 *   node scripts/run-ts.mjs scripts/screenshot-graph.ts
 */
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/support/browser.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const html = execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'graph', 'examples/fleet', '--format', 'html'], { cwd: root, encoding: 'utf8' });
async function main(): Promise<void> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1780, height: 680 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  const out = join(root, 'docs', 'images', 'dependency-graph.png');
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
}

void main();
