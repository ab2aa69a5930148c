// TLS for the tenant-facing port: TLS 1.3 only, the certificate and key from PEM files, and a renewed
// pair picked up without a restart. Kubernetes swaps a mounted Secret atomically through a `..data`
// symlink (fs.watch on such paths is unreliable), so the files are re-read on a timer and compared by
// content; a pair that does not load (half-written, key and certificate not matching) leaves the one in
// force and is retried on the next tick.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';

export const TLS_MIN_VERSION = 'TLSv1.3';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** sha256 over both files' bytes: what the reloader compares. */
  digest: string;
  /** Loggable facts about the leaf certificate (never the key). */
  info: { subject: string; serial: string; validTo: string; fingerprint256: string };
}

function readPair(files: TlsFiles): { cert: Buffer; key: Buffer; digest: string } {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  const digest = createHash('sha256').update(cert).update('\0').update(key).digest('hex');
  return { cert, key, digest };
}

/** Secure-context options for the tenant port; TLS 1.3 only. */
export function secureOptions(pair: Pick<TlsPair, 'cert' | 'key'>): SecureContextOptions {
  return { cert: pair.cert, key: pair.key, minVersion: TLS_MIN_VERSION };
}

function validate(raw: { cert: Buffer; key: Buffer; digest: string }): TlsPair {
  createSecureContext(secureOptions(raw)); // throws on unparsable PEM or a key that does not match the certificate
  const x = new X509Certificate(raw.cert);
  return {
    ...raw,
    info: {
      subject: x.subject.replace(/\n/g, ', '),
      serial: x.serialNumber,
      validTo: x.validTo,
      fingerprint256: x.fingerprint256,
    },
  };
}

/** Reads and checks the pair; throws with a message naming the files when it does not load. */
export function loadTlsPair(files: TlsFiles): TlsPair {
  try {
    return validate(readPair(files));
  } catch (e) {
    throw new Error(
      `TLS certificate ${files.certFile} / key ${files.keyFile} do not load: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

export interface CertReloaderOptions {
  server: TlsServer;
  files: TlsFiles;
  /** The pair the server was created with. */
  initial: TlsPair;
  log: Logger;
  /** Poll interval (default 5000 ms). */
  intervalMs?: number;
}

/** Polls the certificate files and swaps the server's secure context when they change. */
export class CertReloader {
  readonly #opts: CertReloaderOptions;
  #current: TlsPair;
  #lastFailed: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: CertReloaderOptions) {
    this.#opts = opts;
    this.#current = opts.initial;
  }

  get current(): TlsPair {
    return this.#current;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.check(), this.#opts.intervalMs ?? 5000);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll: 'unchanged', 'reloaded' or 'failed' (the pair in force stays). */
  check(): 'unchanged' | 'reloaded' | 'failed' {
    const { files, log, server } = this.#opts;
    let raw: { cert: Buffer; key: Buffer; digest: string };
    try {
      raw = readPair(files);
    } catch (e) {
      return this.#failed(`unreadable:${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (raw.digest === this.#current.digest) {
      this.#lastFailed = undefined;
      return 'unchanged';
    }
    let pair: TlsPair;
    try {
      pair = validate(raw);
      server.setSecureContext(secureOptions(pair));
    } catch (e) {
      return this.#failed(raw.digest, e);
    }
    const previous = this.#current;
    this.#current = pair;
    this.#lastFailed = undefined;
    log.info(
      { event: 'tls_reloaded', certFile: files.certFile, ...pair.info, previousSerial: previous.info.serial },
      'TLS certificate reloaded',
    );
    return 'reloaded';
  }

  #failed(key: string, e: unknown): 'failed' {
    // Once per distinct bad state: a rotation caught halfway fixes itself on the next tick.
    if (this.#lastFailed !== key) {
      this.#lastFailed = key;
      const { files, log } = this.#opts;
      log.error(
        {
          event: 'tls_reload_failed',
          certFile: files.certFile,
          keyFile: files.keyFile,
          err: e instanceof Error ? e.message : String(e),
          serial: this.#current.info.serial,
        },
        'new TLS certificate/key do not load; still serving the previous certificate',
      );
    }
    return 'failed';
  }
}
