// A second independent secret set, for the classes an outside red team found weak (issue 11): many providers beyond
// the big ones, credentials whose value is a bare UUID or hex string behind a config name, credentials inside URLs
// (query parameters, user:password@host), credentials in prose ("my token is …"), and the look-alikes that real text
// is full of (public keys, git SHAs and remotes, placeholders, ids). Every format is written from the provider's
// public documentation of its credential (prefix, length, alphabet), never from a rule under test; the carriers are
// the places people paste credentials (.env, JSON and YAML config, curl, URLs, code, chat prose).
//
// `dev` may be looked at while changing rules. `holdout` has other carriers, other phrasings, other look-alike shapes
// and another seed; it is only ever reported as figures (tollgate guard eval, secrets-eval.ts).
import type { LookalikeSample, SecretSample, Split } from './secrets-corpus.ts';
import { AN, ANL, B64, DIG, LO, UP, URLSAFE, urlCredentials, W, wildLookalikes } from './secrets-wild-extra.ts';

/** A provider credential: how it is named in config (env var), which host it is sent to, its documented format. */
interface P {
  source: string;
  /** Env var name people use; the JSON / YAML key is derived from it. */
  env: string;
  host: string;
  make(w: W): string;
  /** Query parameter name the API takes the credential in, when it does. */
  param?: string;
}

const p = (source: string, env: string, host: string, make: (w: W) => string, param?: string): P => ({
  source,
  env,
  host,
  make,
  ...(param ? { param } : {}),
});

