// A throw-away CA issuing server certificates for localhost / 127.0.0.1 (ECDSA P-256), made with the openssl
// CLI (tests only): the gateway's tenant-port TLS and the Redis TLS tests share it.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  /** A serving certificate `<dir>/<name>.crt` and key `<dir>/<name>.key`, signed by the CA. */
  issue(name: string): { cert: Buffer; key: Buffer; serial: string };
}

export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export function makeCa(prefix = 'tollgate-certs-'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=tollgate-test-ca', '-days', '1', '-out', 'ca.crt');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    issue(name) {
      openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
      openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
      writeFileSync(
        join(dir, `${name}.ext`),
        'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
      );
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      );
      const cert = readFileSync(join(dir, `${name}.crt`));
      return { cert, key: readFileSync(join(dir, `${name}.key`)), serial: new X509Certificate(cert).serialNumber };
    },
  };
}

/** A CA and one server certificate (`server.crt` / `server.key`). */
export function makeCerts(): TestCerts {
  const ca = makeCa();
  ca.issue('server');
  return {
    dir: ca.dir,
    caFile: ca.caFile,
    certFile: join(ca.dir, 'server.crt'),
    keyFile: join(ca.dir, 'server.key'),
  };
}
