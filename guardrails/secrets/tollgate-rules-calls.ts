// Tollgate rules of the fourth pass (issue 11): a credential with no prefix passed as an ARGUMENT of a call whose
// callee or receiver says what it is — `mailgun.NewMailgun(domain, "…")`, `option.WithAPIKey("…")`,
// `new TwilioClient("…")`, `Client::with_api_key("…")`, `$client->setAuthToken('…')` — in Go, Java, C#, Rust, Kotlin,
// Swift, Ruby and PHP call syntax. Gitleaks' generic rules need a secret-named variable or key before the value; a
// call names the credential through its function instead. The design is in guardrails/README.md ("Credentials passed
// as call arguments"); the measurement is guardrails/eval/secrets-calls.ts (written first, split by provider).
import { readFileSync } from 'node:fs';
import type { GitleaksAllowlist, GitleaksRule } from './types.ts';

/** Credential nouns and verbs: a callee naming one of these takes a credential (strong context). */
export const CREDENTIAL_WORDS = ['token', 'secret', 'apikey', 'api_key', 'auth', 'bearer', 'cred', 'passw', 'key'];
/** Client construction words: the argument may be a credential, or an id or digest (weak context). */
export const CLIENT_WORDS = ['client', 'new', 'api', 'login', 'session', 'connect', 'sdk'];

/**
 * Words too common in code to name a provider (they would be callees of ordinary code): left out of the provider list
 * the rulesets' own data gives.
 */
const NOT_A_PROVIDER = new Set([
  'generic',
  'private',
  'defined',
  'readme',
  'kubernetes',
  'credentials',
  'column',
  'float',
  'frame',
  'front',
  'humanity',
  'enigma',
  'impala',
  'magnetic',
  'moderation',
  'notify',
  'monday',
  'django',
  'mysql',
  'postgres',
  'odbc',
  'netrc',
  'pwhash',
  'harness',
  'square',
  'linear',
  'notion',
  'vault',
  'octopus',
  'prefect',
  'chatbot',
  'ditto',
  'debounce',
  'envoy',
  'eraser',
  'holistic',
  'hunter',
  'nimble',
  'polygon',
  'courier',
  'delighted',
  'geocode',
  'moderation',
  'ionic',
  'float',
  'guardian',
  'cicero',
  'dandelion',
  'fulcrum',
  'getemail',
  'noticeable',
]);

/**
 * Provider names, from the adopted rulesets' own data: the provider part of every gitleaks rule id
 * (`mailgun-private-api-token` -> mailgun) and of every kingfisher rule id (`kingfisher.twilio.1` -> twilio); lower
 * case letters only, 5-16 characters, common words left out.
 */
export function providerNames(): string[] {
  const read = (p: string) =>
    JSON.parse(readFileSync(new URL(p, import.meta.url), 'utf8')) as { rules: { id: string }[] };
  const names = new Set<string>();
  for (const r of read('./gitleaks/rules.json').rules) names.add(r.id.split('-')[0] ?? '');
  for (const r of read('./kingfisher/rules.json').rules) names.add(r.id.split('.')[1] ?? '');
  return [...names].filter((n) => /^[a-z]{5,16}$/.test(n) && !NOT_A_PROVIDER.has(n)).sort();
}

// The call: an identifier holding a keyword, up to three more segments (`.`, `::`, `->`, `\`), generic arguments or
// a macro `!`, `(`; up to three earlier arguments (names, numbers, calls without nested parentheses, short string
// literals), an optional array / map
// opener and argument label (`apiKey:`, `token =`, `'token' =>`), a string prefix (`@`, `r#`, `[]byte(`), and the
// literal. The literal's alphabet has no `.`, `:` or space: domains, paths with extensions, URLs, messages and i18n
// keys are earlier arguments, never the value.
// The first identifier holding a keyword is called directly (`SetAuthToken(`) or is the first of up to four segments
// (`mailgun.NewClient(`, `Twilio::REST::Client.new(`, `\\Cloudflare\\API\\Auth\\APIToken(`): two alternatives, so that
// the pattern's head (head.ts, 48 characters) reaches the `(` or the separator after the keyword's identifier and a
// keyword in prose (`the new key in`) is ruled out by one short search.
const callee = (words: string, providers = '') => {
  const id = String.raw`(?:\w{0,10}(?:${words})${providers === '' ? '' : `|(?:${providers})`})\w{0,18}`;
  const sep = String.raw`(?:\.|::|->|\\)`;
  return String.raw`\b(?:${id}[ \t]{0,2}\(|${id}${sep}(?:\$?\w{1,40}${sep}){0,2}\$?\w{1,40}(?:<[\w.,: ]{0,40}>|!)?[ \t]{0,2}\()`;
};
const ARGS = String.raw`(?:[ \t\r\n]{0,8}(?:[\w.$&*>:-]{1,60}(?:\([^()\r\n]{0,60}\))?|"[^"\r\n]{0,100}"|'[^'\r\n]{0,100}')[ \t]{0,2},){0,3}?`;
const OPEN = String.raw`[ \t\r\n]{0,8}(?:\[|\{|array\()?[ \t\r\n]{0,8}(?:["']?[A-Za-z_]\w{0,30}["']?[ \t]{0,2}(?:=>|:=|=|:)[ \t]{0,2})?(?:\[\]byte\(|@|r#?)?`;
const VALUE = String.raw`["'\x60]([A-Za-z0-9_+/=-]{16,128})["'\x60]`;

