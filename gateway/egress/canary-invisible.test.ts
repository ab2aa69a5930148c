// The gateway's own credential with an invisible or look-alike character in it, through a running gateway, for
// a tenant without guardrails (the credential canary is the only output check there), whole and streamed
// (red team 2026-12-02, F5: `up-7f3Kq9Z\u200bxW2mB8vN4cR6tY1uP5sL0dHgJ` reached the client).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../server.ts';
import { newKey, tenant } from '../test/fixtures.ts';
import type { HostileUpstream } from '../test/hostile-upstream.ts';
import { closeHostileGateway, startHostileGateway } from '../test/hostile-gateway.ts';
import { CREDENTIAL_MARKER } from './canary.ts';

const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const key = newKey();
let up: HostileUpstream;
let gw: RunningGateway;
before(async () => {
  ({ up, gw } = await startHostileGateway(
    [tenant({ name: 'plain', models: ['m'], keys: [{ name: 'k', key }] })],
    UPSTREAM_KEY,
  ));
});
after(() => closeHostileGateway(gw, up));

const ins = (s: string, ch: string): string => s.slice(0, 10) + ch + s.slice(10);
const frame = (content: string): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

async function content(stream: boolean, text: string): Promise<string> {
  up.handler = () =>
    stream
      ? { contentType: 'text/event-stream', body: [...text].map(frame).join('') + 'data: [DONE]\n\n' }
      : {
          body: JSON.stringify({
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          }),
        };
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream }),
  });
  const raw = await r.text();
  assert.equal(r.status, 200, raw);
  if (!stream) return (JSON.parse(raw) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  let out = '';
  for (const e of raw.split('\n\n')) {
    if (!e.startsWith('data: {')) continue;
    const j = JSON.parse(e.slice(6)) as { choices?: { delta?: { content?: string } }[] };
    out += j.choices?.[0]?.delta?.content ?? '';
  }
  return out;
}

describe('the gateway credential as output, with an invisible or look-alike character', () => {
  for (const [name, ch] of [
    ['ZWSP U+200B', '\u200b'],
    ['ZWNJ U+200C', '\u200c'],
    ['word joiner U+2060', '\u2060'],
    ['soft hyphen U+00AD', '\u00ad'],
  ] as const) {
    for (const stream of [false, true]) {
      it(`${name}, ${stream ? 'streamed one character an event' : 'whole'}`, async () => {
        const got = await content(stream, `value: ${ins(UPSTREAM_KEY, ch)} end`);
        assert.equal(got, `value: ${CREDENTIAL_MARKER} end`);
      });
    }
  }
  it('a Cyrillic look-alike', async () => {
    assert.equal(await content(false, `v ${UPSTREAM_KEY.replace('x', '\u0445')}`), `v ${CREDENTIAL_MARKER}`);
  });
});
