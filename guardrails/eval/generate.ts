// Labelled corpus for the redaction detectors, generated from a seed so that no real secret is ever committed:
// every key, token, card number and IBAN below is made up at run time in the shape (and with the checksums) of
// the real thing. Positives embed one secret in a realistic context; hard negatives are texts that look like
// secrets to a naive scanner (UUIDs, git SHAs, hashes, base64 blobs, versions, dates, placeholders, public keys,
// certificates) and must come out unchanged.
import { generateKey } from '../../api/keys.ts';
import type { BuiltinDetector } from '../detectors.ts';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Positive {
  detector: BuiltinDetector;
  text: string;
  /** The sensitive substring that must not survive. */
  secret: string;
}

export interface Negative {
  category: string;
  text: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';

class Gen {
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
  str(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** Random key-like text that mixes cases and digits (like real generated keys). */
  mixed(alphabet: string, n: number): string {
    for (;;) {
      const s = this.str(alphabet, n);
      if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s)) return s;
    }
  }
  b64bytes(n: number): string {
    return Buffer.from(Array.from({ length: n }, () => this.int(256))).toString('base64');
  }
  b64url(obj: unknown): string {
    return Buffer.from(JSON.stringify(obj)).toString('base64url');
  }
}

function luhnComplete(prefix: string, length: number, g: Gen): string {
  let body = prefix;
  while (body.length < length - 1) body += g.str(DIGITS, 1);
  for (let d = 0; d < 10; d++) {
    const n = body + d;
    let sum = 0;
    let dbl = false;
    for (let i = n.length - 1; i >= 0; i--) {
      let v = n.charCodeAt(i) - 48;
      if (dbl) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
      dbl = !dbl;
    }
    if (sum % 10 === 0) return n;
  }
  throw new Error('unreachable');
}

function ibanFor(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let rem = 0;
  for (const ch of rearranged) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  const check = String(98 - rem).padStart(2, '0');
  return `${country}${check}${bban}`;
}

const group4 = (s: string) => s.replace(/(.{4})(?!$)/g, '$1 ');

function pem(g: Gen, label: string, bytes: number, jsonEscaped = false): string {
  const body = g
    .b64bytes(bytes)
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  const nl = jsonEscaped ? '\\n' : '\n';
  return `-----BEGIN ${label}-----${nl}${body.split('\n').join(nl)}${nl}-----END ${label}-----`;
}

const NAMES = [
  'alice',
  'bob',
  'carol',
  'dmitri',
  'eun-ji',
  'farah',
  'gustavo',
  'hiro',
  'ines',
  'jamal',
  'kofi',
  'lena',
];
const SURNAMES = ['smith', 'nguyen', 'garcia', 'mueller', 'okafor', 'rossi', 'tanaka', 'kowalski', 'dubois', 'haddad'];
// real-looking, not reserved: example.com/.net/.org and *.example / *.test are not personal data (pii.ts)
const DOMAINS = ['contoso.com', 'corp.fabrikam.org', 'mail.northwind.net', 'example.co.uk', 'research.example.io'];
const INTROS = [
  'Sure, here is the configuration you asked for:',
  'I found this in the logs:',
  'Based on the document, the value is',
  'Here you go —',
  'The previous message contained',
  'From the .env file:',
  'Example output:',
  'According to the record,',
];
const OUTROS = [
  '',
  ' Let me know if you need anything else.',
  ' Keep it safe.',
  '\n\nIs there anything else?',
  ' (copied verbatim)',
];

type Maker = (g: Gen) => { secret: string; text: string };

const say = (g: Gen, body: string) => `${g.pick(INTROS)} ${body}${g.pick(OUTROS)}`;

