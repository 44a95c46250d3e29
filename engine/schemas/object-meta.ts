/**
 * The shape of `metadata` as the API server accepts it for the objects we
 * check. CRD schemas leave metadata open (`type: object`); the API server
 * still validates it as ObjectMeta, so we check the parts people write:
 * name and namespace formats, and labels/annotations being string maps.
 * Descriptions are filled in by the schema generator from schemas/docs/_common.yaml.
 */
import type { JsonSchema } from './crd.ts';

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A label value: empty, or alphanumerics with `-`, `_`, `.` inside (at most 63 characters). */
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** A qualified name (label and annotation keys): an optional DNS-subdomain prefix and `/`, then a name part. */
export const QUALIFIED_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$';

export function objectMetaSchema(): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
      generateName: { type: 'string' },
      namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL },
      labels: { type: 'object', propertyNames: { pattern: QUALIFIED_NAME }, additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE } },
      annotations: { type: 'object', propertyNames: { pattern: QUALIFIED_NAME }, additionalProperties: { type: 'string' } },
      finalizers: { type: 'array', items: { type: 'string' } },
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['apiVersion', 'kind', 'name', 'uid'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            name: { type: 'string' },
            uid: { type: 'string' },
            controller: { type: 'boolean' },
            blockOwnerDeletion: { type: 'boolean' },
          },
        },
      },
      // Written by the server; accepted in YAML exported from a cluster.
      uid: { type: 'string' },
      resourceVersion: { type: 'string' },
      generation: { type: 'integer' },
      creationTimestamp: { type: ['string', 'null'] },
      deletionTimestamp: { type: ['string', 'null'] },
      deletionGracePeriodSeconds: { type: 'integer' },
      selfLink: { type: 'string' },
      managedFields: { type: 'array' },
    },
  };
}

/** Namespaces are named by a DNS label: no dots (unlike most objects). */
export function namespaceMetaSchema(): JsonSchema {
  const meta = objectMetaSchema();
  (meta.properties as Record<string, JsonSchema>).name = { type: 'string', maxLength: 63, pattern: DNS_LABEL };
  return meta;
}
