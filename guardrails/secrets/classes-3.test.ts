// The third pass on the red team's weak classes (issue 11; rules in tollgate-rules-3.ts and the prose / webhook /
// stopword changes): a sample per fix and a look-alike per fix, written from the providers' public documentation with
// random bodies (none from an eval set), full ruleset (secrets + PII), whole and streamed (5-character deltas and
// random splits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorRules } from '../detectors.ts';
import { randomCuts, streamWithCuts } from '../eval/evaluate.ts';
import { rng } from '../eval/generate.ts';
import { scanText } from '../scanner.ts';
import { KeywordAutomaton } from './keywords.ts';
import { hasStopword } from './ruleset.ts';

const everyRule = detectorRules(['secrets', 'pii']);
const r = rng(0x3a3d);
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alpha = AN) => Array.from({ length: n }, () => alpha[Math.floor(r() * alpha.length)]).join('');
const hex = (n: number) => rand(n, '0123456789abcdef');
const dig = (n: number) => rand(n, '0123456789');
const uuid = () => {
  const h = hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
};
const PW = `${AN}!#%^*?-_`;

interface Sample {
  text: string;
  secret: string;
}
const S = (secret: string, text: (s: string) => string): Sample => ({ text: text(secret), secret });

function check(samples: readonly Sample[], lookalikes: readonly string[]): void {
  for (const s of samples) {
    const whole = scanText(everyRule, s.text).text;
    assert.ok(!whole.includes(s.secret), `not redacted: ${whole}`);
    const five: number[] = [];
    for (let i = 5; i < s.text.length; i += 5) five.push(i);
    assert.equal(streamWithCuts(everyRule, s.text, five), whole, `5-char deltas: ${s.text}`);
    assert.equal(streamWithCuts(everyRule, s.text, randomCuts(s.text.length, r)), whole, `random split: ${s.text}`);
  }
  for (const l of lookalikes) assert.equal(scanText(everyRule, l).text, l);
}

