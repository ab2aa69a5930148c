// Holds the config in force and swaps it atomically. Two entry points, one verifier
// (api/config-verify.ts): `apply()` for a config already parsed into an object (YAML, `-f` manifests,
// tests) and `applyText()` for JSON text in chunks (the file source, the in-cluster source's shards),
// which is verified and turned into lookup structures one tenant at a time. A config that fails
// verification is refused; the last good one stays in force and the refusal is recorded for /readyz,
// logs and metrics.
import { ZodError } from 'zod';
import { ConfigTextReader, verifyConfigObject, type TenantMemo, type VerifiedHead } from '../../api/config-verify.ts';
import { stripUserinfo } from '../scrub.ts';
import { SnapshotBuilder, type Snapshot, type SnapshotOptions } from './snapshot.ts';

export interface ReloadError {
  readonly message: string;
  readonly source: string;
  readonly at: Date;
  /** Hash the refused config claimed, when it had one. */
  readonly claimedHash: string | undefined;
}

export type ApplyResult =
  { ok: true; changed: boolean; hash: string; snapshot: Snapshot } | { ok: false; error: ReloadError };

export interface ConfigObserver {
  applied?(snapshot: Snapshot, source: string, previous: Snapshot | undefined): void;
  refused?(error: ReloadError): void;
}

export class ConfigHolder {
  #current: Snapshot | undefined;
  #lastError: ReloadError | undefined;
  #lastSource: string | undefined;
  readonly #options: SnapshotOptions;
  readonly #observers: ConfigObserver[] = [];

  constructor(options: SnapshotOptions = {}) {
    this.#options = options;
  }

  /** The snapshot in force (undefined until the first valid config). Take it once per request. */
  get current(): Snapshot | undefined {
    return this.#current;
  }
  get lastError(): ReloadError | undefined {
    return this.#lastError;
  }
  get source(): string | undefined {
    return this.#lastSource;
  }

  observe(o: ConfigObserver): void {
    this.#observers.push(o);
  }

  /**
   * Verify `raw` (untrusted: parsed JSON/YAML or an object) and swap it in. Never throws: a refusal is
   * returned, recorded and reported to observers; the previous snapshot stays in force.
   */
  apply(raw: unknown, source: string): ApplyResult {
    const builder = new SnapshotBuilder(this.#options);
    let head: VerifiedHead;
    try {
      head = verifyConfigObject(raw, builder);
    } catch (e) {
      const claimed =
        raw !== null && typeof raw === 'object' && typeof (raw as { hash?: unknown }).hash === 'string'
          ? String((raw as { hash: string }).hash).slice(0, 80)
          : undefined;
      return this.#refused(e, source, claimed);
    }
    return this.#swap(builder, head.hash, source);
  }

  /**
   * Verify a config's JSON text, read chunk by chunk from `chunks`, and swap it in. With a `memo` (a source
   * that loads config after config), tenants whose text an earlier load verified are taken from it. Verification failures
   * are refusals (as `apply`); an error thrown by `chunks` itself (a read that failed, a shard not there
   * yet) propagates to the caller unrecorded, which decides whether it is one.
   */
  async applyText(
    chunks: AsyncIterable<string> | Iterable<string>,
    source: string,
    memo?: TenantMemo,
  ): Promise<ApplyResult> {
    const builder = new SnapshotBuilder(this.#options);
    memo?.discard(); // what an earlier load that never finished saw
    const reader = new ConfigTextReader(builder, memo);
    for await (const chunk of chunks) {
      try {
        reader.feed(chunk);
      } catch (e) {
        memo?.discard();
        return this.#refused(e, source, reader.claimedHash);
      }
    }
    let head: VerifiedHead;
    try {
      head = reader.end();
    } catch (e) {
      memo?.discard();
      return this.#refused(e, source, reader.claimedHash);
    }
    memo?.commit();
    return this.#swap(builder, head.hash, source);
  }

  #swap(builder: SnapshotBuilder, hash: string, source: string): ApplyResult {
    this.#lastError = undefined;
    this.#lastSource = source;
    if (this.#current && this.#current.hash === hash)
      return { ok: true, changed: false, hash, snapshot: this.#current };
    const snapshot = builder.finish(hash);
    const previous = this.#current;
    this.#current = snapshot;
    for (const o of this.#observers) o.applied?.(snapshot, source, previous);
    return { ok: true, changed: true, hash, snapshot };
  }

  #refused(e: unknown, source: string, claimedHash: string | undefined): ApplyResult {
    const error: ReloadError = { message: stripUserinfo(describeError(e)), source, at: new Date(), claimedHash };
    this.#lastError = error;
    for (const o of this.#observers) o.refused?.(error);
    return { ok: false, error };
  }

  /** Record a failure that happened before validation (unreadable file, YAML syntax, compile error). */
  refuse(message: string, source: string): ReloadError {
    const error: ReloadError = {
      message: stripUserinfo(message.slice(0, 2000)),
      source,
      at: new Date(),
      claimedHash: undefined,
    };
    this.#lastError = error;
    for (const o of this.#observers) o.refused?.(error);
    return error;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof ZodError) {
    const issues = e.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = e.issues.length > 5 ? ` (+${e.issues.length - 5} more)` : '';
    return `invalid gateway config: ${issues.join('; ')}${more}`;
  }
  return e instanceof Error ? e.message.slice(0, 2000) : String(e).slice(0, 2000);
}
