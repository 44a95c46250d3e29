/**
 * Writes the README's diagnostic-code table (between <!-- codes:start -->
 * and <!-- codes:end -->) from engine/codes.ts. `npm run codes`; a test
 * fails when the table and the list differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../engine/index.ts';

const file = join(import.meta.dirname, '..', 'README.md');
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf('<!-- codes:start -->');
const end = readme.indexOf('<!-- codes:end -->');
if (start < 0 || end < start) throw new Error('README.md has no <!-- codes:start --> … <!-- codes:end --> markers');
const table = ['<!-- codes:start -->', '', '| code | meaning |', '|---|---|', ...Object.entries(DIAGNOSTIC_CODES).map(([c, d]) => `| \`${c}\` | ${d} |`), ''].join('\n');
writeFileSync(file, `${readme.slice(0, start)}${table}${readme.slice(end)}`);
console.log(`README.md: ${Object.keys(DIAGNOSTIC_CODES).length} codes`);
