/**
 * The Node Git host's `changes(dir, 'HEAD')`: one `git status` gives the
 * commit and the files that differ from it (what a rendered diff against HEAD
 * asks first). Checked against the two questions it replaces (`resolve`:
 * rev-parse; `changedFiles`: git diff + ls-files) on a real repository in
 * each state a working tree can be in: edits staged or not, deletions,
 * untracked files in new folders, a staged rename, names with spaces and
 * non-ASCII letters, a merge conflict, a file staged and then changed back (listed by status,
 * compared and found equal later), asked from a subfolder, and the errors of a
 * repository without commits and a folder outside Git.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHost } from '../../server/git-host.ts';

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
}

function repository(): string {
  const root = mkdtempSync(join(tmpdir(), 'fluxhelm-git-changes-'));
  git(root, ['init', '-q', '-b', 'main']);
  mkdirSync(join(root, 'apps', 'web'), { recursive: true });
  for (const f of ['apps/web/release.yaml', 'apps/web/values.yaml', 'apps/kept.yaml', 'old name.yaml', 'staged-back.yaml', 'to-delete.yaml', 'to-unstage.yaml'])
    writeFileSync(join(root, f), `${f}: 1\n`);
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'first']);
  return root;
}

/** Both ways of asking, from `dir`; the fast answer must cover the slow one. */
function both(dir: string): { fast: { root: string; commit: string; label: string; changed: string[] }; slow: { root: string; commit: string; label: string; changed: string[] } } {
  const host = createGitHost();
  const fast = host.changes(dir, 'HEAD');
  const resolved = host.resolve(dir, 'HEAD');
  assert.ok(!('error' in fast), `changes: ${'error' in fast ? fast.error : ''}`);
  assert.ok(!('error' in resolved), `resolve: ${'error' in resolved ? resolved.error : ''}`);
  const changed = host.changedFiles(resolved.root, resolved.commit);
  assert.ok(Array.isArray(changed));
  return { fast, slow: { ...resolved, changed } };
}

test('a clean working tree: the same commit, root and label, nothing changed', () => {
  const root = repository();
  try {
    const { fast, slow } = both(root);
    assert.deepEqual(fast, slow);
    assert.deepEqual(fast.changed, []);
    assert.match(fast.label, /^HEAD \([0-9a-f]{7}\)$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('every kind of change is listed, from the root and from a subfolder', () => {
  const root = repository();
  try {
    writeFileSync(join(root, 'apps/web/values.yaml'), 'edited: 1\n'); // unstaged edit
    writeFileSync(join(root, 'apps/web/release.yaml'), 'staged: 1\n'); // staged edit
    git(root, ['add', 'apps/web/release.yaml']);
    rmSync(join(root, 'to-delete.yaml')); // deletion
    git(root, ['mv', 'old name.yaml', 'new näme.yaml']); // staged rename (both names differ from HEAD)
    mkdirSync(join(root, 'apps', 'new', 'deep'), { recursive: true });
    writeFileSync(join(root, 'apps/new/deep/untracked.yaml'), 'u: 1\n'); // untracked, in a new folder
    writeFileSync(join(root, 'to-unstage.yaml'), 'x: 2\n');
    writeFileSync(join(root, '.gitignore'), 'ignored.yaml\n');
    writeFileSync(join(root, 'ignored.yaml'), 'i: 1\n'); // ignored: not listed by either
    const expected = ['.gitignore', 'apps/new/deep/untracked.yaml', 'apps/web/release.yaml', 'apps/web/values.yaml', 'new näme.yaml', 'old name.yaml', 'to-delete.yaml', 'to-unstage.yaml'];
    for (const dir of [root, join(root, 'apps', 'web')]) {
      const { fast, slow } = both(dir);
      assert.deepEqual(slow.changed, expected);
      assert.deepEqual(fast, slow);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file staged and changed back to HEAD is listed by the fast answer only (then compared and found equal)', () => {
  const root = repository();
  try {
    writeFileSync(join(root, 'staged-back.yaml'), 'other: 1\n');
    git(root, ['add', 'staged-back.yaml']);
    writeFileSync(join(root, 'staged-back.yaml'), 'staged-back.yaml: 1\n');
    const { fast, slow } = both(root);
    assert.deepEqual(slow.changed, []);
    assert.deepEqual(fast.changed, ['staged-back.yaml']);
    assert.equal(fast.commit, slow.commit);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file with a merge conflict is listed both ways', () => {
  const root = repository();
  try {
    git(root, ['checkout', '-q', '-b', 'other']);
    writeFileSync(join(root, 'apps/kept.yaml'), 'other: 1\n');
    git(root, ['commit', '-q', '-am', 'other']);
    git(root, ['checkout', '-q', 'main']);
    writeFileSync(join(root, 'apps/kept.yaml'), 'main: 1\n');
    git(root, ['commit', '-q', '-am', 'main']);
    assert.throws(() => git(root, ['merge', '-q', 'other']));
    const { fast, slow } = both(root);
    assert.deepEqual(slow.changed, ['apps/kept.yaml']);
    assert.deepEqual(fast, slow);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('errors are the usual ones: a repository without commits, a folder outside Git, another ref', () => {
  const empty = mkdtempSync(join(tmpdir(), 'fluxhelm-git-empty-'));
  const outside = mkdtempSync(join(tmpdir(), 'fluxhelm-git-outside-'));
  const root = repository();
  try {
    git(empty, ['init', '-q']);
    const host = createGitHost();
    assert.deepEqual(host.changes(empty, 'HEAD'), host.resolve(empty, 'HEAD'));
    assert.match(JSON.stringify(host.changes(empty, 'HEAD')), /no commits yet/);
    assert.match(JSON.stringify(host.changes(outside, 'HEAD')), /is not in a Git repository/);
    // Another revision: asked the usual way.
    writeFileSync(join(root, 'apps/kept.yaml'), 'kept: 2\n');
    const main = host.changes(root, 'main');
    assert.ok(!('error' in main));
    assert.deepEqual(main.changed, ['apps/kept.yaml']);
    assert.match(main.label, /^main \([0-9a-f]{7}\)$/);
  } finally {
    for (const d of [empty, outside, root]) rmSync(d, { recursive: true, force: true });
  }
});
