// One connection attempt for the NetworkPolicy suite, run inside a pod's network namespace (`ip netns exec`):
//   node e2e/netpol/probe.ts tcp|udp ADDR PORT [TIMEOUT_MS]
// Prints one JSON line: {"ok":true,"reply":"..."} when the connection was accepted (reply: what the peer sent), else {"ok":false,"error":"ECONNREFUSED"}
// (kube-router REJECTs with icmp-port-unreachable: TCP sees ECONNREFUSED, UDP an ECONNREFUSED on receive)
// or {"ok":false,"error":"timeout"}. Always exits 0 when it could try; 2 on bad usage.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [proto, addr, portText, timeoutText] = process.argv.slice(2);
const port = Number(portText);
const timeoutMs = Number(timeoutText ?? 3000);
if ((proto !== 'tcp' && proto !== 'udp') || !addr || !Number.isInteger(port)) {
  console.error('usage: probe.ts tcp|udp ADDR PORT [TIMEOUT_MS]');
  process.exit(2);
}

function done(result: { ok: boolean; reply?: string; error?: string }): never {
  console.log(JSON.stringify(result));
  process.exit(0);
}
setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs).unref();

if (proto === 'tcp') {
  let data = '';
  const sock = connect({ host: addr, port });
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    data += d;
  });
  sock.on('end', () => done({ ok: true, reply: data.trim() }));
  // a server that speaks only when spoken to (HTTP): the handshake completing is the answer
  sock.on('connect', () => setTimeout(() => done({ ok: true, reply: data.trim() }), 300).unref());
  sock.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
} else {
  const sock = createSocket('udp4');
  sock.on('message', (msg) => done({ ok: true, reply: msg.toString('utf8').trim() }));
  sock.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
  sock.connect(port, addr, () => sock.send('probe'));
}