const MAKERS: Record<BuiltinDetector, Maker[]> = {
  'aws-access-key': [
    (g) => {
      const s = g.pick(['AKIA', 'ASIA', 'AROA']) + g.str(`${UPPER}234567`, 16);
      return { secret: s, text: say(g, `aws_access_key_id = ${s}`) };
    },
    (g) => {
      const s = `AKIA${g.str(`${UPPER}234567`, 16)}`;
      return { secret: s, text: `export AWS_ACCESS_KEY_ID="${s}"\nexport AWS_REGION=eu-west-1` };
    },
    (g) => {
      const s = `AKIA${g.str(`${UPPER}234567`, 16)}`;
      return { secret: s, text: `The key id ${s} belongs to the deploy user.` };
    },
  ],
  'aws-secret-key': [
    (g) => {
      const s = g.mixed(B64, 40);
      return { secret: s, text: say(g, `\n[default]\naws_secret_access_key = ${s}\n`) };
    },
    (g) => {
      const s = g.mixed(B64, 40);
      return { secret: s, text: `AWS_SECRET_ACCESS_KEY=${s} npm run deploy` };
    },
    (g) => {
      const s = g.mixed(B64, 40);
      return {
        secret: s,
        text: `{"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "${s}", "Expiration": "2030-01-01"}`,
      };
    },
  ],
  'gcp-service-account': [
    (g) => {
      const s = g.str(HEX, 40);
      return {
        secret: s,
        text: `{\n  "type": "service_account",\n  "project_id": "demo-project",\n  "private_key_id": "${s}",\n  "client_email": "svc@demo-project.iam.gserviceaccount.com"\n}`,
      };
    },
    (g) => {
      const k = pem(g, 'PRIVATE KEY', 600, true);
      return {
        secret: k.slice(40, 120),
        text: `{"type": "service_account", "private_key": "${k}\\n", "client_id": "1234"}`,
      };
    },
  ],
  'gcp-api-key': [
    (g) => {
      const s = `AIza${g.str(`${ALNUM}-_`, 35)}`;
      return { secret: s, text: say(g, `GOOGLE_API_KEY=${s}`) };
    },
    (g) => {
      const s = `AIza${g.str(`${ALNUM}-_`, 35)}`;
      return { secret: s, text: `fetch("https://maps.example.com/api/js?key=${s}&callback=init")` };
    },
  ],
  'azure-storage-key': [
    (g) => {
      const s = `${g.mixed(B64, 86)}==`;
      return {
        secret: s,
        text: `DefaultEndpointsProtocol=https;AccountName=acct${g.int(99)};AccountKey=${s};EndpointSuffix=core.windows.net`,
      };
    },
    (g) => {
      const s = `${g.mixed(B64, 43)}=`;
      return {
        secret: s,
        text: say(
          g,
          `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`,
        ),
      };
    },
  ],
  'private-key': [
    (g) => {
      const k = pem(
        g,
        g.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']),
        300 + g.int(900),
      );
      return { secret: k.split('\n')[2] ?? k, text: say(g, `\n${k}\n`) };
    },
    (g) => {
      const k = pem(g, 'ENCRYPTED PRIVATE KEY', 500);
      return { secret: k.split('\n')[1] ?? k, text: `key.pem:\n\`\`\`\n${k}\n\`\`\`` };
    },
  ],
  jwt: [
    (g) => {
      const s = `${g.b64url({ alg: 'HS256', typ: 'JWT' })}.${g.b64url({ sub: String(g.int(1e9)), name: g.pick(NAMES), iat: 1700000000 + g.int(1e6) })}.${g.str(B64URL, 43)}`;
      return { secret: s, text: say(g, `token: ${s}`) };
    },
    (g) => {
      const s = `${g.b64url({ alg: 'RS256', kid: g.str(HEX, 16) })}.${g.b64url({ iss: 'https://issuer.example.com', aud: 'api', scope: 'read write', exp: 1900000000, groups: Array.from({ length: 20 }, () => g.str(LOWER, 8)) })}.${g.str(B64URL, 342)}`;
      return { secret: s, text: `Cookie: session=${s}; Path=/` };
    },
  ],
  'bearer-token': [
    (g) => {
      const s = g.mixed(`${ALNUM}._-`, 32 + g.int(20));
      return { secret: s, text: `curl -H "Authorization: Bearer ${s}" https://api.example.com/v1/items` };
    },
    (g) => {
      const s = g.mixed(ALNUM, 40);
      return { secret: s, text: say(g, `Authorization: Basic ${s}`) };
    },
    (g) => {
      const s = g.mixed(`${ALNUM}-`, 36);
      return { secret: s, text: `Use the header \`Authorization: Bearer ${s}\` on every call.` };
    },
  ],
  'connection-string': [
    (g) => {
      const s = g.mixed(`${ALNUM}!_`, 16);
      return {
        secret: s,
        text: say(g, `DATABASE_URL=postgres://app_user:${s}@db-${g.int(9)}.internal.example.com:5432/orders`),
      };
    },
    (g) => {
      const s = g.mixed(ALNUM, 20);
      return { secret: s, text: `mongodb+srv://admin:${s}@cluster0.abcde.mongodb.net/?retryWrites=true` };
    },
    (g) => {
      const s = g.mixed(ALNUM, 24);
      return { secret: s, text: `REDIS_URL=redis://default:${s}@cache.example.com:6379/0` };
    },
    (g) => {
      const s = g.mixed(`${ALNUM}#!`, 14);
      return {
        secret: s,
        text: `Server=tcp:sql.example.net,1433;Database=app;User ID=svc;Password=${s};Encrypt=True;`,
      };
    },
  ],
  'slack-token': [
    (g) => {
      const s = `xoxb-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.str(ALNUM, 24)}`;
      return { secret: s, text: say(g, `SLACK_BOT_TOKEN=${s}`) };
    },
    (g) => {
      const s = `xoxp-${g.str(DIGITS, 11)}-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.str(HEX, 32)}`;
      return { secret: s, text: `token ${s} was revoked` };
    },
    (g) => {
      const s = g.str(ALNUM, 24);
      return {
        secret: s,
        text: `POST to https://hooks.slack.com/services/T${g.str(UPPER + DIGITS, 8)}/B${g.str(UPPER + DIGITS, 10)}/${s}`,
      };
    },
  ],
  'github-token': [
    (g) => {
      const s = `ghp_${g.str(ALNUM, 36)}`;
      return { secret: s, text: say(g, `GITHUB_TOKEN=${s}`) };
    },
    (g) => {
      const s = `github_pat_${g.str(ALNUM, 22)}_${g.str(ALNUM, 59)}`;
      return { secret: s, text: `git clone https://${s}@github.com/org/repo.git` };
    },
    (g) => {
      const s = `${g.pick(['gho', 'ghs', 'ghu'])}_${g.str(ALNUM, 36)}`;
      return { secret: s, text: `the action printed ${s} in its log` };
    },
  ],
  'stripe-key': [
    (g) => {
      const s = `sk_live_${g.str(ALNUM, 24 + g.int(75))}`;
      return { secret: s, text: say(g, `stripe.api_key = "${s}"`) };
    },
    (g) => {
      const s = `rk_test_${g.str(ALNUM, 24)}`;
      return { secret: s, text: `STRIPE_RESTRICTED_KEY=${s}` };
    },
    (g) => {
      const s = `whsec_${g.str(ALNUM, 32)}`;
      return { secret: s, text: `endpoint secret: ${s}` };
    },
  ],
  'openai-key': [
    // OpenAI's keys carry T3BlbkFJ ("OpenAI" in base64) between two random halves
    (g) => {
      const n = g.pick([58, 74]);
      const s = `sk-proj-${g.mixed(`${ALNUM}_-`, n)}T3BlbkFJ${g.mixed(`${ALNUM}_-`, n)}`;
      return { secret: s, text: say(g, `OPENAI_API_KEY=${s}`) };
    },
    (g) => {
      const s = `sk-${g.mixed(ALNUM, 20)}T3BlbkFJ${g.mixed(ALNUM, 20)}`;
      return { secret: s, text: `client = OpenAI(api_key="${s}")` };
    },
  ],
  'tollgate-key': [
    () => {
      const s = generateKey();
      return { secret: s, text: `Your Tollgate key is ${s}; store it in a secret manager.` };
    },
    (g) => {
      const s = generateKey();
      return { secret: s, text: say(g, `curl -H "x-api-key: ${s}" http://gateway/v1/models`) };
    },
  ],
  'credit-card': [
    (g) => {
      const s = luhnComplete(g.pick(['4', '51', '53', '55', '2221']), 16, g);
      const f = g.pick([s, group4(s), s.replace(/(.{4})(?!$)/g, '$1-')]);
      return { secret: f, text: say(g, `card number ${f}, exp 09/29`) };
    },
    (g) => {
      const s = luhnComplete(g.pick(['34', '37']), 15, g);
      const f = `${s.slice(0, 4)} ${s.slice(4, 10)} ${s.slice(10)}`;
      return { secret: f, text: `Amex on file: ${f}.` };
    },
    (g) => {
      const s = luhnComplete('6011', 16, g);
      return { secret: s, text: `Customer paid with ${s} yesterday.` };
    },
  ],
  email: [
    (g) => {
      const s = `${g.pick(NAMES)}.${g.pick(SURNAMES)}@${g.pick(DOMAINS)}`;
      return { secret: s, text: say(g, `contact ${s} for access`) };
    },
    (g) => {
      const s = `${g.pick(NAMES)}+${g.str(LOWER, 4)}@${g.pick(DOMAINS)}`;
      return { secret: s, text: `From: ${g.pick(NAMES)} <${s}>` };
    },
  ],
  phone: [
    (g) => {
      const s = `(${200 + g.int(700)}) ${200 + g.int(700)}-${String(g.int(10000)).padStart(4, '0')}`;
      return { secret: s, text: say(g, `call me at ${s}`) };
    },
    (g) => {
      const s = `+1 ${200 + g.int(700)}-${200 + g.int(700)}-${String(g.int(10000)).padStart(4, '0')}`;
      return { secret: s, text: `Phone: ${s}` };
    },
    (g) => {
      const s = `+44 20 ${7000 + g.int(2000)} ${String(g.int(10000)).padStart(4, '0')}`;
      return { secret: s, text: `London office ${s}, ask for ${g.pick(NAMES)}.` };
    },
    (g) => {
      const s = `+49 30 ${String(10000000 + g.int(89999999))}`;
      return { secret: s, text: `Tel.: ${s}` };
    },
  ],
  iban: [
    (g) => {
      const s = ibanFor('DE', g.str(DIGITS, 18));
      return { secret: s, text: say(g, `IBAN ${s}`) };
    },
    (g) => {
      const s = ibanFor('GB', `${g.str(UPPER, 4)}${g.str(DIGITS, 14)}`);
      const f = group4(s);
      return { secret: f, text: `Please wire to ${f} (Barclays).` };
    },
    (g) => {
      const s = ibanFor('FR', g.str(DIGITS, 23));
      return { secret: s, text: `Bénéficiaire: ${g.pick(SURNAMES)}, IBAN: ${s}` };
    },
    (g) => {
      const s = ibanFor('NL', `${g.str(UPPER, 4)}${g.str(DIGITS, 10)}`);
      return { secret: group4(s), text: `rekening ${group4(s)}` };
    },
  ],
  'us-ssn': [
    (g) => {
      // as issued: area 001-665 or 667-899, group 01-99, serial 0001-9999 (pii.ts ssnValid)
      const area = String(1 + g.int(665)).padStart(3, '0');
      const s = `${area}-${String(1 + g.int(99)).padStart(2, '0')}-${String(1 + g.int(9999)).padStart(4, '0')}`;
      return { secret: s, text: say(g, `${g.pick(NAMES)}'s SSN is ${s}`) };
    },
    (g) => {
      const s = `${700 + g.int(199)} ${String(1 + g.int(99)).padStart(2, '0')} ${String(1 + g.int(9999)).padStart(4, '0')}`;
      return { secret: s, text: `Social Security Number: ${s}` };
    },
  ],
  'ip-address': [
    (g) => {
      // public unicast only: private, shared, loopback, link-local and documentation ranges are not PII (pii.ts)
      const s = `${11 + g.int(89)}.${g.int(256)}.${g.int(256)}.${1 + g.int(254)}`;
      return { secret: s, text: say(g, `the client connected from ${s} at 09:14`) };
    },
    (g) => {
      const s = `${130 + g.int(30)}.${g.int(256)}.${g.int(256)}.${1 + g.int(254)}`;
      return { secret: s, text: `upstream ${s}:8080 refused the connection` };
    },
    (g) => {
      const s = `2a00:1450:${g.str(HEX, 4)}:${g.str(HEX, 4)}::${g.str(HEX, 3)}`;
      return { secret: s, text: `IPv6 address ${s} is in the allow list` };
    },
    (g) => {
      const s = `2a02:8108:${g.str(HEX, 4)}:1:${g.str(HEX, 4)}:${g.str(HEX, 2)}ff:fe${g.str(HEX, 2)}:${g.str(HEX, 4)}`;
      return { secret: s, text: `SLAAC address ${s} on eth0` };
    },
  ],
};