/** The final callee is a lookup, a check or a conversion: its literal is an id, a digest, a fixture or a message. */
const NOT_A_CREDENTIAL_CALL: GitleaksAllowlist = {
  condition: 'OR',
  regexTarget: 'match',
  regexes: [
    String.raw`(?i)(?:^|\W)(?:get|find|fetch|lookup|load|read|open|parse|decode|encode|checkout|verify|validate|assert|expect|translate|locali[sz]|format|print|log)\w*(?:<[^>]{0,40}>)?[ \t]*\(`,
    String.raw`(?i)(?:digest|hash|checksum|sha\d*|md5|revision|commit|base64|reader|buffer|equal|i18n|path|file|url|uri|string|bytes)\w*(?:<[^>]{0,40}>)?[ \t]*\(`,
  ],
  stopwords: [],
  paths: [],
  commits: [],
};

/** A value with no digit or no letter, a path, or an identifier (`auth_token_expired`) is not a credential. */
const NOT_RANDOM: GitleaksAllowlist = {
  condition: 'OR',
  regexTarget: 'secret',
  regexes: ['^[^0-9]*$', '^[^A-Za-z]*$', '^/', '^(?:[a-z0-9_-]+/){2,}[a-z0-9_-]*$', '^[a-z]{2,}(?:[_-][a-z0-9]+)+$'],
  stopwords: [],
  paths: [],
  commits: [],
};

/** Weak context only: a hex run (a SHA, a digest) or a UUID is an id unless the call names a credential. */
const HASH_OR_UUID: GitleaksAllowlist = {
  condition: 'OR',
  regexTarget: 'secret',
  regexes: ['^[0-9a-fA-F]+$', '^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$'],
  stopwords: [],
  paths: [],
  commits: [],
};

export function callRules(providers: readonly string[] = providerNames()): GitleaksRule[] {
  const strong = [...CREDENTIAL_WORDS, ...providers];
  // a provider name starts an identifier (`mailgun.`, `MailgunClient`, `\\Mailgun\\`); a credential word may sit
  // inside one (`SetAuthToken`, `WithAPIKey`)
  return [
    {
      id: 'credential-call-argument',
      description:
        "A random-looking literal (16-128 of [A-Za-z0-9_+/=-], a digit and a letter, entropy > 3) passed as an argument of a call whose callee or receiver names a credential (token, secret, apikey, auth, bearer, cred, passw, key) or a provider of the adopted rulesets (gitleaks' and kingfisher's rule ids): `mailgun.NewMailgun(domain, \"…\")`, `WithAPIKey(\"…\")`, `setAuthToken('…')`. Lookup, check and conversion callees (Get, Find, Checkout, Verify, Digest, Hash, Decode, …) are left alone; generic-api-key's allowlists.",
      regex: `(?i)${callee(CREDENTIAL_WORDS.join('|'), providers.join('|'))}${ARGS}${OPEN}${VALUE}`,
      keywords: strong,
      entropy: 3,
      allowlists: [NOT_A_CREDENTIAL_CALL, NOT_RANDOM],
      allowlistsOf: 'generic-api-key',
    },
    {
      id: 'client-call-argument',
      description:
        "The same call shape where the callee only says it builds a client or a session (NewClient, New, Api, Login, Session, Connect, Sdk): weaker context, so a hex run (a SHA, a digest) or a UUID is left alone and the entropy bar is gitleaks' generic 3.5.",
      regex: `(?i)${callee(CLIENT_WORDS.join('|'))}${ARGS}${OPEN}${VALUE}`,
      keywords: CLIENT_WORDS,
      entropy: 3.5,
      allowlists: [NOT_A_CREDENTIAL_CALL, NOT_RANDOM, HASH_OR_UUID],
      allowlistsOf: 'generic-api-key',
    },
  ];
}
