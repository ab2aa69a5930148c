// The detection view's look-alike fold (text.ts foldCodePoint over confusables-table.ts, UTS #39): red team
// 2026-12-03 N4 found look-alikes outside the old hand list passing the canary check and the injection scorer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldCodePoint, foldText, SKELETON_EXTRA, skeletonCodePoint } from './text.ts';

const fold = (s: string): string => foldText(s, 0).view;

describe('foldCodePoint: look-alike letters and digits to ASCII', () => {
  const cases: [string, string, string][] = [
    // the three the red team named
    ['K with acute U+1E30', '\u1e30', 'K'],
    ['Latin small script g U+0261', '\u0261', 'g'],
    ['Armenian small seh U+057D', '\u057d', 'u'],
    // more from UTS #39 confusables
    ['Armenian small oh U+0585', '\u0585', 'o'],
    ['Cherokee A U+13AA', '\u13aa', 'A'],
    ['Cherokee E U+13AC', '\u13ac', 'E'],
    ['Greek yot U+03F3', '\u03f3', 'j'],
    ['Cyrillic ghe U+0433', '\u0433', 'r'],
    ['Cyrillic komi de U+0501', '\u0501', 'd'],
    ['Lisu letter tha U+A4D4', '\ua4d4', 'T'],
    ['Latin small alpha U+0251', '\u0251', 'a'],
    ['Latin letter with a mark outside Latin-1/A: a with dot below U+1EA1', '\u1ea1', 'a'],
    ['Cyrillic ze U+0417 looks like 3', '\u0417', '3'],
    ['Greek capital iota: I, not l', '\u0399', 'I'],
    ['Cyrillic Byelorussian-Ukrainian I: I', '\u0406', 'I'],
    // kept from the old hand list
    ['Cyrillic palochka U+04CF', '\u04cf', 'l'],
    ['Greek tau', '\u03c4', 't'],
    ['Greek kappa', '\u03ba', 'k'],
    ['en dash', '\u2013', '-'],
    ['fraction slash', '\u2044', '/'],
    // NFKC first, invisible dropped
    ['mathematical bold A', '\u{1d400}', 'A'],
    ['full-width Z', '\uff3a', 'Z'],
    ['zero-width space', '\u200b', ''],
    // not look-alikes: the letters the intl injection signals are written with, and other scripts' words
    ['e acute (Latin-1)', '\u00e9', '\u00e9'],
    ['u umlaut (Latin-1)', '\u00fc', '\u00fc'],
    ['n tilde (Latin-1)', '\u00f1', '\u00f1'],
    ['c cedilla (Latin-1)', '\u00e7', '\u00e7'],
    ['dotless i (Latin Extended-A)', '\u0131', '\u0131'],
    ['CJK 忽', '忽', '忽'],
    ['Hangul 무', '무', '무'],
    ['Katakana ル', 'ル', 'ル'],
  ];
  for (const [name, ch, want] of cases) it(name, () => assert.equal(foldCodePoint(ch.codePointAt(0)!), want));

  it('every letter of the hand list the table replaced folds as before', () => {
    const from = 'АВЕКМНОРСТХУЅІЈаеорсухѕіјԁԛԝһӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧονρτικα';
    const to = 'ABEKMHOPCTXYSIJaeopcyxsijdqwhlABEZHIKMNOPTYXovptika';
    assert.equal(fold(from), to);
  });

  it('a word spelt with the new look-alikes reads as the word', () => {
    assert.equal(fold('\u1e30\u0435\u0443 \u0261\u0585\u0585d \u057d\u0455\u0435r'), 'Key good user');
  });
});

describe('skeletonCodePoint: the ASCII reading for ASCII needles (canary, de-accented scoring view)', () => {
  const skel = (s: string): string => Array.from(s, (c) => skeletonCodePoint(c.codePointAt(0)!)).join('');
  const cases: [string, string, string][] = [
    [
      'Latin-1 accents',
      'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ',
      'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyy',
    ],
    [
      'Latin Extended-A accents',
      'ĀăĄćĈċČďĒĕĖęĚĝğġģĥĩīĭįİĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷŸźżž',
      'AaAcCcCdEeEeEgggghiiiiIjklllnnnooorrrssssttuuuuuuwyYzzz',
    ],
    ['Angstrom sign and ḿ ṁ ṃ', 'Åḿṁṃ', 'Ammm'],
    ['stroked letters', 'ŁłØøĐđĦħŦŧƗɨǥȼɇɍɏᵽ', 'LlOoDdHhTtIigceryp'],
    ['dotless i, kra, sharp s, ligatures', 'ıĸßæœ', 'ikssaeoe'],
    ['small capitals', 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ', 'abcdefghijklmnopqrstuvwyz'],
    ['modifier small capitals (NFKC first)', 'ᶦᶫᶰ', 'iln'],
    ['Greek ε χ and accented Greek vowels', 'εχάό', 'exao'],
    ['newer Latin letters', 'ꞵꞷꞻꟁꟃꟈꟊꟑꟗꟙ', 'bwaowdsgss'],
    ['Latin Extended-G', '\u{1df09}\u{1df11}\u{1df1e}', 'tls'],
    ['regional indicators', '🇦🇧🇿', 'ABZ'],
    ['tag characters read as ASCII', '\u{e0041}\u{e0062}\u{e0020}\u{e002d}\u{e007e}', 'Ab -~'],
    ['language tag and cancel tag stay invisible', '\u{e0001}\u{e007f}', ''],
    ['zero-width characters stay invisible', '\u200b\u200d\u00ad', ''],
    ['no ASCII reading: as foldCodePoint leaves it', 'йжшЖ忽무', 'йжшЖ忽무'],
  ];
  for (const [name, from, want] of cases) it(name, () => assert.equal(skel(from), want));

  it('every row of SKELETON_EXTRA is what the skeleton reads (none shadowed by UTS #39 or NFKC)', () => {
    for (const [from, to] of Object.entries(SKELETON_EXTRA))
      assert.equal(skeletonCodePoint(from.codePointAt(0)!), to, `U+${from.codePointAt(0)!.toString(16)}`);
  });

  it('ASCII is itself', () => {
    for (let cp = 0; cp < 0x80; cp++) assert.equal(skeletonCodePoint(cp), String.fromCharCode(cp));
  });
});
