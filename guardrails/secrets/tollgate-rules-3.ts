// Tollgate rules of the third pass on the red team's weak classes (issue 11), in the same shape as tollgate-rules.ts
// (which spreads them in). Formats from the providers' public documentation; each rule has a sample and a look-alike
// in classes-3.test.ts.
import type { GitleaksRule } from './types.ts';

export const TOLLGATE_RULES_3: readonly GitleaksRule[] = [
  {
    id: 'kubernetes-env-secret-value',
    description:
      'A container env entry in a Kubernetes manifest / Helm values (`- name: DB_PASSWORD` then `value: "…"` on the next line) whose name ends in a secret word: gitleaks\' generic rules need the name and the value on one line. Entropy-gated, generic-api-key\'s allowlists; `$(VAR)` and `{{ … }}` references are left alone.',
    regex: String.raw`(?i)name:[ \t]{0,3}["']?[\w.-]{0,40}(?:key|secret|token|passw(?:or)?d|pwd|pass|pat|credentials?)["']?[ \t]{0,3}\r?\n[ \t]{0,40}value:[ \t]{0,3}["']?([^\s"'$\x60{}]{8,256})(?:["'\s]|$)`,
    keywords: ['name'],
    entropy: 3,
    allowlists: [],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'pat-assignment',
    description:
      'A personal access token assigned to a name that is or ends in `pat` (`PAT=…`, `AZURE_DEVOPS_PAT: …`, `"pat": "…"`): Azure DevOps PATs (52 lower-case base32/alphanumerics) and others have no prefix, and `pat` is not among gitleaks\' generic keywords. 20+ characters, entropy-gated, generic-api-key\'s allowlists.',
    regex: String.raw`(?i)(?:\b|_)pat["'\x60]?[ \t]{0,3}(?:=|:=|=>|:)[ \t]{0,3}["'\x60]?([A-Za-z0-9_.~+/=-]{20,256})(?:[^A-Za-z0-9_.~+/=-]|$)`,
    keywords: ['pat'],
    entropy: 3.5,
    allowlists: [],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'secret-in-prose-named',
    description:
      'A credential in prose with a few words between the noun and the verb: "the password for the admin account is …", "the token you need: …", "das Passwort für den Server ist …". Kept apart from secret-in-context (whose prose alternative is one noun then the verb) so its head — the noun, a connector word, a space — rules out almost every occurrence of `key` or `token` at once: the prefix closure of the general form was ~400 times as costly per question. Entropy-gated; the value is 12+ characters, not letters alone, not a URL.',
    regex: String.raw`(?i)\b(?:token|key|secret|password|passphrase|credentials?|passwort|kennwort|wachtwoord|jeton|clave|senha|chiave)[ \t](?:for|of|to|you|we|f(?:ü|ue|u)r|pour|para|per|voor)[ \t](?:(?:the|our|your|my|this|that|den|die|das|le|la|el|de|het)[ \t])?[a-z0-9-]{2,16}(?:[ \t][a-z0-9-]{2,16})?(?:[ \t](?:is|was|are|lautet|ist|est|es|è|é|is)[ \t]{1,2}:?|[ \t]?:)[ \t]{0,2}["'\x60]?([A-Za-z0-9][A-Za-z0-9_+/=.~$!%:*#@^?-]{11,127})(?:[^A-Za-z0-9_+/=.~$!%:*#@^?-]|$)`,
    keywords: [
      'token',
      'key',
      'secret',
      'password',
      'passphrase',
      'credential',
      'passwort',
      'kennwort',
      'wachtwoord',
      'jeton',
      'clave',
      'senha',
      'chiave',
    ],
    entropy: 3,
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        regexes: ['://', '^[A-Za-z_.:-]+$', '^[a-z]{3,}(?:[_-][a-z]{2,})+(?:[_-]?[0-9]{1,4})?$'],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'secret-assignment-mixed',
    description:
      'A value with letters of both cases, a digit and a symbol (a generated password or secret: `CLIENT_SECRET=XZ3=Q@nk…`, `JWT_SECRET: "a8#Lq…"`) assigned to a name that ends in a secret word; gitleaks\' generic-api-key refuses symbols outside [\\w.=-] and password-assignment takes password names only. 12-128 characters, no quote, bracket or `$`/`{`/`<` reference, entropy > 3.5, generic-api-key\'s allowlists.',
    regex: String.raw`(?i)(?:secret|token|api[_-]?key|private[_-]?key|access[_-]?key|passphrase|pass)["'\x60]?[ \t]{0,3}(?:=|:=|=>|:[ \t])[ \t]{0,3}["'\x60]?((?-i:[A-Za-z0-9!#%&*+,./:;=?@^_|~-]){12,128})(?:[\s"'\x60]|$)`,
    keywords: ['secret', 'token', 'key', 'passphrase', 'pass'],
    entropy: 3.5,
    allowlists: [
      {
        // all four classes: upper, lower, digit and a symbol (a name, a path, a URL, a number have fewer)
        condition: 'OR',
        regexTarget: 'secret',
        regexes: [
          '^[^A-Z]*$',
          '^[^a-z]*$',
          '^[^0-9]*$',
          '^[A-Za-z0-9_.-]*$',
          '://',
          String.raw`^[\w.-]*:?[\w.-]*(?:/[\w.-]+){2,}/?$`,
        ],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
    allowlistsOf: 'generic-api-key',
  },
  {
    id: 'sentry-org-token-any',
    description:
      "Sentry organization auth token (sntrys_ + base64 of its JSON claims + _ + secret): gitleaks' sentry-org-token wants the claims to contain region_url at a fixed place; any sntrys_eyJ… run is taken here.",
    regex: String.raw`\b(sntrys_eyJ[A-Za-z0-9+/=_-]{40,600})(?:[^A-Za-z0-9+/=_-]|$)`,
    keywords: ['sntrys_'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'lark-feishu-bot-webhook-url',
    description:
      'Feishu / Lark custom bot webhook URL (open.feishu.cn or open.larksuite.com /open-apis/bot/v2/hook/<uuid>): the hook id lets anyone post to the group.',
    regex: String.raw`(?i)open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[^0-9a-f-]|$)`,
    keywords: ['open-apis/bot/'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'ifttt-webhook-key',
    description:
      'IFTTT Webhooks service key in a trigger URL (maker.ifttt.com/trigger/<event>/with/key/<key>, /json/with/key/, maker.ifttt.com/use/<key>).',
    regex: String.raw`(?i)maker\.ifttt\.com/(?:trigger/[\w.-]{1,100}/(?:json/)?with/key|use)/([A-Za-z0-9_-]{20,43})(?:[^A-Za-z0-9_-]|$)`,
    keywords: ['maker.ifttt.com/'],
    entropy: 3,
    allowlists: [],
  },
  {
    id: 'webhook-url-generic',
    description:
      "Any https webhook URL, whatever the provider: a path through `/hook/`, `/hooks/`, `/webhook/`, `/webhooks/` or Slack-style `/services/` whose later segment is a long random run (20-128 of [A-Za-z0-9_-], a digit and a letter, entropy > 3.5) — the path is the credential (Slack, Discord, Mattermost, Rocket.Chat, Teams, Feishu and their look-alikes); or such a URL's `token` / `key` / `secret` / `sig` query parameter. Provider webhook rules name theirs; this one generalises to providers no rule names.",
    regex: String.raw`(?i)\bhttps://[a-z0-9.-]{3,100}(?::[0-9]{2,5})?/(?:[\w.~%-]{1,60}/){0,4}(?:hooks?|webhooks?|services)/(?:(?:[\w.~%-]{1,60}/){0,5}([A-Za-z0-9_-]{20,128})(?:[^A-Za-z0-9_-]|$)|[\w.~%/-]{0,200}\?(?:[\w.~%-]{1,40}=[\w.~%-]{0,100}&){0,4}(?:token|key|secret|sig|signature|access_token|api_key|auth)=([A-Za-z0-9_%.~+/=-]{16,256})(?:[^A-Za-z0-9_%.~+/=-]|$))`,
    keywords: ['https://'],
    entropy: 3.5,
    allowlists: [
      {
        condition: 'OR',
        regexTarget: 'secret',
        regexes: ['^[^0-9]*$', '^[^A-Za-z]*$', '^[a-z]{2,}(?:[_-][a-z0-9]+)+$'],
        stopwords: [],
        paths: [],
        commits: [],
      },
    ],
    allowlistsOf: 'generic-api-key',
  },
];
