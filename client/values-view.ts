/**
 * "fluxhelm: Show Effective Values": the effective values of the HelmRelease
 * under the cursor, with the layer that set each value as a comment, in a
 * view that follows edits (client/release-view.ts).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EffectiveValuesRequest, send } from '../server/protocol.ts';
import { registerReleaseView } from './release-view.ts';

export const VALUES_SCHEME = 'fluxhelm-values';

export function registerValuesView(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  registerReleaseView(context, getClient, {
    scheme: VALUES_SCHEME,
    command: 'fluxhelm.showEffectiveValues',
    suffix: 'values.yaml',
    what: 'its effective values',
    settings: ['fluxhelm.values.revealSecrets'],
    fetch: (client, source) =>
      send(client, EffectiveValuesRequest, {
        ...source,
        reveal: vscode.workspace.getConfiguration('fluxhelm').get<boolean>('values.revealSecrets', false),
      }),
  });
}
