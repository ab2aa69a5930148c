// Issue #14: what one upstream request leaves behind for the old generation. Sequential requests through
// Upstreams.send to a local server, in a child process with the gateway's semi-space and --trace-gc-nvp: the
// bytes the scavenges promote per request. With undici's request() (its handler and everything it reached
// outlived the young generation) it was ~4-5 KB a request, and every scavenge copied and promoted ~200 KB at
// concurrency 1 (~1.5-2.5 ms of pause: the p99 of sequential requests); with the gateway's own handler
// (dispatch.ts) it is a fraction of that.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GATEWAY_V8_FLAGS } from '../reexec.ts';

const REQUESTS = 3000;
const WARMUP = 300;

const child = `
import http from 'node:http';
import { Upstreams } from ${JSON.stringify(new URL('./pool.ts', import.meta.url).pathname)};
const answer = JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(16) }, finish_reason: 'length' }] });
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(answer); }); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = 'http://127.0.0.1:' + server.address().port;
const up = new Upstreams();
for (let i = 0; i < ${WARMUP + REQUESTS}; i++) {
  if (i === ${WARMUP}) process.stdout.write('MEASURE\\n');
  const ac = new AbortController();
  const res = await up.send({ origin, path: '/v1/chat/completions', body: '{"model":"m"}', headers: { 'content-type': 'application/json' }, signal: ac.signal });
  const parts = [];
  for await (const c of res.body) parts.push(c);
  if (res.statusCode !== 200 || Buffer.concat(parts).length !== answer.length) throw new Error('bad answer');
}
process.stdout.write('END\\n');
await up.close();
server.close();
`;

/** Bytes promoted by the scavenges between MEASURE and END of a --trace-gc-nvp output. */
function promotedBetweenMarks(out: string): { bytes: number; scavenges: number } {
  const from = out.indexOf('MEASURE\n');
  const to = out.indexOf('END\n');
  assert.ok(from >= 0 && to > from, 'markers in the child output');
  let bytes = 0;
  let scavenges = 0;
  for (const line of out.slice(from, to).split('\n')) {
    if (!/ gc=s /.test(line)) continue;
    const m = / promoted=(\d+) /.exec(line);
    if (!m) continue;
    bytes += Number(m[1]);
    scavenges++;
  }
  return { bytes, scavenges };
}

describe('upstream requests and the old generation (issue #14)', () => {
  it('sequential requests promote well under 1.5 KB each to the old generation', (t) => {
    const out = execFileSync(
      process.execPath,
      [...GATEWAY_V8_FLAGS, '--trace-gc-nvp', '--input-type=module', '-e', child],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    const { bytes, scavenges } = promotedBetweenMarks(out);
    assert.ok(scavenges >= 5, `enough scavenges to judge (${scavenges})`);
    const perRequest = bytes / REQUESTS;
    t.diagnostic(`promoted ${(perRequest / 1024).toFixed(2)} KB per request over ${scavenges} scavenges`);
    assert.ok(
      perRequest < 1536,
      `promoted ${(perRequest / 1024).toFixed(2)} KB per request over ${scavenges} scavenges`,
    );
  });
});
