import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputTransform } from '../transform.ts';
import {
  CanarySet,
  CanaryStream,
  CanaryTransform,
  CREDENTIAL_MARKER,
  MAX_HELD_INVISIBLE,
  withCanaries,
} from './canary.ts';

const KEY = 'up-Zx81QwErTy99AbCdEfGh12345678';
const REDIS = 'redis-pass-0n3Tw0';
const set = new CanarySet([KEY, REDIS, 'short', KEY]);

function streamed(text: string, size: number): { out: string; hits: number; maxHeld: number } {
  const s = new CanaryStream(set);
  let out = '';
  let maxHeld = 0;
  for (let i = 0; i < text.length; i += size) {
    out += s.push(text.slice(i, i + size));
    maxHeld = Math.max(maxHeld, s.held);
  }
  out += s.end();
  return { out, hits: s.hits, maxHeld };
}

describe('credential canaries', () => {
  it('skips short and duplicate credentials', () => {
    assert.equal(set.size, 2);
  });
  const table: { name: string; text: string; want: string; hits: number }[] = [
    { name: 'whole key', text: `the key is ${KEY}.`, want: `the key is ${CREDENTIAL_MARKER}.`, hits: 1 },
    {
      name: 'two credentials',
      text: `${REDIS} and ${KEY}`,
      want: `${CREDENTIAL_MARKER} and ${CREDENTIAL_MARKER}`,
      hits: 2,
    },
    { name: 'back to back', text: `${KEY}${KEY}`, want: CREDENTIAL_MARKER + CREDENTIAL_MARKER, hits: 2 },
    { name: 'a prefix only is not a match', text: `${KEY.slice(0, 20)} end`, want: `${KEY.slice(0, 20)} end`, hits: 0 },
    // the text ends inside a credential (a cut at max_tokens): 8+ characters count as the credential
    { name: 'cut inside, at the end', text: `key ${KEY.slice(0, 20)}`, want: `key ${CREDENTIAL_MARKER}`, hits: 1 },
    { name: 'cut at 8', text: `key ${KEY.slice(0, 8)}`, want: `key ${CREDENTIAL_MARKER}`, hits: 1 },
    { name: 'cut at 7 is not evidence', text: `key ${KEY.slice(0, 7)}`, want: `key ${KEY.slice(0, 7)}`, hits: 0 },
    {
      name: 'cut after a whole one',
      text: `${REDIS} ${REDIS.slice(0, 12)}`,
      want: `${CREDENTIAL_MARKER} ${CREDENTIAL_MARKER}`,
      hits: 2,
    },
    {
      name: 'a near miss restarts correctly (KMP)',
      text: `up-up-Zx81${KEY}`,
      want: `up-up-Zx81${CREDENTIAL_MARKER}`,
      hits: 1,
    },
    { name: 'plain text untouched', text: 'nothing to see here', want: 'nothing to see here', hits: 0 },
    // red-team run 9 (F1): inside an instruction nested after a token character in another one
    { name: 'in a nested instruction', text: `a<?a<?${REDIS}?> end`, want: `a${CREDENTIAL_MARKER} end`, hits: 1 },
  ];
  for (const t of table) {
    it(t.name, () => {
      for (const size of [1, 2, 3, 5, 7, 17, 1000]) {
        const r = streamed(t.text, size);
        assert.equal(r.out, t.want, `delta size ${size}`);
        assert.equal(r.hits, t.hits);
        assert.ok(r.maxHeld < KEY.length + size, `held ${r.maxHeld}`);
      }
    });
  }

  it('holds back only a possible prefix of a credential', () => {
    const s = new CanaryStream(set);
    assert.equal(s.push('hello world '), 'hello world ');
    assert.equal(s.push('up-Zx8'), '');
    assert.equal(s.held, 6);
    assert.equal(s.push('!'), 'up-Zx8!');
  });

  it('is linear: a long text of near misses', () => {
    const text = 'up-Zx81QwErTy99AbCdEfGh1234567X'.repeat(20_000);
    const t0 = performance.now();
    const r = streamed(text, 1);
    assert.equal(r.hits, 0);
    assert.equal(r.out, text);
    assert.ok(performance.now() - t0 < 5000);
  });

  it('constructs three JSON escape levels down, streamed: the credential caught at every delta size, as in one push', () => {
    const esc = (t: string) => [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const esc3 = (t: string) => esc(esc(esc(t)));
    // each `<?` opens a construct read up to its bound (~55 KB raw here): read again only once the carry has doubled
    const text = `{"a":"${esc3(`${'a<?b '.repeat(50)}${KEY} ${'a<?b '.repeat(30)}`)}"}`;
    const one = streamed(text, text.length);
    assert.equal(one.hits, 1);
    for (const d of [1, 4, 16, 333]) {
      const r = streamed(text, d);
      assert.equal(r.out, one.out, `${d}-character deltas`);
      assert.equal(r.hits, 1);
    }
  });

  it('as a transform: per channel, in front of the tenant transform, counting hits', () => {
    const seen: string[] = [];
    const inner: OutputTransform = {
      push: (_i, t) => {
        seen.push(t);
        return t.toUpperCase();
      },
      flush: () => '',
      verdict: () => undefined,
    };
    const t = new CanaryTransform(set, inner);
    let a = '';
    let b = '';
    for (const ch of `x ${KEY} y`) {
      a += t.push(0, ch);
      b += t.push(7, ch);
    }
    a += t.flush(0);
    b += t.flush(7);
    assert.equal(a, `X ${CREDENTIAL_MARKER.toUpperCase()} Y`);
    assert.equal(b, a);
    assert.equal(t.hits, 2);
    assert.ok(!seen.join('').includes(KEY.slice(3, 11)), 'the tenant transform never sees the credential');
    assert.equal(withCanaries(new CanarySet([]), undefined), undefined);
    assert.equal(withCanaries(new CanarySet([]), inner), inner);
  });

  // red team 2026-12-02 F5: one invisible character inside the credential split the literal match
  describe('on the folded view (invisible and look-alike characters do not split a match)', () => {
    const ins = (k: string, ch: string, at = 10): string => k.slice(0, at) + ch + k.slice(at);
    const cases: [string, string][] = [
      ['ZWSP U+200B', ins(KEY, '\u200b')],
      ['ZWNJ U+200C', ins(KEY, '\u200c')],
      ['word joiner U+2060', ins(KEY, '\u2060')],
      ['soft hyphen U+00AD', ins(KEY, '\u00ad')],
      ['BOM U+FEFF', ins(KEY, '\ufeff')],
      ['one per character', [...KEY].join('\u200b')],
      ['combining mark', ins(KEY, '\u0301')],
      ['Cyrillic look-alike', KEY.replace('w', '\u051d').replace('E', '\u0415')],
      ['full-width', KEY.replace('Zx81', '\uff3a\uff58\uff18\uff11')],
      ['upper-cased', KEY.toUpperCase()],
      ['invisible right after the start', ins(KEY, '\u200b', 1)],
      // red team 2026-12-03 N4: look-alikes outside the old hand list (now UTS #39 confusables, guardrails/text.ts)
      ['Armenian \u057d (U+057D) for u', KEY.replace('u', '\u057d')],
      ['Latin script \u0261 (U+0261) for G', KEY.replace('G', '\u0261')],
      ['E with macron and acute (U+1E16)', KEY.replace('E', '\u1e16')],
      ['Cherokee \u13aa (U+13AA) for A', KEY.replace('A', '\u13aa')],
      ['Cyrillic \u0433 (U+0433) for r', KEY.replace('r', '\u0433')],
    ];
    for (const [name, hidden] of cases) {
      it(name, () => {
        for (const size of [1, 2, 3, 7, 1000]) {
          const r = streamed(`a ${hidden} b`, size);
          assert.equal(r.out, `a ${CREDENTIAL_MARKER} b`, `delta size ${size}`);
          assert.equal(r.hits, 1);
        }
      });
    }
    it('K with acute (U+1E30) inside a credential: still the credential', () => {
      const k = new CanarySet(['sk-Kq7Zp2MvX9']);
      const st = new CanaryStream(k);
      const out = st.push('a sk-\u1e30q7Zp2MvX9 b') + st.end();
      assert.equal(out, `a ${CREDENTIAL_MARKER} b`);
    });
    it('cut at the end with an invisible character inside: still the credential', () => {
      for (const size of [1, 4, 1000])
        assert.equal(streamed(`key ${ins(KEY, '\u00ad', 4).slice(0, 12)}`, size).out, `key ${CREDENTIAL_MARKER}`);
    });
    it('text with invisible characters and surrogate pairs outside a credential is untouched', () => {
      const text = 'caf\u00e9 \u{1F469}\u200d\u{1F4BB} up\u200b-x \u00adsoft e\u0301 \u{1F600}!';
      for (const size of [1, 2, 3, 1000]) assert.equal(streamed(text, size).out, text, `delta size ${size}`);
    });
    it('a run of invisible characters inside a partial match: holdback bounded, the credential still found', () => {
      const pad = '\u200b'.repeat(20_000);
      const text = `x ${KEY.slice(0, 12)}${pad}${KEY.slice(12)} y ${KEY.slice(0, 5)}${pad}z`;
      for (const size of [1, 64, 100_000]) {
        const t0 = performance.now();
        const s = new CanaryStream(set);
        let out = '';
        let maxHeld = 0;
        for (let i = 0; i < text.length; i += size) {
          out += s.push(text.slice(i, i + size));
          maxHeld = Math.max(maxHeld, s.held);
        }
        out += s.end();
        assert.equal(out.split(CREDENTIAL_MARKER).length, 2, `delta size ${size}`);
        assert.ok(out.startsWith(`x ${CREDENTIAL_MARKER} y ${KEY.slice(0, 5)}`));
        assert.ok(out.endsWith('z'));
        if (size < text.length) assert.ok(maxHeld <= KEY.length + MAX_HELD_INVISIBLE + size, `held ${maxHeld}`);
        assert.ok(performance.now() - t0 < 2000);
      }
    });
    it('is linear on invisible-heavy near misses', () => {
      const text = [...'up-Zx81QwErTy99AbCdEfGh1234567X'].join('\u200b').repeat(5_000);
      const t0 = performance.now();
      const r = streamed(text, 3);
      assert.equal(r.hits, 0);
      assert.equal(r.out, text);
      assert.ok(performance.now() - t0 < 5000);
    });
  });

  // recheck 6 (findings 01, 06, 02): markup markdown-it hides inside the credential (c1.ts–c5.ts served all of these)
  describe('split by markup a renderer hides', () => {
    const u = (t: string): string => [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const split = (x: string, y: string): string => `${KEY.slice(0, 9)}${x}${KEY.slice(9, 15)}${y}${KEY.slice(15)}`;
    const table: [string, string][] = [
      ['****', split('****', '****')],
      ['*****', split('*****', '*****')],
      ['40 *', split('*'.repeat(40), '*'.repeat(40))],
      ['~~~~', split('~~~~', '~~~~')],
      ['````', split('````', '````')],
      ['padded code span', split('` ', ' `')],
      ['tab-padded code span', split('`\t', '\t`')],
      ['newline in a code span', split('`\n', '`')],
      ['<b>`x`</b>', split('<b>`', '`</b>')],
      ['<!---->`x`', split('<!---->`', '`')],
      ['<![CDATA[]]>`x`', split('<![CDATA[]]>`', '`')],
      ['<?x?>', split('<?x?>', '')],
      ['<!x>', split('<!x>', '')],
      ['<!DOCTYPE html>', split('<!DOCTYPE html>', '')],
      ['\\u002a\\u002a', split(u('**'), u('**'))],
      ['\\u0060', split(u('`'), u('`'))],
      ['\\u003cb\\u003e', split(u('<b>'), u('</b>'))],
      ['\\u003c!----\\u003e', split(u('<!---->'), '')],
      ['\\u0026#x..;', `${KEY.slice(0, 9)}${u('&')}#x${KEY.charCodeAt(9).toString(16)};${KEY.slice(10)}`],
    ];
    for (const [name, inner] of table)
      it(`${name}: redacted whole and at every split`, () => {
        const text = `key: ${inner} ok`;
        const want = `key: ${CREDENTIAL_MARKER} ok`;
        assert.equal(streamed(text, text.length).out, want);
        for (let c = 1; c < text.length; c++) {
          const s = new CanaryStream(set);
          assert.equal(s.push(text.slice(0, c)) + s.push(text.slice(c)) + s.end(), want, `cut ${c}`);
        }
        for (const size of [1, 3, 4]) assert.equal(streamed(text, size).out, want, `delta size ${size}`);
      });
    it('masks and code quotes around the credential stay as they are', () => {
      for (const text of ['key up-****abcd', 'sk-**** and `up-x`', 'use `a` and `b`'])
        for (const size of [1, 3, 1000]) assert.equal(streamed(text, size).out, text);
    });
  });
});
