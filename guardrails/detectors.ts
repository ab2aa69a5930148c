// Built-in redaction detectors. Names are the API (api/v1alpha1/policy.ts BUILTIN_SECRET_DETECTORS and
// BUILTIN_PII_DETECTORS); a policy switches them on by name or by group ("secrets", "pii").
// Every pattern is RE2 (linear time) with bounded repetition; validators (Luhn, IBAN mod 97, context) cut
// false positives. Detectors see the folded view of the text (text.ts), never the raw bytes.
import RE2 from 're2';
import { BUILTIN_PII_DETECTORS, BUILTIN_SECRET_DETECTORS } from '../api/v1alpha1/policy.ts';
import { analyzePattern, fullAlphabet } from './pattern.ts';
import { piiRules } from './pii.ts';
import { nextChar, prevChar, redactionMarker, regexRule, type Hit, type Rule, type RuleKind } from './rules.ts';
import { lookalikeReason } from './secrets/lookalike.ts';
import { secretRuleset } from './secrets/ruleset.ts';

export { ibanValid, sshLogin } from './pii.ts';

export type SecretDetector = (typeof BUILTIN_SECRET_DETECTORS)[number];
export type PiiDetector = (typeof BUILTIN_PII_DETECTORS)[number];
export type BuiltinDetector = SecretDetector | PiiDetector;

// ---------------------------------------------------------------------------------------------------------
// validators

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const CARD_PREFIX =
  /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|22)|35(?:2[89]|[3-8])|3(?:0[0-5]|[689])|62|5[06-9]|6\d)/;

export function cardNumberValid(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  if (!CARD_PREFIX.test(digits)) return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  const seps = text.match(/[ -]/g);
  if (seps && new Set(seps).size > 1) return false; // "4111 1111-1111 1111" is not how cards are written
  return luhnValid(digits);
}

/** Random-looking: mixes letter cases and digits (keys), unlike identifiers and prose. */
export function looksRandom(s: string, minClasses = 3): boolean {
  let classes = 0;
  if (/[a-z]/.test(s)) classes++;
  if (/[A-Z]/.test(s)) classes++;
  if (/\d/.test(s)) classes++;
  return classes >= minClasses;
}

function notFollowedBy(chars: RegExp) {
  return (hit: Hit, view: string) => !chars.test(nextChar(view, hit));
}

function tokenLike(hit: Hit, view: string): boolean {
  const secret = hit.groups['secret'] ?? hit.text;
  if (/[(){}$<>%]|^\*+$/.test(secret)) return false; // code, templates, placeholders
  return (looksRandom(secret, 2) && /\d|[._~+/-]/.test(secret)) || (secret.length >= 32 && looksRandom(secret, 2))
    ? notFollowedBy(/[A-Za-z0-9._~+/=-]/)(hit, view)
    : false;
}

// ---------------------------------------------------------------------------------------------------------
// PEM private keys: a block is redacted whole, from BEGIN to END. A block whose END does not come within
// MAX_PEM_BODY characters (more than any real key: an RSA-16384 key is 12.7 KB) is redacted from its BEGIN line
// over every following character that can be part of a key body (base64, PEM headers, JSON-escaped newlines);
// past the bound the redaction continues in further bounded pieces while body characters go on: fail safe,
// never leak a body, with bounded memory.

