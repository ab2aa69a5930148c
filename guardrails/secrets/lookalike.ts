// Look-alikes: strings in a credential's shape that are not credentials, recognised by general principles rather
// than by a list of known strings (gitleaks' allowlists and stopwords are applied per rule besides; see ruleset.ts):
// - placeholder and example vocabulary inside the secret (EXAMPLE, placeholder, your…, changeme, replace me,
//   redacted, dummy, fake, mock, sample, insecure, not-a-real…): vendors print documented keys that way (AWS's
//   AKIAIOSFODNN7EXAMPLE) and people write placeholders that way;
// - filler: a run of one letter or digit (5 or more, or 4 of the usual filler characters x X * 0 . #; 6 in a secret
//   longer than 64), or an ascending run of 6 or more (123456, abcdef): a random token has one with probability
//   well under 0.1%;
// - a hash where a hash is expected: all hex in one case, of a digest's length (32, 40, 56, 64, 96, 128), with a hash
//   word before it on the line (sha1, sha256, md5, commit, etag, digest, checksum, hash, integrity, @sha256:);
// - a constant's name standing for the value (upper snake case: DB_PASSWORD, API_TOKEN), as in templates and docs;
// - a value named as something that is not a secret though its name ends in "key" (public key, primary key, cache
//   key, idempotency key…);
// - for generic rules only (an identifier then a value, no provider format): a UUID (an id), unless the name right
//   before it is a secret's name (HEROKU_API_KEY=, "token": ", sdkKey: — Heroku, Postmark, Snyk, Opsgenie and many
//   others issue UUIDs as keys); AZURE_CLIENT_ID=, "request_id": " and key_id: stay ids.
// A documented provider format with a random body passes all of these: the held-out recall figures say so.

// Words of 6+ letters anywhere (a random token holds one with negligible probability); short words only between
// non-letters (fake-api-key, YOUR_TOKEN_HERE, mock_token), so a long random token does not hold them by chance.
const VOCABULARY =
  /example|placeholder|changeme|change[_-]me|replace[_-]?me|redacted|sample|insecure|not[_-]?a[_-]?real|(?:^|[^a-z])(?:your|fake|mock|dummy|here|todo)(?:[^a-z]|$)/i;
const FILLER_SHORT = /([xX*0.#])\1{3}|([A-Za-z0-9])\2{4}/;
const FILLER_LONG = /([xX*0.#])\1{5}|([A-Za-z0-9])\2{5}/;
const HASH_WORD = /\b(?:sha-?(?:1|224|256|384|512)|md5|commit|etag|digest|checksum|hash|integrity|@sha256)\b/i;
const HASH_LENGTHS: ReadonlySet<number> = new Set([32, 40, 56, 64, 96, 128]);
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The value is assigned to a name ending in a secret word (the assignment operator and quotes between). */
const SECRET_NAME =
  /(?:key|secret|token|passw(?:or)?d|pwd|credentials?)["'\x60]?\s{0,3}(?:=|:|:=|=>|\sis:?)\s{0,3}["'\x60]?$/i;
/** Names ending in "key" that do not hold a secret. */
const NON_SECRET_KEY =
  /(?:public|pub|primary|foreign|partition|sort|cache|idempotency|object|row|hash|routing|dedup|index|shard|lookup|cursor|event|message|s3|bucket|map|dict|group|ssh[_.-]?public)[ _.-]?key["'\x60]?\s{0,3}(?:=|:|:=|=>|\sis:?)?\s{0,3}["'\x60]?$/i;

/** Longest run of consecutive ascending characters (by code) in s. */
function ascendingRun(s: string): number {
  let best = 1;
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    run = s.charCodeAt(i) === s.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Why `secret` is a look-alike (a short reason for the report), or undefined when it may be a credential. */
export function lookalikeReason(secret: string, lineBefore: string, generic: boolean): string | undefined {
  if (VOCABULARY.test(secret)) return 'placeholder or example vocabulary';
  if ((secret.length > 64 ? FILLER_LONG : FILLER_SHORT).test(secret)) return 'filler characters';
  if (ascendingRun(secret) >= 6) return 'sequential characters';
  if (
    HASH_LENGTHS.has(secret.length) &&
    (/^[0-9a-f]+$/.test(secret) || /^[0-9A-F]+$/.test(secret)) &&
    HASH_WORD.test(lineBefore)
  )
    return 'a hash where a hash is expected';
  if (CONSTANT_NAME.test(secret)) return "a constant's name (DB_PASSWORD) standing for the value";
  if (NON_SECRET_KEY.test(lineBefore)) return 'named as a key that is not a secret (public key, primary key…)';
  if (generic && UUID.test(secret) && !SECRET_NAME.test(lineBefore)) return 'a UUID';
  return undefined;
}
