// The look-alike table's generation (scripts/gen-confusables.ts) on a small confusables file, and the rules the
// committed table (confusables-table.ts) keeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bareSkeleton, lookalikeTable, parseConfusables, render } from '../scripts/gen-confusables.ts';
import { LOOKALIKE_ROWS } from './confusables-table.ts';

// the format of confusables.txt: source ; prototype ; type # comment
const SAMPLE = [
  '\uFEFF# confusables.txt',
  '0261 ;\t0067 ;\tMA\t# ( ɡ → g ) LATIN SMALL LETTER SCRIPT G → LATIN SMALL LETTER G',
  '057D ;\t0075 ;\tMA\t# ( ս → u ) ARMENIAN SMALL LETTER SEH → LATIN SMALL LETTER U',
  '0399 ;\t006C ;\tMA\t# ( Ι → l ) GREEK CAPITAL LETTER IOTA → LATIN SMALL LETTER L',
  '04CF ;\t0069 ;\tMA\t# ( ӏ → i ) CYRILLIC SMALL LETTER PALOCHKA → LATIN SMALL LETTER I',
  '0138 ;\t006B ;\tMA\t# ( ĸ → k ) LATIN SMALL LETTER KRA → LATIN SMALL LETTER K',
  '0460 ;\t0077 0307 ;\tMA\t# two characters',
  '01C9 ;\t006C 006A ;\tMA\t# ( ǉ → lj )',
  '2010 ;\t002D ;\tMA\t# ( ‐ → - ) HYPHEN → HYPHEN-MINUS',
  '',
].join('\n');

describe('gen-confusables', () => {
  const proto = parseConfusables(SAMPLE);
  it('reads confusables.txt lines and the npm JSON alike', () => {
    assert.equal(proto.get('\u0261'), 'g');
    assert.equal(proto.get('\u01c9'), 'lj');
    assert.deepEqual(parseConfusables(JSON.stringify(Object.fromEntries(proto))), proto);
  });
  const cases: [string, string, string][] = [
    ['a prototype', '\u0261', 'g'],
    ['a letter with a mark: NFD, the mark removed', '\u1e30', 'K'],
    ['a prototype with a mark, the mark removed', '\u0460', 'w'],
    ['two characters stay two', '\u01c9', 'lj'],
    ['no prototype: itself', '\u05d0', '\u05d0'],
  ];
  for (const [name, ch, want] of cases) it(`bareSkeleton: ${name}`, () => assert.equal(bareSkeleton(ch, proto), want));

  it('lookalikeTable: one ASCII letter or digit; I for an upper-case l-class source; Latin-1/Extended-A left out', () => {
    const t = new Map(lookalikeTable(proto));
    assert.equal(t.get(0x261), 'g');
    assert.equal(t.get(0x57d), 'u');
    assert.equal(t.get(0x399), 'I');
    assert.equal(t.get(0x4cf), 'i');
    assert.equal(t.get(0x1e30), 'K', 'NFD, the mark removed');
    assert.equal(t.get(0x138), undefined, 'U+0138 is in Latin Extended-A');
    assert.equal(t.get(0xe9), undefined, 'é');
    assert.equal(t.get(0x1c9), undefined, 'two characters');
    assert.equal(t.get(0x2010), undefined, 'punctuation');
    assert.equal(t.get(0x1d400), undefined, 'NFKC already gives A');
  });

  it('render: runs of one target are one row', () => {
    const out = render([
      [0x100, 'a'],
      [0x101, 'a'],
      [0x102, 'b'],
      [0x200, 'b'],
    ]);
    assert.match(out, /^0x100-0x101,a 0x102,b 0x200,b$/m);
    assert.match(out, /UNICODE, INC\. LICENSE AGREEMENT/);
  });
});

describe('the committed table', () => {
  const rows = LOOKALIKE_ROWS.trim().split(/\s+/);
  const entries: [number, string][] = [];
  for (const row of rows) {
    const [range, to] = row.split(',') as [string, string];
    const [a, b] = range.split('-').map((h) => parseInt(h, 16)) as [number, number | undefined];
    for (let cp = a; cp <= (b ?? a); cp++) entries.push([cp, to]);
  }
  it('holds the look-alikes the red team named and about a thousand more', () => {
    const m = new Map(entries);
    assert.deepEqual([m.get(0x1e30), m.get(0x261), m.get(0x57d)], ['K', 'g', 'u']);
    assert.ok(entries.length > 1000, `${entries.length}`);
  });
  it('every key NFKC-stable, non-ASCII, outside U+00C0–U+017F; every value one ASCII letter or digit', () => {
    for (const [cp, to] of entries) {
      const ch = String.fromCodePoint(cp);
      assert.ok(cp >= 0x80 && !(cp >= 0xc0 && cp <= 0x17f), cp.toString(16));
      assert.equal(ch.normalize('NFKC'), ch, cp.toString(16));
      assert.match(to, /^[A-Za-z0-9]$/);
    }
  });
});
