// Holds the config in force and swaps it atomically. `apply()` is the one programmatic entry point: the
// file watcher, the `-f` manifest compiler and (later) the in-cluster watcher all call it. A config that
// fails validation is refused; the last good one stays in force and the refusal is recorded for /readyz,
// logs and metrics.
import { ZodError } from 'zod';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import { stripUserinfo } from '../scrub.ts';
import { buildSnapshot, type Snapshot, type SnapshotOptions } from './snapshot.ts';
import { verifyGatewayConfig } from './verify.ts';

export interface ReloadError {
  readonly message: string;
  readonly source: string;
  readonly at: Date;
  /** Hash the refused config claimed, when it had one. */
  readonly claimedHash: string | undefined;
}

export type ApplyResult =
  | { ok: true; changed: boolean; hash: string; snapshot: Snapshot }
  | { ok: false; error: ReloadError };

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
   * Validate `raw` (untrusted: parsed JSON/YAML or an object) and swap it in. Never throws: a refusal is
   * returned, recorded and reported to observers; the previous snapshot stays in force.
   */
  apply(raw: unknown, source: string): ApplyResult {
    let config: GatewayConfig;
    let snapshot: Snapshot;
    try {
      config = verifyGatewayConfig(raw);
      if (this.#current && this.#current.hash === config.hash) {
        this.#lastError = undefined;
        this.#lastSource = source;
        return { ok: true, changed: false, hash: config.hash, snapshot: this.#current };
      }
      snapshot = buildSnapshot(config, this.#options);
    } catch (e) {
      const claimed = raw !== null && typeof raw === 'object' && typeof (raw as { hash?: unknown }).hash === 'string' ? String((raw as { hash: string }).hash).slice(0, 80) : undefined;
      const error: ReloadError = { message: stripUserinfo(describeError(e)), source, at: new Date(), claimedHash: claimed };
      this.#lastError = error;
      for (const o of this.#observers) o.refused?.(error);
      return { ok: false, error };
    }
    const previous = this.#current;
    this.#current = snapshot;
    this.#lastError = undefined;
    this.#lastSource = source;
    for (const o of this.#observers) o.applied?.(snapshot, source, previous);
    return { ok: true, changed: true, hash: snapshot.hash, snapshot };
  }

  /** Record a failure that happened before validation (unreadable file, YAML syntax, compile error). */
  refuse(message: string, source: string): ReloadError {
    const error: ReloadError = { message: stripUserinfo(message.slice(0, 2000)), source, at: new Date(), claimedHash: undefined };
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
