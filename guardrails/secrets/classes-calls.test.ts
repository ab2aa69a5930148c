// The fourth pass (issue 11; rules in tollgate-rules-calls.ts): credentials passed as call arguments. Samples and
// look-alikes per rule, written here with random bodies (none from guardrails/eval/secrets-calls.ts), full ruleset
// (secrets + PII), whole and streamed (5-character deltas and random splits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorRules } from '../detectors.ts';
import { randomCuts, streamWithCuts } from '../eval/evaluate.ts';
import { rng } from '../eval/generate.ts';
import { scanText } from '../scanner.ts';
import { providerNames } from './tollgate-rules-calls.ts';

const everyRule = detectorRules(['secrets', 'pii']);
const r = rng(0xca11);
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alpha = AN) => Array.from({ length: n }, () => alpha[Math.floor(r() * alpha.length)]).join('');
const hex = (n: number) => rand(n, '0123456789abcdef');
const uuid = () => {
  const h = hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
};

function check(samples: readonly [string, string][], lookalikes: readonly string[]): void {
  for (const [secret, text] of samples) {
    const whole = scanText(everyRule, text).text;
    assert.ok(!whole.includes(secret), `not redacted: ${whole}`);
    const five: number[] = [];
    for (let i = 5; i < text.length; i += 5) five.push(i);
    assert.equal(streamWithCuts(everyRule, text, five), whole, `5-char deltas: ${text}`);
    assert.equal(streamWithCuts(everyRule, text, randomCuts(text.length, r)), whole, `random split: ${text}`);
  }
  for (const l of lookalikes) assert.equal(scanText(everyRule, l).text, l);
}
const S = (secret: string, text: (s: string) => string): [string, string] => [secret, text(secret)];

describe('credentials passed as call arguments: redacted whole and streamed, look-alikes untouched', () => {
  it('provider names come from the adopted rulesets, common words left out', () => {
    const p = providerNames();
    assert.ok(p.length > 300, `${p.length}`);
    for (const n of ['mailgun', 'twilio', 'datadog', 'cloudflare']) assert.ok(p.includes(n), n);
    for (const n of ['generic', 'private', 'linear', 'column']) assert.ok(!p.includes(n), n);
  });

  it('credential-call-argument: the callee names a credential or a provider (hex and UUIDs included)', () =>
    check(
      [
        S(rand(40), (v) => `ctx := auth.WithBearerToken(context.Background(), "${v}")`),
        S(hex(32), (v) => `mg := mailgun.NewMailgun("mg.acme.io", "${v}")`),
        S(uuid(), (v) => `h := heroku.NewService(heroku.DefaultClient)\nh.SetToken("${v}")`),
        S(rand(36, `${AN}_-`), (v) => `builder.credentials(new StaticCredentialsProvider("${v}"));`),
        S(hex(40), (v) => `let client = reqwest::Client::new().bearer_auth("${v}");`),
        S(rand(32), (v) => `Twilio::REST::Client.new(account_sid, '${v}')`),
        S(rand(44, `${AN}+/`), (v) => `$sdk = new \\Cloudflare\\API\\Auth\\APIToken('${v}');`),
      ],
      [
        `err = repo.Checkout("${hex(40)}")`,
        `if !hmac.VerifySignature(body, "${hex(64)}") {`,
        `token, err := store.GetToken(ctx, "${uuid()}")`,
        `key := i18n.Key("auth.errors.api_key_missing")`,
        `cfg := auth.LoadCredentials("/etc/acme/keys/prod-2024.json")`,
        `client := auth.NewClient("https://login.acme.io/oauth2/token")`,
        `throw new AuthException("Token has expired for user " + id);`,
        `assert.Equal(t, "auth_token_refresh_failed", tokenError(err))`,
      ],
    ));

  it('client-call-argument: a client or session constructor; a hex run or a UUID there is an id, not a key', () =>
    check(
      [
        S(rand(32), (v) => `client := acme.NewClient("${v}")`),
        S(rand(40, `${AN}_-`), (v) => `val api = AcmeApi("${v}", baseUrl)`),
        S(rand(24), (v) => `session = Acme::Session.new('${v}')`),
      ],
      [
        `c := acme.NewClient("${hex(40)}")`,
        `sess := api.NewSession("${uuid()}")`,
        `client := acme.NewClient(http.DefaultClient, "v2")`,
        `conn, err := db.Connect("postgres-primary-eu-west-1")`,
        `data, _ := base64.StdEncoding.DecodeString("${Buffer.from(rand(24)).toString('base64')}")`,
      ],
    ));
});
