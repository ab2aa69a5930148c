// The store's URL for the commands that talk to it (keys, store): --redis-url, --redis-url-file or the env var,
// as a usage error when it is missing or malformed.
import { REDIS_URL_ENV, RedisUrlError, resolveRedisUrl } from '../gateway/redis-url.ts';
import { UsageError } from './args.ts';

export function requireStoreUrl(values: {
  'redis-url'?: string | undefined;
  'redis-url-file'?: string | undefined;
}): string {
  let url: string | undefined;
  try {
    url = resolveRedisUrl({
      flag: values['redis-url'],
      file: values['redis-url-file'],
      env: process.env[REDIS_URL_ENV],
    });
  } catch (e) {
    if (e instanceof RedisUrlError) throw new UsageError(e.message);
    throw e;
  }
  if (url === undefined) throw new UsageError(`no store: give --redis-url-file FILE or set $${REDIS_URL_ENV}`);
  return url;
}
