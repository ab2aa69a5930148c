// What an upstream says in an error (an error status, an error dressed as 200, an SSE error event mid-stream)
// reaches the operator log only as length, hash and known type/code words, unless the tenant's logging mode is
// `redactedPrompts`: engines quote the request back in their errors (red team 2026-12-02, F4: a `logging: none`
// tenant's prompt and PII were logged verbatim at warn level).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import type { RunningGateway } from '../server.ts';
import { newKey, tenant } from '../test/fixtures.ts';
import { CAPTURED } from '../test/harness.ts';
import { type HostileAnswer, type HostileUpstream } from '../test/hostile-upstream.ts';
import { closeHostileGateway, startHostileGateway } from '../test/hostile-gateway.ts';

const UPSTREAM_KEY = 'up-7f3Kq9ZxW2mB8vN4cR6tY1uP5sL0dHgJ';
const PII = 'Patient Jane Roe, born 1961-04-02, email jane.roe@hospital-internal.example, diagnosis: HIV positive';
const guardrails: CfgGuardrails = {
  redaction: { detectors: ['secrets', 'pii'], customPatterns: [] },
  promptInjection: { mode: 'off', threshold: 0.7 },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
};
const keys = { none: newKey(), metadata: newKey(), redactedPrompts: newKey() };

let up: HostileUpstream;
let gw: RunningGateway;
before(async () => {
  ({ up, gw } = await startHostileGateway(
    (['none', 'metadata', 'redactedPrompts'] as const).map((mode) =>
      tenant({
        name: mode.toLowerCase(),
        models: ['m'],
        keys: [{ name: 'k', key: keys[mode] }],
        over: { guardrails, logging: mode },
      }),
    ),
    UPSTREAM_KEY,
  ));
});
after(() => closeHostileGateway(gw, up));

const answers: [string, string, (b: Record<string, unknown>) => HostileAnswer][] = [
  [
    'error status 400',
    'upstream returned an error status',
    (b) => ({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        object: 'error',
        message: `Invalid request: ${JSON.stringify(b.messages)} (${UPSTREAM_KEY})`,
        type: 'BadRequestError',
        code: 400,
      }),
    }),
  ],
  [
    'error dressed as 200',
    'upstream returned an error object with status 200',
    (b) => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        error: { message: `could not render template for ${JSON.stringify(b.messages)}`, type: 'template_error' },
      }),
    }),
  ],
  [
    'mid-stream error event',
    'upstream sent an error event mid-stream',
    (b) => ({
      contentType: 'text/event-stream',
      body: `data: ${JSON.stringify({ error: { message: `decode failure at ${JSON.stringify(b.messages)}`, code: 'decode_error' } })}\n\n`,
    }),
  ],
];

async function logged(mode: keyof typeof keys, stream: boolean, msg: string): Promise<Record<string, unknown>> {
  const at = CAPTURED.length;
  const r = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[mode]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: PII }], stream }),
  });
  const raw = await r.text();
  assert.ok(!raw.includes('Jane') && !raw.includes('jane.roe'), 'the client gets the catalog error only');
  for (let i = 0; i < 50 && !CAPTURED.slice(at).some((l) => l.includes(msg)); i++)
    await new Promise((res) => setTimeout(res, 10));
  const lines = CAPTURED.slice(at).filter((l) => l.startsWith('{"level'));
  assert.ok(!lines.some((l) => l.includes(UPSTREAM_KEY.slice(5, 13))), 'never a credential');
  if (mode !== 'redactedPrompts') {
    const hit = lines.find(
      (l) => l.includes('Jane') || l.includes('jane.roe') || l.includes('HIV') || l.includes('1961'),
    );
    assert.equal(hit, undefined, `prompt text in the log of a logging: ${mode} tenant`);
  }
  const line = lines.find((l) => l.includes(msg));
  assert.ok(line, `no "${msg}" line`);
  const rec = JSON.parse(line) as Record<string, unknown>;
  return (rec.upstreamBody ?? rec.upstreamEvent) as Record<string, unknown>;
}

describe('upstream error text in the operator log', () => {
  for (const [name, msg, answer] of answers) {
    for (const mode of ['none', 'metadata'] as const) {
      it(`${name}, logging ${mode}: length, hash and type/code only`, async () => {
        up.handler = answer;
        const u = await logged(mode, name.includes('stream'), msg);
        assert.ok(typeof u.bytes === 'number' && u.bytes > PII.length);
        assert.match(String(u.hash), /^[0-9a-f]{12}$/);
        assert.equal(u.text, undefined);
        assert.ok(u.errorType !== undefined || u.errorCode !== undefined, JSON.stringify(u));
      });
    }
    it(`${name}, logging redactedPrompts: the text too, masked like prompts`, async () => {
      up.handler = answer;
      const u = await logged('redactedPrompts', name.includes('stream'), msg);
      const text = String(u.text);
      assert.ok(text.includes('Patient'), text);
      assert.ok(!text.includes('jane.roe@'), text);
    });
  }
});
