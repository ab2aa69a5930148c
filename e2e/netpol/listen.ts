// A listener for the NetworkPolicy suite, run inside a pod's network namespace (`ip netns exec`):
//   node e2e/netpol/listen.ts NAME ADDR tcp:PORT... udp:PORT...
// Every TCP connection gets one line `NAME tcp PORT` and is closed; every UDP datagram gets `NAME udp PORT`
// back. Prints `listening` once every socket is bound. Bound to ADDR (the pod's IP) only.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [name, addr, ...specs] = process.argv.slice(2);
if (!name || !addr || specs.length === 0) {
  console.error('usage: listen.ts NAME ADDR tcp:PORT|udp:PORT...');
  process.exit(2);
}
const bound: Promise<void>[] = [];
for (const spec of specs) {
  const m = /^(tcp|udp):(\d{1,5})$/.exec(spec);
  if (!m) {
    console.error(`bad listener ${spec}`);
    process.exit(2);
  }
  const proto = m[1] as 'tcp' | 'udp';
  const port = Number(m[2]);
  const reply = `${name} ${proto} ${port}\n`;
  if (proto === 'tcp') {
    const srv = createServer((sock) => {
      sock.on('error', () => {});
      sock.end(reply);
    });
    bound.push(
      new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, addr, () => resolve());
      }),
    );
  } else {
    const sock = createSocket('udp4');
    sock.on('message', (_msg, rinfo) => sock.send(reply, rinfo.port, rinfo.address));
    bound.push(
      new Promise((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, addr, () => resolve());
      }),
    );
  }
}
Promise.all(bound).then(
  () => console.log('listening'),
  (err: Error) => {
    console.error(`listen failed: ${err.message}`);
    process.exit(1);
  },
);
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
