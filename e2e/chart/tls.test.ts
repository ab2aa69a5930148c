// The gateway's TLS as the chart configures it (gateway.tls.enabled: the Secret's tls.crt / tls.key
// mounted, --tls-cert / --tls-key): TLS 1.3 only, the certificate from the files, and a renewed
// certificate (cert-manager rewrites the mounted Secret) served without a restart. The gateway runs as a
// local process on the examples (no cluster needed); certificates come from the gateway tests' openssl CA
// (gateway/test/certs.ts).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';
import { usage as gatewayUsage } from '../../cli/commands/gateway.ts';
import { makeCa } from '../../gateway/test/certs.ts';
import { repoRoot } from '../kube.ts';
import { freePort, start, until, type Proc } from '../operator/harness.ts';
import { one, render } from './helm.ts';

const missing = ['--tls-cert', '--tls-key'].filter((f) => !gatewayUsage.includes(f));
const todo = missing.length > 0 ? `tollgate gateway lacks ${missing.join(' ')} (asked of the lead)` : false;
/** A CA, and serving certificates for localhost signed by it (ECDSA P-256, as the chart asks cert-manager). */
const ca = makeCa('tollgate-e2e-tls-');
const dir = ca.dir;
const procs: Proc[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

function handshake(
  port: number,
  opts: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
): Promise<{ protocol: string | null; serial: string }> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(ca.caFile), ...opts },
      () => {
        const cert = s.getPeerX509Certificate();
        resolve({ protocol: s.getProtocol(), serial: cert?.serialNumber ?? '' });
        s.end();
      },
    );
    s.once('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('TLS handshake timed out')));
  });
}

describe('gateway TLS (gateway.tls.enabled)', { todo }, () => {
  let port = 0;
  it("serves TLS 1.3 only, with the certificate from the mounted Secret's files", async () => {
    assert.deepEqual(missing, [], 'flags the chart passes');
    ca.issue('first');
    writeFileSync(join(dir, 'tls.crt'), readFileSync(join(dir, 'first.crt')));
    writeFileSync(join(dir, 'tls.key'), readFileSync(join(dir, 'first.key')));

    const gw = one(
      await render({ gateway: { tls: { enabled: true } } }),
      'Deployment',
      'tollgate-gateway',
    ) as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const chartArgs = gw.spec.template.spec.containers[0]!.args;
    // The chart's TLS flags, pointed at this test's files; the rest for a local process on the examples.
    const tls = chartArgs.filter((a) => a.startsWith('--tls-')).map((a) => a.replace('/etc/tollgate/tls', dir));
    assert.deepEqual(tls, [`--tls-cert=${dir}/tls.crt`, `--tls-key=${dir}/tls.key`]);
    port = await freePort();
    const proc = start('tls-gateway', process.execPath, [
      join(repoRoot, 'bin', 'tollgate.ts'),
      'gateway',
      '-f',
      join(repoRoot, 'examples'),
      '--port',
      String(port),
      '--metrics-port',
      String(await freePort()),
      ...tls,
    ]);
    procs.push(proc);
    const exited = proc.exited.then((code) => {
      throw new Error(`the gateway exited (${code}):\n${proc.output()}`);
    });
    const first = await Promise.race([until('a TLS handshake', () => handshake(port), 30_000), exited]).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}\n${proc.output()}`);
      },
    );
    assert.equal(first.protocol, 'TLSv1.3');
    assert.equal(first.serial, new X509Certificate(readFileSync(join(dir, 'first.crt'))).serialNumber);
    await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2' }), 'a TLS 1.2 client is refused');
    const res = await fetch(`https://localhost:${port}/v1/models`).catch((err: unknown) => err);
    assert.ok(res instanceof Error, 'a client that does not trust the CA is refused');
  });

  it('serves a renewed certificate without a restart (cert-manager rewrites the Secret, the kubelet the files)', async () => {
    assert.ok(port > 0, 'the gateway serves TLS');
    ca.issue('second');
    // The kubelet swaps a Secret volume atomically (a symlink flip); a rename is the closest here.
    writeFileSync(join(dir, 'tls.key.new'), readFileSync(join(dir, 'second.key')));
    writeFileSync(join(dir, 'tls.crt.new'), readFileSync(join(dir, 'second.crt')));
    renameSync(join(dir, 'tls.key.new'), join(dir, 'tls.key'));
    renameSync(join(dir, 'tls.crt.new'), join(dir, 'tls.crt'));
    const want = new X509Certificate(readFileSync(join(dir, 'second.crt'))).serialNumber;
    await until('the renewed certificate served', async () => (await handshake(port)).serial === want, 90_000);
  });
});
