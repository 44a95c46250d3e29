/**
 * `fluxhelm check [PATH...]`: what the editor shows for the same files,
 * for terminals and CI. Every YAML file below the paths is checked by the
 * engine (schemas, CEL, references, builds), the HelmReleases' charts are
 * resolved (caches only unless --online) and their values checked against
 * the chart (values.schema.json, unknown keys, valuesFrom), with the same
 * codes on the same lines. Exit 0 (no errors), 1 (errors), 2 (usage/internal).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToUri, excludeMatcher, excludeForRoot, type Diagnostic } from '../engine/index.ts';
import { cliSettings } from './repo-settings.ts';
import { parseArgs, oneOf, UsageError } from './args.ts';
import { collectYamlFiles } from './files.ts';
import { createService, display, workspaceRoots } from './workspace.ts';
import { formatGithub, formatJson, formatSarif, formatText, type Finding } from './report.ts';
import { parseTimeout } from './sources.ts';
import type { Command } from './command.ts';
import { VERSION } from './version.ts';

const USAGE = `Usage: fluxhelm check [PATH...] [--format text|json|sarif|github] [--crd PATH]... [--repo-root DIR] [--online] [--render] [--root DIR]... [--timeout 10s]

Checks Flux, kustomize and core objects in YAML files (folders are walked,
.git and node_modules skipped) against their schemas and CEL rules, and the
references between them: sourceRef, chartRef, dependsOn (cycles), valuesFrom,
substituteFrom, kustomization.yaml paths and Flux Kustomization paths. The
chart of every HelmRelease is resolved and its values are checked against the
chart (values.schema.json, unknown keys, missing valuesFrom keys), as in the
editor.

  --format text|json|sarif|github   output format (default text; github prints
                                    workflow annotation lines)
  --crd PATH                 CRD file or folder replacing the bundled schemas (repeatable)
  --repo-root DIR            folder Flux Kustomization paths are relative to
                             (default: guessed from the paths that exist)
  --online                   fetch chart indexes and charts (default: Helm's and
                             fluxhelm's caches and charts in this repository only)
  --offline                  caches only (the default)
  --timeout DURATION         per request with --online (default 10s)
  --root DIR                 a folder where a cluster's Flux sync starts (repeatable; default:
                             found from gotk-sync.yaml, FluxInstance or the flux-instance chart)
  --render                   render every HelmRelease with Helm's own engine and report
                             template failures and rendered objects that violate their
                             Kubernetes or CRD schema, on the line that causes them

Exit status: 0 no errors, 1 errors found, 2 usage or internal failure.`;

const OPTIONS = {
  format: { value: true },
  crd: { value: true, repeat: true },
  'repo-root': { value: true },
  online: {},
  offline: {},
  timeout: { value: true },
  render: {},
  root: { value: true, repeat: true },
} as const;

export interface CheckResult {
  findings: Finding[];
  fileCount: number;
  missing: string[];
  schemaProblems: string[];
}

export interface CheckOptions {
  crdPaths?: string[];
  repoRoot?: string;
  online?: boolean;
  timeoutMs?: number;
  /** Render every HelmRelease with Helm's engine and report template and rendered-object findings. */
  render?: boolean;
  /** Folders where a cluster's Flux sync starts (default: found from gotk-sync, FluxInstance, flux-instance). */
  clusterRoots?: string[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function runCheckOn(paths: string[], opts: CheckOptions = {}): Promise<CheckResult> {
  // .fluxhelm.yaml (roots, exclude, crdPaths, network, severity), overridden by the command line.
  const { settings, loaded } = cliSettings(paths, { ...(opts.crdPaths?.length ? { crdPaths: opts.crdPaths } : {}) });
  const service = createService({ network: opts.online === true, timeoutMs: opts.timeoutMs });
  // --render: Helm's engine starts in the background while the workspace is indexed.
  if (opts.render) service.prepareRender();
  service.configure({
    severity: settings.severity,
    render: { kubeVersion: settings.kubeVersion, apiVersions: settings.apiVersions },
  });
  const schemaProblems = settings.crdPaths.length
    ? service.setCrdPaths(settings.crdPaths).map((p) => `${p.file}: ${p.message}`)
    : [];
  const given = paths.length ? paths : settings.roots.map((r) => relative(process.cwd(), r) || '.');
  const excluded = excludeMatcher(settings);
  const listed = collectYamlFiles(given);
  const missing = listed.missing;
  const files = listed.files.filter((f) => !excluded(resolve(f)));
  // The configuration's own problems count even when it lies outside the checked folders.
  if (loaded && !files.some((f) => resolve(f) === loaded.path))
    files.unshift(relative(process.cwd(), loaded.path) || loaded.path);
  const present = given.filter((p) => !missing.includes(p));
  const roots = present.length ? workspaceRoots(present) : [];
  // Cluster roots (where Flux's sync starts): --root; found in the files otherwise.
  const clusterRoots = (opts.clusterRoots ?? []).map((r) => resolve(r));
  service.openWorkspace({
    roots,
    clusterRoots,
    exclude: [...new Set(roots.flatMap((r) => excludeForRoot(settings, r)))],
    repoRoot: opts.repoRoot ? resolve(opts.repoRoot) : undefined,
  });
  service.refreshWorkspaceDiagnostics();
  await service.resolveAllReleases();
  // --render: every HelmRelease rendered with Helm's engine; its findings join the file's own.
  const rendered = new Map<
    string,
    { range: Diagnostic['range']; severity: Diagnostic['severity']; code: string; message: string }[]
  >();
  if (opts.render) {
    for (const r of await service.renderAllReleases())
      for (const d of r.diagnostics) rendered.set(d.file, [...(rendered.get(d.file) ?? []), d]);
  }
  const findings: Finding[] = [];
  for (const path of files) {
    const text = readText(path);
    const shown = display(path);
    if (text === undefined) {
      findings.push({
        file: shown,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        code: 'read-error',
        message: 'the file could not be read',
      });
      continue;
    }
    const file = service.parse(pathToUri(resolve(path)), text);
    const own = service.diagnostics(file);
    const seen = new Set(own.map((d) => `${d.range.start.line}:${d.range.start.character}:${d.code}:${d.message}`));
    const extra = (rendered.get(resolve(path)) ?? []).filter(
      (d) => !seen.has(`${d.range.start.line}:${d.range.start.character}:${d.code}:${d.message}`),
    );
    // Rendering findings go through the same suppressions and severities as the rest.
    const list = extra.length ? service.diagnostics(file, extra) : own;
    list.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of list) {
      findings.push({
        file: shown,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
      });
    }
  }
  return { findings, fileCount: files.length, missing, schemaProblems };
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'validate Flux/kustomize/core YAML, references, builds and HelmRelease values',
  usage: USAGE,
  options: OPTIONS,
  async run(argv, out, err) {
    const args = parseArgs(argv, OPTIONS);
    const format = oneOf(
      'format',
      args.options.get('format')?.[0],
      ['text', 'json', 'sarif', 'github'] as const,
      'text',
    );
    if (args.flags.has('online') && args.flags.has('offline'))
      throw new UsageError('--online and --offline cannot be combined');
    const result = await runCheckOn(args.positional, {
      crdPaths: args.options.get('crd') ?? [],
      repoRoot: args.options.get('repo-root')?.[0],
      online: args.flags.has('online'),
      timeoutMs: parseTimeout(args.options.get('timeout')?.[0], 10_000),
      render: args.flags.has('render'),
      clusterRoots: args.options.get('root') ?? [],
    });
    if (result.missing.length) throw new UsageError(`no such file or folder: ${result.missing.join(', ')}`);
    for (const p of result.schemaProblems) err(`fluxhelm: --crd ${p}\n`);
    if (result.schemaProblems.length) return 2;
    if (format === 'json') out(formatJson(result.findings));
    else if (format === 'sarif') out(formatSarif(result.findings, VERSION));
    else if (format === 'github') out(formatGithub(result.findings, result.fileCount));
    else out(formatText(result.findings, result.fileCount));
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};

export { VERSION };