/** `perTemplate` positives per template per detector (≈ 2-4 templates each). */
export function positives(seed = 42, perTemplate = 8): Positive[] {
  const g = new Gen(seed);
  const out: Positive[] = [];
  for (const [detector, makers] of Object.entries(MAKERS) as [BuiltinDetector, Maker[]][]) {
    for (const make of makers) for (let i = 0; i < perTemplate; i++) out.push({ detector, ...make(g) });
  }
  return out;
}

const PROSE = [
  'The quarterly report shows revenue grew by 12% while costs stayed flat.',
  'To install the package, run the installer and restart your terminal.',
  'Photosynthesis converts light energy into chemical energy stored in glucose.',
  'Our team meets every Tuesday at 10:30 to review the roadmap.',
  'The function returns early when the input list is empty.',
  'Remember to rotate credentials regularly and never commit them to git.',
  'In 1969, Apollo 11 landed on the Moon; the mission lasted eight days.',
  'Use a bearer token in the Authorization header; never put it in the URL.',
  'A private key must stay on the server; only the public key is shared.',
  'Set the password in your secret manager, not in the config file.',
  'The API key format starts with a fixed prefix so scanners can find leaks.',
  'Kubernetes schedules pods onto nodes that satisfy their resource requests.',
  'The recipe calls for 250 g of flour, 2 eggs and 100 ml of milk.',
  'Call the support line if the device does not power on after charging.',
  'Email addresses are validated on the server before the account is created.',
];

