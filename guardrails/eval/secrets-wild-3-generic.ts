// secrets-wild-3.ts, part two: generic assignments (a credential behind a secret-like name, no provider prefix),
// credentials in prose in several languages, and the look-alikes (placeholders, `xxxx`, `EXAMPLE`, `<your-key>`,
// hashes, UUIDs without secret context, version strings, secret-like names with non-secret values, prose about
// credentials without one). Values are random from a seed.
import type { LookalikeSample } from './secrets-corpus.ts';
import { AN, ANL, B64, DIG, HEX, LO, UP, URLSAFE, type W } from './secrets-wild-extra.ts';

type Half = 'tune' | 'held';

export interface Generic {
  source: string;
  /** Env-style names; carriers derive the snake / camel spelling. */
  names: string[];
  make(w: W): string;
}
const g = (source: string, names: string[], make: (w: W) => string): Generic => ({ source, names, make });

/** Value shapes seen behind generic names: lower hex, mixed alnum, base64, url-safe, lower alnum, upper, symbols. */
const SHAPES: ((w: W) => string)[] = [
  (w) => w.hex(32),
  (w) => w.hex(40),
  (w) => w.hex(64),
  (w) => w.an(32),
  (w) => w.an(40),
  (w) => w.an(20),
  (w) => w.an(64),
  (w) => w.b64(32),
  (w) => w.an(43, URLSAFE),
  (w) => w.an(32, ANL),
  (w) => w.an(24, UP + DIG),
  (w) => w.an(18, `${AN}!@#%^&*-_+=`),
];
const any = (w: W): string => (w.pick(SHAPES) as (w: W) => string)(w);
const mix = (own: (w: W) => string) => (w: W) => (w.int(2) === 0 ? own(w) : any(w));

export const GENERIC: Generic[] = [
  g(
    'api-key',
    ['API_KEY', 'SERVICE_API_KEY', 'PARTNER_API_KEY'],
    mix((w) => w.an(32)),
  ),
  g(
    'secret',
    ['SECRET', 'APP_SECRET', 'SHARED_SECRET'],
    mix((w) => w.hex(40)),
  ),
  g(
    'client-secret',
    ['CLIENT_SECRET', 'OAUTH_CLIENT_SECRET', 'KEYCLOAK_CLIENT_SECRET'],
    mix((w) => w.an(32)),
  ),
  g(
    'token-env',
    ['SERVICE_TOKEN', 'BOT_TOKEN', 'DEPLOY_TOKEN', 'REGISTRY_TOKEN'],
    mix((w) => w.an(40)),
  ),
  g(
    'auth-token',
    ['AUTH_TOKEN', 'X_AUTH_TOKEN', 'INTERNAL_AUTH_TOKEN'],
    mix((w) => w.an(32, ANL)),
  ),
  g(
    'access-key',
    ['ACCESS_KEY', 'STORAGE_ACCESS_KEY', 'MINIO_SECRET_KEY'],
    mix((w) => w.an(40, B64)),
  ),
  g(
    'signing-key',
    ['SIGNING_KEY', 'HMAC_SECRET', 'WEBHOOK_SIGNING_SECRET'],
    mix((w) => w.hex(64)),
  ),
  g(
    'encryption-key',
    ['ENCRYPTION_KEY', 'DATA_ENCRYPTION_KEY', 'AES_KEY'],
    mix((w) => w.b64(32)),
  ),
  g(
    'jwt-secret',
    ['JWT_SECRET', 'JWT_SIGNING_KEY', 'SESSION_SECRET'],
    mix((w) => w.an(48, `${AN}-_`)),
  ),
  g(
    'password',
    ['DB_PASSWORD', 'POSTGRES_PASSWORD', 'ADMIN_PASS', 'SMTP_PASSWD'],
    mix((w) => w.an(16, `${AN}!@#$%^&*`)),
  ),
  g(
    'api-token',
    ['API_TOKEN', 'REST_API_TOKEN', 'CMS_API_TOKEN'],
    mix((w) => w.an(64)),
  ),
  g('secret-key', ['SECRET_KEY', 'DJANGO_SECRET_KEY', 'RAILS_SECRET_KEY_BASE'], (w) =>
    w.an(50, `${LO}${DIG}!@#$%^&*(-_=+)`),
  ),
  g(
    'private-token',
    ['PRIVATE_TOKEN', 'PERSONAL_ACCESS_TOKEN', 'PAT'],
    mix((w) => w.an(40, URLSAFE)),
  ),
  g(
    'master-key',
    ['MASTER_KEY', 'MEILI_MASTER_KEY', 'ADMIN_KEY'],
    mix((w) => w.hex(32)),
  ),
  g(
    'consumer-secret',
    ['CONSUMER_SECRET', 'APP_KEY_SECRET', 'API_SECRET'],
    mix((w) => w.an(50)),
  ),
  g(
    'subscription-key',
    ['SUBSCRIPTION_KEY', 'OCP_APIM_SUBSCRIPTION_KEY', 'LICENSE_KEY'],
    mix((w) => w.hex(32)),
  ),
  g(
    'access-token',
    ['ACCESS_TOKEN', 'OAUTH_ACCESS_TOKEN', 'REFRESH_TOKEN'],
    mix((w) => w.an(64, URLSAFE)),
  ),
  g('credentials', ['CREDENTIALS', 'SERVICE_CREDENTIALS', 'BASIC_AUTH_CREDENTIALS'], (w) => w.b64(30)),
  g(
    'write-key',
    ['WRITE_KEY', 'INGEST_KEY', 'SDK_KEY'],
    mix((w) => w.an(32)),
  ),
  g(
    'passphrase',
    ['PASSPHRASE', 'GPG_PASSPHRASE', 'KEYSTORE_PASSWORD'],
    mix((w) => w.an(20, `${AN}!#%+-`)),
  ),
];

