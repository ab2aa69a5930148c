// Where the Redis URL comes from (--redis-url, --redis-url-file, TOLLGATE_REDIS_URL): at most one source,
// a mounted Secret file trimmed, and no error message that echoes the URL (it holds the password).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { redactRedisUrl, resolveRedisUrl, RedisUrlError } from './redis-url.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-url-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 's3cr3t-Pa55word';
const URL_WITH_PASSWORD = `redis://:${SECRET}@redis.tollgate-system.svc:6379`;

describe('resolveRedisUrl', () => {
  it('takes the URL from exactly one of flag, file (trimmed) and env; none: in-memory', () => {
    assert.equal(resolveRedisUrl({}), undefined);
    assert.equal(resolveRedisUrl({ env: '' }), undefined, 'an empty env var counts as unset');
    assert.equal(resolveRedisUrl({ flag: 'redis://127.0.0.1:6379' }), 'redis://127.0.0.1:6379');
    const f = join(dir, 'url');
    writeFileSync(f, `${URL_WITH_PASSWORD}\n`);
    assert.equal(resolveRedisUrl({ file: f }), URL_WITH_PASSWORD);
    assert.equal(resolveRedisUrl({ env: ` ${URL_WITH_PASSWORD} ` }), URL_WITH_PASSWORD);
    assert.equal(
      resolveRedisUrl({ env: 'redis+sentinel://a:26379,b:26379/mymaster' }),
      'redis+sentinel://a:26379,b:26379/mymaster',
    );
  });

  it('refuses two sources, an empty or missing file and a non-Redis URL, without echoing the URL', () => {
    const f = join(dir, 'url2');
    writeFileSync(f, URL_WITH_PASSWORD);
    const cases: Parameters<typeof resolveRedisUrl>[0][] = [
      { flag: URL_WITH_PASSWORD, env: URL_WITH_PASSWORD },
      { file: f, env: URL_WITH_PASSWORD },
      { flag: URL_WITH_PASSWORD, file: f },
      { file: join(dir, 'missing') },
      { env: `http://:${SECRET}@example.com` },
    ];
    writeFileSync(join(dir, 'empty'), '\n');
    cases.push({ file: join(dir, 'empty') });
    for (const c of cases) {
      assert.throws(
        () => resolveRedisUrl(c),
        (e: unknown) => {
          assert.ok(e instanceof RedisUrlError);
          assert.ok(!e.message.includes(SECRET), e.message);
          return true;
        },
      );
    }
  });

  it('redacts credentials for display', () => {
    assert.equal(redactRedisUrl(URL_WITH_PASSWORD), 'redis://***@redis.tollgate-system.svc:6379');
    assert.equal(redactRedisUrl(`rediss://default:${SECRET}@h:6380/0`), 'rediss://***@h:6380/0');
    assert.equal(redactRedisUrl('redis://h:6379'), 'redis://h:6379');
  });
});
