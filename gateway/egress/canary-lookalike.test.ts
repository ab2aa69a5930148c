// The gateway's credential spelled with accented, stroked, small-capital, Greek, regional-indicator or tag-character
// look-alikes of its letters: redacted whole and streamed at every split (re-check 2026-12-03, findings 01 and 02:
// 'sk-proj-9fKq2LmN7xTzAe' with one Á, Ł, ᴋ or ž, or written in tag characters, passed the egress filter).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CanarySet, CanaryStream, CREDENTIAL_MARKER, canaryView } from './canary.ts';

const CRED = 'sk-proj-9fKq2LmN7xTzAe';
const set = new CanarySet([CRED]);
const tags = (s: string): string => Array.from(s, (c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
const regional = (s: string): string =>
  s
    .replace(/[a-z]/gi, (c) => String.fromCodePoint(0x1f1e6 + c.toLowerCase().charCodeAt(0) - 97))
    .replace(/(\p{Regional_Indicator})(?=\p{Regional_Indicator})/gu, '$1\u200b');

/** [class, the credential as the model wrote it] */
const variants: [string, string][] = [
  ['precomposed acute (Latin-1 Á)', CRED.replace('A', '\u00c1')],
  ['caron (Latin Extended-A ž)', CRED.replace('z', '\u017e')],
  [
    'accents on every letter that has one',
    CRED.replace('a', 'à').replace('e', 'é').replace('o', 'ö').replace('j', 'ĵ'),
  ],
  ['stroke (Ł for L)', CRED.replace('L', '\u0141')],
  ['stroke (ø for o, ŧ for T)', CRED.replace('o', '\u00f8').replace('T', '\u0166')],
  ['hook and descender (ⱪ for K, ɱ for m)', CRED.replace('K', '\u2c6a').replace('m', '\u0271')],
  ['small capital (ᴋ for K)', CRED.replace('K', '\u1d0b')],
  ['small capitals throughout', 'ꜱᴋ-ᴘʀᴏᴊ-9ꜰᴋꞯ2ʟᴍɴ7xᴛᴢᴀᴇ'],
  ['Greek ε and χ', CRED.replace('e', '\u03b5').replace('x', '\u03c7')],
  ['newer Latin (glottal ꞻ, old Polish ꟁ)', CRED.replace('A', '\ua7bb').replace('o', '\ua7c1')],
  ['regional indicators with zero-width spaces', regional(CRED)],
  ['tag characters (invisible, ASCII smuggling)', tags(CRED)],
];

/** What a client decodes: read by the stream (render-view.ts decodeAt), not by the per-character view. */
const decoded: [string, string][] = [
  // what a client decodes (red team 2026-12-03, finding 02: 'up-7f3K…\\u0042…' in tool-call arguments passed whole)
  ["a JSON \\u escape (tool-call arguments are JSON.parse'd)", CRED.replace('K', '\\u004b')],
  [
    'every character a JSON \\u escape',
    Array.from(CRED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  ],
  ['an HTML reference', CRED.replace('L', '&#76;')],
  [
    'markup a renderer hides (bold, a tag, a code span)',
    `${CRED.slice(0, 8)}**${CRED.slice(8, 12)}**<b></b>${CRED.slice(12, 16)}\`${CRED.slice(16, 18)}\`${CRED.slice(18)}`,
  ],
];

function streamed(text: string, cuts: readonly number[]): { out: string; hits: number } {
  const s = new CanaryStream(set);
  let out = '';
  let at = 0;
  for (const c of [...cuts, text.length]) {
    out += s.push(text.slice(at, c));
    at = c;
  }
  out += s.end();
  return { out, hits: s.hits };
}

describe('canary: look-alikes of the credential', () => {
  for (const [name, spelled] of [...variants, ...decoded]) {
    const text = `Here it is: ${spelled} done`;
    if (!decoded.some(([n]) => n === name))
      it(`${name}: the view is the credential's`, () => assert.ok(canaryView(text).includes(canaryView(CRED))));
    it(`${name}: redacted whole`, () => {
      const r = streamed(text, []);
      assert.equal(r.out, `Here it is: ${CREDENTIAL_MARKER} done`);
      assert.equal(r.hits, 1);
    });
    it(`${name}: redacted at every split and in 1-, 2-, 3- and 7-unit deltas`, () => {
      const splits: number[][] = [];
      for (let i = 1; i < text.length; i++) splits.push([i]);
      for (const size of [1, 2, 3, 7]) {
        const cuts: number[] = [];
        for (let i = size; i < text.length; i += size) cuts.push(i);
        splits.push(cuts);
      }
      for (const cuts of splits) {
        const r = streamed(text, cuts);
        assert.equal(r.out, `Here it is: ${CREDENTIAL_MARKER} done`, `cuts ${cuts.join(',')}`);
        assert.equal(r.hits, 1);
      }
    });
  }

  it('ordinary accented prose around a credential-like word is not redacted', () => {
    const text = 'Déjà vu: the café serves crème brûlée, Łódź and Øresund are places.';
    assert.equal(streamed(text, [5, 17, 30]).out, text);
  });

  it('tag characters that spell something else stay as they are (invisible, not matched)', () => {
    const text = `x ${tags('hello world')} y`;
    const r = streamed(text, [3, 9]);
    assert.equal(r.out, text);
    assert.equal(r.hits, 0);
  });
});
