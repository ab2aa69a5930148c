import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromKubeconfigText, inCluster } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-kc-'));
writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
writeFileSync(join(dir, 'token'), 'tok-from-file\n');
const kc = (
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443/', 'certificate-authority': 'ca.crt' },
) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  });

describe('kubeconfig without client-node', () => {
  it('reads certificates (files relative to the kubeconfig, or inline data) and tokens', () => {
    const certs = fromKubeconfigText(
      kc({ 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key': 'ca.crt' }),
      join(dir, 'config'),
    );
    assert.equal(certs.kind, 'direct');
    if (certs.kind !== 'direct') return;
    assert.deepEqual(
      [certs.connection.server, certs.connection.ca, certs.connection.cert, certs.connection.key],
      ['https://127.0.0.1:6443', 'CA PEM', 'CERT', 'CA PEM'],
    );
    const token = fromKubeconfigText(kc({ tokenFile: 'token' }), join(dir, 'config'));
    assert.equal(token.kind === 'direct' && token.connection.token?.(), 'tok-from-file');
  });

  it('hands exec plugins and auth providers to client-node, and names what is missing', () => {
    const exec = fromKubeconfigText(kc({ exec: { command: 'aws' } }), 'x');
    assert.deepEqual(exec, { kind: 'plugin', path: 'x', server: 'https://127.0.0.1:6443', why: 'exec plugin' });
    assert.throws(() => fromKubeconfigText(kc({}, { 'certificate-authority-data': 'x' }), 'y'), /has no server/);
  });

  it('in a pod: the service host and the projected token', () => {
    assert.equal(inCluster({}, dir), undefined);
    const c = inCluster({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.equal(c?.server, 'https://[fd00::1]:443');
    assert.equal(c?.token?.(), 'tok-from-file');
  });
});
