/**
 * Key material for the test control plane, made with Debian's openssl CLI:
 * a throwaway CA, the kube-apiserver serving certificate for 127.0.0.1 and
 * localhost, the service-account signing key pair, an admin client
 * certificate (group system:masters) and bearer tokens for a second,
 * restricted user. Everything is written into the given run directory.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
  adminCert: string;
  adminKey: string;
  /** Static token file (csv) for --token-auth-file. */
  tokenFile: string;
  restrictedToken: string;
}

export const ADMIN_USER = 'fluxhelm-admin';
export const RESTRICTED_USER = 'fluxhelm-restricted';
export const RESTRICTED_GROUP = 'fluxhelm:restricted';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signedCert(dir: string, name: string, subject: string, ext: string, days = 3650): void {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-days', String(days), '-sha256', '-extfile', extFile, '-out', `${name}.crt`],
    dir,
  );
}

/** Creates all key material under `<runDir>/pki`. Takes about a second. */
export function createPki(runDir: string): Pki {
  const dir = join(runDir, 'pki');
  mkdirSync(dir, { recursive: true });
  openssl(['genrsa', '-out', 'ca.key', '2048'], dir);
  openssl(
    ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=fluxhelm-test-ca', '-days', '3650', '-sha256',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', 'ca.crt'],
    dir,
  );
  signedCert(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
      '',
    ].join('\n'),
  );
  signedCert(
    dir,
    'admin',
    `/O=system:masters/CN=${ADMIN_USER}`,
    ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth', ''].join('\n'),
  );
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);

  const restrictedToken = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  // token,user,uid,"group1,group2"
  writeFileSync(tokenFile, `${restrictedToken},${RESTRICTED_USER},${RESTRICTED_USER},"${RESTRICTED_GROUP}"\n`, { mode: 0o600 });

  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    tokenFile,
    restrictedToken,
  };
}

function b64(path: string): string {
  return readFileSync(path).toString('base64');
}

/**
 * A kubeconfig with two contexts, `fluxhelm-admin` and `fluxhelm-restricted`;
 * `current` picks the current one. Credentials are embedded (no file refs).
 */
export function kubeconfigYaml(pki: Pki, server: string, current: 'fluxhelm-admin' | 'fluxhelm-restricted'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'preferences: {}',
    'clusters:',
    '- name: fluxhelm-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    `- name: ${ADMIN_USER}`,
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    `- name: ${RESTRICTED_USER}`,
    '  user:',
    `    token: ${pki.restrictedToken}`,
    'contexts:',
    '- name: fluxhelm-admin',
    '  context:',
    '    cluster: fluxhelm-test',
    `    user: ${ADMIN_USER}`,
    '    namespace: default',
    '- name: fluxhelm-restricted',
    '  context:',
    '    cluster: fluxhelm-test',
    `    user: ${RESTRICTED_USER}`,
    '    namespace: default',
    `current-context: ${current}`,
    '',
  ].join('\n');
}
