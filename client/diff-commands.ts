/**
 * Rendered diffs in VS Code: "fluxhelm: Diff Rendered with HEAD", "… with
 * Branch/Ref…" (a pick of the repository's branches and tags, or any
 * revision typed in) and "… with Cluster", on the HelmRelease or Flux
 * Kustomization under the cursor, or on a whole file from the explorer. The
 * server renders both sides (unsaved edits included); the two texts open in
 * VS Code's diff editor through a read-only content provider, and the summary
 * (objects added, removed, changed per owner) goes to a notification and the
 * output channel. The `Δ N objects vs HEAD` lens runs the first command.
 */
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  DiffRenderedClusterRequest,
  DiffRenderedRequest,
  UNTRUSTED_MESSAGE,
  type DiffRenderedRequestParams,
  type DiffViewResult,
  type Message,
} from '../server/protocol.ts';

export const DIFF_SCHEME = 'fluxhelm-diff';

interface Output {
  appendLine(line: string): void;
}

type Target = { uri: string; position?: { line: number; character: number } };

/** What a command is about: a lens's (uri, position), an explorer file (whole file), or the cursor. */
function targetOf(args: unknown[]): Target | undefined {
  const [first, second] = args;
  if (typeof first === 'string') {
    const pos = second as Target['position'];
    return { uri: first, ...(pos && typeof pos.line === 'number' ? { position: pos } : {}) };
  }
  const editor = vscode.window.activeTextEditor;
  if (first instanceof vscode.Uri) {
    // The editor's context menu passes its document: use the cursor; the explorer passes a file: the whole file.
    if (editor && editor.document.uri.toString() === first.toString()) {
      const a = editor.selection.active;
      return { uri: first.toString(), position: { line: a.line, character: a.character } };
    }
    return { uri: first.toString() };
  }
  if (!editor || editor.document.languageId !== 'yaml') {
    void vscode.window.showInformationMessage(
      'fluxhelm: open a YAML file with a HelmRelease or a Flux Kustomization and put the cursor in it.',
    );
    return undefined;
  }
  const a = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line: a.line, character: a.character } };
}

/** Branches, tags and remote branches of the repository holding `file` (newest first); empty outside Git. */
export function gitRefs(file: string): Promise<{ name: string; kind: string }[]> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [
        '-C',
        dirname(file),
        'for-each-ref',
        '--sort=-creatordate',
        '--format=%(refname:short)\t%(refname)',
        'refs/heads',
        'refs/tags',
        'refs/remotes',
      ],
      { timeout: 10_000, maxBuffer: 4 << 20 },
      (err, stdout) => {
        if (err) return resolve([]);
        const refs = stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t') as [string, string])
          .filter(([, full]) => !full.endsWith('/HEAD'))
          .map(([name, full]) => ({
            name,
            kind: full.startsWith('refs/tags/') ? 'tag' : full.startsWith('refs/remotes/') ? 'remote branch' : 'branch',
          }));
        resolve(refs);
      },
    );
  });
}

