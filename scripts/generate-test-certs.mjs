#!/usr/bin/env node
// Creates the throwaway test CA and a server certificate for localhost / 127.0.0.1 that every
// HTTPS stand-in of the local cloud serves. Test-only: never trust this CA outside this checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const certDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.local-cloud', 'certs');
export const caCertPath = join(certDir, 'ca.pem');

export function ensureTestCertificates() {
  if (existsSync(join(certDir, 'server.pem')) && existsSync(caCertPath)) return;
  mkdirSync(certDir, { recursive: true });
  const openssl = (...args) => execFileSync('openssl', args, { cwd: certDir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=uc-connection-provisioner test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
  );
  writeFileSync(
    join(certDir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '3650',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureTestCertificates();
  console.log(`test certificates in ${certDir}`);
}
