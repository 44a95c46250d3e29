/**
 * The base side of a rendered diff as a host: the repository's files as
 * they are at a Git commit, everything else (chart caches outside the
 * repository, the network, Helm's engine, the environment) from the real
 * host. The folder listing comes from the commit's tree; a file that
 * differs from the working tree is read from Git (all of them in one batch
 * on first need); any other file is the same in both, so it is read from
 * disk. The snapshot remembers which files it served from disk, so a cached
 * snapshot can tell when a later edit made one of them stale.
 */
import type { EngineHost, GitHost, GitTreeFile } from '../host.ts';

export interface BaseSnapshot {
  host: EngineHost;
  root: string;
  commit: string;
  /** Repository-relative paths read from the working tree (unchanged at the time). */
  servedFromDisk: Set<string>;
  /** The files that differ now (a later call): those are read from Git from now on. */
  setChanged(changed: Set<string>): void;
}

type Entry = { name: string; isDirectory: boolean };

export function createBaseSnapshot(real: EngineHost, git: GitHost, root: string, commit: string, files: GitTreeFile[], changedAtStart: Set<string>): BaseSnapshot {
  let changed = changedAtStart;
  const top = root.replace(/\/+$/, '');
  const inTree = new Set<string>();
  const dirs = new Map<string, Map<string, boolean>>([['', new Map()]]);
  for (const f of files) {
    inTree.add(f.path);
    const parts = f.path.split('/');
    let dir = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const isDir = i < parts.length - 1;
      let entries = dirs.get(dir);
      if (!entries) dirs.set(dir, (entries = new Map()));
      if (!entries.has(name) || isDir) entries.set(name, isDir);
      dir = dir ? `${dir}/${name}` : name;
    }
  }
  const servedFromDisk = new Set<string>();
  let fromGit: Map<string, Uint8Array> | undefined;
  const gitBytes = (rel: string): Uint8Array | undefined => {
    // Every changed file of the tree in one `cat-file --batch`: a diff reads most of them anyway.
    fromGit ??= git.readFiles(top, commit, [...changed].filter((p) => inTree.has(p)));
    if (!fromGit.has(rel) && inTree.has(rel)) for (const [p, b] of git.readFiles(top, commit, [rel])) fromGit.set(p, b);
    return fromGit.get(rel);
  };
  /** The repository-relative path of an absolute one inside the repository (not in .git), else undefined. */
  const relOf = (p: string): string | undefined => {
    const clean = p.replace(/\/+$/, '');
    if (clean === top) return '';
    if (!clean.startsWith(`${top}/`)) return undefined;
    const rel = clean.slice(top.length + 1);
    return rel === '.git' || rel.startsWith('.git/') ? undefined : rel;
  };
  const decoder = new TextDecoder();
  const host: EngineHost = {
    readFile(p) {
      const rel = relOf(p);
      if (rel === undefined) return real.readFile(p);
      if (!inTree.has(rel)) return undefined;
      if (changed.has(rel)) {
        const b = gitBytes(rel);
        return b ? decoder.decode(b) : undefined;
      }
      servedFromDisk.add(rel);
      return real.readFile(p);
    },
    readBinary(p) {
      const rel = relOf(p);
      if (rel === undefined) return real.readBinary?.(p);
      if (!inTree.has(rel)) return undefined;
      if (changed.has(rel)) return gitBytes(rel);
      servedFromDisk.add(rel);
      return real.readBinary?.(p);
    },
    readDir(p) {
      const rel = relOf(p);
      if (rel === undefined) return real.readDir(p);
      const entries = dirs.get(rel);
      return entries ? [...entries].map(([name, isDirectory]): Entry => ({ name, isDirectory })) : undefined;
    },
    now: () => real.now(),
    env: (name) => real.env(name),
    get clock() {
      return real.clock;
    },
    get net() {
      return real.net;
    },
    get render() {
      return real.render;
    },
    get git() {
      return real.git;
    },
  };
  return {
    host,
    root: top,
    commit,
    servedFromDisk,
    setChanged(next) {
      changed = next;
    },
  };
}