// Formats as the providers document them (token prefixes, lengths, alphabets).
const PROVIDERS: P[] = [
  // AI
  p('openai', 'OPENAI_API_KEY', 'api.openai.com', (w) => `sk-proj-${w.an(74, URLSAFE)}T3BlbkFJ${w.an(74, URLSAFE)}`),
  p('anthropic', 'ANTHROPIC_API_KEY', 'api.anthropic.com', (w) => `sk-ant-api03-${w.an(93, URLSAFE)}AA`),
  p('huggingface', 'HF_TOKEN', 'huggingface.co', (w) => `hf_${w.an(34, UP + LO)}`),
  p('replicate', 'REPLICATE_API_TOKEN', 'api.replicate.com', (w) => `r8_${w.an(37)}`),
  p('groq', 'GROQ_API_KEY', 'api.groq.com', (w) => `gsk_${w.an(52)}`),
  p('perplexity', 'PERPLEXITY_API_KEY', 'api.perplexity.ai', (w) => `pplx-${w.an(48)}`),
  p('xai', 'XAI_API_KEY', 'api.x.ai', (w) => `xai-${w.an(80)}`),
  p('deepseek', 'DEEPSEEK_API_KEY', 'api.deepseek.com', (w) => `sk-${w.hex(32)}`),
  p('mistral', 'MISTRAL_API_KEY', 'api.mistral.ai', (w) => w.an(32)),
  p('cohere', 'COHERE_API_KEY', 'api.cohere.com', (w) => w.an(40)),
  p('together', 'TOGETHER_API_KEY', 'api.together.xyz', (w) => w.hex(64)),
  p('fireworks', 'FIREWORKS_API_KEY', 'api.fireworks.ai', (w) => `fw_${w.an(24)}`),
  p('pinecone', 'PINECONE_API_KEY', 'api.pinecone.io', (w) => `pcsk_${w.an(5, ANL)}_${w.an(60)}`),
  p('langsmith', 'LANGSMITH_API_KEY', 'api.smith.langchain.com', (w) => `lsv2_pt_${w.hex(32)}_${w.hex(10)}`),
  p('azure-openai', 'AZURE_OPENAI_API_KEY', 'myres.openai.azure.com', (w) => w.hex(32), 'api-key'),
  p('gemini', 'GEMINI_API_KEY', 'generativelanguage.googleapis.com', (w) => `AIza${w.an(35, URLSAFE)}`, 'key'),
  p('elevenlabs', 'ELEVENLABS_API_KEY', 'api.elevenlabs.io', (w) => `sk_${w.hex(48)}`),
  // cloud and hosting
  p('aws-access-key', 'AWS_ACCESS_KEY_ID', 'sts.amazonaws.com', (w) => `AKIA${w.an(16, `${UP}234567`)}`),
  p('aws-secret-key', 'AWS_SECRET_ACCESS_KEY', 'sts.amazonaws.com', (w) => w.an(40, B64)),
  p('digitalocean', 'DIGITALOCEAN_TOKEN', 'api.digitalocean.com', (w) => `dop_v1_${w.hex(64)}`),
  p('linode', 'LINODE_TOKEN', 'api.linode.com', (w) => w.hex(64)),
  p('hetzner', 'HCLOUD_TOKEN', 'api.hetzner.cloud', (w) => w.an(64)),
  p('vultr', 'VULTR_API_KEY', 'api.vultr.com', (w) => w.an(36, `${UP}${DIG}`)),
  p('heroku', 'HEROKU_API_KEY', 'api.heroku.com', (w) => w.uuid()),
  p('heroku-new', 'HEROKU_API_TOKEN', 'api.heroku.com', (w) => `HRKU-AA${w.an(58, URLSAFE)}`),
  p('railway', 'RAILWAY_TOKEN', 'backboard.railway.app', (w) => w.uuid()),
  p('netlify', 'NETLIFY_AUTH_TOKEN', 'api.netlify.com', (w) => `nfp_${w.an(36)}`),
  p('vercel', 'VERCEL_TOKEN', 'api.vercel.com', (w) => w.an(24)),
  p('fly', 'FLY_API_TOKEN', 'api.fly.io', (w) => `fm2_${w.an(120, B64)}`),
  p('render', 'RENDER_API_KEY', 'api.render.com', (w) => `rnd_${w.an(32)}`),
  p('cloudflare', 'CLOUDFLARE_API_TOKEN', 'api.cloudflare.com', (w) => w.an(40, URLSAFE)),
  p('cloudflare-global', 'CLOUDFLARE_API_KEY', 'api.cloudflare.com', (w) => w.hex(37)),
  p('supabase', 'SUPABASE_ACCESS_TOKEN', 'api.supabase.com', (w) => `sbp_${w.hex(40)}`),
  p('supabase-secret', 'SUPABASE_SECRET_KEY', 'xyz.supabase.co', (w) => `sb_secret_${w.an(31, URLSAFE)}`),
  p('alibaba', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ecs.aliyuncs.com', (w) => `LTAI${w.an(20)}`),
  p('tencent', 'TENCENTCLOUD_SECRET_ID', 'cvm.tencentcloudapi.com', (w) => `AKID${w.an(32)}`),
  p('ibm-cloud', 'IBMCLOUD_API_KEY', 'iam.cloud.ibm.com', (w) => w.an(44, URLSAFE)),
  p('databricks', 'DATABRICKS_TOKEN', 'adb-123.azuredatabricks.net', (w) => `dapi${w.hex(32)}`),
  p('snowflake', 'SNOWFLAKE_PASSWORD', 'acme.snowflakecomputing.com', (w) => w.an(20, `${AN}!#%`)),
  p('mongodb-atlas', 'MONGODB_ATLAS_PRIVATE_KEY', 'cloud.mongodb.com', (w) => w.uuid()),
  // VCS, CI, registries
  p('github-pat', 'GITHUB_TOKEN', 'api.github.com', (w) => `ghp_${w.an(36)}`, 'access_token'),
  p('github-fine-grained', 'GH_TOKEN', 'api.github.com', (w) => `github_pat_11${w.an(20, `${UP}${DIG}`)}_${w.an(59)}`),
  p('gitlab', 'GITLAB_TOKEN', 'gitlab.com', (w) => `glpat-${w.an(20, URLSAFE)}`, 'private_token'),
  p('gitlab-runner', 'CI_RUNNER_TOKEN', 'gitlab.com', (w) => `glrt-${w.an(20, URLSAFE)}`),
  p('bitbucket', 'BITBUCKET_APP_PASSWORD', 'api.bitbucket.org', (w) => `ATBB${w.an(32)}${w.hex(8).toUpperCase()}`),
  p('circleci', 'CIRCLECI_TOKEN', 'circleci.com', (w) => `CCIPAT_${w.an(22)}_${w.hex(40)}`),
  p('buildkite', 'BUILDKITE_API_TOKEN', 'api.buildkite.com', (w) => `bkua_${w.hex(40)}`),
  p('travis', 'TRAVIS_TOKEN', 'api.travis-ci.com', (w) => w.an(22)),
  p('snyk', 'SNYK_TOKEN', 'api.snyk.io', (w) => w.uuid()),
  p('codecov', 'CODECOV_TOKEN', 'codecov.io', (w) => w.uuid(), 'token'),
  p('sonarqube', 'SONAR_TOKEN', 'sonarcloud.io', (w) => `squ_${w.hex(40)}`),
  p('npm', 'NPM_TOKEN', 'registry.npmjs.org', (w) => `npm_${w.an(36)}`),
  p('pypi', 'PYPI_API_TOKEN', 'upload.pypi.org', (w) => `pypi-AgEIcHlwaS5vcmc${w.an(70, URLSAFE)}`),
  p('rubygems', 'GEM_HOST_API_KEY', 'rubygems.org', (w) => `rubygems_${w.hex(48)}`),
  p('nuget', 'NUGET_API_KEY', 'api.nuget.org', (w) => `oy2${w.an(43, ANL)}`),
  p('docker-hub', 'DOCKERHUB_TOKEN', 'hub.docker.com', (w) => `dckr_pat_${w.an(27, URLSAFE)}`),
  p('jfrog', 'ARTIFACTORY_API_KEY', 'acme.jfrog.io', (w) => `AKCp${w.an(69)}`),
  p('terraform-cloud', 'TFE_TOKEN', 'app.terraform.io', (w) => `${w.an(14)}.atlasv1.${w.an(67)}`),
  p('pulumi', 'PULUMI_ACCESS_TOKEN', 'api.pulumi.com', (w) => `pul-${w.hex(40)}`),
  p('octopus', 'OCTOPUS_API_KEY', 'octopus.example.net', (w) => `API-${w.an(26, `${UP}${DIG}`)}`),
  // secret managers
  p('vault', 'VAULT_TOKEN', 'vault.internal:8200', (w) => `hvs.${w.an(24)}`),
  p('doppler', 'DOPPLER_TOKEN', 'api.doppler.com', (w) => `dp.st.prd.${w.an(43)}`),
  p('1password', 'OP_SERVICE_ACCOUNT_TOKEN', 'my.1password.com', (w) => `ops_eyJ${w.an(600, `${AN}+/`)}`),
  p('infisical', 'INFISICAL_TOKEN', 'app.infisical.com', (w) => `st.${w.uuid()}.${w.hex(32)}.${w.hex(32)}`),
  p('age', 'SOPS_AGE_KEY', 'localhost', (w) => `AGE-SECRET-KEY-1${w.an(58, `${UP}${DIG}`)}`),
  // payments and commerce
  p('stripe', 'STRIPE_SECRET_KEY', 'api.stripe.com', (w) => `sk_live_${w.an(99)}`),
  p('stripe-restricted', 'STRIPE_API_KEY', 'api.stripe.com', (w) => `rk_live_${w.an(99)}`),
  p('square', 'SQUARE_ACCESS_TOKEN', 'connect.squareup.com', (w) => `EAAA${w.an(60, URLSAFE)}`),
  p(
    'paypal-braintree',
    'BRAINTREE_ACCESS_TOKEN',
    'api.braintreegateway.com',
    (w) => `access_token$production$${w.an(16, ANL)}$${w.hex(32)}`,
  ),
  p('razorpay', 'RAZORPAY_KEY_SECRET', 'api.razorpay.com', (w) => w.an(24)),
  p('mollie', 'MOLLIE_API_KEY', 'api.mollie.com', (w) => `live_${w.an(30)}`),
  p('paystack', 'PAYSTACK_SECRET_KEY', 'api.paystack.co', (w) => `sk_live_${w.hex(40)}`),
  p('flutterwave', 'FLW_SECRET_KEY', 'api.flutterwave.com', (w) => `FLWSECK-${w.hex(32)}-X`),
  p('shopify', 'SHOPIFY_ACCESS_TOKEN', 'acme.myshopify.com', (w) => `shpat_${w.hex(32)}`),
  p('plaid', 'PLAID_SECRET', 'production.plaid.com', (w) => w.hex(30)),
  p('adyen', 'ADYEN_API_KEY', 'checkout-live.adyen.com', (w) => `AQE${w.an(100, `${AN}+/=`)}`),
  p('coinbase', 'COINBASE_API_SECRET', 'api.coinbase.com', (w) => w.an(32)),
  // communication
  p('slack-bot', 'SLACK_BOT_TOKEN', 'slack.com', (w) => `xoxb-${w.digits(12)}-${w.digits(13)}-${w.an(24)}`, 'token'),
  p(
    'slack-user',
    'SLACK_USER_TOKEN',
    'slack.com',
    (w) => `xoxp-${w.digits(12)}-${w.digits(12)}-${w.digits(13)}-${w.hex(32)}`,
  ),
  p('twilio', 'TWILIO_AUTH_TOKEN', 'api.twilio.com', (w) => w.hex(32)),
  p('twilio-api-key', 'TWILIO_API_KEY', 'api.twilio.com', (w) => `SK${w.hex(32)}`),
  p('sendgrid', 'SENDGRID_API_KEY', 'api.sendgrid.com', (w) => `SG.${w.an(22, URLSAFE)}.${w.an(43, URLSAFE)}`),
  p('mailgun', 'MAILGUN_API_KEY', 'api.mailgun.net', (w) => `key-${w.hex(32)}`),
  p('mailchimp', 'MAILCHIMP_API_KEY', 'us6.api.mailchimp.com', (w) => `${w.hex(32)}-us${w.int(20) + 1}`),
  p('postmark', 'POSTMARK_SERVER_TOKEN', 'api.postmarkapp.com', (w) => w.uuid()),
  p('resend', 'RESEND_API_KEY', 'api.resend.com', (w) => `re_${w.an(8)}_${w.an(24)}`),
  p('brevo', 'BREVO_API_KEY', 'api.brevo.com', (w) => `xkeysib-${w.hex(64)}-${w.an(16)}`),
  p('mailjet', 'MJ_APIKEY_PRIVATE', 'api.mailjet.com', (w) => w.hex(32)),
  p('telegram', 'TELEGRAM_BOT_TOKEN', 'api.telegram.org', (w) => `${w.digits(10)}:AA${w.an(33, URLSAFE)}`),
  p(
    'discord-bot',
    'DISCORD_BOT_TOKEN',
    'discord.com',
    (w) => `MT${w.an(24, URLSAFE)}.${w.an(6, URLSAFE)}.${w.an(38, URLSAFE)}`,
  ),
  p('vonage', 'VONAGE_API_SECRET', 'rest.nexmo.com', (w) => w.an(16), 'api_secret'),
  p('pusher', 'PUSHER_APP_SECRET', 'api.pusherapp.com', (w) => w.hex(20)),
  p('ably', 'ABLY_API_KEY', 'rest.ably.io', (w) => `${w.an(6)}.${w.an(6)}:${w.an(43, URLSAFE)}`),
  p('zoom', 'ZOOM_CLIENT_SECRET', 'api.zoom.us', (w) => w.an(32)),
  p('intercom', 'INTERCOM_ACCESS_TOKEN', 'api.intercom.io', (w) => `dG9rOj${w.an(54, `${AN}=`)}`),
  // SaaS, productivity, data
  p('linear', 'LINEAR_API_KEY', 'api.linear.app', (w) => `lin_api_${w.an(40)}`),
  p('notion', 'NOTION_TOKEN', 'api.notion.com', (w) => `ntn_${w.digits(11)}${w.an(35)}`),
  p('figma', 'FIGMA_TOKEN', 'api.figma.com', (w) => `figd_${w.an(40, URLSAFE)}`),
  p('airtable', 'AIRTABLE_API_KEY', 'api.airtable.com', (w) => `pat${w.an(14)}.${w.hex(64)}`),
  p('asana', 'ASANA_ACCESS_TOKEN', 'app.asana.com', (w) => `2/${w.digits(16)}/${w.digits(16)}:${w.hex(32)}`),
  p(
    'atlassian',
    'JIRA_API_TOKEN',
    'acme.atlassian.net',
    (w) => `ATATT3xFfGF0${w.an(171, URLSAFE)}=${w.hex(8).toUpperCase()}`,
  ),
  p('trello', 'TRELLO_TOKEN', 'api.trello.com', (w) => `ATTA${w.hex(64)}${w.hex(8).toUpperCase()}`, 'token'),
  p('clickup', 'CLICKUP_API_TOKEN', 'api.clickup.com', (w) => `pk_${w.digits(8)}_${w.an(32, `${UP}${DIG}`)}`),
  p(
    'monday',
    'MONDAY_API_TOKEN',
    'api.monday.com',
    (w) => `eyJhbGciOiJIUzI1NiJ9.eyJ${w.an(120, URLSAFE)}.${w.an(43, URLSAFE)}`,
  ),
  p('hubspot', 'HUBSPOT_ACCESS_TOKEN', 'api.hubapi.com', (w) => `pat-na1-${w.uuid()}`),
  p('zendesk', 'ZENDESK_API_TOKEN', 'acme.zendesk.com', (w) => w.an(40)),
  p('contentful', 'CONTENTFUL_MANAGEMENT_TOKEN', 'api.contentful.com', (w) => `CFPAT-${w.an(43, URLSAFE)}`),
  p('typeform', 'TYPEFORM_TOKEN', 'api.typeform.com', (w) => `tfp_${w.an(44, URLSAFE)}_${w.an(14)}`),
  p('postman', 'POSTMAN_API_KEY', 'api.getpostman.com', (w) => `PMAK-${w.hex(24)}-${w.hex(34)}`),
  p('dropbox', 'DROPBOX_ACCESS_TOKEN', 'api.dropboxapi.com', (w) => `sl.B${w.an(135, URLSAFE)}`),
  p('google-oauth', 'GOOGLE_ACCESS_TOKEN', 'www.googleapis.com', (w) => `ya29.a0${w.an(150, URLSAFE)}`, 'access_token'),
  p('facebook', 'FACEBOOK_ACCESS_TOKEN', 'graph.facebook.com', (w) => `EAAG${w.an(180)}`, 'access_token'),
  p('twitter', 'TWITTER_BEARER_TOKEN', 'api.twitter.com', (w) => `AAAAAAAAAAAAAAAAAAAAA${w.an(80, `${AN}%`)}`),
  p(
    'mapbox-secret',
    'MAPBOX_SECRET_TOKEN',
    'api.mapbox.com',
    (w) => `sk.eyJ1Ijoi${w.an(60, URLSAFE)}.${w.an(22, URLSAFE)}`,
    'access_token',
  ),
  p('algolia', 'ALGOLIA_ADMIN_KEY', 'acme-dsn.algolia.net', (w) => w.hex(32)),
  p('amplitude', 'AMPLITUDE_SECRET_KEY', 'amplitude.com', (w) => w.hex(32)),
  p('segment', 'SEGMENT_WRITE_KEY', 'api.segment.io', (w) => w.an(32)),
  p('posthog', 'POSTHOG_PERSONAL_API_KEY', 'app.posthog.com', (w) => `phx_${w.an(47)}`),
  p('mixpanel', 'MIXPANEL_API_SECRET', 'mixpanel.com', (w) => w.hex(32)),
  p('launchdarkly', 'LAUNCHDARKLY_SDK_KEY', 'app.launchdarkly.com', (w) => `sdk-${w.uuid()}`),
  p('spotify', 'SPOTIFY_CLIENT_SECRET', 'accounts.spotify.com', (w) => w.hex(32)),
  p('twitch', 'TWITCH_CLIENT_SECRET', 'id.twitch.tv', (w) => w.an(30, ANL)),
  p('openweather', 'OPENWEATHER_API_KEY', 'api.openweathermap.org', (w) => w.hex(32), 'appid'),
  p('newsapi', 'NEWS_API_KEY', 'newsapi.org', (w) => w.hex(32), 'apiKey'),
  p('ipinfo', 'IPINFO_TOKEN', 'ipinfo.io', (w) => w.hex(14), 'token'),
  p('serpapi', 'SERPAPI_API_KEY', 'serpapi.com', (w) => w.hex(64), 'api_key'),
  // observability
  p('datadog', 'DD_API_KEY', 'api.datadoghq.com', (w) => w.hex(32)),
  p('datadog-app', 'DD_APP_KEY', 'api.datadoghq.com', (w) => w.hex(40)),
  p('newrelic', 'NEW_RELIC_API_KEY', 'api.newrelic.com', (w) => `NRAK-${w.an(27, `${UP}${DIG}`)}`),
  p('newrelic-license', 'NEW_RELIC_LICENSE_KEY', 'collector.newrelic.com', (w) => `${w.hex(36)}NRAL`),
  p('sentry-auth', 'SENTRY_AUTH_TOKEN', 'sentry.io', (w) => `sntrys_eyJpYXQiOj${w.an(120, URLSAFE)}`),
  p('grafana', 'GRAFANA_SERVICE_ACCOUNT_TOKEN', 'acme.grafana.net', (w) => `glsa_${w.an(32)}_${w.hex(8)}`),
  p('grafana-cloud', 'GRAFANA_CLOUD_TOKEN', 'grafana.com', (w) => `glc_eyJvIjoi${w.an(100, URLSAFE)}`),
  p('honeycomb', 'HONEYCOMB_API_KEY', 'api.honeycomb.io', (w) => `hcaik_${w.an(58, ANL)}`),
  p('pagerduty', 'PAGERDUTY_TOKEN', 'api.pagerduty.com', (w) => `u+${w.an(18, URLSAFE)}`),
  p('opsgenie', 'OPSGENIE_API_KEY', 'api.opsgenie.com', (w) => w.uuid()),
  p(
    'dynatrace',
    'DT_API_TOKEN',
    'acme.live.dynatrace.com',
    (w) => `dt0c01.${w.an(24, `${UP}${DIG}`)}.${w.an(64, `${UP}${DIG}`)}`,
  ),
  p('rollbar', 'ROLLBAR_ACCESS_TOKEN', 'api.rollbar.com', (w) => w.hex(32)),
  p('bugsnag', 'BUGSNAG_API_KEY', 'notify.bugsnag.com', (w) => w.hex(32)),
  p('elastic', 'ELASTIC_API_KEY', 'acme.es.io', (w) =>
    Buffer.from(`${w.an(20, URLSAFE)}:${w.an(22, URLSAFE)}`).toString('base64'),
  ),
  p('logdna', 'LOGDNA_INGESTION_KEY', 'logs.mezmo.com', (w) => w.hex(32)),
  // auth providers and generic
  p('okta', 'OKTA_API_TOKEN', 'acme.okta.com', (w) => `00${w.an(40, URLSAFE)}`),
  p('auth0', 'AUTH0_CLIENT_SECRET', 'acme.auth0.com', (w) => w.an(64, URLSAFE)),
  p(
    'azure-client-secret',
    'AZURE_CLIENT_SECRET',
    'login.microsoftonline.com',
    (w) => `${w.an(3)}8Q~${w.an(34, `${AN}_~.-`)}`,
  ),
  p('firebase', 'FCM_SERVER_KEY', 'fcm.googleapis.com', (w) => `AAAA${w.an(7, URLSAFE)}:APA91b${w.an(134, URLSAFE)}`),
  p('generic-api-key-uuid', 'PARTNER_API_KEY', 'api.partner.example.net', (w) => w.uuid(), 'api_key'),
  p('generic-secret-hex', 'WEBHOOK_SECRET', 'hooks.internal.example.net', (w) => w.hex(40)),
  p(
    'generic-access-token',
    'SERVICE_ACCESS_TOKEN',
    'api.internal.example.net',
    (w) => w.an(48, URLSAFE),
    'access_token',
  ),
  p('generic-client-secret', 'OIDC_CLIENT_SECRET', 'sso.internal.example.net', (w) => w.an(32)),
];

const camel = (env: string): string => {
  const parts = env.toLowerCase().split('_');
  return parts.map((x, i) => (i === 0 ? x : x.charAt(0).toUpperCase() + x.slice(1))).join('');
};
const snake = (env: string): string => env.toLowerCase();
/** The name's part after the provider word (OPENAI_API_KEY -> apiKey): how SDK options call it. */
const option = (env: string): string => camel(env.split('_').slice(1).join('_') || env);
const vendor = (env: string): string => (env.split('_')[0] as string).toLowerCase();

type Carrier = (w: W, x: P, s: string) => string;

const DEV: Carrier[] = [
  (_w, x, s) => `# .env\n${x.env}=${s}\nLOG_LEVEL=info`,
  (w, x, s) =>
    `{\n  "service": "${vendor(x.env)}",\n  "${option(x.env)}": "${s}",\n  "timeoutMs": ${w.int(9000) + 1000}\n}`,
  (_w, x, s) =>
    `${vendor(x.env)}:\n  ${snake(x.env.split('_').slice(1).join('_') || x.env)}: ${s}\n  region: eu-west-1`,
  (_w, x, s) => `curl -s https://${x.host}/v1/me -H "Authorization: Bearer ${s}"`,
  (_w, x, s) => `GET https://${x.host}/v1/items?${x.param ?? 'api_key'}=${s}&limit=20`,
  (_w, x, s) => `my ${vendor(x.env)} token is ${s} and the request still fails with 401, any idea?`,
  (_w, x, s) =>
    `client = ${vendor(x.env).replace(/^./, (c) => c.toUpperCase())}Client(${snake(x.env.split('_').slice(1).join('_') || 'key')}="${s}")`,
];

const HOLDOUT: Carrier[] = [
  (_w, x, s) => `export ${x.env}='${s}'`,
  (_w, x, s) => `[${vendor(x.env)}]\n${snake(x.env.split('_').slice(1).join('_') || 'key')} = "${s}"\nretries = 3`,
  (_w, x, s) => `        env:\n          - name: ${x.env}\n            value: "${s}"`,
  (_w, x, s) => `docker run --rm -e ${x.env}=${s} ghcr.io/acme/worker:1.4`,
  (_w, x, s) => `const res = await fetch("https://${x.host}/v2/search?q=status&${x.param ?? 'key'}=${s}");`,
  (_w, x, s) => `Use the key ${s} to call the ${vendor(x.env)} API from the staging box.`,
  (_w, x, s) => `Here is the ${vendor(x.env)} credential you asked for: ${s}`,
  (_w, x, s) => `const cfg = { ${option(x.env)}: "${s}", region: "us-east-1" };`,
  (_w, x, s) => `$env:${x.env} = "${s}"`,
];

export interface WildCorpus {
  positives: SecretSample[];
  lookalikes: LookalikeSample[];
}

/** The set for one split; `per` repeats it with fresh random values. */
export function wildCorpus(split: Split, per = 1): WildCorpus {
  const w = new W(split === 'dev' ? 0x3a11d : 0x7e9b3);
  const carriers = split === 'dev' ? DEV : HOLDOUT;
  const positives: SecretSample[] = [];
  const lookalikeSet: LookalikeSample[] = [];
  for (let k = 0; k < per; k++) {
    for (const x of PROVIDERS) {
      // one carrier per provider and round, rotating, so each provider meets every carrier over rounds
      for (const c of [carriers[(PROVIDERS.indexOf(x) + k) % carriers.length] as Carrier, w.pick(carriers)]) {
        const secret = x.make(w);
        positives.push({ source: x.source, family: 'provider', text: c(w, x, secret), secret });
      }
    }
    positives.push(...urlCredentials(w, split));
    lookalikeSet.push(...wildLookalikes(w, split));
  }
  return { positives, lookalikes: lookalikeSet };
}

export const WILD_PROVIDERS: number = PROVIDERS.length;
