/**
 * Chart sources for chart-version resolution: HTTP Helm repositories
 * (index.yaml with caches and Helm's own cache), OCI registries (tags,
 * digests, token auth) and local charts from GitRepository/Bucket sources.
 * All IO goes through `SourceHost` (server/net-host.ts implements it for Node).
 */
export * from './host.ts';
export * from './index-scan.ts';
export * from './helm-config.ts';
export * from './http-index.ts';
export * from './oci.ts';
export * from './local-chart.ts';