export const MAX_PEM_BODY = 16 * 1024;
const PEM_BEGIN = String.raw`-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = String.raw`-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----`;
const PEM_BODY_CHAR = /[A-Za-z0-9+/=\s:,.\\-]/;

/** Key-body characters from `from`, at most MAX_PEM_BODY of them; `truncated` when the bound cut the run. */
function bodyRun(view: string, start: number, spanStart: number, from: number): Hit {
  let j = from;
  const limit = Math.min(view.length, from + MAX_PEM_BODY);
  while (j < limit && PEM_BODY_CHAR.test(view[j] as string)) j++;
  return {
    start,
    end: j,
    spanStart,
    spanEnd: j,
    text: view.slice(start, j),
    groups: {},
    truncated: j - from >= MAX_PEM_BODY,
  };
}

function pemRule(name: string, kind: RuleKind, prefix: string): Rule {
  const begin = new RE2(prefix + PEM_BEGIN, 'gu');
  const end = new RE2(PEM_END, 'gu');
  const beginInfo = analyzePattern(prefix + PEM_BEGIN);
  const endLen = analyzePattern(PEM_END).maxLength;
  const maxLength = beginInfo.maxLength + MAX_PEM_BODY + endLen;
  const markerStart = prefix === '' ? 0 : -1;
  return {
    name,
    kind,
    maxLength,
    alphabet: fullAlphabet(),
    findNeedsAnchor: true,
    anchor: {
      re: new RE2(prefix === '' ? '-----BEGIN ' : prefix, 'gu'),
      maxLength: prefix === '' ? 11 : analyzePattern(prefix).maxLength,
      alphabet: analyzePattern(prefix === '' ? '-----BEGIN ' : prefix).alphabet,
    },
    find(view, from) {
      begin.lastIndex = from;
      const b = begin.exec(view);
      if (!b) return null;
      const start = b.index;
      const headerEnd = start + b[0].length;
      const spanStart = markerStart === 0 ? start : view.indexOf('-----BEGIN', start);
      end.lastIndex = headerEnd;
      const e = end.exec(view);
      if (e && e.index - headerEnd <= MAX_PEM_BODY) {
        const stop = e.index + e[0].length;
        return {
          start,
          end: stop,
          spanStart,
          spanEnd: stop,
          text: view.slice(start, stop),
          groups: {},
          complete: true,
        };
      }
      return bodyRun(view, start, spanStart, headerEnd);
    },
    continueAt(view, at) {
      // past the bound of an unterminated block: keep redacting key-body characters (fail safe)
      const hit = bodyRun(view, at, at, at);
      return hit.end > at ? hit : null;
    },
    replace: () => redactionMarker(name),
  };
}

// ---------------------------------------------------------------------------------------------------------
// JWTs (JWS compact form): header.payload.signature, base64url, header and payload JSON objects ("eyJ" = '{"').
// Written as a finder rather than one RE2 pattern because real payloads exceed RE2's repetition limit (1000).

const JWT_HEADER_MAX = 2000;
const JWT_PAYLOAD_MAX = 8000;
const JWT_SIG_MAX = 1000;
const B64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') B64URL[c.charCodeAt(0)] = 1;
const isB64url = (code: number) => code < 128 && B64URL[code] === 1;

function runEnd(view: string, from: number): number {
  let j = from;
  while (j < view.length && isB64url(view.charCodeAt(j))) j++;
  return j;
}

function jwtRule(): Rule {
  const anchor = new RE2(String.raw`\beyJ`, 'gu');
  const maxLength = JWT_HEADER_MAX + 1 + JWT_PAYLOAD_MAX + 1 + JWT_SIG_MAX;
  return {
    name: 'jwt',
    kind: 'secret',
    maxLength,
    alphabet: analyzePattern('[A-Za-z0-9_.-]').alphabet,
    findNeedsAnchor: true,
    anchor: { re: new RE2(String.raw`\beyJ`, 'gu'), maxLength: 3, alphabet: analyzePattern('[eyJ]').alphabet },
    find(view, from) {
      let at = from;
      for (;;) {
        anchor.lastIndex = at;
        const a = anchor.exec(view);
        if (!a) return null;
        const s = a.index;
        const h = runEnd(view, s);
        if (h - s > JWT_HEADER_MAX) {
          at = Math.max(s + 1, h - JWT_HEADER_MAX);
          continue;
        }
        if (h - s < 8 || view[h] !== '.' || !view.startsWith('eyJ', h + 1)) {
          at = h + 1;
          continue;
        }
        const p = runEnd(view, h + 1);
        if (p - (h + 1) > JWT_PAYLOAD_MAX || p - (h + 1) < 8 || view[p] !== '.') {
          at = h + 1;
          continue;
        }
        const sig = runEnd(view, p + 1);
        if (sig - (p + 1) > JWT_SIG_MAX) {
          at = h + 1;
          continue;
        }
        return { start: s, end: sig, spanStart: s, spanEnd: sig, text: view.slice(s, sig), groups: {} };
      }
    },
    replace: () => redactionMarker('jwt'),
  };
}

// ---------------------------------------------------------------------------------------------------------

const B64 = 'A-Za-z0-9+/';

function secretRules(): Record<SecretDetector, Rule[]> {
  const r = (name: SecretDetector, pattern: string, extra: Partial<Parameters<typeof regexRule>[0]> = {}) =>
    regexRule({ name, kind: 'secret', pattern, ...extra });
  return {
    'aws-access-key': fromRuleset('aws-access-token'),
    'aws-secret-key': [
      r(
        'aws-secret-key',
        String.raw`(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s{0,4}(?:[:=]|=>)\s{0,4}["']?(?P<secret>[${B64}]{40})`,
        {
          anchor: String.raw`(?i)(?:aws_?secret|secret_?access)`,
          // AWS documents its example keys with EXAMPLE in them (wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)
          accept: (hit, view) =>
            notFollowedBy(/[A-Za-z0-9+/=]/)(hit, view) && !(hit.groups['secret'] ?? '').includes('EXAMPLE'),
        },
      ),
    ],
    'gcp-service-account': [
      r('gcp-service-account', String.raw`"private_key_id"\s{0,4}:\s{0,4}"(?P<secret>[a-f0-9]{40})"`, {
        anchor: '"private_key_id"',
      }),
      pemRule('gcp-service-account', 'secret', String.raw`"private_key"\s{0,4}:\s{0,4}"`),
    ],
    'gcp-api-key': fromRuleset('gcp-api-key', 'gcp-api-key-in-text'),
    'azure-storage-key': [
      r(
        'azure-storage-key',
        String.raw`(?i)(?:AccountKey|SharedAccessKey|azure_?storage_?(?:account_?)?key)["']?\s{0,4}[=:]\s{0,4}["']?(?P<secret>[${B64}]{43,86}={0,2})`,
        {
          anchor: String.raw`(?i)(?:AccountKey|SharedAccessKey|azure_?storage)`,
          accept: notFollowedBy(/[A-Za-z0-9+/=]/),
        },
      ),
    ],
    'private-key': [pemRule('private-key', 'secret', '')],
    jwt: [jwtRule()],
    'bearer-token': [
      r('bearer-token', String.raw`(?i)\bbearer[ \t]{1,4}(?P<secret>[A-Za-z0-9._~+/-]{12,1000}={0,2})`, {
        anchor: String.raw`(?i)\bbearer[ \t]`,
        accept: tokenLike,
      }),
      r(
        'bearer-token',
        String.raw`(?i)\bauthorization["']?\s{0,4}[:=]\s{0,4}["']?(?:basic|token|bearer)?\s{0,4}(?P<secret>[A-Za-z0-9._~+/-]{8,1000}={0,2})`,
        { anchor: String.raw`(?i)\bauthorization`, accept: tokenLike },
      ),
    ],
    'connection-string': [
      r(
        'connection-string',
        String.raw`(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@"'<>]{0,128}:(?P<secret>[^\s@/"'<>]{1,256})@[A-Za-z0-9.-]{1,255}`,
        {
          anchor: String.raw`(?i)\b[a-z][a-z0-9+.-]{1,20}://`,
          accept: (hit) =>
            !/^\$\{?\w+\}?$|^<[^>]*>$|^\*+$|^(?:password|pass|pwd|secret|\.\.\.)$/i.test(hit.groups['secret'] ?? ''),
        },
      ),
      r(
        'connection-string',
        String.raw`(?i)(?:^|[;"'\s])(?:password|passwd|pwd)\s{0,2}=\s{0,2}(?P<secret>[^;"'\s,]{1,256})`,
        {
          anchor: String.raw`(?i)(?:^|[;"'\s])(?:password|passwd|pwd)`,
          accept: (hit) =>
            !/[(){}[\]$<>%]|^\*+$|^(?:true|false|null|none|\.\.\.|\?)$/i.test(hit.groups['secret'] ?? ''),
        },
      ),
    ],
    'slack-token': fromRuleset(...rulesetIds(/^slack-/)),
    'github-token': fromRuleset(...rulesetIds(/^github-/)),
    'stripe-key': fromRuleset('stripe-access-token', 'stripe-webhook-secret'),
    'openai-key': fromRuleset(
      'openai-api-key',
      'openai-api-key-any-end',
      'anthropic-api-key',
      'anthropic-admin-api-key',
    ),
    'tollgate-key': fromRuleset('tollgate-key'),
    'credit-card': [
      r('credit-card', String.raw`\b(?:\d[ -]?){12,18}\d\b`, {
        accept: (hit, view) =>
          !/[\d.,]/.test(prevChar(view, hit)) &&
          !(/[.,]/.test(nextChar(view, hit)) && /\d/.test(view[hit.end + 1] ?? '')) &&
          cardNumberValid(hit.text),
      }),
    ],
  };
}

