/**
 * Name back-references: after prefixes, suffixes and hash suffixes have
 * renamed objects, fields that hold the old name of a ConfigMap, Secret,
 * ServiceAccount, Service, Role... are rewritten, using kustomize's default
 * reference table (fieldspecs.ts) and its rules for choosing among
 * candidates (previous names, namespaces, prefix/suffix context). Fields
 * kustomize does not know, such as a HelmRelease's valuesFrom, are left as
 * they are, exactly like kustomize leaves them.
 */
import { NAME_REFERENCES, visitFieldSpec, type FieldSpec, type NameRefSpec } from './fieldspecs.ts';
import { Res, isClusterScoped, isPlainMap, gvkSelected, effectiveNamespace, formatId, type Gvk } from './resource.ts';

function sameEndingSubSlice(a: string[], b: string[]): boolean {
  let shortest = a;
  let longest = b;
  if (shortest.length > longest.length) [shortest, longest] = [longest, shortest];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--) if (longest[i + diff] !== shortest[i]) return false;
  return true;
}

function referableFrom(all: Res[], referrer: Res): Res[] {
  const rid = referrer.id;
  if (isClusterScoped(rid)) return all;
  const bindingNamespaces = new Set<string>();
  if (rid.kind === 'RoleBinding' && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) if (isPlainMap(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') bindingNamespaces.add(s.namespace);
  }
  return all.filter((t) => {
    const tid = t.id;
    if (isClusterScoped(tid)) return true;
    if (effectiveNamespace(tid) === effectiveNamespace(rid)) return true;
    return bindingNamespaces.has(tid.namespace);
  });
}

interface RefContext {
  referrer: Res;
  fs: FieldSpec;
  target: Partial<Gvk>;
  errors: string[];
}

function selectReferral(ctx: RefContext, oldName: string, candidates: Res[]): Res | undefined {
  let c = candidates.filter((r) => r.prevIds.some((id) => id.name === oldName));
  c = c.filter((r) => r.prevIds.some((id) => gvkSelected(id, ctx.target)));
  if (ctx.fs.path.endsWith('roleRef/name')) {
    const ref = ctx.referrer.obj.roleRef;
    if (isPlainMap(ref) && ref.apiGroup !== undefined && ref.kind !== undefined) {
      const sel = { group: String(ref.apiGroup), kind: String(ref.kind) };
      c = c.filter((r) => r.prevIds.some((id) => gvkSelected(id, sel)));
    }
  }
  const rid = ctx.referrer.id;
  if (!isClusterScoped(rid)) c = c.filter((r) => isClusterScoped(r.id) || r.gvk.kind === 'ServiceAccount' || effectiveNamespace(r.id) === effectiveNamespace(rid));
  if (c.length === 1) return c[0];
  c = c.filter((r) => sameEndingSubSlice(r.prefixes, ctx.referrer.prefixes) && sameEndingSubSlice(r.suffixes, ctx.referrer.suffixes));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  if (c.every((r) => r.name === c[0].name)) return c[0];
  ctx.errors.push(`the reference to ${JSON.stringify(oldName)} in ${ctx.fs.path} of ${formatId(rid)} matches several objects: ${c.map((r) => formatId(r.id)).join(', ')}`);
  return undefined;
}

function setScalar(ctx: RefContext, candidates: Res[], value: string): string | undefined {
  const referral = selectReferral(ctx, value, candidates);
  return referral && referral.name !== value ? referral.name : undefined;
}

function setMapping(ctx: RefContext, candidates: Res[], node: Record<string, unknown>): void {
  if (typeof node.name !== 'string') return;
  let pool = candidates;
  if (node.namespace !== undefined && node.namespace !== null) {
    // kustomize groups candidates by namespace with "" meaning "default" (checked against v5.6).
    const ns = String(node.namespace) || 'default';
    const byOrg = candidates.filter((r) => (r.orgId().namespace || 'default') === ns);
    pool = byOrg.length > 0 ? byOrg : candidates.filter((r) => (r.id.namespace || 'default') === ns);
  }
  const oldName = node.name;
  const referral = selectReferral(ctx, oldName, pool);
  if (!referral) return;
  const ns = referral.id.namespace;
  if (referral.name === oldName && ns === '') return;
  node.name = referral.name;
  if (ns !== '') node.namespace = ns;
}

/**
 * Rewrites name references in every object; returns messages for ambiguous
 * references. `extra` holds the name references of `configurations` files.
 */
export function fixNameReferences(all: Res[], extra: NameRefSpec[] = []): string[] {
  const errors: string[] = [];
  const specs = extra.length ? [...NAME_REFERENCES, ...extra] : NAME_REFERENCES;
  for (const referrer of all) {
    let candidates: Res[] | undefined;
    // The id is computed from the object on every call; once per referrer is enough (ids do not change here).
    const org = referrer.orgId();
    for (const spec of specs) {
      for (const fs of spec.referrers) {
        if (!gvkSelected(org, fs)) continue;
        candidates ??= referableFrom(all, referrer);
        const ctx: RefContext = { referrer, fs, target: spec.target, errors };
        const pool = candidates;
        visitFieldSpec(referrer.obj, referrer.gvk, { ...fs, create: false, group: undefined, version: undefined, kind: undefined }, (parent, key) => {
          const v = parent[key];
          if (typeof v === 'string') {
            const n = setScalar(ctx, pool, v);
            if (n !== undefined) parent[key] = n;
          } else if (isPlainMap(v)) setMapping(ctx, pool, v);
          else if (Array.isArray(v)) {
            v.forEach((e, i) => {
              if (typeof e === 'string') {
                const n = setScalar(ctx, pool, e);
                if (n !== undefined) v[i] = n;
              } else if (isPlainMap(e)) setMapping(ctx, pool, e);
            });
          }
        });
      }
    }
  }
  return errors;
}
