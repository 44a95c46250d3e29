/**
 * The Node Git host: another revision's files through the `git` CLI, run
 * synchronously (the engine's file reads are synchronous). A tree is listed
 * with one `ls-tree`, many files are read with one `cat-file --batch`, and
 * the files that differ from the working tree come from `git diff` plus the
 * untracked, non-ignored files; against HEAD, the commit and those files come
 * from one `git status` instead. Failures are messages a user can act on:
 * git not installed, not a repository, an unknown revision, a shallow clone
 * that does not reach the commit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GitHost, GitTreeFile } from '../engine/index.ts';

type Changes = ReturnType<GitHost['changes']>;

interface Run {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  missing?: boolean;
}

const ENV = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };

function git(cwd: string, args: string[], input?: string): Run {
  const r = spawnSync('git', args, { cwd, env: ENV, input, maxBuffer: 1024 * 1024 * 1024, windowsHide: true });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      stdout: Buffer.alloc(0),
      stderr: missing ? 'git is not installed (or not on PATH)' : r.error.message,
      missing,
    };
  }
  return {
    ok: r.status === 0,
    stdout: r.stdout ?? Buffer.alloc(0),
    stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8').trim(),
  };
}

/** The repository root in the caller's terms: `dir` minus git's prefix (git's own path may resolve symlinks). */
function rootOf(dir: string, prefixLine: string): string {
  const prefix = prefixLine.replace(/\/+$/, '');
  const clean = dir.replace(/\/+$/, '') || '/';
  return prefix && clean.endsWith(`/${prefix}`) ? clean.slice(0, clean.length - prefix.length - 1) || '/' : clean;
}

const NO_GIT = 'git is not installed (or not on PATH): reading another revision needs it';

/**
 * The Node Git host. `remember`: for one-shot commands, which take the
 * repository to stay as it is while they run: a revision resolved and a list
 * of changed files are asked of git once per host (the CLI's diff asks before
 * the engine asks again with the same host; every git process costs a fork
 * of this process, about 10 ms). The editor's hosts do not remember.
 */
export function createGitHost(options: { remember?: boolean } = {}): GitHost {
  const host = createGitProcesses();
  if (!options.remember) return host;
  const answers = new Map<string, unknown>();
  const remembered = <T>(key: string, ask: () => T): T => {
    if (!answers.has(key)) answers.set(key, ask());
    return answers.get(key) as T;
  };
  const resolveKey = (dir: string, ref: string) => JSON.stringify(['resolve', dir, ref]);
  const changedKey = (root: string, commit: string) => JSON.stringify(['changed', root, commit]);
  return {
    ...host,
    resolve: (dir, ref) => remembered(resolveKey(dir, ref), () => host.resolve(dir, ref)),
    changedFiles: (root, commit) => remembered(changedKey(root, commit), () => host.changedFiles(root, commit)),
    changes: (dir, ref) =>
      remembered(JSON.stringify(['changes', dir, ref]), () => {
        const c = host.changes(dir, ref);
        // What it answered also answers the two questions it combines.
        if (!('error' in c)) {
          answers.set(resolveKey(dir, ref), { root: c.root, commit: c.commit, label: c.label });
          answers.set(changedKey(c.root, c.commit), c.changed);
          answers.set(JSON.stringify(['changes', c.root, ref]), c);
        }
        return c;
      }),
  };
}

/**
 * The folder holding `.git` at or above `dir` (the repository root in the
 * caller's terms, as git finds it), or undefined. Not when GIT_DIR or
 * GIT_WORK_TREE point git elsewhere.
 */
function repositoryRoot(dir: string): string | undefined {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return undefined;
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * HEAD and the files that differ from it from one `git status` (porcelain v2:
 * `# branch.oid`, changed entries `1`/`2`/`u`, untracked `?`; paths from the
 * root). A file staged and changed back in the working tree is listed though
 * it equals HEAD: it is then compared and found unchanged. Undefined when
 * status cannot say (no commit yet, not a repository, ...): the caller asks
 * the usual way, which explains.
 */
function headChanges(dir: string): Changes | undefined {
  const root = repositoryRoot(dir);
  if (!root) return undefined;
  const r = git(root, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--no-renames']);
  if (!r.ok) return undefined;
  let commit: string | undefined;
  const changed = new Set<string>();
  const entries = r.stdout.toString('utf8').split('\0');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.startsWith('# branch.oid ')) commit = e.slice('# branch.oid '.length);
    else if (e.startsWith('? ')) changed.add(e.slice(2));
    else if (e.startsWith('1 ') || e.startsWith('2 ') || e.startsWith('u ')) {
      // "1 XY sub mH mI mW hH hI path", "u XY sub m1 m2 m3 mW h1 h2 h3 path"; "2 ... X<score> path" then the old path.
      const fields = e.startsWith('1 ') ? 8 : e.startsWith('2 ') ? 9 : 10;
      let at = 0;
      for (let f = 0; f < fields && at >= 0; f++) at = e.indexOf(' ', at) + 1 || -1;
      if (at > 0) changed.add(e.slice(at));
      if (e.startsWith('2 ') && entries[i + 1]) changed.add(entries[++i]!);
    }
  }
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  return { root, commit, label: `HEAD (${commit.slice(0, 7)})`, changed: [...changed].sort() };
}

