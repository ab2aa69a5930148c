// tollgate keys revoke|unrevoke|list|audit   (the shared store: --redis-url-file FILE or $TOLLGATE_REDIS_URL)
//
// The revocation lifecycle (issue #13). A revocation is keyed by the key MATERIAL's sha256, so rotating a key
// (new material) gives a clean key, and lifting one lifts exactly that material. Every gateway replica
// enforces a change within its refresh period (2 s). Every action is appended to the store's audit trail
// (`keys audit`). Durable across a Redis wipe: see gateway/README.md (the operator keeps revocations on the
// LLMTenant as `tollgate.dev/revoked.<fingerprint>` annotations and compiles them into the gateway config).
//
// Which key: a key id `ns/tenant/key` (resolved to its current material through the gateway config, --config),
// the material's sha256 (64 hex, as in the config), or the key itself from a file (--key-file FILE, `-` =
// stdin; hashed here, never sent or printed). The key itself is never accepted in argv (ps, shell history).
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parse as parseYaml } from 'yaml';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import { fingerprint, hashKey } from '../../api/keys.ts';
import { REDIS_URL_ENV } from '../../gateway/redis-url.ts';
import { requireStoreUrl } from '../store-url.ts';
import { parse, UsageError } from '../args.ts';

export const summary = 'revoke, unrevoke and list API key revocations (by key material), with an audit trail';
export const usage = [
  'tollgate keys revoke   (KEY_ID|SHA256|--key-file FILE) [--reason TEXT] [--by NAME] [--config FILE]',
  '       tollgate keys unrevoke (KEY_ID|SHA256|FINGERPRINT|--key-file FILE) [--by NAME] [--config FILE]',
  '       tollgate keys list [--json] [--config FILE]',
  '       tollgate keys audit [--json] [--limit N]',
  '',
  '  KEY_ID                     ns/tenant/key: the material the gateway config (--config) has for it now',
  "  SHA256                     the material's sha256 (64 hex), e.g. from the gateway config",
  '  FINGERPRINT                (unrevoke only) the 16 hex of `keys list` / LLMTenant status, matched in the revocation set',
  '  --key-file FILE            the key itself, from a file or - (stdin); hashed locally',
  '  --config FILE              the gateway config (JSON or YAML), to resolve key ids and name hashes in list',
  '  --redis-url-file FILE      the store URL from a file (a mounted Secret); or set $' + REDIS_URL_ENV,
  '',
  'In a cluster: kubectl -n tollgate-system exec deploy/tollgate-gateway -- node /app/bin/tollgate.ts keys list (the pod has the store URL).',
  'Revoking by key id needs the gateway config (--config); without it use the LLMTenant annotation tollgate.dev/revoke.<fingerprint>.',
  'To survive a Redis wipe, also record it on the LLMTenant (the command prints the kubectl annotate line).',
].join('\n');

const KEY_ID = /^[a-z0-9.-]+\/[a-z0-9.-]+\/[A-Za-z0-9._-]+$/;
const SHA = /^[a-f0-9]{64}$/;
const FP = /^[a-f0-9]{16}$/;

/** id -> sha256 and sha256 -> id from a gateway config file (undefined: none given). */
export function keyIndex(cfg: Pick<GatewayConfig, 'tenants'> | undefined): {
  byId: Map<string, string>;
  bySha: Map<string, string>;
} {
  const byId = new Map<string, string>();
  const bySha = new Map<string, string>();
  for (const t of cfg?.tenants ?? [])
    for (const k of t.keys) {
      byId.set(k.id, k.sha256);
      bySha.set(k.sha256, k.id);
    }
  return { byId, bySha };
}

/** What a revoke/unrevoke acts on: the material hash (and the legacy key-id entry for unrevoke). Pure. */
export function resolveTarget(
  arg: string | undefined,
  keyFileText: string | undefined,
  idx: ReturnType<typeof keyIndex>,
): { sha256: string | undefined; keyId: string | undefined } {
  if (keyFileText !== undefined) {
    const sha = hashKey(keyFileText.trim());
    return { sha256: sha, keyId: idx.bySha.get(sha) };
  }
  if (arg === undefined) throw new UsageError('name the key: KEY_ID, SHA256 or --key-file FILE');
  if (SHA.test(arg)) return { sha256: arg, keyId: idx.bySha.get(arg) };
  if (KEY_ID.test(arg)) return { sha256: idx.byId.get(arg), keyId: arg };
  throw new UsageError(
    'the key must be a key id ns/tenant/key or a sha256 (64 lowercase hex); the key itself only through --key-file',
  );
}