/** Rules of the adopted ruleset (secrets/ruleset.ts) by id; a missing id is a build error, not a silent gap. */
function fromRuleset(...ids: string[]): Rule[] {
  const { rules } = secretRuleset();
  return ids.map((id) => {
    const rule = rules.get(id);
    if (!rule) throw new Error(`secret rule ${id} is not in the compiled ruleset`);
    return rule;
  });
}

/** Ids of gitleaks' and Tollgate's rules matching `re` (a kingfisher rule keeps its own name, under `secrets`). */
function rulesetIds(re: RegExp): string[] {
  const { report } = secretRuleset();
  return report.filter((r) => r.status === 'adopted' && r.source !== 'kingfisher' && re.test(r.id)).map((r) => r.id);
}

let builtins: Record<BuiltinDetector, Rule[]> | undefined;

/** The built-in rules by detector name (compiled once per process). */
export function builtinRules(): Record<BuiltinDetector, Rule[]> {
  builtins ??= { ...withLookalikeCheck(secretRules()), ...piiRules() };
  return builtins;
}

/**
 * The look-alike principles (secrets/lookalike.ts) for the built-in secret detectors too (the adopted rules apply
 * them in their own accept): a placeholder, an example, filler or a hash in a hash context is not redacted.
 */
function withLookalikeCheck<T extends Record<string, Rule[]>>(byName: T): T {
  const adopted = new Set<Rule>(secretRuleset().rules.values());
  const out: Record<string, Rule[]> = {};
  for (const [name, rules] of Object.entries(byName)) {
    out[name] = rules.map((rule) => {
      // finders (PEM blocks, JWTs, service-account JSON) are structured, not a value that could be a placeholder
      if (rule.kind !== 'secret' || adopted.has(rule) || rule.source === undefined) return rule;
      const inner = rule.accept;
      // a rule object that delegates to the original (finders keep their own methods and state)
      const wrapped: Rule = Object.create(rule) as Rule;
      return Object.assign(wrapped, {
        accept(hit: Hit, view: string) {
          if (inner && !inner.call(rule, hit, view)) return false;
          const secret = hit.groups['secret'] ?? view.slice(hit.spanStart, hit.spanEnd);
          const nl = view.lastIndexOf('\n', hit.spanStart - 1);
          return (
            lookalikeReason(secret, view.slice(Math.max(nl + 1, hit.spanStart - 64), hit.spanStart), false) ===
            undefined
          );
        },
      });
    });
  }
  return out as T;
}