/** Prose: a phrasing per source (language and verb), split 50/50 over sources like the providers. */
export interface Prose {
  source: string;
  text(v: string): string;
}
const p = (source: string, text: (v: string) => string): Prose => ({ source, text });

export const PROSE: Prose[] = [
  p('en-password-is', (v) => `The password is ${v} — change it after the first login.`),
  p('en-use-this-key', (v) => `Use this key: ${v}`),
  p('en-here-is-token', (v) => `Here's the token you need: ${v}`),
  p('en-my-api-key', (v) => `my api key is ${v} but it keeps returning 403`),
  p('en-secret-for', (v) => `The secret for the staging webhook is ${v}.`),
  p('en-new-password', (v) => `Done, I reset it. New password: ${v}`),
  p('en-try-with', (v) => `Try again with the token ${v} and tell me what you get.`),
  p('en-credentials-are', (v) => `Credentials are admin / ${v} for now.`),
  p('en-set-to', (v) => `I've set the API key to ${v} in the dashboard.`),
  p('en-pass-colon', (v) => `user: deploy, pass: ${v}`),
  p('de-passwort-ist', (v) => `Das Passwort ist ${v}, bitte nicht weitergeben.`),
  p('de-schluessel-lautet', (v) => `Der API-Schlüssel lautet ${v}.`),
  p('de-token', (v) => `Mein Token ist ${v} und läuft morgen ab.`),
  p('de-kennwort', (v) => `Kennwort: ${v}`),
  p('fr-mot-de-passe', (v) => `Le mot de passe est ${v}, à changer rapidement.`),
  p('fr-cle-api', (v) => `Voici la clé API : ${v}`),
  p('fr-jeton', (v) => `Utilise ce jeton : ${v}`),
  p('es-contrasena', (v) => `La contraseña es ${v}.`),
  p('es-clave', (v) => `Usa esta clave: ${v} para entrar.`),
  p('es-token', (v) => `Mi token es ${v}, ¿me ayudas?`),
  p('it-password', (v) => `La password è ${v}`),
  p('it-chiave', (v) => `Usa questa chiave API: ${v}`),
  p('pt-senha', (v) => `A senha é ${v}, não compartilhe.`),
  p('pt-chave', (v) => `A chave da API é ${v}.`),
  p('nl-wachtwoord', (v) => `Het wachtwoord is ${v}.`),
  p('nl-sleutel', (v) => `Gebruik deze sleutel: ${v}`),
  p('pl-haslo', (v) => `Hasło to ${v}, zmień je po zalogowaniu.`),
  p('en-the-key-is-quoted', (v) => `the key is "${v}" (staging only)`),
];

