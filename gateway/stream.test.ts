// Streaming passthrough, client aborts, upstream failures and the output-transform seam, against the real
// simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OutputTransform, OutputTransformFactory } from './transform.ts';
import { config, model, newKey, tenant } from './test/fixtures.ts';
import { CAPTURED, call, chat, installLeakScan, startStack, type Stack } from './test/harness.ts';
import { freePort } from './test/net.ts';

installLeakScan();

const key = newKey();
const TENANT = 'team-s/s';
const BUDGET = 100_000;

/** Redacts SECRET-TOKEN-123 even when split across chunks: holds back a possible prefix. */
function redactor(secret: string, blockOn?: string): OutputTransformFactory {
  return {
    name: 'test-redactor',
    create(): OutputTransform {
      const held = new Map<number, string>();
      const seen = new Map<number, string>();
      let verdict: ReturnType<OutputTransform['verdict']>;
      const release = (i: number, final: boolean): string => {
        let t = (held.get(i) ?? '').replaceAll(secret, '[REDACTED]');
        if (blockOn !== undefined && (seen.get(i) ?? '').includes(blockOn))
          verdict = { code: 'output_blocked', message: 'canary seen', reason: 'canary' };
        let keep = 0;
        if (!final)
          for (let k = Math.min(secret.length - 1, t.length); k > 0; k--)
            if (secret.startsWith(t.slice(t.length - k))) {
              keep = k;
              break;
            }
        held.set(i, t.slice(t.length - keep));
        t = t.slice(0, t.length - keep);
        return t;
      };
      return {
        push: (i, text) => {
          held.set(i, (held.get(i) ?? '') + text);
          seen.set(i, (seen.get(i) ?? '') + text);
          return release(i, false);
        },
        flush: (i) => release(i, true),
        verdict: () => verdict,
      };
    },
  };
}

let s: Stack;
before(async () => {
  s = await startStack(
    (url) =>
      config(
        [model('m1', url)],
        [
          tenant({
            name: 's',
            namespace: 'team-s',
            models: ['m1'],
            keys: [{ name: 'k', key }],
            limits: {
              concurrency: 1,
              maxOutputTokens: 200,
              budgets: [{ unit: 'tokens', limit: BUDGET, windowSeconds: 86400 }],
            },
          }),
        ],
      ),
    { sim: { latencyMs: 0, interTokenMs: 0 }, app: { timeouts: { firstByteMs: 400, totalMs: 5000 } } },
  );
});
after(() => s.close());

async function settled(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await s.gw.gateway.store.inflight(TENANT)) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('concurrency slot was not released');
}

function sseEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, ''))
    .filter((d) => d !== '' && d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

describe('streaming', () => {
  it('passes chunks through as they come (first chunk long before the last)', async () => {
    s.sim.options = { latencyMs: 0, interTokenMs: 40, outputTokens: 10 };
    const t0 = performance.now();
    const r = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('m1', { stream: true })),
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = r.body!.getReader();
    const first = await reader.read();
    const tFirst = performance.now() - t0;
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const tAll = performance.now() - t0;
    CAPTURED.push(text);
    // relative, so a cold start on a busy machine does not fail it: the chunks arrive spread over the ~400 ms
    assert.ok(tAll - tFirst > 250, `first ${tFirst.toFixed(0)} ms, all ${tAll.toFixed(0)} ms`);
    const events = sseEvents(text);
    assert.ok(
      events.every((e) => e.usage === undefined),
      'no usage chunk unless the client asked for it',
    );
    assert.ok(text.trimEnd().endsWith('data: [DONE]'));
    assert.equal(
      (s.sim.stats.lastBody?.stream_options as { include_usage: boolean }).include_usage,
      true,
      'the gateway always asks the upstream for usage',
    );
    await settled();
  });

  it('keeps the usage chunk when the client asks for it', async () => {
    s.sim.options = { outputTokens: 5 };
    const res = await call(s.url, '/v1/chat/completions', {
      key,
      body: chat('m1', { stream: true, stream_options: { include_usage: true } }),
    });
    const usage = sseEvents(res.text).find((e) => e.usage !== undefined)?.usage as { completion_tokens: number };
    assert.equal(usage.completion_tokens, 5);
  });

  it('a client abort mid-stream cancels the upstream, releases the slot and charges only what was generated', async () => {
    s.sim.options = { latencyMs: 0, interTokenMs: 25, outputTokens: 200 };
    const spentBefore = await s.gw.gateway.store.spent(TENANT, 'tokens', 86400);
    const ac = new AbortController();
    const r = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      signal: ac.signal,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('m1', { stream: true, max_tokens: 200 })),
    });
    const reader = r.body!.getReader();
    let got = '';
    while ((got.match(/"content"/g)?.length ?? 0) < 6) got += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    await settled();
    // the simulator sees its socket close a moment after the gateway released the slot
    for (let i = 0; i < 100 && s.sim.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const aborted = s.sim.stats.aborted;
    assert.equal(aborted, 1, 'the upstream request was cancelled');
    const charged = (await s.gw.gateway.store.spent(TENANT, 'tokens', 86400)) - spentBefore;
    const sent = s.sim.stats.tokensSent;
    // input (~10 tokens) + what the upstream generated before the cut; the reservation was ~210
    assert.ok(charged > 5 && charged <= 10 + sent + 2, `charged ${charged}, upstream generated ${sent}`);
    assert.ok(charged < 100, `charged ${charged}: far below the reservation`);
    s.sim.reset();
    s.sim.options = { outputTokens: 4 };
    assert.equal(
      (await call(s.url, '/v1/chat/completions', { key, body: chat('m1') })).status,
      200,
      'the slot is free again',
    );
    const line = CAPTURED.filter((l) => l.includes('"aborted":"client"'));
    assert.equal(line.length, 1, 'the audit line records the client abort');
  });
});

