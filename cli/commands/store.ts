// tollgate store status|ack-reset|unrevoke KEY_ID [--redis-url-file FILE]   (or $TOLLGATE_REDIS_URL)
//
// Operator actions on the gateway's shared store (issue #15). In a cluster run them in a gateway pod, which
// already has the URL in its environment:  kubectl -n tollgate-system exec deploy/tollgate-gateway -- node /app/bin/tollgate.ts store status
import { randomUUID } from 'node:crypto';
import { REDIS_URL_ENV } from '../../gateway/redis-url.ts';
import { requireStoreUrl } from '../store-url.ts';
import { parse, UsageError } from '../args.ts';

export const summary = 'inspect the shared store (Redis) and acknowledge a reset or lift a gateway revocation';
export const usage = [
  'tollgate store status [--json]            the store generation: ok, or lost (since when, why)',
  '       tollgate store ack-reset              acknowledge that the store lost its state: budget windows restart',
  '                                             from zero and budget-limited tenants are served again',
  '       tollgate store unrevoke KEY_ID        lift a pre-#13 revocation recorded by key id (ns/tenant/key); revocations of key',
  '                                             material: tollgate keys unrevoke (and keys list / revoke / audit)',
  '',
  '  --redis-url-file FILE      the store URL from a file (a mounted Secret); or set $' + REDIS_URL_ENV,
  '  --redis-url URL            the same in argv (visible in ps; local use only)',
  '',
  'Nothing is changed by `status`. `ack-reset` is refused while the store state is ok (nothing to acknowledge)',
  'unless --force. The URL and its password are never printed.',
].join('\n');

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'redis-url': { type: 'string' },
      'redis-url-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
    true,
  );
  const [action, arg] = positionals;
  if (action !== 'status' && action !== 'ack-reset' && action !== 'unrevoke')
    throw new UsageError('give one of: status, ack-reset, unrevoke KEY_ID');
  if (action === 'unrevoke' && (arg === undefined || !/^[a-z0-9.-]+\/[a-z0-9.-]+\/[A-Za-z0-9._-]+$/.test(arg)))
    throw new UsageError('unrevoke wants a key id ns/tenant/key');
  const url = requireStoreUrl(values);
  const [{ RedisStore }, { ackRecord }] = await Promise.all([
    import('../../gateway/store/redis.ts'),
    import('../../gateway/store/generation.ts'),
  ]);
  const store = new RedisStore({ url, generationPollMs: 3_600_000, connectTimeoutMs: 5000, commandTimeoutMs: 5000 });
  try {
    if (store.client.status === 'wait') await store.client.connect();
    const current = await store.readGeneration();
    if (action === 'status') {
      const out = { store: store.label, generation: current ?? null };
      if (values.json) console.log(JSON.stringify(out));
      else if (!current)
        console.log(`${store.label}: no generation record (empty store; the first gateway to connect creates one)`);
      else
        console.log(
          `${store.label}: generation ${current.id} ${current.state} since ${current.since}${current.reason ? ` (${current.reason})` : ''}`,
        );
      return current?.state === 'lost' ? 3 : 0;
    }
    if (action === 'ack-reset') {
      if (current?.state === 'ok' && !values.force) {
        console.error(
          `tollgate store: generation ${current.id} is ok; nothing to acknowledge (use --force to start a new generation anyway)`,
        );
        return 1;
      }
      const rec = ackRecord(current, new Date().toISOString(), randomUUID());
      await store.acknowledgeReset(rec);
      console.log(
        `acknowledged: generation ${rec.id} replaces ${current?.id ?? '(none)'}; gateways serve budget-limited tenants again within ~1 s, with budget windows counted from zero`,
      );
      return 0;
    }
    const removed = await store.unrevoke(arg!);
    console.log(
      removed
        ? `lifted the revocation of ${arg}`
        : `${arg} was not in the revocation set; recorded as lifted so no gateway re-seeds it`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(
      `tollgate store: ${e instanceof Error ? e.message.replace(/(rediss?(?:\+\w+)?:\/\/)[^@\s/]*@/g, '$1***@') : 'failed'}`,
    );
    return 1;
  } finally {
    await store.close();
  }
}
