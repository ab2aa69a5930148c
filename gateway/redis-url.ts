// Where the gateway's Redis URL comes from. The URL usually carries the password, so it should not sit
// in argv (visible in `ps`, /proc/<pid>/cmdline, crash reports): a mounted Secret file
// (--redis-url-file) or the environment (TOLLGATE_REDIS_URL) keep it out; --redis-url stays for local use.
import { readFileSync } from 'node:fs';

export const REDIS_URL_ENV = 'TOLLGATE_REDIS_URL';

export interface RedisUrlSources {
  flag?: string | undefined;
  file?: string | undefined;
  env?: string | undefined;
}

export class RedisUrlError extends Error {}

/** The URL from at most one source (undefined: none given, in-memory store); an empty env var counts as unset. */
export function resolveRedisUrl(src: RedisUrlSources): string | undefined {
  const env = src.env !== undefined && src.env.trim() !== '' ? src.env : undefined;
  const given = [
    src.flag !== undefined && '--redis-url',
    src.file !== undefined && '--redis-url-file',
    env !== undefined && REDIS_URL_ENV,
  ].filter((x): x is string => typeof x === 'string');
  if (given.length > 1) throw new RedisUrlError(`give the Redis URL one way only, got ${given.join(', ')}`);
  let url: string | undefined;
  let from: string;
  if (src.flag !== undefined) [url, from] = [src.flag.trim(), '--redis-url'];
  else if (src.file !== undefined) {
    try {
      url = readFileSync(src.file, 'utf8').trim();
    } catch (e) {
      throw new RedisUrlError(
        `--redis-url-file ${src.file}: ${e instanceof Error && 'code' in e ? String(e.code) : 'unreadable'}`,
      );
    }
    from = `--redis-url-file ${src.file}`;
  } else if (env !== undefined) [url, from] = [env.trim(), REDIS_URL_ENV];
  else return undefined;
  if (url === '') throw new RedisUrlError(`${from}: empty Redis URL`);
  // Never echo the URL itself in the error: it may hold the password.
  if (!/^(rediss?|redis\+cluster|redis\+sentinel):\/\//.test(url))
    throw new RedisUrlError(`${from}: not a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL`);
  return url;
}

/** The URL with any password (and user) replaced, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1***@');
}
