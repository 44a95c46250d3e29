/**
 * "fluxhelm: Show Rendered Manifests": the manifests the HelmRelease under
 * the cursor renders (Helm's own engine with helm-controller's additions),
 * each object after its source template, per environment overlay, in a view
 * that follows edits (client/release-view.ts). The `Rendered: N objects`
 * code lens opens it too.
 */
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RenderedManifestsRequest, send } from '../server/protocol.ts';
import { registerReleaseView } from './release-view.ts';

export const RENDERED_SCHEME = 'fluxhelm-rendered';

export function registerRenderedView(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  registerReleaseView(context, getClient, {
    scheme: RENDERED_SCHEME,
    command: 'fluxhelm.showRenderedManifests',
    suffix: 'rendered.yaml',
    what: 'the manifests it renders',
    fetch: (client, source) => send(client, RenderedManifestsRequest, source),
  });
}
