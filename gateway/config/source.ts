// Config sources: a gateway config file (JSON or YAML), or anything else that can produce a config
// (the `-f` manifest compiler). A watcher polls cheap file fingerprints (and listens to fs.watch for a
// prompt reaction), loads on change and hands the result to the ConfigHolder. Works with editors that
// replace files by rename and with Kubernetes' symlink-swapped ConfigMap/Secret volumes. A JSON file is
// read in chunks and verified as it is read (never held whole); YAML is parsed whole.
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeError, type ApplyResult, type ConfigHolder } from './holder.ts';

export function parseConfigText(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith('{')) return JSON.parse(t);
  return parseYaml(text, { maxAliasCount: 100 });
}

/** JSON config text to be read in chunks when it is applied (ConfigHolder.applyText). */
export class ConfigText {
  readonly chunks: () => AsyncIterable<string>;
  constructor(chunks: () => AsyncIterable<string>) {
    this.chunks = chunks;
  }
}

const FILE_CHUNK_BYTES = 256 * 1024;

/** A JSON file (its first non-blank character is `{`) as ConfigText; anything else parsed (YAML). */
export async function readConfigFile(path: string): Promise<unknown> {
  const fh = await open(path, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
  } finally {
    await fh.close();
  }
  if (head.startsWith('{'))
    return new ConfigText(
      () => createReadStream(path, { encoding: 'utf8', highWaterMark: FILE_CHUNK_BYTES }) as AsyncIterable<string>,
    );
  return parseConfigText(await readFile(path, 'utf8'));
}

/** mtime/size/inode of every file under `paths` (directories walked for .json/.yaml/.yml). */
export async function fingerprintPaths(paths: readonly string[]): Promise<string> {
  const parts: string[] = [];
  const visit = async (p: string, depth: number): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch {
      parts.push(`${p}:missing`);
      return;
    }
    if (s.isDirectory()) {
      if (depth > 8) return;
      const entries = (await readdir(p)).sort();
      for (const e of entries) {
        if (e.startsWith('.') && e !== '..data') continue;
        const child = join(p, e);
        if (/\.(ya?ml|json)$/i.test(e)) await visit(child, depth + 1);
        else {
          const cs = await stat(child).catch(() => undefined);
          if (cs?.isDirectory()) await visit(child, depth + 1);
        }
      }
      return;
    }
    parts.push(`${p}:${s.ino}:${s.size}:${s.mtimeMs}`);
  };
  for (const p of paths) await visit(p, 0);
  return parts.join('|');
}

export interface WatchOptions {
  /** Files or directories whose change triggers a reload. */
  paths: readonly string[];
  /** Produces the raw config or ConfigText (verified by the holder). Throwing refuses the reload. */
  load: () => Promise<unknown>;
  /** Label used in logs and /readyz. */
  source: string;
  intervalMs?: number;
}

export class ConfigWatcher {
  readonly #holder: ConfigHolder;
  readonly #opts: WatchOptions;
  #fingerprint = '';
  #timer: NodeJS.Timeout | undefined;
  #watchers: FSWatcher[] = [];
  #running: Promise<ApplyResult | undefined> | undefined;
  #pending = false;
  #closed = false;

  constructor(holder: ConfigHolder, opts: WatchOptions) {
    this.#holder = holder;
    this.#opts = opts;
  }

  /** Load once now (the initial load); returns the result. */
  async loadNow(): Promise<ApplyResult> {
    this.#fingerprint = await fingerprintPaths(this.#opts.paths);
    return this.#load();
  }

  async #load(): Promise<ApplyResult> {
    try {
      const raw = await this.#opts.load();
      if (raw instanceof ConfigText) return await this.#holder.applyText(raw.chunks(), this.#opts.source);
      return this.#holder.apply(raw, this.#opts.source);
    } catch (e) {
      return { ok: false, error: this.#holder.refuse(`cannot load config: ${describeError(e)}`, this.#opts.source) };
    }
  }

  start(): void {
    const interval = this.#opts.intervalMs ?? 1000;
    this.#timer = setInterval(() => void this.check(), interval);
    this.#timer.unref();
    const dirs = new Set(this.#opts.paths.map((p) => dirname(p)).concat(this.#opts.paths));
    for (const d of dirs) {
      try {
        const w = watch(d, { persistent: false }, () => void this.check());
        w.on('error', () => undefined);
        this.#watchers.push(w);
      } catch {
        // polling still covers it
      }
    }
  }

  /** Reload if the files changed (or unconditionally with force, e.g. on SIGHUP). */
  async check(force = false): Promise<ApplyResult | undefined> {
    if (this.#closed) return undefined;
    if (this.#running) {
      this.#pending = true;
      return this.#running;
    }
    this.#running = (async () => {
      const fp = await fingerprintPaths(this.#opts.paths);
      if (!force && fp === this.#fingerprint) return undefined;
      this.#fingerprint = fp;
      return this.#load();
    })();
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
      if (this.#pending) {
        this.#pending = false;
        void this.check();
      }
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }
}
