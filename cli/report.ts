/**
 * Output formats for `fluxhelm check`: human text
 * (`file:line:col: severity: message [code]` + summary), a JSON array,
 * SARIF 2.1.0 for code-scanning tools, and GitHub Actions workflow
 * annotations. Lines and columns are 1-based.
 */
import type { Severity } from '../engine/index.ts';

export interface Finding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

export function formatText(findings: Finding[], fileCount: number): string {
  const lines = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info') + count('hint');
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(fileCount, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${infos ? `, ${infos} info` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatJson(findings: Finding[]): string {
  return `${JSON.stringify(findings, null, 2)}\n`;
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function formatSarif(findings: Finding[], version: string): string {
  const ruleIds = [...new Set(findings.map((f) => f.code))].sort();
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'fluxhelm',
            version,
            rules: ruleIds.map((id) => ({ id, name: id, shortDescription: { text: `fluxhelm ${id}` } })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: ruleIds.indexOf(f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

// GitHub Actions workflow commands: one `::error file=…,line=…::message` line per
// finding becomes an annotation on the pull request's diff. Property values escape
// `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF.
const GITHUB_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

function githubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function githubProperty(s: string): string {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(findings: Finding[], fileCount: number): string {
  const lines = findings.map((f) => {
    // The order @actions/core writes them in; columns are meaningful on one line only.
    const props = [
      `title=${githubProperty(`fluxhelm ${f.code}`)}`,
      `file=${githubProperty(f.file.split('\\').join('/'))}`,
      `line=${f.line}`,
      `endLine=${f.endLine}`,
      `col=${f.column}`,
    ];
    if (f.endLine === f.line) props.push(`endColumn=${f.endColumn}`);
    return `::${GITHUB_LEVEL[f.severity]} ${props.join(',')}::${githubData(f.message)}`;
  });
  // The summary is a plain log line (the last line of the text format).
  lines.push(formatText(findings, fileCount).trimEnd().split('\n').pop()!);
  return `${lines.join('\n')}\n`;
}
