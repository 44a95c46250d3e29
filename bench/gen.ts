/**
 * Generated benchmark inputs: multi-document files of realistic HelmReleases
 * (41 lines each, with inline values and valuesFrom). A few documents carry
 * deliberate mistakes that both fluxhelm and a plain JSON Schema validator
 * must report, so the diagnostics are not trivially empty:
 *   - every 50th document (0, 50, …) misspells `version` as `verison` (unknown field),
 *   - documents 0, 23, 50, 73, … use `kind: Secrets` in valuesFrom (enum),
 *   - documents 41, 91, … write the interval as `10 minutes` (pattern).
 * The generator also tells where keys sit, so edits, completions and hovers
 * can be aimed at exact positions. `workspaceSupport` writes the objects the
 * releases refer to (the HelmRepository and one values ConfigMap per
 * namespace), so a workspace-aware server finds no dangling references.
 */

export interface Position {
  line: number;
  character: number;
}

export interface GeneratedFile {
  text: string;
  lines: string[];
  /** First line of each document (its `apiVersion:` line). */
  docStart: number[];
  /** Number of deliberate mistakes in the file (the expected diagnostic count). */
  mistakes: number;
}

export const DOC_LINES = 41;

function pad(i: number): string {
  return String(i).padStart(4, '0');
}

function mistakesOf(i: number): { typo: boolean; badEnum: boolean; badInterval: boolean } {
  return { typo: i % 50 === 0, badEnum: i % 50 === 0 || i % 50 === 23, badInterval: i % 50 === 41 };
}

/** One HelmRelease, exactly DOC_LINES lines (no trailing separator). */
export function helmRelease(i: number): string[] {
  const m = mistakesOf(i);
  const name = `app-${pad(i)}`;
  return [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    `  name: ${name}`,
    `  namespace: team-${i % 7}`,
    'spec:',
    `  releaseName: ${name}`,
    `  interval: ${m.badInterval ? '10 minutes' : '10m'}`,
    '  timeout: 5m',
    '  chart:',
    '    spec:',
    '      chart: podinfo',
    `      ${m.typo ? 'verison' : 'version'}: "6.5.x"`,
    '      sourceRef:',
    '        kind: HelmRepository',
    '        name: podinfo',
    '        namespace: flux-system',
    '      interval: 12h',
    '  install:',
    '    remediation:',
    '      retries: 3',
    '  upgrade:',
    '    remediation:',
    '      retries: 3',
    '  test:',
    '    enable: true',
    '  values:',
    `    replicaCount: ${1 + (i % 3)}`,
    '    image:',
    `      tag: "1.${i % 10}.0"`,
    '    resources:',
    '      requests:',
    '        cpu: 100m',
    '        memory: 64Mi',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: team-values',
    '      valuesKey: values.yaml',
    `    - kind: ${m.badEnum ? 'Secrets' : 'Secret'}`,
    `      name: ${name}-secrets`,
    '      optional: true',
  ];
}

/** A file of `count` HelmReleases separated by `---` lines. */
export function generateFile(count: number): GeneratedFile {
  const lines: string[] = [];
  const docStart: number[] = [];
  let mistakes = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) lines.push('---');
    docStart.push(lines.length);
    lines.push(...helmRelease(i));
    const m = mistakesOf(i);
    mistakes += Number(m.typo) + Number(m.badEnum) + Number(m.badInterval);
  }
  return { text: lines.join('\n') + '\n', lines, docStart, mistakes };
}

/** Line of `needle` (exact line content, trimmed) inside document `doc`, searching from the document's start. */
export function lineInDoc(file: GeneratedFile, doc: number, needle: RegExp): number {
  const start = file.docStart[doc];
  for (let l = start; l < start + DOC_LINES; l++) {
    if (needle.test(file.lines[l])) return l;
  }
  throw new Error(`no line matching ${needle} in document ${doc}`);
}

/** `count` document indexes spread evenly over the file (first, …, last). */
export function spreadDocs(total: number, count: number): number[] {
  if (total === 1) return Array.from({ length: count }, () => 0);
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

/** The HelmRepository and per-namespace values ConfigMaps the generated releases point at. */
export function workspaceSupport(count: number): string {
  const docs = [
    [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: podinfo',
      '  namespace: flux-system',
      'spec:',
      '  interval: 1h',
      '  url: https://stefanprodan.github.io/podinfo',
    ].join('\n'),
  ];
  for (let ns = 0; ns < Math.min(count, 7); ns++) {
    docs.push(['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: team-values', `  namespace: team-${ns}`, 'data:', '  values.yaml: |', '    podAnnotations:', `      team: team-${ns}`].join('\n'));
  }
  return docs.join('\n---\n') + '\n';
}

/**
 * A Helm home for the servers under test: repositories.yaml registering the
 * podinfo repository and a cached index for it, as `helm repo add` + `helm
 * repo update` leave them. With it an offline fluxhelm resolves `6.5.x`
 * without the network and without a "no cached index" diagnostic.
 */
export function helmHome(): { repositoriesYaml: string; indexYaml: string } {
  const versions = ['6.5.0', '6.5.1', '6.5.2', '6.5.3', '6.5.4', '6.6.0'];
  const entries = versions
    .reverse()
    .map((v) => [
      '    - apiVersion: v2',
      '      name: podinfo',
      `      version: ${v}`,
      `      appVersion: ${v}`,
      '      description: Podinfo Helm chart for Kubernetes',
      '      created: "2024-01-01T00:00:00Z"',
      `      digest: ${'0'.repeat(64)}`,
      '      urls:',
      `        - https://stefanprodan.github.io/podinfo/podinfo-${v}.tgz`,
    ].join('\n'))
    .join('\n');
  return {
    repositoriesYaml: ['apiVersion: ""', 'generated: "0001-01-01T00:00:00Z"', 'repositories:', '  - name: podinfo', '    url: https://stefanprodan.github.io/podinfo', ''].join('\n'),
    indexYaml: ['apiVersion: v1', 'entries:', '  podinfo:', entries, 'generated: "2024-01-01T00:00:00Z"', ''].join('\n'),
  };
}
