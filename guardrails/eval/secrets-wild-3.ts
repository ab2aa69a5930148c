// A third independent secret set (issue 11, third pass), written before any rule change of that pass, for the classes
// the red team measured weakest: generic assignments (`api_key = "…"`, `secret: …`, `client_secret`, `*_TOKEN=` in
// .env / YAML / JSON / code, values of many alphabets and lengths), credentials in prose in several languages, chat
// webhook URLs, and SaaS / CI / secret-manager / cloud formats. Formats come from the providers' public token
// documentation (prefix, length, alphabet); values are random at run time from a seed — no real secret is committed.
//
// Split 50/50 BY PROVIDER (per class, alternating in declaration order): `tune` may be looked at item by item while
// changing rules; `held` is only ever reported as per-class figures (never its misses). Look-alikes are split by kind
// the same way. Carriers are shared by both halves (the split is over who issued the credential, not where it sits).
import type { LookalikeSample, SecretSample } from './secrets-corpus.ts';
import { AN, ANL, B64, DIG, HEX, LO, UP, URLSAFE, W } from './secrets-wild-extra.ts';
import { GENERIC, lookalikes3, PROSE } from './secrets-wild-3-generic.ts';

export type Half = 'tune' | 'held';
export type Class3 = 'generic' | 'prose' | 'webhook' | 'saas';

export interface Sample3 extends SecretSample {
  cls: Class3;
}

/** A credential source: `env` names it in config; `make` draws one credential as the provider documents it. */
export interface Src {
  source: string;
  env: string;
  make(w: W): string;
}

const s = (source: string, env: string, make: (w: W) => string): Src => ({ source, env, make });
const alt = (w: W, ...xs: (() => string)[]): string => (w.pick(xs) as () => string)();