describe('upstream failures', () => {
  it('5xx: 502 upstream_error, no internals, reservation released and nothing charged', async () => {
    const before = await s.gw.gateway.store.spent(TENANT, 'tokens', 86400);
    s.sim.failWith = {
      status: 500,
      body: JSON.stringify({ error: { message: 'CUDA OOM at /opt/vllm/worker.py on http://10.1.2.3:8000' } }),
    };
    try {
      const res = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(res.status, 502);
      assert.equal(res.json.error?.code, 'upstream_error');
      assert.doesNotMatch(res.text, /10\.1\.2\.3|vllm|CUDA/);
    } finally {
      s.sim.failWith = undefined;
    }
    await settled();
    assert.equal(await s.gw.gateway.store.spent(TENANT, 'tokens', 86400), before);
  });

  it('4xx: a generic message with the upstream status; the upstream text only in the gateway log', async () => {
    s.sim.failWith = {
      status: 400,
      body: JSON.stringify({
        error: {
          message: "This model's maximum context length is 8192 tokens (see http://10.0.0.7:8000/docs, /srv/models/x)",
        },
      }),
    };
    try {
      const at = CAPTURED.length;
      const res = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(res.status, 400);
      assert.equal(res.json.error?.code, 'upstream_bad_request');
      assert.equal(res.json.error?.message, 'The model server rejected the request (upstream status 400).');
      assert.doesNotMatch(res.text, /maximum context|10\.0\.0\.7|\/srv\/models/);
      // the operator log: status, length, hash and what kind of failure it was; the text only for redactedPrompts
      const logged = CAPTURED.slice(at).find((l) => l.includes('upstream returned an error status'));
      assert.ok(logged?.includes('"errorHint":"context_length"'), logged);
      assert.ok(!logged?.includes('maximum context length'), 'a metadata tenant: no upstream text in the log');
    } finally {
      s.sim.failWith = undefined;
    }
  });

  it('no first byte in time: 504 upstream_timeout and the slot is released', async () => {
    s.sim.hang = true;
    try {
      const res = await call(s.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(res.status, 504);
      assert.equal(res.json.error?.code, 'upstream_timeout');
    } finally {
      s.sim.hang = false;
    }
    await settled();
  });

  it('upstream down: 502 upstream_unavailable', async () => {
    const port = await freePort();
    const down = await startStack((url) =>
      config(
        [model('m1', url.replace(/:\d+\//, `:${port}/`))],
        [tenant({ name: 'x', models: ['m1'], keys: [{ name: 'k', key }] })],
      ),
    );
    try {
      const res = await call(down.url, '/v1/chat/completions', { key, body: chat('m1') });
      assert.equal(res.status, 502);
      assert.equal(res.json.error?.code, 'upstream_unavailable');
    } finally {
      await down.close();
    }
  });
});

describe('output transform seam', () => {
  const secret = 'SECRET-TOKEN-123';
  const tokens = ['The ', 'value ', 'is ', 'SEC', 'RET-TO', 'KEN-1', '23', ' ok', '.'];
  let t: Stack;
  before(async () => {
    t = await startStack(
      (url) => config([model('m1', url)], [tenant({ name: 't', models: ['m1'], keys: [{ name: 'k', key }] })]),
      {
        sim: { tokens },
        app: { transforms: [redactor(secret, 'CANARY')] },
      },
    );
  });
  after(() => t.close());

  it('streaming: a secret split across chunks never reaches the client', async () => {
    const res = await call(t.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true }) });
    const text = sseEvents(res.text)
      .map((e) => (e.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')
      .join('');
    assert.equal(text, 'The value is [REDACTED] ok.');
    assert.doesNotMatch(res.text, /SEC|RET-TO|KEN-1/);
  });

  it('non-streaming: the same transform applies', async () => {
    const res = await call(t.url, '/v1/chat/completions', { key, body: chat('m1') });
    assert.equal(
      (res.json.choices as { message: { content: string } }[])[0]?.message.content,
      'The value is [REDACTED] ok.',
    );
    const c = await call(t.url, '/v1/completions', { key, body: { model: 'm1', prompt: 'x' } });
    assert.equal((c.json.choices as { text: string }[])[0]?.text, 'The value is [REDACTED] ok.');
  });

  it('a blocking verdict stops the response (stream: error event; non-stream: 400 output_blocked, never retried)', async () => {
    t.sim.options = { tokens: ['fine ', 'CAN', 'ARY', ' more', ' text'] };
    const st = await call(t.url, '/v1/chat/completions', { key, body: chat('m1', { stream: true }) });
    assert.match(st.text, /"code":"output_blocked"/);
    assert.doesNotMatch(st.text, /more/);
    const ns = await call(t.url, '/v1/chat/completions', { key, body: chat('m1') });
    assert.equal(ns.status, 400);
    assert.equal(ns.json.error?.code, 'output_blocked');
    assert.equal(ns.headers.get('x-should-retry'), 'false');
  });
});
