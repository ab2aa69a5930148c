// A fourth independent secret set (issue 11, fourth pass), written before the rule it measures: unprefixed credentials
// passed as ARGUMENTS of a call (`client := mailgun.NewMailgun(domain, "…")`, `new TwilioRestClient(sid, "…")`,
// `Client::with_api_key("…")`, `$client->setAuthToken('…')`), with no secret-named variable nearby, in Go, Java, C#,
// Rust, Kotlin, Swift, Ruby and PHP call syntax; and the look-alikes of that shape (commit SHAs and digests passed to
// Checkout / Verify / Digest calls, UUIDs to Get / Find calls, base64 test fixtures, i18n keys, file paths, URLs,
// messages). Formats come from the providers' public documentation (length, alphabet); values are random at run time
// from a seed — no real secret is committed.
//
// Split 50/50 BY PROVIDER (alternating in declaration order): `tune` may be looked at item by item while changing the
// rule; `held` is only ever reported as figures. Look-alike kinds alternate the same way. Carriers (language call
// shapes) are shared by both halves.
import type { LookalikeSample } from './secrets-corpus.ts';
import { AN, ANL, DIG, UP, URLSAFE, W } from './secrets-wild-extra.ts';

export type Half = 'tune' | 'held';
export type Lang = 'go' | 'java' | 'csharp' | 'rust' | 'kotlin' | 'swift' | 'ruby' | 'php';

export interface CallSample {
  source: string;
  lang: Lang;
  text: string;
  secret: string;
}

/** A provider: its package / class names as SDKs spell them, and one credential as its docs describe it. */
interface Provider {
  source: string;
  /** Go package, class stem (`Mailgun` -> MailgunClient), Ruby module. */
  pkg: string;
  cls: string;
  make(w: W): string;
}
const pv = (source: string, pkg: string, cls: string, make: (w: W) => string): Provider => ({
  source,
  pkg,
  cls,
  make,
});

const PROVIDERS: Provider[] = [
  pv('mailgun', 'mailgun', 'Mailgun', (w) => `${w.hex(32)}-${w.hex(8)}-${w.hex(8)}`),
  pv('twilio-auth-token', 'twilio', 'Twilio', (w) => w.hex(32)),
  pv('datadog-api-key', 'datadog', 'Datadog', (w) => w.hex(32)),
  pv('sendbird', 'sendbird', 'Sendbird', (w) => w.hex(40)),
  pv('algolia-admin', 'algolia', 'Algolia', (w) => w.hex(32)),
  pv('heroku', 'heroku', 'Heroku', (w) => w.uuid()),
  pv('cloudflare-api-token', 'cloudflare', 'Cloudflare', (w) => w.an(40, URLSAFE)),
  pv('linode', 'linode', 'Linode', (w) => w.hex(64)),
  pv('vultr', 'vultr', 'Vultr', (w) => w.an(36, UP + DIG)),
  pv('hetzner', 'hcloud', 'Hetzner', (w) => w.an(64)),
  pv('fastly', 'fastly', 'Fastly', (w) => w.an(32, URLSAFE)),
  pv('okta', 'okta', 'Okta', (w) => `00${w.an(40, URLSAFE)}`),
  pv('auth0-client-secret', 'auth0', 'Auth0', (w) => w.an(64, URLSAFE)),
  pv('contentful', 'contentful', 'Contentful', (w) => w.an(43, URLSAFE)),
  pv('postmark', 'postmark', 'Postmark', (w) => w.uuid()),
  pv('mailchimp', 'mailchimp', 'Mailchimp', (w) => `${w.hex(32)}-us${1 + w.int(20)}`),
  pv('pusher-secret', 'pusher', 'Pusher', (w) => w.hex(20)),
  pv('bugsnag', 'bugsnag', 'Bugsnag', (w) => w.hex(32)),
  pv('segment-write-key', 'analytics', 'Segment', (w) => w.an(32)),
  pv('mixpanel-secret', 'mixpanel', 'Mixpanel', (w) => w.hex(32)),
  pv('zendesk', 'zendesk', 'Zendesk', (w) => w.an(40)),
  pv('freshdesk', 'freshdesk', 'Freshdesk', (w) => w.an(20)),
  pv('intercom', 'intercom', 'Intercom', (w) => `${w.an(56, URLSAFE)}=`),
  pv('trello-token', 'trello', 'Trello', (w) => w.hex(64)),
  pv('openweather', 'owm', 'OpenWeather', (w) => w.hex(32)),
  pv('alphavantage', 'alphavantage', 'AlphaVantage', (w) => w.an(16, UP + DIG)),
  pv('deepgram', 'deepgram', 'Deepgram', (w) => w.hex(40)),
  pv('cohere', 'cohere', 'Cohere', (w) => w.an(40)),
  pv('mistral', 'mistral', 'Mistral', (w) => w.an(32)),
  pv('pagerduty', 'pagerduty', 'PagerDuty', (w) => `u+${w.an(18, `${AN}_-`)}`),
  pv('coinmarketcap', 'cmc', 'CoinMarketCap', (w) => w.uuid()),
  pv('bitly', 'bitly', 'Bitly', (w) => w.hex(40)),
  pv('rollbar', 'rollbar', 'Rollbar', (w) => w.hex(32)),
  pv('clickup', 'clickup', 'ClickUp', (w) => `${w.digits(8)}_${w.an(64, ANL + UP)}`),
  pv('nylas', 'nylas', 'Nylas', (w) => w.an(30)),
  pv('together-ai', 'together', 'Together', (w) => w.hex(64)),
];