export const SAAS: Src[] = [
  s('vault-service', 'VAULT_TOKEN', (w) =>
    alt(
      w,
      () => `hvs.CAESI${w.an(86, URLSAFE)}`,
      () => `hvs.${w.an(24)}`,
    ),
  ),
  s('vault-batch', 'VAULT_BATCH_TOKEN', (w) => `hvb.AAAAAQ${w.an(130, URLSAFE)}`),
  s('doppler', 'DOPPLER_TOKEN', (w) => `dp.${w.pick(['pt', 'st.prd', 'ct', 'sa'])}.${w.an(43)}`),
  s('pulumi', 'PULUMI_ACCESS_TOKEN', (w) => `pul-${w.hex(40)}`),
  s('terraform-cloud', 'TF_TOKEN_app_terraform_io', (w) => `${w.an(14)}.atlasv1.${w.an(67)}`),
  s('circleci', 'CIRCLE_TOKEN', (w) =>
    alt(
      w,
      () => `CCIPAT_${w.an(22)}_${w.hex(40)}`,
      () => `CCIPRJ_${w.an(22)}_${w.hex(40)}`,
    ),
  ),
  s('buildkite', 'BUILDKITE_API_TOKEN', (w) => `bkua_${w.hex(40)}`),
  s('gitlab-pat', 'GITLAB_TOKEN', (w) => `glpat-${w.an(20, URLSAFE)}`),
  s('gitlab-deploy', 'CI_DEPLOY_PASSWORD', (w) => `gldt-${w.an(20, URLSAFE)}`),
  s('gitlab-runner', 'RUNNER_TOKEN', (w) => `glrt-${w.an(20, URLSAFE)}`),
  s('gitlab-scim', 'GITLAB_SCIM_TOKEN', (w) => `glsoat-${w.an(20, URLSAFE)}`),
  s('gitlab-trigger', 'TRIGGER_TOKEN', (w) => `glptt-${w.hex(40)}`),
  s('gitlab-feed', 'GITLAB_FEED_TOKEN', (w) => `glft-${w.an(20, URLSAFE)}`),
  s('npm', 'NPM_TOKEN', (w) => `npm_${w.an(36)}`),
  s('pypi', 'TWINE_PASSWORD', (w) => `pypi-AgEIcHlwaS5vcmc${w.an(120, URLSAFE)}`),
  s('rubygems', 'GEM_HOST_API_KEY', (w) => `rubygems_${w.hex(48)}`),
  s('shopify', 'SHOPIFY_ACCESS_TOKEN', (w) => `${w.pick(['shpat', 'shpca', 'shppa', 'shpss'])}_${w.hex(32)}`),
  s('twilio-api-key', 'TWILIO_API_KEY', (w) => `SK${w.hex(32)}`),
  s('twilio-auth', 'TWILIO_AUTH_TOKEN', (w) => w.hex(32)),
  s('sendgrid', 'SENDGRID_API_KEY', (w) => `SG.${w.an(22, URLSAFE)}.${w.an(43, URLSAFE)}`),
  s('mailgun', 'MAILGUN_API_KEY', (w) =>
    alt(
      w,
      () => `key-${w.hex(32)}`,
      () => `${w.hex(32)}-${w.hex(8)}-${w.hex(8)}`,
    ),
  ),
  s('datadog-api', 'DD_API_KEY', (w) => w.hex(32)),
  s('datadog-app', 'DD_APP_KEY', (w) => w.hex(40)),
  s('newrelic-user', 'NEW_RELIC_API_KEY', (w) => `NRAK-${w.an(27, UP + DIG)}`),
  s('newrelic-insert', 'NEW_RELIC_INSERT_KEY', (w) => `NRII-${w.an(32, URLSAFE)}`),
  s('newrelic-license', 'NEW_RELIC_LICENSE_KEY', (w) => `${w.hex(36)}NRAL`),
  s('sentry-org', 'SENTRY_AUTH_TOKEN', (w) => `sntrys_eyJpYXQiOjE3${w.an(150, URLSAFE)}`),
  s('sentry-user', 'SENTRY_TOKEN', (w) => `sntryu_${w.hex(64)}`),
  s('atlassian', 'ATLASSIAN_API_TOKEN', (w) => `ATATT3xFfGF0${w.an(171, URLSAFE)}=${w.hex(8).toUpperCase()}`),
  s('bitbucket', 'BITBUCKET_APP_PASSWORD', (w) => `ATBB${w.an(28)}${w.hex(8).toUpperCase()}`),
  s('linear', 'LINEAR_API_KEY', (w) => `lin_api_${w.an(40)}`),
  s('linear-oauth', 'LINEAR_OAUTH_TOKEN', (w) => `lin_oauth_${w.hex(64)}`),
  s('notion-legacy', 'NOTION_API_KEY', (w) => `secret_${w.an(43)}`),
  s('notion', 'NOTION_TOKEN', (w) => `ntn_${w.digits(12)}${w.an(34)}`),
  s('airtable', 'AIRTABLE_TOKEN', (w) => `pat${w.an(14)}.${w.hex(64)}`),
  s('okta', 'OKTA_API_TOKEN', (w) => `00${w.an(40, URLSAFE)}`),
  s('azure-storage-key', 'AZURE_STORAGE_KEY', (w) => `${w.an(86, B64)}==`),
  s('azure-sas', 'AZURE_STORAGE_SAS_TOKEN', (w) => `${encodeURIComponent(w.b64(32))}`),
  s('azure-devops', 'AZURE_DEVOPS_PAT', (w) => w.an(52, ANL)),
  s('azure-ad-secret', 'AZURE_CLIENT_SECRET', (w) => `${w.an(3)}8Q~${w.an(34, `${AN}_~.-`)}`),
  s('digitalocean', 'DIGITALOCEAN_ACCESS_TOKEN', (w) => `${w.pick(['dop', 'doo', 'dor'])}_v1_${w.hex(64)}`),
  s('heroku', 'HEROKU_API_KEY', (w) =>
    alt(
      w,
      () => `HRKU-AA${w.an(58, URLSAFE)}`,
      () => w.uuid(),
    ),
  ),
  s('vercel', 'VERCEL_TOKEN', (w) => w.an(24)),
  s('netlify', 'NETLIFY_AUTH_TOKEN', (w) => `nfp_${w.an(36)}`),
  s('supabase', 'SUPABASE_ACCESS_TOKEN', (w) => `sbp_${w.hex(40)}`),
  s('supabase-secret', 'SUPABASE_SERVICE_KEY', (w) => `sb_secret_${w.an(31, URLSAFE)}`),
  s('cloudflare-token', 'CLOUDFLARE_API_TOKEN', (w) => w.an(40, URLSAFE)),
  s('cloudflare-global', 'CF_API_KEY', (w) => w.hex(37)),
  s('cloudflare-origin-ca', 'CF_ORIGIN_CA_KEY', (w) => `v1.0-${w.hex(24)}-${w.hex(146)}`),
  s('huggingface', 'HUGGING_FACE_HUB_TOKEN', (w) => `hf_${w.an(34, UP + LO)}`),
  s('openai', 'OPENAI_API_KEY', (w) =>
    alt(
      w,
      () => `sk-proj-${w.an(74, URLSAFE)}T3BlbkFJ${w.an(74, URLSAFE)}`,
      () => `sk-svcacct-${w.an(74, URLSAFE)}T3BlbkFJ${w.an(74, URLSAFE)}`,
      () => `sk-${w.an(20)}T3BlbkFJ${w.an(20)}`,
    ),
  ),
  s('anthropic', 'ANTHROPIC_API_KEY', (w) => `sk-ant-${w.pick(['api03', 'admin01'])}-${w.an(93, URLSAFE)}AA`),
  s('groq', 'GROQ_API_KEY', (w) => `gsk_${w.an(52)}`),
  s('mistral', 'MISTRAL_API_KEY', (w) => w.an(32)),
  s('cohere', 'CO_API_KEY', (w) => w.an(40)),
  s('replicate', 'REPLICATE_API_TOKEN', (w) => `r8_${w.an(37)}`),
  s('stripe-webhook', 'STRIPE_WEBHOOK_SECRET', (w) => `whsec_${w.an(32)}`),
  s('postman', 'POSTMAN_API_KEY', (w) => `PMAK-${w.hex(24)}-${w.hex(34)}`),
];