export const SECRET_DETECTORS: readonly SecretDetector[] = BUILTIN_SECRET_DETECTORS;

// The ruleset is compiled when the guardrails are loaded (a few hundred ms), not on the first request that needs it.
secretRuleset();
export const PII_DETECTORS: readonly PiiDetector[] = BUILTIN_PII_DETECTORS;

/** Rules that match any identifier-and-value shape rather than one provider's format. */
const GENERIC_RULES: ReadonlySet<string> = new Set(['generic-api-key', 'password-assignment', 'secret-in-context']);

/**
 * The rules for a policy's detector list: "secrets" is every built-in secret detector plus the whole adopted ruleset
 * (gitleaks + Tollgate's rules), "pii" every PII detector; a name selects its own rules. Each rule appears once.
 */
export function detectorRules(names: readonly string[]): Rule[] {
  const all = builtinRules();
  const out = new Set<Rule>();
  for (const d of expandDetectors(names)) for (const r of all[d]) out.add(r);
  if (names.includes('secrets')) {
    // provider-specific rules before the generic ones, so an overlap is named after the provider
    const rules = [...secretRuleset().rules.entries()];
    for (const [id, r] of rules) if (!GENERIC_RULES.has(id)) out.add(r);
    for (const [id, r] of rules) if (GENERIC_RULES.has(id)) out.add(r);
  }
  return [...out];
}

/** Expands group names ("secrets", "pii") into detector names, in a stable order. */
export function expandDetectors(names: readonly string[]): BuiltinDetector[] {
  const out = new Set<BuiltinDetector>();
  for (const n of names) {
    if (n === 'secrets') SECRET_DETECTORS.forEach((d) => out.add(d));
    else if (n === 'pii') PII_DETECTORS.forEach((d) => out.add(d));
    else if ((SECRET_DETECTORS as readonly string[]).includes(n) || (PII_DETECTORS as readonly string[]).includes(n))
      out.add(n as BuiltinDetector);
  }
  return [...SECRET_DETECTORS, ...PII_DETECTORS].filter((d) => out.has(d));
}