function createGitProcesses(): GitHost {
  const host: GitHost = {
    changes(dir, ref) {
      const fast = ref === 'HEAD' ? headChanges(dir) : undefined;
      if (fast) return fast;
      const resolved = host.resolve(dir, ref);
      if ('error' in resolved) return resolved;
      const changed = host.changedFiles(resolved.root, resolved.commit);
      return Array.isArray(changed) ? { ...resolved, changed } : changed;
    },
    resolve(dir, ref) {
      if (!/^[^-]/.test(ref) || ref.includes('\0')) return { error: `'${ref}' is not a Git revision` };
      // One process on the common path: where the top folder is and the commit, together.
      const both = git(dir, ['rev-parse', '--show-prefix', '--verify', '--quiet', `${ref}^{commit}`]);
      if (both.missing) return { error: NO_GIT };
      const lines = both.stdout.toString('utf8').split('\n');
      if (both.ok && lines.length >= 2 && lines[1]) {
        // The root in the caller's terms (dir minus the prefix), not git's resolved path: with a symlink in
        // the path (/tmp on macOS) the caller's files would not be recognised as the repository's.
        const root = rootOf(dir, lines[0]!);
        const commit = lines[1];
        return {
          root,
          commit,
          label: /^[0-9a-f]{40,64}$/.test(ref) ? commit.slice(0, 12) : `${ref} (${commit.slice(0, 7)})`,
        };
      }
      const top = git(dir, ['rev-parse', '--show-prefix']);
      if (!top.ok)
        return {
          error: /not a git repository/i.test(top.stderr)
            ? `${dir} is not in a Git repository`
            : `git could not read ${dir}: ${top.stderr}`,
        };
      const root = rootOf(dir, top.stdout.toString('utf8').split('\n')[0]!);
      const shallow = git(root, ['rev-parse', '--is-shallow-repository']).stdout.toString('utf8').trim() === 'true';
      if (shallow)
        return {
          error: `'${ref}' is not a commit in ${root}: this is a shallow clone that may not reach it (run 'git fetch --unshallow', or check out with fetch-depth: 0 in CI)`,
        };
      const empty = !git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).ok;
      return { error: `'${ref}' is not a commit in ${root}${empty ? ' (the repository has no commits yet)' : ''}` };
    },
    listFiles(root, commit) {
      // Without -l: sizes would make git read every blob's header (15-20 ms of git's CPU for 470 files).
      const r = git(root, ['ls-tree', '-r', '-z', '--full-tree', commit]);
      if (!r.ok) return { error: r.missing ? NO_GIT : `git could not list ${commit} in ${root}: ${r.stderr}` };
      const out: GitTreeFile[] = [];
      for (const entry of r.stdout.toString('utf8').split('\0')) {
        // "<mode> <type> <object>\t<path>"; submodules (commit) and symlinks' targets are not files here.
        const tab = entry.indexOf('\t');
        if (tab < 0) continue;
        const [mode, type] = entry.slice(0, tab).split(/\s+/);
        if (type !== 'blob' || mode === '120000') continue;
        out.push({ path: entry.slice(tab + 1) });
      }
      return out;
    },
    readFiles(root, commit, paths) {
      const out = new Map<string, Uint8Array>();
      const wanted = paths.filter((p) => !p.includes('\n'));
      if (wanted.length === 0) return out;
      const r = git(root, ['cat-file', '--batch'], wanted.map((p) => `${commit}:${p}\n`).join(''));
      if (!r.ok) return out;
      const buf = r.stdout;
      let at = 0;
      for (const p of wanted) {
        const nl = buf.indexOf(10, at);
        if (nl < 0) break;
        const header = buf.subarray(at, nl).toString('utf8');
        at = nl + 1;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) continue; // "<name> missing" or "ambiguous"
        const size = Number(m[2]);
        if (m[1] === 'blob') out.set(p, new Uint8Array(buf.subarray(at, at + size)));
        at += size + 1;
      }
      return out;
    },
    changedFiles(root, commit) {
      const diff = git(root, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', commit, '--']);
      if (!diff.ok)
        return {
          error: diff.missing ? NO_GIT : `git could not compare ${commit} with the working tree: ${diff.stderr}`,
        };
      const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
      if (!untracked.ok) return { error: `git could not list untracked files in ${root}: ${untracked.stderr}` };
      const names = [
        ...diff.stdout.toString('utf8').split('\0'),
        ...untracked.stdout.toString('utf8').split('\0'),
      ].filter(Boolean);
      return [...new Set(names)].sort();
    },
  };
  return host;
}