export function lookalikes3(w: W, half: Half): LookalikeSample[] {
  const L = (source: string, text: string): LookalikeSample => ({ source, text });
  const kinds: [string, () => string[]][] = [
    [
      'placeholder',
      () => [
        `API_KEY=your-api-key-here\nSECRET=<your-secret>`,
        `"client_secret": "REPLACE_ME"`,
        `export OPENAI_API_KEY="sk-..."`,
        `token: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
        `DB_PASSWORD=changeme`,
      ],
    ],
    [
      'docs-example',
      () => [
        `aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
        `SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`,
        `api_key: EXAMPLE_KEY_1234`,
        `Authorization: Bearer <token>`,
      ],
    ],
    [
      'template-ref',
      () => [
        `API_TOKEN: \${{ secrets.API_TOKEN }}`,
        `password: "{{ vault_db_password }}"`,
        `client_secret = var.client_secret`,
        `SECRET_KEY=\${SECRET_KEY:?missing}`,
        `valueFrom:\n  secretKeyRef:\n    name: api-credentials\n    key: token`,
      ],
    ],
    [
      'hash',
      () => [
        `sha256: ${w.hex(64)}`,
        `md5sum ${w.hex(32)}  release.tar.gz`,
        `"checksum": "${w.hex(40)}"`,
        `ETag: "${w.hex(32)}"`,
      ],
    ],
    [
      'uuid-no-context',
      () => [
        `request_id=${w.uuid()} status=200`,
        `"traceId": "${w.hex(32)}", "spanId": "${w.hex(16)}"`,
        `uid: ${w.uuid()}`,
        `Order ${w.uuid()} shipped.`,
      ],
    ],
    [
      'version',
      () => [
        `image: ghcr.io/acme/api:v${w.int(9)}.${w.int(30)}.${w.int(20)}-rc.1+build.${w.digits(4)}`,
        `"version": "${w.int(9)}.${w.int(30)}.${w.int(20)}"`,
        `kubectl version --client # v1.31.${w.int(9)}`,
        `go 1.23.${w.int(9)} toolchain go1.23.${w.int(9)}`,
      ],
    ],
    [
      'secret-name-plain-value',
      () => [
        `token_type: bearer\nexpires_in: 3600`,
        `secret_name: db-credentials`,
        `api_key_header: X-API-Key`,
        `PASSWORD_MIN_LENGTH=12`,
        `"auth_token_ttl": 86400`,
      ],
    ],
    [
      'prose-no-value',
      () => [
        'The password is stored in Vault and rotated weekly.',
        'Use this key to sign the release, not the old one.',
        'Das Passwort ist zu kurz.',
        'Le mot de passe est incorrect.',
        'La contraseña es obligatoria.',
      ],
    ],
    [
      'public-id',
      () => [
        `AZURE_TENANT_ID=${w.uuid()}`,
        `key_id: ${w.hex(16)}`,
        `"kid": "${w.an(22, URLSAFE)}"`,
        `GOOGLE_CLIENT_ID=${w.digits(12)}-${w.an(32, ANL)}.apps.googleusercontent.com`,
      ],
    ],
    [
      'encoded-data',
      () => [
        `<img src="data:image/png;base64,${w.b64(120)}">`,
        `"integrity": "sha384-${w.b64(48)}"`,
        `color: #${w.s(HEX, 6)}; background: #${w.s(HEX, 6)};`,
        `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${w.s(B64, 43)} ops@bastion`,
      ],
    ],
  ];
  return kinds
    .filter((_, i) => (i % 2 === 0 ? 'tune' : 'held') === half)
    .flatMap(([source, make]) => make().map((t) => L(source, t)));
}
