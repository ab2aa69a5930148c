// An independent labelled set for secret redaction, built from each provider's DOCUMENTED token format (vendor docs,
// changelogs: GitHub's 2021 token-format post, GitLab's token prefixes, Slack, Stripe, AWS IAM, Google API keys,
// Azure, Twilio, SendGrid, npm, PyPI macaroons, Docker Hub PATs, Vault, Doppler, Terraform Cloud, Shopify, chat
// webhooks…), never from the rules under test, embedded in realistic text (code in many languages, config files,
// logs, chat answers, shell sessions) — and realistic look-alikes (docs examples, placeholders, hashes, UUIDs,
// base64 of ordinary text, test fixtures, code that names secrets without holding one).
//
// Two splits. `dev` may be looked at while changing rules; `holdout` uses other carrier texts, other look-alike
// shapes and another seed, and is only ever reported as figures (never its samples), so it estimates how the
// detectors do on text nobody tuned them on. Tokens are random at run time: no real secret is committed.
import { generateKey } from '../../api/keys.ts';
import { rng } from './generate.ts';
import { lookalikeDev } from './lookalikes.ts';

export type Split = 'dev' | 'holdout';

export interface SecretSample {
  /** Provider format (the "source" figures are reported by). */
  source: string;
  family: string;
  text: string;
  /** The credential that must not survive redaction. */
  secret: string;
}

export interface LookalikeSample {
  source: string;
  text: string;
}

const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LO = 'abcdefghijklmnopqrstuvwxyz';
const DIG = '0123456789';
const AN = UP + LO + DIG;
const HEX = '0123456789abcdef';
const B32 = `${UP}234567`;