/** Chat webhook URLs: the URL is the credential; `secret` is the part after the host that must go. */
interface Hook {
  source: string;
  env: string;
  make(w: W): { url: string; secret: string };
}
const h = (source: string, env: string, make: (w: W) => { url: string; secret: string }): Hook => ({
  source,
  env,
  make,
});
const tail = (url: string, secret: string) => ({ url, secret });

export const HOOKS: Hook[] = [
  h('slack-services', 'SLACK_WEBHOOK_URL', (w) => {
    const t = w.an(24);
    return tail(`https://hooks.slack.com/services/T${w.an(10, UP + DIG)}/B${w.an(10, UP + DIG)}/${t}`, t);
  }),
  h('slack-workflows', 'SLACK_WORKFLOW_WEBHOOK', (w) => {
    const t = w.an(24);
    return tail(
      `https://hooks.slack.com/${w.pick(['workflows', 'triggers'])}/T${w.an(10, UP + DIG)}/A${w.an(10, UP + DIG)}/${w.digits(18)}/${t}`,
      t,
    );
  }),
  h('discord', 'DISCORD_WEBHOOK_URL', (w) => {
    const t = w.an(68, URLSAFE);
    const host = w.pick(['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com']);
    return tail(`https://${host}/api/${w.pick(['', 'v10/'])}webhooks/${w.digits(19)}/${t}`, t);
  }),
  h('teams-connector', 'TEAMS_WEBHOOK_URL', (w) => {
    const t = w.hex(32);
    return tail(
      `https://${w.pick(['outlook.office.com/webhook', 'outlook.office365.com/webhook', 'acme.webhook.office.com/webhookb2'])}/${w.uuid()}@${w.uuid()}/IncomingWebhook/${t}/${w.uuid()}`,
      t,
    );
  }),
  h('teams-workflows', 'TEAMS_WORKFLOW_URL', (w) => {
    const t = w.an(43, URLSAFE);
    return tail(
      `https://prod-${w.int(90) + 10}.${w.pick(['westeurope', 'eastus', 'westus'])}.logic.azure.com:443/workflows/${w.hex(32)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${t}`,
      t,
    );
  }),
  h('mattermost', 'MATTERMOST_WEBHOOK_URL', (w) => {
    const t = w.an(26, ANL);
    return tail(`https://${w.pick(['chat.acme.io', 'mm.example.org', 'mattermost.internal'])}/hooks/${t}`, t);
  }),
  h('google-chat', 'GOOGLE_CHAT_WEBHOOK', (w) => {
    const t = w.an(43, URLSAFE);
    return tail(
      `https://chat.googleapis.com/v1/spaces/AAAA${w.an(7, URLSAFE)}/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=${t}`,
      t,
    );
  }),
  h('rocketchat', 'ROCKETCHAT_WEBHOOK_URL', (w) => {
    const t = w.an(48);
    return tail(`https://rocket.acme.io/hooks/${w.an(17)}/${t}`, t);
  }),
  h('feishu-lark', 'FEISHU_WEBHOOK', (w) => {
    const t = w.uuid();
    return tail(`https://${w.pick(['open.feishu.cn', 'open.larksuite.com'])}/open-apis/bot/v2/hook/${t}`, t);
  }),
  h('dingtalk', 'DINGTALK_WEBHOOK', (w) => {
    const t = w.hex(64);
    return tail(`https://oapi.dingtalk.com/robot/send?access_token=${t}`, t);
  }),
  h('wecom', 'WECOM_WEBHOOK', (w) => {
    const t = w.uuid();
    return tail(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${t}`, t);
  }),
  h('webex', 'WEBEX_WEBHOOK_URL', (w) => {
    const t = w.an(100, URLSAFE);
    return tail(`https://webexapis.com/v1/webhooks/incoming/${t}`, t);
  }),
  h('ifttt', 'IFTTT_WEBHOOK', (w) => {
    const t = w.an(22, URLSAFE);
    return tail(`https://maker.ifttt.com/trigger/deploy_done/with/key/${t}`, t);
  }),
  h('zoom-chat', 'ZOOM_WEBHOOK_URL', (w) => {
    const t = w.an(22, URLSAFE);
    return tail(`https://integrations.zoom.us/chat/webhooks/incomingwebhook/${t}?format=full`, t);
  }),
];

// Carriers: where people paste a named credential. name: the env-style name; the carrier derives its own spelling.
const camel = (env: string): string =>
  env
    .toLowerCase()
    .split('_')
    .map((x, i) => (i === 0 ? x : x.charAt(0).toUpperCase() + x.slice(1)))
    .join('');
const tailName = (env: string): string => env.toLowerCase().split('_').slice(1).join('_') || env.toLowerCase();
const vendor = (env: string): string => (env.split('_')[0] as string).toLowerCase();

export type Carrier = (w: W, env: string, v: string) => string;
export const CARRIERS: Carrier[] = [
  (_w, n, v) => `${n}=${v}`,
  (_w, n, v) => `# .env.production\nNODE_ENV=production\n${n}="${v}"\nPORT=8080`,
  (_w, n, v) => `export ${n}='${v}'`,
  (_w, n, v) => `${vendor(n)}:\n  ${tailName(n)}: ${v}\n  timeout: 30`,
  (_w, n, v) => `${tailName(n)}: "${v}"`,
  (_w, n, v) => `{\n  "${camel(n)}": "${v}",\n  "retries": 3\n}`,
  (_w, n, v) => `{"${tailName(n)}":"${v}","region":"eu-central-1"}`,
  (_w, n, v) => `${tailName(n)} = "${v}"`,
  (_w, n, v) => `const ${camel(n)} = '${v}';`,
  (_w, n, v) => `client = Client(${tailName(n)}="${v}", timeout=10)`,
  (_w, n, v) => `${camel(n)} := "${v}"`,
  (_w, n, v) => `    environment:\n      - ${n}=${v}\n      - TZ=UTC`,
  (_w, n, v) => `env:\n  ${n}: ${v}`,
  (_w, n, v) => `        - name: ${n}\n          value: "${v}"`,
  (_w, n, v) => `docker run -d -e ${n}=${v} acme/app:2.3.1`,
  (_w, n, v) => `'${tailName(n)}' => '${v}',`,
  (_w, n, v) => `app.${tailName(n).replace(/_/g, '-')}=${v}`,
  (_w, n, v) => `<add key="${camel(n)}" value="${v}" />`,
  (_w, n, v) => `System.setProperty("${tailName(n)}", "${v}");`,
  (_w, n, v) => `$ heroku config:set ${n}=${v} -a acme-api`,
  (_w, n, v) => `variable "${tailName(n)}" {\n  default = "${v}"\n}`,
  (_w, n, v) => `set ${n}=${v}`,
  (_w, n, v) => `- name: Deploy\n  env:\n    ${n}: "${v}"`,
  (_w, n, v) => `here's the ${vendor(n)} ${tailName(n).replace(/_/g, ' ')}: ${v}`,
];

export interface Set3 {
  positives: Sample3[];
  lookalikes: LookalikeSample[];
}

/** Which half a source is in: per class, alternating in declaration order. */
export const halfOf = <T>(xs: readonly T[], x: T): Half => (xs.indexOf(x) % 2 === 0 ? 'tune' : 'held');

/** The set for one half; `per` rounds, each with fresh values and carriers. */
export function wild3(half: Half, per = 2): Set3 {
  const w = new W(0x5ec3 + (half === 'tune' ? 0 : 1));
  const positives: Sample3[] = [];
  const push = (cls: Class3, source: string, text: string, secret: string) =>
    positives.push({ cls, source, family: cls, text, secret });
  for (let k = 0; k < per; k++) {
    for (const x of SAAS.filter((x) => halfOf(SAAS, x) === half))
      for (let j = 0; j < 2; j++) {
        const v = x.make(w);
        push('saas', x.source, (w.pick(CARRIERS) as Carrier)(w, x.env, v), v);
      }
    for (const x of HOOKS.filter((x) => halfOf(HOOKS, x) === half))
      for (let j = 0; j < 2; j++) {
        const { url, secret } = x.make(w);
        push('webhook', x.source, (w.pick(HOOK_CARRIERS) as (u: string, n: string) => string)(url, x.env), secret);
      }
    for (const g of GENERIC.filter((x) => halfOf(GENERIC, x) === half))
      for (let j = 0; j < 3; j++) {
        const v = g.make(w);
        push('generic', g.source, (w.pick(CARRIERS.slice(0, -1)) as Carrier)(w, w.pick(g.names), v), v);
      }
    for (const p of PROSE.filter((x) => halfOf(PROSE, x) === half))
      for (let j = 0; j < 2; j++) {
        const v = w.pick(PROSE_VALUES)(w);
        push('prose', p.source, p.text(v), v);
      }
  }
  return { positives, lookalikes: lookalikes3(w, half) };
}

const HOOK_CARRIERS: ((u: string, n: string) => string)[] = [
  (u, n) => `${n}=${u}`,
  (u) => `curl -X POST -H 'Content-type: application/json' --data '{"text":"deploy finished"}' ${u}`,
  (u) => `webhook_url: "${u}"`,
  (u) => `requests.post("${u}", json={"text": msg})`,
  (u) => `Post the alerts to ${u} so the on-call channel sees them.`,
  (u) => `{"name": "alerts", "url": "${u}", "enabled": true}`,
  (u, n) => `      - uses: acme/notify@v2\n        with:\n          webhook: ${u}\n          env_name: ${n}`,
];

const PROSE_VALUES: ((w: W) => string)[] = [
  (w) => w.an(w.pick([12, 14, 16, 20]), `${AN}!@#$%&*`),
  (w) => w.an(32),
  (w) => w.hex(32),
  (w) => `${w.an(6, LO)}${w.s(DIG, 3)}${w.pick(['!', '#', '$', '?'])}${w.an(5, UP + LO)}`,
  (w) => w.an(40, URLSAFE),
  (w) => w.s(HEX, 24),
];
