/**
 * Rendered diffs for the editor: the working tree (the workspace holds the
 * open documents' unsaved text) against a Git revision, and a HelmRelease
 * against its live Helm release. Thin handlers over the façade; the answer is
 * the two sides of a diff editor, a summary and the diff itself. Problems
 * (not a Git repository, an unknown revision, nothing to render) come back
 * as `error`.
 */
import { diffSides, isRefused, type LanguageService, type RenderedDiff } from '../../engine/index.ts';
import {
  DiffRenderedClusterRequest,
  DiffRenderedRequest,
  UNTRUSTED_MESSAGE,
  type DiffRenderedRequestParams,
  type DiffViewResult,
} from '../protocol.ts';
import { uriTarget, type Runner } from '../runner.ts';

const none = (error: string): DiffViewResult => ({ title: '', base: '', head: '', summary: [], objects: 0, error });

/** The file name without folder and extension, for titles of diffs of a whole file. */
const fileName = (uri: string) => decodeURIComponent(uri.split('/').pop() ?? uri).replace(/\.ya?ml$/, '') || 'rendered';

export function viewOf(diff: RenderedDiff, uri: string): DiffViewResult {
  return { ...diffSides(diff, { name: fileName(uri) }), diff };
}

export function registerDiffRequests(service: LanguageService, run: Runner, ready: () => void = () => undefined): void {
  run.handle(
    DiffRenderedRequest,
    none('fluxhelm could not compute the diff; see the fluxhelm output channel.'),
    uriTarget,
    async (p: DiffRenderedRequestParams): Promise<DiffViewResult> => {
      if (!service.settings.trusted) return none('rendered diffs run once the workspace is trusted');
      ready();
      const base = typeof p.base === 'string' && p.base.trim() ? p.base.trim() : 'HEAD';
      // Not only the owners that files changed on disk select: the open documents' unsaved edits count too.
      const r = await service.diffRendered({
        base,
        uri: p.uri,
        ...(p.position ? { position: p.position } : {}),
        changedOnly: false,
      });
      return 'error' in r ? none(r.error) : viewOf(r, p.uri);
    },
  );
  run.handle(
    DiffRenderedClusterRequest,
    none('fluxhelm could not compute the diff; see the fluxhelm output channel.'),
    uriTarget,
    async (p: { uri: string; position?: { line: number; character: number } }): Promise<DiffViewResult> => {
      if (!service.settings.trusted) return none(UNTRUSTED_MESSAGE);
      ready();
      const r = await service.cluster.renderDiff({ uri: p.uri, ...(p.position ? { position: p.position } : {}) });
      return isRefused(r) ? none(r.error) : viewOf(r, p.uri);
    },
  );
}
