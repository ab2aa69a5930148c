// A keyword rule's findWindow against its whole-view search: the head and probe searches answer later windows from
// an earlier search (bounded to SEARCH_AHEAD characters past the window), so the answers are checked, window by
// window, against rule.find on the whole view, on long texts dense with keywords, matches and near-matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callPositives } from '../eval/secrets-calls.ts';
import { secretCorpus } from '../eval/secrets-corpus.ts';
import { rng } from '../eval/generate.ts';
import type { Hit, Rule } from '../rules.ts';
import { secretRuleset } from './ruleset.ts';

const compiled = secretRuleset();
const dev = secretCorpus('dev', 1);
const FILLER = [
  'The api key rotates daily; the token is read from the vault.',
  'const token = getToken(); client.auth(token);',
  'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1',
  'password: changeme',
  'secret_key = os.environ["SECRET_KEY"]',
  'x'.repeat(300),
  'key=value key: value token=',
  '\n\n',
];

function text(seed: number, length: number): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const x = r();
    const p =
      x < 0.6
        ? (FILLER[Math.floor(r() * FILLER.length)] as string)
        : x < 0.8
          ? (dev.positives[Math.floor(r() * dev.positives.length)] as { text: string }).text
          : (dev.lookalikes[Math.floor(r() * dev.lookalikes.length)] as { text: string }).text;
    parts.push(p);
    n += p.length + 1;
  }
  return parts.join(r() < 0.5 ? '\n' : ' ');
}

const bounds = (h: Hit | null) => (h ? [h.start, h.end, h.spanStart, h.spanEnd, h.text, h.groups['secret']] : null);

describe('findWindow answers as a search of the whole view does', () => {
  // the rules whose keywords are common in code and prose: the ones whose windows share searches
  const ids = [
    'generic-api-key',
    'client-call-argument',
    'credential-call-argument',
    'secret-assignment-mixed',
    'secret-in-context',
    'curl-auth-header',
    'authorization-header-any-scheme',
    'password-assignment',
    'github-pat',
    // no capture group: the probe's bounds are the hit
    'pypi-upload-token',
  ];
  for (const id of ids) {
    it(`${id}: windows in ascending order and at random, on 6 KB texts`, () => {
      const rule = compiled.rules.get(id) as Rule;
      assert.ok(rule?.findWindow, `${id} is a keyword rule`);
      for (let seed = 1; seed <= 12; seed++) {
        const view = text(seed * 31 + id.length, 6000);
        const r = rng(seed);
        let from = 0;
        for (let q = 0; q < 400; q++) {
          // ascending (as the scanner asks) for most questions; now and then a jump back
          from = r() < 0.9 ? Math.min(view.length - 1, from + Math.floor(r() * 60)) : Math.floor(r() * view.length);
          const lastStart = Math.min(view.length - 1, from + Math.floor(r() * 120));
          const got: Hit | null = rule.findWindow!(view, from, lastStart);
          const m = rule.find(view, from);
          const want = m && m.start <= lastStart ? m : null;
          assert.deepEqual(bounds(got), bounds(want), `${id} seed ${seed}: window [${from}, ${lastStart}]`);
        }
      }
    });
  }

  it('a match just past what an earlier search read is still found (every offset around the search bound)', () => {
    for (const id of ids) {
      const rule = compiled.rules.get(id) as Rule;
      // one of the rule's own matches from the corpus, with its line
      const sample = [...dev.positives, ...callPositives('tune')]
        .map((p) => p.text)
        .find((t) => {
          const m = rule.find(t, 0);
          return m !== null && rule.findWindow!(t, m.start, m.start) !== null;
        });
      assert.ok(sample, `${id}: a corpus sample it matches`);
      for (let d = 700; d <= 1800; d += 3) {
        const view = `${'. '.repeat(d >> 1)}${d % 2 ? ' ' : ''}\n${sample}\n${'. '.repeat(1000)}`;
        // a first window near the start: its searches read ahead of it
        rule.findWindow!(view, 0, 10);
        const m = rule.find(view, 20);
        assert.ok(m, `${id}: the sample matches at ${d}`);
        const got = rule.findWindow!(view, 20, m.start);
        assert.deepEqual(bounds(got), bounds(m), `${id}: the match at ${m.start}, an earlier search from 0`);
      }
    }
  });
});
