/**
 * file:// URIs <-> absolute paths, without Node's url module (the engine
 * stays free of platform modules). Percent-encoding matches what VS Code
 * sends for POSIX paths.
 */
export function pathToUri(path: string): string {
  return `file://${path.split('/').map((seg) => encodeURIComponent(seg).replace(/%40/g, '@')).join('/')}`;
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file://')) return undefined;
  let rest = uri.slice('file://'.length);
  if (!rest.startsWith('/')) rest = rest.slice(rest.indexOf('/')); // drop an authority
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}