function readConfig(file: string | undefined): GatewayConfig | undefined {
  if (file === undefined) return undefined;
  const text = readFileSync(file, 'utf8');
  return (text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text)) as GatewayConfig;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'redis-url': { type: 'string' },
      'redis-url-file': { type: 'string' },
      'key-file': { type: 'string' },
      config: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  const [action, arg] = positionals;
  if (action !== 'revoke' && action !== 'unrevoke' && action !== 'list' && action !== 'audit')
    throw new UsageError('give one of: revoke, unrevoke, list, audit');
  const reason = values.reason ?? 'revoked by an operator';
  if (reason.length > 200 || /[\u0000-\u001f]/.test(reason))
    throw new UsageError('--reason: at most 200 characters, no control characters');
  const by = values.by ?? `cli:${safeUser()}`;
  const url = requireStoreUrl(values);
  const idx = keyIndex(readConfig(values.config));
  const keyText =
    values['key-file'] === undefined
      ? undefined
      : readFileSync(values['key-file'] === '-' ? 0 : values['key-file'], 'utf8');
  const byFingerprint = action === 'unrevoke' && arg !== undefined && FP.test(arg) && keyText === undefined;
  const target =
    action === 'revoke' || (action === 'unrevoke' && !byFingerprint)
      ? resolveTarget(arg, keyText, idx)
      : byFingerprint
        ? { sha256: undefined, keyId: undefined }
        : undefined;
  if (action === 'revoke' && target?.sha256 === undefined)
    throw new UsageError(
      `no material known for ${target?.keyId}: give --config FILE (the gateway config) or the sha256`,
    );
  const { RedisStore } = await import('../../gateway/store/redis.ts');
  const store = new RedisStore({ url, generationPollMs: 3_600_000, connectTimeoutMs: 5000, commandTimeoutMs: 5000 });
  try {
    if (store.client.status === 'wait') await store.client.connect();
    if (action === 'revoke') {
      const first = await store.revoke(target!.sha256!, reason, { keyId: target!.keyId, by });
      const fp = fingerprint(target!.sha256!);
      console.log(
        first
          ? `revoked key ${target!.keyId ?? '(unknown id)'} material ${fp}: gateways refuse it within ~2 s (revoked_api_key)`
          : `material ${fp} was already revoked (the first record stays)`,
      );
      console.log(annotateHint(target!.keyId, fp, reason, by));
      return 0;
    }
    if (action === 'unrevoke') {
      if (byFingerprint) {
        const matches = [...(await store.revocations()).keys()].filter((k) => SHA.test(k) && k.startsWith(arg!));
        if (matches.length !== 1) {
          console.error(
            `tollgate keys: ${matches.length === 0 ? 'no revoked material' : 'more than one revoked material'} with fingerprint ${arg}`,
          );
          return 1;
        }
        target!.sha256 = matches[0];
      }
      const lifted: string[] = [];
      if (target!.sha256 === undefined && target!.keyId !== undefined)
        console.error(
          `note: no material known for ${target!.keyId} (give --config FILE): only a legacy entry by key id can be lifted`,
        );
      if (target!.sha256 !== undefined && (await store.unrevoke(target!.sha256, by)))
        lifted.push(`material ${fingerprint(target!.sha256)}`);
      // a pre-#13 entry keyed by the key id, if there is one
      if (
        target!.keyId !== undefined &&
        (await store.revocations()).has(target!.keyId) &&
        (await store.unrevoke(target!.keyId, by))
      )
        lifted.push(`legacy entry ${target!.keyId}`);
      console.log(
        lifted.length > 0
          ? `lifted: ${lifted.join(', ')}; gateways accept the key again within ~2 s (unless rotated, expired or revoked in spec)`
          : 'nothing was revoked under that key; recorded as lifted so no gateway re-seeds it',
      );
      if (target!.sha256 !== undefined)
        console.log(
          `if it is recorded on the LLMTenant: kubectl -n ${nsOf(target!.keyId)} annotate llmtenant ${tenantOf(target!.keyId)} tollgate.dev/revoked.${fingerprint(target!.sha256)}- tollgate.dev/lifted.${fingerprint(target!.sha256)}=${new Date().toISOString()} --overwrite`,
        );
      return 0;
    }
    if (action === 'list') {
      const all = [...(await store.revocations())]
        .map(([k, r]) => ({
          fingerprint: SHA.test(k) ? fingerprint(k) : undefined,
          keyId: SHA.test(k) ? (r.keyId ?? idx.bySha.get(k)) : k,
          legacy: !SHA.test(k),
          reason: r.reason,
          at: r.at,
          ...(r.by ? { by: r.by } : {}),
        }))
        .sort((a, b) => (a.at < b.at ? -1 : 1));
      if (values.json) console.log(JSON.stringify(all));
      else if (all.length === 0) console.log('no revoked keys');
      else
        for (const r of all)
          console.log(
            `${r.fingerprint ?? '(by key id)'.padEnd(16)}  ${r.keyId ?? '(unknown id)'}  ${r.at}  ${r.by ?? ''}  ${r.reason}`,
          );
      return 0;
    }
    const n = Number(values.limit ?? 50);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError('--limit: 1-10000');
    const trail = (await store.auditTrail(n)).map((e) => ({
      ...e,
      target: SHA.test(e.target) ? fingerprint(e.target) : e.target,
    }));
    if (values.json) console.log(JSON.stringify(trail));
    else
      for (const e of trail)
        console.log(`${e.at}  ${e.action.padEnd(8)}  ${e.target}  ${e.keyId ?? ''}  ${e.by ?? ''}  ${e.reason ?? ''}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(
      `tollgate keys: ${e instanceof Error ? e.message.replace(/(rediss?(?:\+\w+)?:\/\/)[^@\s/]*@/g, '$1***@') : 'failed'}`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

function safeUser(): string {
  try {
    return (
      userInfo()
        .username.replace(/[^A-Za-z0-9._-]/g, '')
        .slice(0, 64) || 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const nsOf = (id: string | undefined): string => id?.split('/')[0] ?? 'NAMESPACE';
const tenantOf = (id: string | undefined): string => id?.split('/')[1] ?? 'TENANT';

function annotateHint(keyId: string | undefined, fp: string, reason: string, by: string): string {
  const v = JSON.stringify({ reason, at: new Date().toISOString(), by });
  return `to keep it through a Redis wipe: kubectl -n ${nsOf(keyId)} annotate llmtenant ${tenantOf(keyId)} 'tollgate.dev/revoked.${fp}=${v}' --overwrite`;
}
