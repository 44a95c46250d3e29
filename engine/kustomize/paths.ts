/**
 * POSIX path helpers for the kustomize build. The engine may not import
 * node:path's platform behaviour, and hosts speak forward-slash paths.
 */

/** A path with an empty, `.` or `..` segment, or a trailing slash: one normalizePath changes. */
const UNNORMAL = /\/\/|(?:^|\/)\.\.?(?:\/|$)|\/$/;

export function normalizePath(p: string): string {
  // Most paths are already normal (called for every file a build reads): returned as they are.
  if (p !== '' && !UNNORMAL.test(p)) return p;
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return normalizePath(rel);
  // `./x.yaml` (how kustomizations list files): the `./` dropped first keeps the joined path normal.
  while (rel.startsWith('./')) rel = rel.slice(2);
  return normalizePath(`${dir}/${rel}`);
}

export function basename(p: string): string {
  const n = p.replace(/\/+$/, '');
  const i = n.lastIndexOf('/');
  return i < 0 ? n : n.slice(i + 1);
}

/** True for entries kustomize would fetch over the network (git or http); fluxhelm never does. */
export function isRemoteReference(entry: string): boolean {
  return /^(?:https?:\/\/|git::|ssh:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/|[a-z0-9.-]+\.[a-z]{2,}\/[^/]+\/[^/]+\.git)/i.test(entry) || /\?ref=/.test(entry) || /^oci:\/\//i.test(entry);
}