const NEG_MAKERS: Record<string, ((g: Gen) => string)[]> = {
  prose: [(g) => `${g.pick(PROSE)} ${g.pick(PROSE)}`, (g) => g.pick(PROSE)],
  uuid: [
    (g) => `Request id ${uuidFrom(g)} failed with status 503.`,
    (g) => `{"traceId": "${uuidFrom(g)}", "spanId": "${g.str(HEX, 16)}"}`,
  ],
  'git-sha': [
    (g) => `Fixed in commit ${g.str(HEX, 40)} (see the changelog).`,
    (g) => `git checkout ${g.str(HEX, 7)} && git cherry-pick ${g.str(HEX, 40)}`,
  ],
  hash: [
    (g) => `sha256: ${g.str(HEX, 64)}`,
    (g) => `image: registry.example.com/app@sha256:${g.str(HEX, 64)}`,
    (g) => `md5 ${g.str(HEX, 32)}  archive.tar.gz`,
  ],
  base64: [
    (g) => `The thumbnail is data you can embed: ${g.b64bytes(60)}`,
    (g) => `integrity="sha384-${g.b64bytes(48)}"`,
    (g) => `Encoded payload: ${g.b64bytes(30)} (decoded it says hello).`,
  ],
  version: [
    (g) =>
      `Upgrade from v${g.int(5)}.${g.int(20)}.${g.int(30)} to v${g.int(5)}.${g.int(20)}.${g.int(30)} before Friday.`,
    (g) =>
      `Tested with Node ${18 + g.int(7)}.${g.int(20)}.${g.int(5)}, Python 3.${8 + g.int(5)}.${g.int(12)} and Go 1.${20 + g.int(5)}.`,
    (g) => `version ${g.int(9)}.${g.int(9)}.${g.int(9)}.${g.int(9)} of the firmware is required`,
  ],
  numbers: [
    (g) => `Order #${g.str(DIGITS, 10)} ships on 2024-0${1 + g.int(9)}-1${g.int(9)}.`,
    (g) => `Timestamp ${1700000000000 + g.int(1e9)} ms, duration ${g.int(10000)} ms.`,
    (g) => `ISBN 978-${g.int(9)}-${g.str(DIGITS, 2)}-${g.str(DIGITS, 6)}-${g.int(9)}`,
    (g) => `Total: $${g.int(9)},${g.str(DIGITS, 3)}.${g.str(DIGITS, 2)} across ${g.int(500)} invoices.`,
    (g) => {
      const n = luhnComplete('4', 16, g);
      const bad = n.slice(0, 15) + String((Number(n[15]) + 1) % 10);
      return `Test number ${group4(bad)} fails the checksum.`;
    },
    (g) => `Tracking number 1Z${g.str(UPPER + DIGITS, 16)} is out for delivery.`,
    (g) => `The build ran from 12:${g.int(5)}${g.int(9)}:${g.int(5)}${g.int(9)} to 13:0${g.int(9)}:1${g.int(9)}.`,
    (g) =>
      `MAC ${g.str(HEX, 2)}:${g.str(HEX, 2)}:${g.str(HEX, 2)}:${g.str(HEX, 2)}:${g.str(HEX, 2)}:${g.str(HEX, 2)} on eth0`,
  ],
  placeholders: [
    () => 'Set `Authorization: Bearer <YOUR_TOKEN>` in the request.',
    () => 'export DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost:5432/app',
    () => 'password = os.environ["DB_PASSWORD"]',
    () => 'OPENAI_API_KEY=sk-... (replace with your key)',
    () => 'aws_secret_access_key = YOUR_SECRET_KEY_HERE',
    () => 'The header looks like `Authorization: Bearer $TOKEN`.',
    () => 'connect with postgres://localhost:5432/app?sslmode=disable',
    () => 'mysql://root:password@localhost/test is the default in the tutorial',
  ],
  code: [
    () => 'std::vector<int> v; for (auto& x : v) std::cout << x;',
    () => 'use std::collections::HashMap; let m: HashMap<String, u32> = HashMap::new();',
    () => 'from sklearn.model_selection import train_test_split  # sk-learn style',
    (g) => `const token = await getToken(); headers.set("Authorization", \`Bearer \${token}\`); // ${g.pick(NAMES)}`,
    () => 'git remote add origin git@github.com:example/repo.git',
    () => 'npm install @types/node@22.10.1 --save-dev',
    () => 'ssh -i ~/.ssh/id_ed25519 deploy@bastion',
    () => 'if (a < b && c > d) { return x->next; }',
    () => 'kubectl get pods -n kube-system -o wide',
  ],
  'public-material': [
    (g) => pem(g, 'PUBLIC KEY', 294),
    (g) => pem(g, 'CERTIFICATE', 700),
    (g) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${g.str(B64, 43)} ${g.pick(NAMES)}@laptop`,
  ],
  prefixes: [
    () => 'AWS access key ids start with AKIA and are twenty characters long.',
    () => 'GitHub tokens begin with ghp_, gho_ or github_pat_.',
    () => 'Stripe secret keys begin with sk_live_ or sk_test_.',
    () => 'A JWT has three base64url parts separated by dots, the first usually starting with eyJ.',
    () => 'IBANs start with a two-letter country code followed by two check digits.',
  ],
  'invalid-checksums': [
    (g) => {
      const s = ibanFor('DE', g.str(DIGITS, 18));
      return `IBAN ${s.slice(0, 2)}${(Number(s.slice(2, 4)) + 1) % 100 < 10 ? '0' : ''}${(Number(s.slice(2, 4)) + 1) % 100}${s.slice(4)} was rejected`;
    },
    (g) => `Reference DE00${g.str(DIGITS, 18)} is internal.`,
  ],
};

function uuidFrom(g: Gen): string {
  const h = g.str(HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Hard negatives: `perMaker` texts per generator. */
export function negatives(seed = 7, perMaker = 12): Negative[] {
  const g = new Gen(seed);
  const out: Negative[] = [];
  for (const [category, makers] of Object.entries(NEG_MAKERS)) {
    for (const make of makers) for (let i = 0; i < perMaker; i++) out.push({ category, text: make(g) });
  }
  return out;
}
