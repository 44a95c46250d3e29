/**
 * The bundled JSON Schema of `.fluxhelm.yaml` (schemas/src/fluxhelm-config.schema.json)
 * as a schema entry, so the repository configuration file gets the same
 * validation, completion and hover as Flux objects. kind.ts picks it by file
 * name: the file has no apiVersion or kind.
 */
import configSchema from '../../schemas/src/fluxhelm-config.schema.json';
import type { SchemaEntry } from '../schemas/registry.ts';
import type { JsonSchema } from '../schemas/crd.ts';

/** Shown where a kind is shown (outline, hover). */
export const REPO_CONFIG_KIND = { apiVersion: 'fluxhelm/v1', group: 'fluxhelm', version: 'v1', kind: 'RepositoryConfig' } as const;

export const repoConfigSchemaEntry: SchemaEntry = {
  key: 'fluxhelm/v1/RepositoryConfig',
  schema: { ...(configSchema as JsonSchema), $id: undefined, $schema: undefined },
  source: 'bundled',
};

/** True for the repository configuration file (`.fluxhelm.yaml` or `.fluxhelm.yml`), by path or uri. */
export function isRepoConfigFile(uriOrPath: string): boolean {
  return /(^|[\\/])\.fluxhelm\.ya?ml$/.test(uriOrPath);
}