describe('red-team classes, third pass: whole secret redacted, look-alikes untouched, streamed == whole', () => {
  it('kubernetes-env-secret-value: a secret-named env entry with its value on the next line', () =>
    check(
      [
        S(rand(32), (v) => `        - name: HMAC_SECRET\n          value: "${v}"`),
        S(hex(32), (v) => `env:\n  - name: TWILIO_AUTH_TOKEN\n    value: ${v}`),
      ],
      [
        '        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: db\n              key: password',
        '        - name: API_TOKEN\n          value: "$(TOKEN_FROM_FILE)"',
        '        - name: TOKEN_TTL\n          value: "3600"',
        '        - name: SECRET_KEY\n          value: "{{ .Values.secretKey }}"',
      ],
    ));
  it('pat-assignment: a token assigned to `pat` or a name ending in `_pat`', () =>
    check(
      [
        S(rand(52, 'abcdefghijklmnopqrstuvwxyz0123456789'), (v) => `AZURE_DEVOPS_PAT=${v}`),
        S(rand(40, `${AN}_-`), (v) => `{"pat": "${v}", "org": "acme"}`),
      ],
      [
        'PAT=<your-personal-access-token>',
        'path: /usr/local/share/applications/pattern-library',
        'export PAT=$AZDO_PAT',
      ],
    ));
  it('secret-assignment-mixed: a generated value (both cases, a digit, a symbol) after a secret-named assignment', () =>
    check(
      [
        S(`Xq3=${rand(6)}@${rand(6)}#9`, (v) => `$ heroku config:set CLIENT_SECRET=${v} -a acme-api`),
        S(`aB3#${rand(10)}!${rand(8)}`, (v) => `JWT_SECRET: "${v}"`),
      ],
      [
        'secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
        'TOKEN_URL: https://Auth.Example.com/oauth2/v1/token?x=1',
        'pass: Test_Suite/Run-2024.ts',
        'the test suite results: pass: 12/15 (80%), Fail: 3',
        'token: Bearer-Auth-Header-2',
        'secret: prod/Db-Creds2.json',
      ],
    ));
  it('sentry-org-token-any: any sntrys_eyJ… token', () =>
    check(
      [S(`sntrys_eyJpYXQiOjE3${rand(120, `${AN}_-`)}`, (v) => `SENTRY_AUTH_TOKEN=${v}`)],
      ['sntrys_xxxxxxxx', 'Set SENTRY_AUTH_TOKEN to an org token (sntrys_…) from the settings page.'],
    ));
  it('lark-feishu-bot-webhook-url and ifttt-webhook-key', () =>
    check(
      [
        S(uuid(), (v) => `webhook: https://open.feishu.cn/open-apis/bot/v2/hook/${v}`),
        S(uuid(), (v) => `curl -X POST https://open.larksuite.com/open-apis/bot/v2/hook/${v} -d @msg.json`),
        S(rand(22, `${AN}_-`), (v) => `https://maker.ifttt.com/trigger/door_open/with/key/${v}`),
        S(rand(22, `${AN}_-`), (v) => `url: "https://maker.ifttt.com/trigger/backup/json/with/key/${v}"`),
      ],
      [
        'https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
        'https://maker.ifttt.com/trigger/{event}/with/key/{your_key}',
        'See https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot for the setup.',
      ],
    ));
  it('discord-webhook-url: versioned API paths (/api/v10/webhooks/…)', () =>
    check(
      [S(`${dig(19)}/${rand(68, `${AN}_-`)}`, (v) => `DISCORD_WEBHOOK_URL=https://discord.com/api/v10/webhooks/${v}`)],
      ['GET https://discord.com/api/v10/webhooks/{webhook.id}/{webhook.token}'],
    ));
  it('prose: a space before the colon (French), `?` in a password, Dutch, a few words between the noun and the verb', () =>
    check(
      [
        S(rand(32), (v) => `Utilise ce jeton : ${v}`),
        S(`${rand(8)}?${rand(6)}`, (v) => `A senha é ${v}, não compartilhe.`),
        S(`${rand(1)}${rand(14, PW)}`, (v) => `Het wachtwoord is ${v}.`),
        S(hex(32), (v) => `The secret for the staging webhook is ${v}.`),
        S(rand(20, PW).replace(/^./, 'a'), (v) => `Here's the token you need: ${v}`),
      ],
      [
        'The password for the admin account is stored in the vault under secret/admin.',
        'Het wachtwoord is te kort.',
        'The key for this map is the user id.',
        'Le mot de passe : voir le coffre-fort.',
        'The token for the staging cluster is rotated every night at 02:00 UTC.',
      ],
    ));
  it('webhook-url-generic: any https URL through /hooks/, /webhook(s)/ or /services/ with a long random segment or token parameter', () =>
    check(
      [
        S(rand(32), (v) => `curl -X POST https://chat.acme-internal.io/hooks/${v} -d '{"text":"deploy done"}'`),
        S(`${rand(24)}_${rand(20)}`, (v) => `WEBHOOK=https://notify.example.org/api/v2/webhooks/${dig(9)}/${v}`),
        S(rand(40, `${AN}_-`), (v) => `post to https://alerts.vendor.app/webhook/incoming?channel=ops&token=${v}`),
        S(rand(24), (v) => `https://hooks.chatco.net/services/T${dig(8)}/B${dig(8)}/${v}`),
      ],
      [
        'See https://docs.github.com/en/webhooks/using-webhooks/creating-webhooks for the setup.',
        'https://api.acme.io/v1/webhooks/1234567890/deliveries',
        'import { useAuth } from "src/hooks/useAuthTokenRefresh2024Handler.ts";',
        'https://status.acme.io/services/payments-api-eu-west-1/incidents',
      ],
    ));
  it('a stopword marks an identifier only as a word of it (delimited, or a camelCase hump), not inside a random run', () => {
    const a = new KeywordAutomaton(['vpn', 'text', 'pass']);
    const cases: [string, boolean][] = [
      ['my_vpn_key', true],
      ['myVpnKey', true],
      ['VPN-KEY', true],
      ['text', true],
      ['aopVpneFCk5ugv010Bp3v6ii8vs7kjjf', false],
      ['spiaq8217pn6yqpi6tb82d9vtxgtext7', false],
      ['RaVpNq', false],
      ['password123', false],
      ['default-pass-2024', true],
    ];
    for (const [s, want] of cases) assert.equal(hasStopword(a, s), want, s);
  });
});
