// Built-in PII detectors (email, phone, iban, ip-address, us-ssn; API names in api/v1alpha1/policy.ts
// BUILTIN_PII_DETECTORS). RE2 patterns with bounded repetition, then validators that decide what is personal data
// (guardrails/README.md, "What the PII detectors take"):
// - e-mail: not an address under a reserved name (RFC 2606 / RFC 6761: example.com/.net/.org and their subdomains,
//   *.example, *.test, *.invalid, *.localhost), nor an obvious placeholder (a placeholder domain such as
//   your-domain.com / domain.com / company.com, or a placeholder or no-reply mailbox such as you@, user@, name@,
//   firstname.lastname@, noreply@), nor an SSH login or remote, nor the password@host of a URL;
// - ip-address: not a special-purpose address (IANA registry, RFC 6890): unspecified, loopback, private (RFC 1918),
//   shared (RFC 6598), link-local, documentation (RFC 5737 / RFC 3849), benchmarking, multicast and reserved; not a
//   network in CIDR notation; not the anycast address of a well-known public DNS resolver; not a dotted number in a
//   version context ("v1.2.3.4", "version 10.0.0.1"); not a server's address (a URL's host, nameserver, listen,
//   proxy target, DNS A record: SERVER_CONTEXT);
// - phone and IBAN: shape and checksum validators (a phone number's extension is taken with it);
// - us-ssn: a US Social Security number as the SSA issues them (area 001-899 but 666, group 01-99, serial
//   0001-9999), not a published example or a run of one digit; written 123-45-6789 anywhere, with spaces or none
//   only after a word that names one (SSN, social security).
// Every decision reads the match and at most KEYWORD_CONTEXT characters before it and 2 after it, which the
// scanner keeps (streamed = whole).
import { isIP } from 'node:net';
import type { PiiDetector } from './detectors.ts';
import { KEYWORD_CONTEXT, nextChar, prevChar, regexRule, type Hit, type Rule } from './rules.ts';

// ---------------------------------------------------------------------------------------------------------
// IBAN

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

