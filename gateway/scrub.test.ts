// Table tests for the pure helpers that keep untrusted text out of logs, audit lines and responses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetRefusal } from './errors.ts';
import { upstreamStatusToError } from './upstream/errors.ts';
import {
  displayUrl,
  safeClientIp,
  safeMethod,
  safeRequestId,
  scrubUpstreamText,
  SecretSet,
  stripUserinfo,
  upstreamTextForLog,
} from './scrub.ts';
import { redisSecrets } from './server.ts';

const CRED = 'upk-7Qm2Xv9LzR4sTb8NwYc1HdJ6gKf3PaE5uVoWiBn';
const set = new SecretSet([CRED, 'short', 'rP4ssw0rd-Zq8Lm2Nx7Vb']);

function hasWindow(text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

describe('scrubUpstreamText', () => {
  const cases: [string, string, (out: string) => boolean][] = [
    ['the whole credential', `invalid key ${CRED}`, (o) => !hasWindow(o, CRED) && o.startsWith('invalid key ')],
    ['an 8-character piece', `key ${CRED.slice(9, 17)} rejected`, (o) => !hasWindow(o, CRED) && o.includes('rejected')],
    ['12- and 20-character pieces', `${CRED.slice(3, 15)} / ${CRED.slice(20, 40)}`, (o) => !hasWindow(o, CRED)],
    ['pieces glued to other text', `xx${CRED.slice(5, 14)}yy`, (o) => !hasWindow(o, CRED)],
    ['the Redis password', 'NOAUTH rP4ssw0rd-Zq8Lm2Nx7Vb', (o) => !o.includes('rP4ssw0rd')],
    ['a 7-character piece is not a credential', `id ${CRED.slice(4, 11)}`, (o) => o.includes(CRED.slice(4, 11))],
    ['a tollgate key', 'tenant key tgk_abcdefghij0123456789', (o) => !o.includes('tgk_abc')],
    ['a bearer token', 'Authorization: Bearer abc.def.ghi', (o) => !o.includes('abc.def')],
    [
      'a long mixed token run',
      'token Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA== here',
      (o) => !o.includes('Zm9vYmFy') && o.includes('here'),
    ],
    [
      'URL userinfo',
      'connect http://admin:hunter2@10.0.0.1:8000/v1 failed',
      (o) => !o.includes('hunter2') && !o.includes('admin:'),
    ],
    ['control characters', 'a\u0000b\u001bc\u2028d', (o) => o === 'a b c d'],
    [
      'plain words stay',
      'The model server is overloaded, try later.',
      (o) => o === 'The model server is overloaded, try later.',
    ],
  ];
  for (const [name, input, ok] of cases) {
    it(name, () => {
      const out = scrubUpstreamText(input, set);
      assert.ok(ok(out), `${JSON.stringify(input)} -> ${JSON.stringify(out)}`);
    });
  }
  it('is bounded and scrubs across the cut', () => {
    const out = scrubUpstreamText('x'.repeat(1995) + CRED, set, 2000);
    assert.ok(out.length <= 2001);
    assert.ok(!hasWindow(out, CRED));
  });
  it('linear: 64 KB (the most the gateway reads of an upstream error) in well under a second', () => {
    const t = performance.now();
    scrubUpstreamText('ab '.repeat(22_000), set, 70_000);
    assert.ok(performance.now() - t < 1000, `${(performance.now() - t).toFixed(0)} ms`);
  });
});

describe('displayUrl / stripUserinfo', () => {
  const cases: [string, string][] = [
    ['http://admin:pw@host:8000/v1', 'http://host:8000/v1'],
    ['http://admin:p@ss/word@host/v1', 'http://host/v1'],
    ['http://admin:pw@[::1', 'http://[::1'],
    ['http://admin:pw@llm host:80/v1', 'http://llm host:80/v1'],
    ['https://host/v1', 'https://host/v1'],
    ['not a url user:pw@x', 'x'],
  ];
  for (const [input, want] of cases) it(`${input} -> ${want}`, () => assert.equal(displayUrl(input), want));
  it('stripUserinfo in free text', () => {
    assert.equal(
      stripUserinfo('model m: upstream "http://u:secret@h:1/v1" is not a URL'),
      'model m: upstream "http://h:1/v1" is not a URL',
    );
  });
});

describe('audit field validators', () => {
  const ids: [unknown, string | undefined][] = [
    ['1B4E28BA-2FA1-11D2-883F-0016D3CCA427', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
    ['7Qm2Xv9LzR4sTb8NwYc1HdJ6gKf3PaE5uVoWiBn', undefined],
    ['tgk_7Qm2Xv9LzR4sTb8NwYc1HdJ6gKf3PaE5uVoWiBn', undefined],
    ['req-123', undefined],
    ['1b4e28ba-2fa1-11d2-883f-0016d3cca42z', undefined],
    [['1b4e28ba-2fa1-11d2-883f-0016d3cca427'], undefined],
    [undefined, undefined],
  ];
  for (const [v, want] of ids) it(`safeRequestId(${JSON.stringify(v)})`, () => assert.equal(safeRequestId(v), want));
  it('safeClientIp', () => {
    assert.equal(safeClientIp('10.0.0.1'), '10.0.0.1');
    assert.equal(safeClientIp('::1'), '::1');
    assert.equal(safeClientIp('tgk_abc'), undefined);
    assert.equal(safeClientIp('10.0.0.1, 10.0.0.2'), undefined);
  });
  it('safeMethod', () => {
    assert.equal(safeMethod('POST'), 'POST');
    assert.equal(safeMethod('TGK_ABC'), 'OTHER');
  });
});

describe('upstreamStatusToError', () => {
  const cases: [number, string, number][] = [
    [400, 'upstream_bad_request', 400],
    [404, 'upstream_bad_request', 400],
    [413, 'upstream_bad_request', 400],
    [422, 'upstream_bad_request', 400],
    [401, 'upstream_error', 502],
    [403, 'upstream_error', 502],
    [408, 'upstream_error', 502],
    [429, 'upstream_error', 502],
    [500, 'upstream_error', 502],
    [503, 'upstream_error', 502],
    [999, 'upstream_error', 502],
  ];
  for (const [status, code, http] of cases) {
    it(`${status} -> ${code}`, () => {
      const e = upstreamStatusToError(status);
      assert.equal(e.code, code);
      assert.equal(e.status, http);
      assert.match(e.message, /upstream status \d{3}\)/);
    });
  }
});

describe('budgetRefusal', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const cases: [
    string,
    Parameters<typeof budgetRefusal>[0],
    { code: string; status: number; retry: boolean; msg: RegExp },
  ][] = [
    [
      'day window, most left',
      { needed: 410, unit: 'tokens', limit: 500, windowSeconds: 86400, spent: 190, resetSeconds: 40_000, nowMs: now },
      {
        code: 'insufficient_quota',
        status: 429,
        retry: false,
        msg: /needs an estimated 410 tokens; 310 of 500 tokens are left .* resets at 2026-01-01T11:06:40.000Z\. A smaller request/,
      },
    ],
    [
      'day window, nothing left',
      { needed: 10, unit: 'tokens', limit: 500, windowSeconds: 86400, spent: 600, resetSeconds: 100, nowMs: now },
      { code: 'insufficient_quota', status: 429, retry: false, msg: /0 of 500 tokens are left/ },
    ],
    [
      'minute window',
      { needed: 10, unit: 'tokens', limit: 500, windowSeconds: 60, spent: 495, resetSeconds: 12, nowMs: now },
      { code: 'budget_window_full', status: 429, retry: true, msg: /5 of 500 tokens/ },
    ],
    [
      'store could not tell',
      {
        needed: 3,
        unit: 'gpuSeconds',
        limit: 2,
        windowSeconds: 3600,
        spent: undefined,
        resetSeconds: 3000,
        nowMs: now,
      },
      {
        code: 'insufficient_quota',
        status: 429,
        retry: false,
        msg: /needs an estimated 3 gpuSeconds; the budget is 2 gpuSeconds/,
      },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      const e = budgetRefusal(input);
      assert.equal(e.code, want.code);
      assert.equal(e.status, want.status);
      assert.equal(e.retryable, want.retry);
      assert.equal(e.retryAfterSeconds !== undefined, want.retry);
      assert.match(e.message, want.msg);
      assert.ok(Date.parse(e.headers['x-tollgate-budget-reset'] ?? '') > now);
    });
  }
});

