// Rules Tollgate ships next to the adopted gitleaks ruleset, in the same shape (GitleaksRule) and compiled the same
// way: Tollgate's own API keys, and provider formats gitleaks does not cover (webhook URLs whose path is the
// credential). Each format is the provider's documented one.
import { KEY_PREFIX } from '../../api/keys.ts';
import type { GitleaksRule } from './types.ts';
import { TOLLGATE_RULES_3 } from './tollgate-rules-3.ts';
import { callRules } from './tollgate-rules-calls.ts';

export const TOLLGATE_RULES: readonly GitleaksRule[] = [
  {
    id: 'gcp-api-key-in-text',
    description:
      "Google API key (AIza + 35 base64url characters) followed by any non-key character: gitleaks' gcp-api-key only accepts a quote, space or `;` after it, missing keys in URLs (`?key=AIza…&callback=`) and prose.",
    regex: String.raw`\b(AIza[\w-]{35})(?:[^\w-]|$)`,
    keywords: ['aiza'],
    entropy: 3,
    allowlists: [],
    allowlistsOf: 'gcp-api-key',
  },
  {
    id: 'openai-api-key-any-end',
    description:
      "OpenAI key (sk-proj- / sk-svcacct- / sk-admin-, with the T3BlbkFJ marker) ending in - or _: gitleaks' openai-api-key requires a word boundary after the last character.",
    regex: String.raw`\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58}))(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['t3blbkfj'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'github-app-token-stateless',
    description:
      'GitHub App installation token in the 2026 stateless format: ghs_ + 36 or more of [A-Za-z0-9._-] (GitHub changelog 2026-05-15).',
    regex: String.raw`\b(ghs_[A-Za-z0-9._-]{36,255})`,
    keywords: ['ghs_'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'docker-hub-token',
    description: 'Docker Hub personal (dckr_pat_) or organization (dckr_oat_) access token.',
    regex: String.raw`\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64})(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['dckr_pat_', 'dckr_oat_'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'doppler-token',
    description:
      'Doppler service (dp.st.<config>.), CLI (dp.ct.), service-account (dp.sa.), SCIM and audit tokens; gitleaks covers personal tokens (dp.pt.) only.',
    regex: String.raw`\b(dp\.(?:st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,64})(?:[^A-Za-z0-9]|$)`,
    keywords: ['dp.st.', 'dp.ct.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'gcp-oauth-client-secret',
    description: 'Google OAuth client secret: GOCSPX- + 28 base64url characters.',
    regex: String.raw`\b(GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['gocspx-'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secret: whsec_ + base62/base64 characters.',
    regex: String.raw`\b(whsec_[A-Za-z0-9+/]{32,64})(?:[^A-Za-z0-9+/]|$)`,
    keywords: ['whsec_'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'password-assignment',
    description:
      'A password assigned in code or config (db_password = …, "password": "…", PASSWORD=…) whose value has symbols gitleaks\' generic-api-key does not accept. Placeholders, references and identifiers are left alone by entropy and by generic-api-key\'s allowlists; a `:` needs a space or a quote after it (not `arn:…:secret:prod/…`), and a path of names is where a secret is kept.',
    regex: String.raw`(?i)(?:passw(?:or)?d|pwd)(?:[\w.-]{0,20})["']?(?:[ \t]{0,3}(?:=|:=|=>)[ \t]{0,3}["'\x60]?|[ \t]{0,3}:(?:[ \t]{1,3}["'\x60]?|["'\x60]))([^\s"'\x60;,(){}<>\[\]$]{8,128})(?:[\s"'\x60;,]|$)`,
    keywords: ['password', 'passwd', 'pwd'],
    entropy: 3,
    allowlists: [
      {
        // a path of names (vault:kv-v2/app/prod, /etc/app/secrets/x): where a secret is kept, not the secret
        condition: 'OR',
        regexTarget: 'secret',
        regexes: [String.raw`^[\w.-]*:?[\w.-]*(?:/[\w.-]+){2,}/?$`],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'tollgate-key',
    description: 'Tollgate tenant API key (api/keys.ts: tgk_ + 40 base62 characters + 6 base62 characters of CRC32).',
    regex: String.raw`\b(${KEY_PREFIX}[0-9A-Za-z]{46})\b`,
    keywords: [KEY_PREFIX],
    allowlists: [],
  },
  {
    id: 'discord-webhook-url',
    description:
      'Discord webhook URL: /api/webhooks/<id>/<token>, also versioned (/api/v10/webhooks/…); the token lets anyone post to the channel.',
    regex: String.raw`(?i)https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/(?:v\d{1,2}/)?webhooks/(\d{17,20}/[\w-]{60,80})(?:[^\w-]|$)`,
    keywords: ['discord.com/api/', 'discordapp.com/api/'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'slack-webhook-url-path',
    description:
      "Slack incoming-webhook and Workflow Builder URL (hooks.slack.com/services/T…/B…/…, /workflows/…, /triggers/…): the URL with its whole path is redacted, whatever the path's length (placeholders are refused by the look-alike checks); gitleaks' slack-webhook-url (superseded) took 43-56 characters and left the rest of a longer trigger path, and took the docs' T00000000/B00000000/XXXX… placeholder.",
    regex: String.raw`(?i)((?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_-]{6,24}/[A-Za-z0-9_/+-]{10,200})(?:[^A-Za-z0-9_/+-]|$)`,
    keywords: ['hooks.slack.com'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'teams-webhook-url-path',
    description:
      'Microsoft Teams / Office 365 incoming-webhook URL (<tenant>.webhook.office.com/webhookb2/…, outlook.office.com/webhook/…): the path from the group id to the end, the signature segment of the 2025 format (…/IncomingWebhook/<id>/<owner>/<signature>) included, which the adopted rules (fixed shape, 4 segments) left visible.',
    regex: String.raw`(?i)(?:\.webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook)/([0-9a-f]{8}-[0-9a-f-]{27}@[0-9a-f]{8}-[0-9a-f-]{27}/IncomingWebhook/[0-9a-z]{32}/[0-9a-f]{8}-[0-9a-f-]{27}(?:/[A-Za-z0-9_-]{20,100})?)(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['webhook.office.com/webhookb2', 'outlook.office.com/webhook', 'outlook.office365.com/webhook'],
    allowlists: [],
  },
  {
    id: 'mattermost-webhook-url',
    description:
      'Mattermost incoming-webhook URL (https://<server>/hooks/<26 lower-case alphanumerics>): the hook id is the credential.',
    regex: String.raw`(?i)https?://[\w.-]{1,100}(?::\d{1,5})?/hooks/([a-z0-9]{26})(?:[^A-Za-z0-9]|$)`,
    keywords: ['/hooks/'],
    entropy: 3,
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        regexes: ['^[0-9]+$', '^[a-z]+$'],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
  },
  {
    id: 'zapier-catch-hook-url',
    description:
      'Zapier catch-hook URL (hooks.zapier.com/hooks/catch/<account>/<hook>/): account and hook id together let anyone trigger the Zap.',
    regex: String.raw`(?i)hooks\.zapier\.com/hooks/(?:catch|standard)/(\d{3,12}/[A-Za-z0-9]{4,40})(?:[^A-Za-z0-9]|$)`,
    keywords: ['hooks.zapier.com/hooks/'],
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        regexes: ['/(?:x+|abc123|abcdef|your\\w*)$'],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
  },
  {
    id: 'telegram-bot-token-url',
    description:
      'Telegram Bot API URL (api.telegram.org/bot<id>:<token>/…, also /file/bot…): the bot token is in the path; the adopted telegram rules need a keyword assignment or a word boundary before the id, and `bot` precedes it.',
    regex: String.raw`(?i)api\.telegram\.org/(?:file/)?bot(\d{5,16}:[A-Za-z0-9_-]{30,40})(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['api.telegram.org/'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'curl-user-credential',
    description:
      "curl's -u / --user credential in the two shapes gitleaks' curl-auth-user misses: an API key as the user name with an empty or dummy password (`-u sk_live_…:`, `-u KEY:x`, as Stripe, Mailgun, Freshdesk document), and a password with symbols outside [\\w${}@.-] (`-u admin:p#ss^…`). Entropy-gated; a password of letters only, `$VAR` and `{placeholder}` references are left alone.",
    regex: String.raw`(?:^|[ \t])(?:-u|--user)(?:=|[ \t]{1,5})["']?([A-Za-z0-9_.~+/=-]{16,200}:[^\s"':]{0,100}|[^\s"':]{1,100}:[^\s"']{6,200})(?:["'\s]|$)`,
    keywords: ['-u', '--user'],
    entropy: 3,
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        regexes: ['^[^:]{1,15}:[A-Za-z_.-]*$', '[$<>{}]'],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
  },
  {
    id: 'authorization-header-any-scheme',
    description:
      "An Authorization header or field with any scheme word (ApiKey, SSWS, GenieKey, Klaviyo-API-Key, Bot, key=…) or none: the credential after it. Bearer/Token/Basic are the bearer-token detector's; this takes the schemes providers add. Entropy-gated, 16+ characters, placeholders and `$VAR` references left alone.",
    regex: String.raw`(?i)authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:[A-Za-z][A-Za-z0-9_-]{1,30}(?:[ \t]{1,3}|=))?([A-Za-z0-9_.~+/=:-]{16,500})(?:[^A-Za-z0-9_.~+/=:-]|$)`,
    keywords: ['authorization'],
    entropy: 3,
    allowlists: [
      { condition: 'OR', regexTarget: 'secret', regexes: ['^[A-Za-z_.-]+$'], stopwords: [], paths: [], commits: [] },
    ],
  },
  {
    id: 'config-key-value-pair',
    description:
      'A secret in a key/value pair of XML config (.NET appSettings `<add key="ApiKey" value="…" />`, NuGet `ClearTextPassword`): the value, when the key names a secret. Entropy-gated, generic-api-key\'s allowlists.',
    regex: String.raw`(?i)key=["'][\w.:-]{0,40}(?:key|secret|token|passw(?:or)?d|pwd|pat)["'][ \t]{1,5}value=["']([^"'\s<>]{8,256})["']`,
    keywords: ['value='],
    entropy: 3,
    allowlists: [],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'google-chat-webhook-url',
    description: 'Google Chat incoming webhook URL: key and token query parameters authorise posting to the space.',
    regex: String.raw`https://chat\.googleapis\.com/v1/spaces/[\w-]{6,20}/messages\?key=[\w-]{39}&token=([\w-]{40,50}%3D|[\w-]{40,50}=?)`,
    keywords: ['chat.googleapis.com/v1/spaces'],
    allowlists: [],
  },
  {
    id: 'secret-in-context',
    description:
      'A credential recognised by its context, in three alternatives, one rule (one keyword visit and one head search per occurrence, not three): ' +
      '(1) a UUID or hex value assigned to a name that ends in a secret word (HEROKU_API_KEY=<uuid>, "token": "<uuid>", PUSHER_APP_SECRET=<hex>): many providers issue such keys, and gitleaks\' generic-api-key needs more entropy than a hex string of 32 has; names ending in _id, commit SHAs and checksums do not end in a secret word; ' +
      '(2) a URL query parameter (?api_key=, &access_token=, ?key=, &sig=, X-Goog-Signature=…): the value up to the next & or the end of the URL; ' +
      '(3) prose after the word naming it, and after a verb: "my token is …", "the API key: …", "use the key … to", "I set the secret to …", and in German, French, Spanish, Italian, Portuguese ("mein Token ist …", "das Passwort lautet …", "le mot de passe est …", "mon jeton est …", "la contraseña es …"): a random-looking value of 12+ characters (entropy, not letters alone, not a URL).',
    regex:
      String.raw`(?i)(?:(?:key|secret|token|passw(?:or)?d|pwd|credentials?)["'\x60]?[ \t]{0,3}(?:=|:|:=|=>)[ \t]{0,3}["'\x60]?((?:sdk-|api-|mob-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,128})(?:[^0-9a-z_-]|$)` +
      String.raw`|[?&](?:api[_-]?key|apikey|key|access[_-]?token|token|auth[_-]?token|client[_-]?secret|secret|passw(?:or)?d|pwd|sig|signature|x-goog-signature|x-amz-signature|private[_-]?token|app[_-]?key|api[_-]?secret|appid|access[_-]?key|api[_-]?token)=([A-Za-z0-9_.~+/%=:$-]{12,512})(?:[^A-Za-z0-9_.~+/%=:$-]|$)` +
      String.raw`|\b(?:token|key|secret|password|passphrase|passcode|credentials?|passwort|kennwort|schl(?:ü|ue|u)ssel|mot[ \t]de[ \t]passe|jeton|contrase(?:ñ|n)a|clave|senha|chiave|wachtwoord|sleutel)(?:[ \t]{1,2}(?:is|was|are|=|to|lautet|ist|est|es|è|é)[ \t]{1,2}:?|[ \t]?:[ \t"'\x60]|[ \t])[ \t]{0,2}["'\x60]?([A-Za-z0-9][A-Za-z0-9_+/=.~$!%:*#@^?-]{11,255})(?:[^A-Za-z0-9_+/=.~$!%:*#@^?-]|$))`,
    // the secret words and the query parameter names: a base64 run is not held for this rule's length (532) where
    // none occurs (a bare ?auth= is not taken: `auth` is in every "Authorization" and "author")
    keywords: [
      'key',
      'secret',
      'token',
      'password',
      'passwd',
      'pwd',
      'credential',
      'passphrase',
      'passcode',
      'passwort',
      'kennwort',
      'ssel',
      'passe',
      'jeton',
      'contrase',
      'clave',
      'senha',
      'chiave',
      'wachtwoord',
      'sleutel',

      'sig',
      'appid',
    ],
    entropy: 3,
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        // a URL; letters alone; lower-case words joined by _ or - (consistent_delivery_2024: a name, not a key)
        // and a path of names (where a secret is kept)
        regexes: [
          '://',
          '^[A-Za-z_.:-]+$',
          '^[a-z]{3,}(?:[_-][a-z]{2,})+(?:[_-]?[0-9]{1,4})?$',
          String.raw`^[\w.-]*:?[\w.-]*(?:/[\w.-]+){2,}/?$`,
        ],
        stopwords: [],
        paths: [],
        commits: [],
      },
      {
        // prose naming something else than the secret: "the key ID is …", "the token type is …", "the public key is …"
        condition: 'OR',
        regexTarget: 'match',
        regexes: [
          String.raw`(?i)\b(?:key|token|secret)[ \t]{1,2}(?:ids?|identifier|name|type|fingerprint|length|size|format|version|prefix|expiry)\b`,
          String.raw`(?i)\b(?:public|pub|host)[ \t]{1,2}key\b`,
        ],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
    allowlistsOf: 'generic-api-key',
  },
  ...TOLLGATE_RULES_3,
  ...callRules(),
];
