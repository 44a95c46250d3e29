/**
 * The user's own Helm and Docker configuration, read through the host:
 * - Helm's folders (helmpath rules): HELM_CONFIG_HOME / HELM_CACHE_HOME, else
 *   XDG_CONFIG_HOME / XDG_CACHE_HOME, else the platform default
 *   (~/.config + ~/.cache on Linux, ~/Library/Preferences + ~/Library/Caches on
 *   macOS, %APPDATA% + %TEMP% on Windows), each with `/helm` appended.
 * - repositories.yaml (HELM_REPOSITORY_CONFIG overrides its path): repo name,
 *   URL and credentials; the repository cache (HELM_REPOSITORY_CACHE, default
 *   <cache>/repository) holds `<name>-index.yaml` after `helm repo update`.
 * - registry credentials: Helm's registry/config.json (HELM_REGISTRY_CONFIG),
 *   then Docker's config.json (DOCKER_CONFIG, default ~/.docker); both use
 *   Docker's `auths` layout (`auth` = base64 "user:pass", or
 *   `username`/`password`). Credential helpers and stores cannot be run from
 *   here; they are reported so callers can say why no credentials were found.
 */
import { parse as parseYaml } from 'yaml';
import { decodeText, joinPath, type SourceHost } from './host.ts';

export interface HelmPaths {
  configHome: string;
  cacheHome: string;
  repositoryConfig: string;
  repositoryCache: string;
  registryConfig: string;
}

function home(host: SourceHost): string {
  return host.env('HOME') ?? host.env('USERPROFILE') ?? '';
}

/** Helm's config and cache locations for this host's environment. */
export function helmPaths(host: SourceHost): HelmPaths {
  const platform = host.platform ?? 'linux';
  const h = home(host);
  const baseConfig =
    host.env('XDG_CONFIG_HOME') ??
    (platform === 'darwin' ? joinPath(h, 'Library', 'Preferences') : platform === 'win32' ? (host.env('APPDATA') ?? h) : joinPath(h, '.config'));
  const baseCache =
    host.env('XDG_CACHE_HOME') ??
    (platform === 'darwin' ? joinPath(h, 'Library', 'Caches') : platform === 'win32' ? (host.env('TEMP') ?? h) : joinPath(h, '.cache'));
  const configHome = host.env('HELM_CONFIG_HOME') ?? joinPath(baseConfig, 'helm');
  const cacheHome = host.env('HELM_CACHE_HOME') ?? joinPath(baseCache, 'helm');
  return {
    configHome,
    cacheHome,
    repositoryConfig: host.env('HELM_REPOSITORY_CONFIG') ?? joinPath(configHome, 'repositories.yaml'),
    repositoryCache: host.env('HELM_REPOSITORY_CACHE') ?? joinPath(cacheHome, 'repository'),
    registryConfig: host.env('HELM_REGISTRY_CONFIG') ?? joinPath(configHome, 'registry', 'config.json'),
  };
}

export interface HelmRepoEntry {
  name: string;
  url: string;
  username?: string;
  password?: string;
  insecureSkipVerify?: boolean;
}

/** The repositories in Helm's repositories.yaml (empty when there is none or it does not parse). */
export async function helmRepositories(host: SourceHost, paths = helmPaths(host)): Promise<HelmRepoEntry[]> {
  const bytes = await host.readFile(paths.repositoryConfig);
  if (!bytes) return [];
  let doc: unknown;
  try {
    doc = parseYaml(decodeText(bytes), { maxAliasCount: 100 });
  } catch {
    return [];
  }
  const repos = (doc as { repositories?: unknown } | null)?.repositories;
  if (!Array.isArray(repos)) return [];
  const out: HelmRepoEntry[] = [];
  for (const r of repos) {
    if (!r || typeof r !== 'object') continue;
    const { name, url, username, password, insecure_skip_tls_verify } = r as Record<string, unknown>;
    if (typeof name !== 'string' || typeof url !== 'string') continue;
    out.push({
      name,
      url,
      ...(typeof username === 'string' && username ? { username } : {}),
      ...(typeof password === 'string' && password ? { password } : {}),
      ...(insecure_skip_tls_verify === true ? { insecureSkipVerify: true } : {}),
    });
  }
  return out;
}

/** Canonical form for comparing repository URLs: lower-case scheme and host, no trailing slash. */
export function normalizeRepoUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    const path = u.pathname.replace(/\/+$/, '');
    return `${u.protocol}//${u.host.toLowerCase()}${path}${u.search}`;
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

/** The Helm repository entry whose URL is `url`, if the user added it with `helm repo add`. */
export async function findHelmRepo(host: SourceHost, url: string, paths = helmPaths(host)): Promise<HelmRepoEntry | undefined> {
  const want = normalizeRepoUrl(url);
  return (await helmRepositories(host, paths)).find((r) => normalizeRepoUrl(r.url) === want);
}

/** Path of Helm's cached index for a repository name. */
export function helmIndexCachePath(paths: HelmPaths, name: string): string {
  return joinPath(paths.repositoryCache, `${name}-index.yaml`);
}

export interface RegistryCredentials {
  username: string;
  password: string;
  /** Which file they came from. */
  from: string;
}

export interface RegistryCredentialLookup {
  credentials?: RegistryCredentials;
  /** Set when a config names a credential helper/store for this host that we cannot run. */
  helper?: string;
}

function registryKeyHost(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

function decodeBase64(text: string): string | undefined {
  try {
    return decodeText(Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function fromAuthsFile(json: unknown, host: string, file: string): RegistryCredentialLookup {
  if (!json || typeof json !== 'object') return {};
  const cfg = json as { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown>; credsStore?: unknown };
  const want = host.toLowerCase();
  const aliases = want === 'docker.io' || want === 'registry-1.docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [want];
  for (const [key, value] of Object.entries(cfg.auths ?? {})) {
    if (!aliases.includes(registryKeyHost(key)) || !value || typeof value !== 'object') continue;
    const v = value as { auth?: unknown; username?: unknown; password?: unknown };
    if (typeof v.auth === 'string' && v.auth) {
      const decoded = decodeBase64(v.auth);
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded && colon > 0) return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: file } };
    }
    if (typeof v.username === 'string' && typeof v.password === 'string') return { credentials: { username: v.username, password: v.password, from: file } };
  }
  const helper = cfg.credHelpers?.[want];
  if (typeof helper === 'string') return { helper: `docker-credential-${helper} (${file})` };
  if (typeof cfg.credsStore === 'string' && cfg.credsStore) return { helper: `docker-credential-${cfg.credsStore} (${file})` };
  return {};
}

async function readJson(host: SourceHost, path: string): Promise<unknown> {
  const bytes = await host.readFile(path);
  if (!bytes) return undefined;
  try {
    return JSON.parse(decodeText(bytes));
  } catch {
    return undefined;
  }
}

/** Credentials for an OCI registry host (`host[:port]`) from Helm's registry config, then Docker's. */
export async function registryCredentials(host: SourceHost, registryHost: string, paths = helmPaths(host)): Promise<RegistryCredentialLookup> {
  const dockerDir = host.env('DOCKER_CONFIG') ?? joinPath(home(host), '.docker');
  let helper: string | undefined;
  for (const file of [paths.registryConfig, joinPath(dockerDir, 'config.json')]) {
    const found = fromAuthsFile(await readJson(host, file), registryHost, file);
    if (found.credentials) return found;
    helper ??= found.helper;
  }
  return helper ? { helper } : {};
}
