/**
 * Opens the engine on the folders a CLI command was given: one Node host,
 * one service, the workspace index rooted at those folders (a file counts
 * through its folder), and how paths are shown (relative to the current
 * folder, as the user typed them).
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { createLanguageService, type GitHost, type LanguageService } from '../engine/index.ts';
import { createNodeHost } from '../server/node-host.ts';
import { UsageError } from './args.ts';

/** The folders to index for the given paths (a file counts through its folder); a missing path is a usage error. */
export function workspaceRoots(paths: string[]): string[] {
  const roots: string[] = [];
  for (const p of paths.length ? paths : ['.']) {
    const abs = resolve(p);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    roots.push(isDir ? abs : dirname(abs));
  }
  return [...new Set(roots)];
}

export interface OpenOptions {
  repoRoot?: string;
  /** Chart indexes, tags and charts may be fetched (otherwise caches only). */
  network?: boolean;
  timeoutMs?: number;
  /** A render follows: Helm's engine starts in the background while the workspace is indexed. */
  prepareRender?: boolean;
  /** The Git host the engine reads other revisions through (default: the Node host's own). */
  git?: GitHost;
}

export function createService(opts: OpenOptions = {}): LanguageService {
  // One-shot commands render a few releases and exit: Helm's module is compiled by V8's baseline tier only.
  const service = createLanguageService(createNodeHost({ renderTier: 'baseline', git: opts.git }));
  service.configure({ network: opts.network ?? true, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  return service;
}

export function openWorkspaceAt(
  paths: string[],
  opts: OpenOptions = {},
): { service: LanguageService; roots: string[] } {
  const roots = workspaceRoots(paths);
  const service = createService(opts);
  if (opts.prepareRender) service.prepareRender();
  service.openWorkspace({ roots, repoRoot: opts.repoRoot ? resolve(opts.repoRoot) : undefined });
  return { service, roots };
}

/** A path as the user sees it: relative to the current folder when below it. */
export function display(path: string): string {
  return isAbsolute(path) ? relative(process.cwd(), path) || path : path;
}
