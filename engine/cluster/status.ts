/**
 * Turns API server answers into ClusterError data: decodes the
 * `kind: Status` body Kubernetes sends with every failure, including the
 * field-manager conflicts of server-side apply ("conflict with "helm-controller"
 * using v2: .spec.values.replicaCount") and the per-field causes of CRD
 * validation.
 */
import type { ClusterError, FieldCause, FieldConflict, TransportResponse } from './types.ts';

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

/** Parses JSON without throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// The cause message is `conflict with "<manager>"`, plus ` using <apiVersion>`
// for Update managers; the top-level message appends `: <field>`.
const conflictPattern = /^conflict with "((?:[^"\\]|\\.)*)"(?: using ([^\s:]+))?(?::\s*(.*))?$/s;

/** Reads one SSA conflict cause message. */
export function parseConflict(cause: { message?: string; field?: string }): FieldConflict {
  const message = cause.message ?? '';
  const m = conflictPattern.exec(message);
  if (!m) return { manager: '', field: cause.field ?? '', message };
  const conflict: FieldConflict = { manager: m[1]!.replace(/\\(.)/g, '$1'), field: cause.field || (m[3] ?? '').trim(), message };
  if (m[2]) conflict.operation = `Update (${m[2].trim()})`;
  return conflict;
}

/** The ClusterError for a non-2xx response. */
export function errorFromResponse(res: TransportResponse): ClusterError {
  const parsed = parseJson(res.body);
  const status: StatusBody = parsed && typeof parsed === 'object' ? (parsed as StatusBody) : {};
  const message = status.message ?? (res.body.trim() || `HTTP ${res.status}`);
  const causes = status.details?.causes ?? [];
  switch (res.status) {
    case 401:
      return { kind: 'unauthorized', message };
    case 403:
      return { kind: 'forbidden', message };
    case 404:
      return { kind: 'not-found', message };
    case 409:
      if (status.reason === 'Conflict' && causes.some((c) => c.reason === 'FieldManagerConflict')) {
        return {
          kind: 'conflict',
          message,
          conflicts: causes.filter((c) => c.reason === 'FieldManagerConflict').map(parseConflict),
        };
      }
      break;
    case 422:
      return {
        kind: 'invalid',
        message,
        causes: causes.map((c): FieldCause => {
          const cause: FieldCause = { message: c.message ?? '' };
          if (c.field) cause.field = c.field;
          if (c.reason) cause.reason = c.reason;
          return cause;
        }),
      };
  }
  const err: ClusterError = { kind: 'server', message, status: res.status };
  if (status.reason) err.reason = status.reason;
  return err;
}
