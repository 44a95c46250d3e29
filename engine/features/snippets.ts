/**
 * Starter documents offered at the top of an empty YAML document: the Flux
 * objects people write most when they deploy Helm charts. Bodies use LSP
 * snippet syntax (`${1:name}` placeholders, `$0` for the final cursor).
 * With every placeholder left at its default text, each body is a complete
 * object that passes our validation (test/engine/completion.test.ts checks).
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Range } from '../types.ts';
import { InsertTextMode } from 'vscode-languageserver-types';

export interface DocumentSnippet {
  label: string;
  /** One line shown next to the label. */
  detail: string;
  /** Longer explanation (markdown). */
  documentation: string;
  apiVersion: string;
  kind: string;
  body: string;
}

export const DOCUMENT_SNIPPETS: DocumentSnippet[] = [
  {
    label: 'HelmRelease',
    detail: 'helm.toolkit.fluxcd.io/v2: install a chart from a HelmRepository',
    documentation: 'A Helm release that helm-controller installs and keeps up to date, with its chart taken from a HelmRepository source.',
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    body: [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  interval: ${3:10m}',
      '  chart:',
      '    spec:',
      '      chart: ${4:podinfo}',
      "      version: '${5:6.x}'",
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: ${6:podinfo}',
      '        namespace: ${7:flux-system}',
      '  values:',
      '    ${8:replicaCount: 1}$0',
    ].join('\n'),
  },
  {
    label: 'HelmRepository',
    detail: 'source.toolkit.fluxcd.io/v1: an HTTP(S) chart repository',
    documentation: 'A Helm chart repository served over HTTP(S) (an `index.yaml` plus chart archives) that source-controller polls for new charts.',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    body: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  interval: ${3:1h}',
      '  url: ${4:https://stefanprodan.github.io/podinfo}$0',
    ].join('\n'),
  },
  {
    label: 'HelmRepository (OCI)',
    detail: 'source.toolkit.fluxcd.io/v1: charts stored in an OCI registry',
    documentation: 'A HelmRepository of `type: oci`: charts pushed to a container registry. Flux does not poll it; HelmReleases that use it fetch their chart version directly.',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    body: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  type: oci',
      '  interval: ${3:1h}',
      '  url: ${4:oci://ghcr.io/stefanprodan/charts}$0',
    ].join('\n'),
  },
  {
    label: 'OCIRepository',
    detail: 'source.toolkit.fluxcd.io/v1: one artifact (for example a chart) from an OCI registry',
    documentation: 'An OCI artifact source. A HelmRelease can use it through `spec.chartRef` to deploy a chart stored in a registry.',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    body: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: OCIRepository',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  interval: ${3:10m}',
      '  url: ${4:oci://ghcr.io/stefanprodan/charts/podinfo}',
      '  ref:',
      "    semver: '${5:>=6.0.0}'$0",
    ].join('\n'),
  },
  {
    label: 'GitRepository',
    detail: 'source.toolkit.fluxcd.io/v1: a Git repository branch, tag or commit',
    documentation: 'A Git repository that source-controller clones at the given reference and publishes as an artifact for Kustomizations and HelmReleases.',
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    body: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  interval: ${3:5m}',
      '  url: ${4:https://github.com/stefanprodan/podinfo}',
      '  ref:',
      '    branch: ${5:master}$0',
    ].join('\n'),
  },
  {
    label: 'Kustomization',
    detail: 'kustomize.toolkit.fluxcd.io/v1: apply a folder of manifests from a source',
    documentation: 'A Flux Kustomization: kustomize-controller builds the folder at `path` in the source and applies it, pruning what was removed.',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    body: [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: ${1:podinfo}',
      '  namespace: ${2:default}',
      'spec:',
      '  interval: ${3:10m}',
      '  path: ${4:./kustomize}',
      '  prune: ${5:true}',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: ${6:podinfo}$0',
    ].join('\n'),
  },
];

/** Completion items for the starter documents, replacing `range` (what was typed on the line). */
export function getSnippetItems(range: Range): CompletionItem[] {
  return DOCUMENT_SNIPPETS.map((s, i) => ({
    label: s.label,
    kind: CompletionItemKind.Snippet,
    detail: s.detail,
    documentation: { kind: 'markdown', value: `${s.documentation}\n\n\`\`\`yaml\n${s.body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '')}\n\`\`\`` },
    insertTextFormat: InsertTextFormat.Snippet,
    insertTextMode: InsertTextMode.asIs,
    textEdit: { range, newText: s.body },
    filterText: `${s.label} ${s.kind}`,
    sortText: `0${String(i).padStart(2, '0')}`,
  }));
}
