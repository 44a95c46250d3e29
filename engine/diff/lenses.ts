/**
 * The `Δ 3 objects vs HEAD` code lens over each HelmRelease and Flux
 * Kustomization of an open document whose rendered output differs from the
 * base revision (setting `fluxhelm.diff.base`, default HEAD). Computed in the
 * background, debounced after edits, through the façade's rendered-diff verb
 * (which keeps the base renders); a newer edit supersedes a run in flight, and
 * listeners hear about a document only when its lenses changed. No Git
 * repository, no base revision or no renderer: no lenses.
 */
import type { EngineHost } from '../host.ts';
import type { CodeLens } from '../types.ts';
import type { Workspace } from '../workspace/model.ts';
import type { IndexedObject } from '../workspace/index.ts';
import { uriToPath } from '../util/uri.ts';
import type { DiffRenderedParams, DiffRenderedResult, OwnerDiff } from './types.ts';

export interface DiffLensSettings {
  /** Lenses on (setting `fluxhelm.diff.lens`, and rendering allowed: a trusted workspace with Helm's engine). */
  enabled: boolean;
  /** The revision to compare with (`fluxhelm.diff.base`). */
  base: string;
}

/** The command a lens runs: the editor's "Diff Rendered with HEAD" with (uri, position, base). */
export const DIFF_LENS_COMMAND = 'fluxhelm.diffRenderedWithHead';

interface Kept {
  base: string;
  owners: OwnerDiff[];
}

/** HelmReleases and Flux Kustomizations: the objects whose output a rendered diff compares. */
export function isDiffOwner(o: IndexedObject): boolean {
  return (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) || (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'));
}

/** `ns/name (overlay)` or `ns/name @ file` → namespace, name and overlay label. */
function parseId(id: string): { ns?: string; name: string; overlay?: string } {
  const m = /^(?:([^/ ]+)\/)?([^ ]+)(?: \((.+)\))?(?: @ .*)?$/.exec(id);
  return m ? { ...(m[1] ? { ns: m[1] } : {}), name: m[2]!, ...(m[3] ? { overlay: m[3] } : {}) } : { name: id };
}

/** The owners of a file's object in a diff (one per overlay that builds it): same kind and name, and namespace when both say one. */
function ownersOf(owners: OwnerDiff[], o: IndexedObject, path: string): OwnerDiff[] {
  return owners.filter((w) => {
    if (w.kind !== o.kind || (w.file !== undefined && w.file !== path)) return false;
    const id = parseId(w.id);
    return id.name === o.name && (id.ns === undefined || o.namespace === undefined || id.ns === o.namespace);
  });
}

/** `Δ 3 objects vs HEAD` (summed over overlays, naming those that differ); nothing when nothing differs. */
export function lensTitle(owners: OwnerDiff[], base: string): string | undefined {
  const n = owners.reduce((sum, w) => sum + w.counts.added + w.counts.removed + w.counts.changed, 0);
  const differing = owners.filter((w) => w.counts.added + w.counts.removed + w.counts.changed > 0);
  const overlays = differing.map((w) => parseId(w.id).overlay).filter((x): x is string => !!x);
  if (n > 0) return `Δ ${n} object${n === 1 ? '' : 's'} vs ${base}${overlays.length ? ` (${overlays.join(', ')})` : ''}`;
  // An owner that could not be rendered already has its `Rendered: failed` lens and diagnostics.
  return undefined;
}

export class DiffLenses {
  private readonly byDoc = new Map<string, Kept>();
  private readonly timers = new Map<string, unknown>();
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly host: EngineHost,
    private readonly workspace: () => Workspace | undefined,
    private readonly diff: (p: DiffRenderedParams) => Promise<DiffRenderedResult>,
    private readonly settings: () => DiffLensSettings,
    private readonly changed: (uri: string) => void,
  ) {}

  /** Schedules a recomputation of a document's lenses (debounced). */
  schedule(uri: string, delayMs = 800): void {
    const run = () => {
      this.timers.delete(uri);
      void this.computeDocument(uri).catch(() => undefined);
    };
    const clock = this.host.clock;
    if (!clock) return run();
    const t = this.timers.get(uri);
    if (t !== undefined) clock.clearTimeout(t);
    this.timers.set(uri, clock.setTimeout(run, delayMs));
  }

  /** Compares the document's owners with the base revision now. */
  async computeDocument(uri: string): Promise<void> {
    const ws = this.workspace();
    const path = uriToPath(uri);
    const s = this.settings();
    const gen = (this.generation.get(uri) ?? 0) + 1;
    this.generation.set(uri, gen);
    const owners = ws && path && !ws.patchFiles().has(path) ? ws.index.objectsIn(path).filter(isDiffOwner) : [];
    let next: Kept | undefined;
    if (s.enabled && path && owners.length) {
      // Every owner of the file, not only those the files changed on disk select: the edit may be unsaved.
      const r = await this.diff({ base: s.base, path, changedOnly: false });
      if (this.generation.get(uri) !== gen) return; // a newer edit superseded this run
      if (!('error' in r)) next = { base: s.base, owners: r.owners };
    }
    const before = this.byDoc.get(uri);
    if (next) this.byDoc.set(uri, next);
    else this.byDoc.delete(uri);
    if (JSON.stringify(this.lenses(uri)) !== JSON.stringify(before ? this.lensesOf(uri, before) : [])) this.changed(uri);
  }

  lenses(uri: string): CodeLens[] {
    const kept = this.byDoc.get(uri);
    return kept && this.settings().enabled ? this.lensesOf(uri, kept) : [];
  }

  private lensesOf(uri: string, kept: Kept): CodeLens[] {
    const ws = this.workspace();
    const path = uriToPath(uri);
    const lines = ws && path ? ws.lines(path) : undefined;
    if (!ws || !path || !lines) return [];
    const out: CodeLens[] = [];
    for (const o of ws.index.objectsIn(path).filter(isDiffOwner)) {
      const title = lensTitle(ownersOf(kept.owners, o, path), kept.base);
      if (!title) continue;
      const line = lines.positionAt(o.start).line;
      const position = { line, character: 0 };
      out.push({ range: { start: position, end: position }, command: { title, command: DIFF_LENS_COMMAND, arguments: [uri, position, kept.base] } });
    }
    return out;
  }

  /** Compares every document seen so far again (the base or the setting changed). */
  refreshAll(): void {
    for (const uri of this.generation.keys()) this.schedule(uri, 0);
  }

  forget(uri: string): void {
    this.byDoc.delete(uri);
    this.generation.delete(uri); // a run in flight sees a different generation and drops its result
    const t = this.timers.get(uri);
    if (t !== undefined) this.host.clock?.clearTimeout(t);
    this.timers.delete(uri);
  }
}
