// Validation of a gateway config without the memory peak of `parseGatewayConfig`: the same zod schema for
// the structure, and the same canonical-JSON sha256, but fed to the hash in 64 kB pieces instead of being
// built as one string (for a 10,000-tenant config that string and its intermediate pieces are ~80 MB of
// garbage, which V8 then keeps as heap). The cross-object rules of `GatewayConfig` (hash, unique served
// names, unique key hashes) are checked here too; verify.test.ts proves the verdicts match
// parseGatewayConfig on valid and broken configs, so a rule added there shows up as a failing test.
import { createHash, type Hash } from 'node:crypto';
import { GatewayConfigBody, type GatewayConfig } from '../../api/gateway-config.ts';

class ChunkedHash {
  readonly #h: Hash = createHash('sha256');
  #buf = '';
  write(s: string): void {
    this.#buf += s;
    if (this.#buf.length > 65_536) {
      this.#h.update(this.#buf);
      this.#buf = '';
    }
  }
  digest(): string {
    this.#h.update(this.#buf);
    return this.#h.digest('hex');
  }
}

/** Writes exactly what api/gateway-config.ts `canonicalJson` returns. */
function writeCanonical(value: unknown, out: ChunkedHash): void {
  if (Array.isArray(value)) {
    out.write('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.write(',');
      const v: unknown = value[i];
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') writeCanonical(v, out);
    }
    out.write(']');
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.write('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.write(',');
      out.write(`${JSON.stringify(k)}:`);
      writeCanonical(v, out);
    });
    out.write('}');
    return;
  }
  out.write(String(JSON.stringify(value)));
}

export function canonicalHash(body: unknown): string {
  const h = new ChunkedHash();
  writeCanonical(body, h);
  return `sha256:${h.digest()}`;
}

export class ConfigInvalidError extends Error {
  override name = 'ConfigInvalidError';
}

/** Same verdict as parseGatewayConfig(raw); returns the validated config (a fresh copy). */
export function verifyGatewayConfig(raw: unknown): GatewayConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigInvalidError('invalid gateway config: (root): expected an object');
  const { hash, ...rest } = raw as Record<string, unknown>;
  const body = GatewayConfigBody.parse(rest); // throws ZodError with the same issues as the full schema
  if (typeof hash !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(hash)) throw new ConfigInvalidError('invalid gateway config: hash: must be sha256:<64 hex>');
  const expected = canonicalHash(body);
  if (hash !== expected) throw new ConfigInvalidError(`invalid gateway config: hash: hash does not match content (expected ${expected})`);
  const names = new Set<string>();
  for (const m of body.models) {
    if (names.has(m.servedName)) throw new ConfigInvalidError(`invalid gateway config: models: duplicate servedName ${m.servedName}`);
    names.add(m.servedName);
  }
  const keyHashes = new Set<string>();
  for (const t of body.tenants) {
    for (const k of t.keys) {
      if (keyHashes.has(k.sha256)) throw new ConfigInvalidError(`invalid gateway config: tenants: key ${k.id} shares its hash with another key`);
      keyHashes.add(k.sha256);
    }
  }
  return { ...body, hash };
}
