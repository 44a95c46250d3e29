/**
 * Where in the written object a controller's failure belongs. Ready=False
 * and Stalled messages of helm-controller and source-controller name the
 * thing that failed in words; this reads the common ones and returns the
 * path of the field to underline:
 *   - "could not resolve ConfigMap chart values reference 'ns/name' with key
 *     'k': ..." (fluxcd/pkg chartutil) → the valuesFrom entry;
 *   - "no 'chart' chart with version matching 'v' found" (source-controller)
 *     → spec.chart.spec.version;
 *   - Helm's "values don't meet the specifications of the schema(s)" with
 *     "- at '/a/b': ..." lines → that value under spec.values when it is
 *     written there, else spec.values (or valuesFrom when there are no
 *     inline values);
 *   - "chart ... not found" / "invalid chart reference" → spec.chart.spec.chart.
 * Unknown messages give `undefined` (the caller keeps the object's name).
 */
import type { PathSeg } from '../yaml/nodes.ts';

function isMap(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function has(root: unknown, path: PathSeg[]): boolean {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length) return false;
      cur = cur[seg];
    } else {
      if (!isMap(cur) || !(seg in cur)) return false;
      cur = cur[seg];
    }
  }
  return true;
}

/** JSON pointer-ish `/a/b/0` (Helm's schema error locations) → path segments. */
function pointer(text: string): PathSeg[] {
  return text.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/** The field of `written` (the workspace object as a plain value) a failure message points at. */
export function failureSite(kind: string, written: unknown, message: string | undefined): PathSeg[] | undefined {
  if (!message || !isMap(written)) return undefined;
  const spec = isMap(written.spec) ? written.spec : {};
  if (kind !== 'HelmRelease') return undefined;

  const ref = /could not resolve(?: optional)? (ConfigMap|Secret) chart values reference '(?:([^'/]*)\/)?([^']+)'/.exec(message);
  if (ref) {
    const list = Array.isArray(spec.valuesFrom) ? spec.valuesFrom : [];
    const i = list.findIndex((e) => isMap(e) && e.kind === ref[1] && e.name === ref[3]);
    return i >= 0 ? ['spec', 'valuesFrom', i] : has(written, ['spec', 'valuesFrom']) ? ['spec', 'valuesFrom'] : undefined;
  }

  if (/chart with version matching '[^']*' found|no chart version found|failed to get chart version/.test(message)) {
    if (has(written, ['spec', 'chart', 'spec', 'version'])) return ['spec', 'chart', 'spec', 'version'];
    if (has(written, ['spec', 'chart', 'spec', 'chart'])) return ['spec', 'chart', 'spec', 'chart'];
    return undefined;
  }

  if (/values don't meet the specifications of the schema/.test(message)) {
    const at = /at '([^']*)'/.exec(message) ?? /^- ([A-Za-z0-9_.[\]-]+):/m.exec(message);
    if (at) {
      const segs = at[1]!.startsWith('/') ? pointer(at[1]!) : at[1]!.split('.').filter(Boolean);
      for (let n = segs.length; n > 0; n--) {
        const p: PathSeg[] = ['spec', 'values', ...segs.slice(0, n)];
        if (has(written, p)) return p;
      }
    }
    if (has(written, ['spec', 'values'])) return ['spec', 'values'];
    if (has(written, ['spec', 'valuesFrom'])) return ['spec', 'valuesFrom'];
    return undefined;
  }

  if (/invalid chart reference|chart .* not found|no chart name found/.test(message) && has(written, ['spec', 'chart', 'spec', 'chart'])) {
    return ['spec', 'chart', 'spec', 'chart'];
  }
  return undefined;
}
