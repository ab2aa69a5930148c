// Generators, URL credentials and look-alikes of the red team's classes set (secrets-wild.ts has the providers and the
// carriers): tokens are random at run time, from a seed; no real secret is committed.
import { rng } from './generate.ts';
import type { LookalikeSample, SecretSample, Split } from './secrets-corpus.ts';

export const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LO = 'abcdefghijklmnopqrstuvwxyz';
export const DIG = '0123456789';
export const AN = UP + LO + DIG;
export const ANL = LO + DIG;
export const HEX = '0123456789abcdef';
export const B64 = `${AN}+/`;
export const URLSAFE = `${AN}_-`;

export class W {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int = (n: number): number => Math.floor(this.r() * n);
  pick = <T>(xs: readonly T[]): T => xs[this.int(xs.length)] as T;
  s = (alpha: string, n: number): string => {
    let o = '';
    for (let i = 0; i < n; i++) o += alpha[this.int(alpha.length)];
    return o;
  };
  /** Random characters with at least one upper, lower and digit when the alphabet has them (a real token does). */
  an = (n: number, alpha = AN): string => {
    for (let tries = 0; ; tries++) {
      if (tries > 1000) throw new Error(`an(${n}, ${alpha})`);
      const x = this.s(alpha, n);
      if (
        (!/[A-Z]/.test(alpha) || /[A-Z]/.test(x)) &&
        (!/[a-z]/.test(alpha) || /[a-z]/.test(x)) &&
        (!/\d/.test(alpha) || /\d/.test(x))
      )
        return x;
    }
  };
  hex = (n: number): string => this.an(n, HEX);
  uuid = (): string => {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${this.pick(['8', '9', 'a', 'b'])}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  b64 = (bytes: number): string => Buffer.from(Array.from({ length: bytes }, () => this.int(256))).toString('base64');
  digits = (n: number): string => this.pick('123456789'.split('')) + this.s(DIG, n - 1);
}

/** Credentials in URLs: user:password@host in the forms clients and tools print them. */
export function urlCredentials(w: W, split: Split): SecretSample[] {
  const pass = () => w.an(w.pick([12, 16, 20, 24]), `${AN}_-.~`);
  const mk = (source: string, text: (s: string) => string, secret = pass()): SecretSample => ({
    source,
    family: 'url',
    text: text(secret),
    secret,
  });
  if (split === 'dev')
    return [
      mk('url-userinfo-https', (s) => `git remote set-url origin https://deploy:${s}@git.acme.io/platform/api.git`),
      mk('url-userinfo-registry', (s) => `pip install --index-url https://ci:${s}@pypi.acme.io/simple/ acme-sdk`),
      mk('url-userinfo-amqp', (s) => `BROKER_URL=amqp://worker:${s}@rabbit.internal:5672/jobs`),
      mk('url-userinfo-redis', (s) => `REDIS_URL=redis://:${s}@cache.internal:6379/0`),
      mk('url-token-user', (s) => `git clone https://${s}@github.com/acme/infra.git`, `ghp_${w.an(36)}`),
      mk('url-oauth2-user', (s) => `https://oauth2:${s}@gitlab.com/acme/app.git`, `glpat-${w.an(20, URLSAFE)}`),
      mk(
        'url-query-sig',
        (s) =>
          `https://acme.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01T00:00:00Z&sig=${s}`,
        encodeURIComponent(w.b64(32)),
      ),
    ];
  return [
    mk('url-userinfo-https', (s) => `Cloning from https://admin:${s}@registry.acme.dev/v2/ failed with 403.`),
    mk('url-userinfo-mysql', (s) => `DATABASE_URL="mysql://app:${s}@db.acme.internal:3306/shop"`),
    mk(
      'url-userinfo-mongodb',
      (s) => `MONGO_URI=mongodb+srv://svc:${s}@cluster0.ab12c.mongodb.net/prod?retryWrites=true`,
    ),
    mk('url-userinfo-ftp', (s) => `lftp ftp://backup:${s}@files.acme.net/nightly`),
    mk(
      'url-token-user',
      (s) => `npm install git+https://${s}:x-oauth-basic@github.com/acme/private-lib.git`,
      `ghp_${w.an(36)}`,
    ),
    mk('url-x-access-token', (s) => `https://x-access-token:${s}@github.com/acme/site.git`, `ghs_${w.an(36)}`),
    mk(
      'url-query-sig',
      (s) =>
        `curl "https://storage.googleapis.com/acme/report.csv?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=svc%40acme.iam.gserviceaccount.com&X-Goog-Signature=${s}"`,
      w.hex(256),
    ),
  ];
}

export function wildLookalikes(w: W, split: Split): LookalikeSample[] {
  const L = (source: string, text: string): LookalikeSample => ({ source, text });
  const pem = (label: string, bytes: number) =>
    `-----BEGIN ${label}-----\n${(w.b64(bytes).match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----`;
  const sha = () => w.hex(40);
  if (split === 'dev')
    return [
      L('public-key', `Add this to the verifier config:\n${pem('PUBLIC KEY', 294)}`),
      L('public-key', `key.pub:\n${pem('PUBLIC KEY', 91)}`),
      L(
        'ssh-public-key',
        `echo "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${w.s(B64, 540)}= deploy@ci" >> ~/.ssh/authorized_keys`,
      ),
      L('ssh-public-key', `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${w.s(B64, 43)} jane@laptop`),
      L('certificate', `ca.crt: |\n${pem('CERTIFICATE', 700)}`),
      L(
        'git-sha',
        `commit ${sha()}\nAuthor: Jane Doe\nDate:   Tue Nov 4 10:12:33 2025 +0100\n\n    fix: retry token refresh`,
      ),
      L('git-sha', `git cherry-pick ${sha()} && git push origin release/1.4`),
      L('git-sha', `Fixed in ${sha()} (merged as part of #4821).`),
      L('git-sha', `GIT_COMMIT=${sha()}\nBUILD_NUMBER=1842`),
      L('git-remote', `git remote add upstream git@github.com:acme-corp/api-gateway.git`),
      L('git-remote', `Set the remote to git@gitlab.com:platform/infra/terraform-modules.git and push.`),
      L('placeholder', `OPENAI_API_KEY=<your-openai-api-key>\nANTHROPIC_API_KEY=<your-anthropic-key>`),
      L('placeholder', `{"apiKey": "YOUR_API_KEY", "secret": "YOUR_SECRET"}`),
      L('placeholder', `export STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`),
      L('placeholder', `Authorization: Bearer \${ACCESS_TOKEN}`),
      L('placeholder', `token: "{{ .Values.github.token }}"`),
      L('id', `AZURE_CLIENT_ID=${w.uuid()}\nAZURE_TENANT_ID=${w.uuid()}`),
      L('id', `{"request_id": "${w.uuid()}", "status": "ok"}`),
      L('id', `key_id: ${w.uuid()}`),
      L('hash', `sha256sum: ${w.hex(64)}  terraform_1.9.8_linux_amd64.zip`),
      L('hash', `image: ghcr.io/acme/api@sha256:${w.hex(64)}`),
      L('hash', `"integrity": "sha512-${w.b64(64)}"`),
      L('test-fixture', `def test_login():\n    assert login("alice", password="hunter2") is None`),
      L(
        'docs-prose',
        `Your API key is shown once in the dashboard; the token is then sent in the Authorization header.`,
      ),
    ];
  return [
    L(
      'public-key',
      `-----BEGIN RSA PUBLIC KEY-----\n${(w.b64(270).match(/.{1,64}/g) ?? []).join('\n')}\n-----END RSA PUBLIC KEY-----`,
    ),
    L('public-key', `const verifyKey = \`${pem('PUBLIC KEY', 294)}\`;`),
    L(
      'ssh-public-key',
      `github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB${w.s(B64, 87)}=`,
    ),
    L('ssh-public-key', `ssh_authorized_keys:\n  - ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQ${w.s(B64, 700)} ops@bastion`),
    L(
      'pgp-public-key',
      `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${(w.b64(400).match(/.{1,64}/g) ?? []).join('\n')}\n=${w.s(B64, 4)}\n-----END PGP PUBLIC KEY BLOCK-----`,
    ),
    L(
      'jwks',
      `{"keys":[{"kty":"RSA","kid":"${w.an(20)}","use":"sig","alg":"RS256","n":"${w.s(URLSAFE, 342)}","e":"AQAB"}]}`,
    ),
    L('git-sha', `git revert --no-edit ${sha()}`),
    L('git-sha', `See https://github.com/acme/api/commit/${sha()} for the change.`),
    L('git-sha', `HEAD is now at ${sha().slice(0, 7)} bump version; previous head ${sha()}`),
    L('git-sha', `"sha": "${sha()}", "ref": "refs/heads/main"`),
    L('git-remote', `git clone git@bitbucket.org:acme/mobile-app.git && cd mobile-app`),
    L('git-remote', `url = ssh://git@git.acme.io:2222/infra/charts.git`),
    L('placeholder', `PINECONE_API_KEY=<INSERT_KEY_HERE>\nGROQ_API_KEY=gsk_...`),
    L('placeholder', `export GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`),
    L('placeholder', `api_key = "changeme"\napi_secret = "********"`),
    L('id', `SUBSCRIPTION_ID=${w.uuid()}\nRESOURCE_GROUP=rg-prod`),
    L('id', `"tenantId": "${w.uuid()}", "clientId": "${w.uuid()}"`),
    L('hash', `go.opentelemetry.io/otel v1.28.0 h1:${w.b64(32)}`),
    L('hash', `"etag": "${w.hex(32)}"`),
    L('data-uri', `<img src="data:image/png;base64,${w.b64(300)}">`),
    L('test-fixture', `const FAKE_TOKEN = "test-token-123";\nexpect(auth(FAKE_TOKEN)).toBe(false);`),
    L('docs-prose', `Rotate the secret key every 90 days and keep the access token short-lived.`),
  ];
}
