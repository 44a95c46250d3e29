/**
 * What the cluster host uses of @kubernetes/client-node, in one module: the
 * CLI build makes it a bundle of its own (dist/vendor/kubernetes-client.js,
 * scripts/build.mjs) that only cluster commands load; the language server's
 * bundle holds it as usual.
 */
export { KubeConfig, Watch } from '@kubernetes/client-node';