/** One call shape per language; `p` is the provider, `s` the literal. Shapes vary the callee, receiver and args. */
type Carrier = (w: W, p: Provider, s: string) => string;
const CARRIERS: Record<Lang, Carrier[]> = {
  go: [
    (_, p, s) => `client := ${p.pkg}.NewClient("${s}")\nresp, err := client.List(ctx)`,
    (_, p, s) => `api := ${p.pkg}.New("${s}", ${p.pkg}.WithTimeout(10*time.Second))`,
    (_, p, s) => `c, err := ${p.pkg}.NewClient(ctx, option.WithAPIKey("${s}"))\nif err != nil {\n\treturn err\n}`,
    (_, p, s) => `cfg := ${p.pkg}.DefaultConfig()\ncfg.SetAuth("${s}")`,
    (_, p, s) => `svc := ${p.pkg}.NewService(\`${s}\`)`,
    (_, p, s) => `return ${p.pkg}.NewWithToken("acme", "${s}"), nil`,
  ],
  java: [
    (_, p, s) => `${p.cls}Client client = new ${p.cls}Client("${s}");`,
    (_, p, s) => `var api = ${p.cls}.builder().apiKey("${s}").build();`,
    (_, p, s) => `${p.cls}.init(context, "${s}");`,
  ],
  csharp: [
    (_, p, s) => `var client = new ${p.cls}Client("${s}");`,
    (_, p, s) => `services.AddSingleton(new ${p.cls}Api(new ApiKeyCredential("${s}")));`,
    (_, p, s) => `var api = new ${p.cls}Client(apiKey: @"${s}");`,
  ],
  rust: [
    (_, p, s) => `let client = ${p.cls}Client::new("${s}");`,
    (_, p, s) => `let api = ${p.pkg}::Client::with_api_key("${s}")?;`,
    (_, p, s) => `let req = http.get(url).bearer_auth("${s}").send().await?;`,
  ],
  kotlin: [
    (_, p, s) => `val client = ${p.cls}Client("${s}")`,
    (_, p, s) => `val api = ${p.cls}(token = "${s}", timeout = 30.seconds)`,
  ],
  swift: [
    (_, p, s) => `let client = ${p.cls}Client(apiKey: "${s}")`,
    (_, p, s) => `${p.cls}.configure(withToken: "${s}")`,
  ],
  ruby: [(_, p, s) => `client = ${p.cls}::Client.new('${s}')`, (_, p, s) => `${p.cls}.configure(api_secret: "${s}")`],
  php: [
    (_, p, s) => `$client = new \\${p.cls}\\${p.cls}Client('${s}');`,
    (_, p, s) => `$api = new ${p.cls}Client(['token' => '${s}']);`,
    (_, p, s) => `$client->setAuthToken('${s}');`,
  ],
};
export const LANGS = Object.keys(CARRIERS) as Lang[];

