/**
 * Opens the engine on the folders a CLI command was given: a language
 * service with the workspace index rooted at those folders (files count
 * through their parent folder).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createLanguageService, type LanguageService } from '../engine/index.ts';
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

export function openWorkspaceAt(paths: string[], repoRoot?: string): { service: LanguageService; roots: string[] } {
  const roots = workspaceRoots(paths);
  const service = createLanguageService(createNodeHost());
  service.openWorkspace({ roots, repoRoot: repoRoot ? resolve(repoRoot) : undefined });
  return { service, roots };
}
