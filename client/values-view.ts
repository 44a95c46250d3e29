/**
 * "fluxhelm: Show Effective Values": a read-only YAML view of the effective
 * values of the HelmRelease under the cursor, with the layer that set each
 * value as a comment. The view is a virtual document that asks the server
 * again whenever the source document changes (debounced), so it follows
 * what the user types.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EffectiveValuesRequest, send, type EffectiveValuesParams, type EffectiveValuesResult } from '../server/protocol.ts';

export const VALUES_SCHEME = 'fluxhelm-values';

interface ViewSource {
  uri: string;
  position: { line: number; character: number };
  overlay?: string;
}

export function registerValuesView(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const views = new Map<string, { view: vscode.Uri; source: ViewSource }>();
  const timers = new Map<string, NodeJS.Timeout>();

  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri) {
      const entry = views.get(uri.toString());
      const client = getClient();
      if (!entry || !client) return '# The fluxhelm language server is not running.\n';
      const params: EffectiveValuesParams = { ...entry.source, reveal: vscode.workspace.getConfiguration('fluxhelm').get<boolean>('values.revealSecrets', false) };
      const result = await send(client, EffectiveValuesRequest, params);
      return result.text;
    },
  };

  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(VALUES_SCHEME, provider),
    vscode.commands.registerCommand('fluxhelm.showEffectiveValues', async (overlayArg?: string) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'yaml') {
        void vscode.window.showInformationMessage('fluxhelm: open a HelmRelease YAML file and put the cursor in it to see its effective values.');
        return;
      }
      const source: ViewSource = { uri: editor.document.uri.toString(), position: { line: editor.selection.active.line, character: editor.selection.active.character } };
      // A base HelmRelease that overlays build: let the user pick the environment.
      const client = getClient();
      if (client && overlayArg === undefined) {
        const probe = await send(client, EffectiveValuesRequest, { ...source });
        if (probe.overlays?.length) {
          const picked = await vscode.window.showQuickPick([{ label: 'base', description: 'as written in this file' }, ...probe.overlays.map((o) => ({ label: o, description: 'as this overlay builds it' }))], { placeHolder: 'Effective values for which environment?' });
          if (!picked) return;
          if (picked.label !== 'base') source.overlay = picked.label;
        }
      } else if (typeof overlayArg === 'string') source.overlay = overlayArg;
      const base = editor.document.uri.path.split('/').pop()?.replace(/\.ya?ml$/, '') ?? 'release';
      const env = source.overlay ? `.${source.overlay.split('/').pop()}` : '';
      const view = vscode.Uri.from({ scheme: VALUES_SCHEME, path: `/${base}${env}.values.yaml`, query: `${encodeURIComponent(source.uri)}#${source.position.line}${source.overlay ? `@${source.overlay}` : ''}` });
      views.set(view.toString(), { view, source });
      const doc = await vscode.workspace.openTextDocument(view);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const uri = e.document.uri.toString();
      for (const { view, source } of views.values()) {
        if (source.uri !== uri) continue;
        const key = view.toString();
        const t = timers.get(key);
        if (t) clearTimeout(t);
        timers.set(key, setTimeout(() => changed.fire(view), 400));
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('fluxhelm.values.revealSecrets')) for (const { view } of views.values()) changed.fire(view);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === VALUES_SCHEME) views.delete(doc.uri.toString());
    }),
  );
}
