/**
 * A read-only view of something the server computes for the HelmRelease
 * under the cursor (its effective values, its rendered manifests): a
 * virtual YAML document beside the editor that asks the server again,
 * debounced, whenever the source document changes, so it follows what the
 * user types. For a base HelmRelease that overlays build, the user picks the
 * environment first.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export interface ViewSource {
  uri: string;
  position: { line: number; character: number };
  overlay?: string;
}

export interface ReleaseViewSpec {
  scheme: string;
  command: string;
  /** File-name suffix of the view, e.g. `values.yaml`. */
  suffix: string;
  /** What the view is, for messages: "its effective values". */
  what: string;
  fetch(client: LanguageClient, source: ViewSource): Promise<{ text: string; overlays?: string[] }>;
  /** Settings whose change refreshes every open view. */
  settings?: string[];
}

export function registerReleaseView(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  spec: ReleaseViewSpec,
): void {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const views = new Map<string, { view: vscode.Uri; source: ViewSource }>();
  const timers = new Map<string, NodeJS.Timeout>();

  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri) {
      const entry = views.get(uri.toString());
      const client = getClient();
      if (!entry || !client) return '# The fluxhelm language server is not running.\n';
      return (await spec.fetch(client, entry.source)).text;
    },
  };

  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(spec.scheme, provider),
    vscode.commands.registerCommand(spec.command, async (...args: unknown[]) => {
      // From a code lens: (uri, position); from the palette: the cursor; from the values lens: (overlay).
      let source: ViewSource | undefined;
      let overlayArg: string | undefined;
      if (typeof args[0] === 'string' && args[0].includes(':') && args[1] && typeof args[1] === 'object')
        source = { uri: args[0], position: args[1] as ViewSource['position'] };
      else if (typeof args[0] === 'string') overlayArg = args[0];
      const editor = vscode.window.activeTextEditor;
      if (!source) {
        if (!editor || editor.document.languageId !== 'yaml') {
          void vscode.window.showInformationMessage(
            `fluxhelm: open a HelmRelease YAML file and put the cursor in it to see ${spec.what}.`,
          );
          return;
        }
        source = {
          uri: editor.document.uri.toString(),
          position: { line: editor.selection.active.line, character: editor.selection.active.character },
        };
      }
      const client = getClient();
      if (client && overlayArg === undefined) {
        const probe = await spec.fetch(client, { ...source });
        if (probe.overlays?.length) {
          const picked = await vscode.window.showQuickPick(
            [
              { label: 'base', description: 'as written in this file' },
              ...probe.overlays.map((o) => ({ label: o, description: 'as this overlay builds it' })),
            ],
            { placeHolder: `${spec.what[0]!.toUpperCase()}${spec.what.slice(1)} for which environment?` },
          );
          if (!picked) return;
          if (picked.label !== 'base') source.overlay = picked.label;
        }
      } else if (overlayArg !== undefined) source.overlay = overlayArg;
      const base =
        source.uri
          .split('/')
          .pop()
          ?.replace(/\.ya?ml$/, '') ?? 'release';
      const env = source.overlay ? `.${source.overlay.split('/').pop()}` : '';
      const view = vscode.Uri.from({
        scheme: spec.scheme,
        path: `/${base}${env}.${spec.suffix}`,
        query: `${encodeURIComponent(source.uri)}#${source.position.line}${source.overlay ? `@${source.overlay}` : ''}`,
      });
      views.set(view.toString(), { view, source });
      const doc = await vscode.workspace.openTextDocument(view);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, {
        viewColumn: vscode.ViewColumn.Beside,
        preview: false,
        preserveFocus: true,
      });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const uri = e.document.uri.toString();
      for (const { view, source } of views.values()) {
        if (source.uri !== uri) continue;
        const key = view.toString();
        const t = timers.get(key);
        if (t) clearTimeout(t);
        timers.set(
          key,
          setTimeout(() => changed.fire(view), 400),
        );
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (spec.settings?.some((s) => e.affectsConfiguration(s)))
        for (const { view } of views.values()) changed.fire(view);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === spec.scheme) views.delete(doc.uri.toString());
    }),
  );
}