/** Positives of one half: every provider of the half in every carrier of every language (`per` draws each). */
export function callPositives(half: Half, per = 1, seed = 0xca11): CallSample[] {
  const w = new W(seed + (half === 'tune' ? 0 : 1));
  const out: CallSample[] = [];
  PROVIDERS.forEach((p, i) => {
    if ((i % 2 === 0) !== (half === 'tune')) return;
    for (const lang of LANGS)
      for (const c of CARRIERS[lang])
        for (let n = 0; n < per; n++) {
          const secret = p.make(w);
          out.push({ source: p.source, lang, text: c(w, p, secret), secret });
        }
  });
  return out;
}

/** Look-alikes of the call shape: random-looking literals that are not credentials, in provider or credential calls. */
export function callLookalikes(half: Half, seed = 0x10ca1): LookalikeSample[] {
  const w = new W(seed + (half === 'tune' ? 0 : 1));
  const L = (source: string, text: string): LookalikeSample => ({ source, text });
  const kinds: [string, () => string[]][] = [
    [
      'commit-sha',
      () => [
        `err = worktree.Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash("${w.hex(40)}")})`,
        `repo.checkout("${w.hex(40)}");`,
        `commit, _, err := github.NewClient(nil).Git.GetCommit(ctx, "acme", "api", "${w.hex(40)}")`,
        `let commit = repo.find_commit(Oid::from_str("${w.hex(40)}")?)?;`,
      ],
    ],
    [
      'digest',
      () => [
        `if err := image.VerifyDigest("sha256:${w.hex(64)}"); err != nil {`,
        `assertEquals("${w.hex(64)}", Digest.sha256Hex(payload));`,
        `Assert.Equal("${w.hex(40)}", ComputeHash(token));`,
        `expect(Digest::SHA256.hexdigest(body)).to eq('${w.hex(64)}')`,
      ],
    ],
    [
      'uuid-lookup',
      () => [
        `user, err := store.GetUser(ctx, "${w.uuid()}")`,
        `val order = orders.findById(UUID.fromString("${w.uuid()}"))`,
        `let item = client.get_item("${w.uuid()}").await?;`,
        `$customer = $api->findCustomer('${w.uuid()}');`,
      ],
    ],
    [
      'base64-fixture',
      () => [
        `data, _ := base64.StdEncoding.DecodeString("${w.b64(24)}")`,
        `byte[] raw = Base64.getDecoder().decode("${w.b64(33)}");`,
        `var bytes = Convert.FromBase64String("${w.b64(30)}");`,
        `assert.Equal(t, "${w.b64(18)}", encodeKey(fixture))`,
      ],
    ],
    [
      'i18n-key',
      () => [
        `msg := i18n.T("auth.errors.token_expired")`,
        `let title = NSLocalizedString("settings.api_key.placeholder", comment: "")`,
        `<?php echo __('auth.invalid_client_secret'); ?>`,
        `label.text = getString(R.string.login_token_expired_message)`,
      ],
    ],
    [
      'path-url',
      () => [
        `cfg, err := config.LoadFile("/etc/acme/credentials/${w.an(12, ANL)}.yaml")`,
        `client := api.NewClient("https://api.acme.io/v${1 + w.int(3)}/tokens")`,
        `let key = std::fs::read_to_string("./secrets/${w.an(10, ANL)}_key.pem")?;`,
        `$client = new GuzzleClient(['base_uri' => 'https://hooks.acme.dev/build/${w.digits(6)}']);`,
      ],
    ],
    [
      'message-or-name',
      () => [
        `return errors.New("auth: token expired, please log in again")`,
        `throw new AuthenticationException("Invalid API key for tenant " + tenant);`,
        `logger.info("Refreshing client credentials for {}", clientId);`,
        `raise AuthError.new('token_refresh_failed_after_retries')`,
      ],
    ],
    [
      'numeric-id',
      () => [
        `client := slack.New(os.Getenv("SLACK_TOKEN"))\nch, _ := client.GetConversationInfo("C${w.an(10, UP + DIG)}")`,
        `account := stripe.NewClient(key).Accounts.Get("acct_${w.an(16)}")`,
        `var session = await auth.LoginAsync(userId: ${w.digits(9)}, tenant: "acme-prod-eu");`,
        `twilio.NewRestClient().Api.FetchMessage("${w.digits(19)}", nil)`,
      ],
    ],
  ];
  const out: LookalikeSample[] = [];
  kinds.forEach(([kind, make], i) => {
    if ((i % 2 === 0) !== (half === 'tune')) return;
    make().forEach((t, j) => out.push(L(`${kind}-${j}`, t)));
  });
  return out;
}
