/**
 * The bundled schemas of built-in Kubernetes kinds (schemas/k8s, generated
 * from kube-apiserver's /openapi/v3 by `npm run schemas:k8s`), as the
 * rendered-object check uses them.
 */
import bundle from '../../schemas/k8s/definitions.json';
import type { K8sSchemaBundle } from './validate-rendered.ts';

export const builtinK8sSchemas: K8sSchemaBundle = bundle as unknown as K8sSchemaBundle;