export function ibanValid(text: string): boolean {
  const s = text.replace(/ /g, '');
  if (IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

// ---------------------------------------------------------------------------------------------------------
// e-mail

/** Names reserved by RFC 2606 and RFC 6761: no person has an address there. */
export function reservedDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return /(?:^|\.)example\.(?:com|net|org)$/.test(d) || /(?:^|\.)(?:example|test|invalid|localhost)$/.test(d);
}

/** Domains documentation uses as a stand-in ("name@your-domain.com", "user@company.com", "YOUR_EMAIL@DOMAIN.COM"). */
const PLACEHOLDER_DOMAIN =
  /^(?:(?:your|my|some)[-_.]?)?(?:domain|company|organi[sz]ation|site|website|server|mail-?server|host|email|corp|business)\.[a-z]{2,4}$|^your[-_.]?[a-z]+\./i;

/** Mailboxes that stand for "your address" or for no one (no-reply senders). */
const PLACEHOLDER_LOCAL =
  /^(?:you|your[-_.]?[a-z]*|me|my[-_.]?email|user(?:name)?|name|e-?mail|someone|somebody|first(?:name)?[-_.]last(?:name)?|foo|bar|baz|test|example|sample|dummy|fake|no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon)$/i;

/** Not personal data: an address under a reserved name or an obvious placeholder / no-reply mailbox. */
export function placeholderEmail(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return reservedDomain(domain) || PLACEHOLDER_DOMAIN.test(domain) || PLACEHOLDER_LOCAL.test(local);
}

/**
 * user@host that is an SSH login, not an email address: a scp-style remote (git@github.com:org/repo, host:/path,
 * host:2222/…), the userinfo of a URL (ssh://git@host/…, git+ssh://…), the `git` user every forge logs in as, or the
 * argument of an ssh / scp / sftp / rsync command on the same line, within KEYWORD_CONTEXT characters (what a stream keeps).
 */
export function sshLogin(hit: { start: number; end: number; text: string }, view: string): boolean {
  if (view[hit.end] === ':' && /[A-Za-z0-9_~/]/.test(view[hit.end + 1] ?? '')) return true;
  if (/^git@/i.test(hit.text)) return true;
  const before = view.slice(Math.max(0, hit.start - KEYWORD_CONTEXT), hit.start); // as far as the scanner keeps
  if (before.endsWith('://')) return true;
  return /(?:^|[\s;|&(])(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\s[^\n]*$/.test(before);
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses

/** IPv4 special-purpose blocks (IANA registry, RFC 6890) that identify no subscriber: [first octets, prefix]. */
function specialIpv4(o: readonly number[]): boolean {
  const [a = 0, b = 0, c = 0] = o;
  return (
    a === 0 || // "this network" (RFC 791), 0.0.0.0
    a === 10 || // private (RFC 1918)
    a === 127 || // loopback
    (a === 100 && b >= 64 && b <= 127) || // shared address space (RFC 6598)
    (a === 169 && b === 254) || // link-local (and cloud metadata)
    (a === 172 && b >= 16 && b <= 31) || // private
    (a === 192 && b === 168) || // private
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1 (RFC 5737)
    (a === 198 && (b === 18 || b === 19)) || // benchmarking (RFC 2544)
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast (and netmasks such as 255.255.255.0)
  );
}

/** A version number written like an address: "v1.2.3.4", "version 10.0.0.1", "release: 4.18.0.147", "build 6.1.0.2". */
const VERSION_CONTEXT =
  /(?:\bv|\bversions?|\brelease|\bver\.?|\bbuild|\bfirmware|\bkernel)(?:\s*(?:is|was|of|to|from|[:=]))?\s*$/i;

/**
 * Where an address names a server an operator configures or connects to, not a visitor: the host of a URL
 * (`https://34.120.1.7:8443/`), a resolver (`nameserver`), a listening or bound address (`listen`, `bind`,
 * `--bind-address=`, `--advertise-address=`), a proxy target (nginx `server`, `proxy_pass`), an endpoint or
 * gateway, a DNS A record (`IN A`). Not `upstream`: in logs (`upstream 81.2.69.142:8080 refused`) it is prose.
 * A server's address identifies a machine, not a subscriber; the addresses that identify people arrive as clients
 * (`from`, `client`, `remote_addr`) and stay personal data.
 */
const SERVER_CONTEXT =
  /(?:[a-z][a-z0-9+.-]*:\/\/(?:[^\s/@]*@)?|\b(?:nameserver|name-server|dns-server|listen|bind|bind-address|advertise-address|server|proxy_pass|endpoint|gateway|api-server|apiserver)(?:[ \t]*[:=]|[ \t]+)[ \t]*["']?(?:https?:\/\/)?|\bIN[ \t]+A[ \t]+)$/i;

/** Anycast addresses of the well-known public DNS resolvers (Google, Cloudflare, Quad9, OpenDNS): a service, not a subscriber. */
const PUBLIC_RESOLVERS = new Set([
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
]);

// Characters before a match that make it part of something longer (a dotted number, a timestamp, a word): the
// validators reject such a match, and the scanner skips every start after one of them (Rule.rejectsAfter).
const IPV4_BEFORE = /[.]/;
const IP_BEFORE = /[A-Za-z0-9_:.]/;
const PHONE_BEFORE = /[\w.+/-]/;
const EMAIL_BEFORE = /[A-Za-z0-9._%+-]/;

function ipv4Valid(hit: Hit, view: string): boolean {
  const p = prevChar(view, hit);
  const n = nextChar(view, hit);
  if (IPV4_BEFORE.test(p) || (/[\d.]/.test(n) && /\d/.test(view[hit.end + 1] ?? ''))) return false; // part of a longer dotted number
  if (n === '/' && /\d/.test(view[hit.end + 1] ?? '')) return false; // a network in CIDR notation, not a host
  const before = view.slice(Math.max(0, hit.start - 24), hit.start);
  if (VERSION_CONTEXT.test(before) || SERVER_CONTEXT.test(before)) return false;
  if (isIP(hit.text) !== 4) return false;
  return !PUBLIC_RESOLVERS.has(hit.text) && !specialIpv4(hit.text.split('.').map(Number));
}

function ipv6Valid(hit: Hit, view: string): boolean {
  const n = nextChar(view, hit);
  if (n === '.' && /\d/.test(view[hit.end + 1] ?? '')) return false; // IPv4-mapped: ipv4Mapped's
  // a colon after it is punctuation when no address character follows it (`…:200e: connection reset`)
  if (IP_BEFORE.test(prevChar(view, hit)) || /[A-Za-z0-9_]/.test(n)) return false;
  if (n === ':' && /[A-Za-z0-9_:.]/.test(view[hit.end + 1] ?? '')) return false;
  if (n === '/' && /\d/.test(view[hit.end + 1] ?? '')) return false; // a prefix, not a host
  // the pattern's last group takes a colon that is punctuation (`from 2a00:…::200e: connection reset`): judged without
  // it (the colon is redacted with the address)
  const text = /[0-9a-f]:$/i.test(hit.text) ? hit.text.slice(0, -1) : hit.text;
  const groups = text.split(':').filter((g) => g !== '');
  if (groups.length < 3 && !(text.includes('::') && groups.length >= 2)) return false;
  if (/^[0:]+1?$/.test(text)) return false; // unspecified, loopback
  if (!/[0-9]/.test(text) && groups.every((g) => g.length <= 3)) return false; // "add:bad:cafe" words
  if (isIP(text) !== 6) return false;
  // documentation (2001:db8::/32, RFC 3849), unique local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8)
  return !/^(?:2001:0?db8:|f[cd][0-9a-f]{0,2}:|fe[89ab][0-9a-f]?:|ff[0-9a-f]{0,2}:)/i.test(text);
}

/** `::ffff:a.b.c.d` as one address, judged by its IPv4 part. */
function ipv4Mapped(hit: Hit, view: string): boolean {
  if (IP_BEFORE.test(prevChar(view, hit)) || /[\d.]/.test(nextChar(view, hit))) return false;
  const v4 = hit.text.slice(hit.text.lastIndexOf(':') + 1);
  return isIP(v4) === 4 && !PUBLIC_RESOLVERS.has(v4) && !specialIpv4(v4.split('.').map(Number));
}

// ---------------------------------------------------------------------------------------------------------
// phone numbers

/** An extension after a number: `x751`, `ext. 12`, `Ext 3` (its digits are not the number's). */
const PHONE_EXT = String.raw`(?:[ ]?(?:[xX]|[eE][xX][tT]\.?)[ ]?\d{1,6})?`;
const EXT_AT_END = /[ ]?(?:x|ext\.?)[ ]?\d{1,6}$/i;
/**
 * Alone in the text: no character of `before` right before it, and not followed by a word character or a dotted /
 * dashed continuation of the number (phone numbers and SSNs).
 */
function standsAlone(view: string, start: number, end: number, before: RegExp): boolean {
  const p = start > 0 ? (view[start - 1] as string) : '';
  const n = view[end] ?? '';
  return !before.test(p) && !/\w/.test(n) && !(/[./-]/.test(n) && /\d/.test(view[end + 1] ?? ''));
}

function phoneValid(hit: Hit, view: string): boolean {
  if (!standsAlone(view, hit.start, hit.end, PHONE_BEFORE)) return false;
  // the number's digits, its extension left out
  const digits = hit.text.replace(EXT_AT_END, '').replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 15 || /^(\d)\1+$/.test(digits)) return false;
  if (/^(?:19|20)\d\d[-./](?:0\d|1[0-2])[-./]\d\d/.test(hit.text)) return false; // a date
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// US Social Security numbers

/** Numbers the SSA or others published as examples (Woolworth's wallet card, advertising), and the usual sample. */
const SSN_EXAMPLES = new Set(['078051120', '219099999', '457555462', '123456789']);
const SSN_BEFORE = /[\w./-]/;

/** Issued-shape check (SSA: area 001-899 except 666, group 01-99, serial 0001-9999), not an example or one repeated digit. */
function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  return !/^(\d)\1+$/.test(digits) && !SSN_EXAMPLES.has(digits);
}

// ---------------------------------------------------------------------------------------------------------
// the rules

export function piiRules(): Record<PiiDetector, Rule[]> {
  const r = (name: PiiDetector, pattern: string, extra: Partial<Parameters<typeof regexRule>[0]> = {}) =>
    regexRule({ name, kind: 'pii', pattern, ...extra });
  return {
    email: [
      r(
        'email',
        String.raw`[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}\b`,
        {
          anchor: String.raw`[A-Za-z0-9._%+-]{1,64}@`,
          // not an SSH login or remote (sshLogin), not the password@host of a URL (connection-string's job), not a
          // reserved or placeholder address (placeholderEmail)
          accept: (hit, view) =>
            !/^[.]|[.]{2}|[.]@/.test(hit.text) &&
            !EMAIL_BEFORE.test(prevChar(view, hit)) &&
            !sshLogin(hit, view) &&
            !placeholderEmail(hit.text) &&
            !(
              prevChar(view, hit) === ':' &&
              /:\/\/[^\s/@:]*$/.test(view.slice(Math.max(0, hit.start - 30), hit.start - 1))
            ),
          rejectsAfter: EMAIL_BEFORE,
        },
      ),
    ],
    phone: [
      r('phone', String.raw`(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}${PHONE_EXT}`, {
        accept: phoneValid,
        rejectsAfter: PHONE_BEFORE,
      }),
      r('phone', String.raw`\+\d{1,3}[ .-]?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?\d{2,4}){2,4}${PHONE_EXT}`, {
        accept: phoneValid,
        rejectsAfter: PHONE_BEFORE,
      }),
    ],
    iban: [
      r('iban', String.raw`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`, {
        accept: (hit) => ibanValid(hit.text),
      }),
    ],
    'us-ssn': [
      r('us-ssn', String.raw`\b\d{3}-\d{2}-\d{4}\b`, {
        accept: (hit, view) =>
          standsAlone(view, hit.start, hit.end, SSN_BEFORE) && ssnValid(hit.text.replace(/-/g, '')),
        rejectsAfter: SSN_BEFORE,
      }),
      // with spaces, dots or nothing between the groups: only after a word that names one
      r(
        'us-ssn',
        String.raw`(?i)\b(?:ssn|ssns|ss#|social[ -]security(?:[ -](?:number|no|num|#))?)(?:\b|#)[^\n\d]{0,24}?(?P<secret>\d{3}[ .-]?\d{2}[ .-]?\d{4})`,
        {
          anchor: String.raw`(?i)\b(?:ssn|ss#|social[ -]security)`,
          accept: (hit, view) =>
            standsAlone(view, hit.spanStart, hit.spanEnd, SSN_BEFORE) &&
            ssnValid(view.slice(hit.spanStart, hit.spanEnd).replace(/\D/g, '')),
        },
      ),
    ],
    'ip-address': [
      r('ip-address', String.raw`\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b`, {
        accept: ipv4Valid,
        rejectsAfter: IPV4_BEFORE,
      }),
      r('ip-address', String.raw`(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}`, {
        accept: ipv6Valid,
        rejectsAfter: IP_BEFORE,
      }),
      r('ip-address', String.raw`(?i)(?:0{0,4}:){0,5}:?ffff:\d{1,3}(?:\.\d{1,3}){3}`, {
        accept: ipv4Mapped,
        rejectsAfter: IP_BEFORE,
      }),
    ],
  };
}