/** A pick of the repository's refs that also takes any revision typed in (`HEAD~3`, a commit). */
async function pickRef(uri: string): Promise<string | undefined> {
  const path = vscode.Uri.parse(uri).fsPath;
  const refs = await gitRefs(path);
  const qp = vscode.window.createQuickPick();
  qp.title = 'fluxhelm: diff rendered output with which revision?';
  qp.placeholder = refs.length
    ? 'A branch or tag, or type any revision (HEAD~1, a commit)'
    : 'Type a revision (HEAD~1, a commit)';
  const fixed: vscode.QuickPickItem[] = [
    { label: 'HEAD', description: 'the last commit' },
    ...refs.map((r) => ({ label: r.name, description: r.kind })),
  ];
  qp.items = fixed;
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    qp.items =
      typed && !fixed.some((i) => i.label === typed)
        ? [{ label: typed, description: 'revision typed in' }, ...fixed]
        : fixed;
  });
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined));
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export function registerDiffCommands(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: Output,
): void {
  const texts = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? '# This diff is no longer available.\n',
  };

  async function request<P>(
    m: Message<P, DiffViewResult>,
    params: P,
    title: string,
  ): Promise<DiffViewResult | undefined> {
    const client = getClient();
    if (!client) {
      void vscode.window.showErrorMessage('fluxhelm: the language server is not running.');
      return undefined;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (_progress, token) => {
        try {
          return await client.sendRequest<DiffViewResult>(m.method, params, token);
        } catch (e) {
          if (token.isCancellationRequested) return undefined;
          const message = e instanceof Error ? e.message : String(e);
          return {
            title: '',
            base: '',
            head: '',
            summary: [],
            objects: 0,
            error: message.replace(/^fluxhelm:? ?/, ''),
          };
        }
      },
    );
  }

  /** Shows a diff (or why there is none): the diff editor, the summary as a notification and in the output channel. */
  async function show(r: DiffViewResult | undefined, leftLabel: string, rightLabel: string): Promise<void> {
    if (!r) return;
    if (r.error) {
      output.appendLine(`rendered diff: ${r.error}`);
      void vscode.window.showErrorMessage(`fluxhelm: ${r.error}`);
      return;
    }
    output.appendLine(`${r.title}`);
    for (const line of r.summary) output.appendLine(`  ${line}`);
    const total = r.summary.at(-1) ?? '';
    const errors = r.summary.some((l) => l.includes('not rendered'));
    if (r.objects === 0 && !errors) {
      void vscode.window.showInformationMessage(`fluxhelm: ${r.title.replace(/^[^:]*: /, '')}: ${total}.`);
      return;
    }
    const stamp = Date.now().toString(36);
    const safe = (s: string) => s.replace(/[^\w.@~^-]+/g, '_');
    const name = safe(r.title.split(':')[0] || 'rendered');
    const left = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${safe(leftLabel)}/${name}.yaml`, query: stamp });
    const right = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${safe(rightLabel)}/${name}.yaml`, query: stamp });
    texts.set(left.toString(), r.base);
    texts.set(right.toString(), r.head);
    // Keep the texts of the last few diffs (the editor may ask again when a tab is shown again).
    for (const k of [...texts.keys()].slice(0, Math.max(0, texts.size - 40))) texts.delete(k);
    await vscode.commands.executeCommand('vscode.diff', left, right, r.title, { preview: false });
    // One owner: its line says it all; several: the first few and the total.
    const lines =
      r.summary.length === 2
        ? r.summary.slice(0, 1)
        : r.summary.length > 4
          ? [...r.summary.slice(0, 3), `…`, total]
          : r.summary;
    void vscode.window
      .showInformationMessage(`fluxhelm: ${lines.join(' · ')}`, 'Show Output')
      .then((c) => c && vscode.commands.executeCommand('fluxhelm.showOutput'));
  }

  async function diffWithGit(args: unknown[], pick: boolean): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('fluxhelm: rendered diffs run once the workspace is trusted.');
      return;
    }
    const t = targetOf(args);
    if (!t) return;
    const given = typeof args[2] === 'string' ? args[2] : undefined;
    const base = pick ? await pickRef(t.uri) : (given ?? 'HEAD');
    if (!base) return;
    const params: DiffRenderedRequestParams = { ...t, base };
    const r = await request(DiffRenderedRequest, params, `fluxhelm: rendering ${base} and the working tree…`);
    await show(r, base, 'working tree');
  }

  async function diffWithCluster(args: unknown[]): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
      return;
    }
    const t = targetOf(args);
    if (!t) return;
    const r = await request(DiffRenderedClusterRequest, t, 'fluxhelm: rendering and reading the live Helm release…');
    await show(r, 'cluster', 'workspace');
  }

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, provider),
    vscode.commands.registerCommand('fluxhelm.diffRenderedWithHead', (...a: unknown[]) => diffWithGit(a, false)),
    vscode.commands.registerCommand('fluxhelm.diffRenderedWithRef', (...a: unknown[]) => diffWithGit(a, true)),
    vscode.commands.registerCommand('fluxhelm.diffRenderedWithCluster', (...a: unknown[]) => diffWithCluster(a)),
  );
}