class G {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  s(alpha: string, n: number): string {
    let o = '';
    for (let i = 0; i < n; i++) o += alpha[this.int(alpha.length)];
    return o;
  }
  an(n: number): string {
    for (;;) {
      const x = this.s(AN, n);
      if (/[a-z]/.test(x) && /[A-Z]/.test(x) && /\d/.test(x)) return x;
    }
  }
  hex(n: number): string {
    return this.s(HEX, n);
  }
  digits(n: number): string {
    return this.pick('123456789'.split('')) + this.s(DIG, n - 1);
  }
  b64(bytes: number): string {
    return Buffer.from(Array.from({ length: bytes }, () => this.int(256))).toString('base64');
  }
  b64url(bytes: number): string {
    return Buffer.from(Array.from({ length: bytes }, () => this.int(256))).toString('base64url');
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  word(): string {
    return this.pick([
      'orders',
      'billing',
      'deploy',
      'payments',
      'search',
      'analytics',
      'backend',
      'infra',
      'mobile',
      'reports',
    ]);
  }
}

/** A credential in its documented format, with the env var / setting name people give it. */
interface Format {
  source: string;
  family:
    | 'cloud'
    | 'vcs-ci'
    | 'saas'
    | 'secret-manager'
    | 'chat-webhook'
    | 'ai'
    | 'registry'
    | 'curl'
    | 'generic'
    | 'tollgate';
  env: string;
  make(g: G): string;
  /** A whole line that carries the credential (curl, URLs) instead of `ENV=value`. */
  carrier?(g: G, secret: string): string;
}

const FORMATS: Format[] = [
  // cloud
  {
    source: 'aws-access-key-id',
    family: 'cloud',
    env: 'AWS_ACCESS_KEY_ID',
    make: (g) => `${g.pick(['AKIA', 'ASIA'])}${g.s(B32, 16)}`,
  },
  { source: 'aws-secret-access-key', family: 'cloud', env: 'aws_secret_access_key', make: (g) => g.b64(30) },
  { source: 'gcp-api-key', family: 'cloud', env: 'GOOGLE_API_KEY', make: (g) => `AIza${g.s(`${AN}-_`, 35)}` },
  {
    source: 'gcp-oauth-client-secret',
    family: 'cloud',
    env: 'GOOGLE_CLIENT_SECRET',
    make: (g) => `GOCSPX-${g.s(`${AN}-_`, 28)}`,
  },
  {
    source: 'azure-storage-connection-string',
    family: 'cloud',
    env: 'AZURE_STORAGE_CONNECTION_STRING',
    make: (g) => g.b64(64),
    carrier: (g, s) =>
      `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=${g.word()}store;AccountKey=${s};EndpointSuffix=core.windows.net"`,
  },
  {
    source: 'azure-ad-client-secret',
    family: 'cloud',
    env: 'AZURE_CLIENT_SECRET',
    make: (g) => `${g.s(AN, 3)}${g.s(DIG, 1)}Q~${g.s(`${AN}_~.-`, 34)}`,
  },
  { source: 'digitalocean-token', family: 'cloud', env: 'DIGITALOCEAN_TOKEN', make: (g) => `dop_v1_${g.hex(64)}` },
  {
    source: 'alibaba-access-key-id',
    family: 'cloud',
    env: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    make: (g) => `LTAI${g.an(20)}`,
  },
  // version control, CI, registries
  { source: 'github-pat-classic', family: 'vcs-ci', env: 'GITHUB_TOKEN', make: (g) => `ghp_${g.an(36)}` },
  {
    source: 'github-fine-grained-pat',
    family: 'vcs-ci',
    env: 'GH_TOKEN',
    make: (g) => `github_pat_11${g.s(`${UP}${DIG}`, 20)}_${g.an(59)}`,
  },
  { source: 'github-app-installation-token', family: 'vcs-ci', env: 'GITHUB_TOKEN', make: (g) => `ghs_${g.an(36)}` },
  { source: 'github-oauth-token', family: 'vcs-ci', env: 'GITHUB_OAUTH_TOKEN', make: (g) => `gho_${g.an(36)}` },
  { source: 'gitlab-pat', family: 'vcs-ci', env: 'GITLAB_TOKEN', make: (g) => `glpat-${g.s(`${AN}_-`, 20)}` },
  { source: 'gitlab-runner-token', family: 'vcs-ci', env: 'RUNNER_TOKEN', make: (g) => `glrt-${g.s(`${AN}_-`, 20)}` },
  {
    source: 'gitlab-deploy-token',
    family: 'vcs-ci',
    env: 'CI_DEPLOY_PASSWORD',
    make: (g) => `gldt-${g.s(`${AN}_-`, 20)}`,
  },
  { source: 'npm-token', family: 'registry', env: 'NPM_TOKEN', make: (g) => `npm_${g.an(36)}` },
  {
    source: 'pypi-token',
    family: 'registry',
    env: 'TWINE_PASSWORD',
    make: (g) => `pypi-AgEIcHlwaS5vcmc${g.s(`${AN}-_`, 150)}`,
  },
  {
    source: 'docker-hub-pat',
    family: 'registry',
    env: 'DOCKERHUB_TOKEN',
    make: (g) => `dckr_pat_${g.s(`${AN}-_`, 27)}`,
  },
  { source: 'huggingface-token', family: 'ai', env: 'HF_TOKEN', make: (g) => `hf_${g.s(UP + LO, 34)}` },
  // SaaS
  {
    source: 'slack-bot-token',
    family: 'saas',
    env: 'SLACK_BOT_TOKEN',
    make: (g) => `xoxb-${g.digits(12)}-${g.digits(13)}-${g.an(24)}`,
  },
  {
    source: 'slack-user-token',
    family: 'saas',
    env: 'SLACK_USER_TOKEN',
    make: (g) => `xoxp-${g.digits(12)}-${g.digits(12)}-${g.digits(13)}-${g.hex(32)}`,
  },
  {
    source: 'slack-app-token',
    family: 'saas',
    env: 'SLACK_APP_TOKEN',
    make: (g) => `xapp-1-A${g.s(`${UP}${DIG}`, 10)}-${g.digits(13)}-${g.hex(64)}`,
  },
  { source: 'stripe-secret-key', family: 'saas', env: 'STRIPE_SECRET_KEY', make: (g) => `sk_live_51${g.an(97)}` },
  { source: 'stripe-restricted-key', family: 'saas', env: 'STRIPE_API_KEY', make: (g) => `rk_live_51${g.an(97)}` },
  { source: 'stripe-webhook-secret', family: 'saas', env: 'STRIPE_WEBHOOK_SECRET', make: (g) => `whsec_${g.an(32)}` },
  { source: 'twilio-api-key', family: 'saas', env: 'TWILIO_API_KEY', make: (g) => `SK${g.hex(32)}` },
  {
    source: 'sendgrid-api-key',
    family: 'saas',
    env: 'SENDGRID_API_KEY',
    make: (g) => `SG.${g.s(`${AN}-_`, 22)}.${g.s(`${AN}-_`, 43)}`,
  },
  { source: 'shopify-admin-token', family: 'saas', env: 'SHOPIFY_ACCESS_TOKEN', make: (g) => `shpat_${g.hex(32)}` },
  { source: 'mailgun-api-key', family: 'saas', env: 'MAILGUN_API_KEY', make: (g) => `key-${g.hex(32)}` },
  {
    source: 'atlassian-api-token',
    family: 'saas',
    env: 'JIRA_API_TOKEN',
    make: (g) => `ATATT3xFfGF0${g.s(`${AN}-_`, 171)}=${g.s(HEX.toUpperCase(), 8)}`,
  },
  { source: 'linear-api-key', family: 'saas', env: 'LINEAR_API_KEY', make: (g) => `lin_api_${g.an(40)}` },
  { source: 'postman-api-key', family: 'saas', env: 'POSTMAN_API_KEY', make: (g) => `PMAK-${g.hex(24)}-${g.hex(34)}` },
  {
    source: 'new-relic-user-key',
    family: 'saas',
    env: 'NEW_RELIC_API_KEY',
    make: (g) => `NRAK-${g.s(`${UP}${DIG}`, 27)}`,
  },
  { source: 'databricks-token', family: 'saas', env: 'DATABRICKS_TOKEN', make: (g) => `dapi${g.hex(32)}` },
  // secret managers
  {
    source: 'vault-service-token',
    family: 'secret-manager',
    env: 'VAULT_TOKEN',
    make: (g) => `hvs.${g.s(`${AN}_-`, 91)}`,
  },
  {
    source: 'vault-batch-token',
    family: 'secret-manager',
    env: 'VAULT_TOKEN',
    make: (g) => `hvb.${g.s(`${AN}_-`, 138)}`,
  },
  {
    source: 'doppler-service-token',
    family: 'secret-manager',
    env: 'DOPPLER_TOKEN',
    make: (g) => `dp.st.${g.pick(['dev', 'prd', 'stg'])}.${g.an(40)}`,
  },
  {
    source: 'doppler-personal-token',
    family: 'secret-manager',
    env: 'DOPPLER_TOKEN',
    make: (g) => `dp.pt.${g.an(43)}`,
  },
  {
    source: 'terraform-cloud-token',
    family: 'secret-manager',
    env: 'TFE_TOKEN',
    make: (g) => `${g.an(14)}.atlasv1.${g.s(`${AN}-_`, 67)}`,
  },
  {
    source: '1password-service-account',
    family: 'secret-manager',
    env: 'OP_SERVICE_ACCOUNT_TOKEN',
    make: (g) => `ops_eyJ${g.s(`${AN}+/`, 600)}`,
  },
  // AI providers
  {
    source: 'openai-project-key',
    family: 'ai',
    env: 'OPENAI_API_KEY',
    make: (g) => `sk-proj-${g.s(`${AN}_-`, 74)}T3BlbkFJ${g.s(`${AN}_-`, 74)}`,
  },
  {
    source: 'anthropic-api-key',
    family: 'ai',
    env: 'ANTHROPIC_API_KEY',
    make: (g) => `sk-ant-api03-${g.s(`${AN}_-`, 93)}AA`,
  },
  // chat webhooks
  {
    source: 'slack-webhook',
    family: 'chat-webhook',
    env: 'SLACK_WEBHOOK_URL',
    make: (g) => `https://hooks.slack.com/services/T${g.s(UP + DIG, 10)}/B${g.s(UP + DIG, 10)}/${g.an(24)}`,
  },
  {
    source: 'discord-webhook',
    family: 'chat-webhook',
    env: 'DISCORD_WEBHOOK_URL',
    make: (g) => `https://discord.com/api/webhooks/${g.digits(19)}/${g.s(`${AN}-_`, 68)}`,
  },
  {
    source: 'teams-webhook',
    family: 'chat-webhook',
    env: 'TEAMS_WEBHOOK_URL',
    make: (g) =>
      `https://${g.word()}corp.webhook.office.com/webhookb2/${g.uuid()}@${g.uuid()}/IncomingWebhook/${g.hex(32)}/${g.uuid()}`,
  },
  // curl credentials
  {
    source: 'curl-basic-user',
    family: 'curl',
    env: '',
    make: (g) => `${g.pick(['admin', 'deploy', 'svc-ci', 'jenkins'])}:${g.an(18)}`,
    carrier: (g, s) => `curl -sS -u ${s} https://${g.word()}.internal.example.net/api/v2/status`,
  },
  {
    source: 'curl-bearer-header',
    family: 'curl',
    env: '',
    make: (g) => g.s(`${AN}-_.`, 48),
    carrier: (g, s) =>
      `curl -X POST https://api.${g.word()}.example.com/v1/jobs -H "Content-Type: application/json" -H "Authorization: Bearer ${s}" -d '{"run": true}'`,
  },
  {
    source: 'curl-api-key-header',
    family: 'curl',
    env: '',
    make: (g) => g.hex(40),
    carrier: (g, s) => `curl https://api.${g.word()}.example.io/v3/items -H 'X-API-Key: ${s}'`,
  },
  // generic assignments
  { source: 'generic-api-key', family: 'generic', env: 'api_key', make: (g) => g.an(g.pick([24, 32, 40])) },
  { source: 'generic-password', family: 'generic', env: 'db_password', make: (g) => `${g.an(12)}!${g.s(DIG, 2)}` },
  { source: 'generic-client-secret', family: 'generic', env: 'client_secret', make: (g) => g.s(`${AN}_-`, 40) },
  // Tollgate's own keys
  { source: 'tollgate-key', family: 'tollgate', env: 'TOLLGATE_API_KEY', make: () => generateKey() },
];

type Carrier = (g: G, f: Format, secret: string) => string;

const assign = (f: Format) => f.env || 'api_key';

/** Where a credential shows up in model output: dev carriers. */
const DEV_CARRIERS: Carrier[] = [
  (g, f, s) => `Add this to your \`.env\` file:\n\n\`\`\`\n${assign(f)}=${s}\nLOG_LEVEL=info\n\`\`\``,
  (g, f, s) =>
    `\`\`\`python\nimport os\n\n${assign(f).toUpperCase()} = "${s}"\nclient = Client(token=${assign(f).toUpperCase()})\n\`\`\``,
  (g, f, s) => `export ${assign(f).toUpperCase()}='${s}'\n./scripts/deploy.sh --env ${g.word()}`,
  (g, f, s) => `{\n  "service": "${g.word()}",\n  "${assign(f).toLowerCase()}": "${s}",\n  "timeout": 30\n}`,
  (g, f, s) =>
    `Sure! Your config should look like this:\n\n\`\`\`yaml\n${g.word()}:\n  ${assign(f).toLowerCase()}: ${s}\n  region: eu-west-1\n\`\`\``,
  (g, f, s) =>
    `2024-11-0${1 + g.int(9)}T12:${10 + g.int(49)}:07Z INFO starting worker with ${assign(f).toLowerCase()}=${s} pid=${g.digits(5)}`,
];

/** Held-out carriers: other languages, other phrasing; never inspected sample by sample. */
const HOLDOUT_CARRIERS: Carrier[] = [
  (g, f, s) =>
    `const ${assign(f)
      .toLowerCase()
      .replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())} = process.env.${assign(f).toUpperCase()} ?? "${s}";`,
  (g, f, s) => `\`\`\`go\nclient := sdk.NewClient(sdk.Config{\n\tToken: "${s}",\n\tRetries: 3,\n})\n\`\`\``,
  (g, f, s) =>
    `I found the problem: the credential in your Dockerfile is hard-coded (\`ENV ${assign(f).toUpperCase()}=${s}\`). Move it to a build secret.`,
  (g, f, s) => `[${g.word()}]\n${assign(f).toLowerCase()} = "${s}"\nendpoint = "https://api.example.com"`,
  (g, f, s) => `    env:\n      - name: ${assign(f).toUpperCase()}\n        value: "${s}"`,
  (g, f, s) =>
    `$ heroku config:set ${assign(f).toUpperCase()}=${s} -a ${g.word()}-prod\nSetting ${assign(f).toUpperCase()} and restarting ⬢ ${g.word()}-prod... done`,
  (g, f, s) => `<add key="${assign(f)}" value="${s}" />`,
  (g, f, s) => `props.setProperty("${assign(f).toLowerCase().replace(/_/g, '.')}", "${s}");`,
];

/** Look-alikes that must come out unchanged: dev shapes. */
function devLookalikes(g: G): LookalikeSample[] {
  const sha = () => g.hex(40);
  return [
    { source: 'aws-docs-example', text: 'aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE' },
    { source: 'aws-docs-example', text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    { source: 'placeholder', text: `export OPENAI_API_KEY="sk-..."\nexport ANTHROPIC_API_KEY=<your-key-here>` },
    { source: 'placeholder', text: `GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` },
    { source: 'placeholder', text: `api_key: "\${API_KEY}"\nsecret: "{{ .Values.secret }}"` },
    { source: 'placeholder', text: `SLACK_BOT_TOKEN=xoxb-your-bot-token\nSLACK_SIGNING_SECRET=your-signing-secret` },
    {
      source: 'placeholder',
      text: `Set \`STRIPE_SECRET_KEY\` to the key from your dashboard (it starts with \`sk_live_\`).`,
    },
    { source: 'git-sha', text: `commit ${sha()}\nAuthor: Jane Doe\n\n    fix: retry on 503` },
    { source: 'hash', text: `sha256sum: ${g.hex(64)}  release-${g.int(9)}.${g.int(20)}.tar.gz` },
    { source: 'hash', text: `"integrity": "sha512-${g.b64(64)}"` },
    { source: 'uuid', text: `request_id=${g.uuid()} user_id=${g.uuid()} status=200` },
    { source: 'uuid', text: `subscription_id: ${g.uuid()}\ntenant_id: ${g.uuid()}` },
    {
      source: 'base64-text',
      text: `data: ${Buffer.from('The quick brown fox jumps over the lazy dog, again and again.').toString('base64')}`,
    },
    {
      source: 'test-fixture',
      text: `def test_login():\n    token = "test-token"\n    assert login(api_key="dummy_api_key_for_tests") is None`,
    },
    {
      source: 'code-without-secret',
      text: `api_key = os.environ["OPENAI_API_KEY"]\npassword = getpass.getpass()\ntoken = auth.get_token(scope="read")`,
    },
    {
      source: 'code-without-secret',
      text: `const apiKeyHeader = "X-API-Key";\nconst tokenExpirySeconds = 3600;\nconst secretName = "prod-db-credentials";`,
    },
    {
      source: 'prose',
      text: 'Rotate the API key every 90 days and store the secret in your vault; never paste a token into a chat.',
    },
    { source: 'docker-digest', text: `image: ghcr.io/acme/api@sha256:${g.hex(64)}` },
  ];
}

/** Held-out look-alike shapes. */
function holdoutLookalikes(g: G): LookalikeSample[] {
  return [
    { source: 'aws-docs-example', text: 'Example: AKIAI44QH8DHBEXAMPLE / je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
    { source: 'placeholder', text: `HF_TOKEN=hf_****************\nNPM_TOKEN=npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX` },
    { source: 'placeholder', text: `curl -u USERNAME:PASSWORD https://api.example.com/v1/me` },
    { source: 'placeholder', text: `curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/me` },
    { source: 'placeholder', text: `password: changeme\napi_token: REPLACE_ME` },
    { source: 'hash', text: `md5 ${g.hex(32)}  sha1 ${g.hex(40)}` },
    { source: 'hash', text: `etag: "${g.hex(32)}"\nlast-modified: Tue, 01 Oct 2024 10:00:00 GMT` },
    { source: 'uuid', text: `{"id": "${g.uuid()}", "correlationId": "${g.uuid()}"}` },
    {
      source: 'base64-text',
      text: Buffer.from(
        'Kubernetes is an open-source system for automating deployment, scaling and management.',
      ).toString('base64'),
    },
    {
      source: 'test-fixture',
      text: `it('rejects a bad key', () => expect(verify('sk_test_fake_key_for_unit_tests')).toBe(false));`,
    },
    {
      source: 'code-without-secret',
      text: `String token = request.getHeader("Authorization");\nif (token == null) throw new AuthException("missing token");`,
    },
    {
      source: 'code-without-secret',
      text: `secret_key_base = Rails.application.credentials.secret_key_base\naccess_token_ttl = 15.minutes`,
    },
    {
      source: 'prose',
      text: 'The access token expires after one hour; use the refresh token to get a new one without asking the user again.',
    },
    { source: 'version', text: `node v22.11.0, npm 10.9.0, go1.23.4 linux/amd64, build ${g.hex(12)}` },
    { source: 'git-sha', text: `Merge pull request #${g.digits(4)} from acme/${g.word()} (${g.hex(40)})` },
  ];
}

export interface SecretCorpus {
  positives: SecretSample[];
  lookalikes: LookalikeSample[];
}

/** The labelled set of one split: every format in every carrier of the split (`per` times), plus look-alikes. */
export function secretCorpus(split: Split, per = 1): SecretCorpus {
  const g = new G(split === 'dev' ? 7001 : 9103);
  const carriers = split === 'dev' ? DEV_CARRIERS : HOLDOUT_CARRIERS;
  const positives: SecretSample[] = [];
  for (let k = 0; k < per; k++) {
    for (const f of FORMATS) {
      for (const c of carriers) {
        const secret = f.make(g);
        const text = f.carrier ? f.carrier(g, secret) : c(g, f, secret);
        positives.push({
          source: f.source,
          family: f.family,
          text,
          secret: f.source === 'curl-basic-user' ? secret.slice(secret.indexOf(':') + 1) : secret,
        });
      }
    }
  }
  const lookalikes: LookalikeSample[] = [];
  for (let k = 0; k < Math.max(1, per); k++)
    lookalikes.push(...(split === 'dev' ? devLookalikes(g) : holdoutLookalikes(g)));
  // the principle-based development set (lookalikes.ts): dev only
  if (split === 'dev') lookalikes.push(...lookalikeDev());
  return { positives, lookalikes };
}

export const SECRET_FORMATS: readonly string[] = FORMATS.map((f) => f.source);
