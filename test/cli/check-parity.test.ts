/**
 * `fluxhelm check` reports what the editor shows for the same files: in a
 * copy of examples/fleet whose in-repository chart gets a values.schema.json,
 * a HelmRelease value that violates it is reported by the built CLI and by
 * the built language server with the same code at the same line and column;
 * a valuesFrom key that is not in its ConfigMap likewise. Offline, with no
 * network and no caches: the chart is in the repository.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LspClient } from '../support/lsp-client.ts';
import { pathToUri } from '../../engine/index.ts';

const root = join(import.meta.dirname, '..', '..');
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fluxhelm-parity-'));
  cpSync(join(root, 'examples', 'fleet'), dir, { recursive: true });
  writeFileSync(join(dir, 'charts', 'team-quotas', 'values.schema.json'), JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { quota: { type: 'object', properties: { pods: { type: 'integer', maximum: 100 } } } },
  }));
  const file = join(dir, 'infrastructure', 'configs', 'team-quotas.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('pods: 60', 'pods: 600'));
  // A second release of the same chart whose valuesFrom key is not in the ConfigMap (Flux: ValuesError).
  writeFileSync(join(dir, 'infrastructure', 'configs', 'team-quotas-b.yaml'), text.replace('name: team-quotas\n', 'name: team-quotas-b\n').replace('name: team-quotas-values', 'name: team-quotas-values\n      valuesKey: missing.yaml'));
  const k = join(dir, 'infrastructure', 'configs', 'kustomization.yaml');
  writeFileSync(k, readFileSync(k, 'utf8').replace('- team-quotas.yaml', '- team-quotas.yaml\n  - team-quotas-b.yaml'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Row = { file: string; line: number; column: number; code: string; severity: string; message: string };

test('values schema and valuesFrom findings: same code, line and column from the CLI and the language server', async () => {
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'check', '.', '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FLUXHELM_CACHE: join(dir, '.cache') } });
  assert.equal(cli.status, 1, cli.stderr);
  const all = JSON.parse(cli.stdout) as Row[];
  const cases = [
    { rel: join('infrastructure', 'configs', 'team-quotas.yaml'), code: 'values-schema', line: /pods: 600/, message: /100/ },
    { rel: join('infrastructure', 'configs', 'team-quotas-b.yaml'), code: 'values-key-missing', line: /valuesKey: missing\.yaml/, message: /missing\.yaml.*ValuesError/ },
  ];
  const client = new LspClient(process.execPath, [join(root, 'dist', 'server.js'), '--stdio']);
  try {
    await client.initialize(dir, { trusted: false });
    for (const c of cases) {
      const row = all.find((r) => r.file === c.rel && r.code === c.code);
      assert.ok(row, `${c.code} in ${JSON.stringify(all)}`);
      const text = readFileSync(join(dir, c.rel), 'utf8');
      assert.match(text.split('\n')[row.line - 1]!, c.line);
      assert.match(row.message, c.message);
      const uri = pathToUri(join(dir, c.rel));
      client.open(uri, text, 1);
      // Chart-aware findings arrive once the chart is resolved in the background.
      const published = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && (p.diagnostics as { code: string }[]).some((d) => d.code === c.code), 60000, true);
      const d = (published.diagnostics as { code: string; range: { start: { line: number; character: number } }; message: string }[]).find((x) => x.code === c.code)!;
      assert.deepEqual([d.range.start.line + 1, d.range.start.character + 1, d.message], [row.line, row.column, row.message]);
    }
  } finally {
    await client.shutdown();
  }
});
