// A development set of realistic NON-secrets, written from principles and from what public documentation shows —
// not from the held-out look-alikes of secrets-corpus.ts (which stay untouched for the final figure). Each kind is a
// reason a string looks like a credential without being one:
// - documented example keys (AWS's IAM user guide pair, the formats vendors print in their docs with EXAMPLE /
//   placeholder bodies),
// - placeholders: x / X / * / 0 runs, `<...>`, `${...}`, `{{ ... }}`, `your-…-here`, `changeme`, `REPLACE_ME`, `...`,
// - test fixtures: values named fake / dummy / mock / test / sample,
// - hashes where a hash is expected (sha1 / sha256 / sha512 / md5 / commit / etag / digest / checksum / integrity),
// - identifiers: UUIDs, request ids, version and build strings, sequential or repeated characters,
// - encoded text that is not a key (base64 of prose), code that names a secret without holding one.
// Random parts come from a seed so the set is the same on every run; `lookalikeDev()` is what rules may be tuned on.
import { rng } from './generate.ts';
import type { LookalikeSample } from './secrets-corpus.ts';

const HEX = '0123456789abcdef';
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function lookalikeDev(seed = 0x10a1): LookalikeSample[] {
  const r = rng(seed);
  const s = (alpha: string, n: number) => {
    let o = '';
    for (let i = 0; i < n; i++) o += alpha[Math.floor(r() * alpha.length)];
    return o;
  };
  const hex = (n: number) => s(HEX, n);
  const uuid = () => {
    const h = hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const L = (source: string, text: string): LookalikeSample => ({ source, text });
  return [
    // documented example keys (AWS IAM user guide; the EXAMPLE marker vendors use)
    L(
      'docs-example',
      '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = us-west-2',
    ),
    L(
      'docs-example',
      'export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    ),
    L(
      'docs-example',
      'Your API key looks like `AIzaSyEXAMPLEEXAMPLEEXAMPLEEXAMPLE123`; restrict it to your app in the console.',
    ),
    L('docs-example', 'client = OpenAI(api_key="sk-proj-EXAMPLEKEY1234567890abcdefEXAMPLE")'),
    L('docs-example', 'SLACK_BOT_TOKEN=xoxb-000000000000-0000000000000-EXAMPLEEXAMPLEEXAMPLE00'),
    L('docs-example', 'STRIPE_SECRET_KEY=sk_test_EXAMPLEXXXXXXXXXXXXXXXXXXXXX'),
    // placeholders
    L('placeholder', 'OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    L('placeholder', 'GOOGLE_API_KEY=AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'),
    L('placeholder', 'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX'),
    L('placeholder', 'token: ghp_************************************'),
    L('placeholder', 'api_key = "<YOUR_API_KEY>"\nsecret_key = "<YOUR_SECRET_KEY>"'),
    L('placeholder', 'export ANTHROPIC_API_KEY="your-anthropic-api-key-here"'),
    L('placeholder', 'DATABASE_PASSWORD=changeme\nADMIN_PASSWORD=REPLACE_ME_BEFORE_DEPLOY'),
    L('placeholder', 'headers = {"Authorization": "Bearer YOUR_ACCESS_TOKEN_HERE"}'),
    L('placeholder', 'stripe.api_key = "sk_live_0000000000000000000000000000"'),
    L('placeholder', 'client_secret: "{{ .Values.oauth.clientSecret }}"\napi_token: "${API_TOKEN}"'),
    L('placeholder', 'GITLAB_TOKEN=glpat-XXXXXXXXXXXXXXXXXXXX'),
    L('placeholder', 'password = "********"  # set via the PASSWORD env var'),
    // variable references and ALL_CAPS names standing for a value (shell, templates, f-strings)
    L('variable', 'requests.get(url, headers={"Authorization": f"Bearer {token}"})'),
    L('variable', 'curl -H "Authorization: Bearer ${GITHUB_TOKEN}" https://api.github.com/user'),
    L('variable', 'curl -u "$JIRA_USER:$JIRA_API_TOKEN" https://acme.atlassian.net/rest/api/3/myself'),
    L('variable', 'DATABASE_URL=postgresql://DB_USER:DB_PASSWORD@localhost:5432/app'),
    L('variable', 'mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/test'),
    L('variable', 'docker login -u "$DOCKER_USERNAME" -p "$DOCKER_PASSWORD" registry.example.com'),
    // test fixtures
    L('test-fixture', 'def test_client():\n    c = Client(api_key="fake-api-key-for-testing")\n    assert c.ping()'),
    L('test-fixture', 'const mockToken = "mock_access_token_1234567890";\nexpect(auth(mockToken)).toBe(true);'),
    L(
      'test-fixture',
      '@pytest.fixture\ndef creds():\n    return {"api_key": "dummy_key_abcdefghijklmnop", "secret": "dummy_secret_value"}',
    ),
    L('test-fixture', 'it("accepts a token", () => { verify({ token: "test_token_0123456789abcdef" }); });'),
    L('test-fixture', 'SECRET_KEY = "django-insecure-test-key-not-for-production-use"'),
    // hashes where a hash is expected
    L('hash', `sha256: ${hex(64)}`),
    L('hash', `commit ${hex(40)}\nMerge: ${hex(7)} ${hex(7)}`),
    L('hash', `ETag: "${hex(32)}"\nCache-Control: max-age=3600`),
    L('hash', `md5sum ${hex(32)}  backup.tar.gz`),
    L('hash', `"checksum": "sha1:${hex(40)}", "size": 18231`),
    L('hash', `docker pull nginx@sha256:${hex(64)}`),
    L('hash', `git checkout ${hex(40)} -- src/app.ts`),
    L('hash', `digest = "${hex(64)}"  # sha256 of the artifact`),
    L('hash', `pip install requests==2.32.3 --hash=sha256:${hex(64)}`),
    // identifiers
    L('uuid', `tenant_id: ${uuid()}\nclient_id: ${uuid()}`),
    L('uuid', `X-Request-Id: ${uuid()}\nX-Correlation-Id: ${uuid()}`),
    L('uuid', `"subscriptionId": "${uuid()}", "resourceGroup": "prod-rg"`),
    L('identifier', `build: ${hex(8)}-${s('0123456789', 8)} version: 1.42.0-rc.3+sha.${hex(7)}`),
    L('identifier', `trace_id=${hex(32)} span_id=${hex(16)} parent_id=${hex(16)}`),
    L('identifier', 'api_key_id: key-2024-11-02-rotation-a\nkey_name: billing-service-prod'),
    L('sequential', 'api_key = "abcdefghijklmnopqrstuvwxyz123456"'),
    L('sequential', 'token=1234567890abcdef1234567890abcdef'),
    L('sequential', 'secret: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'),
    // encoded text and code that names a secret
    L(
      'base64-text',
      `payload: ${Buffer.from('Hello from the deployment pipeline; nothing secret in here at all.').toString('base64')}`,
    ),
    L(
      'code-without-secret',
      'token = request.headers.get("Authorization", "").removeprefix("Bearer ")\nif not token:\n    raise Unauthorized()',
    ),
    L(
      'code-without-secret',
      'const secret = await secrets.get(`${env}/db-password`);\nconst apiKey = config.apiKey ?? process.env.API_KEY;',
    ),
    L('code-without-secret', 'password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())'),
    L(
      'prose',
      'Your access key ID and secret access key are shown once; download the CSV and store the secret key in a password manager.',
    ),
    L('random-id', `Order ${s(AN, 12)} shipped; tracking number ${s('0123456789', 12)}.`),
  ];
}
