/**
 * `fluxhelm check [PATH...]`: validates every YAML file below the given
 * paths with the same engine the editor uses, prints the findings in the
 * chosen format and exits 0 (no errors), 1 (errors) or 2 (usage/internal).
 */
import { readFileSync } from 'node:fs';
import { relative, isAbsolute, resolve } from 'node:path';
import { createLanguageService, pathToUri } from '../engine/index.ts';
import { createNodeHost } from '../server/node-host.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { collectYamlFiles } from './files.ts';
import { workspaceRoots } from './workspace.ts';
import { formatJson, formatSarif, formatText, type Finding } from './report.ts';

export const CHECK_HELP = `Usage: fluxhelm check [PATH...] [--format text|json|sarif] [--crd PATH]... [--repo-root DIR]

Checks Flux, kustomize and core objects in YAML files (folders are walked,
.git and node_modules skipped) against their schemas and CEL rules, and the
references between them: sourceRef, chartRef, dependsOn (cycles), valuesFrom,
substituteFrom, kustomization.yaml paths and Flux Kustomization paths.

  --format text|json|sarif   output format (default text)
  --crd PATH                 CRD file or folder replacing the bundled schemas (repeatable)
  --repo-root DIR            folder Flux Kustomization paths are relative to
                             (default: guessed from the paths that exist)

Exit status: 0 no errors, 1 errors found, 2 usage or internal failure.`;

export interface CheckResult {
  findings: Finding[];
  fileCount: number;
}

export function runCheckOn(paths: string[], crdPaths: string[] = [], repoRoot?: string): CheckResult & { missing: string[]; schemaProblems: string[] } {
  const host = createNodeHost();
  const service = createLanguageService(host);
  const schemaProblems = crdPaths.length ? service.setCrdPaths(crdPaths).map((p) => `${p.file}: ${p.message}`) : [];
  const given = paths.length ? paths : ['.'];
  const { files, missing } = collectYamlFiles(given);
  const present = given.filter((p) => !missing.includes(p));
  const roots = present.length ? workspaceRoots(present) : [];
  service.openWorkspace({ roots, repoRoot: repoRoot ? resolve(repoRoot) : undefined });
  const graph = service.doWorkspaceValidation();
  const findings: Finding[] = [];
  const toFinding = (shown: string, d: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity: Finding['severity']; code: string; message: string }): Finding => ({
    file: shown,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  });
  for (const path of files) {
    const text = host.readFile(path);
    const shown = isAbsolute(path) ? path : relative(process.cwd(), path) || path;
    if (text === undefined) {
      findings.push({ file: shown, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'read-error', message: 'the file could not be read' });
      continue;
    }
    const uri = pathToUri(resolve(path));
    const file = service.parse(uri, text);
    const own = [...service.doValidation(file), ...(graph.get(uri) ?? [])];
    own.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of own) findings.push(toFinding(shown, d));
  }
  return { findings, fileCount: files.length, missing, schemaProblems };
}

export function check(argv: string[], version: string, out: (s: string) => void, err: (s: string) => void): number {
  const args = parseArgs(argv, { format: { value: true }, crd: { value: true, repeat: true }, 'repo-root': { value: true }, help: {} });
  if (args.flags.has('help')) {
    out(`${CHECK_HELP}\n`);
    return 0;
  }
  const format = oneOf('format', args.options.get('format')?.[0], ['text', 'json', 'sarif'] as const, 'text');
  const result = runCheckOn(args.positional, args.options.get('crd') ?? [], args.options.get('repo-root')?.[0]);
  if (result.missing.length) throw new UsageError(`no such file or folder: ${result.missing.join(', ')}`);
  for (const p of result.schemaProblems) err(`fluxhelm: --crd ${p}\n`);
  if (result.schemaProblems.length) return 2;
  if (format === 'json') out(formatJson(result.findings));
  else if (format === 'sarif') out(formatSarif(result.findings, version));
  else out(formatText(result.findings, result.fileCount));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
