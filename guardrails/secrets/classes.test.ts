// The classes an outside red team measured weak (issue 11): chat/webhook URLs, curl commands, generic assignments,
// credentials in prose, and the look-alikes around them. Every sample is written from the provider's public
// documentation of the format (prefix, length, alphabet) with random bodies; none comes from an eval set. Each sample
// must lose its whole secret with the full ruleset (secrets + PII), each look-alike must stay as it is, and streamed
// output equals whole-text output for 5-character deltas and random splits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorRules } from '../detectors.ts';
import { randomCuts, streamWithCuts } from '../eval/evaluate.ts';
import { rng } from '../eval/generate.ts';
import { scanText } from '../scanner.ts';

const everyRule = detectorRules(['secrets', 'pii']);
const r = rng(0x5ec3);
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alpha = AN) => Array.from({ length: n }, () => alpha[Math.floor(r() * alpha.length)]).join('');
const hex = (n: number) => rand(n, '0123456789abcdef');
const dig = (n: number) => rand(n, '0123456789');
const uuid = () => {
  const h = hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** A text and the secret parts it carries (each must be gone from the output). */
interface Sample {
  text: string;
  secrets: string[];
}
const S = (secrets: string[], text: (...s: string[]) => string): Sample => ({ text: text(...secrets), secrets });

export const WEBHOOKS: Sample[] = [
  S([`T${rand(10)}/B${rand(10)}/${rand(24)}`], (p) => `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/${p}`),
  S(
    [`T${rand(10)}/A${rand(10)}/${dig(18)}/${rand(24)}`],
    (p) => `curl -X POST -d '{"text":"deployed"}' https://hooks.slack.com/workflows/${p}`,
  ),
  S([`T${rand(10)}/${dig(13)}/${hex(32)}`], (p) => `trigger: "https://hooks.slack.com/triggers/${p}"`),
  S([`${dig(19)}/${rand(68, `${AN}-_`)}`], (p) => `webhook_url = "https://discord.com/api/webhooks/${p}"`),
  S([`${dig(18)}/${rand(68, `${AN}-_`)}`], (p) => `Post to https://discordapp.com/api/webhooks/${p}?wait=true`),
  S(
    [`${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`],
    (p) => `$uri = "https://contoso.webhook.office.com/webhookb2/${p}"`,
  ),
  S(
    [`${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}/V2${rand(45, `${AN}-_`)}`],
    (p) => `TEAMS_WEBHOOK=https://fabrikam.webhook.office.com/webhookb2/${p}`,
  ),
  S([`${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`], (p) => `https://outlook.office.com/webhook/${p}`),
  S(
    [`AIza${rand(35, `${AN}-_`)}`, `${rand(43, `${AN}-_`)}%3D`],
    (k, t) => `https://chat.googleapis.com/v1/spaces/AAAA${rand(7)}/messages?key=${k}&token=${t}`,
  ),
  S(
    [rand(26, 'abcdefghijklmnopqrstuvwxyz0123456789')],
    (h) => `MATTERMOST_WEBHOOK=https://chat.example.org/hooks/${h}`,
  ),
  S(
    [`${dig(7)}/${rand(7, 'abcdefghijklmnopqrstuvwxyz0123456789')}`],
    (p) => `https://hooks.zapier.com/hooks/catch/${p}/`,
  ),
  S(
    [`${dig(10)}:AA${rand(33, `${AN}-_`)}`],
    (t) => `curl "https://api.telegram.org/bot${t}/sendMessage?chat_id=-100${dig(10)}&text=hi"`,
  ),
];

export const WEBHOOK_LOOKALIKES: string[] = [
  'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  'Create one at https://api.slack.com/messaging/webhooks, then set https://hooks.slack.com/services/YOUR/WEBHOOK/URL',
  'GET https://api.github.com/repos/octo-org/hello-world/hooks/12345678',
  'https://hooks.zapier.com/hooks/catch/123456/xxxxxx/',
  'curl https://api.telegram.org/bot<token>/getMe',
  'See https://discord.com/developers/docs/resources/webhook#execute-webhook',
];

const PW = `${AN}!@#%^*-_`;
export const CURL: Sample[] = [
  S([rand(18, PW)], (p) => `curl -u admin:${p} https://api.example.com/v1/items`),
  S([rand(20)], (p) => `curl --user deploy:${p} https://registry.example.com/v2/_catalog`),
  S([rand(32)], (k) => `curl https://api.example.com/v1/charges \\\n  -u ${k}: \\\n  -d amount=2000`),
  S([rand(24)], (k) => `curl -u "${k}:X" https://acme.example.com/api/v2/tickets.json`),
  S([rand(40)], (t) => `curl -H "Authorization: Bearer ${t}" https://api.example.com/v1/me`),
  S(
    [rand(48, `${AN}-_`)],
    (t) => `curl -X GET "https://api.example.com/v1/users" \\\n     --header 'Authorization: Bearer ${t}'`,
  ),
  S([rand(40)], (t) => `curl -H "Authorization: ApiKey ${t}" https://api.example.com/v1`),
  S([rand(42, `${AN}-_`)], (t) => `curl -H "Authorization: SSWS ${t}" https://dev-1234.okta.com/api/v1/users`),
  S([uuid()], (t) => `curl -H "Authorization: GenieKey ${t}" https://api.opsgenie.com/v2/alerts`),
  S([rand(32)], (k) => `curl -H "X-Api-Key: ${k}" https://api.example.com/v2/search`),
  S([hex(32)], (k) => `curl --header 'api-key: ${k}' https://myres.openai.azure.com/openai/models`),
  S([rand(40)], (t) => `curl "https://api.example.com/v1/data?access_token=${t}&limit=10"`),
  S(
    [rand(32)],
    (c) =>
      `curl -X POST https://auth.example.com/oauth/token -d 'grant_type=client_credentials&client_id=app&client_secret=${c}'`,
  ),
];

export const CURL_LOOKALIKES: string[] = [
  'curl -H "Authorization: Bearer $OPENAI_API_KEY" https://api.openai.com/v1/models',
  'curl -H "Authorization: Bearer YOUR_API_KEY" https://api.example.com',
  'curl -H "Authorization: Bearer ${GITHUB_TOKEN}" https://api.github.com/user',
  'curl -u "$USER:$PASS" https://example.com',
  'curl -u admin https://api.example.com/v1/items',
  'sudo -u postgres psql -c "select 1"',
  'The Authorization: header carries the credentials (RFC 9110, section 11.6.2).',
];

export const ASSIGNMENTS: Sample[] = [
  S([rand(32)], (k) => `api_key = "${k}"`),
  S([rand(40)], (k) => `API_TOKEN: ${k}`),
  S([rand(40, `${AN}-_`)], (k) => `{\n  "secret": "${k}",\n  "region": "eu-west-1"\n}`),
  S([rand(16, PW)], (k) => `password=${k}`),
  S([rand(14, PW)], (k) => `'password' => '${k}',`),
  S([rand(36)], (k) => `[auth]\ntoken = "${k}"`),
  S([hex(32)], (k) => `const apiSecret = "${k}";`),
  S([rand(16, PW)], (k) => `spring.datasource.password=${k}`),
  S([rand(16, PW)], (k) => `administrator_login_password = "${k}"`),
  S([rand(32)], (k) => `<appSettings>\n  <add key="Stripe:ApiKey" value="${k}" />\n</appSettings>`),
];

export const ASSIGNMENT_LOOKALIKES: string[] = [
  '"password_field": "login_password",',
  '  password: "${var.db_password}"',
  'token_endpoint = "https://oauth2.googleapis.com/token"',
  'secret_name: my-app-tls-secret',
  'tokenizer = "cl100k_base"',
  'SECRET_KEY = os.environ["SECRET_KEY"]',
  'secret: ${{ secrets.NPM_TOKEN }}',
  'password: "{{ .Values.db.password }}"',
  '"usage": {"prompt_tokens": 1234, "completion_tokens": 567}',
  'password_min_length = 12',
  '<add key="ApiKeyHeaderName" value="X-Api-Key" />',
  '<add key="TokenLifetimeMinutes" value="60" />',
  'secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
  'SECRET_BACKEND=vault:kv-v2/app/prod',
];

// prose values start with a letter or digit: one that starts with a symbol is not taken (`**bold**` would be)
export const PROSE: Sample[] = [
  S([rand(32)], (k) => `my API key is ${k}, can you check why it fails?`),
  S([rand(40, `${AN}-_`)], (t) => `Use the token ${t} to authenticate against staging.`),
  S([`${rand(1)}${rand(13, PW)}`], (p) => `here's the password: ${p}`),
  S([`${rand(1)}${rand(15, PW)}`], (p) => `Here is the password ${p} for the db.`),
  S([rand(32)], (k) => `I set the secret to ${k} but the webhook still fails`),
  S([rand(40)], (t) => `mein Token ist ${t}, funktioniert aber nicht`),
  S([`${rand(1)}${rand(13, PW)}`], (p) => `Das Passwort lautet ${p}`),
  S([`${rand(1)}${rand(13, PW)}`], (p) => `le mot de passe est ${p}`),
  S([rand(40)], (t) => `mon jeton est ${t}`),
  S([`${rand(1)}${rand(13, PW)}`], (p) => `la contraseña es ${p}`),
  S([`sbp_${hex(40)}`], (t) => `my supabase token is ${t} and the request still fails`),
  S([`key-${hex(32)}`], (t) => `The Mailgun key is ${t}.`),
];

export const PROSE_LOOKALIKES: string[] = [
  'The key to success is consistent_delivery_2024 across teams.',
  'Your API key is shown only once; store it in a secret manager.',
  'The token is valid for 3600 seconds and is refreshed automatically.',
  'The password for the admin account is stored in the vault under secret/admin.',
  'Das Passwort ist mindestens 12 Zeichen lang.',
  'Le mot de passe est stocké dans Vault.',
  'The key ID is 3AA5C34371567BD2 and the fingerprint is 4AEE18F83AFDEB23.',
  'Use the token YOUR_TOKEN_HERE to authenticate.',
  'the secret is in the env var OPENAI_API_KEY',
];

const B32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const B64 = `${AN}+/`;
export const KEEP_REDACTING: Sample[] = [
  S(['jane.doe@contoso.com'], (e) => `Contact me at ${e} about the rollout.`),
  S(['ops-team@acme.io'], (e) => `git commit --author="Ops <${e}>" -m fix`),
  S([`AGE-SECRET-KEY-1${rand(58, B32.toUpperCase())}`], (k) => `# created: 2024-05-01\n${k}`),
];

export const LOOKALIKES: string[] = [
  'git clone git@github.com:octo-org/octo-repo.git',
  'git@github.com:18F/identity-idp.git',
  '"repository": "git+ssh://git@github.com/acme/widgets.git"',
  'git clone ssh://git@bitbucket.org:7999/team/repo.git',
  'ssh -T git@github.com',
  'ssh -i ~/.ssh/id_ed25519 ubuntu@ec2-3-120-1-2.eu-central-1.compute.amazonaws.com',
  `recipients: age1${rand(58, B32)}`,
  `age -r age1${rand(58, B32)} -o secrets.enc secrets.txt`,
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rand(43, B64)} user@laptop`,
  `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${rand(300, B64)} deploy@ci`,
  `-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${rand(52, B64)}\n${rand(36, B64)}==\n-----END PUBLIC KEY-----`,
  `commit ${hex(40)}\nAuthor: Jane <jane@example.org>`.replace(/jane@example.org/, 'Jane'),
  `image: ghcr.io/acme/api@sha256:${hex(64)}`,
  `sha256sum: ${hex(64)}  dist/app.tar.gz`,
  `"integrity": "sha512-${rand(86, B64)}=="`,
];

export function checkClass(samples: readonly Sample[], lookalikes: readonly string[]): void {
  for (const s of samples) {
    const whole = scanText(everyRule, s.text).text;
    for (const secret of s.secrets) assert.ok(!whole.includes(secret), `not redacted: ${whole}`);
    const five: number[] = [];
    for (let i = 5; i < s.text.length; i += 5) five.push(i);
    assert.equal(streamWithCuts(everyRule, s.text, five), whole, `5-char deltas: ${s.text}`);
    assert.equal(streamWithCuts(everyRule, s.text, randomCuts(s.text.length, r)), whole, `random split: ${s.text}`);
  }
  for (const l of lookalikes) assert.equal(scanText(everyRule, l).text, l);
}

describe('red-team classes (issue 11): whole secret redacted, look-alikes untouched, streamed == whole', () => {
  it('chat and webhook URLs: the whole credential path', () => checkClass(WEBHOOKS, WEBHOOK_LOOKALIKES));
  it('curl commands: -u/--user, Authorization with any scheme, key headers, query and form credentials', () =>
    checkClass(CURL, CURL_LOOKALIKES));
  it('generic assignments in env, YAML, JSON, TOML, PHP, XML and code', () =>
    checkClass(ASSIGNMENTS, ASSIGNMENT_LOOKALIKES));
  it('credentials in prose, in English, German, French and Spanish', () => checkClass(PROSE, PROSE_LOOKALIKES));
  it('look-alikes: SSH logins and remotes are not emails, age recipients and public keys, hashes and digests stay', () =>
    checkClass(KEEP_REDACTING, LOOKALIKES));
});
