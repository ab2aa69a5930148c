// What markup hides from a renderer is still scanned (sixth attack run, 2026-12-04, each case served before): a token
// written as a tag name (`<ghp_…>`: a browser hides it, a program reading the answer receives it), and a token followed
// by sentence punctuation or `>` (the adopted rules' terminator); and a value right after a dropped construct is not
// split by the view (seventh run: an aside shown inside it). Whole, streamed at several delta sizes, and in the JSON
// channel; placeholders and element names stay as they are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGuard, STRICT_GUARDRAILS } from './guard.ts';

const CANARY = 'tg-canary-7f3a9c1e';
const guard = compileGuard({
  ...STRICT_GUARDRAILS,
  redaction: { detectors: ['secrets', 'pii'], customPatterns: [] },
  canaries: [CANARY],
  exfiltration: { mode: 'off', allowedHosts: [] },
});
const GH = 'ghp_Zq8xT4mN2bV6cR1yL9wK3jH7gF5dS0aP2eU4';
const STRIPE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

function outputs(text: string): string[] {
  const out = [guard.scanOutput(text).text];
  for (const d of [1, 4, 9]) {
    const s = guard.streamOutput();
    let o = '';
    for (let i = 0; i < text.length; i += d) o += s.push(text.slice(i, i + d)).text;
    out.push(o + s.end().text);
  }
  return out;
}

// [text, what must not be served]
const LEAKED_BEFORE: [string, string][] = [
  [`Your key: <${GH}>`, GH],
  [`<AKIAZ5J7QX2MPL4RWN3K/> set`, 'AKIAZ5J7QX2MPL4RWN3K'],
  [`canary <${CANARY}> here`, CANARY],
  // seventh run (F1): a value right after a dropped construct or a token-like tag is not split by the view
  ['<p>Contact: <!-- owner -->jane.doe@contoso.com</p>', 'jane.doe@contoso.com'],
  ['x<!-- note -->bo@contoso.com', 'bo@contoso.com'],
  ['<Customer1>jane.doe@contoso.com</Customer1>', 'jane.doe@contoso.com'],
  ['Card: <!-- visa -->4111 1111 1111 1111', '4111 1111 1111 1111'],
  ['Server: <!-- prod -->2a00:1450:4001:81c::200e', '2a00:1450:4001:81c::200e'],
  [`<!-- cfg -->Your key: ${GH}`, GH],
  // eighth run: a token-like tag inside or next to a value is dropped, not kept (kept, it split the value)
  ['jane.doe@<Customer1>contoso.com', 'contoso.com'],
  ['bo@</Item2024>aol.com', 'aol.com'],
  ['password: <Cfg12345>Xk9fQ2mZ7pL4vR8tWn3bY6cH', 'Xk9fQ2mZ7pL4vR8tWn3bY6cH'],
  ['Server 2a00:1450:<Segment01>4001:81c::200e', '4001:81c::200e'],
  ['x<Item2024>bo@contoso.com', 'contoso.com'],
  ['jane.doe<Customer1>@contoso.com', 'contoso.com'],
  ['api_key<Customer1>: Xk9fQ2mZ7pL4vR8tWn3bY6cH', 'Xk9fQ2mZ7pL4vR8tWn3bY6cH'],
  [`Use ${STRIPE}.`, STRIPE],
  [`Charge with ${STRIPE}!`, STRIPE],
  [`${STRIPE}: the live one`, STRIPE],
  [`Your key: <${STRIPE}>`, STRIPE],
  [`curl https://${STRIPE}@api.stripe.com/v1/charges`, STRIPE],
];

const UNCHANGED = [
  'OPENAI_API_KEY=<your-openai-api-key>\nANTHROPIC_API_KEY=<your-anthropic-key>',
  '<blockquote>quoted</blockquote> <my-element>x</my-element> <figcaption>cap</figcaption>',
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<!-- generated -->\n<html><body>hi</body></html>',
  '```php\n<?php echo $title; ?>\n```',
  'export AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
];

describe('hidden markup and terminators: what a reader receives is scanned', () => {
  for (const [text, secret] of LEAKED_BEFORE)
    it(`${JSON.stringify(text).slice(0, 60)}: not served, whole or streamed`, () => {
      const [whole, ...streamed] = outputs(text);
      assert.ok(!(whole as string).includes(secret), whole);
      for (const s of streamed) assert.equal(s, whole, 'streamed = whole');
      const json = guard.scanOutput(JSON.stringify({ a: text }), 'json').text;
      assert.ok(!json.includes(secret), json);
    });

  // F4: an address in the aside of an instruction glued to a token, streamed: the token after the construct was
  // released (and the cursor with it) before the aside's view characters were settled
  for (const text of ['-<?x-\n81.2.69.142:>abhij.?>-x', 'x-``a``x-<?x-\n81.2.69.142:>abhij.?>-x'])
    it(`${JSON.stringify(text)}: every split gives the whole output`, () => {
      const whole = guard.scanOutput(text).text;
      assert.ok(!whole.includes('81.2.69.142'), whole);
      let seed = 17;
      const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      for (let k = 0; k < 200; k++) {
        const cuts = [
          ...new Set(Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * text.length))),
        ];
        cuts.sort((a, b) => a - b);
        const s = guard.streamOutput();
        let out = '';
        let at = 0;
        for (const c of [...cuts, text.length]) {
          out += s.push(text.slice(at, c)).text;
          at = c;
        }
        assert.equal(out + s.end().text, whole, `cuts ${cuts.join(',')}`);
      }
    });

  for (const text of UNCHANGED)
    it(`${JSON.stringify(text).slice(0, 60)}: unchanged`, () => {
      for (const out of outputs(text)) assert.equal(out, text);
    });
});
