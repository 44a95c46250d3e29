/**
 * Effective settings: the repository configuration (`.fluxhelm.yaml`)
 * merged with what the user set in the editor (or on the command line),
 * which wins field by field. Relative paths in the file are made absolute
 * against the file's folder; exclude globs are offered relative to that
 * folder and re-based onto each workspace root the index walks.
 */
import picomatch from 'picomatch';
import type { LoadedRepoConfig, SeverityOverride } from './repo-config.ts';

/** Values the user set explicitly in the editor or on the command line (unset fields fall back to the file). */
export interface ExplicitSettings {
  roots?: string[];
  exclude?: string[];
  crdPaths?: string[];
  kubeVersion?: string;
  apiVersions?: string[];
  network?: boolean;
  severity?: Record<string, SeverityOverride>;
}

export type SettingOrigin = 'explicit' | 'config' | 'default';

export interface EffectiveSettings {
  /** Absolute folders to check/index (the workspace folders when neither side names any). */
  roots: string[];
  /** Globs relative to `excludeBase`. */
  exclude: string[];
  excludeBase: string;
  /** Absolute CRD files or folders. */
  crdPaths: string[];
  kubeVersion?: string;
  apiVersions: string[];
  network: boolean;
  /** Per code; explicit entries win over the file's entry for the same code. */
  severity: Record<string, SeverityOverride>;
  /** Where each field's value came from (shown by `fluxhelm config` and in the server log). */
  origin: Record<'roots' | 'exclude' | 'crdPaths' | 'kubeVersion' | 'apiVersions' | 'network' | 'severity', SettingOrigin>;
  /** The configuration file used, if any. */
  configPath?: string;
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Joins a relative path onto `base` and folds `.`/`..` segments. */
export function resolvePath(base: string, p: string): string {
  if (isAbsolutePath(p)) return p;
  const parts = base.replace(/[\\/]+$/, '').split(/[\\/]/);
  for (const seg of p.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 1) parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/') || '/';
}

/**
 * Merges the file with explicit settings. `workspaceRoot` is the folder
 * explicit relative paths are resolved against (the first workspace folder,
 * or the current directory for the CLI); `defaultRoots` are used when
 * neither side names roots.
 */
export function mergeSettings(loaded: LoadedRepoConfig | undefined, explicit: ExplicitSettings, workspaceRoot: string, defaultRoots: string[] = [workspaceRoot]): EffectiveSettings {
  const file = loaded?.config ?? {};
  const fileDir = loaded?.dir ?? workspaceRoot;
  const origin = {} as EffectiveSettings['origin'];
  function choose<T>(key: keyof EffectiveSettings['origin'], e: T | undefined, f: T | undefined, d: T): T {
    if (e !== undefined) {
      origin[key] = 'explicit';
      return e;
    }
    if (f !== undefined) {
      origin[key] = 'config';
      return f;
    }
    origin[key] = 'default';
    return d;
  }
  const rootsRaw = choose('roots', explicit.roots?.length ? explicit.roots : undefined, file.roots, undefined as string[] | undefined);
  const roots = rootsRaw ? rootsRaw.map((r) => resolvePath(origin.roots === 'explicit' ? workspaceRoot : fileDir, r)) : defaultRoots;
  const exclude = choose('exclude', explicit.exclude?.length ? explicit.exclude : undefined, file.exclude, [] as string[]);
  const crdRaw = choose('crdPaths', explicit.crdPaths?.length ? explicit.crdPaths : undefined, file.crdPaths, [] as string[]);
  const crdPaths = crdRaw.map((p) => resolvePath(origin.crdPaths === 'explicit' ? workspaceRoot : fileDir, p));
  const kubeVersion = choose('kubeVersion', explicit.kubeVersion, file.kubeVersion, undefined as string | undefined);
  const apiVersions = choose('apiVersions', explicit.apiVersions?.length ? explicit.apiVersions : undefined, file.apiVersions, [] as string[]);
  const network = choose('network', explicit.network, file.network, true);
  const severity = { ...(file.severity ?? {}), ...(explicit.severity ?? {}) };
  origin.severity = explicit.severity && Object.keys(explicit.severity).length ? 'explicit' : file.severity ? 'config' : 'default';
  return {
    roots,
    exclude,
    excludeBase: origin.exclude === 'explicit' ? workspaceRoot : fileDir,
    crdPaths,
    ...(kubeVersion !== undefined ? { kubeVersion } : {}),
    apiVersions,
    network,
    severity,
    origin,
    ...(loaded ? { configPath: loaded.path } : {}),
  };
}

/** A predicate telling whether an absolute path is excluded by the settings' globs. */
export function excludeMatcher(settings: Pick<EffectiveSettings, 'exclude' | 'excludeBase'>): (absPath: string) => boolean {
  if (!settings.exclude.length) return () => false;
  const match = picomatch(settings.exclude, { dot: true });
  const base = settings.excludeBase.replace(/[\\/]+$/, '');
  return (absPath) => {
    const p = absPath.split('\\').join('/');
    if (!p.startsWith(`${base}/`)) return false;
    const rel = p.slice(base.length + 1);
    // A folder matched by a pattern excludes everything below it.
    const segs = rel.split('/');
    for (let i = 1; i <= segs.length; i++) {
      const prefix = segs.slice(0, i).join('/');
      if (match(prefix) || (i < segs.length && match(`${prefix}/`))) return true;
    }
    return false;
  };
}

/**
 * The exclude globs re-based onto one workspace root (the index matches
 * paths relative to each root): patterns under the root lose the root's
 * prefix, `**`-led patterns apply everywhere, patterns for other subtrees
 * are dropped.
 */
export function excludeForRoot(settings: Pick<EffectiveSettings, 'exclude' | 'excludeBase'>, root: string): string[] {
  const base = settings.excludeBase.replace(/[\\/]+$/, '');
  const r = root.replace(/[\\/]+$/, '');
  if (r === base) return settings.exclude;
  const prefix = r.startsWith(`${base}/`) ? `${r.slice(base.length + 1)}/` : undefined;
  const out: string[] = [];
  for (const g of settings.exclude) {
    const glob = g.replace(/^\.\//, '');
    if (glob.startsWith('**/')) out.push(glob);
    else if (prefix && glob.startsWith(prefix)) out.push(glob.slice(prefix.length));
  }
  return out;
}