describe('redisSecrets', () => {
  it('user and password, raw and decoded', () => {
    assert.deepEqual(
      redisSecrets('redis://default:p%40ss-word-123@h:6379').sort(),
      ['default', 'default', 'p%40ss-word-123', 'p@ss-word-123'].sort(),
    );
    assert.deepEqual(redisSecrets('redis://h:6379'), []);
    assert.deepEqual(redisSecrets(undefined), []);
  });
});

// red team 2026-12-02 F4: engines quote the request back in their errors; the log kept up to 2,000 characters of it
describe('upstreamTextForLog', () => {
  const PII = 'Patient Jane Roe, born 1961-04-02, email jane.roe@hospital-internal.example, diagnosis: HIV positive';
  const vllm = JSON.stringify({
    object: 'error',
    message: `Invalid request: ${PII}`,
    type: 'BadRequestError',
    param: null,
    code: 400,
  });
  it('by default: length, hash, type and code when known words; never the text', () => {
    const r = upstreamTextForLog(vllm, set);
    assert.deepEqual(Object.keys(r).sort(), ['bytes', 'errorCode', 'errorType', 'hash']);
    const ctx = upstreamTextForLog(
      JSON.stringify({ message: "This model's maximum context length is 8192 tokens. Jane Roe", code: 400 }),
      set,
    );
    assert.equal(ctx.errorHint, 'context_length');
    assert.ok(!JSON.stringify(ctx).includes('Jane'));
    assert.equal(r.bytes, Buffer.byteLength(vllm));
    assert.match(r.hash, /^[0-9a-f]{12}$/);
    assert.equal(r.errorType, 'BadRequestError');
    assert.equal(r.errorCode, 400);
    assert.ok(!JSON.stringify(r).includes('Jane'));
    assert.equal(upstreamTextForLog(vllm, set).hash, r.hash, 'equal texts, equal hashes');
    assert.notEqual(upstreamTextForLog(`${vllm} `, set).hash, r.hash);
  });
  const fieldCases: [string, unknown, Record<string, unknown>][] = [
    [
      'nested error (OpenAI / llama.cpp)',
      { error: { message: PII, type: 'invalid_request_error', code: 'context_length_exceeded' } },
      { errorType: 'invalid_request_error', errorCode: 'context_length_exceeded' },
    ],
    ['TGI error_type', { error: PII, error_type: 'validation' }, { errorType: 'validation' }],
    [
      'free text in type/code is logged as other',
      { error: { type: 'Jane Roe, HIV', code: 'jane.roe@hospital.example' } },
      { errorType: 'other', errorCode: 'other' },
    ],
    [
      // red team 2026-12-02 N5: enum-shaped words of the upstream's choosing reached the log
      'an enum-shaped word that is not a known error word is logged as other',
      { error: { type: 'Jane_Roe_HIV_positive', code: 'diagnosis-HIV' } },
      { errorType: 'other', errorCode: 'other' },
    ],
    ['dates and digits', { error: { type: '1961-04-02', code: 'a1961' } }, { errorType: 'other', errorCode: 'other' }],
    ['too long', { error: { type: 'a'.repeat(49) } }, { errorType: 'other' }],
    ['a float or a huge number is not a code', { code: 1.5, error: { code: 1e12 } }, {}],
    ['not JSON', 'Internal Server Error: Patient Jane Roe', {}],
    ['a JSON array', [PII], {}],
  ];
  for (const [name, body, want] of fieldCases) {
    it(name, () => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const { bytes: _b, hash: _h, ...rest } = upstreamTextForLog(text, set);
      assert.deepEqual(rest, want);
    });
  }
  it('a value that is a piece of a credential is not logged', () => {
    const letters = new SecretSet(['abcdefghijKLMNOPqrstuvWXYZ']);
    const r = upstreamTextForLog(JSON.stringify({ error: { type: 'ghijKLMNOPq', code: 'invalid_key' } }), letters);
    assert.equal(r.errorType, 'other');
    assert.equal(r.errorCode, 'invalid_key');
  });
  it('with a masker (redactedPrompts): the text scrubbed of credentials, masked, cut', () => {
    const mask = (t: string): string => t.replace(/jane\.roe@[a-z.-]+/g, '[email]');
    const r = upstreamTextForLog(`${vllm} key ${CRED} ${'x'.repeat(5000)}`, set, mask, 300);
    assert.ok(r.text?.includes('Invalid request: Patient Jane Roe'));
    assert.ok(r.text?.includes('[email]') && !r.text.includes('jane.roe@'));
    assert.ok(!hasWindow(r.text ?? '', CRED));
    assert.ok((r.text ?? '').length <= 301);
  });
  it('linear: a 64 KiB body', () => {
    const t0 = performance.now();
    upstreamTextForLog(JSON.stringify({ error: { message: 'ab '.repeat(22_000) } }), set, (t) => t);
    assert.ok(performance.now() - t0 < 500);
  });
});
